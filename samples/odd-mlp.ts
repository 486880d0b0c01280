// Sign symmetry: a regression target that flips sign with its input (a force from a
// displacement) needs an odd function. Dense layers without bias and tanh are odd; this
// model has no findings.
import * as tf from '@tensorflow/tfjs';

const HIDDEN = { units: 64, useBias: false, activation: 'tanh' } as const;

/**
 * @symmetry equivariant sign
 */
export function buildOddRegressor(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], ...HIDDEN }),
      tf.layers.dense({ ...HIDDEN }),
      tf.layers.dense({ units: 3, useBias: false }),
    ],
  });
}
