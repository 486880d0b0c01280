// flatten-breaks-invariance: flatten then a mixing layer, or a flattened output; blames the
// flatten and names both layers. Under permutation the same cause belongs to order-dependent-layer.
import { strict as assert } from 'node:assert';
import { parseDeclarations } from '../../../server/src/analysis/declarations';
import { analyzeText } from '../../../server/src/engine';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { flattenBreaksInvariance } from '../../../server/src/rules/flatten-breaks-invariance';

const m = handBuiltModel(
  `/**
 * @symmetry invariant translation
 */
function buildClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 1 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}`,
  ['conv2d', 'flatten', 'dense'],
);

describe('flatten-breaks-invariance (hand-built)', () => {
  it('names the flatten and the mixing layer, and squiggles the flatten', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'flatten-then-mix', 1, 'flatten merges H and W', 2))] });
    const findings = runOnHandBuilt(m, [inference], 'flatten-breaks-invariance');
    assertErrors(m.text, findings, [{ messageId: 'flattenThenMix', line: 7, column: 23, endLine: 7, endColumn: 30, severity: 'error' }]);
    assert.equal(
      findings[0].message,
      'flatten turns positions into features that dense at line 8 mixes, so translation invariance is lost; use global pooling instead of flatten.',
    );
    assert.deepEqual(findings[0].related.map((r) => r.message), [
      'declared here: @symmetry invariant translation',
      'flatten merges H and W',
      'dense at line 8, the second layer involved',
    ]);
  });

  it('reports a flattened output', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'flattened-output', 1))] });
    assertErrors(m.text, runOnHandBuilt(m, [inference], 'flatten-breaks-invariance'), [
      { messageId: 'flattenedOutput', line: 7, column: 23, endLine: 7, endColumn: 30, messageIncludes: ['the spatial axes'] },
    ]);
  });

  it('leaves flatten + dense under permutation to order-dependent-layer', () => {
    const permutation = parseDeclarations({ text: '/** @symmetry invariant permutation */', span: { file: m.graph.nameSpan.file, start: 0, end: 0 } }).declarations[0];
    const inference = inferenceOf(permutation, { falls: [fallOf('broken', causeAt(m, 'flatten-then-mix', 1, 'x', 2))] });
    assert.deepEqual(runOnHandBuilt(m, [inference], 'flatten-breaks-invariance'), []);
    assert.equal(runOnHandBuilt(m, [inference], 'order-dependent-layer').length, 1);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(flattenBreaksInvariance, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
` },
    // Pixels as a set: merging H and W while keeping the channels turns a shift into a
    // permutation of positions, which kernel-1 layers and global pooling keep.
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function pixelsAsSet(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.reshape({ targetShape: [256, 8] }));
  model.add(tf.layers.conv1d({ filters: 8, kernelSize: 1, activation: 'relu' }));
  model.add(tf.layers.globalMaxPooling1d({}));
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
` },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function pixelsInOrder(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.reshape({ targetShape: [-1, 8] }));
  model.add(tf.layers.conv1d({ filters: 8, kernelSize: 3 }));
  model.add(tf.layers.globalMaxPooling1d({}));
  return model;
}
`, errors: [{ messageId: 'flattenThenMix', line: 9, column: 23, endLine: 9, endColumn: 30, messageIncludes: ['reshape turns positions into features that conv1d at line 10 mixes'] }] },
    // A head on a loaded base: the input's shape is only known at run time. The declaration
    // implies an image, so flatten then dense is still an error, and the message says so.
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildHead(base: tf.LayersModel): tf.Sequential {
  const head = tf.sequential();
  head.add(tf.layers.flatten({ inputShape: base.outputs[0].shape.slice(1) }));
  head.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return head;
}
`, errors: [{ messageId: 'flattenThenMix', line: 8, column: 22, endLine: 8, endColumn: 29, messageIncludes: ['(assuming an image input [N, H, W, C])'] }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildHead(): tf.Sequential {
  const head = tf.sequential();
  head.add(tf.layers.flatten());
  head.add(tf.layers.dense({ units: 10 }));
  return head;
}
`, errors: [{ messageId: 'flattenThenMix', line: 8, column: 22, endLine: 8, endColumn: 29, messageIncludes: ['assuming an image input'] }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
`, errors: [{ messageId: 'flattenThenMix', line: 9, column: 23, endLine: 9, endColumn: 30, messageIncludes: ['flatten turns positions into features that dense at line 10 mixes, so translation invariance is lost'] }] },
  ],
});

describe('flatten-breaks-invariance on an input of unknown shape', () => {
  it('points its related information at the input whose structure was assumed', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function buildHead(base: tf.LayersModel) {
  const head = tf.sequential();
  head.add(tf.layers.flatten({ inputShape: base.outputs[0].shape.slice(1) }));
  head.add(tf.layers.dense({ units: 10 }));
  return head;
}
`;
    const [finding] = analyzeText('head.ts', text).findings;
    assert.equal(finding.ruleId, 'flatten-breaks-invariance');
    const note = finding.related.find((related) => /not known statically/.test(related.message));
    assert.ok(note, JSON.stringify(finding.related));
    assert.match(note.message, /assumed to be an image input \[N, H, W, C\], as @symmetry translation implies/);
    assert.equal(text.slice(note.span.start, note.span.start + 'tf.layers.flatten'.length), 'tf.layers.flatten');
  });
});
