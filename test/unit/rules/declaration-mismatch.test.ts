// declaration-mismatch: a well-formed declaration that does not fit the model, at the tag.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { declarationMismatch } from '../../../server/src/rules/declaration-mismatch';

const m = handBuiltModel(
  `/**
 * @symmetry invariant rotation90
 */
function buildTileModel() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 32, 3], filters: 8, kernelSize: 1 }));
  return model;
}`,
  ['conv2d'],
);

describe('declaration-mismatch (hand-built)', () => {
  it('reports at the tag with the input as related information', () => {
    const input = { file: m.graph.nameSpan.file, start: 120, end: 131 };
    const inference = inferenceOf(m.declarations[0], { mismatch: { message: 'rotation90 needs a square input, but it is 28x32.', input } });
    const findings = runOnHandBuilt(m, [inference], 'declaration-mismatch');
    assertErrors(m.text, findings, [
      { messageId: 'mismatch', line: 2, column: 4, endLine: 2, endColumn: 34, severity: 'error', messageIncludes: ['rotation90 needs a square input, but it is 28x32, so @symmetry invariant rotation90 is not checked.'] },
    ]);
    assert.deepEqual(findings[0].related, [{ span: input, message: 'the input whose shape does not fit' }]);
  });

  it('puts a command-line declaration on the model name', () => {
    const declaration = { ...m.declarations[0], fromCommandLine: true, span: m.graph.nameSpan };
    const findings = runOnHandBuilt(m, [inferenceOf(declaration, { mismatch: { message: 'no' } })], 'declaration-mismatch');
    assertErrors(m.text, findings, [{ messageId: 'mismatch', line: 4, column: 10, endLine: 4, endColumn: 24 }]);
  });

  it('is silent when the declaration fits', () => {
    assert.deepEqual(runOnHandBuilt(m, [inferenceOf(m.declarations[0])], 'declaration-mismatch'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(declarationMismatch, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant rotation90
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
 * @symmetry invariant rotation90
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`, errors: [{ messageId: 'mismatch', line: 4, column: 4, endLine: 4, endColumn: 34 }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant permutation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [10], units: 4 }));
  return model;
}
`, errors: [{ messageId: 'mismatch', line: 4, column: 4, endLine: 4, endColumn: 35 }] },
  ],
});
