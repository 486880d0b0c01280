// Quick fixes in a real editor, re-linted (issue 14): a fix applied through VS Code's code action
// provider is followed by the server's analysis of the new text, and the finding it was for is
// gone or weaker there; the "Disable" fix for a finding at a @symmetry tag suppresses it without
// damaging the JSDoc.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { activatedExtension, openWorkspaceFile, ruleOf, waitForDiagnostics } from './harness';

async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
  return actions ?? [];
}

const SEVERITY_RANK: Record<number, number> = {
  [vscode.DiagnosticSeverity.Error]: 0,
  [vscode.DiagnosticSeverity.Warning]: 1,
  [vscode.DiagnosticSeverity.Information]: 2,
  [vscode.DiagnosticSeverity.Hint]: 3,
};

describe('Symmetry Lint quick fixes, re-linted in the editor', () => {
  before(async () => {
    await activatedExtension();
  });

  afterEach(async () => {
    // Leave the samples as they were for the other tests.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('after the blur-pool fix the aliasing finding is re-linted as info on the new layer, naming the exact remedy', async () => {
    // An approximate declaration (tol=1e-2): the one place a blur pool changes the finding.
    const editor = await openWorkspaceFile('fcn-segmentation.ts');
    const document = editor.document;
    const before = await waitForDiagnostics(document.uri, (d) => d.some((x) => ruleOf(x) === 'strided-aliasing'), 'the strided-aliasing finding');
    const aliasing = before.find((d) => ruleOf(d) === 'strided-aliasing')!;
    assert.equal(aliasing.severity, vscode.DiagnosticSeverity.Warning);
    const actions = await quickFixes(document.uri, aliasing.range);
    const blur = actions.find((action) => action.title.startsWith('Reduce aliasing with BlurPool2D'));
    assert.ok(blur?.edit, `a blur-pool fix is offered; offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(blur.edit), 'the edit applies');
    assert.ok(document.getText().includes('BlurPool2D('), 'the pooling layer was replaced');
    const after = await waitForDiagnostics(
      document.uri,
      // The finding on the new layer (the one before it also names BlurPool2D, as a remedy).
      (d) => d.some((x) => ruleOf(x) === 'strided-aliasing' && x.message.startsWith('BlurPool2D')),
      'the re-linted finding on the blur pool',
    );
    const remaining = after.filter((d) => ruleOf(d) === 'strided-aliasing');
    assert.deepEqual(remaining.map((d) => d.severity), [vscode.DiagnosticSeverity.Information]);
    assert.match(remaining[0]!.message, /holds approximately/);
    assert.ok(!/use BlurPool2D/.test(remaining[0]!.message), 'the message does not recommend the layer it is about');
  });

  it('every model fix offered on a finding of the sign sample removes that finding, or makes it less severe, once re-linted', async () => {
    const editor = await openWorkspaceFile('sign-broken.ts');
    const document = editor.document;
    const before = await waitForDiagnostics(document.uri, (d) => d.some((x) => ruleOf(x) === 'non-odd-layer'), 'the non-odd-layer finding');
    const finding = before.find((d) => ruleOf(d) === 'non-odd-layer')!;
    const fixes = (await quickFixes(document.uri, finding.range)).filter((action) => action.edit && !action.title.startsWith('Disable '));
    assert.ok(fixes.some((fix) => fix.title.startsWith('Make the model odd')), `offered: ${fixes.map((f) => f.title).join(' | ')}`);
    for (const fix of fixes) {
      const original = document.getText();
      assert.ok(await vscode.workspace.applyEdit(fix.edit!), `"${fix.title}" applies`);
      const version = document.version;
      // Re-linted: the diagnostics of the fixed text, whatever they are, arrive for it.
      const after = await waitForDiagnostics(
        document.uri,
        (d) => document.version === version && !d.some((x) => x.range.isEqual(finding.range) && x.message === finding.message),
        `the diagnostics of the text after "${fix.title}"`,
      );
      const same = after.filter(
        (d) => ruleOf(d) === 'non-odd-layer' && d.range.start.line === finding.range.start.line && SEVERITY_RANK[d.severity]! <= SEVERITY_RANK[finding.severity]!,
      );
      assert.deepEqual(same.map((d) => d.message), [], `"${fix.title}" leaves its finding`);
      await vscode.workspace.applyEdit(
        (() => {
          const undo = new vscode.WorkspaceEdit();
          undo.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), original);
          return undo;
        })(),
      );
      await waitForDiagnostics(document.uri, (d) => d.some((x) => ruleOf(x) === 'non-odd-layer' && x.range.isEqual(finding.range)), 'the finding back after undoing the fix');
    }
  });

  it('suppresses a declaration finding with a comment above the JSDoc block, which stays whole', async () => {
    const editor = await openWorkspaceFile('declaration-mismatch.ts');
    const document = editor.document;
    const before = await waitForDiagnostics(document.uri, (d) => d.filter((x) => ruleOf(x) === 'declaration-mismatch').length === 2, 'both declaration-mismatch findings');
    const first = before.filter((d) => ruleOf(d) === 'declaration-mismatch').sort((a, b) => a.range.start.line - b.range.start.line)[0]!;
    assert.match(document.lineAt(first.range.start.line).text, /@symmetry/, 'the finding is on the tag, inside the JSDoc');
    const disable = (await quickFixes(document.uri, first.range)).find((action) => action.title === 'Disable declaration-mismatch for this line');
    assert.ok(disable?.edit, 'the disable fix is offered');
    const tagLine = document.lineAt(first.range.start.line).text;
    assert.ok(await vscode.workspace.applyEdit(disable.edit), 'the edit applies');
    const text = document.getText();
    assert.match(text, /\/\/ symmetry-lint-disable-next-line declaration-mismatch\r?\n\/\*\*\r?\n \* Satellite tiles/, 'the comment sits above the JSDoc block');
    assert.ok(text.includes(`${tagLine}\n`) || text.includes(`${tagLine}\r\n`), 'the tag line is unchanged');
    const after = await waitForDiagnostics(
      document.uri,
      (d) => d.filter((x) => ruleOf(x) === 'declaration-mismatch').length === 1,
      'one declaration-mismatch left (the other model)',
    );
    const left = after.find((d) => ruleOf(d) === 'declaration-mismatch')!;
    assert.ok(left.range.start.line > first.range.start.line + 1, 'the suppressed one is the first model\'s');
  });
});
