// Shift-aware downsampling: BlurPool2D (anti-aliasing, Zhang 2019) and PolyphasePool2D
// (adaptive polyphase sampling, Chaman & Dokmanic 2021). Both wrap around the borders, so a
// circular shift of the input is a circular shift of the padded signal too.
import * as tf from '@tensorflow/tfjs';
import { expectRank, singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';
import { wrapAxis } from './planeTransforms';

export function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < 1) throw new Error(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return result;
}

/** Max over a `size` x `size` window at stride 1, wrapping around the borders (size kept). */
function circularMaxWindow(x: tf.Tensor4D, size: number): tf.Tensor4D {
  if (size === 1) return x;
  const before = Math.floor((size - 1) / 2);
  const after = size - 1 - before;
  const padded = wrapAxis(wrapAxis(x, 1, before, after), 2, before, after) as tf.Tensor4D;
  return tf.maxPool(padded, size, 1, 'valid');
}

/** Binomial coefficients of a filter of `size` taps: [1,1], [1,2,1], [1,3,3,1], ... */
export function binomialRow(size: number): number[] {
  let row = [1];
  for (let i = 1; i < size; i++) row = [...row, 0].map((value, j) => value + (j > 0 ? row[j - 1] : 0));
  return row;
}

export interface BlurPool2DArgs extends BaseLayerArgs {
  /** Downsampling factor on H and W. Default 2. */
  stride?: number;
  /** Taps of the binomial blur filter (1 to 7). Default 3. */
  filterSize?: number;
  /** A max over a stride-1 window of this size before blurring (MaxBlurPool); 1 = none. Default 1. */
  poolSize?: number;
}

/**
 * Anti-aliased downsampling (Zhang, "Making Convolutional Networks Shift-Invariant Again",
 * ICML 2019): an optional dense max (stride 1), a binomial low-pass filter, then subsampling.
 * `new BlurPool2D({poolSize: 2, stride: 2})` replaces `maxPooling2d({poolSize: 2})`.
 *
 * Guarantee: exact equivariance only for shifts by multiples of `stride` (as any stride);
 * for other shifts it REDUCES the change of the output, it does not remove it. How much is
 * measured in docs/layers.md. For exact shift invariance use PolyphasePool2D. Borders wrap.
 */
export class BlurPool2D extends tf.layers.Layer {
  static className = 'BlurPool2D';
  readonly stride: number;
  readonly filterSize: number;
  readonly poolSize: number;

  constructor(args: BlurPool2DArgs = {}) {
    super(args);
    this.stride = positiveInteger(args.stride, 2, 'BlurPool2D stride');
    this.filterSize = positiveInteger(args.filterSize, 3, 'BlurPool2D filterSize');
    this.poolSize = positiveInteger(args.poolSize, 1, 'BlurPool2D poolSize');
    if (this.filterSize > 7) throw new Error(`BlurPool2D filterSize must be at most 7, got ${this.filterSize}`);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 4, 'BlurPool2D', '[N, H, W, C]');
    const down = (size: number | null) => (size === null ? null : Math.ceil(size / this.stride));
    return [shape[0], down(shape[1]), down(shape[2]), shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor4D;
      expectRank(x.shape, 4, 'BlurPool2D', '[N, H, W, C]');
      const channels = x.shape[3];
      const pooled = circularMaxWindow(x, this.poolSize);
      const row = binomialRow(this.filterSize);
      const total = row.reduce((a, b) => a + b, 0) ** 2;
      const taps = row.flatMap((a) => row.map((b) => (a * b) / total));
      const kernel = tf.tile(tf.tensor4d(taps, [this.filterSize, this.filterSize, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
      const before = Math.floor((this.filterSize - 1) / 2);
      const after = this.filterSize - 1 - before;
      const padded = wrapAxis(wrapAxis(pooled, 1, before, after), 2, before, after) as tf.Tensor4D;
      return tf.depthwiseConv2d(padded, kernel, this.stride, 'valid');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride, filterSize: this.filterSize, poolSize: this.poolSize };
  }
}

export interface PolyphasePool2DArgs extends BaseLayerArgs {
  /** Downsampling factor on H and W; H and W must be multiples of it. Default 2. */
  stride?: number;
  /** A max over a stride-1 window of this size first (APS after a dense max pool); 1 = none. Default 1. */
  poolSize?: number;
}

/**
 * Adaptive polyphase sampling (Chaman & Dokmanic, "Truly Shift-Invariant Convolutional Neural
 * Networks", CVPR 2021): of the stride x stride polyphase components of the input, keep the
 * one with the largest l2 norm, per example. `new PolyphasePool2D({poolSize: 2, stride: 2})`
 * replaces `maxPooling2d({poolSize: 2})`.
 *
 * Guarantee: a circular shift of the input circularly shifts the output (the selected phase
 * moves with the input), so with circular padding upstream and global pooling downstream the
 * network is exactly invariant to every circular shift, not just multiples of the stride.
 * Exact up to float32 rounding, except for ties between component norms (measure zero).
 */
export class PolyphasePool2D extends tf.layers.Layer {
  static className = 'PolyphasePool2D';
  readonly stride: number;
  readonly poolSize: number;

  constructor(args: PolyphasePool2DArgs = {}) {
    super(args);
    this.stride = positiveInteger(args.stride, 2, 'PolyphasePool2D stride');
    this.poolSize = positiveInteger(args.poolSize, 1, 'PolyphasePool2D poolSize');
  }

  private checkSizes(shape: LayerShape): void {
    for (const size of [shape[1], shape[2]]) {
      if (size !== null && size % this.stride !== 0) {
        throw new Error(`PolyphasePool2D needs H and W divisible by its stride ${this.stride}, got ${shape[1]}x${shape[2]}`);
      }
    }
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 4, 'PolyphasePool2D', '[N, H, W, C]');
    this.checkSizes(shape);
    const down = (size: number | null) => (size === null ? null : size / this.stride);
    return [shape[0], down(shape[1]), down(shape[2]), shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor4D;
      expectRank(x.shape, 4, 'PolyphasePool2D', '[N, H, W, C]');
      this.checkSizes(x.shape);
      const pooled = circularMaxWindow(x, this.poolSize);
      const s = this.stride;
      const [n, h, w, c] = pooled.shape;
      // [N, h/s, s, w/s, s, C] -> [s, s, N, h/s, w/s, C]: component (i, j) is x[:, i::s, j::s].
      const components = tf
        .transpose(tf.reshape(pooled, [n, h / s, s, w / s, s, c]), [2, 4, 0, 1, 3, 5])
        .reshape([s * s, n, h / s, w / s, c]);
      const norms = tf.sum(tf.square(components), [2, 3, 4]); // [s*s, N]
      const chosen = tf.oneHot(tf.argMax(norms, 0), s * s).transpose().reshape([s * s, n, 1, 1, 1]);
      // A 0/1 mask and a sum in which all but one term are zero: the selection is exact.
      return tf.sum(tf.mul(components, chosen), 0);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride, poolSize: this.poolSize };
  }
}
