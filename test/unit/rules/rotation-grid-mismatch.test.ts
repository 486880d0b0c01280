// rotation-grid-mismatch: sampling grids, asymmetric borders and non-square windows under
// rotation and flip.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { rotationGridMismatch } from '../../../server/src/rules/rotation-grid-mismatch';
import { AT_WINDOWED, kernelWeight, windowedModel } from '../customLayerFixtures';

const m = handBuiltModel(
  `/**
 * @symmetry invariant rotation90
 */
function buildP4Net() {
  const model = tf.sequential();
  model.add(new P4Conv2D({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }));
  model.add(tf.layers.zeroPadding2d({ padding: [[0, 0], [1, 0]] }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 3] }));
  return model;
}`,
  ['P4Conv2D', 'zeroPadding2d', 'maxPooling2d'],
);

describe('rotation-grid-mismatch (hand-built)', () => {
  it('reports a grid offset at the class name of a new expression', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('subgroup', causeAt(m, 'grid-offset', 0, "stride 2 'same' on an even size 24"))] });
    const findings = runOnHandBuilt(m, [inference], 'rotation-grid-mismatch');
    assertErrors(m.text, findings, [
      { messageId: 'gridOffset', line: 6, column: 17, endLine: 6, endColumn: 25, severity: 'warning', messageIncludes: ['P4Conv2D samples a grid', 'rotation90 invariance holds only for a subgroup'] },
    ]);
    // The sizes that put the centre off the grid are the related information's to give.
    assert.ok(findings[0].related.some((r) => r.message === "stride 2 'same' on an even size 24"));
  });

  it('reports asymmetric borders and non-square windows with their own messages', () => {
    const asymmetric = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'asymmetric-border', 1))] });
    assertErrors(m.text, runOnHandBuilt(m, [asymmetric], 'rotation-grid-mismatch'), [{ messageId: 'asymmetricBorder', line: 7, column: 23, endLine: 7, endColumn: 36 }]);
    const window = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'non-square-window', 2))] });
    assertErrors(m.text, runOnHandBuilt(m, [window], 'rotation-grid-mismatch'), [{ messageId: 'nonSquareWindow', line: 8, column: 23, endLine: 8, endColumn: 35 }]);
  });

  it('leaves learned kernels to kernel-breaks-rotation', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'learned-kernel', 0))] });
    assert.deepEqual(runOnHandBuilt(m, [inference], 'rotation-grid-mismatch'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(rotationGridMismatch, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant rotation90
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]] }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
` },
    // An uneven zero padding only adds constants: pointwise layers and global pooling after it
    // still see the same values (the probe measures 8e-8 here).
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant rotation90
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.zeroPadding2d({ padding: [[0, 0], [1, 0]] }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }));
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
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.zeroPadding2d({ padding: [[0, 0], [1, 0]] }));
  model.add(tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`, errors: [{ messageId: 'asymmetricBorder', line: 9, column: 23, endLine: 9, endColumn: 36 }] },
  ],
});

// Sampling grids of window ops inside a custom layer's call() under flips and rotations (issue 11).
RuleTester.run(rotationGridMismatch, {
  valid: [
    { name: "a 2x2 'valid' pooling of stride 2 on an even size", code: windowedModel('equivariant rotation90', '[12, 12, 3]', '', "return tf.avgPool(x, 2, 2, 'valid');") },
    { name: 'a bilinear resize with half-pixel centres', code: windowedModel('equivariant flip', '[12, 12, 3]', '', 'return tf.image.resizeBilinear(x, [18, 18], false, true);') },
  ],
  invalid: [
    {
      name: "a 2x2 'valid' pooling of stride 2 on an odd size",
      code: windowedModel('equivariant rotation90', '[13, 13, 3]', '', "return tf.avgPool(x, 2, 2, 'valid');"),
      errors: [{ messageId: 'gridOffset', ...AT_WINDOWED, messageIncludes: ['Windowed samples a grid'] }],
    },
    {
      name: 'a bilinear resize without half-pixel centres',
      code: windowedModel('equivariant flip', '[12, 12, 3]', '', 'return tf.image.resizeBilinear(x, [18, 18]);'),
      errors: [{ messageId: 'gridOffset', ...AT_WINDOWED }],
    },
    {
      name: 'a resize to a non-square size, under rotation90',
      code: windowedModel('equivariant rotation90', '[12, 12, 3]', '', 'return tf.image.resizeBilinear(x, [18, 12], false, true);'),
      errors: [{ messageId: 'nonSquareWindow', ...AT_WINDOWED }],
    },
  ],
});
