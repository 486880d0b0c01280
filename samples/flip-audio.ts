// Time reversal on audio frames [N, T, F]: a palindrome detector should not care about the
// direction of time. A 1D kernel of width 5 is learned, not symmetric, so it breaks the flip.
import * as tf from '@tensorflow/tfjs';

const FRAMES = 128;
const MEL_BINS = 40;

/**
 * @symmetry invariant flip
 */
export function buildDirectionBlindModel(): tf.LayersModel {
  const frames = tf.input({ shape: [FRAMES, MEL_BINS] });
  const conv = tf.layers.conv1d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }); // expect: kernel-breaks-rotation
  const pooled = tf.layers.globalAveragePooling1d({}).apply(conv.apply(frames) as tf.SymbolicTensor);
  const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: frames, outputs: out });
}
