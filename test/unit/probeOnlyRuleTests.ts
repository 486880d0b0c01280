// Shared by the tests of the two rules only the probe reports (probe-violation,
// probe-disagrees): statically, whatever the inference found, they stay silent.
import { strict as assert } from 'node:assert';
import { getRule } from '../../server/src/rules/registry';
import type { Rule } from '../../server/src/rules/rule';
import { RuleTester, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from './ruleTester';

const HAND_BUILT_SOURCE = `/**
 * @symmetry invariant translation
 */
function buildClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.flatten());
  model.add(new Custom());
  return model;
}`;

const SOURCE_WITH_FINDINGS = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  model.add(new Custom());
  return model;
}
`;

export function testProbeOnlyRule(rule: Rule): void {
  const m = handBuiltModel(HAND_BUILT_SOURCE, ['conv2d', 'flatten', 'Custom']);

  describe(`${rule.id} (hand-built)`, () => {
    it('reports nothing statically', () => {
      const inference = inferenceOf(m.declarations[0], {
        falls: [fallOf('approx', causeAt(m, 'zero-padding', 0)), fallOf('broken', causeAt(m, 'flattened-output', 1))],
        gaps: [causeAt(m, 'unmodelled-layer', 2)],
        mismatch: { message: 'x' },
      });
      assert.deepEqual(runOnHandBuilt(m, [inference], rule.id), []);
      // The model does produce findings, so the silence is this rule's, not an empty run.
      assert.ok(runOnHandBuilt(m, [inference], 'padding-boundary').length > 0);
    });

    it('has messages for the probe to use', () => {
      const registered = getRule(rule.id);
      assert.ok(registered);
      assert.ok(Object.keys(registered.meta.messages).length >= 2);
    });
  });

  // Source code through the real engine: a model full of static findings, none of this rule.
  RuleTester.run(rule, { valid: [{ code: SOURCE_WITH_FINDINGS }], invalid: [] });
}
