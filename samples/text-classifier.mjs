// Sentiment from token ids (ES module JS, aliased named import). Bag-of-n-grams models should
// not care where in the text a phrase sits: translation invariance along the token axis.
// A 'valid' convolution loses the ends of the text; a max pooling window before the global
// pooling only commutes with shifts by its stride.
import { layers as L, sequential } from '@tensorflow/tfjs';

const VOCAB_SIZE = 10000;
const MAX_LEN = 100;

/**
 * @symmetry invariant translation tol=0.01
 */
export function buildSentimentModel(embeddingSize = 32) {
  const model = sequential();
  model.add(L.embedding({ inputDim: VOCAB_SIZE, outputDim: embeddingSize, inputLength: MAX_LEN }));
  model.add(L.conv1d({ filters: 64, kernelSize: 5, activation: 'relu' })); // expect: padding-boundary
  model.add(L.maxPooling1d({ poolSize: 2 })); // expect: strided-aliasing
  model.add(L.globalMaxPooling1d({}));
  model.add(L.dense({ units: 1, activation: 'sigmoid' }));
  return model;
}
