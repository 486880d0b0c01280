// Multi-head self-attention over sets [N, T, F] without positions (Lee et al., "Set
// Transformer", ICML 2019): permutation equivariant, or invariant with a learned-query pooling.
import * as tf from '@tensorflow/tfjs';
import { expectRank, singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';

export interface SetAttentionArgs extends BaseLayerArgs {
  /** Number of attention heads (default 1). */
  numHeads?: number;
  /** Size of each head's queries, keys and values (default: input features / numHeads, at least 1). */
  keyDim?: number;
  /** Output features (default: the input features). */
  units?: number;
  /** `true`: one learned query attends over the set, `[N, T, F]` -> `[N, units]` (invariant). */
  pooling?: boolean;
  /** Biases on the query, key, value and output projections (default true). */
  useBias?: boolean;
}

function positiveInteger(value: unknown, what: string): void {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`SetAttention ${what} must be a positive integer, got ${JSON.stringify(value)}`);
}

/**
 * `softmax(Q Kᵀ / √keyDim) V`, per head, then an output projection. Q, K and V are the same
 * dense map applied to every element, and nothing depends on an element's position, so
 * permuting the elements permutes the output rows (pooling mode: the output does not change).
 *
 * Guarantee: exact permutation equivariance (invariance with `pooling`), up to float32
 * rounding of the softmax sums.
 */
export class SetAttention extends tf.layers.Layer {
  static className = 'SetAttention';
  readonly numHeads: number;
  readonly keyDim: number | null;
  readonly units: number | null;
  readonly pooling: boolean;
  readonly useBias: boolean;
  private headSize = 0;
  private outputSize = 0;
  private queryKernel?: tf.LayerVariable;
  private keyKernel?: tf.LayerVariable;
  private valueKernel?: tf.LayerVariable;
  private outputKernel?: tf.LayerVariable;
  /** Pooling mode only: the learned query, one row per head. */
  private query?: tf.LayerVariable;
  private biases: Partial<Record<'query' | 'key' | 'value' | 'output', tf.LayerVariable>> = {};

  constructor(args: SetAttentionArgs = {}) {
    super(args);
    this.numHeads = args.numHeads ?? 1;
    positiveInteger(this.numHeads, 'numHeads');
    this.keyDim = args.keyDim ?? null;
    if (this.keyDim !== null) positiveInteger(this.keyDim, 'keyDim');
    this.units = args.units ?? null;
    if (this.units !== null) positiveInteger(this.units, 'units');
    this.pooling = args.pooling ?? false;
    this.useBias = args.useBias ?? true;
  }

  private sizes(shape: LayerShape): { features: number; head: number; out: number } {
    expectRank(shape, 3, 'SetAttention', '[N, T, F]');
    const features = shape[2];
    if (features === null) throw new Error('SetAttention needs a known number of features');
    return { features, head: this.keyDim ?? Math.max(1, Math.floor(features / this.numHeads)), out: this.units ?? features };
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const { features, head, out } = this.sizes(singleShape(inputShape));
    this.headSize = head;
    this.outputSize = out;
    const width = this.numHeads * head;
    const glorot = () => tf.initializers.glorotUniform({});
    if (this.pooling) {
      this.query = this.addWeight('query', [this.numHeads, head], 'float32', glorot());
    } else {
      this.queryKernel = this.addWeight('query_kernel', [features, width], 'float32', glorot());
      if (this.useBias) this.biases.query = this.addWeight('query_bias', [width], 'float32', tf.initializers.zeros());
    }
    this.keyKernel = this.addWeight('key_kernel', [features, width], 'float32', glorot());
    this.valueKernel = this.addWeight('value_kernel', [features, width], 'float32', glorot());
    this.outputKernel = this.addWeight('output_kernel', [width, out], 'float32', glorot());
    if (this.useBias) {
      this.biases.key = this.addWeight('key_bias', [width], 'float32', tf.initializers.zeros());
      this.biases.value = this.addWeight('value_bias', [width], 'float32', tf.initializers.zeros());
      this.biases.output = this.addWeight('output_bias', [out], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    const { out } = this.sizes(shape);
    return this.pooling ? [shape[0], out] : [shape[0], shape[1], out];
  }

  /** The same dense map on every element: [N, T, F] -> [N, heads, T, head]. */
  private perElementHeads(x: tf.Tensor3D, kernel: tf.LayerVariable, bias: tf.LayerVariable | undefined): tf.Tensor4D {
    const [n, t, f] = x.shape;
    let projected: tf.Tensor = tf.matMul(tf.reshape(x, [n * t, f]) as tf.Tensor2D, kernel.read() as tf.Tensor2D);
    if (bias) projected = tf.add(projected, bias.read());
    return tf.transpose(tf.reshape(projected, [n, t, this.numHeads, this.headSize]), [0, 2, 1, 3]) as tf.Tensor4D;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs) as tf.Tensor3D;
      const [n, t] = x.shape;
      const keys = this.perElementHeads(x, this.keyKernel as tf.LayerVariable, this.biases.key);
      const values = this.perElementHeads(x, this.valueKernel as tf.LayerVariable, this.biases.value);
      // Pooling: one query per head, shared by every set, [N, heads, 1, head].
      const queries = this.pooling
        ? (tf.tile(tf.reshape((this.query as tf.LayerVariable).read(), [1, this.numHeads, 1, this.headSize]), [n, 1, 1, 1]) as tf.Tensor4D)
        : this.perElementHeads(x, this.queryKernel as tf.LayerVariable, this.biases.query);
      const scores = tf.div(tf.matMul(queries, keys, false, true), Math.sqrt(this.headSize));
      const attended = tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, values); // [N, heads, T or 1, head]
      const rows = this.pooling ? 1 : t;
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [n * rows, this.numHeads * this.headSize]) as tf.Tensor2D;
      let y: tf.Tensor = tf.matMul(merged, (this.outputKernel as tf.LayerVariable).read() as tf.Tensor2D);
      if (this.biases.output) y = tf.add(y, this.biases.output.read());
      return this.pooling ? y : tf.reshape(y, [n, t, this.outputSize]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, units: this.units, pooling: this.pooling, useBias: this.useBias };
  }
}
