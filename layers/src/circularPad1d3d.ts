// CircularPad1D and CircularPad3D: wrap-around padding of sequences [N, T, C] and volumes
// [N, D, H, W, C], the 1D and 3D counterparts of CircularPad2D, so a following 'valid'
// conv1d or conv3d commutes exactly with circular shifts.
import * as tf from '@tensorflow/tfjs';
import { expectRank, singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';
import { wrapAxis } from './planeTransforms';

/** One non-negative integer per axis, from a number or a list of `rank` numbers. */
function paddingPerAxis(value: number | number[] | undefined, rank: number, what: string): number[] {
  const list = value === undefined ? new Array<number>(rank).fill(1) : typeof value === 'number' ? new Array<number>(rank).fill(value) : value;
  if (list.length !== rank || !list.every((entry) => Number.isInteger(entry) && entry >= 0)) {
    throw new Error(`${what} must be a non-negative integer${rank > 1 ? ` or a list of ${rank} of them` : ''}, got ${JSON.stringify(value)}`);
  }
  return [...list];
}

function paddedShape(shape: LayerShape, padding: number[]): LayerShape {
  return shape.map((size, axis) => (axis === 0 || axis > padding.length || size === null ? size : size + 2 * padding[axis - 1]));
}

function wrapSpatialAxes(x: tf.Tensor, padding: number[]): tf.Tensor {
  return padding.reduce((result, pad, index) => wrapAxis(result, index + 1, pad, pad), x);
}

export interface CircularPad1DArgs extends BaseLayerArgs {
  /** Steps added at each end of the time axis. Default 1. */
  padding?: number;
}

/**
 * Circular (wrap-around) padding of the time axis of a `[N, T, C]` tensor.
 *
 * Guarantee: `CircularPad1D({padding: p})` followed by a `'valid'` conv1d with a kernel of at
 * most `2p + 1` gives an output of the input's length that is exactly equivariant to circular
 * shifts in time (to float32 rounding). Zero padding (`'same'`) is only approximately so.
 */
export class CircularPad1D extends tf.layers.Layer {
  static className = 'CircularPad1D';
  readonly padding: number;

  constructor(args: CircularPad1DArgs = {}) {
    super(args);
    this.padding = paddingPerAxis(args.padding, 1, 'CircularPad1D padding')[0];
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 3, 'CircularPad1D', '[N, T, C]');
    return paddedShape(shape, [this.padding]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      expectRank(x.shape, 3, 'CircularPad1D', '[N, T, C]');
      return wrapSpatialAxes(x, [this.padding]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

export interface CircularPad3DArgs extends BaseLayerArgs {
  /** Steps added on each side: one number, or [depth, rows, columns]. Default 1. */
  padding?: number | [number, number, number];
}

/**
 * Circular (wrap-around) padding of the D, H and W axes of an `[N, D, H, W, C]` tensor.
 *
 * Guarantee: `CircularPad3D({padding: p})` followed by a `'valid'` conv3d with a kernel of at
 * most `2p + 1` on each axis is exactly equivariant to circular shifts of the volume.
 */
export class CircularPad3D extends tf.layers.Layer {
  static className = 'CircularPad3D';
  readonly padding: [number, number, number];

  constructor(args: CircularPad3DArgs = {}) {
    super(args);
    this.padding = paddingPerAxis(args.padding, 3, 'CircularPad3D padding') as [number, number, number];
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 5, 'CircularPad3D', '[N, D, H, W, C]');
    return paddedShape(shape, this.padding);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      expectRank(x.shape, 5, 'CircularPad3D', '[N, D, H, W, C]');
      return wrapSpatialAxes(x, this.padding);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: [...this.padding] };
  }
}
