// Three common ways to make a set model depend on the order of its elements: a recurrent
// layer reading the set as a sequence, a convolution window across neighbouring elements,
// and flatten followed by dense. Each model gets one order-dependent-layer finding.
import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant permutation
 */
export function buildLstmOverSet(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [20, 8], units: 16, activation: 'relu' }));
  model.add(tf.layers.lstm({ units: 32 })); // expect: order-dependent-layer
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}

/**
 * @symmetry invariant permutation
 */
export function buildConvOverSet(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv1d({ inputShape: [20, 8], filters: 16, kernelSize: 3 })); // expect: order-dependent-layer
  model.add(tf.layers.globalAveragePooling1d({}));
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}

/**
 * @symmetry invariant permutation
 */
export function buildFlattenOverSet(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [20, 8], units: 16, activation: 'relu' }));
  model.add(tf.layers.flatten()); // expect: order-dependent-layer
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}
