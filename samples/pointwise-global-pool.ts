// An exactly symmetric baseline: 1x1 convolutions mix channels at each pixel and global
// average pooling forgets where things were. Every geometric group survives, so this file
// has no findings, and the probe measures float32 noise on it.
import * as tf from '@tensorflow/tfjs';

/**
 * Per-pixel colour classifier (the spatial layout carries no label information).
 *
 * @symmetry invariant translation
 * @symmetry invariant rotation90
 * @symmetry invariant dihedral
 */
export function buildPixelStatisticsModel(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
