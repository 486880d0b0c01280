// order-dependent-layer: RNNs, windows along the set axis, flatten + dense under permutation,
// and dense layers mixing an acting axis.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { orderDependentLayer } from '../../../server/src/rules/order-dependent-layer';

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
  ],
  invalid: [
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
