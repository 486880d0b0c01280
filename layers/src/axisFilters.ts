// Circular filters along ONE axis of a channels-last tensor of any rank: the building blocks of
// the 1D and 3D layers (a box max or a binomial blur is separable, so a 3D one is three 1D ones).
// Each wraps around the axis, so a circular shift of the input is a circular shift of the result.
import * as tf from '@tensorflow/tfjs';
import { wrapAxis } from './planeTransforms';

/**
 * Runs `op` on `x` seen as `[outer, axis, 1, inner]` (tfjs' 2D pooling and depthwise
 * convolution work on rank 4), then restores the other axes around the new axis length.
 */
function alongAxis(x: tf.Tensor, axis: number, op: (x4: tf.Tensor4D) => tf.Tensor4D): tf.Tensor {
  const order = x.shape.map((_, i) => i);
  order.splice(axis, 1);
  order.splice(1, 0, axis);
  const moved = axis === 1 ? x : tf.transpose(x, order);
  const [outer, length, ...rest] = moved.shape;
  const inner = rest.reduce((a, b) => a * b, 1);
  const result = op(tf.reshape(moved, [outer, length, 1, inner]) as tf.Tensor4D);
  const restored = tf.reshape(result, [outer, result.shape[1], ...rest]);
  if (axis === 1) return restored;
  const inverse = order.map((_, i) => order.indexOf(i));
  return tf.transpose(restored, inverse);
}

/** Max over a window of `size` at stride 1 along `axis`, wrapping around (length kept). */
export function circularMaxAlongAxis(x: tf.Tensor, axis: number, size: number): tf.Tensor {
  if (size === 1) return x;
  const before = Math.floor((size - 1) / 2);
  const padded = wrapAxis(x, axis, before, size - 1 - before);
  return alongAxis(padded, axis, (x4) => tf.maxPool(x4, [size, 1], 1, 'valid'));
}

/**
 * A normalised 1D filter `taps` along `axis`, wrapping around, then every `stride`-th sample:
 * the output length is ceil(n / stride).
 */
export function circularBlurAlongAxis(x: tf.Tensor, axis: number, taps: number[], stride: number): tf.Tensor {
  const before = Math.floor((taps.length - 1) / 2);
  const padded = wrapAxis(x, axis, before, taps.length - 1 - before);
  return alongAxis(padded, axis, (x4) => {
    const channels = x4.shape[3];
    const kernel = tf.tile(tf.tensor4d(taps, [taps.length, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    return tf.depthwiseConv2d(x4, kernel, [stride, 1], 'valid');
  });
}
