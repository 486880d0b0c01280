// Models that look like they break their symmetry but are exact by construction: the analysis
// must stay silent on each, and the probe measures each as exact (issue 8, precision).
import * as tf from '@tensorflow/tfjs';

/**
 * Upsampling by 2 then pooling by 2: a shift by one pixel becomes a shift by two, which the
 * pooling keeps.
 * @symmetry invariant translation
 */
export function buildUpsampleThenPool(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1 }),
      tf.layers.upSampling2d({ size: [2, 2] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
}

/**
 * A transposed convolution whose kernel equals its stride paints each pixel onto its own block:
 * no border, and pooling by the same factor undoes the stretch.
 * @symmetry equivariant translation
 */
export function buildBlockUpsampler(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1 }),
      tf.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, padding: 'valid' }),
      tf.layers.averagePooling2d({ poolSize: 2 }),
    ],
  });
}

/**
 * Pixels as a set: merging H and W into one axis keeps each pixel's channels together, so a
 * shift or a rotation only reorders the rows that per-pixel layers and pooling see.
 * @symmetry invariant translation
 * @symmetry invariant rotation90
 */
export function buildPixelSet(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 }),
      tf.layers.reshape({ targetShape: [256, 8] }),
      tf.layers.conv1d({ filters: 8, kernelSize: 1, activation: 'relu' }),
      tf.layers.globalMaxPooling1d({}),
      tf.layers.dense({ units: 4 }),
    ],
  });
}

/**
 * Attention over a set without positions: scores between elements, then a weighted sum over
 * the set. Each dot contracts features or the set against itself.
 * @symmetry invariant permutation
 */
export function buildSetAttention(): tf.LayersModel {
  const points = tf.input({ shape: [12, 3] });
  const queries = tf.layers.dense({ units: 8 }).apply(points) as tf.SymbolicTensor;
  const keys = tf.layers.dense({ units: 8 }).apply(points) as tf.SymbolicTensor;
  const values = tf.layers.dense({ units: 8 }).apply(points) as tf.SymbolicTensor;
  const scores = tf.layers.dot({ axes: -1 }).apply([queries, keys]) as tf.SymbolicTensor;
  const weights = tf.layers.activation({ activation: 'softmax' }).apply(scores) as tf.SymbolicTensor;
  const mixed = tf.layers.dot({ axes: [2, 1] }).apply([weights, values]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalMaxPooling1d({}).apply(mixed) as tf.SymbolicTensor;
  return tf.model({ inputs: points, outputs: pooled });
}

/**
 * Channels first: the spatial axes are the last two.
 * @symmetry invariant translation
 * @symmetry invariant rotation90
 */
export function buildChannelsFirst(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [3, 16, 16], filters: 4, kernelSize: 1, dataFormat: 'channelsFirst' }),
      tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }),
    ],
  });
}
