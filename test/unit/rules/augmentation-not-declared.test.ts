// augmentation-not-declared: training scripts written in the styles real tfjs projects use
// (fit on tensors, tf.data.array with .map helpers, generators, tf.tidy, models built in the
// file or imported, ES modules and CommonJS), and the precision traps that are no augmentation.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile, analyzeText, discoveredSymmetriesOf, parseSource } from '../../../server/src/engine';
import { applyTextEdits, fixAllText, fixesForFinding } from '../../../server/src/fixes/index';
import { exactFixWork } from '../../../server/src/fixes/augmentationExactFix';
import { augmentationNotDeclared } from '../../../server/src/rules/augmentation-not-declared';
import { RuleTester, assertErrors } from '../ruleTester';

const FIXTURES = path.resolve(__dirname, '../../fixtures/augmentation');

/** A CNN built in the file: the 3x3 convolution breaks flips and rotations. */
const CNN = (doc = '') => `import * as tf from '@tensorflow/tfjs';
${doc}function buildCnn() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  return model;
}
`;

/** Per-pixel features then pooling: exactly invariant under every image group. */
const POOLED = `import * as tf from '@tensorflow/tfjs';
function buildPooled() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}
`;

const TRAIN_ON = (body: string) => `async function train(xs, ys, valXs, valYs) {
  const model = buildCnn();
${body}
}
`;

RuleTester.run(augmentationNotDeclared, {
  valid: [
    { name: 'a declared flip', code: CNN('/** @symmetry invariant flip tol=0.05 learned */\n') + TRAIN_ON('  await model.fit(tf.image.flipLeftRight(xs), ys);') },
    { name: 'dihedral covers flips and rotations', code: CNN('/** @symmetry invariant dihedral tol=0.05 learned */\n') + TRAIN_ON('  const turned = tf.image.rotateWithOffset(xs, 0.3);\n  await model.fit(tf.image.flipLeftRight(turned), ys);') },
    { name: 'labels only', code: CNN() + TRAIN_ON('  await model.fit(xs, tf.reverse(ys, 1));') },
    { name: 'validation data only', code: CNN() + TRAIN_ON('  const mirrored = tf.image.flipLeftRight(valXs);\n  await model.fit(xs, ys, { validationData: [mirrored, valYs] });') },
    { name: 'a tensor that never reaches training', code: CNN() + TRAIN_ON('  const preview = tf.image.flipLeftRight(xs);\n  preview.print();\n  await model.fit(xs, ys);') },
    { name: 'shuffling the order of the examples', code: CNN() + TRAIN_ON('  const order = tf.util.shuffle(Array.from({ length: 100 }, (_, i) => i));\n  const indices = tf.tensor1d(order, \'int32\');\n  await model.fit(tf.gather(xs, indices), tf.gather(ys, indices), { shuffle: true });') },
    { name: 'a fit in a comment or a string is no training call', code: CNN() + TRAIN_ON("  // await model.fit(tf.image.flipLeftRight(xs), ys);\n  const note = 'model.fit(tf.image.flipLeftRight(xs), ys)';\n  await model.fit(xs, ys);") },
    { name: 'a model that is not analysed', code: `import * as tf from '@tensorflow/tfjs';\nasync function train(model, xs, ys) {\n  await model.fit(tf.image.flipLeftRight(xs), ys);\n}\n` },
  ],
  invalid: [
    {
      name: 'a flip of the batch before fit, on a CNN that breaks it',
      code: CNN() + TRAIN_ON('  const flipped = tf.image.flipLeftRight(xs);\n  await model.fit(flipped, ys);'),
      errors: [{ messageId: 'brokenAt', line: 11, column: 19, endLine: 11, endColumn: 45, severity: 'info', messageIncludes: ['Training flips the inputs horizontally, so the task is flip invariant, but conv2d at line 4 breaks it in buildCnn'] }],
    },
    {
      name: 'a training call written over two lines, with optional chaining',
      code: CNN() + TRAIN_ON('  const flipped = tf.image.flipLeftRight(xs);\n  await model\n    ?.fit(flipped, ys);'),
      errors: [{ messageId: 'brokenAt', line: 11, column: 19, endLine: 11, endColumn: 45, severity: 'info', messageIncludes: ['conv2d at line 4 breaks it in buildCnn'] }],
    },
    {
      name: 'width and height reversals are two groups: flip and dihedral',
      code: CNN() + TRAIN_ON('  const mirrored = tf.reverse(xs, 2);\n  const upsideDown = tf.reverse(mirrored, 1);\n  await model.fit(upsideDown, ys);'),
      errors: [
        { messageId: 'brokenAt', line: 11, column: 20, endLine: 11, endColumn: 37, messageIncludes: ['so the task is flip invariant'] },
        { messageId: 'brokenAt', line: 12, column: 22, endLine: 12, endColumn: 45, messageIncludes: ['flips the inputs vertically, so the task is dihedral invariant'] },
      ],
    },
    {
      name: 'an exact model: the augmentation is redundant',
      code: POOLED + `async function train(xs, ys) {\n  const model = buildPooled();\n  await model.fit(tf.image.flipLeftRight(xs), ys);\n}\n`,
      errors: [{ messageId: 'redundant', line: 10, column: 19, endLine: 10, endColumn: 45, messageIncludes: ['buildPooled is exactly so already, so the augmentation is redundant and costs training time for nothing'] }],
    },
    {
      name: 'in a tf.data map before batch, axis 1 is the width; two flips in one pipeline are one finding',
      code: CNN() + `function augment({ xs, ys }) {\n  const flipped = tf.reverse(xs, 1);\n  return { xs: tf.image.flipLeftRight(flipped.expandDims(0)).squeeze(), ys };\n}\n` + TRAIN_ON('  const ds = tf.data.array(examples).map(augment).batch(32);\n  await model.fitDataset(ds, { epochs: 2 });'),
      errors: [{ messageId: 'brokenAt', line: 10, column: 19, endLine: 10, endColumn: 36, messageIncludes: ['so the task is flip invariant'] }],
    },
    {
      name: 'transpose then reverse is a rotation; a random crop in a tf.tidy helper is a shift',
      code: CNN() + `function rotateAndCrop(images) {\n  return tf.tidy(() => {\n    const turned = tf.reverse(tf.transpose(images, [0, 2, 1, 3]), 2);\n    const offset = Math.floor(Math.random() * 4);\n    return tf.slice(tf.pad(turned, [[0, 0], [2, 2], [2, 2], [0, 0]]), [0, offset, offset, 0], [-1, 16, 16, 3]);\n  });\n}\n` + TRAIN_ON('  await model.trainOnBatch(rotateAndCrop(xs), ys);'),
      errors: [
        { messageId: 'brokenAt', line: 11, column: 20, endLine: 11, endColumn: 69, messageIncludes: ['rotates the inputs, so the task is rotation90 invariant'] },
        { messageId: 'approximate', line: 13, column: 12, endLine: 13, endColumn: 111, messageIncludes: ['shifts or crops the inputs, so the task is translation invariant, which buildCnn keeps only approximately (zero padding)'] },
      ],
    },
  ],
});

describe('augmentation-not-declared on training scripts beside their models', () => {
  const check = (name: string) => {
    const fileName = path.join(FIXTURES, name);
    const code = fs.readFileSync(fileName, 'utf8');
    return { code, findings: analyzeText(fileName, code).findings.filter((finding) => finding.ruleId === 'augmentation-not-declared') };
  };

  it('ES module: a .map helper before batch flips and crops an imported classifier; the validation flip is none', () => {
    const { code, findings } = check('train-esm.ts');
    assertErrors(code, findings, [
      { messageId: 'brokenAt', line: 15, column: 42, endLine: 15, endColumn: 108, messageIncludes: ['conv2d at line 7 in classifier.ts breaks it in buildClassifier'] },
      { messageId: 'approximate', line: 19, column: 19, endLine: 19, endColumn: 64, messageIncludes: ['translation invariant'] },
    ]);
    assert.equal(findings[0].related[0].span.file, path.join(FIXTURES, 'classifier.ts'), 'related information points at the trained model');
  });

  it('CommonJS: a generator that shuffles the points and flips their sign, for an imported set model', () => {
    const { code, findings } = check('train-cjs.js');
    assertErrors(code, findings, [
      { messageId: 'redundant', line: 12, column: 5, endLine: 12, endColumn: 28, messageIncludes: ['shuffles the elements of each input set, so the task is permutation invariant, and buildPointNet is exactly so already'] },
      { messageId: 'brokenAt', line: 14, column: 19, endLine: 14, endColumn: 59, messageIncludes: ['sign'] },
    ]);
  });

  it('says nothing once the rule is off', () => {
    const fileName = path.join(FIXTURES, 'train-esm.ts');
    const findings = analyzeText(fileName, fs.readFileSync(fileName, 'utf8'), { ruleSeverities: { 'augmentation-not-declared': 'off' } }).findings;
    assert.equal(findings.filter((finding) => finding.ruleId === 'augmentation-not-declared').length, 0);
  });
});

describe('augmentation-not-declared fixes', () => {
  it('declares the group as learned on a model of the file, which answers the finding', () => {
    const code = CNN() + TRAIN_ON('  await model.fit(tf.image.flipLeftRight(xs), ys);');
    const analysis = analyzeText('/virtual/train.ts', code);
    const finding = analysis.findings.find((item) => item.ruleId === 'augmentation-not-declared');
    assert.ok(finding);
    const fixes = fixesForFinding(parseSource('/virtual/train.ts', code), analysis, finding);
    assert.equal(fixes[0]?.title, 'Declare "invariant flip tol=0.05 learned" on buildCnn');
    assert.equal(fixes[0].isPreferred, true);
    const fixed = applyTextEdits(code, fixes[0].edits);
    assert.ok(fixed.includes("import * as tf from '@tensorflow/tfjs';\n/**\n * @symmetry invariant flip tol=0.05 learned\n */\nfunction buildCnn() {"), fixed);
    const after = analyzeText('/virtual/train.ts', fixed).findings;
    assert.equal(after.filter((item) => item.ruleId === 'augmentation-not-declared').length, 0);
    assert.deepEqual(after.filter((item) => item.ruleId === 'kernel-breaks-rotation').map((item) => item.severity), ['info']);
  });

  /** The fixes of the file's augmentation finding for `group`, and the file after `title`'s fix. */
  const libraryFix = (code: string, group: string) => {
    const analysis = analyzeText('/virtual/train.ts', code);
    const finding = analysis.findings.find((item) => item.ruleId === 'augmentation-not-declared' && item.group === group);
    assert.ok(finding, `no ${group} finding`);
    const fixes = fixesForFinding(parseSource('/virtual/train.ts', code), analysis, finding);
    const exact = fixes.find((fix) => fix.title.startsWith('Make '));
    return { fixes, exact, fixed: exact ? applyTextEdits(code, exact.edits) : '' };
  };
  /** How the model holds the group after the fix, and what remains of the augmentation finding. */
  const afterFix = (fixed: string, group: string) => {
    const analysis = analyzeText('/virtual/train.ts', fixed);
    const model = analysis.models.find((candidate) => candidate.graph.name === 'buildCnn');
    assert.ok(model);
    const state = discoveredSymmetriesOf(model).find((found) => found.mode === 'invariant' && found.group === group)?.state;
    const left = analysis.findings.filter((item) => (item.ruleId === 'augmentation-not-declared' && item.group === group) || item.severity !== 'info');
    return { state, left: left.map((item) => `${item.ruleId} ${item.severity}`) };
  };

  for (const [group, augment] of [['flip', 'tf.image.flipLeftRight(xs)'], ['rotation90', 'tf.image.rotateWithOffset(xs, 0.5)']]) {
    it(`makes a CNN of the file exactly ${group} invariant with GroupAveraging, and declares it`, () => {
      const { fixes, exact, fixed } = libraryFix(CNN() + TRAIN_ON(`  await model.fit(${augment}, ys);`), group);
      assert.equal(fixes[0].isPreferred, true);
      assert.equal(exact?.title, `Make buildCnn exactly ${group} invariant (wrap it in GroupAveraging) and declare it`);
      assert.equal(exact.isPreferred, false);
      assert.ok(fixed.includes(`return tf.sequential({ layers: [new sl.GroupAveraging({ layer: model, group: '${group}', inputShape: [16, 16, 3] })] });`), fixed);
      assert.ok(fixed.includes("import * as sl from 'symmetry-lint-layers';"), fixed);
      assert.deepEqual(afterFix(fixed, group), { state: 'exact', left: [] });
    });
  }

  it('offers no GroupAveraging for rotations of a non-square image, which it cannot average over', () => {
    const code = CNN().replace('[16, 16, 3]', '[16, 24, 3]') + TRAIN_ON('  await model.fit(tf.image.rotateWithOffset(xs, 0.5), ys);');
    const { fixes, exact } = libraryFix(code, 'rotation90');
    assert.equal(exact, undefined);
    assert.equal(fixes.length, 1);
  });

  it('makes translation exact with CircularPad2D and PolyphasePool2D, the producers of padding-boundary and strided-aliasing', () => {
    const code = CNN().replace("padding: 'same' }));", "padding: 'same' }));\n  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));") +
      TRAIN_ON("  const dy = tf.randomUniform([], 0, 4, 'int32').arraySync() as number;\n  const shifted = tf.slice(tf.pad(xs, [[0, 0], [2, 2], [2, 2], [0, 0]]), [0, dy, dy, 0], [-1, 16, 16, 3]);\n  await model.fit(shifted, ys);");
    const { exact, fixed } = libraryFix(code, 'translation');
    assert.equal(exact?.title, 'Make buildCnn exactly translation invariant (circular padding, polyphase pooling) and declare it');
    assert.ok(fixed.includes('model.add(new sl.CircularPad2D({ padding: 1, inputShape: [16, 16, 3] }));'), fixed);
    assert.ok(fixed.includes('model.add(new sl.PolyphasePool2D({ poolSize: 2, stride: 2 }));'), fixed);
    assert.ok(fixed.includes(' * @symmetry invariant translation\n'), fixed);
    assert.deepEqual(afterFix(fixed, 'translation'), { state: 'exact', left: [] });
  });

  it('works the library fix out on the model alone, with the same edits, in a file of many other models', () => {
    const translationTraining = "  const dy = tf.randomUniform([], 0, 4, 'int32').arraySync() as number;\n  const shifted = tf.slice(tf.pad(xs, [[0, 0], [2, 2], [2, 2], [0, 0]]), [0, dy, dy, 0], [-1, 16, 16, 3]);\n  await model.fit(shifted, ys);";
    // buildCnn calls a helper (kept with it), and other builders it does not call follow (cut out).
    const withHelper = (code: string) => code.replace("model.add(tf.layers.globalAveragePooling2d({}));", 'model.add(poolBlock());') + 'const poolBlock = () => tf.layers.globalAveragePooling2d({});\n';
    const others = Array.from({ length: 40 }, (_, i) => `function buildOther${i}() {\n  const model = tf.sequential();\n  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: ${i + 1}, kernelSize: 3, padding: 'same' }));\n  model.add(tf.layers.flatten());\n  return model;\n}\n`).join('');
    for (const [group, body] of [['flip', '  await model.fit(tf.image.flipLeftRight(xs), ys);'], ['translation', translationTraining]]) {
      const code = withHelper(CNN().replace("padding: 'same' }));", "padding: 'same' }));\n  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));") + TRAIN_ON(body));
      const alone = libraryFix(code, group);
      const crowded = libraryFix(code + others, group);
      assert.ok(alone.exact, `${group}: a fix for the file alone`);
      assert.deepEqual(crowded.exact, alone.exact, group);
      assert.equal(crowded.fixed, alone.fixed + others);
    }
  });

  it('offers no library fix to a model that is exact already', () => {
    const code = POOLED.replace('buildPooled', 'buildCnn') + TRAIN_ON('  await model.fit(tf.image.flipLeftRight(xs), ys);');
    const { exact } = libraryFix(code, 'flip');
    assert.equal(exact, undefined);
  });

  it('offers no edit in another file for an imported model', () => {
    const fileName = path.join(FIXTURES, 'train-esm.ts');
    const code = fs.readFileSync(fileName, 'utf8');
    const analysis = analyzeText(fileName, code);
    const finding = analysis.findings.find((item) => item.ruleId === 'augmentation-not-declared');
    assert.ok(finding);
    assert.deepEqual(fixesForFinding(parseSource(fileName, code), analysis, finding).map((fix) => fix.title), []);
  });

  it('works the library fix out once per parsed text: asking again for the same version reuses it, an edit computes it anew', () => {
    const code = CNN() + TRAIN_ON('  await model.fit(tf.image.flipLeftRight(xs), ys);');
    const sourceFile = parseSource('/virtual/train.ts', code);
    const analysis = analyzeText('/virtual/train.ts', code);
    const finding = analysis.findings.find((item) => item.ruleId === 'augmentation-not-declared');
    assert.ok(finding);
    const before = exactFixWork.computed;
    const first = fixesForFinding(sourceFile, analysis, finding).map((fix) => fix.title);
    const again = fixesForFinding(sourceFile, analysis, finding).map((fix) => fix.title);
    assert.deepEqual(again, first);
    assert.ok(first.some((title) => title.startsWith('Make buildCnn exactly flip invariant')), first.join('\n'));
    assert.equal(exactFixWork.computed - before, 1);
    // The next version of the text is another tree: its fix is worked out for it, with its positions.
    const edited = '// edited\n' + code;
    const editedAnalysis = analyzeText('/virtual/train.ts', edited);
    const editedFinding = editedAnalysis.findings.find((item) => item.ruleId === 'augmentation-not-declared');
    assert.ok(editedFinding);
    const editedFixes = fixesForFinding(parseSource('/virtual/train.ts', edited), editedAnalysis, editedFinding);
    assert.equal(exactFixWork.computed - before, 2);
    const exact = editedFixes.find((fix) => fix.title.startsWith('Make '));
    assert.ok(exact && applyTextEdits(edited, exact.edits).startsWith('// edited\n'));
  });

  it('fix-all applies the preferred declaration without working out the library fix it would not apply', () => {
    const code = CNN() + TRAIN_ON('  await model.fit(tf.image.flipLeftRight(xs), ys);');
    const before = exactFixWork.computed;
    const provider = { getSourceFile: () => undefined };
    const fixed = fixAllText('/virtual/train.ts', code, (sourceFile, options) => analyzeFile(sourceFile, provider, options));
    assert.deepEqual(fixed.applied, ['Declare "invariant flip tol=0.05 learned" on buildCnn']);
    assert.equal(exactFixWork.computed - before, 0);
  });
});
