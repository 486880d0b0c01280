// BlurPool1D and BlurPool3D: anti-aliased downsampling (Zhang 2019) of sequences [N, T, C] and
// volumes [N, D, H, W, C], the counterparts of BlurPool2D. The binomial blur and the optional
// dense max are separable, so they run one axis at a time; borders wrap around.
import * as tf from '@tensorflow/tfjs';
import { circularBlurAlongAxis, circularMaxAlongAxis } from './axisFilters';
import { binomialRow, positiveInteger } from './downsampling';
import { expectRank, singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';

export interface BlurPoolArgs extends BaseLayerArgs {
  /** Downsampling factor on every spatial axis. Default 2. */
  stride?: number;
  /** Taps of the binomial blur filter (1 to 7). Default 3. */
  filterSize?: number;
  /** A max over a stride-1 window of this size before blurring (MaxBlurPool); 1 = none. Default 1. */
  poolSize?: number;
}

/** The shared body of BlurPool1D and BlurPool3D: `spatialRank` axes after the batch axis. */
abstract class AxisBlurPool extends tf.layers.Layer {
  readonly stride: number;
  readonly filterSize: number;
  readonly poolSize: number;

  constructor(
    args: BlurPoolArgs,
    private readonly layerName: string,
    private readonly spatialRank: number,
    private readonly layout: string,
  ) {
    super(args);
    this.stride = positiveInteger(args.stride, 2, `${layerName} stride`);
    this.filterSize = positiveInteger(args.filterSize, 3, `${layerName} filterSize`);
    this.poolSize = positiveInteger(args.poolSize, 1, `${layerName} poolSize`);
    if (this.filterSize > 7) throw new Error(`${layerName} filterSize must be at most 7, got ${this.filterSize}`);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, this.spatialRank + 2, this.layerName, this.layout);
    return shape.map((size, axis) => (axis === 0 || axis > this.spatialRank || size === null ? size : Math.ceil(size / this.stride)));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      expectRank(x.shape, this.spatialRank + 2, this.layerName, this.layout);
      const row = binomialRow(this.filterSize);
      const total = row.reduce((a, b) => a + b, 0);
      const taps = row.map((value) => value / total);
      let result = x;
      for (let axis = 1; axis <= this.spatialRank; axis++) result = circularMaxAlongAxis(result, axis, this.poolSize);
      for (let axis = 1; axis <= this.spatialRank; axis++) result = circularBlurAlongAxis(result, axis, taps, this.stride);
      return result;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride, filterSize: this.filterSize, poolSize: this.poolSize };
  }
}

/**
 * Anti-aliased downsampling along time: an optional dense max (stride 1), a binomial low-pass
 * filter, then every `stride`-th step. `new BlurPool1D({poolSize: 2, stride: 2})` replaces
 * `maxPooling1d({poolSize: 2})`.
 *
 * Guarantee: exact equivariance only for shifts by multiples of `stride` (when T is a multiple
 * of it); other shifts change the output LESS than under strided pooling, they still change
 * it (measured in docs/layers.md). Borders wrap.
 */
export class BlurPool1D extends AxisBlurPool {
  static className = 'BlurPool1D';
  constructor(args: BlurPoolArgs = {}) {
    super(args, 'BlurPool1D', 1, '[N, T, C]');
  }
}

/**
 * Anti-aliased downsampling of a volume on D, H and W (the same guarantee as BlurPool1D, per
 * axis). `new BlurPool3D({poolSize: 2, stride: 2})` replaces `maxPooling3d({poolSize: 2})`.
 */
export class BlurPool3D extends AxisBlurPool {
  static className = 'BlurPool3D';
  constructor(args: BlurPoolArgs = {}) {
    super(args, 'BlurPool3D', 3, '[N, D, H, W, C]');
  }
}
