// The packaged extension (.vsix installed with --install-extension) in a workspace that is NOT
// trusted: diagnostics come from the installed copy, static analysis runs in Restricted Mode,
// and running the workspace's own model code is refused by the client and by the server.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProbeOutcome } from '../../../client/src/probeCommands';
import { activatedExtension, expectedFindings, openWorkspaceFile, ruleOf, screenshot, waitForDiagnostics } from './harness';

const CLASSIFIER_SAMPLE = 'mnist-cnn.ts';

describe('the installed .vsix in Restricted Mode', () => {
  it('runs from the extensions folder, not from the source tree', async () => {
    const { extension, api } = await activatedExtension();
    const sourceTree = process.env.SYMMETRY_LINT_SOURCE_TREE;
    assert.ok(sourceTree, 'the runner names the source tree');
    const relative = path.relative(sourceTree, extension.extensionPath);
    assert.ok(relative.startsWith('..') || path.isAbsolute(relative), `extension at ${extension.extensionPath} is outside ${sourceTree}`);
    assert.ok(api.serverModule.startsWith(extension.extensionPath), `server ${api.serverModule} ships inside the extension`);
    assert.ok(!api.serverModule.includes(`${path.sep}server${path.sep}dist`), 'the server is the production bundle');
  });

  it('is in an untrusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still reports the static findings in Restricted Mode', async () => {
    await activatedExtension();
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const expected = expectedFindings(editor.document);
    const diagnostics = await waitForDiagnostics(
      editor.document.uri,
      (d) => expected.every((e) => d.some((x) => ruleOf(x) === e.ruleId && x.range.start.line === e.line)),
      'the marked findings from the installed extension',
    );
    assert.equal(diagnostics.length, expected.length);
    await screenshot('installed-restricted-mode');
  });

  it('refuses, in the client, to probe by running workspace code', async () => {
    await activatedExtension();
    await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const outcome = await vscode.commands.executeCommand<ProbeOutcome>('symmetryLint.probeModelAtCursorRunningCode');
    // The command is disabled by `enablement` in Restricted Mode; executing it anyway must not run code.
    assert.ok(outcome === undefined || outcome.kind === 'refused', `outcome: ${JSON.stringify(outcome)}`);
  });

  it('refuses, in the server, a probe that would run workspace code', async () => {
    const { api } = await activatedExtension();
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    await assert.rejects(
      api.sendProbeRequest({ scope: 'file', uri: editor.document.uri.toString(), mode: 'execute' }),
      (error: Error) => /not trusted/i.test(error.message),
    );
  });
});
