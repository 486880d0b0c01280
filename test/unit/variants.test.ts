// Architecture variants (SPEC 4): every feasible path through decisions on values not known
// statically is its own model graph, named by the decisions that tell it apart. The fixtures
// are written for these tests; each idiom is one the public model code we read uses.
import { strict as assert } from 'node:assert';
import type { ModelGraph } from '../../server/src/analysis/graph';
import { MAX_VARIANTS } from '../../server/src/analysis/extraction/variants';
import { extract, kinds, spanText } from '../fixtures/extraction/harness';

function variantsOf(models: ModelGraph[], name: string): [string | undefined, string[]][] {
  return models.filter((graph) => graph.name === name).map((graph) => [graph.variant, kinds(graph)]);
}

describe('variants: one model graph per feasible path', () => {
  it('takes each branch of an if/else-if chain on an option, and drops the else that throws', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function makeClassifier(modelType: string) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters: 4, kernelSize: 3}));
  if (modelType === 'pooled') {
    model.add(tf.layers.globalMaxPooling2d({}));
  } else if (modelType === 'flat') {
    model.add(tf.layers.flatten());
  } else if (modelType === 'strided') {
    model.add(tf.layers.conv2d({filters: 4, kernelSize: 2, strides: 2}));
    model.add(tf.layers.flatten());
  } else {
    throw new Error('modelType must be pooled, flat or strided');
  }
  model.add(tf.layers.dense({units: 10}));
  return model;
}`);
    assert.deepEqual(variantsOf(result.models, 'makeClassifier'), [
      ["modelType === 'pooled'", ['conv2d', 'globalMaxPooling2d', 'dense']],
      ["modelType === 'flat'", ['conv2d', 'flatten', 'dense']],
      ["modelType === 'strided'", ['conv2d', 'conv2d', 'flatten', 'dense']],
    ]);
    assert.deepEqual(result.models.flatMap((graph) => graph.gaps), []);
  });

  it('names an else that builds layers by the tests it fails', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function head(kind: string) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [6], units: 6}));
  if (kind === 'wide') model.add(tf.layers.dense({units: 64}));
  else if (kind === 'deep') { model.add(tf.layers.dense({units: 8})); model.add(tf.layers.dense({units: 8})); }
  else model.add(tf.layers.activation({activation: 'relu'}));
  return model;
}`);
    assert.deepEqual(variantsOf(result.models, 'head').map(([variant]) => variant), [
      "kind === 'wide'",
      "kind === 'deep'",
      "kind !== 'wide' && kind !== 'deep'",
    ]);
  });

  it('enters a switch at each case, following fallthrough, and drops the default that throws', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function sequenceModel(cell: string, units: number) {
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: 100, outputDim: 16, inputLength: 20}));
  switch (cell) {
    case 'gru':
    case 'GRU':
      model.add(tf.layers.gru({units}));
      break;
    case 'stacked':
      model.add(tf.layers.lstm({units, returnSequences: true}));
      // falls through into a second lstm
    case 'lstm':
      model.add(tf.layers.lstm({units}));
      break;
    default:
      throw new Error('unknown cell ' + cell);
  }
  model.add(tf.layers.dense({units: 2}));
  return model;
}`);
    assert.deepEqual(variantsOf(result.models, 'sequenceModel'), [
      ["cell === 'gru' || cell === 'GRU'", ['embedding', 'gru', 'dense']],
      ["cell === 'stacked'", ['embedding', 'lstm', 'lstm', 'dense']],
      ["cell === 'lstm'", ['embedding', 'lstm', 'dense']],
    ]);
  });

  it('keeps a later test of the switched value consistent with the case taken', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function consistent(mode: string) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: 3}));
  switch (mode) {
    case 'a': model.add(tf.layers.dense({units: 4})); break;
    case 'b': model.add(tf.layers.dense({units: 5})); break;
  }
  if (mode === 'a') model.add(tf.layers.dropout({rate: 0.1}));
  return model;
}`);
    assert.deepEqual(variantsOf(result.models, 'consistent'), [
      ["mode === 'a'", ['dense', 'dense', 'dropout']],
      ["mode === 'b'", ['dense', 'dense']],
      ["mode !== 'a' && mode !== 'b'", ['dense']],
    ]);
  });

  it('decides a flag tested twice the same way both times', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function twice(norm: boolean, wide: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: 3}));
  if (norm) model.add(tf.layers.batchNormalization());
  model.add(tf.layers.dense({units: 3}));
  if (!norm) model.add(tf.layers.dropout({rate: 0.2}));
  else if (wide) model.add(tf.layers.dense({units: 9}));
  return model;
}`);
    assert.deepEqual(variantsOf(result.models, 'twice'), [
      ['norm && wide', ['dense', 'batchNormalization', 'dense', 'dense']],
      ['norm && !wide', ['dense', 'batchNormalization', 'dense']],
      ['!norm', ['dense', 'dense', 'dropout']],
    ]);
  });

  it('makes a ternary in a layer config a decision whose variants differ in that config', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function temporal(causal: boolean) {
  return tf.sequential({layers: [
    tf.layers.conv1d({inputShape: [50, 2], filters: 4, kernelSize: 3, padding: causal ? 'causal' : 'same'}),
    tf.layers.globalAveragePooling1d({}),
  ]});
}`);
    const variants = result.models.filter((graph) => graph.name === 'temporal');
    assert.deepEqual(variants.map((graph) => [graph.variant, graph.layers[0].config.values.padding]), [
      ['causal', 'causal'],
      ['!causal', 'same'],
    ]);
  });

  it('does not fork on a ternary whose plain branches have the same value', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function same(flag: boolean) {
  return tf.sequential({layers: [tf.layers.dense({inputShape: [2], units: flag ? 4 : 4})]});
}`);
    assert.deepEqual(variantsOf(result.models, 'same'), [[undefined, ['dense']]]);
    assert.equal(result.models[0].layers[0].config.values.units, 4);
  });

  it('makes && in a layer list a decision, kept by filter(Boolean)', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function optional(useNorm: boolean) {
  const layers = [
    tf.layers.dense({inputShape: [8], units: 8}),
    useNorm && tf.layers.layerNormalization(),
    tf.layers.dense({units: 1}),
  ].filter(Boolean);
  return tf.sequential({layers});
}`);
    assert.deepEqual(variantsOf(result.models, 'optional'), [
      ['useNorm', ['dense', 'layerNormalization', 'dense']],
      ['!useNorm', ['dense', 'dense']],
    ]);
  });

  it('drops a path that throws inside a helper it calls', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
function recurrent(type: string) {
  if (type === 'lstm') return tf.layers.lstm({units: 4});
  if (type === 'gru') return tf.layers.gru({units: 4});
  throw new Error('no such cell');
}
export function wrapper(type: string) {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({inputShape: [5, 3]}));
  model.add(recurrent(type));
  return model;
}`);
    assert.deepEqual(variantsOf(result.models, 'wrapper'), [
      ["type === 'lstm'", ['lstm']],
      ["type === 'gru'", ['gru']],
    ]);
  });

  it('merges paths that build the same graph, and names variants only by decisions that matter', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function tagged(debug: boolean, pool: boolean) {
  const options: {name?: string} = {};
  if (debug) {
    options.name = 'debug_dense';
  } else {
    options.name = 'dense';
  }
  const model = tf.sequential();
  model.add(tf.layers.conv2d({inputShape: [9, 9, 1], filters: 2, kernelSize: 3}));
  if (pool) model.add(tf.layers.maxPooling2d({poolSize: 2}));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({units: 3, ...options}));
  return model;
}`);
    assert.deepEqual(variantsOf(result.models, 'tagged'), [
      ['pool', ['conv2d', 'maxPooling2d', 'flatten', 'dense']],
      ['!pool', ['conv2d', 'flatten', 'dense']],
    ]);
  });

  it('runs a unit without decisions once and gives its model no variant', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function plain() {
  return tf.sequential({layers: [tf.layers.dense({inputShape: [2], units: 2})]});
}`);
    assert.equal(result.models.length, 1);
    assert.equal(result.models[0].variant, undefined);
  });

  it(`stops past ${MAX_VARIANTS} variants with a gap naming the decision that was cut`, () => {
    const flags = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
export function many(${flags.map((flag) => `${flag}: boolean`).join(', ')}) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [4], units: 4}));
${flags.map((flag, i) => `  if (${flag}) model.add(tf.layers.dense({units: ${i + 5}}));`).join('\n')}
  return model;
}`);
    const variants = result.models.filter((graph) => graph.name === 'many');
    assert.equal(variants.length, MAX_VARIANTS);
    assert.equal(new Set(variants.map((graph) => graph.variant)).size, MAX_VARIANTS);
    const gaps = variants[0].gaps;
    assert.equal(gaps.length, 1, JSON.stringify(gaps));
    assert.match(gaps[0].message, /^more than 32 variants: the paths where `!a` are not analysed$/);
    assert.equal(spanText(text, gaps[0].span), 'a');
    assert.ok(variants.every((graph) => graph.gaps.some((gap) => gap.message === gaps[0].message)));
  });
});

describe('variants: loops with a bound not known statically', () => {
  it('runs the body once, takes the bound as 1 for the rest of the path, and says so', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
export function ladder(depth: number, filters: number) {
  const input = tf.input({shape: [32, 32, 3]});
  const downs = [input];
  for (let i = 0; i < depth; i++) {
    downs.push(tf.layers.conv2d({filters, kernelSize: 3, strides: 2, padding: 'same'}).apply(downs[downs.length - 1]) as tf.SymbolicTensor);
  }
  let x = downs[downs.length - 1];
  for (let i = 0; i < depth; i++) {
    const up = tf.layers.upSampling2d({size: [2, 2]}).apply(x) as tf.SymbolicTensor;
    x = tf.layers.concatenate().apply([up, downs[depth - i - 1]]) as tf.SymbolicTensor;
    x = tf.layers.conv2d({filters, kernelSize: 3, padding: 'same', activation: i === depth - 1 ? 'sigmoid' : 'relu'}).apply(x) as tf.SymbolicTensor;
  }
  return tf.model({inputs: input, outputs: x});
}`);
    const variants = result.models.filter((graph) => graph.name === 'ladder');
    assert.equal(variants.length, 1);
    const [graph] = variants;
    assert.equal(graph.variant, undefined);
    assert.deepEqual(kinds(graph), ['conv2d', 'upSampling2d', 'concatenate', 'conv2d']);
    // The skip connection reaches the model input: `downs[depth - i - 1]` is `downs[0]`.
    assert.deepEqual(graph.layers[2].inputs, [graph.layers[1].output, graph.inputs[0].tensor]);
    assert.equal(graph.layers[3].config.values.activation, 'sigmoid');
    assert.deepEqual(graph.gaps.map((gap) => [gap.message, spanText(text, gap.span)]), [
      ['the loop condition `i < depth` is not a compile-time constant, so the loop body is analysed once', 'i < depth'],
    ]);
  });
});

describe('variants: callbacks over arrays not known statically', () => {
  it('runs a forEach callback once over an unknown array and says so', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
export function stack(hidden: {units: number}[]) {
  const model = tf.sequential();
  model.add(tf.layers.flatten({inputShape: [4, 4]}));
  hidden.forEach((spec) => {
    model.add(tf.layers.dense({units: spec.units, activation: 'relu'}));
  });
  model.add(tf.layers.dense({units: 2}));
  return model;
}`);
    const [graph] = result.models;
    assert.deepEqual(kinds(graph), ['flatten', 'dense', 'dense']);
    assert.deepEqual(graph.gaps.map((gap) => [gap.message, spanText(text, gap.span)]), [
      ['`hidden` is not known statically, so the callback is analysed once', 'hidden'],
    ]);
  });

  it('maps an unknown array to one layer built once', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function fromSpecs(specs: number[]) {
  return tf.sequential({layers: [tf.layers.dense({inputShape: [3], units: 3}), ...specs.map((units) => tf.layers.dense({units}))]});
}`);
    assert.deepEqual(kinds(result.models[0]), ['dense', 'dense']);
  });
});

describe('variants: reduce over an array not known statically', () => {
  it('runs the reducer once, as the first pass, on the initial model', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export const stacked = (sizes: number[], steps: number, features: number) => {
  const model = sizes.reduce((m, size, i) => {
    m.add(tf.layers.lstm({units: size, inputShape: i === 0 ? [steps, features] : undefined}));
    return m;
  }, tf.sequential());
  model.add(tf.layers.dense({units: 4}));
  return model;
};`);
    const [graph] = result.models;
    assert.deepEqual(kinds(graph), ['lstm', 'dense']);
    assert.equal(graph.inputs[0].shape?.length, 2);
    assert.match(graph.gaps[0].message, /`sizes` is not known statically, so the callback is analysed once/);
  });
});
