// eslint-plugin-symmetry-lint through ESLint's Linter: one engine analysis per file whatever the
// number of rules, both suppression comments, the shared `symmetryLint.symmetry` setting, a
// helper in another file, and the recommended config under a user's own typescript-eslint setup.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Linter } from 'eslint';
import * as typescriptParser from '@typescript-eslint/parser';
import plugin from '../../../eslint-plugin/src/index';
import { engineAnalysisCount } from '../../../eslint-plugin/src/sharedAnalysis';
import { scratchFolder } from '../scratchFolders';

const MODEL = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
`;

/** Findings at one place come in rule order; the tests compare them as sets. */
function assertFindings(actual: string[], expected: string[]): void {
  assert.deepEqual([...actual].sort(), [...expected].sort());
}

describe('eslint-plugin-symmetry-lint: Linter', () => {
  let dir: string;
  let linter: Linter;

  before(() => {
    dir = scratchFolder('symmetry-lint-eslint-plugin-');
    linter = new Linter({ cwd: dir });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lint = (code: string, config: Linter.Config[] = [plugin.configs.recommended], name = 'model.ts') =>
    linter.verify(code, config, path.join(dir, name)).map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.severity}`);

  it('runs the engine once per file and text, for all its rules', () => {
    const before = engineAnalysisCount();
    const found = lint(MODEL.replace('buildModel', 'buildOnce'));
    assertFindings(found, ['8:23 symmetry-lint/padding-boundary 1', '8:23 symmetry-lint/strided-aliasing 1', '9:23 symmetry-lint/flatten-breaks-invariance 2']);
    assert.equal(engineAnalysisCount() - before, 1, 'twelve rules, one analysis');
    // The same text again (an editor re-linting an unchanged file) reuses the analysis.
    lint(MODEL.replace('buildModel', 'buildOnce'));
    assert.equal(engineAnalysisCount() - before, 1);
    // A changed text is a new analysis.
    lint(MODEL.replace('buildModel', 'buildTwice'));
    assert.equal(engineAnalysisCount() - before, 2);
  });

  it('honours eslint-disable-next-line for one rule and leaves the others', () => {
    const code = MODEL.replace(
      "  model.add(tf.layers.conv2d(",
      '  // eslint-disable-next-line symmetry-lint/strided-aliasing -- checked by hand\n  model.add(tf.layers.conv2d(',
    );
    assertFindings(lint(code), ['9:23 symmetry-lint/padding-boundary 1', '10:23 symmetry-lint/flatten-breaks-invariance 2']);
  });

  it("honours the plugin's own symmetry-lint-disable-next-line comment", () => {
    const code = MODEL.replace('  model.add(tf.layers.flatten());', '  // symmetry-lint-disable-next-line flatten-breaks-invariance\n  model.add(tf.layers.flatten());');
    assertFindings(lint(code), ['8:23 symmetry-lint/padding-boundary 1', '8:23 symmetry-lint/strided-aliasing 1']);
  });

  it('reads declarations from settings.symmetryLint.symmetry when the file has none', () => {
    const undeclared = MODEL.replace('/**\n * @symmetry invariant translation\n */\n', '');
    assertFindings(lint(undeclared), []);
    const configured: Linter.Config[] = [plugin.configs.recommended, { settings: { symmetryLint: { symmetry: ['invariant translation'] } } }];
    assertFindings(lint(undeclared, configured), [
      '5:23 symmetry-lint/padding-boundary 1',
      '5:23 symmetry-lint/strided-aliasing 1',
      '6:23 symmetry-lint/flatten-breaks-invariance 2',
    ]);
  });

  it('follows a helper in another file, as the CLI does', () => {
    fs.writeFileSync(
      path.join(dir, 'blocks.ts'),
      "import * as tf from '@tensorflow/tfjs';\nexport function head(model: tf.Sequential): void {\n  model.add(tf.layers.flatten());\n  model.add(tf.layers.dense({ units: 10 }));\n}\n",
    );
    const code = `import * as tf from '@tensorflow/tfjs';
import { head } from './blocks';

/** @symmetry invariant translation */
export function buildWithHead(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  head(model);
  return model;
}
`;
    assertFindings(lint(code, undefined, 'withHead.ts'), ['8:3 symmetry-lint/flatten-breaks-invariance 2']);
  });

  it('lints JavaScript with JSX and TypeScript under the recommended config alone', () => {
    const jsx = MODEL.replace('(): tf.Sequential', '()') + 'export const View = () => <div className="model" />;\n';
    assertFindings(lint(jsx, undefined, 'model.jsx'), ['8:23 symmetry-lint/padding-boundary 1', '8:23 symmetry-lint/strided-aliasing 1', '9:23 symmetry-lint/flatten-breaks-invariance 2']);
    assertFindings(lint(jsx, undefined, 'model.js'), ['8:23 symmetry-lint/padding-boundary 1', '8:23 symmetry-lint/strided-aliasing 1', '9:23 symmetry-lint/flatten-breaks-invariance 2']);
    const tsx = MODEL + 'export const View = (props: { name: string }) => <div>{props.name}</div>;\n';
    assertFindings(lint(tsx, undefined, 'model.tsx'), ['8:23 symmetry-lint/padding-boundary 1', '8:23 symmetry-lint/strided-aliasing 1', '9:23 symmetry-lint/flatten-breaks-invariance 2']);
  });

  it("works under a user's own typescript-eslint setup, before or after it", () => {
    // A typical typescript-eslint block: its parser, its options, one of ESLint's core rules.
    const userSetup: Linter.Config = {
      files: ['**/*.ts'],
      languageOptions: { parser: typescriptParser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
      rules: { 'no-debugger': 'error' },
    };
    const code = MODEL.replace('  return model;', '  debugger;\n  return model;');
    const expected = ['8:23 symmetry-lint/padding-boundary 1', '8:23 symmetry-lint/strided-aliasing 1', '9:23 symmetry-lint/flatten-breaks-invariance 2', '11:3 no-debugger 2'];
    assertFindings(lint(code, [userSetup, plugin.configs.recommended]), expected);
    assertFindings(lint(code, [plugin.configs.recommended, userSetup]), expected);
  });

  it('lets the user change a severity or turn a rule off', () => {
    const configured: Linter.Config[] = [
      plugin.configs.recommended,
      { rules: { 'symmetry-lint/padding-boundary': 'off', 'symmetry-lint/strided-aliasing': 'error' } },
    ];
    assertFindings(lint(MODEL, configured), ['8:23 symmetry-lint/strided-aliasing 2', '9:23 symmetry-lint/flatten-breaks-invariance 2']);
  });
});
