// Custom layers as public tfjs code writes them (held-out set d, docs/benchmarks.md): the
// bookkeeping call of tfjs's custom-layer example, training-only branches on kwargs, Math
// constants, sizes read from tensors computed in call(), a causal mask made in the
// constructor, a layer that returns the positions of its input for an embedding, and layers
// that return several tensors or wrap an embedding sublayer.
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../server/src/engine';
import { describeState } from '../../server/src/analysis/symmetry';

const HEADER = `import * as tf from '@tensorflow/tfjs';\n`;

/** A model on a sequence [12, 6] of features applying `layer`, declared with `declaration`. */
function sequenceModel(declaration: string, classes: string, layer: string): string {
  return `${HEADER}${classes}
/** @symmetry ${declaration} */
export function buildModel() {
  const steps = tf.input({ shape: [12, 6] });
  const mixed = ${layer}.apply(steps);
  return tf.model({ inputs: steps, outputs: mixed });
}
`;
}

function analyse(code: string) {
  const analysis = analyzeText('/virtual/realIdioms.ts', code);
  const model = analysis.models[0];
  return {
    model,
    rules: analysis.findings.map((finding) => finding.ruleId),
    messages: analysis.findings.map((finding) => finding.message),
    lines: analysis.findings.map((finding) => finding.line + 1),
    stateAfter: (kind: string) => {
      const layer = model.graph.layers.find((l) => l.kind === kind);
      assert.ok(layer, `${kind} is in the graph`);
      return describeState(model.inferences[0].layerStates[layer!.id]);
    },
  };
}

/** Self-attention without positions: heads split from sizes read off the projected tensor. */
const ATTENTION = `
class Mixer extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.heads = 2;
  }
  build(inputShape) {
    const width = inputShape[inputShape.length - 1];
    this.project = this.addWeight('project', [width, 3 * width], 'float32', tf.initializers.glorotNormal({}));
  }
  call(input, kwargs) {
    this.invokeCallHook(input, kwargs);
    const x = Array.isArray(input) ? input[0] : input;
    const [q, k, v] = tf.split(tf.matMul(x, this.project.read()), 3, -1);
    const [B, T, C] = k.shape;
    const split = (t) => tf.transpose(tf.reshape(t, [B, T, this.heads, C / this.heads]), [0, 2, 1, 3]);
    let scores = tf.mul(tf.matMul(split(q), split(k), false, true), tf.div(1, tf.sqrt(tf.cast(k.shape[k.shape.length - 1], 'float32'))));
    scores = tf.softmax(scores, -1);
    scores = kwargs['training'] ? tf.dropout(scores, 0.1) : scores;
    const mixed = tf.transpose(tf.matMul(scores, split(v)), [0, 2, 1, 3]);
    return tf.reshape(mixed, [B, T, C]);
  }
  static get className() { return 'Mixer'; }
}
`;

describe('custom layers as real code writes them', () => {
  it('reads call() past this.invokeCallHook, kwargs.training and sizes taken from a computed tensor', () => {
    const result = analyse(sequenceModel('equivariant permutation', ATTENTION, 'new Mixer({})'));
    assert.deepEqual(result.rules, []);
    assert.equal(result.stateAfter('Mixer'), 'exact');
  });

  it('still breaks when the same heads are merged over the sequence axis', () => {
    // Merging T into the features: the sizes read from k.shape say where T goes.
    const merged = ATTENTION.replace('return tf.reshape(mixed, [B, T, C]);', 'return tf.reshape(mixed, [B, T * C]);');
    const result = analyse(sequenceModel('equivariant permutation', merged, 'new Mixer({})'));
    assert.match(result.stateAfter('Mixer'), /^flattened/);
  });

  it('reads Math constants as numbers (the tanh form of GELU is pointwise)', () => {
    const gelu = `
class Gelu extends tf.layers.Layer {
  call(input) {
    const x = Array.isArray(input) ? input[0] : input;
    const inner = tf.mul(tf.sqrt(tf.div(2, Math.PI)), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(x, tf.mul(0.5, tf.add(1, tf.tanh(inner))));
  }
  static get className() { return 'Gelu'; }
}
`;
    const result = analyse(sequenceModel('equivariant permutation', gelu, 'new Gelu({})'));
    assert.deepEqual(result.rules, []);
    assert.equal(result.stateAfter('Gelu'), 'exact');
  });

  it('finds a causal mask the constructor builds with tf.linalg.bandPart, at the layer', () => {
    const masked = ATTENTION.replace("this.heads = 2;", 'this.heads = 2;\n    this.mask = tf.linalg.bandPart(tf.ones([config.length, config.length]), -1, 0);').replace(
      'scores = tf.softmax(scores, -1);',
      'scores = tf.add(scores, tf.mul(tf.sub(1, this.mask.slice([0, 0], [T, T])), -1e9));\n    scores = tf.softmax(scores, -1);',
    );
    const code = sequenceModel('equivariant permutation', masked, 'new Mixer({ length: 12 })');
    const result = analyse(code);
    assert.deepEqual(result.rules, ['positional-encoding']);
    assert.equal(result.lines[0], code.split('\n').findIndex((line) => line.includes('new Mixer({ length: 12 })')) + 1);
  });

  it('a layer returning tf.range of its input length, embedded and added, is a positional term', () => {
    const code = `${HEADER}
const Positions = (config) => new Positions_(config);
class Positions_ extends tf.layers.Layer {
  computeOutputShape(shape) { return shape; }
  call(input, kwargs) {
    this.invokeCallHook(input, kwargs);
    const x = Array.isArray(input) ? input[0] : input;
    const [, T] = x.shape;
    return tf.reshape(tf.range(0, T, 1, 'int32'), [1, T]);
  }
  static get className() { return 'Positions'; }
}
/** @symmetry equivariant permutation */
export function buildLanguageModel() {
  const tokens = tf.input({ shape: [null] });
  const words = tf.layers.embedding({ inputDim: 50, outputDim: 8 }).apply(tokens);
  const where = tf.layers.embedding({ inputDim: 16, outputDim: 8 }).apply(Positions().apply(tokens));
  const summed = tf.layers.add().apply([words, where]);
  return tf.model({ inputs: tokens, outputs: tf.layers.dense({ units: 50 }).apply(summed) });
}
`;
    const result = analyse(code);
    assert.deepEqual(result.rules, ['positional-encoding']);
    assert.equal(result.lines[0], code.split('\n').findIndex((line) => line.includes('new Positions_(config)')) + 1);
    // With the tokens themselves in place of their positions, nothing is tied to positions.
    const plain = analyse(code.replace('Positions().apply(tokens)', 'tokens'));
    assert.deepEqual(plain.rules, []);
  });

  it('gives each output of a layer returning several tensors its own application, and keeps the layers after it', () => {
    const code = `${HEADER}
class Lookup extends tf.layers.Layer {
  static MODE_SCALED = 'scaled';
  constructor(vocabulary, width, mode, config) {
    super(config);
    this.mode = mode;
    this.table = tf.layers.embedding({ inputDim: vocabulary, outputDim: width });
  }
  build(inputShape) {
    this.table.build(inputShape);
  }
  call(input) {
    const looked = this.table.call(input);
    const scaled = this.mode == Lookup.MODE_SCALED ? tf.mul(looked, 2) : looked;
    return [scaled, this.table.embeddings.val.clone()];
  }
  static get className() { return 'Lookup'; }
}
/** @symmetry equivariant permutation */
export function buildTagger() {
  const tokens = tf.input({ shape: [null] });
  let lookup = new Lookup(40, 8, Lookup.MODE_SCALED, {});
  lookup = lookup.apply(tokens);
  const vectors = lookup[0];
  return tf.model({ inputs: tokens, outputs: tf.layers.dense({ units: 3 }).apply(vectors) });
}
`;
    const result = analyse(code);
    // The tokens feed an embedding inside Lookup: token ids, so permutation fits the model.
    assert.deepEqual(result.rules, []);
    assert.deepEqual(result.model.graph.layers.map((layer) => layer.kind), ['Lookup', 'dense']);
    assert.equal(result.stateAfter('dense'), 'exact');
    // The table output (not followed) is a gap of its own application only.
    const table = analyse(code.replace('const vectors = lookup[0];', 'const vectors = tf.layers.add().apply([lookup[0], lookup[1]]);'));
    assert.deepEqual(table.model.graph.layers.map((layer) => layer.kind), ['Lookup', 'Lookup', 'add', 'dense']);
    assert.ok(table.messages.some((message) => /Lookup\.call\(\) returns no tensor/.test(message)), table.messages.join(' | '));
  });

  it('keeps the layers after an unreadable layer that returns several tensors, with the layer as the gap', () => {
    const code = `${HEADER}
class Opaque extends tf.layers.Layer {
  call(input) {
    while (input) { break; }
    return [input, input];
  }
  static get className() { return 'Opaque'; }
}
/** @symmetry invariant translation */
export function buildReader() {
  const steps = tf.input({ shape: [12, 6] });
  const outputs = new Opaque({}).apply(steps);
  const read = tf.layers.lstm({ units: 4 }).apply(outputs[0]);
  return tf.model({ inputs: steps, outputs: read });
}
`;
    const result = analyse(code);
    assert.deepEqual(result.model.graph.layers.map((layer) => layer.kind), ['Opaque', 'lstm']);
    assert.deepEqual(result.rules.sort(), ['analysis-gap', 'order-dependent-layer']);
  });

  it('reads past a guard that throws on bad shapes, and a typeof on a config value', () => {
    const guarded = ATTENTION.replace(
      "const width = inputShape[inputShape.length - 1];",
      "if (!inputShape || inputShape.length < 3) {\n      throw new Error('Mixer needs [batch, steps, features]');\n    }\n    const init = typeof this.init === 'string' ? tf.initializers[this.init]() : this.init;\n    const width = inputShape[inputShape.length - 1];",
    ).replace('this.heads = 2;', "this.heads = 2;\n    this.init = config.init || 'glorotNormal';");
    const result = analyse(sequenceModel('equivariant permutation', guarded, 'new Mixer({})'));
    assert.deepEqual(result.messages, []);
    assert.equal(result.stateAfter('Mixer'), 'exact');
  });
});
