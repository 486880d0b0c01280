// Helpers for the layers library tests: a seeded cpu backend, weight re-drawing, group actions
// on test inputs and the relative error of SPEC section 5.
import * as tf from '@tensorflow/tfjs';

let backendReady: Promise<void> | undefined;

/** The pure-JS cpu backend: deterministic and always available in Node. */
export function useCpuBackend(): Promise<void> {
  backendReady ??= tf.setBackend('cpu').then((ok) => {
    if (!ok) throw new Error('the tfjs cpu backend is not available');
  });
  return backendReady;
}

/** Re-draws every weight (biases too: zero biases can hide a break), N(0, 0.5^2), from `seed`. */
export function redrawWeights(model: tf.LayersModel, seed: number): void {
  const weights = model.getWeights().map((weight, i) => tf.randomNormal(weight.shape, 0, 0.5, 'float32', seed * 101 + i));
  model.setWeights(weights);
  for (const weight of weights) weight.dispose();
}

/** ||a - b|| / max(||b||, 1e-12). */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const difference = tf.norm(tf.sub(a, b)).dataSync()[0];
    const scale = Math.max(tf.norm(b).dataSync()[0], 1e-12);
    return difference / scale;
  });
}

/** Circular shift of `x` by `amount` along `axis` (what the translation group does). */
export function circularShift(x: tf.Tensor, axis: number, amount: number): tf.Tensor {
  return tf.tidy(() => {
    const size = x.shape[axis] as number;
    const k = ((amount % size) + size) % size;
    if (k === 0) return tf.clone(x);
    const begin = x.shape.map(() => 0);
    const tailSize = x.shape.map(() => -1);
    begin[axis] = size - k;
    const head = tf.slice(x, begin, tailSize);
    const restSize = x.shape.map(() => -1);
    restSize[axis] = size - k;
    const rest = tf.slice(x, x.shape.map(() => 0), restSize);
    return tf.concat([head, rest], axis);
  });
}

/** Reorders axis 1 of `x` by `order`. */
export function permuteSet(x: tf.Tensor, order: number[]): tf.Tensor {
  return tf.gather(x, order, 1);
}

/** A deterministic permutation of 0..n-1 from `seed` (Fisher-Yates with a small LCG). */
export function seededPermutation(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = seed * 2654435761 + 1;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export function randomInput(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}
