// DeepSets (Zaheer et al. 2017) in plain JS with a global `tf` (a page that loads tfjs from a
// <script> tag): phi applied to every element with timeDistributed, a sum-like pooling, then rho.
// Exactly permutation invariant: no findings.

/**
 * Predicts the sum of a set of digit embeddings.
 *
 * @symmetry invariant permutation
 */
function buildDeepSets(setSize, featureSize) {
  const phi = tf.layers.dense({ units: 32, activation: 'relu' });
  const model = tf.sequential();
  model.add(tf.layers.timeDistributed({ layer: phi, inputShape: [setSize, featureSize] }));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 32, activation: 'relu' }) }));
  model.add(tf.layers.globalAveragePooling1d({}));
  model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}
