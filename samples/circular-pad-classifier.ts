// Translation invariance done right: circular padding followed by a `valid` convolution is
// exactly shift-equivariant on the torus, and global pooling turns that into invariance.
// No findings: this is what the padding-boundary quick fix produces.
import * as tf from '@tensorflow/tfjs';
import * as sl from 'symmetry-lint-layers';

/**
 * Texture classifier: a texture has no preferred origin.
 *
 * @symmetry invariant translation
 */
export function buildTextureClassifier(): tf.Sequential {
  return tf.sequential({
    layers: [
      new sl.CircularPad2D({ padding: 1, inputShape: [32, 32, 3] }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'valid', activation: 'relu' }),
      new sl.CircularPad2D({ padding: 1 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' }),
      tf.layers.conv2d({ filters: 32, kernelSize: 1, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
}
