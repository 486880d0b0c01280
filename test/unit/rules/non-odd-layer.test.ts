// non-odd-layer: biases and non-odd activations under the sign group.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { nonOddLayer } from '../../../server/src/rules/non-odd-layer';

const m = handBuiltModel(
  `/**
 * @symmetry equivariant sign
 */
function buildOddMlp() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 64 }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu', useBias: false }));
  return model;
}`,
  ['dense', 'dense'],
);

describe('non-odd-layer (hand-built)', () => {
  it('reports a bias', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'bias', 0, 'dense adds a bias (useBias defaults to true)'))] });
    assertErrors(m.text, runOnHandBuilt(m, [inference], 'non-odd-layer'), [
      { messageId: 'bias', line: 6, column: 23, endLine: 6, endColumn: 28, severity: 'error', messageIncludes: ['useBias: false', 'sign equivariance (oddness) is lost'] },
    ]);
  });

  it('reports a non-odd activation', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'non-odd', 1, "activation 'relu'"))] });
    assertErrors(m.text, runOnHandBuilt(m, [inference], 'non-odd-layer'), [
      { messageId: 'nonOdd', line: 7, column: 23, endLine: 7, endColumn: 28, messageIncludes: ["activation 'relu'", 'tanh'] },
    ]);
  });

  it('ignores other causes', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('approx', causeAt(m, 'zero-padding', 0))] });
    assert.deepEqual(runOnHandBuilt(m, [inference], 'non-odd-layer'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(nonOddLayer, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant sign
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [6], units: 8, activation: 'tanh', useBias: false }));
  return model;
}
` },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant sign
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu', useBias: false }));
  return model;
}
`, errors: [{ messageId: 'nonOdd', line: 8, column: 23, endLine: 8, endColumn: 28 }] },
    // Two odd branches multiplied give an even output: the multiply is the break, not the
    // bias-free tanh dense that only carries it to the output.
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant sign
 */
export function buildProduct(): tf.LayersModel {
  const input = tf.input({ shape: [6] });
  const a = tf.layers.dense({ units: 8, useBias: false }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 8, useBias: false, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
  const product = tf.layers.multiply().apply([a, b]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 2, useBias: false, activation: 'tanh' }).apply(product) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
`, errors: [{ messageId: 'nonOdd', line: 10, column: 29, endLine: 10, endColumn: 37 }] },
  ],
});
