// Static shape inference: tfjs size formulas for windows, transposed convolutions, reshapes,
// recurrent and wrapper layers, merges and borders; unknown values stay unknown.
import assert from 'node:assert/strict';
import type { ConstValue } from '../../server/src/analysis/graph';
import { inferShapes } from '../../server/src/analysis/shapes';
import { GraphBuilder, notConstant, sequential, type LayerOptions } from './graphBuilder';

/** The output shape of one layer applied to an input of `inputShape`. */
function outputOf(inputShape: (number | null)[] | undefined, kind: string, config: Record<string, ConstValue>, options?: LayerOptions) {
  const graph = sequential(inputShape, [[kind, config, options]]);
  return inferShapes(graph)[graph.outputs[0]];
}

describe('shapes', () => {
  const cases: [string, (number | null)[] | undefined, string, Record<string, ConstValue>, (number | null)[] | undefined, LayerOptions?][] = [
    ['valid conv: n - k + 1', [28, 28, 1], 'conv2d', { filters: 8, kernelSize: 3 }, [26, 26, 8]],
    ['same conv stride 2: ceil(n / s)', [25, 25, 1], 'conv2d', { filters: 4, kernelSize: 3, strides: 2, padding: 'same' }, [13, 13, 4]],
    ['valid conv stride 2: ceil((n - k + 1) / s)', [28, 28, 1], 'conv2d', { filters: 4, kernelSize: 3, strides: 2 }, [13, 13, 4]],
    ['dilated valid conv', [28, 28, 1], 'conv2d', { filters: 4, kernelSize: 3, dilationRate: 2 }, [24, 24, 4]],
    ['per-axis kernel and strides', [28, 30, 1], 'conv2d', { filters: 2, kernelSize: [3, 5], strides: [1, 2] }, [26, 13, 2]],
    ['conv1d causal', [20, 4], 'conv1d', { filters: 6, kernelSize: 3, padding: 'causal' }, [20, 6]],
    ['conv3d', [8, 8, 8, 1], 'conv3d', { filters: 2, kernelSize: 3, padding: 'same' }, [8, 8, 8, 2]],
    ['depthwise multiplies channels', [16, 16, 3], 'depthwiseConv2d', { kernelSize: 3, depthMultiplier: 2 }, [14, 14, 6]],
    ['transposed same: n * s', [7, 7, 4], 'conv2dTranspose', { filters: 2, kernelSize: 3, strides: 2, padding: 'same' }, [14, 14, 2]],
    ['transposed valid: n * s + max(k - s, 0)', [7, 7, 4], 'conv2dTranspose', { filters: 2, kernelSize: 3, strides: 2 }, [15, 15, 2]],
    ['pooling defaults: 2x2, strides = pool size', [28, 28, 3], 'maxPooling2d', {}, [14, 14, 3]],
    ['pool 3 without strides strides by 3', [28, 28, 3], 'averagePooling2d', { poolSize: 3 }, [9, 9, 3]],
    ['pool same', [25, 25, 3], 'maxPool2d', { poolSize: 2, padding: 'same' }, [13, 13, 3]],
    ['pool 1d', [21, 3], 'maxPooling1d', {}, [10, 3]],
    ['global pooling keeps channels', [7, 7, 16], 'globalAveragePooling2d', {}, [16]],
    ['flatten', [7, 7, 8], 'flatten', {}, [392]],
    ['reshape with -1', [7, 7, 8], 'reshape', { targetShape: [-1, 8] }, [49, 8]],
    ['dense replaces the last axis', [10, 3], 'dense', { units: 16 }, [10, 16]],
    ['embedding appends the output dimension', [20], 'embedding', { inputDim: 100, outputDim: 32 }, [20, 32]],
    ['lstm with returnSequences', [20, 8], 'lstm', { units: 16, returnSequences: true }, [20, 16]],
    ['gru without returnSequences', [20, 8], 'gru', { units: 16 }, [16]],
    ['rnn takes units from its cell', [20, 8], 'rnn', { returnSequences: true }, [20, 5], { inner: ['simpleRNNCell', { units: 5 }] }],
    ['bidirectional concat doubles units', [20, 8], 'bidirectional', {}, [20, 32], { inner: ['lstm', { units: 16, returnSequences: true }] }],
    ['bidirectional sum keeps units', [20, 8], 'bidirectional', { mergeMode: 'sum' }, [16], { inner: ['lstm', { units: 16 }] }],
    ['convLstm2d', [5, 16, 16, 3], 'convLstm2d', { filters: 4, kernelSize: 3, padding: 'same', returnSequences: true }, [5, 16, 16, 4]],
    ['timeDistributed applies the inner layer per step', [5, 10], 'timeDistributed', {}, [5, 8], { inner: ['dense', { units: 8 }] }],
    ['timeDistributed conv2d', [5, 28, 28, 1], 'timeDistributed', {}, [5, 26, 26, 4], { inner: ['conv2d', { filters: 4, kernelSize: 3 }] }],
    ['cropping2D', [28, 28, 1], 'cropping2D', { cropping: [[1, 1], [2, 2]] }, [26, 24, 1]],
    ['zeroPadding2d default pads 1', [28, 28, 1], 'zeroPadding2d', {}, [30, 30, 1]],
    ['zeroPadding2d [h, w]', [28, 28, 1], 'zeroPadding2d', { padding: [1, 2] }, [30, 32, 1]],
    ['upSampling2d', [14, 14, 1], 'upSampling2d', {}, [28, 28, 1]],
    ['permute', [10, 3], 'permute', { dims: [2, 1] }, [3, 10]],
    ['repeatVector', [8], 'repeatVector', { n: 4 }, [4, 8]],
    ['resizing', [28, 28, 3], 'resizing', { height: 32, width: 16 }, [32, 16, 3]],
    ['centerCrop', [28, 28, 3], 'centerCrop', { height: 24, width: 24 }, [24, 24, 3]],
    ['categoryEncoding multiHot', [12], 'categoryEncoding', { numTokens: 50 }, [50]],
    ['CircularPad2D', [16, 16, 3], 'CircularPad2D', { padding: 2 }, [20, 20, 3], { origin: 'library' }],
    ['CircularPad1D', [16, 3], 'CircularPad1D', { padding: 2 }, [20, 3], { origin: 'library' }],
    ['CircularPad3D per axis', [4, 5, 6, 2], 'CircularPad3D', { padding: [1, 0, 2] }, [6, 5, 10, 2], { origin: 'library' }],
    ['BlurPool1D rounds up', [15, 3], 'BlurPool1D', { stride: 2 }, [8, 3], { origin: 'library' }],
    ['BlurPool3D', [8, 9, 6, 2], 'BlurPool3D', { stride: 3 }, [3, 3, 2, 2], { origin: 'library' }],
    ['SetPool removes the set axis', [10, 4], 'SetPool', {}, [4], { origin: 'library' }],
    ['a non-constant kernel size gives unknown sizes', [28, 28, 1], 'conv2d', { filters: 8, kernelSize: notConstant() }, [null, null, 8]],
    ['a custom layer has an unknown shape', [28, 28, 1], 'MyLayer', {}, undefined, { origin: 'custom' }],
    ['an undeclared input takes its rank from a conv2d', undefined, 'conv2d', { filters: 8, kernelSize: 3 }, [null, null, 8]],
    ['a rank known with sizes unknown ([h, w, c] from parameters) keeps the rank', [null, null, null], 'conv2d', { filters: 8, kernelSize: 3, strides: 2 }, [null, null, 8]],
    ['channels-first conv keeps the channels in front', [3, 28, 28], 'conv2d', { filters: 8, kernelSize: 3, dataFormat: 'channelsFirst' }, [8, 26, 26]],
    ['channels-first transposed conv', [4, 7, 7], 'conv2dTranspose', { filters: 2, kernelSize: 2, strides: 2, dataFormat: 'channelsFirst' }, [2, 14, 14]],
    ['channels-first pooling', [3, 28, 28], 'maxPooling2d', { dataFormat: 'channelsFirst' }, [3, 14, 14]],
    ['channels-first zero padding pads H and W', [3, 28, 28], 'zeroPadding2d', { padding: [1, 2], dataFormat: 'channelsFirst' }, [3, 30, 32]],
    ['channels-first upsampling', [3, 14, 14], 'upSampling2d', { dataFormat: 'channelsFirst' }, [3, 28, 28]],
    ['channels-first global pooling keeps the channels', [16, 7, 7], 'globalAveragePooling2d', { dataFormat: 'channelsFirst' }, [16]],
  ];
  for (const [name, input, kind, config, expected, options] of cases) {
    it(name, () => assert.deepEqual(outputOf(input, kind, config, options), expected));
  }

  it('concatenate sums the concatenation axis', () => {
    const builder = new GraphBuilder();
    const left = builder.input([5, 5, 3]);
    const right = builder.input([5, 5, 4]);
    const channels = builder.layer('concatenate', {}, [left, right]);
    const rows = builder.layer('concatenate', { axis: 1 }, [left, left]);
    const shapes = inferShapes(builder.build([channels, rows]));
    assert.deepEqual(shapes[channels], [5, 5, 7]);
    assert.deepEqual(shapes[rows], [10, 5, 3]);
  });

  it('propagates through a chain', () => {
    const graph = sequential([28, 28, 1], [
      ['conv2d', { filters: 8, kernelSize: 3, padding: 'same' }],
      ['maxPooling2d', {}],
      ['conv2d', { filters: 16, kernelSize: 3 }],
      ['flatten', {}],
      ['dense', { units: 10 }],
    ]);
    assert.deepEqual(inferShapes(graph), [[28, 28, 1], [28, 28, 8], [14, 14, 8], [12, 12, 16], [2304], [10]]);
  });

  it('takes an assumed shape for an input that declares none, and only for it', () => {
    const graph = sequential(undefined, [['flatten', {}], ['dense', { units: 10 }]]);
    assert.equal(inferShapes(graph)[graph.outputs[0]], undefined);
    const assumed = inferShapes(graph, new Map([[graph.inputs[0].tensor, [null, null, null]]]));
    assert.deepEqual(assumed[graph.layers[0].output], [null]);
    assert.deepEqual(assumed[graph.outputs[0]], [10]);
    const declared = sequential([4, 4, 2], [['flatten', {}]]);
    assert.deepEqual(inferShapes(declared, new Map([[declared.inputs[0].tensor, [null, null]]]))[declared.outputs[0]], [32]);
  });

  it('gives tf.layers.dot the left input\'s free axes, then the right one\'s', () => {
    const builder = new GraphBuilder();
    const left = builder.input([10, 6]);
    const right = builder.input([12, 6]);
    const pairs = builder.layer('dot', { axes: -1 }, [left, right]);
    const vector = builder.input([6]);
    const scalar = builder.layer('dot', { axes: 1 }, [vector, vector]);
    const shapes = inferShapes(builder.build([pairs, scalar]));
    assert.deepEqual(shapes[pairs], [10, 12]);
    assert.deepEqual(shapes[scalar], [1]);
  });

  it('takes an undeclared input\'s rank from the first layer that fixes one, through layers that keep any rank', () => {
    const graph = sequential(undefined, [['dropout', { rate: 0.1 }], ['activation', { activation: 'elu' }], ['conv1d', { filters: 4, kernelSize: 3 }], ['globalMaxPooling1d', {}]]);
    assert.deepEqual(inferShapes(graph)[graph.inputs[0].tensor], [null, null]);
    // A layer that changes the rank ends the search: its input rank is not the model's.
    const flattened = sequential(undefined, [['dropout', { rate: 0.1 }], ['flatten', {}], ['conv1d', { filters: 4, kernelSize: 3 }]]);
    assert.equal(inferShapes(flattened)[flattened.inputs[0].tensor], undefined);
  });
});
