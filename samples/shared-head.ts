// Three widths of one pixel classifier, each from its own builder, all ending in the same
// helper. The helper's flatten is one place in the code, so it gets one finding that names
// the three models, not three identical ones on the same line.
import * as tf from '@tensorflow/tfjs';

/** Scores ten classes from a feature map; every builder below ends with it. */
function scoringHead(features: tf.SymbolicTensor): tf.SymbolicTensor {
  const flat = tf.layers.flatten().apply(features) as tf.SymbolicTensor; // expect: flatten-breaks-invariance
  return tf.layers.dense({ units: 10, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
}

/** @symmetry invariant translation */
export function buildNarrowClassifier(): tf.LayersModel {
  const pixels = tf.input({ shape: [16, 16, 3] });
  const features = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }).apply(pixels) as tf.SymbolicTensor;
  return tf.model({ inputs: pixels, outputs: scoringHead(features) });
}

/** @symmetry invariant translation */
export function buildMediumClassifier(): tf.LayersModel {
  const pixels = tf.input({ shape: [16, 16, 3] });
  let features = tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }).apply(pixels) as tf.SymbolicTensor;
  features = tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: pixels, outputs: scoringHead(features) });
}

/** @symmetry invariant translation */
export function buildWideClassifier(): tf.LayersModel {
  const pixels = tf.input({ shape: [16, 16, 3] });
  const features = tf.layers.conv2d({ filters: 32, kernelSize: 1, activation: 'relu' }).apply(pixels) as tf.SymbolicTensor;
  return tf.model({ inputs: pixels, outputs: scoringHead(features) });
}
