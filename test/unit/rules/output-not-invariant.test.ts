// output-not-invariant: invariance declared, but the output still carries the acting axes.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { outputNotInvariant } from '../../../server/src/rules/output-not-invariant';

const m = handBuiltModel(
  `/**
 * @symmetry invariant translation
 */
function buildHeatmap() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 17, kernelSize: 1, activation: 'sigmoid' }));
  return model;
}`,
  ['conv2d'],
);

describe('output-not-invariant (hand-built)', () => {
  it('reports the output layer and says how to fix it', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'output-not-invariant', 0, 'output shape [32, 32, 17]'))] });
    const findings = runOnHandBuilt(m, [inference], 'output-not-invariant');
    assertErrors(m.text, findings, [
      { messageId: 'outputNotInvariant', line: 6, column: 23, endLine: 6, endColumn: 29, severity: 'error', messageIncludes: ['The output still carries the spatial axes', 'translation invariance cannot hold', 'global pooling'] },
    ]);
  });

  it('says an odd output cannot be sign invariant, without talking of axes', () => {
    const odd = handBuiltModel(
      `/**
 * @symmetry invariant sign
 */
function buildEnergy() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, useBias: false }));
  return model;
}`,
      ['dense'],
    );
    const inference = inferenceOf(odd.declarations[0], { falls: [fallOf('broken', causeAt(odd, 'output-not-invariant', 0, 'the output is odd'))] });
    assertErrors(odd.text, runOnHandBuilt(odd, [inference], 'output-not-invariant'), [
      { messageId: 'oddOutput', line: 6, column: 23, endLine: 6, endColumn: 28, messageIncludes: ['odd function of the input', 'sign invariance (evenness) cannot hold'] },
    ]);
  });

  it('falls back to the model name when the cause names no layer of the graph', () => {
    const cause = { code: 'output-not-invariant' as const, at: { layer: 99, kind: 'output' }, detail: 'x' };
    const findings = runOnHandBuilt(m, [inferenceOf(m.declarations[0], { falls: [fallOf('broken', cause)] })], 'output-not-invariant');
    assertErrors(m.text, findings, [{ messageId: 'outputNotInvariant', line: 4, column: 10, endLine: 4, endColumn: 22 }]);
  });

  it('is silent without the cause', () => {
    assert.deepEqual(runOnHandBuilt(m, [inferenceOf(m.declarations[0])], 'output-not-invariant'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(outputNotInvariant, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  return model;
}
` },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
` },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.conv2d({ filters: 17, kernelSize: 1, activation: 'sigmoid' }));
  return model;
}
`, errors: [{ messageId: 'outputNotInvariant', line: 9, column: 23, endLine: 9, endColumn: 29 }] },
  ],
});
