// kernel-breaks-rotation: a learned kernel under rotation90, flip or dihedral, and block mixing
// under those groups.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { kernelBreaksRotation } from '../../../server/src/rules/kernel-breaks-rotation';
import { AT_WINDOWED, kernelWeight, windowedModel } from '../customLayerFixtures';

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

// Convolutions inside a custom layer's call(): the filter is a value of call(), learned unless
// call() makes it symmetric from its reflections and transposes (issue 11).
const POOLED = 'tf.layers.globalAveragePooling2d({}).apply(features)';
const CONV = "return tf.conv2d(x, KERNEL, 1, 'same');";
const withKernel = (kernel: string, before = '') => `${before}${CONV.replace('KERNEL', kernel)}`;
const READ = 'const k = this.kernel.read() as tf.Tensor4D;\n    ';
const ROTATIONS = `${READ}const turn = (w: tf.Tensor4D) => tf.reverse(tf.transpose(w, [1, 0, 2, 3]), 1) as tf.Tensor4D;
    const k1 = turn(k);
    const k2 = turn(k1);
    const k3 = turn(k2);
    `;

RuleTester.run(kernelBreaksRotation, {
  valid: [
    { name: 'a kernel averaged with its mirror image, under flip', code: windowedModel('invariant flip', '[12, 12, 3]', kernelWeight(3), withKernel('tf.div(tf.add(k, tf.reverse(k, 1)), 2) as tf.Tensor4D', READ), POOLED) },
    { name: 'a kernel summed over its four rotations, under rotation90', code: windowedModel('invariant rotation90', '[12, 12, 3]', kernelWeight(3), withKernel('tf.addN([k, k1, k2, k3]) as tf.Tensor4D', ROTATIONS), POOLED) },
    { name: 'a 1x1 kernel, under dihedral', code: windowedModel('invariant dihedral', '[12, 12, 3]', kernelWeight(1), withKernel('this.kernel.read() as tf.Tensor4D'), POOLED) },
    { name: 'a kernel of ones, under rotation90', code: windowedModel('invariant rotation90', '[12, 12, 3]', '', withKernel('tf.ones([3, 3, 3, 4]) as tf.Tensor4D'), POOLED) },
  ],
  invalid: [
    {
      name: 'a learned 3x3 kernel, under flip',
      code: windowedModel('invariant flip', '[12, 12, 3]', kernelWeight(3), withKernel('this.kernel.read() as tf.Tensor4D'), POOLED),
      errors: [{ messageId: 'learnedKernel', ...AT_WINDOWED, messageIncludes: ['Windowed has a learned kernel', 'flip invariance is lost'] }],
    },
    {
      name: 'a kernel made mirror-symmetric only, under rotation90',
      code: windowedModel('invariant rotation90', '[12, 12, 3]', kernelWeight(3), withKernel('tf.div(tf.add(k, tf.reverse(k, 1)), 2) as tf.Tensor4D', READ), POOLED),
      errors: [{ messageId: 'learnedKernel', ...AT_WINDOWED }],
    },
    {
      name: 'a kernel minus its mirror image is antisymmetric, under flip',
      code: windowedModel('invariant flip', '[12, 12, 3]', kernelWeight(3), withKernel('tf.sub(k, tf.reverse(k, 1)) as tf.Tensor4D', READ), POOLED),
      errors: [{ messageId: 'learnedKernel', ...AT_WINDOWED }],
    },
    {
      name: 'rotations without the flips, under dihedral',
      code: windowedModel('invariant dihedral', '[12, 12, 3]', kernelWeight(3), withKernel('tf.addN([k, k1, k2, k3]) as tf.Tensor4D', ROTATIONS), POOLED),
      errors: [{ messageId: 'learnedKernel', ...AT_WINDOWED }],
    },
    {
      name: 'a depthwise convolution with a learned kernel, under flip',
      code: windowedModel('invariant flip', '[12, 12, 3]', "this.kernel = this.addWeight('kernel', [3, 3, inputShape[3] as number, 1], 'float32', tf.initializers.glorotUniform({}));", "return tf.depthwiseConv2d(x, this.kernel.read() as tf.Tensor4D, 1, 'same');", POOLED),
      errors: [{ messageId: 'learnedKernel', ...AT_WINDOWED }],
    },
  ],
});
