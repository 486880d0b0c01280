// Table-driven inference tests: hand-built layer graphs and declarations, expected per-layer
// states and first-break falls (level, cause, blamed layer, repeats), one table per group.
import assert from 'node:assert/strict';
import type { ConstValue, ModelGraph } from '../../server/src/analysis/graph';
import { describeState, type SymmetryDeclaration } from '../../server/src/analysis/symmetry';
import { inferShapes } from '../../server/src/analysis/shapes';
import { inferDeclaration } from '../../server/src/analysis/inference';
import { GraphBuilder, declare, notConstant, sequential } from './graphBuilder';
import { summarizeFalls, summarizeState, type FallSummary } from './inferenceSummary';

interface Case {
  name: string;
  graph: ModelGraph;
  declaration: SymmetryDeclaration;
  /** Expected state of each layer's output, in layer order. */
  states?: string[];
  falls?: FallSummary[];
  outputs?: string[];
  /** Cause codes of the analysis gaps. */
  gaps?: string[];
}

function infer(graph: ModelGraph, declaration: SymmetryDeclaration) {
  return inferDeclaration(graph, inferShapes(graph), declaration);
}

function runTable(cases: Case[]): void {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = infer(testCase.graph, testCase.declaration);
      assert.equal(result.mismatch, undefined, result.mismatch?.message);
      if (testCase.states) assert.deepEqual(result.layerStates.map(summarizeState), testCase.states);
      if (testCase.falls) assert.deepEqual(summarizeFalls(result), testCase.falls);
      if (testCase.outputs) assert.deepEqual(result.outputStates.map(summarizeState), testCase.outputs);
      if (testCase.gaps) assert.deepEqual(result.gaps.map((gap) => gap.code), testCase.gaps);
    });
  }
}

const conv = (kernelSize: number, extra: Record<string, number | string | boolean> = {}): [string, Record<string, number | string | boolean>] => [
  'conv2d',
  { filters: 8, kernelSize, ...extra },
];
const lib = { origin: 'library' as const };

/** The measured P4 network of machine-facts.md: lifting conv (3x3, same, stride 2), max over rotations, mean. */
function p4Network(size: number): ModelGraph {
  return sequential([size, size, 1], [
    ['P4ConvLifting2D', { filters: 4, kernelSize: 3, strides: 2, padding: 'same' }, lib],
    ['P4GroupPool', {}, lib],
    ['globalAveragePooling2d', {}],
  ]);
}

function concatenated(axis: number, then: [string, Record<string, number | string>][]): ModelGraph {
  const builder = new GraphBuilder();
  const left = builder.input([16, 8, 3]);
  const right = builder.input([16, 8, 3]);
  let tensor = builder.layer('concatenate', { axis }, [left, right]);
  for (const [kind, config] of then) tensor = builder.layer(kind, config, tensor);
  return builder.build([tensor]);
}

describe('inference: translation', () => {
  runTable([
    {
      name: 'a same 3x3 convolution is approx(zero padding); global pooling makes it invariant',
      graph: sequential([24, 24, 1], [conv(3, { padding: 'same' }), ['globalAveragePooling2d', {}], ['dense', { units: 10 }]]),
      declaration: declare('invariant', 'translation'),
      states: ['approx', 'invariant(approx)', 'invariant(approx)'],
      falls: [['approx', 'zero-padding', 0, 0]],
    },
    {
      name: 'ten zero-padded convolutions give one approx fall with nine repeats',
      graph: sequential([32, 32, 3], [...Array.from({ length: 10 }, () => conv(3, { padding: 'same' })), ['globalMaxPooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [['approx', 'zero-padding', 0, 9]],
      outputs: ['invariant(approx)'],
    },
    {
      name: 'a 1x1 stride-1 convolution keeps translation exactly',
      graph: sequential([24, 24, 3], [conv(1), ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: "a 'valid' convolution crops",
      graph: sequential([24, 24, 3], [conv(3)]),
      declaration: declare('equivariant', 'translation'),
      falls: [['approx', 'cropping', 0, 0]],
    },
    {
      name: 'a strided padded convolution falls to subgroup(2) and records the padding too',
      graph: sequential([24, 24, 3], [conv(3, { strides: 2, padding: 'same' }), conv(3, { padding: 'same' })]),
      declaration: declare('equivariant', 'translation'),
      states: ['subgroup(2)', 'subgroup(2)'],
      falls: [
        ['approx', 'zero-padding', 0, 1],
        ['subgroup', 'stride', 0, 0],
      ],
    },
    {
      name: 'pooling 2x2 on an even size is subgroup(2) without border loss; pool strides default to the pool size',
      graph: sequential([24, 24, 3], [['maxPooling2d', { poolSize: 2 }], ['averagePooling2d', { poolSize: [3, 3] }]]),
      declaration: declare('equivariant', 'translation'),
      states: ['subgroup(2)', 'subgroup(6)'],
      falls: [['subgroup', 'stride', 0, 1]],
    },
    {
      name: 'pooling 2x2 on an odd size loses the last row: approx and subgroup',
      graph: sequential([25, 25, 3], [['maxPooling2d', {}]]),
      declaration: declare('equivariant', 'translation'),
      falls: [
        ['approx', 'cropping', 0, 0],
        ['subgroup', 'stride', 0, 0],
      ],
    },
    {
      name: "CircularPad2D then a 'valid' 3x3 convolution is exact; a second 'valid' one crops",
      graph: sequential([16, 16, 3], [['CircularPad2D', { padding: 1 }, lib], conv(3), ['reLU', {}], conv(3)]),
      declaration: declare('equivariant', 'translation'),
      states: ['exact', 'exact', 'exact', 'approx'],
      falls: [['approx', 'cropping', 3, 0]],
    },
    {
      name: "CircularPad2D then a stride-2 'valid' conv using exactly the margin: subgroup(2) without border loss, when the size is a multiple of 2",
      graph: sequential([16, 16, 3], [['CircularPad2D', { padding: 1 }, lib], conv(3, { strides: 2 })]),
      declaration: declare('equivariant', 'translation'),
      falls: [['subgroup', 'stride', 1, 0]],
    },
    {
      name: 'the same on an odd size loses the border',
      graph: sequential([15, 15, 3], [['CircularPad2D', { padding: 1 }, lib], conv(3, { strides: 2 })]),
      declaration: declare('equivariant', 'translation'),
      falls: [
        ['approx', 'cropping', 1, 0],
        ['subgroup', 'stride', 1, 0],
      ],
    },
    {
      name: 'a margin of 2 covers two 3x3 valid convolutions with an activation between them',
      graph: sequential([16, 16, 3], [['CircularPad2D', { padding: 2 }, lib], conv(3), ['activation', { activation: 'relu' }], conv(3), ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [],
      outputs: ['invariant(exact)'],
    },
    {
      name: 'flatten then dense breaks, blaming the flatten with the dense as partner',
      graph: sequential([28, 28, 1], [conv(3, { padding: 'same' }), ['flatten', {}], ['dropout', { rate: 0.5 }], ['dense', { units: 10 }], ['dense', { units: 2 }]]),
      declaration: declare('invariant', 'translation'),
      states: ['approx', 'flattened', 'flattened', 'broken:flatten-then-mix@1', 'broken:flatten-then-mix@1'],
      falls: [
        ['approx', 'zero-padding', 0, 0],
        ['broken', 'flatten-then-mix', 1, 0],
      ],
    },
    {
      name: 'a flattened output is broken at the flatten',
      graph: sequential([28, 28, 1], [conv(1), ['flatten', {}]]),
      declaration: declare('equivariant', 'translation'),
      falls: [['broken', 'flattened-output', 1, 0]],
      outputs: ['broken:flattened-output@1'],
    },
    {
      name: 'a reshape that merges H and W, then pooling over the merged axis, is invariant',
      graph: sequential([8, 8, 4], [['reshape', { targetShape: [64, 4] }], ['globalAveragePooling1d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'invariance declared but the output still has spatial axes',
      graph: sequential([28, 28, 1], [conv(1), ['reLU', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [['broken', 'output-not-invariant', 1, 0]],
      outputs: ['broken:output-not-invariant@1'],
    },
    {
      name: 'BlurPool2D is subgroup(stride), anti-aliased',
      graph: sequential([32, 32, 3], [['BlurPool2D', { stride: 2 }, lib], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['subgroup(2)', 'invariant(subgroup(2))'],
      falls: [['subgroup', 'stride', 0, 0]],
    },
    {
      name: "CircularPad1D then a 'valid' conv1d of kernel 3 is exact over time; without the pad it crops",
      graph: sequential([32, 4], [['CircularPad1D', { padding: 1 }, lib], ['conv1d', { filters: 8, kernelSize: 3, padding: 'valid' }], ['conv1d', { filters: 8, kernelSize: 3, padding: 'valid' }]]),
      declaration: declare('equivariant', 'translation'),
      states: ['exact', 'exact', 'approx'],
      falls: [['approx', 'cropping', 2, 0]],
    },
    {
      name: "CircularPad3D with padding 2 covers a 'valid' 5x5x5 conv3d: exactly equivariant",
      graph: sequential([8, 8, 8, 1], [['CircularPad3D', { padding: 2 }, lib], ['conv3d', { filters: 4, kernelSize: 5, padding: 'valid' }]]),
      declaration: declare('equivariant', 'translation'),
      falls: [],
      outputs: ['exact'],
    },
    {
      name: 'CircularPad3D with a smaller depth margin than the kernel needs: the conv3d crops',
      graph: sequential([8, 8, 8, 1], [['CircularPad3D', { padding: [0, 1, 1] }, lib], ['conv3d', { filters: 4, kernelSize: 3, padding: 'valid' }]]),
      declaration: declare('equivariant', 'translation'),
      falls: [['approx', 'cropping', 1, 0]],
    },
    {
      name: 'BlurPool1D and BlurPool3D are subgroup(stride), anti-aliased',
      graph: sequential([32, 3], [['BlurPool1D', { stride: 4 }, lib], ['globalAveragePooling1d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['subgroup(4)', 'invariant(subgroup(4))'],
      falls: [['subgroup', 'stride', 0, 0]],
    },
    {
      name: 'BlurPool3D is subgroup(stride) on a volume',
      graph: sequential([8, 8, 8, 2], [['BlurPool3D', {}, lib]]),
      declaration: declare('equivariant', 'translation'),
      states: ['subgroup(2)'],
    },
    {
      name: 'PolyphasePool2D then global pooling is exactly invariant',
      graph: sequential([32, 32, 3], [['CircularPad2D', { padding: 1 }, lib], conv(3), ['PolyphasePool2D', { stride: 2 }, lib], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [],
      outputs: ['invariant(exact)'],
    },
    {
      name: 'prelu without shared spatial axes has per-position weights',
      graph: sequential([16, 16, 3], [conv(1), ['prelu', {}], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [['broken', 'per-position-weights', 1, 0]],
    },
    {
      name: 'prelu with sharedAxes [1, 2] keeps translation',
      graph: sequential([16, 16, 3], [conv(1), ['prelu', { sharedAxes: [1, 2] }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [],
    },
    {
      name: 'concatenation along W makes the action blockwise; pointwise layers and global pooling keep it',
      graph: concatenated(2, [['conv2d', { filters: 4, kernelSize: 1 }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact/blockwise', 'exact/blockwise', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'a 3x3 kernel across concatenated blocks is approx(block-mixing) under translation',
      graph: concatenated(2, [['conv2d', { filters: 4, kernelSize: 3, padding: 'same' }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [['approx', 'zero-padding', 1, 0]],
      outputs: ['invariant(approx)'],
    },
    {
      name: 'concatenation on the channel axis is the weakest of its inputs',
      graph: (() => {
        const builder = new GraphBuilder();
        const input = builder.input([16, 16, 3]);
        const padded = builder.layer('conv2d', { filters: 4, kernelSize: 3, padding: 'same' }, input);
        const pointwise = builder.layer('conv2d', { filters: 4, kernelSize: 1 }, input);
        const joined = builder.layer('concatenate', {}, [pointwise, padded]);
        return builder.build([builder.layer('globalAveragePooling2d', {}, joined)]);
      })(),
      declaration: declare('invariant', 'translation'),
      states: ['approx', 'exact', 'approx', 'invariant(approx)'],
      falls: [['approx', 'zero-padding', 0, 0]],
    },
    {
      name: 'an unknown custom layer is a gap, and the layers after it are still checked',
      graph: sequential([24, 24, 3], [['MyAttention', {}, { origin: 'custom' }], conv(3, { padding: 'same' }), ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['unknown:unmodelled-layer~exact', 'unknown:unmodelled-layer~approx', 'unknown:unmodelled-layer~invariant(approx)'],
      falls: [['approx', 'zero-padding', 1, 0]],
      gaps: ['unmodelled-layer'],
    },
    {
      name: 'a kernel size that is not a constant is a gap naming the key',
      graph: sequential([24, 24, 3], [['conv2d', { filters: 8, kernelSize: notConstant() }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['unknown:non-constant-config~exact', 'unknown:non-constant-config~invariant(exact)'],
      gaps: ['non-constant-config'],
    },
    {
      name: 'token ids into an embedding: translation acts on the sequence axis',
      graph: sequential([20], [['embedding', { inputDim: 100, outputDim: 16 }], ['conv1d', { filters: 8, kernelSize: 3, padding: 'same' }], ['globalAveragePooling1d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'approx', 'invariant(approx)'],
    },
    {
      name: 'a recurrent layer along the time axis breaks translation',
      graph: sequential([20, 4], [['lstm', { units: 8 }], ['dense', { units: 1 }]]),
      declaration: declare('invariant', 'translation'),
      falls: [['broken', 'recurrent', 0, 0]],
    },
    {
      name: 'timeDistributed(dense) is pointwise along time',
      graph: sequential([20, 4], [['timeDistributed', {}, { inner: ['dense', { units: 8 }] }], ['globalMaxPooling1d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'invariant(exact)'],
    },
  ]);
});

describe('inference: rotation90, flip and dihedral', () => {
  runTable([
    {
      name: 'measured: a stride-2 same P4 network is exact at 25x25',
      graph: p4Network(25),
      declaration: declare('invariant', 'rotation90'),
      states: ['exact', 'exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'measured: the same P4 network at 24x24 is off the grid',
      graph: p4Network(24),
      declaration: declare('invariant', 'rotation90'),
      states: ['subgroup(null)', 'subgroup(null)', 'invariant(subgroup(null))'],
      falls: [['subgroup', 'grid-offset', 0, 0]],
    },
    {
      name: 'plain 3x3 convolutions break rotation: one fall, later kernels are repeats',
      graph: sequential([24, 24, 1], [conv(3, { padding: 'same' }), conv(3, { padding: 'same' }), conv(3, { padding: 'same' }), ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'rotation90'),
      states: ['broken:learned-kernel@0', 'broken:learned-kernel@0', 'broken:learned-kernel@0', 'broken:learned-kernel@0'],
      falls: [['broken', 'learned-kernel', 0, 2]],
    },
    {
      name: 'a 2x2 max pooling on 24x24 keeps rotation exactly; on 25x25 it is off the grid',
      graph: sequential([24, 24, 3], [['maxPooling2d', {}], ['maxPooling2d', {}], ['maxPooling2d', {}], ['maxPooling2d', {}]]),
      declaration: declare('equivariant', 'rotation90'),
      // 24 -> 12 -> 6 -> 3 -> 1: the last pooling drops a row of the 3x3 map.
      states: ['exact', 'exact', 'exact', 'subgroup(null)'],
      falls: [['subgroup', 'grid-offset', 3, 0]],
    },
    {
      name: 'a 1x1 stride-2 convolution: same on 24 is off the grid, valid on 25 is exact',
      graph: sequential([24, 24, 3], [conv(1, { strides: 2, padding: 'same' })]),
      declaration: declare('equivariant', 'rotation90'),
      states: ['subgroup(null)'],
    },
    {
      name: 'a 1x1 stride-2 valid convolution on 25x25 keeps rotation',
      graph: sequential([25, 25, 3], [conv(1, { strides: 2 })]),
      declaration: declare('equivariant', 'dihedral'),
      states: ['exact'],
    },
    {
      name: 'pooling on an unknown size: subgroup whose detail states the size condition',
      graph: sequential([null, null, 3], [['maxPooling2d', {}], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'rotation90'),
      states: ['subgroup(null)', 'invariant(subgroup(null))'],
      falls: [['subgroup', 'grid-offset', 0, 0]],
    },
    {
      name: 'symmetric zero padding keeps rotation, asymmetric breaks it where a window mixes it in',
      graph: sequential([24, 24, 3], [
        ['zeroPadding2d', { padding: 2 }],
        ['zeroPadding2d', { padding: [[1, 0], [1, 0]] }],
        ['conv2d', { filters: 4, kernelSize: 1 }],
        ['averagePooling2d', { poolSize: 3, strides: 1, padding: 'same' }],
      ]),
      declaration: declare('equivariant', 'rotation90'),
      states: ['exact', 'exact', 'exact', 'broken:asymmetric-border@1'],
      falls: [['broken', 'asymmetric-border', 1, 0]],
    },
    {
      name: 'an asymmetric zero padding followed only by pointwise layers and global pooling keeps invariance',
      graph: sequential([24, 24, 3], [
        ['zeroPadding2d', { padding: [[0, 0], [1, 0]] }],
        ['conv2d', { filters: 4, kernelSize: 1, activation: 'relu' }],
        ['globalAveragePooling2d', {}],
      ]),
      declaration: declare('invariant', 'flip'),
      states: ['exact', 'exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'an asymmetric zero padding reaching the output of an equivariant model breaks it there',
      graph: sequential([24, 24, 3], [['zeroPadding2d', { padding: [[0, 0], [1, 0]] }], ['conv2d', { filters: 4, kernelSize: 1 }]]),
      declaration: declare('equivariant', 'flip'),
      falls: [['broken', 'asymmetric-border', 0, 0]],
    },
    {
      name: 'zero padding under translation is exact until a window mixes the border in',
      graph: sequential([24, 24, 3], [
        ['zeroPadding2d', { padding: 1 }],
        ['conv2d', { filters: 4, kernelSize: 1 }],
        ['globalMaxPooling2d', {}],
      ]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'zero padding then a valid 3x3 convolution is approximate, blamed on the padding',
      graph: sequential([24, 24, 3], [['zeroPadding2d', { padding: 1 }], ['conv2d', { filters: 4, kernelSize: 3 }]]),
      declaration: declare('equivariant', 'translation'),
      falls: [['approx', 'zero-padding', 0, 0]],
    },
    {
      name: 'P4 convolutions commute with rotations only: they break flip',
      graph: sequential([25, 25, 1], [['P4ConvLifting2D', { filters: 4, kernelSize: 3, padding: 'same' }, lib]]),
      declaration: declare('equivariant', 'dihedral'),
      falls: [['broken', 'learned-kernel', 0, 0]],
    },
    {
      name: 'GroupAveraging over dihedral makes a backbone invariant to rotation90',
      graph: sequential([24, 24, 3], [['GroupAveraging', { group: 'dihedral' }, lib]]),
      declaration: declare('invariant', 'rotation90'),
      states: ['invariant(exact)'],
      falls: [],
    },
    {
      name: 'flip only looks at the W borders',
      graph: sequential([24, 24, 3], [['cropping2D', { cropping: [[2, 0], [1, 1]] }], ['cropping2D', { cropping: [[0, 0], [1, 0]] }]]),
      declaration: declare('equivariant', 'flip'),
      states: ['exact', 'broken:asymmetric-border@1'],
    },
    {
      name: 'SetAttention on a sequence: reversing or shifting it circularly is a reordering, which it keeps',
      graph: sequential([20, 4], [['SetAttention', { numHeads: 2 }, lib], ['SetAttention', { pooling: true }, lib]]),
      declaration: declare('invariant', 'flip'),
      states: ['exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'time reversal of a sequence: a 3-wide conv1d breaks flip',
      graph: sequential([20, 4], [['conv1d', { filters: 4, kernelSize: 3, padding: 'same' }]]),
      declaration: declare('equivariant', 'flip'),
      falls: [['broken', 'learned-kernel', 0, 0]],
    },
    {
      name: 'a window across concatenated blocks breaks rotation (block-mixing)',
      graph: (() => {
        const builder = new GraphBuilder();
        const left = builder.input([16, 16, 3]);
        const right = builder.input([16, 16, 3]);
        const joined = builder.layer('concatenate', { axis: 1 }, [left, right]);
        const pooled = builder.layer('averagePooling2d', { poolSize: 3, strides: 1, padding: 'same' }, joined);
        return builder.build([pooled]);
      })(),
      declaration: declare('equivariant', 'rotation90'),
      states: ['exact/blockwise', 'broken:block-mixing@1'],
    },
  ]);
});

/** Node features [9, 5] and an adjacency [9, 9] into GraphConv, optionally pooled over the nodes. */
function graphConvModel(pooled: boolean) {
  const builder = new GraphBuilder();
  const nodes = builder.input([9, 5]);
  const adjacency = builder.input([9, 9]);
  const messages = builder.layer('GraphConv', { units: 4 }, [nodes, adjacency], lib);
  return builder.build([pooled ? builder.layer('globalAveragePooling1d', {}, messages) : messages]);
}

describe('inference: permutation', () => {
  runTable([
    {
      name: 'dense on the feature axis and global pooling over the set: invariant',
      graph: sequential([10, 3], [['dense', { units: 16, activation: 'relu' }], ['globalMaxPooling1d', {}], ['dense', { units: 1 }]]),
      declaration: declare('invariant', 'permutation'),
      states: ['exact', 'invariant(exact)', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'SetDense and SetPool: DeepSets',
      graph: sequential([10, 3], [['SetDense', { units: 16 }, lib], ['SetPool', {}, lib]]),
      declaration: declare('invariant', 'permutation'),
      states: ['exact', 'invariant(exact)'],
    },
    {
      name: 'SetAttention without positions: equivariant, and invariant in pooling mode',
      graph: sequential([10, 3], [['SetAttention', { numHeads: 2 }, lib], ['SetDense', { units: 8 }, lib], ['SetAttention', { pooling: true, units: 4 }, lib], ['dense', { units: 2 }]]),
      declaration: declare('invariant', 'permutation'),
      states: ['exact', 'exact', 'invariant(exact)', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'SetAttention on the feature axis (axis=2) mixes the acting axis',
      graph: sequential([10, 3], [['SetAttention', {}, lib]]),
      declaration: declare('equivariant', 'permutation', { axis: 2 }),
      falls: [['broken', 'mixes-acting-axis', 0, 0]],
    },
    {
      name: 'GraphConv on [X, A] without adjacency=: the pairing is not declared, so a named gap rather than a guess',
      graph: graphConvModel(false),
      declaration: declare('equivariant', 'permutation'),
      states: ['unknown:unmodelled-layer~exact'],
      gaps: ['unmodelled-layer'],
    },
    {
      name: 'GraphConv on [X, A] with adjacency=1: equivariant under the joint permutation',
      graph: graphConvModel(false),
      declaration: declare('equivariant', 'permutation', { adjacency: 1 }),
      states: ['exact'],
      falls: [],
    },
    {
      name: 'GraphConv then a mean over the nodes with adjacency=1: invariant',
      graph: graphConvModel(true),
      declaration: declare('invariant', 'permutation', { adjacency: 1 }),
      states: ['exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'a dense over the rows of the adjacency mixes the nodes it pairs',
      graph: (() => {
        const builder = new GraphBuilder();
        builder.input([9, 5]);
        const adjacency = builder.input([9, 9]);
        return builder.build([builder.layer('dense', { units: 4 }, adjacency)]);
      })(),
      declaration: declare('equivariant', 'permutation', { adjacency: 1 }),
      falls: [['broken', 'mixes-acting-axis', 0, 0]],
    },
    {
      name: 'a 3-wide conv1d along the set axis depends on order; a 1-wide one does not',
      graph: sequential([10, 3], [['conv1d', { filters: 4, kernelSize: 1 }], ['conv1d', { filters: 4, kernelSize: 3 }]]),
      declaration: declare('equivariant', 'permutation'),
      states: ['exact', 'broken:set-axis-window@1'],
    },
    {
      name: 'flatten then dense across the set axis',
      graph: sequential([10, 3], [['flatten', {}], ['dense', { units: 4 }]]),
      declaration: declare('invariant', 'permutation'),
      falls: [['broken', 'flatten-then-mix', 0, 0]],
    },
    {
      name: 'an RNN over the set axis',
      graph: sequential([10, 3], [['gru', { units: 4 }]]),
      declaration: declare('invariant', 'permutation'),
      falls: [['broken', 'recurrent', 0, 0]],
    },
    {
      name: 'pooling windows along the set axis',
      graph: sequential([10, 3], [['maxPooling1d', {}]]),
      declaration: declare('equivariant', 'permutation'),
      falls: [['broken', 'set-axis-window', 0, 0]],
    },
    {
      name: 'token ids into an embedding: bag of words',
      graph: sequential([12], [['embedding', { inputDim: 50, outputDim: 8 }], ['globalAveragePooling1d', {}]]),
      declaration: declare('invariant', 'permutation'),
      states: ['exact', 'invariant(exact)'],
    },
    {
      name: 'permutation on the feature axis (axis=2): a dense over it mixes the acting axis',
      graph: sequential([10, 3], [['dense', { units: 4 }]]),
      declaration: declare('equivariant', 'permutation', { axis: 2 }),
      falls: [['broken', 'mixes-acting-axis', 0, 0]],
    },
  ]);
});

describe('inference: sign', () => {
  const oddBranches = (merge: string, then: [string, Record<string, string | number | boolean>][] = []) => {
    const builder = new GraphBuilder();
    const input = builder.input([8]);
    const left = builder.layer('dense', { units: 4, useBias: false }, input);
    const right = builder.layer('dense', { units: 4, useBias: false, activation: 'tanh' }, input);
    let tensor = builder.layer(merge, {}, [left, right]);
    for (const [kind, config] of then) tensor = builder.layer(kind, config, tensor);
    return builder.build([tensor]);
  };
  runTable([
    {
      name: 'dense has a bias by default',
      graph: sequential([8], [['dense', { units: 4 }]]),
      declaration: declare('equivariant', 'sign'),
      falls: [['broken', 'bias', 0, 0]],
    },
    {
      name: 'bias-free dense with linear or tanh is odd; relu is not',
      graph: sequential([8], [['dense', { units: 4, useBias: false }], ['dense', { units: 4, useBias: false, activation: 'tanh' }], ['activation', { activation: 'relu' }]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'exact', 'broken:non-odd@2'],
    },
    {
      name: 'SetAttention is odd without biases; with biases, or pooling with a learned query, it is not',
      graph: sequential([10, 3], [['SetAttention', { useBias: false }, lib], ['SetAttention', { useBias: false, pooling: true }, lib]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'broken:non-odd@1'],
    },
    {
      name: 'SetAttention has biases by default',
      graph: sequential([10, 3], [['SetAttention', {}, lib]]),
      declaration: declare('equivariant', 'sign'),
      falls: [['broken', 'non-odd', 0, 0]],
    },
    {
      name: 'an odd output does not satisfy invariance under sign',
      graph: sequential([8], [['dense', { units: 4, useBias: false }]]),
      declaration: declare('invariant', 'sign'),
      falls: [['broken', 'output-not-invariant', 0, 0]],
    },
    {
      name: 'the product of two odd branches is even: invariant',
      graph: oddBranches('multiply', [['dense', { units: 2 }]]),
      declaration: declare('invariant', 'sign'),
      states: ['exact', 'exact', 'invariant(exact)', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'an even output is not odd: equivariance under sign breaks at the output',
      graph: oddBranches('multiply'),
      declaration: declare('equivariant', 'sign'),
      falls: [['broken', 'non-odd', 2, 0]],
    },
    {
      name: 'the multiply of two odd branches is blamed, not the later layers that carry its even output',
      graph: oddBranches('multiply', [['dense', { units: 4, useBias: false, activation: 'tanh' }], ['dense', { units: 2 }]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'exact', 'invariant(exact)', 'invariant(exact)', 'invariant(exact)'],
      falls: [['broken', 'non-odd', 2, 0]],
    },
    {
      name: 'an even product multiplied by a third odd branch is odd again: no fall',
      graph: (() => {
        const builder = new GraphBuilder();
        const input = builder.input([8]);
        const left = builder.layer('dense', { units: 4, useBias: false }, input);
        const right = builder.layer('dense', { units: 4, useBias: false, activation: 'tanh' }, input);
        const even = builder.layer('multiply', {}, [left, right]);
        const odd = builder.layer('multiply', {}, [even, left]);
        return builder.build([builder.layer('dense', { units: 2, useBias: false }, odd)]);
      })(),
      declaration: declare('equivariant', 'sign'),
      falls: [],
    },
    {
      name: 'sums of odd branches stay odd through softsign',
      graph: oddBranches('add', [['activation', { activation: 'softsign' }]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'exact', 'exact', 'exact'],
      falls: [],
    },
    {
      name: 'maximum of odd tensors is not odd',
      graph: oddBranches('maximum'),
      declaration: declare('equivariant', 'sign'),
      falls: [['broken', 'non-odd', 2, 0]],
    },
    {
      name: 'max pooling breaks sign, average pooling and flatten keep it',
      graph: sequential([8, 8, 2], [['conv2d', { filters: 2, kernelSize: 3, useBias: false }], ['averagePooling2d', {}], ['flatten', {}], ['maxPooling1d', {}]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'exact', 'exact', 'broken:non-odd@3'],
    },
    {
      name: 'a BlurPool blur is linear (odd); its optional max (poolSize > 1) is not',
      graph: sequential([16, 2], [['BlurPool1D', { stride: 2 }, lib], ['BlurPool1D', { stride: 2, poolSize: 2 }, lib]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'broken:non-odd@1'],
    },
    {
      name: 'global average pooling keeps the sign action (it does not make the output even)',
      graph: sequential([8, 8, 2], [['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'sign'),
      states: ['exact'],
      falls: [['broken', 'output-not-invariant', 0, 0]],
    },
    {
      name: 'batchNormalization breaks sign even without center; layerNormalization without center keeps it',
      graph: sequential([8], [['layerNormalization', { center: false }], ['batchNormalization', { center: false }]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'broken:bias@1'],
    },
    {
      name: 'rescaling with an offset breaks sign',
      graph: sequential([8], [['rescaling', { scale: 2 }], ['rescaling', { scale: 1, offset: -1 }]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'broken:bias@1'],
    },
    {
      name: 'a bias-free simpleRNN (tanh) is odd; an lstm is not',
      graph: sequential([5, 3], [['simpleRNN', { units: 4, useBias: false, returnSequences: true }], ['lstm', { units: 2 }]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'broken:non-odd@1'],
    },
    {
      name: 'adding an odd and an even tensor is neither',
      graph: (() => {
        const builder = new GraphBuilder();
        const input = builder.input([8]);
        const odd = builder.layer('dense', { units: 4, useBias: false }, input);
        const even = builder.layer('multiply', {}, [odd, odd]);
        return builder.build([builder.layer('add', {}, [odd, even])]);
      })(),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'invariant(exact)', 'broken:non-odd@2'],
    },
  ]);
});

describe('inference: declarations that do not fit the model', () => {
  const mismatchCases: [string, ModelGraph, SymmetryDeclaration, RegExp][] = [
    ['rotation90 on a non-square image', sequential([28, 32, 1], [conv(3)]), declare('invariant', 'rotation90'), /rotation90 needs a square input, but this model's input is 28x32/],
    ['permutation on a plain feature vector', sequential([10], [['dense', { units: 4 }]]), declare('invariant', 'permutation'), /permutation needs a set input \[N, T, F\] or token ids, but this model's input \[N, 10\] is a plain feature vector/],
    ['translation on a feature vector', sequential([10], [['dense', { units: 4 }]]), declare('invariant', 'translation'), /translation needs an input \[N, T, F\], \[N, H, W, C\], \[N, D, H, W, C\] or token ids/],
    ['flip on a volume', sequential([8, 8, 8, 1], [['conv3d', { filters: 2, kernelSize: 3 }]]), declare('invariant', 'flip'), /flip needs an image \[N, H, W, C\] or a sequence \[N, T, F\]/],
  ];
  for (const [name, graph, declaration, message] of mismatchCases) {
    it(name, () => {
      const result = infer(graph, declaration);
      assert.match(result.mismatch?.message ?? '', message);
      assert.deepEqual(result.falls, []);
    });
  }

  it('an input without a declared shape takes the structure the declaration implies, and says so', () => {
    const result = infer(sequential(undefined, [['dense', { units: 4 }]]), declare('invariant', 'rotation90'));
    assert.equal(result.mismatch, undefined);
    assert.deepEqual(result.gaps, []);
    assert.deepEqual(result.assumedInput?.shape, [null, null, null]);
    assert.equal(result.assumedInput?.description, 'a square image input [N, H, W, C]');
    // A dense on the channels of an image keeps its axes: the output is not invariant.
    assert.deepEqual(summarizeFalls(result), [['broken', 'output-not-invariant', 0, 0]]);
  });

  it('an input whose first layer fixes a rank the group does not act on is still a gap', () => {
    const result = infer(sequential(undefined, [['conv1d', { filters: 4, kernelSize: 1 }]]), declare('invariant', 'rotation90'));
    assert.equal(result.assumedInput, undefined);
    assert.deepEqual(result.gaps.map((gap) => [gap.code, gap.at.layer]), [['non-constant-config', 0]]);
  });

  it('an undeclared input shape takes its rank from a conv2d and needs no gap', () => {
    const result = infer(sequential(undefined, [['conv2d', { filters: 4, kernelSize: 3, padding: 'same' }], ['globalAveragePooling2d', {}]]), declare('invariant', 'rotation90'));
    assert.deepEqual(result.gaps, []);
    assert.deepEqual(summarizeFalls(result), [['broken', 'learned-kernel', 0, 0]]);
  });

  it('sign fits any input', () => {
    const result = infer(sequential([3], [['dense', { units: 4, useBias: false }]]), declare('equivariant', 'sign'));
    assert.equal(result.mismatch, undefined);
    assert.deepEqual(result.falls, []);
  });
});

describe('inference: falls only on paths that reach an output', () => {
  it('a dead branch does not fall', () => {
    const builder = new GraphBuilder();
    const input = builder.input([16, 16, 3]);
    builder.layer('conv2d', { filters: 4, kernelSize: 3, padding: 'same' }, input);
    const kept = builder.layer('conv2d', { filters: 4, kernelSize: 1 }, input);
    const graph = builder.build([builder.layer('globalAveragePooling2d', {}, kept)]);
    const result = infer(graph, declare('invariant', 'translation'));
    assert.deepEqual(summarizeFalls(result), []);
    assert.equal(summarizeState(result.layerStates[0]), 'approx');
  });
});

describe('inference: the other layer families', () => {
  runTable([
    {
      name: 'upSampling2d keeps rotation; a non-square factor breaks it',
      graph: sequential([8, 8, 2], [['upSampling2d', {}], ['upSampling2d', { size: [2, 1] }]]),
      declaration: declare('equivariant', 'rotation90'),
      states: ['exact', 'broken:non-square-window@1'],
    },
    {
      name: 'permute moves the set axis to the end, where a dense mixes it',
      graph: sequential([10, 3], [['permute', { dims: [2, 1] }], ['dense', { units: 4 }]]),
      declaration: declare('equivariant', 'permutation'),
      states: ['exact', 'broken:mixes-acting-axis@1'],
    },
    {
      name: 'resizing resamples (approx) under translation',
      graph: sequential([28, 28, 3], [['resizing', { height: 32, width: 32 }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      falls: [['approx', 'resampling', 0, 0]],
    },
    {
      name: 'resizing to a non-square size breaks rotation',
      graph: sequential([28, 28, 3], [['resizing', { height: 32, width: 16 }]]),
      declaration: declare('equivariant', 'rotation90'),
      falls: [['broken', 'non-square-window', 0, 0]],
    },
    {
      name: 'a multi-hot bag of token ids is permutation invariant',
      graph: sequential([12], [['categoryEncoding', { numTokens: 50, outputMode: 'multiHot' }], ['dense', { units: 2 }]]),
      declaration: declare('invariant', 'permutation'),
      states: ['invariant(exact)', 'invariant(exact)'],
    },
    {
      name: 'randomWidth is a gap',
      graph: sequential([16, 16, 3], [['randomWidth', { factor: 0.2 }]]),
      declaration: declare('equivariant', 'flip'),
      gaps: ['unmodelled-layer'],
    },
    {
      name: 'centerCrop: an even difference is symmetric, an odd one is not',
      graph: sequential([28, 28, 3], [['centerCrop', { height: 24, width: 24 }], ['centerCrop', { height: 21, width: 21 }]]),
      declaration: declare('equivariant', 'rotation90'),
      states: ['exact', 'broken:asymmetric-border@1'],
    },
    {
      name: 'a transposed 3x3 convolution overlaps the border under translation',
      graph: sequential([8, 8, 4], [['conv2dTranspose', { filters: 2, kernelSize: 3, strides: 2, padding: 'same' }]]),
      declaration: declare('equivariant', 'translation'),
      falls: [['approx', 'zero-padding', 0, 0]],
    },
    {
      name: "a transposed 1x1 stride-2 'valid' convolution keeps rotation",
      graph: sequential([8, 8, 4], [['conv2dTranspose', { filters: 2, kernelSize: 1, strides: 2 }]]),
      declaration: declare('equivariant', 'rotation90'),
      states: ['exact'],
    },
    {
      name: 'bidirectional along the set axis depends on order',
      graph: sequential([10, 3], [['bidirectional', {}, { inner: ['lstm', { units: 4 }] }]]),
      declaration: declare('invariant', 'permutation'),
      falls: [['broken', 'recurrent', 0, 0]],
    },
    {
      name: "bidirectional simpleRNN without bias, merged by 'mul', is even under sign",
      graph: sequential([10, 3], [['bidirectional', { mergeMode: 'mul' }, { inner: ['simpleRNN', { units: 4, useBias: false }] }]]),
      declaration: declare('invariant', 'sign'),
      states: ['invariant(exact)'],
      falls: [],
    },
    {
      name: 'rnn({cell: simpleRNNCell}) follows the cell under sign',
      graph: sequential([10, 3], [['rnn', {}, { inner: ['simpleRNNCell', { units: 4, useBias: false, activation: 'relu' }] }]]),
      declaration: declare('equivariant', 'sign'),
      falls: [['broken', 'non-odd', 0, 0]],
    },
    {
      name: 'a cell used as a layer on its own is a gap',
      graph: sequential([10, 3], [['lstmCell', { units: 4 }]]),
      declaration: declare('equivariant', 'translation'),
      gaps: ['unmodelled-layer'],
    },
    {
      name: 'dot of two sets over their features is a paired [T, T] tensor the permutation moves on both axes',
      graph: (() => {
        const builder = new GraphBuilder();
        const input = builder.input([10, 3]);
        return builder.build([builder.layer('dot', { axes: 2 }, [input, input])]);
      })(),
      declaration: declare('equivariant', 'permutation'),
      states: ['exact'],
      falls: [],
      gaps: [],
    },
    {
      name: 'a bias-free depthwise convolution is odd',
      graph: sequential([8, 8, 2], [['depthwiseConv2d', { kernelSize: 3, useBias: false }], ['separableConv2d', { filters: 2, kernelSize: 3 }]]),
      declaration: declare('equivariant', 'sign'),
      states: ['exact', 'broken:bias@1'],
    },
    {
      name: 'GroupAveraging over another group is a gap, not a pass',
      graph: sequential([24, 24, 3], [['GroupAveraging', { group: 'rotation90' }, lib]]),
      declaration: declare('invariant', 'flip'),
      gaps: ['unmodelled-layer'],
    },
    {
      name: 'an unknown library class is a gap',
      graph: sequential([24, 24, 3], [['HexConv2D', {}, lib], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'dihedral'),
      states: ['unknown:unmodelled-layer~exact', 'unknown:unmodelled-layer~invariant(exact)'],
    },
    {
      name: 'dihedral: a 2x2 pooling on 24x24 is exact; a per-position layerNormalization over H breaks it',
      graph: sequential([24, 24, 3], [['maxPooling2d', {}], ['layerNormalization', { axis: 1 }]]),
      declaration: declare('equivariant', 'dihedral'),
      states: ['exact', 'broken:per-position-weights@1'],
    },
    {
      name: 'an open spread in the config makes needed keys unknown',
      graph: sequential([24, 24, 3], [['conv2d', { filters: 4 }, { openSpread: true }]]),
      declaration: declare('equivariant', 'translation'),
      states: ['unknown:non-constant-config~exact'],
    },
  ]);
});

describe('inference: gap details', () => {
  it('names the configuration key that is not a constant', () => {
    const graph = sequential([24, 24, 3], [['conv2d', { filters: 4, kernelSize: notConstant() }]]);
    const [gap] = infer(graph, declare('equivariant', 'translation')).gaps;
    assert.match(gap.detail, /kernelSize/);
    assert.equal(gap.at.layer, 0);
  });

  it('ignores a key that does not matter for the group (useBias under translation)', () => {
    const graph = sequential([24, 24, 3], [['conv2d', { filters: 4, kernelSize: 1, useBias: notConstant() }]]);
    assert.deepEqual(infer(graph, declare('equivariant', 'translation')).gaps, []);
    assert.equal(infer(graph, declare('equivariant', 'sign')).gaps[0]?.code, 'non-constant-config');
  });
});

describe('inference: resampling under translation (issue 8, precision)', () => {
  runTable([
    {
      name: 'two stride-2 convolutions keep only shifts by 4, not 2',
      graph: sequential([32, 32, 3], [conv(1, { strides: 2 }), conv(1, { strides: 2 }), ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['subgroup(2)', 'subgroup(4)', 'invariant(subgroup(4))'],
      falls: [['subgroup', 'stride', 0, 1]],
    },
    {
      name: 'upsampling by 2 then pooling by 2 is exact: a shift by 1 becomes a shift by 2, which the pooling keeps',
      graph: sequential([16, 16, 3], [['upSampling2d', { size: [2, 2] }], ['maxPooling2d', { poolSize: 2 }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'upsampling by 2 then pooling by 4 keeps shifts by 2',
      graph: sequential([16, 16, 3], [['upSampling2d', { size: 2 }], ['maxPooling2d', { poolSize: 4 }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'subgroup(2)', 'invariant(subgroup(2))'],
      falls: [['subgroup', 'stride', 1, 0]],
    },
    {
      name: 'uneven upsampling [2, 1] then pooling by 2 still falls (the W axis was not stretched)',
      graph: sequential([16, 16, 3], [['upSampling2d', { size: [2, 1] }], ['maxPooling2d', { poolSize: 2 }]]),
      declaration: declare('equivariant', 'translation'),
      states: ['exact', 'subgroup(2)'],
    },
    {
      name: 'pooling by 2, then upsampling by 2, then pooling by 2 keeps shifts by 2',
      graph: sequential([16, 16, 3], [['maxPooling2d', {}], ['upSampling2d', {}], ['maxPooling2d', {}]]),
      declaration: declare('equivariant', 'translation'),
      states: ['subgroup(2)', 'subgroup(2)', 'subgroup(2)'],
      falls: [['subgroup', 'stride', 0, 0]],
    },
    {
      name: "a transposed convolution with kernel = stride and 'valid' padding has no border effect",
      graph: sequential([8, 8, 4], [['conv2dTranspose', { filters: 4, kernelSize: 2, strides: 2, padding: 'valid' }], ['globalAveragePooling2d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'a transposed convolution with a kernel larger than its stride overlaps the border',
      graph: sequential([8, 8, 4], [['conv2dTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'valid' }]]),
      declaration: declare('equivariant', 'translation'),
      states: ['approx'],
      falls: [['approx', 'zero-padding', 0, 0]],
    },
    {
      name: 'a transposed convolution by 2 followed by pooling by 2 is exact',
      graph: sequential([8, 8, 4], [['conv2dTranspose', { filters: 4, kernelSize: 2, strides: 2 }], ['averagePooling2d', { poolSize: 2 }]]),
      declaration: declare('equivariant', 'translation'),
      states: ['exact', 'exact'],
      falls: [],
    },
  ]);
});

/** Dot-product attention over a set: scores Q.K^T over features, softmax, then scores.V over the set. */
function dotAttention(scoresAxes: number | number[], valuesAxes: number | number[], then: [string, Record<string, ConstValue>][] = []): ModelGraph {
  const builder = new GraphBuilder();
  const input = builder.input([10, 6]);
  const query = builder.layer('dense', { units: 4 }, input);
  const key = builder.layer('dense', { units: 4 }, input);
  const value = builder.layer('dense', { units: 4 }, input);
  const scores = builder.layer('dot', { axes: scoresAxes }, [query, key]);
  const weights = builder.layer('activation', { activation: 'softmax' }, scores);
  let tensor = builder.layer('dot', { axes: valuesAxes }, [weights, value]);
  for (const [kind, config] of then) tensor = builder.layer(kind, config, tensor);
  return builder.build([tensor]);
}

describe('inference: tf.layers.dot by its axes (issue 8, precision)', () => {
  runTable([
    {
      name: 'attention without positions: features contracted, then the set contracted against the set, is equivariant',
      graph: dotAttention(2, [2, 1]),
      declaration: declare('equivariant', 'permutation'),
      states: ['exact', 'exact', 'exact', 'exact', 'exact', 'exact'],
      falls: [],
      gaps: [],
    },
    {
      name: 'the same attention followed by global pooling over the set is invariant',
      graph: dotAttention(-1, [-1, 1], [['globalAveragePooling1d', {}], ['dense', { units: 2 }]]),
      declaration: declare('invariant', 'permutation'),
      outputs: ['invariant(exact)'],
      falls: [],
    },
    {
      name: 'contracting the set axis against a vector the permutation does not move depends on order',
      graph: (() => {
        const builder = new GraphBuilder();
        const set = builder.input([10, 6]);
        const pooled = builder.layer('globalAveragePooling1d', {}, set);
        const fixed = builder.layer('dense', { units: 10 }, pooled);
        const dense = builder.layer('dense', { units: 4 }, set);
        return builder.build([builder.layer('dot', { axes: [1, 1] }, [dense, fixed])]);
      })(),
      declaration: declare('invariant', 'permutation'),
      states: ['invariant(exact)', 'invariant(exact)', 'exact', 'broken:mixes-acting-axis@3'],
      falls: [['broken', 'mixes-acting-axis', 3, 0]],
    },
    {
      name: 'a dot over the time axis of two sequences is invariant under translation (circular shifts)',
      graph: (() => {
        const builder = new GraphBuilder();
        const input = builder.input([16, 6]);
        const left = builder.layer('dense', { units: 4 }, input);
        return builder.build([builder.layer('dot', { axes: 1 }, [left, input])]);
      })(),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'invariant(exact)'],
      outputs: ['invariant(exact)'],
      falls: [],
    },
  ]);

  it('gives dot the shape tfjs gives it', () => {
    const graph = dotAttention(2, [2, 1]);
    const shapes = inferShapes(graph);
    assert.deepEqual(shapes[graph.layers[3].output], [10, 10]);
    assert.deepEqual(shapes[graph.layers[5].output], [10, 4]);
  });
});

/** An image whose spatial axes a reshape merges into one, channels kept: [N, 8, 8, 4] -> [N, 64, 4]. */
function mergedPositions(then: [string, Record<string, ConstValue>][], targetShape: number[] = [64, 4]): ModelGraph {
  return sequential([8, 8, 3], [['conv2d', { filters: 4, kernelSize: 1 }], ['reshape', { targetShape }], ...then]);
}

describe('inference: a reshape that merges the acting axes into one permutes them (issue 8, precision)', () => {
  runTable([
    {
      name: 'reshape [8, 8, 4] -> [64, 4], kernel-1 conv1d and global pooling keep translation invariance exactly',
      graph: mergedPositions([['conv1d', { filters: 8, kernelSize: 1 }], ['dense', { units: 8 }], ['globalAveragePooling1d', {}], ['dense', { units: 2 }]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'exact', 'exact', 'exact', 'invariant(exact)', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'with a -1 in the target shape too',
      graph: mergedPositions([['globalMaxPooling1d', {}]], [-1, 4]),
      declaration: declare('invariant', 'translation'),
      outputs: ['invariant(exact)'],
      falls: [],
    },
    {
      name: 'the same holds for rotations: they permute the pixels as well',
      graph: mergedPositions([['conv1d', { filters: 8, kernelSize: 1 }], ['globalAveragePooling1d', {}]]),
      declaration: declare('invariant', 'rotation90'),
      outputs: ['invariant(exact)'],
      falls: [],
    },
    {
      name: 'a 3-wide conv1d on the merged axis depends on the order of the positions: the reshape is blamed, the conv named',
      graph: mergedPositions([['conv1d', { filters: 8, kernelSize: 3 }], ['globalAveragePooling1d', {}]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'exact', 'broken:flatten-then-mix@1', 'broken:flatten-then-mix@1'],
      falls: [['broken', 'flatten-then-mix', 1, 0]],
    },
    {
      name: 'pooling windows and recurrent layers on the merged axis break it too',
      graph: mergedPositions([['maxPooling1d', { poolSize: 2 }], ['lstm', { units: 4 }]]),
      declaration: declare('invariant', 'translation'),
      falls: [['broken', 'flatten-then-mix', 1, 1]],
    },
    {
      name: 'flatten then dense after the merge breaks it at the flatten',
      graph: mergedPositions([['flatten', {}], ['dense', { units: 2 }]]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'exact', 'flattened', 'broken:flatten-then-mix@2'],
      falls: [['broken', 'flatten-then-mix', 2, 0]],
    },
    {
      name: 'merging the channels in as well ([8, 8, 4] -> [256]) flattens the action',
      graph: mergedPositions([['dense', { units: 2 }]], [256]),
      declaration: declare('invariant', 'translation'),
      states: ['exact', 'flattened', 'broken:flatten-then-mix@1'],
    },
  ]);

  it('says in the hover that the group now permutes the merged positions', () => {
    const result = infer(mergedPositions([]), declare('equivariant', 'translation'));
    assert.match(describeState(result.layerStates[1]), /permutation of the positions reshape merged/);
  });
});

describe('inference: inputs of unknown shape and unknown sizes (issue 8, shapes)', () => {
  it('a head on a loaded base (no shape): flatten then dense breaks translation, assuming an image', () => {
    const result = infer(sequential(undefined, [['flatten', {}], ['dense', { units: 10 }]]), declare('invariant', 'translation'));
    assert.deepEqual(result.layerStates.map(summarizeState), ['flattened', 'broken:flatten-then-mix@0']);
    assert.deepEqual(summarizeFalls(result), [['broken', 'flatten-then-mix', 0, 0]]);
    assert.equal(result.assumedInput?.description, 'an image input [N, H, W, C]');
    assert.deepEqual(result.gaps, []);
  });

  it('a head without a shape under permutation is a set [N, T, F]: flatten then dense depends on order', () => {
    const result = infer(sequential(undefined, [['dense', { units: 8 }], ['flatten', {}], ['dense', { units: 10 }]]), declare('invariant', 'permutation'));
    assert.deepEqual(summarizeFalls(result), [['broken', 'flatten-then-mix', 1, 0]]);
    assert.equal(result.assumedInput?.description, 'a set input [N, T, F]');
  });

  it('a head without a shape that pools globally is invariant under the assumption', () => {
    const result = infer(sequential(undefined, [['globalAveragePooling2d', {}], ['dense', { units: 10 }]]), declare('invariant', 'translation'));
    assert.deepEqual(result.outputStates.map(summarizeState), ['invariant(exact)']);
    assert.deepEqual(result.falls, []);
  });

  it('sign needs no structure: nothing is assumed', () => {
    const result = infer(sequential(undefined, [['flatten', {}], ['dense', { units: 2, useBias: false }]]), declare('equivariant', 'sign'));
    assert.equal(result.assumedInput, undefined);
    assert.deepEqual(result.falls, []);
  });

  it('a rank known with sizes unknown ([h, w, c] from parameters) is enough for rules that need axes only', () => {
    const graph = sequential([null, null, null], [['conv2d', { filters: 4, kernelSize: 1 }], ['flatten', {}], ['dense', { units: 10 }]]);
    const result = infer(graph, declare('invariant', 'translation'));
    assert.deepEqual(result.gaps, []);
    assert.equal(result.assumedInput, undefined);
    assert.deepEqual(summarizeFalls(result), [['broken', 'flatten-then-mix', 1, 0]]);
  });

  it('under rotation with sizes unknown, H = W is assumed and said, and the stride grid is judged by the size condition', () => {
    const graph = sequential([null, null, 3], [['maxPooling2d', {}], ['globalAveragePooling2d', {}]]);
    const result = infer(graph, declare('invariant', 'rotation90'));
    assert.equal(result.mismatch, undefined);
    assert.equal(result.assumedInput?.description, 'a square input, H = W');
    assert.deepEqual(summarizeFalls(result), [['subgroup', 'grid-offset', 0, 0]]);
    assert.match(result.falls[0].cause.detail, /not known statically/);
  });

  it('with H and W known, nothing is assumed', () => {
    const result = infer(sequential([24, 24, 3], [['maxPooling2d', {}]]), declare('equivariant', 'rotation90'));
    assert.equal(result.assumedInput, undefined);
  });
});

describe("inference: dataFormat 'channelsFirst' (issue 8, shapes)", () => {
  const first = { dataFormat: 'channelsFirst' };
  runTable([
    {
      name: 'conv, pooling and global pooling follow the spatial axes behind the channels',
      graph: sequential([3, 32, 32], [
        ['conv2d', { filters: 8, kernelSize: 3, padding: 'same', ...first }],
        ['maxPooling2d', { poolSize: 2, ...first }],
        ['conv2d', { filters: 8, kernelSize: 1, ...first }],
        ['globalAveragePooling2d', first],
        ['dense', { units: 10 }],
      ]),
      declaration: declare('invariant', 'translation'),
      states: ['approx', 'subgroup(2)', 'subgroup(2)', 'invariant(subgroup(2))', 'invariant(subgroup(2))'],
      falls: [
        ['approx', 'zero-padding', 0, 0],
        ['subgroup', 'stride', 1, 0],
      ],
      gaps: [],
    },
    {
      name: 'a 1x1 convolution channels first keeps rotation; global pooling makes it invariant',
      graph: sequential([3, 16, 16], [['conv2d', { filters: 4, kernelSize: 1, ...first }], ['globalMaxPooling2d', first]]),
      declaration: declare('invariant', 'rotation90'),
      states: ['exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'flatten then dense after channels-first convolutions still breaks',
      graph: sequential([3, 16, 16], [['conv2d', { filters: 4, kernelSize: 1, ...first }], ['flatten', {}], ['dense', { units: 2 }]]),
      declaration: declare('invariant', 'translation'),
      falls: [['broken', 'flatten-then-mix', 1, 0]],
    },
    {
      name: 'channels-first upsampling then pooling by the same factor is exact; uneven padding breaks rotation only where a window mixes it in',
      graph: sequential([3, 16, 16], [
        ['upSampling2d', { size: 2, ...first }],
        ['averagePooling2d', { poolSize: 2, ...first }],
        ['zeroPadding2d', { padding: [[0, 1], [0, 1]], ...first }],
        ['conv2d', { filters: 2, kernelSize: 1, ...first }],
        ['globalAveragePooling2d', first],
      ]),
      declaration: declare('invariant', 'rotation90'),
      states: ['exact', 'exact', 'exact', 'exact', 'invariant(exact)'],
      falls: [],
    },
    {
      name: 'a dense on a channels-first image mixes the W axis',
      graph: sequential([3, 16, 16], [['conv2d', { filters: 4, kernelSize: 1, ...first }], ['dense', { units: 2 }]]),
      declaration: declare('equivariant', 'translation'),
      falls: [['broken', 'mixes-acting-axis', 1, 0]],
    },
  ]);

  it('a [3, 32, 32] channels-first input is square for rotation90', () => {
    const graph = sequential([3, 32, 32], [['conv2d', { filters: 4, kernelSize: 1, ...first }]]);
    assert.equal(infer(graph, declare('equivariant', 'rotation90')).mismatch, undefined);
    const wide = sequential([3, 32, 48], [['conv2d', { filters: 4, kernelSize: 1, ...first }]]);
    assert.match(infer(wide, declare('equivariant', 'rotation90')).mismatch?.message ?? '', /32x48/);
  });

  it('computes channels-first shapes with the channels in front', () => {
    const graph = sequential([3, 32, 32], [
      ['conv2d', { filters: 8, kernelSize: 3, strides: 2, padding: 'same', ...first }],
      ['maxPooling2d', first],
      ['globalAveragePooling2d', first],
    ]);
    const shapes = inferShapes(graph);
    assert.deepEqual(graph.layers.map((layer) => shapes[layer.output]), [[8, 16, 16], [8, 8, 8], [8]]);
  });
});

describe('inference: a tensor extraction could not trace is not an input to assume a structure for', () => {
  it('keeps the gap instead of assuming an image', () => {
    const graph = sequential(undefined, [['flatten', {}], ['dense', { units: 10 }]]);
    graph.gaps.push({ message: 'the input of this flatten layer is not known statically', span: graph.inputs[0].span });
    const result = infer(graph, declare('invariant', 'translation'));
    assert.equal(result.assumedInput, undefined);
    assert.deepEqual(result.falls, []);
    assert.deepEqual(result.gaps.map((gap) => gap.code), ['non-constant-config']);
  });
});
