// DeepSets layers (Zaheer et al., "Deep Sets", NeurIPS 2017) for sets stored as [N, T, F]:
// a permutation-equivariant layer and a permutation-invariant pooling over the set axis.
import * as tf from '@tensorflow/tfjs';
import { applyActivation, resolveActivation, type ActivationName } from './activations';
import { expectRank, singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';

export type SetReduction = 'mean' | 'sum' | 'max';

function checkReduction(value: string | undefined, allowed: readonly SetReduction[], layer: string): SetReduction {
  const reduction = (value ?? 'mean') as SetReduction;
  if (!allowed.includes(reduction)) throw new Error(`${layer} reduction must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return reduction;
}

function reduceSet(x: tf.Tensor, reduction: SetReduction, keepDims: boolean): tf.Tensor {
  switch (reduction) {
    case 'mean':
      return tf.mean(x, 1, keepDims);
    case 'sum':
      return tf.sum(x, 1, keepDims);
    case 'max':
      return tf.max(x, 1, keepDims);
  }
}

export interface SetDenseArgs extends BaseLayerArgs {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  /** How the set context is pooled: `mean` (default) or `sum`. */
  reduction?: 'mean' | 'sum';
}

/**
 * Permutation-equivariant dense layer on sets `[N, T, F]` -> `[N, T, units]`:
 * `y_i = activation(x_i W + pool_j(x_j) G + b)`, the same weights for every element.
 *
 * Guarantee: permuting the elements of the input permutes the output rows the same way,
 * exactly (float32 rounding of the pooled sum). Zaheer et al., "Deep Sets", NeurIPS 2017.
 */
export class SetDense extends tf.layers.Layer {
  static className = 'SetDense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly reduction: 'mean' | 'sum';
  private kernel?: tf.LayerVariable;
  private contextKernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: SetDenseArgs) {
    super(args);
    if (!args || !Number.isInteger(args.units) || args.units < 1) throw new Error(`SetDense units must be a positive integer, got ${JSON.stringify(args?.units)}`);
    this.units = args.units;
    this.activation = resolveActivation(args.activation, 'SetDense');
    this.useBias = args.useBias ?? true;
    this.reduction = checkReduction(args.reduction, ['mean', 'sum'], 'SetDense') as 'mean' | 'sum';
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = singleShape(inputShape);
    expectRank(shape, 3, 'SetDense', '[N, T, F]');
    const features = shape[2];
    if (features === null) throw new Error('SetDense needs a known number of features');
    this.kernel = this.addWeight('kernel', [features, this.units], 'float32', tf.initializers.glorotUniform({}));
    this.contextKernel = this.addWeight('context_kernel', [features, this.units], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 3, 'SetDense', '[N, T, F]');
    return [shape[0], shape[1], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor3D;
      const [n, t, f] = x.shape;
      const own = tf.reshape(tf.matMul(tf.reshape(x, [n * t, f]), (this.kernel as tf.LayerVariable).read() as tf.Tensor2D), [n, t, this.units]);
      const pooled = reduceSet(x, this.reduction, false) as tf.Tensor2D;
      const context = tf.expandDims(tf.matMul(pooled, (this.contextKernel as tf.LayerVariable).read() as tf.Tensor2D), 1);
      let y: tf.Tensor = tf.add(own, context);
      if (this.bias) y = tf.add(y, this.bias.read());
      return applyActivation(this.activation, y);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias, reduction: this.reduction };
  }
}

export interface SetPoolArgs extends BaseLayerArgs {
  /** `mean` (default), `sum` or `max` over the set axis. */
  reduction?: SetReduction;
}

/**
 * Permutation-invariant pooling over the set axis: `[N, T, F]` -> `[N, F]`.
 *
 * Guarantee: the output does not depend on the order of the elements, exactly (float32
 * rounding for mean and sum; max is exact). Zaheer et al., "Deep Sets", NeurIPS 2017.
 */
export class SetPool extends tf.layers.Layer {
  static className = 'SetPool';
  readonly reduction: SetReduction;

  constructor(args: SetPoolArgs = {}) {
    super(args);
    this.reduction = checkReduction(args.reduction, ['mean', 'sum', 'max'], 'SetPool');
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 3, 'SetPool', '[N, T, F]');
    return [shape[0], shape[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => reduceSet(singleTensor(inputs), this.reduction, false));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), reduction: this.reduction };
  }
}
