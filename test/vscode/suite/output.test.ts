// What the extension writes to its output channel, read from the file VS Code writes the
// channel to: each analysis (file, models, time), an analysis failure with its cause, the
// protocol trace under `symmetryLint.trace.server: verbose` alone, and a server restart.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { SymmetryLintApi } from '../../../client/src/extension';
import { activatedExtension, openWorkspaceFile, waitFor, waitForFileText, workspaceRoot } from './harness';

/** Deeper than TypeScript's parser can take: the server reports the file as not analysed. */
const DEEP_TEXT = `export const nested = ${'['.repeat(20000)}${']'.repeat(20000)};\n`;

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the Symmetry Lint output channel', () => {
  let api: SymmetryLintApi;

  before(async () => {
    ({ api } = await activatedExtension());
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('logs each analysis with its file, models and time, and a failed one with its cause', async () => {
    const editor = await openWorkspaceFile('odd-mlp.ts');
    await waitForFileText(api.outputLogFile, (text) => new RegExp(`Analysed ${escaped(editor.document.uri.fsPath)}: 1 model in \\d+ ms`).test(text), 'the analysis of odd-mlp.ts');
    const deep = vscode.Uri.joinPath(workspaceRoot(), 'deep-nesting.ts');
    await vscode.workspace.fs.writeFile(deep, new TextEncoder().encode(DEEP_TEXT));
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(deep));
      await waitForFileText(api.outputLogFile, (text) => new RegExp(`Analysis failed for ${escaped(deep.fsPath)}: file too deeply nested to analyse`).test(text), 'the failed analysis and its cause');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(deep);
    }
  });

  it('shows the protocol trace when symmetryLint.trace.server is verbose, with no other setting', async function () {
    // Longer than the loop's own deadline below, so a missing trace fails with the log's last lines.
    this.timeout(90000);
    const editor = await openWorkspaceFile('odd-mlp.ts');
    // A request only this extension's server answers, and at once: no model has this name.
    const ask = () => api.sendProbeRequest({ scope: 'model', uri: editor.document.uri.toString(), modelName: 'noModelHasThisName' });
    const traced = /Sending request 'symmetryLint\/probe/;
    const log = (): string => (fs.existsSync(api.outputLogFile.fsPath) ? fs.readFileSync(api.outputLogFile.fsPath, 'utf8') : '');
    const config = vscode.workspace.getConfiguration('symmetryLint');
    const before = config.get<string>('trace.server');
    await ask();
    if (before === 'off') assert.doesNotMatch(log(), traced, 'no trace while the setting is off');
    await config.update('trace.server', 'verbose', vscode.ConfigurationTarget.Workspace);
    try {
      // Ask until the trace shows: the client applies the setting when VS Code announces it,
      // and the channel's file is written a little after each line. Each round is a real request.
      const deadline = Date.now() + 30000;
      while (!traced.test(log())) {
        assert.ok(Date.now() < deadline, `no request traced in the output channel; its last lines:\n${log().split('\n').slice(-15).join('\n')}`);
        await ask();
      }
    } finally {
      await config.update('trace.server', before === 'off' ? undefined : before, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('logs a restart of the server', async () => {
    const seen: string[] = [];
    const watching = api.onStatusChange((snapshot) => seen.push(snapshot.state));
    try {
      await vscode.commands.executeCommand('symmetryLint.restartServer');
      await waitFor(api.onStatusChange, () => (seen.includes('starting') && api.status().state === 'ready' ? true : undefined), () => `a restart; states seen ${seen.join(' -> ')}`);
    } finally {
      watching.dispose();
    }
    await waitForFileText(api.outputLogFile, (text) => /Restarting the Symmetry Lint server \(restart \d+\)\./.test(text) && /The Symmetry Lint server is running again/.test(text), 'the restart');
  });
});
