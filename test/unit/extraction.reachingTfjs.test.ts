// Extraction where tfjs is reached in the ways real code reaches it (every @tensorflow/tfjs*
// package, a require picked by a condition, a dynamic import, tfjs passed in as a parameter)
// and where layers are built in callbacks over arrays whose length is not known statically.
import { strict as assert } from 'node:assert';
import { extract, kinds, model, spanText } from '../fixtures/extraction/harness';

const ONCE = /is not known statically, so the callback is analysed once/;

describe('extraction: reaching tfjs', () => {
  for (const specifier of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    it(`takes a CommonJS require of ${specifier} as tfjs`, () => {
      const { result } = extract(`const tf = require('${specifier}');
function makeNet() {
  const net = tf.sequential();
  net.add(tf.layers.dense({inputShape: [5], units: 4}));
  return net;
}`, { fileName: '/project/src/net.js' });
      assert.deepEqual(kinds(model(result, 'makeNet')), ['dense']);
    });
  }

  it('takes a require chosen by a ternary between two tfjs builds as tfjs, without variants', () => {
    const { result } = extract(`const useGpu = process.env.USE_GPU === '1';
const tf = useGpu ? require('@tensorflow/tfjs-node-gpu') : require('@tensorflow/tfjs-node');
class Classifier {
  build(classes) {
    this.net = tf.sequential();
    this.net.add(tf.layers.conv2d({inputShape: [32, 32, 3], filters: 8, kernelSize: 3}));
    this.net.add(tf.layers.globalAveragePooling2d({}));
    this.net.add(tf.layers.dense({units: classes}));
    return this.net;
  }
}
module.exports = Classifier;`, { fileName: '/project/src/classifier.js' });
    assert.equal(result.models.length, 1, result.models.map((m) => m.name).join(','));
    assert.deepEqual(kinds(result.models[0]), ['conv2d', 'globalAveragePooling2d', 'dense']);
    assert.deepEqual(result.models[0].gaps, []);
  });

  it('takes tfjs picked by || and by a ternary inside require() as tfjs', () => {
    const { result } = extract(`const tfA = require('@tensorflow/tfjs-node-gpu') || require('@tensorflow/tfjs');
const tfB = require(process.env.GPU ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
export const first = tfA.sequential({layers: [tfA.layers.dense({inputShape: [3], units: 2})]});
export const second = tfB.sequential({layers: [tfB.layers.flatten({inputShape: [4, 4]})]});`, { fileName: '/project/src/pair.js' });
    assert.deepEqual(kinds(model(result, 'first')), ['dense']);
    assert.deepEqual(kinds(model(result, 'second')), ['flatten']);
  });

  it('takes a module variable set to tfjs in try/catch or if/else as tfjs inside functions', () => {
    const { result } = extract(`let tf;
try {
  tf = require('@tensorflow/tfjs-node-gpu');
} catch (err) {
  tf = require('@tensorflow/tfjs-node');
}
let tfjs;
if (process.platform === 'darwin') tfjs = require('@tensorflow/tfjs');
else tfjs = require('@tensorflow/tfjs-node');
function encoder(steps) {
  const enc = tf.sequential();
  enc.add(tf.layers.conv1d({inputShape: [steps, 2], filters: 4, kernelSize: 3}));
  return enc;
}
function decoder() {
  const dec = tfjs.sequential();
  dec.add(tfjs.layers.dense({inputShape: [4], units: 2}));
  return dec;
}
module.exports = { encoder, decoder };`, { fileName: '/project/src/codec.js' });
    assert.deepEqual(kinds(model(result, 'encoder')), ['conv1d']);
    assert.deepEqual(kinds(model(result, 'decoder')), ['dense']);
  });

  it('does not take a module variable also set to something else as tfjs', () => {
    const { result } = extract(`let tf;
try {
  tf = require('@tensorflow/tfjs-node');
} catch (err) {
  tf = null;
}
function build() {
  const m = tf.sequential();
  m.add(tf.layers.dense({inputShape: [4], units: 2}));
  return m;
}`, { fileName: '/project/src/fallback.js' });
    assert.deepEqual(result.models.flatMap((m) => kinds(m)), []);
  });

  it('does not take a ternary between tfjs and another module as tfjs', () => {
    const { result } = extract(`const tf = process.env.MOCK ? require('./fakeTf') : require('@tensorflow/tfjs');
export function build() {
  const m = tf.sequential();
  m.add(tf.layers.dense({inputShape: [3], units: 2}));
  return m;
}`, { fileName: '/project/src/maybe.js' });
    assert.deepEqual(result.models.flatMap((m) => kinds(m)), []);
  });

  it('follows a dynamic import, awaited or through then()', () => {
    const { result } = extract(`export async function loadAndBuild() {
  const tf = await import('@tensorflow/tfjs');
  const seq = tf.sequential();
  seq.add(tf.layers.dense({inputShape: [6], units: 3}));
  return seq;
}
export function buildLater() {
  return import('@tensorflow/tfjs').then((tfjs) => {
    const seq = tfjs.sequential();
    seq.add(tfjs.layers.embedding({inputDim: 10, outputDim: 4, inputLength: 7}));
    return seq;
  });
}`);
    assert.deepEqual(kinds(model(result, 'loadAndBuild')), ['dense']);
    // The callback is a unit of its own, named after its model variable.
    assert.deepEqual(result.models.filter((m) => m.name !== 'loadAndBuild').map((m) => kinds(m)), [['embedding']]);
  });

  it('takes a builder parameter used as the tfjs namespace as tfjs', () => {
    const { result } = extract(`import type { LayersModel } from '@tensorflow/tfjs';
export function buildTagger(tfLib, inputShape, depth = 2): LayersModel {
  const net = tfLib.sequential();
  net.add(tfLib.layers.inputLayer({inputShape}));
  function regularise() {
    net.add(tfLib.layers.dropout({rate: 0.1}));
  }
  for (let i = 0; i < depth; i++) {
    net.add(tfLib.layers.conv1d({filters: 8, kernelSize: 5, padding: 'same'}));
    regularise();
  }
  net.add(tfLib.layers.globalMaxPooling1d({}));
  return net;
}`);
    assert.deepEqual(kinds(model(result, 'buildTagger')), ['conv1d', 'dropout', 'conv1d', 'dropout', 'globalMaxPooling1d']);
  });

  it('takes tfjs destructured from an options parameter as tfjs', () => {
    const { result } = extract(`import type * as TF from '@tensorflow/tfjs-node';
export const buildScorer = ({ tf, features }: { tf: typeof TF; features: number }) => {
  const scorer = tf.sequential();
  scorer.add(tf.layers.dense({inputShape: [features], units: 1}));
  return scorer;
};`);
    assert.deepEqual(kinds(model(result, 'buildScorer')), ['dense']);
  });

  it('takes a parameter as tfjs from its use alone when the call shape is unmistakable', () => {
    // No import and no mention of the package: creation and layer factories on one parameter.
    const { result } = extract(`module.exports = function (lib) {
  const { layers } = lib;
  const x = lib.input({shape: [12]});
  const y = layers.dense({units: 2}).apply(x);
  return lib.model({inputs: x, outputs: y});
};`, { fileName: '/project/src/plain.js' });
    assert.equal(result.models.length, 1);
    assert.deepEqual(kinds(result.models[0]), ['dense']);
  });

  it('leaves a parameter with only one creation-like call, in a file that never names tfjs, unknown', () => {
    const { result } = extract(`function register(db) {
  const user = db.model({inputs: 'name', outputs: 'id'});
  return user;
}`, { fileName: '/project/src/db.js' });
    assert.deepEqual(result.models.flatMap((m) => kinds(m)), []);
    assert.ok(!result.models.some((m) => m.name === 'register' && m.construction === 'functional' && m.layers.length > 0));
  });

  it('follows a model kept on the worker global self, and tfjs read from window', () => {
    const { result } = extract(`/* global importScripts */
importScripts('https://cdn.example/tf.min.js');
self.buildRecurrent = (steps, units) => {
  self.net = window.tf.sequential();
  self.net.add(tf.layers.gru({units, inputShape: [steps, 1]}));
  self.net.add(tf.layers.dense({units: 1}));
  return self.net;
};`, { fileName: '/project/web/worker.js' });
    assert.equal(result.models.length, 1);
    assert.deepEqual(kinds(result.models[0]), ['gru', 'dense']);
  });

  it('still reads a browser global tf', () => {
    const { result } = extract(`function makeModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({inputShape: [2], units: 1}));
  return model;
}`, { fileName: '/project/web/app.js' });
    assert.deepEqual(kinds(model(result, 'makeModel')), ['dense']);
  });
});

describe('extraction: callbacks over arrays of unknown length', () => {
  it('runs a forEach over a parameter array once and says so', () => {
    const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
export function stack(hidden) {
  const net = tf.sequential();
  net.add(tf.layers.flatten({inputShape: [8, 8]}));
  hidden.forEach((spec) => {
    net.add(tf.layers.dense({units: spec.units, activation: spec.activation}));
  });
  net.add(tf.layers.dense({units: 3}));
  return net;
}`);
    const graph = model(result, 'stack');
    assert.deepEqual(kinds(graph), ['flatten', 'dense', 'dense']);
    assert.equal(graph.gaps.length, 1, JSON.stringify(graph.gaps));
    assert.match(graph.gaps[0].message, ONCE);
    assert.equal(spanText(text, graph.gaps[0].span), 'hidden');
  });

  it('builds a sequential from a map over a parameter array', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function towers(widths) {
  return tf.sequential({
    layers: [tf.layers.inputLayer({inputShape: [10]}), ...widths.map((w) => tf.layers.dense({units: w}))],
  });
}`);
    const graph = model(result, 'towers');
    assert.deepEqual(kinds(graph), ['dense']);
    assert.match(graph.gaps[0]?.message ?? '', ONCE);
  });

  it('follows a reduce that applies layers of an unknown array to a tensor', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function chain(blocks) {
  const input = tf.input({shape: [16, 16, 3]});
  const body = blocks.reduce((x, filters) => tf.layers.conv2d({filters, kernelSize: 3}).apply(x), input);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(body);
  return tf.model({inputs: input, outputs: pooled});
}`);
    const graph = model(result, 'chain');
    assert.deepEqual(kinds(graph), ['conv2d', 'globalAveragePooling2d']);
    assert.match(graph.gaps.map((g) => g.message).join('\n'), ONCE);
  });

  it('runs a reduce whose accumulator is the model once, with index 0', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function recurrent(sizes, steps, features) {
  const net = sizes.reduce((m, units, i) => {
    m.add(tf.layers.lstm({units, returnSequences: true, inputShape: i === 0 ? [steps, features] : undefined}));
    return m;
  }, tf.sequential());
  net.add(tf.layers.dense({units: features}));
  return net;
}`);
    const graph = model(result, 'recurrent');
    assert.deepEqual(kinds(graph), ['lstm', 'dense']);
    assert.equal(graph.inputs[0].shape?.length, 2);
  });

  for (const [title, loop] of [
    ['new Array(n).fill(0).forEach', 'new Array(depth).fill(0).forEach(() => net.add(tf.layers.conv1d({filters: 4, kernelSize: 3})));'],
    ['Array.from({length: n}, fn)', 'Array.from({length: depth}, () => net.add(tf.layers.conv1d({filters: 4, kernelSize: 3})));'],
    ['[...Array(n)].map(fn)', '[...Array(depth)].map(() => net.add(tf.layers.conv1d({filters: 4, kernelSize: 3})));'],
    ['for-of over Array(n).keys()', 'for (const k of Array(depth).keys()) net.add(tf.layers.conv1d({filters: 4, kernelSize: 3}));'],
  ]) {
    it(`runs ${title} with n unknown once`, () => {
      const { result, text } = extract(`import * as tf from '@tensorflow/tfjs';
export function repeated(depth) {
  const net = tf.sequential();
  net.add(tf.layers.inputLayer({inputShape: [20, 2]}));
  ${loop}
  net.add(tf.layers.globalAveragePooling1d({}));
  return net;
}`);
      const graph = model(result, 'repeated');
      assert.deepEqual(kinds(graph), ['conv1d', 'globalAveragePooling1d']);
      assert.equal(graph.gaps.length, 1, JSON.stringify(graph.gaps));
      assert.match(graph.gaps[0].message, /analysed once/);
      assert.match(spanText(text, graph.gaps[0].span), /depth/);
    });
  }

  it('still unrolls new Array(n) when n is known', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function fixed(depth = 3) {
  const net = tf.sequential();
  net.add(tf.layers.inputLayer({inputShape: [20, 2]}));
  new Array(depth).fill(null).forEach(() => net.add(tf.layers.conv1d({filters: 4, kernelSize: 3})));
  return net;
}`);
    const graph = model(result, 'fixed');
    assert.deepEqual(kinds(graph), ['conv1d', 'conv1d', 'conv1d']);
    assert.deepEqual(graph.gaps, []);
  });

  it('records no gap for a callback over an unknown array that builds no layers', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function withLabels(labels) {
  const names = labels.map((l) => l.name.toUpperCase());
  const net = tf.sequential();
  net.add(tf.layers.dense({inputShape: [4], units: 2}));
  return net;
}`);
    const graph = model(result, 'withLabels');
    assert.deepEqual(kinds(graph), ['dense']);
    assert.deepEqual(graph.gaps, []);
  });
});
