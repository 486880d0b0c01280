// The same kind of token classifier, with the position terms a language model would use. On a
// set they break permutation invariance: each is reported where the model creates the layer,
// with related information pointing at the op in call() (and at the addWeight in build()).
// The masked attention is one class used twice: with `causal: false` it is exact, with
// `causal: true` (passed through the helper) the causal mask ties each token to its position.
import * as tf from '@tensorflow/tfjs';

/** A learned vector per position, added to the tokens: [T, F] lines up with the set axis. */
class LearnedPositions extends tf.layers.Layer {
  static className = 'LearnedPositions';
  private table!: tf.LayerVariable;

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.table = this.addWeight('positions', [shape[1] as number, shape[2] as number], 'float32', tf.initializers.randomNormal({ stddev: 0.02 }));
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.add(x, this.table.read());
  }
}

/** Sine and cosine of position times frequency, as in the original transformer. */
class SinusoidalPositions extends tf.layers.Layer {
  static className = 'SinusoidalPositions';

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [, length, width] = x.shape;
      const positions = tf.expandDims(tf.range(0, length as number), 1);
      const frequencies = tf.expandDims(tf.exp(tf.mul(tf.range(0, (width as number) / 2), -Math.log(10000) / ((width as number) / 2))), 0);
      const angles = tf.mul(positions, frequencies);
      return tf.add(x, tf.concat([tf.sin(angles), tf.cos(angles)], 1));
    });
  }
}

/** Single-head attention; `causal` hides the tokens after each one with a band mask. */
class MaskedAttention extends tf.layers.Layer {
  static className = 'MaskedAttention';
  private readonly causal: boolean;
  private query!: tf.LayerVariable;
  private key!: tf.LayerVariable;

  constructor(config: { causal: boolean }) {
    super({});
    this.causal = config.causal;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const width = shape[shape.length - 1] as number;
    this.query = this.addWeight('query', [width, width], 'float32', tf.initializers.glorotUniform({}));
    this.key = this.addWeight('key', [width, width], 'float32', tf.initializers.glorotUniform({}));
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [batch, length, width] = x.shape;
      // Per-token projections, as rows of [N*T, F] times a weight.
      const rows = tf.reshape(x, [-1, width]);
      const q = tf.reshape(tf.matMul(rows, this.query.read()), [batch, length, width]);
      const k = tf.reshape(tf.matMul(rows, this.key.read()), [batch, length, width]);
      let scores = tf.matMul(q, k, false, true);
      if (this.causal) {
        const hidden = tf.sub(1, tf.linalg.bandPart(tf.ones([length, length]), -1, 0));
        scores = tf.sub(scores, tf.mul(hidden, 1e9));
      }
      return tf.matMul(tf.softmax(scores, -1), x);
    });
  }
}

function attend(x: tf.SymbolicTensor, causal: boolean): tf.SymbolicTensor {
  return new MaskedAttention({ causal }).apply(x) as tf.SymbolicTensor; // expect: positional-encoding
}

function classify(x: tf.SymbolicTensor): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling1d({}).apply(x) as tf.SymbolicTensor;
  return tf.layers.dense({ units: 4, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
}

/** @symmetry invariant permutation */
export function buildLearnedPositionClassifier(): tf.LayersModel {
  const tokens = tf.input({ shape: [16, 24] });
  const placed = new LearnedPositions({}).apply(tokens) as tf.SymbolicTensor; // expect: positional-encoding
  return tf.model({ inputs: tokens, outputs: classify(attend(placed, false)) });
}

/** @symmetry invariant permutation */
export function buildSinusoidalClassifier(): tf.LayersModel {
  const tokens = tf.input({ shape: [16, 24] });
  const placed = new SinusoidalPositions({}).apply(tokens) as tf.SymbolicTensor; // expect: positional-encoding
  return tf.model({ inputs: tokens, outputs: classify(attend(placed, false)) });
}

/** @symmetry invariant permutation */
export function buildCausalClassifier(): tf.LayersModel {
  const tokens = tf.input({ shape: [16, 24] });
  return tf.model({ inputs: tokens, outputs: classify(attend(tokens, true)) });
}

/** Without positions the same attention keeps the symmetry. */
/** @symmetry invariant permutation */
export function buildUnorderedClassifier(): tf.LayersModel {
  const tokens = tf.input({ shape: [16, 24] });
  return tf.model({ inputs: tokens, outputs: classify(attend(tokens, false)) });
}
