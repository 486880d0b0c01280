// Suppression comments at declarations: a `@symmetry` tag lives inside a JSDoc block, where a
// line comment is only JSDoc text. A disable comment above the block covers the block and the
// line it documents, and the "disable" quick fix writes it there (docs/decisions.md).
import * as assert from 'node:assert/strict';
import { analyzeText, disableCommentAnchorLine, disabledLines, parseSource } from '../../server/src/engine';
import { applyTextEdits, disableLineFix } from '../../server/src/fixes/index';
import { FileEditor } from '../../server/src/fixes/sourceEdits';

const MISMATCH = `import * as tf from '@tensorflow/tfjs';

  /**
   * Tiles are 28x32 here.
   *
   * @symmetry invariant rotation90
   */
  export function build(): tf.Sequential {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [28, 32, 1], filters: 4, kernelSize: 3 }));
    model.add(tf.layers.globalAveragePooling2d({}));
    return model;
  }
`;

const entries = (map: Map<number, Set<string> | 'all'>) => [...map.entries()].map(([line, ids]) => [line, ids === 'all' ? 'all' : [...ids].sort()]);

describe('suppression at declarations', () => {
  it('a disable comment above a JSDoc block covers the block and the first line it documents, and nothing further', () => {
    const text = [
      '// symmetry-lint-disable-next-line declaration-mismatch',
      '/**',
      ' * @symmetry invariant rotation90',
      ' */',
      '// a note between the block and the code',
      'function build() {',
      '  return 1;',
      '}',
      '// symmetry-lint-disable-next-line',
      '/** one line */ const x = 1;',
      'const y = 2;',
      '// symmetry-lint-disable-next-line rule-a',
      '/* not JSDoc */',
      'const z = 3;',
    ].join('\n');
    assert.deepEqual(entries(disabledLines(parseSource('/virtual/s.ts', text))), [
      [1, ['declaration-mismatch']],
      [2, ['declaration-mismatch']],
      [3, ['declaration-mismatch']],
      [5, ['declaration-mismatch']],
      [9, 'all'],
      [12, ['rule-a']],
    ]);
  });

  it('a comment written inside the block suppresses nothing (it is JSDoc text)', () => {
    const text = MISMATCH.replace('   * @symmetry', '   * // symmetry-lint-disable-next-line declaration-mismatch\n   * @symmetry');
    assert.equal(analyzeText('/virtual/m.ts', text).findings.filter((f) => f.ruleId === 'declaration-mismatch').length, 1);
  });

  it('the disable fix for a finding at a tag goes above the JSDoc block, indented like it, and the finding is gone', () => {
    const fileName = '/virtual/m.ts';
    const analysis = analyzeText(fileName, MISMATCH);
    const finding = analysis.findings.find((f) => f.ruleId === 'declaration-mismatch');
    assert.ok(finding, 'the sample has a declaration-mismatch');
    assert.equal(finding.line, 5, 'the finding is at the tag, inside the block');
    const sourceFile = parseSource(fileName, MISMATCH);
    assert.equal(disableCommentAnchorLine(sourceFile, finding.line), 2);
    const fixed = applyTextEdits(MISMATCH, disableLineFix(new FileEditor(sourceFile), finding).edits);
    assert.match(fixed, /\n\n {2}\/\/ symmetry-lint-disable-next-line declaration-mismatch\n {2}\/\*\*\n {3}\* Tiles/);
    const after = analyzeText(fileName, fixed);
    assert.deepEqual(after.findings.map((f) => f.ruleId), []);
    assert.equal(after.models[0].declarations.length, 1, 'the JSDoc still declares the symmetry');
  });

  it('a finding on a code line still gets its comment right above that line', () => {
    const text = MISMATCH.replace('inputShape: [28, 32, 1]', 'inputShape: [28, 28, 1]').replace('rotation90', 'translation');
    const fileName = '/virtual/p.ts';
    const finding = analyzeText(fileName, text).findings.find((f) => f.ruleId === 'padding-boundary');
    assert.ok(finding);
    const sourceFile = parseSource(fileName, text);
    assert.equal(disableCommentAnchorLine(sourceFile, finding.line), finding.line);
    const fixed = applyTextEdits(text, disableLineFix(new FileEditor(sourceFile), finding).edits);
    assert.match(fixed, /\n {4}\/\/ symmetry-lint-disable-next-line padding-boundary\n {4}model\.add\(tf\.layers\.conv2d/);
  });

  it('a second rule on the same line joins the existing disable comment instead of stacking a new one', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`;
    const fileName = '/virtual/two.ts';
    let current = text;
    for (const ruleId of ['padding-boundary', 'strided-aliasing']) {
      const finding = analyzeText(fileName, current).findings.find((f) => f.ruleId === ruleId);
      assert.ok(finding, `${ruleId} is reported before its disable fix`);
      current = applyTextEdits(current, disableLineFix(new FileEditor(parseSource(fileName, current)), finding).edits);
    }
    assert.match(current, /\n {2}\/\/ symmetry-lint-disable-next-line padding-boundary, strided-aliasing\n {2}model\.add\(tf\.layers\.conv2d/);
    assert.deepEqual(analyzeText(fileName, current).findings.map((f) => f.ruleId), []);
  });
});
