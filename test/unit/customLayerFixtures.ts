// Small models for the rule tables of custom layers with window ops (convolution, pooling,
// resize inside call()) and for class tokens across layers, laid out so that each finding's
// position is known: the custom layer is created on line 8, its name at columns 24-32.
/** Where a finding on the `Windowed` layer of `windowedModel` sits (1-based, end exclusive). */
export const AT_WINDOWED = { line: 8, column: 24, endLine: 8, endColumn: 32 };

/**
 * A model on an input of `shape` applying the custom layer `Windowed` (build() and call() bodies
 * given; `x` is call()'s input), then `after` (an expression of `features`, or the features).
 */
export function windowedModel(declaration: string, shape: string, build: string, call: string, after = 'features'): string {
  return `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry ${declaration}
 */
export function buildModel() {
  const image = tf.input({ shape: ${shape} });
  const features = new Windowed({}).apply(image) as tf.SymbolicTensor;
  const out = ${after} as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: out });
}

class Windowed extends tf.layers.Layer {
  private kernel!: tf.LayerVariable;
  build(inputShape: tf.Shape) {
    ${build}
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    ${call}
  }
}
`;
}

/** A learned `k`x`k` kernel from the input's channels to 4 filters. */
export function kernelWeight(k: number, rank: 1 | 2 = 2): string {
  const spatial = rank === 2 ? `${k}, ${k}` : `${k}`;
  return `this.kernel = this.addWeight('kernel', [${spatial}, inputShape[${rank + 1}] as number, 4], 'float32', tf.initializers.glorotUniform({}));`;
}

/** Where a finding on the `ReadToken` layer of `tokenModel` sits. */
export const AT_READ_TOKEN = { line: 11, column: 21, endLine: 11, endColumn: 30 };

/**
 * A set model: `PrependToken` puts a learned [1, F] token in front of the set (line 8), `Attend`
 * mixes the set by self-attention (twice, with `between` in the middle), and `ReadToken` reads
 * the token back with `read` (an expression of `x`, line 11), then a dense head.
 */
export function tokenModel(declaration: string, read: string, between = ''): string {
  return `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry ${declaration}
 */
export function buildModel() {
  const tokens = tf.input({ shape: [10, 8] });
  const withToken = new PrependToken({}).apply(tokens) as tf.SymbolicTensor;
  let h = new Attend({}).apply(withToken) as tf.SymbolicTensor;
  ${between || '// nothing between the two attention layers'}
  const token = new ReadToken({}).apply(new Attend({}).apply(h)) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.dense({ units: 3 }).apply(token) as tf.SymbolicTensor });
}

class PrependToken extends tf.layers.Layer {
  private cls!: tf.LayerVariable;
  build(inputShape: tf.Shape) {
    this.cls = this.addWeight('cls', [1, 1, inputShape[2] as number], 'float32', tf.initializers.zeros());
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.concat([tf.tile(this.cls.read(), [x.shape[0], 1, 1]), x], 1);
  }
}

class Attend extends tf.layers.Layer {
  private query!: tf.LayerVariable;
  build(inputShape: tf.Shape) {
    this.query = this.addWeight('query', [inputShape[2] as number, inputShape[2] as number], 'float32', tf.initializers.glorotUniform({}));
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const scores = tf.softmax(tf.matMul(tf.dot(x, this.query.read()), x, false, true));
    return tf.add(x, tf.matMul(scores, x));
  }
}

class ReadToken extends tf.layers.Layer {
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return ${read};
  }
}
`;
}
