// order-dependent-layer: RNNs, windows along the set axis, flatten + dense under permutation,
// and dense layers mixing an acting axis.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { orderDependentLayer } from '../../../server/src/rules/order-dependent-layer';
import { AT_WINDOWED, kernelWeight, windowedModel } from '../customLayerFixtures';

const model = (tag: string) =>
  handBuiltModel(
    `/**
 * ${tag}
 */
function buildSetModel() {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 32 }));
  model.add(tf.layers.conv1d({ filters: 16, kernelSize: 3 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 4 }));
  return model;
}`,
    ['lstm', 'conv1d', 'flatten', 'dense'],
  );

describe('order-dependent-layer (hand-built)', () => {
  it('reports a recurrent layer along the set axis', () => {
    const m = model('@symmetry invariant permutation axis=1');
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'recurrent', 0, 'lstm runs along axis 1'))] });
    const findings = runOnHandBuilt(m, [inference], 'order-dependent-layer');
    assertErrors(m.text, findings, [
      { messageId: 'recurrent', line: 6, column: 23, endLine: 6, endColumn: 27, severity: 'error', messageIncludes: ['lstm reads its input in order', 'permutation invariance is lost', 'SetDense'] },
    ]);
  });

  it('reports windows along the set axis and flatten + dense under permutation', () => {
    const m = model('@symmetry equivariant permutation');
    const window = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'set-axis-window', 1, 'kernel size 3'))] });
    assertErrors(m.text, runOnHandBuilt(m, [window], 'order-dependent-layer'), [{ messageId: 'setAxisWindow', line: 7, column: 23, endLine: 7, endColumn: 29 }]);
    const flatten = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'flatten-then-mix', 2, 'x', 3))] });
    const findings = runOnHandBuilt(m, [flatten], 'order-dependent-layer');
    assertErrors(m.text, findings, [{ messageId: 'flattenThenMix', line: 8, column: 23, endLine: 8, endColumn: 30, messageIncludes: ['that dense at line 9 mixes', 'set elements'] }]);
  });

  it('takes recurrent layers under translation too, and dense layers over acting axes', () => {
    const m = model('@symmetry equivariant translation');
    const recurrent = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'recurrent', 0))] });
    assert.equal(runOnHandBuilt(m, [recurrent], 'order-dependent-layer').length, 1);
    const dense = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'mixes-acting-axis', 3))] });
    assertErrors(m.text, runOnHandBuilt(m, [dense], 'order-dependent-layer'), [{ messageId: 'mixesActingAxis', line: 9, column: 23, endLine: 9, endColumn: 28 }]);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(orderDependentLayer, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant permutation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [20, 8], units: 16 }));
  model.add(tf.layers.dense({ units: 4, activation: 'relu' }));
  return model;
}
` },
    // Attention without positions: tf.layers.dot contracts features, then the set against the
    // set; neither depends on the order of the elements.
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant permutation
 */
export function setAttention(): tf.LayersModel {
  const points = tf.input({ shape: [32, 3] });
  const q = tf.layers.dense({ units: 16 }).apply(points) as tf.SymbolicTensor;
  const k = tf.layers.dense({ units: 16 }).apply(points) as tf.SymbolicTensor;
  const v = tf.layers.dense({ units: 16 }).apply(points) as tf.SymbolicTensor;
  const scores = tf.layers.dot({ axes: -1 }).apply([q, k]) as tf.SymbolicTensor;
  const weights = tf.layers.softmax().apply(scores) as tf.SymbolicTensor;
  const mixed = tf.layers.dot({ axes: [2, 1] }).apply([weights, v]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalMaxPooling1d({}).apply(mixed) as tf.SymbolicTensor;
  return tf.model({ inputs: points, outputs: pooled });
}
` },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant permutation
 */
export function weightedBySlot(): tf.LayersModel {
  const points = tf.input({ shape: [32, 3] });
  const features = tf.layers.dense({ units: 16 }).apply(points) as tf.SymbolicTensor;
  const summary = tf.layers.globalAveragePooling1d({}).apply(points) as tf.SymbolicTensor;
  const slots = tf.layers.dense({ units: 32 }).apply(summary) as tf.SymbolicTensor;
  const mixed = tf.layers.dot({ axes: [1, 1] }).apply([features, slots]) as tf.SymbolicTensor;
  return tf.model({ inputs: points, outputs: mixed });
}
`, errors: [{ messageId: 'mixesActingAxis', line: 11, column: 27, endLine: 11, endColumn: 30, messageIncludes: ['dot gives each position along the set axis (axis 1) its own weights'] }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant permutation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [20, 8], units: 16 }));
  model.add(tf.layers.lstm({ units: 32 }));
  return model;
}
`, errors: [{ messageId: 'recurrent', line: 9, column: 23, endLine: 9, endColumn: 27 }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant permutation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [20, 8], units: 16 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
`, errors: [{ messageId: 'flattenThenMix', line: 9, column: 23, endLine: 9, endColumn: 30, messageIncludes: ['that dense at line 10 mixes'] }] },
  ],
});

// Windows along the set axis inside a custom layer's call() (issue 11).
const SET_POOLED = 'tf.layers.globalAveragePooling1d({}).apply(features)';

RuleTester.run(orderDependentLayer, {
  valid: [
    { name: 'a conv1d of width 1 is per element', code: windowedModel('invariant permutation', '[10, 8]', kernelWeight(1, 1), "return tf.conv1d(x as unknown as tf.Tensor3D, this.kernel.read() as tf.Tensor3D, 1, 'same');", SET_POOLED) },
  ],
  invalid: [
    {
      name: 'a conv1d of width 3 along the set',
      code: windowedModel('invariant permutation', '[10, 8]', kernelWeight(3, 1), "return tf.conv1d(x as unknown as tf.Tensor3D, this.kernel.read() as tf.Tensor3D, 1, 'same');", SET_POOLED),
      errors: [{ messageId: 'setAxisWindow', ...AT_WINDOWED, messageIncludes: ['Windowed has a window larger than 1', 'permutation invariance is lost'] }],
    },
  ],
});
