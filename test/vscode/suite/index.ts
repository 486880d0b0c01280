// Entry of the real-editor suite, loaded by the extension host (both @vscode/test-electron and
// the code-server runner call `run()`). Runs the mocha files of this folder that match the
// suite named in SYMMETRY_LINT_VSCODE_SUITE and writes a JSON summary for the runner.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Which files run: `trusted` (development extension, trusted workspace) or `installed` (the .vsix, Restricted Mode). */
const SUITES: Record<string, string[]> = {
  trusted: ['editor.test.js', 'fixes.test.js', 'output.test.js', 'workspace.test.js'],
  installed: ['installed.test.js'],
};

export interface SuiteSummary {
  suite: string;
  passes: number;
  failures: number;
  failed: { title: string; error: string }[];
}

export function run(): Promise<void> {
  const suite = process.env.SYMMETRY_LINT_VSCODE_SUITE ?? 'trusted';
  const files = SUITES[suite];
  if (!files) return Promise.reject(new Error(`Unknown SYMMETRY_LINT_VSCODE_SUITE "${suite}" (known: ${Object.keys(SUITES).join(', ')})`));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000 });
  // SYMMETRY_LINT_VSCODE_GREP runs only the tests whose title matches (for debugging one test).
  const grep = process.env.SYMMETRY_LINT_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    const failed: SuiteSummary['failed'] = [];
    const runner = mocha.run((failures) => {
      const summary: SuiteSummary = { suite, passes: runner.stats?.passes ?? 0, failures, failed };
      const resultsFile = process.env.SYMMETRY_LINT_TEST_RESULTS;
      if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2));
      if (failures > 0) reject(new Error(`${failures} test(s) failed in the ${suite} suite.`));
      else resolve();
    });
    runner.on('fail', (test, error: Error) => failed.push({ title: test.fullTitle(), error: error.stack ?? error.message }));
  });
}
