// Declarations that do not fit the model they are attached to get a clear diagnostic
// instead of a meaningless verdict.
import * as tf from '@tensorflow/tfjs';

/**
 * Satellite tiles are 28x32 here, so a 90-degree rotation changes the input's shape.
 *
 * // expect: declaration-mismatch
 * @symmetry invariant rotation90
 */
export function buildTileModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

/**
 * Tabular features are a fixed vector, not a set: there is no axis to permute.
 *
 * // expect: declaration-mismatch
 * @symmetry invariant permutation
 */
export function buildTabularModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [10], units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}
