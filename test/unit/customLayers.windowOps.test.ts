// Window ops inside custom layers (issue 11): convolutions, pooling and resizing in call() are
// judged as the built-in layers of the same operation, the arguments that matter are read from
// literals (unknown ones are gaps naming the argument), a learned kernel is symmetric only when
// call() makes it so, and the parity rules agree with what tfjs computes.
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../server/src/engine';
import { CLASSIFIED_TF_OPS, CUSTOM_OP_RULES } from '../../server/src/analysis/layerRules/customOps';
import { CUSTOM_OP_PARITY } from '../../server/src/analysis/layerRules/customOpParity';
import { describeState } from '../../server/src/analysis/symmetry';
import { isAllowedCustomLayerOp } from '../../server/src/probe/customLayerOps';
import { kernelWeight, windowedModel } from './customLayerFixtures';

const WINDOW_OPS = ['conv1d', 'conv2d', 'depthwiseConv2d', 'separableConv2d', 'conv2dTranspose', 'avgPool', 'maxPool', 'pool', 'image.resizeBilinear', 'image.resizeNearestNeighbor'];
const IMAGE = '[12, 12, 3]';

/** The state after the Windowed layer, the rule ids and the messages. */
function verdict(declaration: string, build: string, call: string, shape = IMAGE) {
  const analysis = analyzeText('/virtual/windowed.ts', windowedModel(declaration, shape, build, call));
  const model = analysis.models[0];
  const layer = model.graph.layers.find((candidate) => candidate.kind === 'Windowed');
  assert.ok(layer, 'the Windowed layer is in the graph');
  return {
    after: describeState(model.inferences[0].layerStates[layer!.id]),
    shape: model.shapes[layer!.output],
    rules: analysis.findings.map((finding) => finding.ruleId),
    messages: analysis.findings.map((finding) => finding.message).join('\n'),
  };
}

const CONV = (args: string) => `return tf.conv2d(x, this.kernel.read() as tf.Tensor4D, ${args});`;

describe('custom layers: window ops in the op table', () => {
  it('classifies each window op, gives it a parity rule, and lets the literal probe evaluate it', () => {
    for (const op of WINDOW_OPS) {
      assert.equal(CUSTOM_OP_RULES.get(op)?.family, 'window', op);
      assert.ok(CLASSIFIED_TF_OPS.includes(op), op);
      assert.ok(CUSTOM_OP_PARITY.has(op), op);
      assert.ok(isAllowedCustomLayerOp(op), op);
    }
  });

  it('gives the output shape of each op as tfjs does', () => {
    const cases: [string, string, (number | null)[]][] = [
      [kernelWeight(3), CONV("1, 'same'"), [12, 12, 4]],
      [kernelWeight(3), CONV("2, 'valid'"), [5, 5, 4]],
      [kernelWeight(3), CONV("[1, 1], 'valid', 'NHWC', 2"), [8, 8, 4]],
      ['', "return tf.maxPool(x, 2, 2, 'valid');", [6, 6, 3]],
      ['', "return tf.pool(x, [3, 3], 'avg', 'same', 1, 2);", [6, 6, 3]],
      ['', 'return tf.image.resizeBilinear(x, [20, 16]);', [20, 16, 3]],
      ["this.kernel = this.addWeight('kernel', [3, 3, inputShape[3] as number, 2], 'float32', tf.initializers.ones());", "return tf.depthwiseConv2d(x, this.kernel.read() as tf.Tensor4D, 1, 'same');", [12, 12, 6]],
      ["this.kernel = this.addWeight('kernel', [2, 2, 5, inputShape[3] as number], 'float32', tf.initializers.ones());", "return tf.conv2dTranspose(x, this.kernel.read() as tf.Tensor4D, [24, 24, 5], 2, 'same');", [24, 24, 5]],
    ];
    for (const [build, call, shape] of cases) assert.deepEqual(verdict('equivariant sign', build, call).shape, shape, call);
  });
});

describe('custom layers: window ops under each group, as the built-in layers', () => {
  it('translation: a stride-1 convolution loses the border, a stride keeps the subgroup of its multiples', () => {
    assert.match(verdict('equivariant translation', kernelWeight(3), CONV("1, 'same'")).after, /^approx \(Windowed: zero padding of a 3x3 'same' tf\.conv2d\)/);
    assert.match(verdict('equivariant translation', kernelWeight(3), CONV("1, 'valid'")).after, /^approx \(Windowed: 'valid' tf\.conv2d \(3x3 window\) loses the border\)/);
    assert.equal(verdict('equivariant translation', kernelWeight(2), CONV("2, 'valid'")).after, 'subgroup(2)');
    assert.equal(verdict('equivariant translation', kernelWeight(1), CONV("1, 'same'")).after, 'exact');
  });

  it('translation: a dilated window is as wide as its dilation makes it, and an explicit pad is a zero border', () => {
    assert.match(verdict('equivariant translation', kernelWeight(3), CONV("1, 'valid', 'NHWC', 2")).after, /5x5 window/);
    assert.match(verdict('equivariant translation', kernelWeight(3), CONV('1, 1')).after, /zero padding \(1 on each side\)/);
  });

  it('translation: an upsampling by 2 then a stride 2 is exact; by 2 then a stride 4 keeps shifts by 2', () => {
    assert.equal(verdict('equivariant translation', '', "return tf.avgPool(tf.image.resizeNearestNeighbor(x, [24, 24]), 2, 2, 'valid');").after, 'exact');
    assert.equal(verdict('equivariant translation', '', "return tf.avgPool(tf.image.resizeNearestNeighbor(x, [24, 24]), 4, 4, 'valid');").after, 'subgroup(2)');
  });

  it('translation: a transposed convolution with a kernel no larger than its stride upsamples exactly; a larger one overlaps the border', () => {
    const transposed = (k: number) => `this.kernel = this.addWeight('kernel', [${k}, ${k}, 4, inputShape[3] as number], 'float32', tf.initializers.ones());`;
    const call = "return tf.conv2dTranspose(x, this.kernel.read() as tf.Tensor4D, [x.shape[0], 24, 24, 4], 2, 'same');";
    assert.equal(verdict('equivariant translation', transposed(2), call).after, 'exact');
    assert.match(verdict('equivariant translation', transposed(3), call).after, /^approx .*overlaps the zero border/);
  });

  it('flip and rotation90: a learned kernel breaks them, a 1x1 kernel and a pooling window keep them', () => {
    for (const group of ['flip', 'rotation90', 'dihedral']) {
      assert.match(verdict(`equivariant ${group}`, kernelWeight(3), CONV("1, 'same'")).after, /^broken, Windowed: tf\.conv2d has a 3x3 kernel from the weight kernel/, group);
      assert.equal(verdict(`equivariant ${group}`, kernelWeight(1), CONV("1, 'same'")).after, 'exact', group);
      assert.equal(verdict(`equivariant ${group}`, '', "return tf.maxPool(x, 3, 1, 'same');").after, 'exact', group);
    }
  });

  it('flip: a kernel tall but one wide is not reflected by a flip of the width', () => {
    const tall = "this.kernel = this.addWeight('kernel', [3, 1, inputShape[3] as number, 4], 'float32', tf.initializers.glorotUniform({}));";
    assert.equal(verdict('equivariant flip', tall, CONV("1, 'same'")).after, 'exact');
    assert.match(verdict('equivariant rotation90', tall, CONV("1, 'same'")).after, /^broken/);
  });

  it('flip: the kernel symmetrised by its reflection along the width, also through a transpose pair and a scaling', () => {
    const read = 'const k = this.kernel.read() as tf.Tensor4D;\n    ';
    const symmetric = (expression: string) => `${read}return tf.conv2d(x, (${expression}) as tf.Tensor4D, 1, 'same');`;
    assert.match(verdict('equivariant flip', kernelWeight(3), symmetric('tf.add(k, tf.reverse(k, 1)).mul(0.5)')).after, /^approx|^exact/);
    assert.equal(verdict('equivariant flip', kernelWeight(3), symmetric('tf.add(k, tf.reverse(k, 1)).mul(0.5)')).rules.length, 0);
    // Reversing the height (axis 0) is not the flip of the width.
    assert.deepEqual(verdict('equivariant flip', kernelWeight(3), symmetric('tf.add(k, tf.reverse(k, 0))')).rules, ['kernel-breaks-rotation']);
    // transpose, reverse the other axis, transpose back: the reflection of the width again.
    assert.deepEqual(verdict('equivariant flip', kernelWeight(3), symmetric('tf.add(k, tf.transpose(tf.reverse(tf.transpose(k, [1, 0, 2, 3]), 0), [1, 0, 2, 3]))')).rules, []);
    // Two different weights do not make one symmetric kernel.
    const two = `${kernelWeight(3)}\n    this.other = this.addWeight('other', [3, 3, inputShape[3] as number, 4], 'float32', tf.initializers.glorotUniform({}));`;
    assert.deepEqual(verdict('equivariant flip', two.replace('private kernel', ''), `${read}return tf.conv2d(x, tf.add(k, tf.reverse(this.other.read(), 1)) as tf.Tensor4D, 1, 'same');`).rules, ['kernel-breaks-rotation']);
  });

  it('rotation90: a stride-2 window on an odd size samples an off-centre grid, as the pooling layers do', () => {
    assert.equal(verdict('equivariant rotation90', '', "return tf.avgPool(x, 2, 2, 'valid');").after, 'exact');
    assert.deepEqual(verdict('equivariant rotation90', '', "return tf.avgPool(x, 2, 2, 'valid');", '[13, 13, 3]').rules, ['rotation-grid-mismatch']);
    assert.deepEqual(verdict('equivariant rotation90', '', "return tf.avgPool(x, [2, 3], 2, 'valid');").rules, ['rotation-grid-mismatch']);
  });

  it('permutation: a window or a stride along the set breaks it; width 1 keeps it', () => {
    const set = '[10, 8]';
    const conv1d = (k: number, stride = 1) => [kernelWeight(k, 1), `return tf.conv1d(x as unknown as tf.Tensor3D, this.kernel.read() as tf.Tensor3D, ${stride}, 'same');`] as const;
    assert.deepEqual(verdict('equivariant permutation', ...conv1d(3), set).rules, ['order-dependent-layer']);
    assert.deepEqual(verdict('equivariant permutation', ...conv1d(1, 2), set).rules, ['order-dependent-layer']);
    assert.equal(verdict('equivariant permutation', ...conv1d(1), set).after, 'exact');
  });

  it('permutation of the features: a convolution contracts them against its filter', () => {
    const features = (k: number) => verdict('equivariant permutation axis=2', kernelWeight(k, 1), "return tf.conv1d(x as unknown as tf.Tensor3D, this.kernel.read() as tf.Tensor3D, 1, 'same');", '[10, 8]');
    assert.deepEqual(features(1).rules, ['order-dependent-layer']);
    assert.match(features(1).after, /contracts the channel axis, which the group moves, against the weight kernel/);
  });

  it('sign: convolutions and average pooling are odd, max pooling is not', () => {
    assert.equal(verdict('equivariant sign', kernelWeight(3), CONV("2, 'same'")).after, 'exact');
    assert.equal(verdict('equivariant sign', '', "return tf.avgPool(x, 2, 2, 'same');").after, 'exact');
    assert.deepEqual(verdict('equivariant sign', '', "return tf.maxPool(x, 2, 2, 'same');").rules, ['non-odd-layer']);
    assert.deepEqual(verdict('equivariant sign', '', "return tf.pool(x, 2, 'max', 'same');").rules, ['non-odd-layer']);
    assert.deepEqual(verdict('equivariant sign', '', "return tf.pool(x, 2, 'avg', 'same');").rules, []);
  });

  it('a window across the blocks of a concatenation along an acting axis breaks flip, and is approximate under translation', () => {
    const joined = "return tf.avgPool(tf.concat([x, tf.relu(x)], 2) as tf.Tensor4D, 3, 1, 'same');";
    assert.match(verdict('equivariant flip', '', joined).after, /^broken, Windowed: tf\.avgPool mixes neighbouring positions across the blocks/);
    assert.match(verdict('equivariant translation', '', joined).after, /across the blocks/);
  });
});

describe('custom layers: window arguments not known statically are gaps naming them', () => {
  const cases: [string, string, string, RegExp][] = [
    ['strides', kernelWeight(3), CONV("this.strides, 'same'"), /the strides of tf\.conv2d \(argument 3\)/],
    ['pad', kernelWeight(3), CONV('1, this.padding'), /the pad of tf\.conv2d \(argument 4\)/],
    ['dataFormat', kernelWeight(3), CONV("1, 'same', this.format"), /the dataFormat of tf\.conv2d \(argument 5\)/],
    ['dilations', kernelWeight(3), CONV("1, 'same', 'NHWC', this.rate"), /the dilations of tf\.conv2d \(argument 6\)/],
    ['the window size', `this.kernel = this.addWeight('kernel', [this.size, this.size, 3, 4], 'float32', tf.initializers.ones());`, CONV("1, 'same'"), /the window size of tf\.conv2d/],
    ['filterSize', '', "return tf.avgPool(x, this.size, 1, 'same');", /the filterSize of tf\.avgPool \(argument 2\)/],
    ['the resize target', '', 'return tf.image.resizeBilinear(x, [this.height, this.width]);', /the size of tf\.image\.resizeBilinear \(argument 2\)/],
  ];
  for (const [what, build, call, words] of cases) {
    it(`${what}`, () => {
      const result = verdict('equivariant translation', build, call);
      assert.deepEqual(result.rules, ['analysis-gap'], result.messages);
      assert.match(result.messages, words);
    });
  }

  it('an argument that does not matter for the group is not a gap (strides under sign)', () => {
    assert.deepEqual(verdict('equivariant sign', kernelWeight(1), CONV("1, 'same'")).rules, []);
  });

  it('channels first moves the spatial axes: the window is judged on the axes it slides over', () => {
    const nchw = `return tf.conv2d(tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, 1, 'same', 'NCHW');`;
    assert.match(verdict('equivariant translation', kernelWeight(3), nchw).after, /^approx \(Windowed: zero padding of a 3x3 'same' tf\.conv2d\)/);
    assert.equal(verdict('equivariant translation', kernelWeight(1), nchw).after, 'exact');
  });
});

describe('custom layers: the parity of window ops against the installed tfjs', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const span = { file: '/virtual/parity.ts', start: 0, end: 0 };
  const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i * 1.7) * 0.9), [2, 6, 6, 3]);
  const kernel = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 2 }, (_, i) => Math.cos(i * 0.9)), [3, 3, 3, 2]);

  /** 'odd' when f(-x) = -f(x), else 'breaks' (no window op is even). */
  function measured(apply: (t: import('@tensorflow/tfjs').Tensor4D) => import('@tensorflow/tfjs').Tensor): string {
    const plus = Array.from(apply(x).dataSync());
    const minus = Array.from(apply(tf.neg(x) as import('@tensorflow/tfjs').Tensor4D).dataSync());
    return plus.every((value, i) => Math.abs(value + minus[i]) < 1e-5) ? 'odd' : 'breaks';
  }

  function judged(name: string, operands: Parameters<NonNullable<ReturnType<typeof CUSTOM_OP_PARITY.get>>>[0]['operands']): string {
    try {
      return CUSTOM_OP_PARITY.get(name)!({ name, operands, span });
    } catch {
      return 'breaks';
    }
  }

  const odd = { parity: 'odd' as const };
  const fixed = { parity: 'fixed' as const };
  const cases: [string, Parameters<typeof judged>[1], (t: import('@tensorflow/tfjs').Tensor4D) => import('@tensorflow/tfjs').Tensor][] = [
    ['conv2d', [odd, fixed, { constant: 1 }, { constant: 'same' }], (t) => tf.conv2d(t, kernel, 1, 'same')],
    ['depthwiseConv2d', [odd, fixed, { constant: 1 }, { constant: 'same' }], (t) => tf.depthwiseConv2d(t, kernel.slice([0, 0, 0, 0], [3, 3, 3, 1]) as import('@tensorflow/tfjs').Tensor4D, 1, 'same')],
    ['avgPool', [odd, { constant: 2 }, { constant: 2 }, { constant: 'same' }], (t) => tf.avgPool(t, 2, 2, 'same')],
    ['maxPool', [odd, { constant: 2 }, { constant: 2 }, { constant: 'same' }], (t) => tf.maxPool(t, 2, 2, 'same')],
    ['pool', [odd, { constant: 2 }, { constant: 'max' }, { constant: 'valid' }], (t) => tf.pool(t, 2, 'max', 'valid')],
    ['pool', [odd, { constant: 2 }, { constant: 'avg' }, { constant: 'valid' }], (t) => tf.pool(t, 2, 'avg', 'valid')],
    ['image.resizeBilinear', [odd, { constant: [9, 9] }], (t) => tf.image.resizeBilinear(t, [9, 9])],
    ['image.resizeNearestNeighbor', [odd, { constant: [9, 9] }], (t) => tf.image.resizeNearestNeighbor(t, [9, 9])],
  ];
  for (const [name, operands, apply] of cases) {
    it(`${name}${name === 'pool' ? ` (${(operands[2] as { constant: string }).constant})` : ''}`, () => {
      assert.equal(judged(name, operands), measured(apply));
    });
  }
});
