// The extension in a real editor, trusted workspace, development build: diagnostics (codes,
// ranges, related information) against the samples' `// expect:` markers, hover, a quick fix
// applied through the code action provider, a probe command, settings, and a server crash.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { SymmetryLintApi } from '../../../client/src/extension';
import type { ProbeOutcome } from '../../../client/src/probeCommands';
import {
  activatedExtension,
  expectedFindings,
  openWorkspaceFile,
  ruleOf,
  screenshot,
  waitFor,
  waitForDiagnostics,
  waitForFileText,
} from './harness';

/** A classic conv/pool/flatten/dense classifier declared translation invariant. */
const CLASSIFIER_SAMPLE = 'mnist-cnn.ts';

function sameFindings(diagnostics: vscode.Diagnostic[], expected: { ruleId: string; line: number }[]): boolean {
  const seen = diagnostics.map((d) => `${ruleOf(d)}@${d.range.start.line}`).sort();
  return JSON.stringify(seen) === JSON.stringify(expected.map((e) => `${e.ruleId}@${e.line}`).sort());
}

describe('Symmetry Lint in a trusted workspace', () => {
  let api: SymmetryLintApi;

  before(async () => {
    ({ api } = await activatedExtension());
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports the findings the sample marks, with codes, ranges, docs links and related information', async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const document = editor.document;
    const expected = expectedFindings(document);
    assert.ok(expected.length >= 3, 'the sample marks its findings');
    const diagnostics = await waitForDiagnostics(document.uri, (d) => sameFindings(d, expected), 'the marked findings');
    for (const diagnostic of diagnostics) {
      const rule = ruleOf(diagnostic);
      // The range covers the layer factory's name on the marked line, nothing wider.
      assert.equal(diagnostic.range.start.line, diagnostic.range.end.line, rule);
      const covered = document.getText(diagnostic.range);
      assert.match(covered, /^[A-Za-z0-9]+$/, `${rule} covers an identifier, got "${covered}"`);
      assert.ok(document.lineAt(diagnostic.range.start.line).text.includes(`layers.${covered}(`), `${rule} covers the layer call's name`);
      const code = diagnostic.code as { value: string; target: vscode.Uri };
      // The shipped page, through the command that opens it in the Markdown preview.
      assert.equal(code.target.scheme, 'command', `${rule} links to its page through a command`);
      assert.equal(code.target.path, 'symmetryLint.showRuleDocs');
      assert.deepEqual(JSON.parse(code.target.query), [rule], `${rule} links to its own page`);
      assert.ok(diagnostic.message.length > 20, `${rule} explains itself`);
    }
    const flatten = diagnostics.find((d) => ruleOf(d) === 'flatten-breaks-invariance')!;
    assert.equal(flatten.severity, vscode.DiagnosticSeverity.Error);
    const related = diagnostics.flatMap((d) => d.relatedInformation ?? []);
    assert.ok(related.length > 0, 'related information points at the declaration or repeated falls');
    for (const item of related) {
      assert.equal(item.location.uri.toString(), document.uri.toString());
      const line = document.lineAt(item.location.range.start.line).text;
      assert.ok(/@symmetry|layers\.\w+\(|function|const/.test(line), `related location is a declaration or a layer: "${line.trim()}"`);
      assert.ok(item.message.length > 0);
    }
    // What a user sees: squiggles in the editor and the Problems panel.
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    editor.revealRange(flatten.range, vscode.TextEditorRevealType.InCenter);
    await screenshot('editor-squiggles');
  });

  it("opens a diagnostic's docs link as the rule page in the Markdown preview, not its source", async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const diagnostics = await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => ruleOf(x) === 'flatten-breaks-invariance'), 'the flatten finding');
    const target = (diagnostics.find((d) => ruleOf(d) === 'flatten-breaks-invariance')!.code as { target: vscode.Uri }).target;
    // What the hover, the peek view and the Problems panel do on a click: run the link's command with its arguments.
    const args = JSON.parse(target.query) as unknown[];
    const opened = await vscode.commands.executeCommand<vscode.Uri | undefined>(target.path, ...args);
    assert.ok(opened && opened.path.endsWith('/docs/rules/flatten-breaks-invariance.md'), `opened ${opened?.toString()}`);
    const preview = await waitFor(
      vscode.window.tabGroups.onDidChangeTabs,
      () => {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputWebview && /markdown\.preview/.test(input.viewType) ? vscode.window.tabGroups.activeTabGroup.activeTab : undefined;
      },
      () => `a Markdown preview tab; active: ${vscode.window.tabGroups.activeTabGroup.activeTab?.label}`,
    );
    assert.match(preview.label, /flatten-breaks-invariance/);
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.path.endsWith('flatten-breaks-invariance.md')), 'the Markdown source is not opened');
  });

  it("asks in a modal before it runs the workspace's code to probe a model", async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const line = editor.document.getText().split('\n').findIndex((text) => text.includes('tf.layers.flatten'));
    editor.selection = new vscode.Selection(line, 4, line, 4);
    // VS Code refuses to show modal dialogs under test and says what the dialog would have asked:
    // a modal (a notification would not go through the dialog service) that names the workspace's code.
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('symmetryLint.probeModelAtCursorRunningCode')),
      /refused to show dialog in tests\. Contents: Run this workspace's code to probe the model\?/,
    );
    assert.equal(api.status().state === 'probing', false, 'no probe started without consent');
  });

  it('answers a hover on a layer with the symmetry state after it', async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const diagnostics = await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => ruleOf(x) === 'flatten-breaks-invariance'), 'the flatten finding');
    const flatten = diagnostics.find((d) => ruleOf(d) === 'flatten-breaks-invariance')!;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, flatten.range.start);
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : 'value' in content ? content.value : ''))
      .join('\n');
    assert.match(text, /translation/, 'the hover names the declared group');
    assert.match(text, /flatten/i, 'the hover says what the flatten did to it');
    // Show the same hover in the UI for the screenshot.
    editor.selection = new vscode.Selection(flatten.range.start, flatten.range.start);
    editor.revealRange(flatten.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('editor.action.showHover');
    await screenshot('editor-hover');
  });

  it('shows the state and the last analysis time in the language status item', async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    await waitForDiagnostics(editor.document.uri, (d) => d.length > 0, 'any finding');
    const snapshot = await waitFor(api.onStatusChange, () => {
      const now = api.status();
      return now.state === 'ready' && now.lastAnalysisMs !== undefined ? now : undefined;
    }, () => `status ready with a time, last ${JSON.stringify(api.status())}`);
    assert.ok(snapshot.lastAnalysisMs! >= 0);
  });

  it('applies the preferred quick fix through the code action provider, and the finding goes away', async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const document = editor.document;
    const diagnostics = await waitForDiagnostics(document.uri, (d) => d.some((x) => ruleOf(x) === 'flatten-breaks-invariance'), 'the flatten finding');
    const flatten = diagnostics.find((d) => ruleOf(d) === 'flatten-breaks-invariance')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      flatten.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    // VS Code's command rebuilds each CodeAction without its `diagnostics`, so which diagnostic
    // a fix names is read from the same answer as the client handed it to VS Code.
    const answer = [...api.recentCodeActions()]
      .reverse()
      .find((item) => item.uri === document.uri.toString() && item.range.isEqual(flatten.range));
    assert.ok(answer, 'the client answered the request for the flatten range');
    const serverFixes = answer.actions.filter((action): action is vscode.CodeAction => action instanceof vscode.CodeAction);
    assert.ok(serverFixes.length > 0, 'the server offers quick fixes for the flatten finding');
    for (const fix of serverFixes) {
      assert.equal(fix.diagnostics?.length, 1, `"${fix.title}" names the one diagnostic it fixes`);
      const named = fix.diagnostics[0]!;
      assert.equal(ruleOf(named), 'flatten-breaks-invariance', `"${fix.title}" names the flatten finding`);
      assert.ok(named.range.isEqual(flatten.range), `"${fix.title}" names the flatten finding's range`);
      assert.equal(named.message, flatten.message);
    }
    assert.deepEqual(
      actions.map((action) => action.title).filter((title) => serverFixes.some((fix) => fix.title === title)),
      serverFixes.map((fix) => fix.title),
      'VS Code returned the same quick fixes',
    );
    const preferredTitle = serverFixes.find((fix) => fix.isPreferred)?.title;
    assert.ok(preferredTitle, 'one quick fix is marked preferred');
    const preferred = actions.find((action) => action.title === preferredTitle)!;
    assert.ok(preferred.isPreferred && preferred.edit, 'VS Code got the preferred fix with its edit');
    assert.ok(await vscode.workspace.applyEdit(preferred.edit), 'the edit applies');
    assert.ok(!document.getText().includes('layers.flatten('), 'the flatten layer was replaced');
    await waitForDiagnostics(document.uri, (d) => !d.some((x) => ruleOf(x) === 'flatten-breaks-invariance'), 'the flatten finding to go away');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('runs "Probe Models in File" and shows probe diagnostics on the layer it blames', async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    await waitForDiagnostics(editor.document.uri, (d) => d.length > 0, 'the static findings');
    const outcome = await vscode.commands.executeCommand<ProbeOutcome>('symmetryLint.probeFile');
    assert.equal(outcome.kind, 'done', `probe outcome: ${JSON.stringify(outcome)}`);
    assert.ok(api.lastProbeResult(), 'the result is kept for the report');
    const diagnostics = await waitForDiagnostics(
      editor.document.uri,
      (d) => d.some((x) => ruleOf(x) === 'probe-violation' || ruleOf(x) === 'probe-disagrees'),
      'a probe diagnostic',
    );
    const probe = diagnostics.find((x) => ruleOf(x) === 'probe-violation' || ruleOf(x) === 'probe-disagrees')!;
    assert.match(editor.document.lineAt(probe.range.start.line).text, /layers\.\w+\(/, 'the probe blames a layer');
    assert.match(probe.message, /\d/, 'the message gives the measured error');
    await vscode.commands.executeCommand('symmetryLint.showReport');
    await waitFor(api.onReportRendered, () => (api.reportChartsDrawn() > 0 ? true : undefined), () => 'the report page to draw its chart');
    await screenshot('probe-report');
  });

  it("counts a skipped model and a failed one apart in the probe's notification, and says neither holds", async () => {
    // A custom layer: the literal probe skips the only declared model of this file.
    await openWorkspaceFile('analysis-gaps.ts');
    const skipped = await vscode.commands.executeCommand<ProbeOutcome>('symmetryLint.probeFile');
    assert.equal(skipped.kind, 'done', JSON.stringify(skipped));
    if (skipped.kind !== 'done') return;
    assert.equal(skipped.summary, 'Symmetry probe: no model measured. 1 model skipped. See the report.');
    // A probe stopped by its time limit fails; the notification names the model and the cause.
    const config = vscode.workspace.getConfiguration('symmetryLint');
    await config.update('probe.timeoutMs', 1, vscode.ConfigurationTarget.Workspace);
    try {
      await openWorkspaceFile(CLASSIFIER_SAMPLE);
      const failed = await vscode.commands.executeCommand<ProbeOutcome>('symmetryLint.probeFile');
      assert.equal(failed.kind, 'done', JSON.stringify(failed));
      if (failed.kind !== 'done') return;
      assert.match(failed.summary, /^Symmetry probe: no model measured\. 1 model failed\. The probe of createConvModel failed: the probe took longer than 1 ms/);
      assert.doesNotMatch(failed.summary, /\([^)]*\(/, 'no nested parentheses');
      // The output channel has the failure with its cause.
      await waitForFileText(api.outputLogFile, (text) => /Probe of createConvModel failed: the probe took longer than 1 ms/.test(text), 'the probe failure logged');
      assert.doesNotMatch(failed.summary, /hold/);
    } finally {
      await config.update('probe.timeoutMs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('names every column of the report at the width of a side panel, and fits it', async () => {
    await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const outcome = await vscode.commands.executeCommand<ProbeOutcome>('symmetryLint.probeFile');
    assert.equal(outcome.kind, 'done', JSON.stringify(outcome));
    // Two editor groups, the second as narrow as a side panel; the report opens beside the editor.
    await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{ size: 0.75 }, { size: 0.25 }] });
    try {
      await vscode.commands.executeCommand('symmetryLint.showReport');
      const layout = await waitFor(
        api.onReportLayout,
        () => {
          const current = api.reportLayout();
          return current && current.headers.length > 0 && current.viewportWidth < 500 ? current : undefined;
        },
        () => `the report laid out in a narrow column, last seen ${JSON.stringify(api.reportLayout())}`,
      );
      assert.deepEqual(layout.headers.filter((header) => header === ''), [], `a column without a header: ${layout.headers.join(' | ')}`);
      assert.ok(layout.headers.includes('probe vs static'), layout.headers.join(' | '));
      assert.ok(layout.headers.includes('output rel. error'), layout.headers.join(' | '));
      assert.ok(layout.pageWidth <= layout.viewportWidth, `the page is ${layout.pageWidth} px wide in a ${layout.viewportWidth} px column`);
      assert.deepEqual(layout.clippedLabels, [], 'x-axis labels clipped');
      await screenshot('report-side-panel');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{}] });
    }
  });

  it('clears its diagnostics when disabled, and brings them back when enabled', async () => {
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const before = await waitForDiagnostics(editor.document.uri, (d) => d.length > 0, 'the static findings');
    const config = vscode.workspace.getConfiguration('symmetryLint');
    await config.update('enable', false, vscode.ConfigurationTarget.Workspace);
    try {
      await waitForDiagnostics(editor.document.uri, (d) => d.length === 0, 'no findings while disabled');
      await waitFor(api.onStatusChange, () => (api.status().state === 'disabled' ? true : undefined), () => `status disabled, got ${api.status().state}`);
    } finally {
      await config.update('enable', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(editor.document.uri, (d) => d.length === before.length, 'the findings back after enabling');
  });

  it('restarts a crashed server, tells the user once, and shows fresh diagnostics for the current text', async function () {
    if (process.platform !== 'linux') this.skip();
    const editor = await openWorkspaceFile(CLASSIFIER_SAMPLE);
    const uri = editor.document.uri;
    const expected = expectedFindings(editor.document);
    // Earlier tests may have added probe findings; those live in the server process only.
    await waitForDiagnostics(uri, (d) => expected.every((e) => d.some((x) => ruleOf(x) === e.ruleId && x.range.start.line === e.line)), 'the marked findings');
    const restartsBefore = api.restarts();
    // Two crashes: each is restarted, but the user hears about it only the first time.
    for (let crash = 1; crash <= 2; crash++) {
      // The server is a direct child of this extension host process, running the server module.
      const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
      const serverLine = children.split('\n').find((line) => line.includes(api.serverModule));
      assert.ok(serverLine, `the server process among the extension host's children:\n${children}`);
      const seen: string[] = [];
      const watching = api.onStatusChange((snapshot) => seen.push(snapshot.state));
      process.kill(Number(serverLine.trim().split(/\s+/)[0]), 'SIGKILL');
      try {
        await waitFor(
          api.onStatusChange,
          () => (api.restarts() === restartsBefore + crash && seen.includes('starting') && ['ready', 'analysing'].includes(api.status().state) ? true : undefined),
          () => `restart ${crash}; states seen ${seen.join(' -> ')}`,
        );
      } finally {
        watching.dispose();
      }
      // Edit at once, while the new server may still be answering its first pull: the findings
      // must follow the text as it is now, once each, and none may linger from the old server.
      await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), '\n'));
      const shifted = expected.map((e) => ({ ruleId: e.ruleId, line: e.line + crash }));
      await waitForDiagnostics(
        uri,
        (d) => sameFindings(d, shifted),
        `after crash ${crash}, the same findings once each, ${crash} line(s) lower (status ${JSON.stringify(api.status())})`,
      );
    }
    assert.equal(api.restarts(), restartsBefore + 2, 'restarted after each crash');
    assert.equal(api.crashNotices(), 1, 'the user was told once');
    await waitFor(api.onStatusChange, () => (api.status().state === 'ready' ? true : undefined), () => `status ready, got ${JSON.stringify(api.status())}`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
