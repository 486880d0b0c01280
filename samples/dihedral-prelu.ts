// A dihedral-invariant texture model whose only flaw is a PReLU with a slope per pixel:
// per-position weights tie the function to absolute positions, which breaks every
// geometric group. Sharing the slope over the spatial axes fixes it.
import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant dihedral
 * @symmetry invariant translation
 */
export const textureModel = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 16, kernelSize: 1 }),
    tf.layers.prelu({}), // expect: position-dependent-weights, position-dependent-weights
    tf.layers.conv2d({ filters: 16, kernelSize: 1 }),
    tf.layers.prelu({ sharedAxes: [1, 2] }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 8, activation: 'softmax' }),
  ],
});
