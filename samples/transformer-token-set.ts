// A transformer encoder that classifies a bag of tokens (a shopping basket: the order the items
// were scanned in carries no meaning). The attention block is a custom layer written with tf
// ops: per-token projections, scaled dot-product scores, softmax, and heads split and merged
// with reshape and transpose. Nothing in it depends on where a token sits, so the encoder is
// permutation equivariant and the mean over the tokens makes the classifier invariant: no
// findings.
import * as tf from '@tensorflow/tfjs';

/** Multi-head self-attention over axis 1, without any positional term. */
export class BasketAttention extends tf.layers.Layer {
  static className = 'BasketAttention';
  private readonly heads: number;
  private readonly headSize: number;
  private query!: tf.LayerVariable;
  private key!: tf.LayerVariable;
  private value!: tf.LayerVariable;
  private mix!: tf.LayerVariable;

  constructor(config: { heads: number; headSize: number }) {
    super({});
    this.heads = config.heads;
    this.headSize = config.headSize;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const width = shape[shape.length - 1] as number;
    const inner = this.heads * this.headSize;
    this.query = this.addWeight('query', [width, inner], 'float32', tf.initializers.glorotUniform({}));
    this.key = this.addWeight('key', [width, inner], 'float32', tf.initializers.glorotUniform({}));
    this.value = this.addWeight('value', [width, inner], 'float32', tf.initializers.glorotUniform({}));
    this.mix = this.addWeight('mix', [inner, width], 'float32', tf.initializers.glorotUniform({}));
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /** [N, T, H*D] -> [N, H, T, D]. */
  private splitHeads(x: tf.Tensor, batch: number, tokens: number): tf.Tensor {
    return tf.transpose(tf.reshape(x, [batch, tokens, this.heads, this.headSize]), [0, 2, 1, 3]);
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [batch, tokens, width] = x.shape;
      // Per-token projections: rows of [N*T, F] times a weight on the features.
      const rows = tf.reshape(x, [-1, width]);
      const q = this.splitHeads(tf.reshape(tf.matMul(rows, this.query.read()), [batch, tokens, -1]), batch, tokens);
      const k = this.splitHeads(tf.reshape(tf.matMul(rows, this.key.read()), [batch, tokens, -1]), batch, tokens);
      const v = this.splitHeads(tf.reshape(tf.matMul(rows, this.value.read()), [batch, tokens, -1]), batch, tokens);
      const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(this.headSize));
      const attended = tf.matMul(tf.softmax(scores, -1), v);
      const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [-1, this.heads * this.headSize]);
      return tf.reshape(tf.matMul(merged, this.mix.read()), [batch, tokens, width]);
    });
  }
}

/** One encoder block: attention and a per-token feed-forward net, each with a residual and a norm. */
function encoderBlock(x: tf.SymbolicTensor, width: number): tf.SymbolicTensor {
  const attended = new BasketAttention({ heads: 4, headSize: width / 4 }).apply(x) as tf.SymbolicTensor;
  const normed = tf.layers.layerNormalization({}).apply(tf.layers.add().apply([x, attended])) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 2 * width, activation: 'relu' }).apply(normed) as tf.SymbolicTensor;
  const back = tf.layers.dense({ units: width }).apply(hidden) as tf.SymbolicTensor;
  return tf.layers.layerNormalization({}).apply(tf.layers.add().apply([normed, back])) as tf.SymbolicTensor;
}

/**
 * Predicts the category of a basket of up to 20 items from a catalogue of 500.
 *
 * @symmetry invariant permutation
 */
export function buildBasketClassifier(): tf.LayersModel {
  const items = tf.input({ shape: [20], dtype: 'int32' });
  let x = tf.layers.embedding({ inputDim: 500, outputDim: 32 }).apply(items) as tf.SymbolicTensor;
  x = encoderBlock(x, 32);
  x = encoderBlock(x, 32);
  const pooled = tf.layers.globalAveragePooling1d({}).apply(x) as tf.SymbolicTensor;
  const classes = tf.layers.dense({ units: 6, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: items, outputs: classes });
}
