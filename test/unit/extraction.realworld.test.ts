// Extraction on idioms met in public tfjs example code: architecture switches on a run-time
// option, recurrent layers returning their states, several models built side by side, and
// data-preparation loops next to the model code.
import { strict as assert } from 'node:assert';
import { extract, kinds, model } from '../fixtures/extraction/harness';

describe('extraction: idioms from real-world tfjs code', () => {
  it('analyses each case of a switch on a run-time option as a variant, dropping the one that throws', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function createModel(rnnType, hiddenSize) {
  const model = tf.sequential();
  switch (rnnType) {
    case 'SimpleRNN':
      model.add(tf.layers.simpleRNN({units: hiddenSize, inputShape: [7, 12]}));
      break;
    case 'LSTM':
      model.add(tf.layers.lstm({units: hiddenSize, inputShape: [7, 12]}));
      break;
    default:
      throw new Error('unsupported');
  }
  model.add(tf.layers.dense({units: 12}));
  return model;
}`);
    const variants = result.models.filter((candidate) => candidate.name === 'createModel');
    assert.deepEqual(variants.map((graph) => [graph.variant, kinds(graph)]), [
      ["rnnType === 'SimpleRNN'", ['simpleRNN', 'dense']],
      ["rnnType === 'LSTM'", ['lstm', 'dense']],
    ]);
    assert.deepEqual(variants[1].inputs[0].shape, [7, 12]);
    assert.deepEqual(variants.flatMap((graph) => graph.gaps), []);
  });

  it('follows a layer assigned in a switch and added later', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function getModel(modelType) {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({inputShape: [20, 8]}));
  let recurrent;
  switch (modelType) {
    case 'lstm':
      recurrent = tf.layers.lstm({units: 8, returnSequences: true});
      break;
    case 'bidirectional-lstm':
      recurrent = tf.layers.bidirectional({layer: tf.layers.lstm({units: 8, returnSequences: true})});
      break;
  }
  model.add(recurrent);
  return model;
}`);
    assert.deepEqual(kinds(model(result, 'getModel')), ['lstm']);
  });

  it('gives an RNN with returnState one tensor per returned value', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function seq2seq() {
  const encoderInputs = tf.layers.input({shape: [null, 30]});
  const encoder = tf.layers.lstm({units: 16, returnState: true});
  const [, stateH, stateC] = encoder.apply(encoderInputs);
  const decoderInputs = tf.layers.input({shape: [null, 40]});
  const decoder = tf.layers.lstm({units: 16, returnSequences: true, returnState: true});
  const [decoderOutputs] = decoder.apply([decoderInputs, stateH, stateC]);
  const outputs = tf.layers.dense({units: 40}).apply(decoderOutputs);
  return tf.model({inputs: [encoderInputs, decoderInputs], outputs});
}`);
    const graph = model(result, 'seq2seq');
    assert.deepEqual(kinds(graph), ['lstm', 'lstm', 'dense']);
    const decoderLayer = graph.layers[1];
    assert.equal(decoderLayer.inputs.length, 3);
    assert.equal(decoderLayer.inputs[1], graph.layers[0].output);
    assert.deepEqual(graph.gaps, []);
  });

  it('names several models built side by side after their variables', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
function main() {
  const input = tf.input({shape: [8, 8, 1]});
  const features = tf.layers.conv2d({filters: 2, kernelSize: 1}).apply(input);
  const encoder = tf.model({inputs: input, outputs: features});
  const pooled = tf.layers.globalAveragePooling2d({}).apply(features);
  const classifier = tf.model({inputs: input, outputs: pooled});
  return [encoder, classifier].length;
}`);
    assert.deepEqual(result.models.map((m) => m.name).sort(), ['main.classifier', 'main.encoder']);
    for (const graph of result.models) assert.equal(graph.docComments.length, 1, graph.name);
  });

  it('records no gap for a data loop with an unknown bound that builds no layers', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
function tokenize(lines) {
  const vocabulary = new Set();
  for (const line of lines) for (const word of line.split(' ')) vocabulary.add(word);
  return vocabulary.size;
}
export function build(lines) {
  const size = tokenize(lines);
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: size, outputDim: 8, inputLength: 10}));
  for (let i = 0; i < lines.length; i++) model.add(tf.layers.dense({units: 8}));
  return model;
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['embedding', 'dense']);
    assert.equal(graph.gaps.length, 1, JSON.stringify(graph.gaps));
    assert.match(graph.gaps[0].message, /`i < lines.length` is not a compile-time constant/);
  });
});
