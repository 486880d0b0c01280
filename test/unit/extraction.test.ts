// Table-driven tests of layer-graph extraction: each idiom of tfjs model code -> model names,
// layer kinds in data-flow order, input shapes, key config values and construction kinds.
import { strict as assert } from 'node:assert';
import { NotConstant } from '../../server/src/analysis/graph';
import { extract, kinds, layer, model, outputChain, spanText } from '../fixtures/extraction/harness';

interface Case {
  title: string;
  source: string;
  fileName?: string;
  files?: Record<string, string>;
  expect: {
    name: string;
    construction?: 'sequential' | 'functional' | 'subclass';
    kinds: string[];
    input?: (number | null)[];
    config?: [kind: string, key: string, value: unknown][];
  }[];
}

const CONV_MODEL = `model.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters: 8, kernelSize: 3}));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({units: 10}));`;

const cases: Case[] = [
  {
    title: 'tf.sequential({layers: [...]}) with a namespace import',
    source: `import * as tf from '@tensorflow/tfjs';
export const classifier = tf.sequential({
  layers: [
    tf.layers.conv2d({inputShape: [32, 32, 3], filters: 16, kernelSize: 5, strides: 2}),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({units: 4, activation: 'softmax'}),
  ],
});`,
    expect: [{ name: 'classifier', construction: 'sequential', kinds: ['conv2d', 'globalAveragePooling2d', 'dense'], input: [32, 32, 3], config: [['conv2d', 'strides', 2], ['dense', 'activation', 'softmax']] }],
  },
  {
    title: 'model.add chain in a function, default import',
    source: `import tf from '@tensorflow/tfjs';
function buildCnn() {
  const model = tf.sequential();
  ${CONV_MODEL}
  return model;
}`,
    expect: [{ name: 'buildCnn', construction: 'sequential', kinds: ['conv2d', 'flatten', 'dense'], input: [28, 28, 1] }],
  },
  {
    title: 'named imports',
    source: `import {layers, sequential} from '@tensorflow/tfjs-layers';
export function build() {
  const m = sequential();
  m.add(layers.dense({inputDim: 8, units: 4}));
  m.add(layers.dense({units: 1}));
  return m;
}`,
    expect: [{ name: 'build', kinds: ['dense', 'dense'], input: [8] }],
  },
  {
    title: 'aliased named imports',
    source: `import {layers as L, sequential as makeSequential} from '@tensorflow/tfjs';
const net = makeSequential({layers: [L.conv1d({inputShape: [100, 4], filters: 8, kernelSize: 3}), L.globalMaxPooling1d()]});`,
    expect: [{ name: 'net', kinds: ['conv1d', 'globalMaxPooling1d'], input: [100, 4] }],
  },
  {
    title: 'destructured factories from tf.layers and an alias const L = tf.layers',
    source: `import * as tf from '@tensorflow/tfjs';
const {conv2d, dense} = tf.layers;
const L = tf.layers;
const build = () => {
  const model = tf.sequential();
  model.add(conv2d({inputShape: [8, 8, 1], filters: 4, kernelSize: 3}));
  model.add(L.flatten());
  model.add(dense({units: 2}));
  return model;
};`,
    expect: [{ name: 'build', kinds: ['conv2d', 'flatten', 'dense'], input: [8, 8, 1] }],
  },
  {
    title: 'CommonJS require of the namespace and destructured require',
    fileName: '/project/src/model.js',
    source: `const tf = require('@tensorflow/tfjs-node');
const {layers, sequential} = require('@tensorflow/tfjs');
function a() {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: 2}));
  return model;
}
function b() {
  return sequential({layers: [layers.dense({inputShape: [5], units: 1})]});
}
module.exports = {a, b};`,
    expect: [
      { name: 'a', kinds: ['dense'], input: [3] },
      { name: 'b', kinds: ['dense'], input: [5] },
    ],
  },
  {
    title: 'await import(...) of tfjs',
    source: `export async function load() {
  const tf = await import('@tensorflow/tfjs');
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [4], units: 4}));
  return model;
}`,
    expect: [{ name: 'load', kinds: ['dense'], input: [4] }],
  },
  {
    title: 'global tf in a browser script (JS)',
    fileName: '/project/web/app.js',
    source: `// loaded with <script src="tf.min.js">
var model = tf.sequential();
model.add(tf.layers.conv2d({inputShape: [64, 64, 3], kernelSize: 3, filters: 8}));
model.add(tf.layers.maxPooling2d({poolSize: [2, 2]}));`,
    expect: [{ name: 'model', kinds: ['conv2d', 'maxPooling2d'], input: [64, 64, 3], config: [['maxPooling2d', 'poolSize', [2, 2]]] }],
  },
  {
    title: 'constants and spread config objects',
    source: `import * as tf from '@tensorflow/tfjs';
const KERNEL = 3;
const FILTERS = [16, 32];
const convDefaults = {kernelSize: KERNEL, padding: 'same', activation: 'relu'} as const;
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({...convDefaults, filters: FILTERS[0], inputShape: [28, 28, 1]}));
  model.add(tf.layers.conv2d({...convDefaults, filters: FILTERS[1], strides: KERNEL - 1}));
  return model;
}`,
    expect: [{ name: 'build', kinds: ['conv2d', 'conv2d'], input: [28, 28, 1], config: [['conv2d', 'padding', 'same'], ['conv2d', 'kernelSize', 3], ['conv2d', 'filters', 16]] }],
  },
  {
    title: 'helper functions that add layers (same file)',
    source: `import * as tf from '@tensorflow/tfjs';
function addConvBlock(model: tf.Sequential, filters: number, pool = true) {
  model.add(tf.layers.conv2d({filters, kernelSize: 3, padding: 'same'}));
  if (pool) model.add(tf.layers.maxPooling2d({poolSize: 2}));
}
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({inputShape: [32, 32, 3]}));
  addConvBlock(model, 16);
  addConvBlock(model, 32, false);
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}`,
    expect: [{ name: 'build', kinds: ['conv2d', 'maxPooling2d', 'conv2d', 'globalAveragePooling2d'], input: [32, 32, 3] }],
  },
  {
    title: 'loops with constant bounds, for-of, Array.from and map',
    source: `import * as tf from '@tensorflow/tfjs';
const DEPTH = 3;
const WIDTHS = [8, 16];
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [10], units: 4}));
  for (let i = 0; i < DEPTH; i++) model.add(tf.layers.dense({units: 4 * (i + 1)}));
  for (const units of WIDTHS) model.add(tf.layers.dense({units}));
  const extra = Array.from({length: 2}, (_, i) => tf.layers.dense({units: 100 + i}));
  extra.forEach((l) => model.add(l));
  [1, 2].map((k) => tf.layers.dropout({rate: k / 10})).forEach((l) => model.add(l));
  let j = 0;
  while (j < 2) { model.add(tf.layers.activation({activation: 'relu'})); j += 1; }
  return model;
}`,
    expect: [{
      name: 'build',
      kinds: ['dense', 'dense', 'dense', 'dense', 'dense', 'dense', 'dense', 'dense', 'dropout', 'dropout', 'activation', 'activation'],
      input: [10],
      config: [['dense', 'units', 4], ['dropout', 'rate', 0.1]],
    }],
  },
  {
    title: 'functional API with residual add, concatenate and two inputs',
    source: `import * as tf from '@tensorflow/tfjs';
export function twoTower() {
  const image = tf.input({shape: [16, 16, 3]});
  const meta = tf.input({shape: [4], dtype: 'float32'});
  let x = tf.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same'}).apply(image) as tf.SymbolicTensor;
  const shortcut = x;
  x = tf.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same'}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.add().apply([x, shortcut]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x);
  const unused = tf.layers.dense({units: 3}).apply(meta);
  const merged = tf.layers.concatenate().apply([pooled, meta]);
  const out = tf.layers.dense({units: 1}).apply(merged);
  return tf.model({inputs: [image, meta], outputs: out});
}`,
    expect: [{ name: 'twoTower', construction: 'functional', kinds: ['conv2d', 'conv2d', 'add', 'globalAveragePooling2d', 'concatenate', 'dense'], input: [16, 16, 3] }],
  },
  {
    title: 'subclass of tf.Sequential',
    source: `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
class Net extends tf.Sequential {
  constructor(private readonly units = 10) {
    super();
    this.add(tf.layers.conv2d({inputShape: [24, 24, 1], filters: 4, kernelSize: 3}));
    this.addHead();
  }
  addHead() {
    this.add(tf.layers.globalMaxPooling2d({}));
    this.add(tf.layers.dense({units: this.units}));
  }
}`,
    expect: [{ name: 'Net', construction: 'subclass', kinds: ['conv2d', 'globalMaxPooling2d', 'dense'], input: [24, 24, 1], config: [['dense', 'units', 10]] }],
  },
  {
    title: 'class with a method that stores the model on this',
    source: `import * as tf from '@tensorflow/tfjs';
export class Trainer {
  model!: tf.Sequential;
  inputSize = 6;
  build() {
    this.model = tf.sequential();
    this.model.add(tf.layers.dense({inputShape: [this.inputSize], units: 3}));
    this.model.add(tf.layers.softmax());
  }
}`,
    expect: [{ name: 'Trainer', kinds: ['dense', 'softmax'], input: [6] }],
  },
  {
    title: 'commented-out code is not code',
    source: `import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [2], units: 2}));
  // model.add(tf.layers.flatten());
  /* model.add(tf.layers.conv2d({filters: 3, kernelSize: 3})); */
  return model;
}
// const ghost = tf.sequential();`,
    expect: [{ name: 'build', kinds: ['dense'], input: [2] }],
  },
  {
    title: 'wrappers keep the wrapped layer as inner',
    source: `import * as tf from '@tensorflow/tfjs';
export function seq() {
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: 1000, outputDim: 16, inputLength: 20}));
  model.add(tf.layers.bidirectional({layer: tf.layers.lstm({units: 8, returnSequences: true}) as tf.RNN}));
  model.add(tf.layers.timeDistributed({layer: tf.layers.dense({units: 2})}));
  return model;
}`,
    expect: [{ name: 'seq', kinds: ['embedding', 'bidirectional', 'timeDistributed'], input: [20] }],
  },
  {
    title: 'batchInputShape drops the batch dimension; nested sequential is inlined',
    source: `import * as tf from '@tensorflow/tfjs';
const trunk = tf.sequential({layers: [tf.layers.dense({batchInputShape: [null, 7], units: 5}), tf.layers.relu()]});
export function full() {
  const model = tf.sequential();
  model.add(trunk);
  model.add(tf.layers.dense({units: 1}));
  return model;
}`,
    expect: [
      { name: 'trunk', kinds: ['dense', 'relu'], input: [7] },
      { name: 'full', kinds: ['dense', 'relu', 'dense'], input: [7] },
    ],
  },
  {
    title: 'anonymous default export',
    source: `import * as tf from '@tensorflow/tfjs';
export default function () {
  return tf.sequential({layers: [tf.layers.dense({inputShape: [1], units: 1})]});
}`,
    expect: [{ name: 'default', kinds: ['dense'], input: [1] }],
  },
  {
    title: 'switch on a constant and a constant ternary',
    source: `import * as tf from '@tensorflow/tfjs';
const MODE = 'small';
export function build() {
  const model = tf.sequential();
  switch (MODE) {
    case 'big':
      model.add(tf.layers.dense({inputShape: [3], units: 512}));
      break;
    case 'small':
      model.add(tf.layers.dense({inputShape: [3], units: MODE === 'small' ? 8 : 64}));
      break;
  }
  return model;
}`,
    expect: [{ name: 'build', kinds: ['dense'], input: [3], config: [['dense', 'units', 8]] }],
  },
];

describe('extraction: idioms', () => {
  for (const testCase of cases) {
    it(testCase.title, () => {
      const { result } = extract(testCase.source, { fileName: testCase.fileName, files: testCase.files });
      assert.deepEqual(
        result.models.map((m) => m.name),
        testCase.expect.map((e) => e.name),
      );
      for (const expected of testCase.expect) {
        const graph = model(result, expected.name);
        assert.deepEqual(kinds(graph), expected.kinds, `kinds of ${expected.name}`);
        if (expected.construction) assert.equal(graph.construction, expected.construction);
        if (expected.input) assert.deepEqual(graph.inputs[0]?.shape, expected.input, `input of ${expected.name}`);
        for (const [kind, key, value] of expected.config ?? []) {
          assert.deepEqual(layer(graph, kind).config.values[key], value, `${kind}.${key}`);
        }
        assert.deepEqual(graph.gaps, [], `no gaps in ${expected.name}`);
      }
    });
  }
});

describe('extraction: graph details', () => {
  it('links functional tensors: the add merges two inputs and dead branches are dropped', () => {
    const { result } = extract(cases.find((c) => c.title.startsWith('functional'))!.source);
    const graph = model(result, 'twoTower');
    assert.equal(graph.inputs.length, 2);
    assert.equal(graph.inputs[1].dtype, 'float32');
    const add = layer(graph, 'add');
    const [conv1, conv2] = graph.layers.filter((l) => l.kind === 'conv2d');
    assert.deepEqual(add.inputs, [conv2.output, conv1.output]);
    const concat = layer(graph, 'concatenate');
    assert.deepEqual(concat.inputs, [layer(graph, 'globalAveragePooling2d').output, graph.inputs[1].tensor]);
    assert.deepEqual(graph.outputs, [layer(graph, 'dense').output]);
    assert.equal(graph.layers.filter((l) => l.kind === 'dense').length, 1, 'the unused dense is not in the model');
    graph.layers.forEach((l, i) => assert.equal(l.id, i));
    graph.tensors.forEach((t, i) => assert.equal(t.id, i));
  });

  it('gives wrappers their inner layer with its config', () => {
    const { result } = extract(cases.find((c) => c.title.startsWith('wrappers'))!.source);
    const graph = model(result, 'seq');
    const bidirectional = layer(graph, 'bidirectional');
    assert.equal(bidirectional.inner?.kind, 'lstm');
    assert.equal(bidirectional.inner?.config.values.units, 8);
    assert.equal('layer' in bidirectional.config.values, false);
    assert.equal(layer(graph, 'timeDistributed').inner?.kind, 'dense');
  });

  it('marks a layer applied twice as shared', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function siamese() {
  const a = tf.input({shape: [8]});
  const b = tf.input({shape: [8]});
  const encoder = tf.layers.dense({units: 4});
  const ea = encoder.apply(a);
  const eb = encoder.apply(b);
  const joined = tf.layers.subtract().apply([ea, eb]);
  return tf.model({inputs: [a, b], outputs: joined});
}`);
    const graph = model(result, 'siamese');
    assert.deepEqual(kinds(graph), ['dense', 'dense', 'subtract']);
    assert.equal(graph.layers[0].sharedWith, undefined);
    assert.equal(graph.layers[1].sharedWith, 0);
    assert.deepEqual(graph.layers[1].inputs, [graph.inputs[1].tensor]);
  });

  it('inlines otherModel.apply(x) into the functional graph', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
const backbone = tf.sequential({layers: [tf.layers.conv2d({inputShape: [9, 9, 1], filters: 2, kernelSize: 3}), tf.layers.globalAveragePooling2d({})]});
export function head() {
  const x = tf.input({shape: [9, 9, 1]});
  const features = backbone.apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({units: 3}).apply(features);
  return tf.model({inputs: x, outputs: y});
}`);
    assert.deepEqual(kinds(model(result, 'head')), ['conv2d', 'globalAveragePooling2d', 'dense']);
    assert.deepEqual(outputChain(model(result, 'head')), ['conv2d', 'globalAveragePooling2d', 'dense']);
  });

  it('reports spans: nameSpan is the factory name, span the whole call, creationSpan the creation call', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
import * as sl from 'symmetry-lint-layers';
export function build() {
  const model = tf.sequential();
  model.add(new sl.CircularPad2D({pad: 1, inputShape: [8, 8, 1]}));
  model.add(tf.layers.conv2d({filters: 4, kernelSize: 3}));
  return model;
}`);
    const graph = model(result, 'build');
    assert.equal(spanText(text, graph.nameSpan), 'build');
    assert.equal(spanText(text, graph.creationSpan), 'tf.sequential()');
    const conv = layer(graph, 'conv2d');
    assert.equal(spanText(text, conv.nameSpan), 'conv2d');
    assert.equal(spanText(text, conv.span), 'tf.layers.conv2d({filters: 4, kernelSize: 3})');
    const pad = layer(graph, 'CircularPad2D');
    assert.equal(pad.origin, 'library');
    assert.equal(spanText(text, pad.nameSpan), 'CircularPad2D');
    assert.equal(pad.config.values.pad, 1);
    assert.deepEqual(graph.inputs[0].shape, [8, 8, 1]);
  });

  it('recognises named library imports from @symmetry-lint/layers', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
import {P4ConvLifting2D, P4GroupPool, SetDense as SD} from '@symmetry-lint/layers';
export function build() {
  const model = tf.sequential();
  model.add(new P4ConvLifting2D({filters: 4, kernelSize: 3, inputShape: [25, 25, 1]}));
  model.add(new P4GroupPool());
  model.add(new SD({units: 3}));
  return model;
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['P4ConvLifting2D', 'P4GroupPool', 'SetDense']);
    assert.ok(graph.layers.every((l) => l.origin === 'library'));
  });

  it('makes custom layer classes custom layers named after the class', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
class Antialias extends tf.layers.Layer {
  constructor(config: {size: number}) { super({}); }
  static className = 'Antialias';
}
import {Mystery} from 'some-package';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({inputShape: [8, 8, 3], filters: 2, kernelSize: 3}));
  model.add(new Antialias({size: 3}));
  model.add(new Mystery());
  return model;
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['conv2d', 'Antialias', 'Mystery']);
    const custom = layer(graph, 'Antialias');
    assert.equal(custom.origin, 'custom');
    assert.equal(custom.config.values.size, 3);
    assert.equal(spanText(text, custom.nameSpan), 'Antialias');
    assert.equal(layer(graph, 'Mystery').origin, 'custom');
  });

  it('records call stacks for layers created in helpers, outermost first', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
function conv(filters: number) {
  return tf.layers.conv2d({filters, kernelSize: 3});
}
function block(model: tf.Sequential, filters: number) {
  model.add(conv(filters));
}
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({inputShape: [5, 5, 1]}));
  block(model, 4);
  model.add(conv(8));
  return model;
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['conv2d', 'conv2d']);
    assert.deepEqual(graph.layers[0].callStack.map((s) => spanText(text, s)), ['block(model, 4)', 'conv(filters)']);
    assert.deepEqual(graph.layers[1].callStack.map((s) => spanText(text, s)), ['conv(8)']);
    assert.deepEqual(graph.layers.map((l) => l.config.values.filters), [4, 8]);
    assert.deepEqual(graph.inputs[0].shape, [5, 5, 1]);
  });
});

describe('extraction: gaps and unknowns', () => {
  it('makes each side of an unknown condition that builds layers a variant, and ignores one that only logs', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
export function build(useDropout: boolean, verbose: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [4], units: 4}));
  if (verbose) console.log('building');
  if (useDropout) {
    model.add(tf.layers.dropout({rate: 0.5}));
  } else {
    model.add(tf.layers.batchNormalization());
  }
  return model;
}`);
    const variants = result.models.filter((graph) => graph.name === 'build');
    assert.deepEqual(variants.map((graph) => [graph.variant, kinds(graph)]), [
      ['useDropout', ['dense', 'dropout']],
      ['!useDropout', ['dense', 'batchNormalization']],
    ]);
    assert.deepEqual(variants.flatMap((graph) => graph.gaps), []);
    assert.equal(spanText(text, variants[1].layers[1].nameSpan), 'batchNormalization');
  });

  it('makes an else branch that builds layers a variant when the then branch only logs', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function build(plain: boolean, verbose: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [4], units: 4}));
  if (plain) {
    console.log('plain');
  } else {
    model.add(tf.layers.batchNormalization());
  }
  if (verbose) console.log('a'); else console.log('b');
  return model;
}`);
    const variants = result.models.filter((graph) => graph.name === 'build');
    assert.deepEqual(variants.map((graph) => [graph.variant, kinds(graph), graph.gaps.length]), [
      ['plain', ['dense'], 0],
      ['!plain', ['dense', 'batchNormalization'], 0],
    ]);
  });

  it('turns values that are not constant into NotConstant with the reason and span', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
export function build(kernel: number, options: any) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({inputShape: [8, 8, 1], filters: 2, kernelSize: kernel}));
  model.add(tf.layers.conv2d({filters: 2, kernelSize: 3, ...options}));
  model.add(tf.layers.conv2d(options.conv));
  return model;
}`);
    const graph = model(result, 'build');
    const [first, second, third] = graph.layers;
    const kernel = first.config.values.kernelSize;
    assert.ok(kernel instanceof NotConstant);
    assert.match(kernel.reason, /parameter 'kernel' has no value known statically/);
    assert.equal(spanText(text, kernel.span!), 'kernel');
    assert.equal(first.config.values.filters, 2);
    assert.ok(second.config.openSpread instanceof NotConstant);
    assert.deepEqual(second.config.values, {});
    assert.deepEqual(third.config.values, {});
    assert.ok(third.config.openSpread instanceof NotConstant);
    assert.match(third.config.openSpread.reason, /parameter 'options'/);
  });

  it('keeps the literal an unknown value falls back to, and no other', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function build(options: any) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({inputShape: [8, 8, 1], filters: 2, kernelSize: options.kernel || 5, padding: options.padding ?? 'same', strides: options.strides || options.step}));
  return model;
}`);
    const values = model(result, 'build').layers[0].config.values;
    assert.ok(values.kernelSize instanceof NotConstant && values.padding instanceof NotConstant && values.strides instanceof NotConstant);
    assert.equal(values.kernelSize.fallback, 5);
    assert.equal(values.padding.fallback, 'same');
    assert.equal(values.strides.fallback, undefined);
  });

  it('gives a layer called with a string instead of a configuration its defaults, as tfjs does', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function build() {
  const input = tf.input({shape: [8, 8, 2]});
  const pooled = tf.layers.globalMaxPooling2d('channelsLast').apply(input);
  const scored = tf.layers.dense(someOptions()).apply(pooled);
  return tf.model({inputs: input, outputs: scored});
}`);
    const [pool, dense] = model(result, 'build').layers;
    assert.deepEqual(pool.config, { values: {} });
    assert.ok(dense.config.openSpread instanceof NotConstant);
  });

  it('uses parameter defaults when the unit runs without arguments', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function build({units = 12, shape = [6]}: {units?: number; shape?: number[]} = {}) {
  return tf.sequential({layers: [tf.layers.dense({inputShape: shape, units})]});
}`);
    const graph = model(result, 'build');
    assert.deepEqual(graph.inputs[0].shape, [6]);
    assert.equal(graph.layers[0].config.values.units, 12);
  });

  it('runs a loop with an unknown bound once and records a gap', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function build(depth: number) {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: 3}));
  for (let i = 0; i < depth; i++) model.add(tf.layers.dense({units: 3}));
  return model;
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['dense', 'dense']);
    assert.match(graph.gaps[0].message, /the loop condition `i < depth` is not a compile-time constant, so the loop body is analysed once/);
  });

  it('stops an infinite while(true) loop with a gap and keeps the layers so far', () => {
    const started = Date.now();
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: 3}));
  while (true) { let x = 1; x = x + 1; }
  return model;
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['dense']);
    assert.ok(graph.gaps.some((g) => /the loop runs more than \d+ times, so the rest of it is not analysed/.test(g.message)), JSON.stringify(graph.gaps));
    assert.ok(Date.now() - started < 2000);
  });

  it('stops on the step budget when the loop body is expensive', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: 3}));
  while (true) { for (let i = 0; i < 500; i++) { } }
}`, { stepBudget: 5000 });
    const [graph] = result.models;
    assert.equal(graph.name, 'build');
    assert.deepEqual(kinds(graph), ['dense']);
    assert.ok(graph.gaps.some((g) => /step budget ran out/.test(g.message)), JSON.stringify(graph.gaps));
  });

  it('guards deep and exponential recursion', () => {
    const started = Date.now();
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
function forever(n: number): number { return forever(n + 1); }
function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: forever(0)}));
  model.add(tf.layers.dense({units: fib(40)}));
  return model;
}`, { stepBudget: 50_000 });
    const graph = model(result, 'build');
    assert.ok(graph.layers.length >= 1);
    assert.ok(graph.layers[0].config.values.units instanceof NotConstant);
    assert.ok(graph.gaps.length > 0);
    assert.ok(Date.now() - started < 3000);
  });

  it('does not throw on syntax errors and half-typed code', () => {
    const snippets = [
      `import * as tf from '@tensorflow/tfjs';\nexport function build() {\n  const model = tf.sequential();\n  model.add(tf.layers.conv2d({filters: 3, kernelSize:`,
      `const model = tf.sequential(;\nmodel.add(tf.layers.`,
      `class extends tf.Sequential { constructor( { super(`,
      `/** @symmetry invariant translation */\nexport const build = () => tf.model({inputs: , outputs: })`,
      `tf.sequential({layers: [...undefinedThing, tf.layers.dense(]})`,
      `for (const x of) { tf.sequential().add(x) }`,
    ];
    for (const snippet of snippets) {
      assert.doesNotThrow(() => extract(snippet), snippet);
    }
    const { result } = extract(snippets[0]);
    assert.deepEqual(result.models.map((m) => m.name), ['build']);
  });
});

describe('extraction: holders and declarations', () => {
  it('collects JSDoc of the holder, the class for methods, and reports orphans', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
/** Builds things. */
export class Builders {
  /**
   * @symmetry invariant translation
   */
  cnn() {
    const model = tf.sequential();
    model.add(tf.layers.dense({inputShape: [2], units: 1}));
    return model;
  }
}

/** @symetry invariant rotation90 */
export const notAModel = () => 42;

/** @symmetry invariant flip */
export function fromHelper() {
  return makeBase();
}

function makeBase() {
  return tf.sequential({layers: [tf.layers.dense({inputShape: [9], units: 2})]});
}`);
    assert.deepEqual(result.models.map((m) => m.name), ['Builders.cnn', 'fromHelper', 'makeBase']);
    const cnn = model(result, 'Builders.cnn');
    assert.deepEqual(cnn.docComments.map((d) => d.text.replace(/\s+/g, ' ')), ['/** * @symmetry invariant translation */', '/** Builds things. */']);
    assert.equal(spanText(text, cnn.docComments[1].span), '/** Builds things. */');
    assert.equal(spanText(text, cnn.nameSpan), 'cnn');
    const helper = model(result, 'fromHelper');
    assert.deepEqual(kinds(helper), ['dense']);
    assert.deepEqual(helper.inputs[0].shape, [9]);
    assert.match(helper.docComments[0].text, /@symmetry invariant flip/);
    assert.deepEqual(result.orphans.map((o) => o.name), ['notAModel']);
    assert.match(result.orphans[0].docComments[0].text, /@symetry/);
    assert.equal(spanText(text, result.orphans[0].nameSpan), 'notAModel');
  });

  it('names module-level models after their variables and attaches the variable JSDoc', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
function make() { return tf.sequential({layers: [tf.layers.dense({inputShape: [1], units: 1})]}); }
/** @symmetry equivariant sign */
const signNet = make();
/** @symmetry invariant translation */
const direct = tf.sequential();
direct.add(tf.layers.dense({inputShape: [2], units: 2}));`);
    assert.deepEqual(result.models.map((m) => m.name), ['make', 'signNet', 'direct']);
    assert.match(model(result, 'signNet').docComments[0].text, /equivariant sign/);
    assert.match(model(result, 'direct').docComments[0].text, /invariant translation/);
    assert.deepEqual(kinds(model(result, 'direct')), ['dense']);
    assert.deepEqual(result.orphans, []);
  });

  it('declares a class-level @symmetry and a class holding an arrow-function builder', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant permutation */
export class PointNet {
  build = () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({inputShape: [10, 3], units: 8}));
    m.add(tf.layers.globalMaxPooling1d());
    return m;
  };
}
/** @symmetry invariant permutation */
export class Empty {}`);
    assert.deepEqual(result.models.map((m) => m.name), ['PointNet.build']);
    assert.match(model(result, 'PointNet.build').docComments[0].text, /permutation/);
    assert.deepEqual(result.orphans.map((o) => o.name), ['Empty']);
  });
});

describe('extraction: other files', () => {
  const helpers = `import * as tf from '@tensorflow/tfjs';
export const KERNEL = 5;
export function convBlock(x: tf.SymbolicTensor, filters: number) {
  const y = tf.layers.conv2d({filters, kernelSize: KERNEL, padding: 'same'}).apply(x) as tf.SymbolicTensor;
  return tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
}
export default function addHead(model: tf.Sequential) {
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({units: 10}));
}`;

  it('follows helpers imported with a .js specifier onto the .ts file', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
import addHead, {convBlock} from './blocks/helpers.js';
export function net() {
  const input = tf.input({shape: [20, 20, 1]});
  const out = convBlock(input, 4);
  return tf.model({inputs: input, outputs: out});
}
export function classic() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({inputShape: [20, 20, 1], filters: 2, kernelSize: 3}));
  addHead(model);
  return model;
}`, { files: { '/project/src/blocks/helpers.ts': helpers } });
    const net = model(result, 'net');
    assert.deepEqual(kinds(net), ['conv2d', 'batchNormalization']);
    assert.equal(net.layers[0].config.values.kernelSize, 5);
    assert.equal(net.layers[0].span.file, '/project/src/blocks/helpers.ts');
    assert.deepEqual(net.layers[0].callStack.map((s) => spanText(text, s)), ['convBlock(input, 4)']);
    assert.deepEqual(kinds(model(result, 'classic')), ['conv2d', 'flatten', 'dense']);
  });

  it('follows namespace imports, index files, re-exports and require of user modules', () => {
    const { result } = extract(`const tf = require('@tensorflow/tfjs');
const blocks = require('./blocks');
import * as more from './more';
function build() {
  const input = tf.input({shape: [8, 8, 2]});
  const x = blocks.convBlock(input, 3);
  const y = more.convBlock(x, 6);
  return tf.model({inputs: input, outputs: y});
}`, {
      fileName: '/project/src/model.js',
      files: {
        '/project/src/blocks/index.ts': `export * from './helpers';`,
        '/project/src/blocks/helpers.ts': helpers,
        '/project/src/more.js': `const h = require('./blocks/helpers');\nmodule.exports = { convBlock: h.convBlock };`,
      },
    });
    assert.deepEqual(kinds(model(result, 'build')), ['conv2d', 'batchNormalization', 'conv2d', 'batchNormalization']);
    assert.deepEqual(model(result, 'build').layers.map((l) => l.config.values.filters), [3, 3, 6, 6].map((n, i) => (i % 2 === 0 ? n : undefined)));
  });

  it('does not resolve imports that are never used', () => {
    const { provider } = extract(`import * as tf from '@tensorflow/tfjs';
import {unused} from './nowhere';
import {alsoUnused} from '@app/aliased';
export const m = tf.sequential({layers: [tf.layers.dense({inputShape: [1], units: 1})]});`);
    assert.deepEqual(provider.requested.filter((f) => f !== '/project/src/model.ts'), []);
  });
});

describe('extraction: more idioms', () => {
  it('reports a model built in the constructor of a plain class under the class name', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export class Agent {
  private model: tf.Sequential;
  constructor(private readonly actions = 4) {
    this.model = tf.sequential();
    this.model.add(tf.layers.dense({inputShape: [16], units: this.actions}));
  }
}`);
    const graph = model(result, 'Agent');
    assert.deepEqual(kinds(graph), ['dense']);
    assert.equal(graph.layers[0].config.values.units, 4);
    assert.equal(spanText(text, graph.nameSpan), 'Agent');
    assert.match(graph.docComments[0].text, /@symmetry/);
    assert.deepEqual(result.orphans, []);
  });

  it('treats tf.layers.input as tf.input and a `declare const tf` as the global namespace', () => {
    const { result } = extract(`declare const tf: any;
export function build() {
  const x = tf.layers.input({shape: [5, 3]});
  const y = tf.layers.globalAveragePooling1d().apply(x);
  return tf.model({inputs: x, outputs: y});
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['globalAveragePooling1d']);
    assert.deepEqual(graph.inputs[0].shape, [5, 3]);
  });

  it('keeps the data flow through layers it cannot see, as custom layers with an open config', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
import {makeAttention} from 'third-party-attention';
export function build(extra: tf.layers.Layer) {
  const x = tf.input({shape: [10, 8]});
  const a = makeAttention({heads: 2}).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({units: 1}).apply(a);
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [3], units: 3}));
  model.add(extra);
  return tf.model({inputs: x, outputs: y});
}`);
    const functional = result.models.find((m) => m.construction === 'functional')!;
    assert.deepEqual(kinds(functional), ['makeAttention', 'dense']);
    assert.equal(functional.layers[0].origin, 'custom');
    assert.ok(functional.layers[0].config.openSpread instanceof NotConstant);
    assert.deepEqual(functional.layers[1].inputs, [functional.layers[0].output]);
    const sequential = result.models.find((m) => m.construction === 'sequential')!;
    assert.deepEqual(kinds(sequential), ['dense', 'extra']);
    assert.match(sequential.layers[1].config.openSpread!.reason, /parameter 'extra'/);
  });

  it('resolves .mjs helpers and absolute specifiers', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
import {head} from './head.mjs';
import {stem} from '/project/lib/stem';
export function build() {
  const model = tf.sequential();
  stem(model);
  head(model);
  return model;
}`, {
      files: {
        '/project/src/head.mjs': `import * as tf from '@tensorflow/tfjs';\nexport const head = (m) => m.add(tf.layers.dense({units: 2}));`,
        '/project/lib/stem.js': `const tf = require('@tensorflow/tfjs');\nexports.stem = function (m) { m.add(tf.layers.dense({inputShape: [7], units: 7})); };`,
      },
    });
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['dense', 'dense']);
    assert.deepEqual(graph.inputs[0].shape, [7]);
  });

  it('reads embedding inputLength and dtype as the input', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export const textModel = tf.sequential({layers: [
  tf.layers.embedding({inputDim: 500, outputDim: 8, inputLength: 12, dtype: 'int32'}),
  tf.layers.globalAveragePooling1d(),
]});`);
    const graph = model(result, 'textModel');
    assert.deepEqual(graph.inputs[0].shape, [12]);
    assert.equal(graph.inputs[0].dtype, 'int32');
  });
});

describe('extraction: several models in one unit', () => {
  it('gives the holder to the returned model and names the others after their variables', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function build() {
  const backbone = new tf.Sequential();
  backbone.add(tf.layers.conv2d({inputShape: [10, 10, 1], filters: 2, kernelSize: 3}));
  const model = tf.sequential();
  model.add(backbone);
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}`);
    assert.deepEqual(result.models.map((m) => m.name).sort(), ['build', 'build.backbone']);
    assert.deepEqual(kinds(model(result, 'build')), ['conv2d', 'globalAveragePooling2d']);
    assert.deepEqual(model(result, 'build').inputs[0].shape, [10, 10, 1]);
    assert.equal(model(result, 'build').docComments.length, 1);
    assert.deepEqual(model(result, 'build.backbone').docComments, []);
    assert.deepEqual(kinds(model(result, 'build.backbone')), ['conv2d']);
  });

  it('sets the creation span of a subclass model to its super() call', () => {
    const { result, text } = extract(`import {Sequential, layers} from '@tensorflow/tfjs';
export class Tiny extends Sequential {
  constructor() {
    super({name: 'tiny'});
    this.add(layers.dense({inputShape: [2], units: 2}));
  }
}`);
    const graph = model(result, 'Tiny');
    assert.equal(spanText(text, graph.creationSpan), "super({name: 'tiny'})");
    assert.equal(spanText(text, graph.nameSpan), 'Tiny');
    assert.deepEqual(kinds(graph), ['dense']);
  });
});
