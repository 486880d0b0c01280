// Video clips [N, T, H, W, C] (destructured factories from tf.layers): translation acts on
// time and space. A stride-2 3D convolution keeps only even shifts, and reshaping the clip
// into one feature vector before a dense layer loses translation altogether.
import * as tf from '@tensorflow/tfjs';

const { conv3d, reshape, dense } = tf.layers;

/**
 * @symmetry invariant translation tol=1e-2
 */
export function buildClipClassifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(conv3d({ inputShape: [8, 32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(conv3d({ filters: 16, kernelSize: 2, strides: 2 })); // expect: strided-aliasing
  model.add(reshape({ targetShape: [4 * 16 * 16 * 16] })); // expect: flatten-breaks-invariance
  model.add(dense({ units: 5, activation: 'softmax' }));
  return model;
}
