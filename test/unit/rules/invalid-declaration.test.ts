// invalid-declaration: parser problems worded as findings, at the bad token.
import { strict as assert } from 'node:assert';
import { parseDeclarations } from '../../../server/src/analysis/declarations';
import { runFileRules } from '../../../server/src/rules/runner';
import { RuleTester, assertErrors, FIXTURE_FILE, positionOf } from '../ruleTester';
import { invalidDeclaration } from '../../../server/src/rules/invalid-declaration';

function check(text: string, commandLineText?: string) {
  const { problems } = parseDeclarations({ text, span: { file: FIXTURE_FILE, start: 0, end: text.length } });
  return runFileRules({
    fileName: FIXTURE_FILE,
    declarationProblems: problems.map((problem) => (commandLineText !== undefined ? { problem, commandLineText } : { problem })),
    orphans: [],
    lineOf: (span) => positionOf(text, span.start).line,
  }).filter((finding) => finding.ruleId === 'invalid-declaration');
}

describe('invalid-declaration (hand-built)', () => {
  it('names what was expected, what was found and the closest spelling', () => {
    const text = '/**\n * @symmetry invarient translation\n */';
    const findings = check(text);
    assertErrors(text, findings, [{ messageId: 'badToken', line: 2, column: 14, endLine: 2, endColumn: 23, severity: 'error' }]);
    assert.equal(
      findings[0].message,
      'The @symmetry tag has "invarient" where a mode (invariant or equivariant) is expected; did you mean "@symmetry invariant translation"?',
    );
  });

  it('words misspelt tags, missing parts and hopeless tokens', () => {
    const text = '/**\n * @symetry invariant flip\n * @symmetry invariant\n * @symmetry equivariant flip tol=small\n */';
    assertErrors(text, check(text), [
      { messageId: 'misspeltTag', line: 2, column: 4, endLine: 2, endColumn: 12, messageIncludes: ['"@symetry" is not a Symmetry Lint tag; did you mean "@symmetry invariant flip"?'] },
      { messageId: 'missing', line: 3, column: 4, endLine: 3, endColumn: 23, messageIncludes: ['incomplete, a group (translation'] },
      { messageId: 'badTokenNoSuggestion', line: 4, column: 35, endLine: 4, endColumn: 40, messageIncludes: ['has "small" where a positive number'] },
    ]);
  });

  it('words command-line problems', () => {
    const findings = runFileRules({
      fileName: FIXTURE_FILE,
      declarationProblems: [{ problem: { span: { file: FIXTURE_FILE, start: 0, end: 0 }, expected: 'a mode (invariant or equivariant)', found: 'invarant' }, commandLineText: 'invarant translation' }],
      orphans: [],
      lineOf: () => 1,
    });
    assert.equal(findings.length, 1);
    assert.equal(findings[0].messageId, 'commandLine');
    assert.match(findings[0].message, /^The --symmetry "invarant translation" has "invarant" where a mode \(invariant or equivariant\) is expected, so it was not applied\.$/);
  });

  it('reports nothing for good tags', () => {
    assert.deepEqual(check('/** @symmetry invariant translation */'), []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(invalidDeclaration, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation tol=1e-3
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
 * @see https://example.com/symmetry
 * @summary A model.
 */
export const x = 1;
` },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invarient translation
 * @symetry invariant flip
 * @symmetry invariant rotation tol=small
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`, errors: [{ messageId: 'badToken', line: 4, column: 14, endLine: 4, endColumn: 23, messageIncludes: ['did you mean "@symmetry invariant translation"?'] }, { messageId: 'misspeltTag', line: 5, column: 4, endLine: 5, endColumn: 12 }, { messageId: 'badTokenNoSuggestion', line: 6, column: 24, endLine: 6, endColumn: 32 }, { messageId: 'badTokenNoSuggestion', line: 6, column: 37, endLine: 6, endColumn: 42 }] },
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant
 */
export const notAModel = 1;
`, errors: [{ messageId: 'missing', line: 4, column: 4, endLine: 4, endColumn: 23 }] },
  ],
});
