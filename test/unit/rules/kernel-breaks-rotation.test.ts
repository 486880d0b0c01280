// kernel-breaks-rotation: a learned kernel under rotation90, flip or dihedral, and block mixing
// under those groups.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { kernelBreaksRotation } from '../../../server/src/rules/kernel-breaks-rotation';

const model = (tag: string) =>
  handBuiltModel(
    `/**
 * ${tag}
 */
function buildSlideClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3 }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3 }));
  return model;
}`,
    ['conv2d', 'conv2d'],
  );

describe('kernel-breaks-rotation (hand-built)', () => {
  for (const group of ['rotation90', 'flip', 'dihedral']) {
    it(`reports the first learned kernel under ${group}`, () => {
      const m = model(`@symmetry invariant ${group}`);
      const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'learned-kernel', 0, '3x3 kernel'), [causeAt(m, 'learned-kernel', 1, '3x3 kernel')])] });
      const findings = runOnHandBuilt(m, [inference], 'kernel-breaks-rotation');
      assertErrors(m.text, findings, [
        { messageId: 'learnedKernel', line: 6, column: 23, endLine: 6, endColumn: 29, severity: 'error', messageIncludes: [`${group} invariance is lost`, group === 'flip' ? 'GroupAveraging' : 'P4'] },
      ]);
      // The analysis' account of the cause is related information, not part of the message.
      assert.deepEqual(findings[0].related.map((r) => r.message), [`declared here: @symmetry invariant ${group}`, '3x3 kernel', 'also at conv2d, line 7']);
    });
  }

  it('takes block mixing under rotation90', () => {
    const m = model('@symmetry equivariant rotation90');
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'block-mixing', 1))] });
    assertErrors(m.text, runOnHandBuilt(m, [inference], 'kernel-breaks-rotation'), [{ messageId: 'blockMixing', line: 7, column: 23, endLine: 7, endColumn: 29 }]);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(kernelBreaksRotation, {
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
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation tol=1e-2
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3 }));
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
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3 }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`, errors: [{ messageId: 'learnedKernel', line: 8, column: 23, endLine: 8, endColumn: 29 }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant flip
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`, errors: [{ messageId: 'learnedKernel', line: 8, column: 23, endLine: 8, endColumn: 29 }] },
  ],
});
