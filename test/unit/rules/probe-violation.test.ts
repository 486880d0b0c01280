// probe-violation is reported by the probe only: statically, whatever the inference found, it is silent.
import { strict as assert } from 'node:assert';
import { getRule } from '../../../server/src/rules/registry';
import { RuleTester, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { probeViolation } from '../../../server/src/rules/probe-violation';

const m = handBuiltModel(
  `/**
 * @symmetry invariant translation
 */
function buildClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.flatten());
  model.add(new Custom());
  return model;
}`,
  ['conv2d', 'flatten', 'Custom'],
);

describe('probe-violation (hand-built)', () => {
  it('reports nothing statically', () => {
    const inference = inferenceOf(m.declarations[0], {
      falls: [fallOf('approx', causeAt(m, 'zero-padding', 0)), fallOf('broken', causeAt(m, 'flattened-output', 1))],
      gaps: [causeAt(m, 'unmodelled-layer', 2)],
      mismatch: { message: 'x' },
    });
    assert.deepEqual(runOnHandBuilt(m, [inference], 'probe-violation'), []);
    // The model does produce findings, so the silence is this rule's, not an empty run.
    assert.ok(runOnHandBuilt(m, [inference], 'padding-boundary').length > 0);
  });

  it('has messages for the probe to use', () => {
    const rule = getRule('probe-violation');
    assert.ok(rule);
    assert.ok(Object.keys(rule.meta.messages).length >= 2);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(probeViolation, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

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
` },
  ],
  invalid: [
  ],
});
