// padding-boundary: hand-built falls (one finding per first approx fall, repeats as related
// information, info under approximate declarations) and source cases through the real engine.
import { strict as assert } from 'node:assert';
import { RuleTester, assertErrors, causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from '../ruleTester';
import { paddingBoundary } from '../../../server/src/rules/padding-boundary';
import { AT_WINDOWED, kernelWeight, windowedModel } from '../customLayerFixtures';

const model = (tag: string) =>
  handBuiltModel(
    `/**
 * ${tag}
 */
function buildClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'valid' }));
  model.add(tf.layers.concatenate({ axis: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}`,
    ['conv2d', 'conv2d', 'concatenate', 'globalAveragePooling2d'],
  );

describe('padding-boundary (hand-built)', () => {
  it('reports the first zero-padding fall once, with the declaration and repeats as related', () => {
    const m = model('@symmetry invariant translation');
    const fall = fallOf('approx', causeAt(m, 'zero-padding', 0, "zero padding of a 3x3 'same' convolution"), [causeAt(m, 'cropping', 1)]);
    const findings = runOnHandBuilt(m, [inferenceOf(m.declarations[0], { falls: [fall] })], 'padding-boundary');
    assertErrors(m.text, findings, [
      { messageId: 'zeroPadding', line: 6, column: 23, endLine: 6, endColumn: 29, severity: 'warning', messageIncludes: ['conv2d pads with zeros', 'translation invariance holds only approximately', 'CircularPad2D'] },
    ]);
    assert.deepEqual(
      findings[0].related.map((r) => r.message),
      ['declared here: @symmetry invariant translation', "zero padding of a 3x3 'same' convolution", 'also at conv2d, line 7'],
    );
    assert.equal(findings[0].group, 'translation');
    assert.equal(findings[0].layer, 0);
  });

  it('is info under an approximate declaration, and obeys severity settings', () => {
    const m = model('@symmetry invariant translation tol=1e-2');
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('approx', causeAt(m, 'cropping', 1))] });
    const findings = runOnHandBuilt(m, [inference], 'padding-boundary');
    assertErrors(m.text, findings, [{ messageId: 'cropping', line: 7, column: 23, endLine: 7, endColumn: 29, severity: 'info' }]);
    assert.deepEqual(runOnHandBuilt(m, [inference], 'padding-boundary', { 'padding-boundary': 'off' }), []);
    assert.equal(runOnHandBuilt(m, [inference], 'padding-boundary', { 'padding-boundary': 'error' })[0].severity, 'error');
  });

  it('takes block mixing under translation at the approx level only', () => {
    const m = model('@symmetry equivariant translation');
    const approx = inferenceOf(m.declarations[0], { falls: [fallOf('approx', causeAt(m, 'block-mixing', 2))] });
    assertErrors(m.text, runOnHandBuilt(m, [approx], 'padding-boundary'), [
      { messageId: 'blockMixing', line: 8, column: 23, endLine: 8, endColumn: 34, messageIncludes: ['translation equivariance'] },
    ]);
    const broken = inferenceOf(m.declarations[0], { falls: [fallOf('broken', causeAt(m, 'block-mixing', 2))] });
    assert.deepEqual(runOnHandBuilt(m, [broken], 'padding-boundary'), []);
  });

  it('ignores falls routed to other rules', () => {
    const m = model('@symmetry invariant translation');
    const inference = inferenceOf(m.declarations[0], { falls: [fallOf('subgroup', causeAt(m, 'stride', 0))] });
    assert.deepEqual(runOnHandBuilt(m, [inference], 'padding-boundary'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(paddingBoundary, {
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
 * @symmetry equivariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  // symmetry-lint-disable-next-line padding-boundary, strided-aliasing
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  return model;
}
` },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  // symmetry-lint-disable-next-line
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  return model;
}
` },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  return model;
}
`, options: { ruleSeverities: { 'padding-boundary': 'off' } } },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  return model;
}
`, errors: [{ messageId: 'zeroPadding', line: 8, column: 23, endLine: 8, endColumn: 29, severity: 'warning' }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation tol=1e-2
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  return model;
}
`, errors: [{ messageId: 'zeroPadding', line: 8, column: 23, endLine: 8, endColumn: 29, severity: 'info' }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  // symmetry-lint-disable-next-line strided-aliasing
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }));
  return model;
}
`, errors: [{ messageId: 'zeroPadding', line: 10, column: 23, endLine: 10, endColumn: 29 }] },
    {
      name: 'a --symmetry declaration applies to every model and is anchored on its name',
      code: `import * as tf from '@tensorflow/tfjs';

export function buildA(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  return model;
}
`,
      options: { commandLineDeclarations: ['equivariant translation'] },
      errors: [{ messageId: 'zeroPadding', line: 5, column: 23, endLine: 5, endColumn: 29 }],
    },
    {
      name: 'names the circular padding of the layer\'s rank, 1D and 3D',
      code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry equivariant translation
 */
export function buildSignalModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv1d({ inputShape: [64, 2], filters: 4, kernelSize: 5, padding: 'same' }));
  return model;
}

/**
 * @symmetry equivariant translation
 */
export function buildVolumeModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv3d({ inputShape: [16, 16, 16, 1], filters: 4, kernelSize: 3 }));
  return model;
}
`,
      errors: [
        { messageId: 'zeroPadding', line: 8, column: 23, endLine: 8, endColumn: 29, messageIncludes: ['pad with CircularPad1D'] },
        { messageId: 'cropping', line: 17, column: 23, endLine: 17, endColumn: 29, messageIncludes: ['pad with CircularPad3D'] },
      ],
    },
    {
      name: 'a cropping convolution before a reshape: the reshape must be resized too',
      code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 3 }));
  model.add(tf.layers.reshape({ targetShape: [196, 4] }));
  model.add(tf.layers.globalAveragePooling1d({}));
  return model;
}
`,
      errors: [
        {
          messageId: 'croppingBeforeReshape', line: 8, column: 23, endLine: 8, endColumn: 29,
          messageIncludes: ['pad with CircularPad2D before it to keep the size, and resize the reshape at line 9 to match'],
        },
      ],
    },
  ],
});

describe('padding-boundary (engine details)', () => {
  it('relates a command-line declaration to the model name, and reports a bad one once', () => {
    const { analyzeText } = require('../../../server/src/engine') as typeof import('../../../server/src/engine');
    const code = `import * as tf from '@tensorflow/tfjs';\nexport function buildA(): tf.Sequential {\n  const model = tf.sequential();\n  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));\n  return model;\n}\n`;
    const analysis = analyzeText('/virtual/cli.ts', code, { commandLineDeclarations: ['equivariant translation', 'invarant flip'] });
    const padding = analysis.findings.filter((f) => f.ruleId === 'padding-boundary');
    assert.equal(padding.length, 1);
    assert.equal(padding[0].related[0].message, 'declared on the command line: --symmetry "equivariant translation"');
    assert.equal(padding[0].related[0].span.start, code.indexOf('buildA'));
    const invalid = analysis.findings.filter((f) => f.ruleId === 'invalid-declaration');
    assert.equal(invalid.length, 1);
    assert.match(invalid[0].message, /^The --symmetry "invarant flip" has "invarant"/);
  });
});

// Borders of window ops inside a custom layer's call() (issue 11).
RuleTester.run(paddingBoundary, {
  valid: [
    { name: "a 1x1 'same' convolution has no border", code: windowedModel('equivariant translation', '[12, 12, 3]', kernelWeight(1), "return tf.conv2d(x, this.kernel.read() as tf.Tensor4D, 1, 'same');") },
    { name: 'a nearest-neighbour resize by a whole factor copies pixels', code: windowedModel('equivariant translation', '[12, 12, 3]', '', 'return tf.image.resizeNearestNeighbor(x, [36, 36]);') },
  ],
  invalid: [
    {
      name: "a 3x3 'same' convolution pads with zeros",
      code: windowedModel('equivariant translation', '[12, 12, 3]', kernelWeight(3), "return tf.conv2d(x, this.kernel.read() as tf.Tensor4D, 1, 'same');"),
      errors: [{ messageId: 'zeroPadding', ...AT_WINDOWED, messageIncludes: ['Windowed pads with zeros'] }],
    },
    {
      name: "a 3x3 'valid' pooling drops the border",
      code: windowedModel('equivariant translation', '[12, 12, 3]', '', "return tf.maxPool(x, 3, 1, 'valid');"),
      errors: [{ messageId: 'cropping', ...AT_WINDOWED }],
    },
  ],
});
