// The same regressor written the usual way: biases and relu make it neither odd nor even.
// The first non-odd layer gets the finding; the later ones are listed with it.
import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant sign
 */
export function buildForceModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [6], units: 64, activation: 'relu' })); // expect: non-odd-layer
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3 }));
  return model;
}
