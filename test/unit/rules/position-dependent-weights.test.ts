// position-dependent-weights: prelu without shared spatial axes (a weight per position).
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { positionDependentWeights } from '../../../server/src/rules/position-dependent-weights';

const m = handBuiltModel(
  `/**
 * @symmetry invariant dihedral
 * @symmetry invariant translation
 */
function buildTileModel() {
  const model = tf.sequential();
  model.add(tf.layers.prelu({}));
  return model;
}`,
  ['prelu'],
);

describe('position-dependent-weights (hand-built)', () => {
  it('reports once per declaration that falls', () => {
    const inferences = m.declarations.map((declaration) =>
      inferenceOf(declaration, { falls: [fallOf('broken', causeAt(m, 'per-position-weights', 0, 'prelu alpha of shape [32, 32, 3]'))] }),
    );
    const findings = runOnHandBuilt(m, inferences, 'position-dependent-weights');
    assertErrors(m.text, findings, [
      { messageId: 'perPositionWeights', line: 7, column: 23, endLine: 7, endColumn: 28, severity: 'error', messageIncludes: ['dihedral invariance is lost', 'sharedAxes'] },
      { messageId: 'perPositionWeights', line: 7, column: 23, endLine: 7, endColumn: 28, messageIncludes: ['translation invariance is lost'] },
    ]);
    assert.deepEqual(findings.map((f) => f.group), ['dihedral', 'translation']);
  });

  it('reports nothing without a fall', () => {
    assert.deepEqual(runOnHandBuilt(m, [inferenceOf(m.declarations[0])], 'position-dependent-weights'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(positionDependentWeights, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.prelu({ sharedAxes: [1, 2] }));
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
  model.add(tf.layers.prelu({}));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`, errors: [{ messageId: 'perPositionWeights', line: 9, column: 23, endLine: 9, endColumn: 28 }] },
  ],
});
