// PointNet-style classifier for point clouds [N, points, xyz]: a cloud is a set, so the
// order of the points must not matter. Shared per-point layers (kernel-1 convolutions and
// dense layers on the last axis) followed by a symmetric pooling are exactly invariant.
import * as tf from '@tensorflow/tfjs';

const NUM_POINTS = 1024;

/**
 * @symmetry invariant permutation
 */
export function buildPointNet(numClasses = 40): tf.LayersModel {
  const points = tf.input({ shape: [NUM_POINTS, 3] });
  let features = points;
  for (const width of [64, 64, 128]) {
    features = tf.layers.conv1d({ filters: width, kernelSize: 1, activation: 'relu' }).apply(features) as tf.SymbolicTensor;
    features = tf.layers.batchNormalization({}).apply(features) as tf.SymbolicTensor;
  }
  const global = tf.layers.globalMaxPooling1d({}).apply(features) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 256, activation: 'relu' }).apply(global) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: numClasses, activation: 'softmax' }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: points, outputs: logits });
}
