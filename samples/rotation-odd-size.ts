// The same idea on an odd-sized input: stride-2 'same' sampling on 25x25 keeps the rotation
// centre on the grid, so 1x1 convolutions, the strided layer and global pooling stay exactly
// rotation invariant. No findings.
import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant rotation90
 * @symmetry invariant flip
 */
export function buildOddSizeModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [25, 25, 3], filters: 8, kernelSize: 1, activation: 'tanh' }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 1, strides: 2, padding: 'same' }));
  model.add(tf.layers.globalMaxPooling2d({}));
  model.add(tf.layers.dense({ units: 4 }));
  return model;
}
