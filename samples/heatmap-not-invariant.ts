// A keypoint heatmap network declared invariant by mistake: its output is a feature map
// that moves with the input (equivariant), so invariance cannot hold without pooling.
import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation tol=1e-2
 */
export function buildHeatmapNet(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 16, kernelSize: 1, activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 17, kernelSize: 1, activation: 'sigmoid' })); // expect: output-not-invariant
  return model;
}
