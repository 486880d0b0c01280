// Transformations of the H-W plane shared by the layers, their tests and GroupAveraging:
// circular padding, rotation by 90 degrees and the mirror flip, on channels-last tensors.
import * as tf from '@tensorflow/tfjs';

/** A pair from a number or a pair (`padding: 1` or `padding: [1, 2]`). */
export function pairOf(value: number | [number, number] | number[] | undefined, fallback: number, what: string): [number, number] {
  const pair = value === undefined ? [fallback, fallback] : typeof value === 'number' ? [value, value] : value;
  if (pair.length !== 2 || !pair.every((entry) => Number.isInteger(entry) && entry >= 0)) {
    throw new Error(`${what} must be a non-negative integer or a pair of them, got ${JSON.stringify(value)}`);
  }
  return [pair[0], pair[1]];
}

/**
 * Wraps `before` rows/columns from the far end and `after` from the near end around `axis`,
 * so the tensor behaves as if it lived on a torus.
 */
export function wrapAxis(x: tf.Tensor, axis: number, before: number, after: number): tf.Tensor {
  if (before === 0 && after === 0) return x;
  const size = x.shape[axis] as number;
  if (before > size || after > size) {
    throw new Error(`circular padding of ${Math.max(before, after)} is larger than the axis (${size})`);
  }
  const parts: tf.Tensor[] = [];
  if (before > 0) parts.push(sliceAxis(x, axis, size - before, before));
  parts.push(x);
  if (after > 0) parts.push(sliceAxis(x, axis, 0, after));
  return tf.concat(parts, axis);
}

function sliceAxis(x: tf.Tensor, axis: number, start: number, length: number): tf.Tensor {
  const begin = x.shape.map(() => 0);
  const size = x.shape.map(() => -1);
  begin[axis] = start;
  size[axis] = length;
  return tf.slice(x, begin, size);
}

/**
 * Rotates the plane spanned by axes `rowAxis` and `rowAxis + 1` by 90 degrees, k times. The
 * same function rotates images ([N,H,W,C], rowAxis 1) and kernels ([k,k,...], rowAxis 0), which
 * is what makes the P4 convolutions' equivariance exact.
 */
export function rotate90(x: tf.Tensor, k: number, rowAxis: number): tf.Tensor {
  const turns = ((k % 4) + 4) % 4;
  let result = x;
  const order = x.shape.map((_, i) => i);
  order[rowAxis] = rowAxis + 1;
  order[rowAxis + 1] = rowAxis;
  for (let i = 0; i < turns; i++) {
    const reversed = tf.reverse(result, rowAxis + 1);
    const next = tf.transpose(reversed, order);
    if (result !== x) result.dispose();
    reversed.dispose();
    result = next;
  }
  return turns === 0 ? tf.clone(x) : result;
}

/** Mirrors the W axis of an image (or the time axis of a sequence). */
export function flipPlane(x: tf.Tensor): tf.Tensor {
  return tf.reverse(x, x.rank >= 4 ? 2 : 1);
}
