// Graph convolution on [X, A] inputs (Kipf & Welling, ICLR 2017): message passing A·X·W,
// equivariant under the joint permutation X -> P·X, A -> P·A·Pᵀ.
import * as tf from '@tensorflow/tfjs';
import { applyActivation, resolveActivation, type ActivationName } from './activations';
import { expectRank, type BaseLayerArgs, type LayerShape } from './layerBase';

export type GraphNormalization = 'symmetric' | 'none';

export interface GraphConvArgs extends BaseLayerArgs {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  /** Adds the identity to the adjacency, so a node keeps its own features (default true). */
  selfLoops?: boolean;
  /** `symmetric` (default): D^-1/2 Â D^-1/2 with the degrees of Â; `none`: Â as given. */
  normalization?: GraphNormalization;
}

function graphShapes(inputShape: LayerShape | LayerShape[]): [LayerShape, LayerShape] {
  if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) {
    throw new Error('GraphConv expects two inputs [X: [N, T, F], A: [N, T, T]]');
  }
  const [features, adjacency] = inputShape as LayerShape[];
  expectRank(features, 3, 'GraphConv', 'X [N, T, F]');
  expectRank(adjacency, 3, 'GraphConv', 'A [N, T, T]');
  return [features, adjacency];
}

/**
 * `[X, A] -> activation(Â' X W + b)`, `[N, T, F], [N, T, T] -> [N, T, units]`, where Â is A
 * (plus the identity with `selfLoops`) and Â' its symmetric normalisation. A node of degree 0
 * gets a zero scale rather than a division by zero.
 *
 * Guarantee: relabelling the nodes (X -> P·X together with A -> P·A·Pᵀ) permutes the output
 * rows the same way, exactly up to float32 rounding. Permuting X alone is not a symmetry.
 */
export class GraphConv extends tf.layers.Layer {
  static className = 'GraphConv';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly selfLoops: boolean;
  readonly normalization: GraphNormalization;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: GraphConvArgs) {
    super(args);
    if (!args || !Number.isInteger(args.units) || args.units < 1) throw new Error(`GraphConv units must be a positive integer, got ${JSON.stringify(args?.units)}`);
    this.units = args.units;
    this.activation = resolveActivation(args.activation, 'GraphConv');
    this.useBias = args.useBias ?? true;
    this.selfLoops = args.selfLoops ?? true;
    this.normalization = args.normalization ?? 'symmetric';
    if (this.normalization !== 'symmetric' && this.normalization !== 'none') {
      throw new Error(`GraphConv normalization must be 'symmetric' or 'none', got ${JSON.stringify(args.normalization)}`);
    }
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const [features] = graphShapes(inputShape);
    if (features[2] === null) throw new Error('GraphConv needs a known number of features');
    this.kernel = this.addWeight('kernel', [features[2], this.units], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const [features] = graphShapes(inputShape);
    return [features[0], features[1], this.units];
  }

  /** Â with self-loops, normalised as configured. */
  private propagation(adjacency: tf.Tensor3D): tf.Tensor3D {
    const t = adjacency.shape[1];
    const withLoops = this.selfLoops ? tf.add(adjacency, tf.eye(t)) : adjacency;
    if (this.normalization === 'none') return withLoops as tf.Tensor3D;
    const degree = tf.sum(withLoops, -1); // [N, T]
    const positive = tf.greater(degree, 0);
    const scale = tf.where(positive, tf.rsqrt(tf.where(positive, degree, tf.onesLike(degree))), tf.zerosLike(degree));
    return tf.mul(tf.mul(tf.expandDims(scale, 2), withLoops), tf.expandDims(scale, 1)) as tf.Tensor3D;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('GraphConv expects two inputs [X, A]');
      const [x, adjacency] = inputs as [tf.Tensor3D, tf.Tensor3D];
      const [n, t, f] = x.shape;
      const transformed = tf.reshape(tf.matMul(tf.reshape(x, [n * t, f]) as tf.Tensor2D, (this.kernel as tf.LayerVariable).read() as tf.Tensor2D), [n, t, this.units]) as tf.Tensor3D;
      let y: tf.Tensor = tf.matMul(this.propagation(adjacency), transformed);
      if (this.bias) y = tf.add(y, this.bias.read());
      return applyActivation(this.activation, y);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      selfLoops: this.selfLoops,
      normalization: this.normalization,
    };
  }
}
