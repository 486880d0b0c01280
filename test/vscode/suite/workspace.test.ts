// Whole-workspace diagnostics in the real editor: with `symmetryLint.lintWorkspace` on, the
// Problems view (vscode.languages.getDiagnostics) holds the finding of a workspace file that
// was never opened, at the line its `// expect:` marker names; with the setting off it holds none.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { activatedExtension, ourDiagnostics, ruleOf, waitForDiagnostics, workspaceRoot } from './harness';

/** A sample no other test of the suite opens. */
const UNOPENED = 'heatmap-not-invariant.ts';

/** The 0-based line and rule of the file's first `// expect: <rule>` marker, read from disk (opening it would spoil the test). */
function expectedFinding(uri: vscode.Uri): { line: number; rule: string } {
  const lines = fs.readFileSync(uri.fsPath, 'utf8').split('\n');
  for (let line = 0; line < lines.length; line++) {
    const marker = /\/\/ expect: ([a-z-]+)/.exec(lines[line]);
    if (marker) return { line, rule: marker[1] };
  }
  throw new Error(`${uri.fsPath} has no // expect: marker`);
}

describe('whole-workspace diagnostics (symmetryLint.lintWorkspace)', () => {
  before(async () => {
    await activatedExtension();
  });

  it('puts the finding of a file that was never opened in the Problems view', async function () {
    this.timeout(120000);
    const uri = vscode.Uri.joinPath(workspaceRoot(), UNOPENED);
    const expected = expectedFinding(uri);
    const isOpen = () => vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString());
    assert.ok(!isOpen(), `${UNOPENED} is open before the test`);
    // Off (the default): nothing for files nobody opened.
    assert.deepEqual(ourDiagnostics(uri), []);
    const config = vscode.workspace.getConfiguration('symmetryLint');
    await config.update('lintWorkspace', true, vscode.ConfigurationTarget.Workspace);
    try {
      const diagnostics = await waitForDiagnostics(
        uri,
        (items) => items.some((item) => ruleOf(item) === expected.rule && item.range.start.line === expected.line),
        `${expected.rule} at line ${expected.line + 1} of the unopened ${UNOPENED}`,
        90000,
      );
      assert.ok(diagnostics.length > 0);
      assert.ok(!isOpen(), `${UNOPENED} was opened along the way`);
    } finally {
      await config.update('lintWorkspace', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
