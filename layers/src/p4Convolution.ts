// Group convolutions on p4, the group of translations and rotations by 90 degrees (Cohen &
// Welling, "Group Equivariant Convolutional Networks", ICML 2016): a lifting convolution from
// images to rotation-indexed feature maps, a group convolution between those, and pooling
// over the rotations. Channels are laid out rotation-major: channel r * filters + f.
import * as tf from '@tensorflow/tfjs';
import { applyActivation, resolveActivation, type ActivationName } from './activations';
import { expectRank, singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';
import { rotate90, pairOf } from './planeTransforms';

export interface P4ConvArgs extends BaseLayerArgs {
  /** Filters per rotation: the output has 4 * filters channels. */
  filters: number;
  /** Square, odd kernel (an even kernel has no centre pixel to rotate about). */
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'same' | 'valid';
  activation?: ActivationName;
  useBias?: boolean;
}

function convOutputLength(size: number | null, kernel: number, stride: number, padding: 'same' | 'valid'): number | null {
  if (size === null) return null;
  return padding === 'same' ? Math.ceil(size / stride) : Math.ceil((size - kernel + 1) / stride);
}

/** The parts shared by the lifting and the group convolution. */
abstract class P4ConvolutionBase extends tf.layers.Layer {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'same' | 'valid';
  readonly activation: ActivationName;
  readonly useBias: boolean;
  protected kernel?: tf.LayerVariable;
  protected bias?: tf.LayerVariable;

  constructor(args: P4ConvArgs, layer: string) {
    super(args);
    if (!Number.isInteger(args.filters) || args.filters < 1) throw new Error(`${layer} filters must be a positive integer, got ${JSON.stringify(args.filters)}`);
    const [kh, kw] = pairOf(args.kernelSize, 3, `${layer} kernelSize`);
    if (kh !== kw || kh % 2 === 0) throw new Error(`${layer} needs a square, odd kernel (rotations turn it about its centre pixel), got ${kh}x${kw}`);
    const [sh, sw] = pairOf(args.strides, 1, `${layer} strides`);
    if (sh !== sw || sh < 1) throw new Error(`${layer} needs equal, positive strides on H and W, got ${sh}x${sw}`);
    const padding = args.padding ?? 'same';
    if (padding !== 'same' && padding !== 'valid') throw new Error(`${layer} padding must be 'same' or 'valid', got ${JSON.stringify(padding)}`);
    this.filters = args.filters;
    this.kernelSize = kh;
    this.strides = sh;
    this.padding = padding;
    this.activation = resolveActivation(args.activation, layer);
    this.useBias = args.useBias ?? true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 4, this.getClassName(), '[N, H, W, C]');
    const length = (size: number | null) => convOutputLength(size, this.kernelSize, this.strides, this.padding);
    return [shape[0], length(shape[1]), length(shape[2]), 4 * this.filters];
  }

  /** The full [k, k, inChannels, 4 * filters] kernel of one ordinary convolution. */
  protected abstract expandedKernel(): tf.Tensor4D;

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(x, this.expandedKernel(), this.strides, this.padding);
      // One bias per filter, shared by its 4 rotations: a bias per rotation would break the symmetry.
      if (this.bias) y = tf.add(y, tf.tile(this.bias.read(), [4]));
      return applyActivation(this.activation, y);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}

/**
 * Lifting convolution Z^2 -> p4: the kernel applied in its 4 rotations.
 * Input `[N, H, W, C]`, output `[N, H', W', 4 * filters]`.
 *
 * Guarantee: rotating the input by 90 degrees rotates each output map by 90 degrees and
 * cyclically shifts the 4 rotation blocks by one, exactly (float32 rounding), when the
 * sampled grid maps onto itself (stride 1, or odd sizes under stride 2 'same').
 * Cohen & Welling, "Group Equivariant Convolutional Networks", ICML 2016.
 */
export class P4ConvLifting2D extends P4ConvolutionBase {
  static className = 'P4ConvLifting2D';

  constructor(args: P4ConvArgs) {
    super(args, 'P4ConvLifting2D');
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = singleShape(inputShape);
    expectRank(shape, 4, 'P4ConvLifting2D', '[N, H, W, C]');
    const channels = shape[3];
    if (channels === null) throw new Error('P4ConvLifting2D needs a known number of input channels');
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, channels, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  protected expandedKernel(): tf.Tensor4D {
    const kernel = (this.kernel as tf.LayerVariable).read();
    return tf.concat([0, 1, 2, 3].map((r) => rotate90(kernel, r, 0)), 3) as tf.Tensor4D;
  }
}

/**
 * Group convolution p4 -> p4. Input `[N, H, W, 4 * C]` (rotation-major blocks, as a lifting
 * convolution or another P4Conv2D produces), output `[N, H', W', 4 * filters]`.
 *
 * Guarantee: the same as P4ConvLifting2D, for inputs that transform as p4 feature maps.
 * Cohen & Welling, ICML 2016.
 */
export class P4Conv2D extends P4ConvolutionBase {
  static className = 'P4Conv2D';

  constructor(args: P4ConvArgs) {
    super(args, 'P4Conv2D');
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = singleShape(inputShape);
    expectRank(shape, 4, 'P4Conv2D', '[N, H, W, 4 * C]');
    const channels = shape[3];
    if (channels === null || channels % 4 !== 0) {
      throw new Error(`P4Conv2D needs 4 * C input channels (a P4ConvLifting2D or P4Conv2D before it), got ${channels}`);
    }
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, 4, channels / 4, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  protected expandedKernel(): tf.Tensor4D {
    const kernel = (this.kernel as tf.LayerVariable).read();
    const byRotation = tf.unstack(kernel, 2); // 4 x [k, k, C, F], indexed by relative rotation
    // Output rotation r reads input block s through the kernel of relative rotation s - r,
    // turned r times: the filter is transported along the group.
    const blocks = [0, 1, 2, 3].map((r) =>
      tf.concat([0, 1, 2, 3].map((s) => rotate90(byRotation[(s - r + 4) % 4], r, 0)), 2),
    );
    return tf.concat(blocks, 3) as tf.Tensor4D;
  }
}

export interface P4GroupPoolArgs extends BaseLayerArgs {
  /** `max` (default) or `mean` over the 4 rotations. `mean` is odd (sign group), `max` is not. */
  reduction?: 'max' | 'mean';
}

/**
 * Pools a p4 feature map over its 4 rotations: `[N, H, W, 4 * F]` -> `[N, H, W, F]`.
 *
 * Guarantee: the output of P4 convolutions then P4GroupPool rotates with the input
 * (equivariant); a global spatial pooling after it makes the network exactly invariant to
 * rotations by 90 degrees. Cohen & Welling, ICML 2016.
 */
export class P4GroupPool extends tf.layers.Layer {
  static className = 'P4GroupPool';
  readonly reduction: 'max' | 'mean';

  constructor(args: P4GroupPoolArgs = {}) {
    super(args);
    const reduction = args.reduction ?? 'max';
    if (reduction !== 'max' && reduction !== 'mean') throw new Error(`P4GroupPool reduction must be 'max' or 'mean', got ${JSON.stringify(reduction)}`);
    this.reduction = reduction;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 4, 'P4GroupPool', '[N, H, W, 4 * F]');
    const channels = shape[3];
    if (channels !== null && channels % 4 !== 0) throw new Error(`P4GroupPool needs 4 * F channels, got ${channels}`);
    return [shape[0], shape[1], shape[2], channels === null ? null : channels / 4];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      const [n, h, w, c] = x.shape as number[];
      const blocks = tf.reshape(x, [n, h, w, 4, c / 4]);
      return this.reduction === 'max' ? tf.max(blocks, 3) : tf.mean(blocks, 3);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), reduction: this.reduction };
  }
}
