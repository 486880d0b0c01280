// Attention over a set of tokens with the library's SetAttention, no positions anywhere: the
// encoder's outputs follow the tokens when they are reordered, and a learned query pooling over
// them gives the same summary for any order. Flattening the tokens instead ties each one to
// its place in the input.
import * as tf from '@tensorflow/tfjs';
import * as sl from 'symmetry-lint-layers';

/**
 * A set encoder: two attention blocks with a per-token layer between them.
 *
 * @symmetry equivariant permutation
 */
export function buildSetEncoder(): tf.Sequential {
  return tf.sequential({
    layers: [
      new sl.SetAttention({ inputShape: [24, 12], numHeads: 4, keyDim: 8 }),
      new sl.SetDense({ units: 32, activation: 'relu' }),
      new sl.SetAttention({ numHeads: 4, keyDim: 8, units: 16 }),
    ],
  });
}

/**
 * Classifies a bag of tokens: the encoder, then one learned query attends over the set.
 *
 * @symmetry invariant permutation
 */
export function buildBagClassifier(): tf.Sequential {
  return tf.sequential({
    layers: [
      new sl.SetAttention({ inputShape: [24, 12], numHeads: 4, keyDim: 8 }),
      new sl.SetAttention({ pooling: true, numHeads: 2, keyDim: 8, units: 16 }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

/**
 * The same classifier with flatten and dense in place of the pooling.
 *
 * @symmetry invariant permutation
 */
export function buildFlattenedClassifier(): tf.Sequential {
  return tf.sequential({
    layers: [
      new sl.SetAttention({ inputShape: [24, 12], numHeads: 4, keyDim: 8 }),
      tf.layers.flatten(), // expect: order-dependent-layer
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}
