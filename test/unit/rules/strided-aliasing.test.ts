// strided-aliasing: the first subgroup fall from a stride, with the subgroup's k in the message.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { stridedAliasing } from '../../../server/src/rules/strided-aliasing';
import { AT_WINDOWED, kernelWeight, windowedModel } from '../customLayerFixtures';

const m = handBuiltModel(
  `/**
 * @symmetry invariant translation
 */
function buildClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2 }));
  return model;
}`,
  ['maxPooling2d', 'conv2d'],
);

describe('strided-aliasing (hand-built)', () => {
  it('reports the first stride with the subgroup it keeps and the later stride as related', () => {
    const inference = inferenceOf(m.declarations[0], {
      falls: [fallOf('subgroup', causeAt(m, 'stride', 0, 'pool size 2, stride 2'), [causeAt(m, 'stride', 1, 'stride 2')])],
    });
    inference.layerStates = [{ kind: 'acting', fidelity: { level: 'subgroup', k: 2, reasons: [] } }];
    const findings = runOnHandBuilt(m, [inference], 'strided-aliasing');
    assertErrors(m.text, findings, [
      { messageId: 'stride', line: 6, column: 23, endLine: 6, endColumn: 35, severity: 'warning', messageIncludes: ['maxPooling2d downsamples', 'holds only for shifts by multiples of 2', 'BlurPool2D'] },
    ]);
    assert.deepEqual(findings[0].related.map((r) => r.message), ['declared here: @symmetry invariant translation', 'pool size 2, stride 2', 'also at conv2d, line 7']);
  });

  it('says "multiples of the stride" when the subgroup is not known', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('subgroup', causeAt(m, 'stride', 1))] });
    const findings = runOnHandBuilt(m, [inference], 'strided-aliasing');
    assertErrors(m.text, findings, [{ messageId: 'stride', line: 7, column: 23, endLine: 7, endColumn: 29, messageIncludes: ['multiples of the stride'] }]);
  });

  it('leaves grid offsets to rotation-grid-mismatch', () => {
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('subgroup', causeAt(m, 'grid-offset', 1))] });
    assert.deepEqual(runOnHandBuilt(m, [inference], 'strided-aliasing'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(stridedAliasing, {
  valid: [
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
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant sign
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1, useBias: false }));
  model.add(tf.layers.averagePooling2d({ poolSize: 2 }));
  return model;
}
` },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  return model;
}
`, errors: [{ messageId: 'stride', line: 9, column: 23, endLine: 9, endColumn: 35, messageIncludes: ['multiples of 2'] }] },
    {
      name: 'names the blur pool of the layer\'s rank, 1D and 3D',
      code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildSignalModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv1d({ inputShape: [64, 2], filters: 4, kernelSize: 1 }));
  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  return model;
}

/**
 * @symmetry equivariant translation
 */
export function buildVolumeModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv3d({ inputShape: [16, 16, 16, 1], filters: 4, kernelSize: 1, strides: 2 }));
  return model;
}
`,
      errors: [
        { messageId: 'stride', line: 9, column: 23, endLine: 9, endColumn: 35, messageIncludes: ['use BlurPool1D (anti-aliased) instead'] },
        { messageId: 'stride', line: 18, column: 23, endLine: 18, endColumn: 29, messageIncludes: ['use BlurPool3D (anti-aliased) instead'] },
      ],
    },
    // Channels first: the pooling works on the axes behind the channels, and is judged there.
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [3, 32, 32], filters: 8, kernelSize: 1, dataFormat: 'channelsFirst' }));
  model.add(tf.layers.averagePooling2d({ poolSize: 4, dataFormat: 'channelsFirst' }));
  model.add(tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }));
  return model;
}
`, errors: [{ messageId: 'stride', line: 9, column: 23, endLine: 9, endColumn: 39, messageIncludes: ['multiples of 4'] }] },
    {
      name: 'a blur pool: approximately every shift, the exact remedy named, info under an approximate declaration',
      code: `import * as tf from '@tensorflow/tfjs';
import * as sl from 'symmetry-lint-layers';

/**
 * @symmetry invariant translation tol=1e-2
 */
export function buildApproximate(): tf.Sequential {
  const model = tf.sequential();
  model.add(new sl.BlurPool2D({ inputShape: [32, 32, 3], stride: 2 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

/**
 * @symmetry invariant translation
 */
export function buildExact(): tf.Sequential {
  const model = tf.sequential();
  model.add(new sl.BlurPool2D({ inputShape: [32, 32, 3], stride: 2 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

/**
 * @symmetry equivariant translation tol=1e-2
 */
export function buildSequence(): tf.Sequential {
  const model = tf.sequential();
  model.add(new sl.BlurPool1D({ inputShape: [64, 2], stride: 2 }));
  return model;
}
`,
      errors: [
        {
          messageId: 'antiAliased', line: 9, column: 20, endLine: 9, endColumn: 30, severity: 'info',
          messageIncludes: ['BlurPool2D blurs before it downsamples, so translation invariance holds approximately, and exactly only for shifts by multiples of 2; PolyphasePool2D makes it exact'],
        },
        { messageId: 'antiAliased', line: 19, column: 20, endLine: 19, endColumn: 30, severity: 'warning', messageIncludes: ['PolyphasePool2D makes it exact'] },
        { messageId: 'antiAliased', line: 29, column: 20, endLine: 29, endColumn: 30, severity: 'info', messageIncludes: ['translation equivariance holds approximately', 'only stride 1 makes it exact'] },
      ],
    },
  ],
});

// Strides inside a custom layer's call(), counted in shifts of the model's input (issue 11).
const POOLED = 'tf.layers.globalAveragePooling2d({}).apply(features)';

RuleTester.run(stridedAliasing, {
  valid: [
    { name: 'a stride-1 pooling window', code: windowedModel('invariant translation', '[12, 12, 3]', '', "return tf.avgPool(x, 3, 1, 'same');".replace("'same'", "'valid'"), POOLED) },
    {
      name: 'a nearest-neighbour upsampling by 2 then a stride-2 pooling: every shift of the input commutes',
      code: windowedModel('equivariant translation', '[12, 12, 3]', '', "return tf.avgPool(tf.image.resizeNearestNeighbor(x, [24, 24]), 2, 2, 'valid');"),
    },
  ],
  invalid: [
    {
      name: 'a stride-2 convolution',
      code: windowedModel('invariant translation', '[12, 12, 3]', kernelWeight(3), "return tf.conv2d(x, this.kernel.read() as tf.Tensor4D, 2, 'valid');".replace('3, 3', '2, 2'), POOLED),
      errors: [{ messageId: 'stride', ...AT_WINDOWED, messageIncludes: ['Windowed downsamples', 'multiples of 2'] }],
    },
    {
      name: 'a max pooling, then another by tf.pool: multiples of 4',
      code: windowedModel('invariant translation', '[12, 12, 3]', '', "return tf.pool(tf.maxPool(x, 2, 2, 'valid'), [2, 2], 'avg', 'valid', 1, 2);", POOLED),
      errors: [{ messageId: 'stride', ...AT_WINDOWED, messageIncludes: ['multiples of 4'] }],
    },
  ],
});
