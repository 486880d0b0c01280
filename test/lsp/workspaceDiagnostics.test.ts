// Whole-workspace diagnostics over LSP (`workspace/diagnostic`, `symmetryLint.lintWorkspace`):
// a client that opens no file gets every finding `symmetry-lint check` gives for the folder,
// streamed as partial results, with progress; unchanged files come back `unchanged`; a helper
// changed on disk redoes the files that import it; the setting off means no reports.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  HoverRequest,
  FileChangeType,
  InitializedNotification,
  InitializeRequest,
  WorkspaceDiagnosticRequest,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver-protocol/node';
import { SERVER, spawnServer, type ServerProcess } from './serverProcess';
import { ensureServerBuilt } from '../unit/probeTestSupport';
import { scratchFolder } from '../unit/scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'server/bin/symmetry-lint.js');

interface SarifLog {
  runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
}

/** `file:line rule` of every finding the CLI gives for the folder, sorted. */
function cliFindings(folder: string): string[] {
  const result = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'sarif'], { cwd: folder, encoding: 'utf8', timeout: 120000 });
  assert.ok(result.status === 0 || result.status === 1, result.stderr);
  return (JSON.parse(result.stdout) as SarifLog).runs[0].results
    .map((r) => `${r.locations[0].physicalLocation.artifactLocation.uri}:${r.locations[0].physicalLocation.region.startLine} ${r.ruleId}`)
    .sort();
}

function serverFindings(folder: string, reports: readonly WorkspaceDocumentDiagnosticReport[]): string[] {
  return reports
    .flatMap((report) => {
      if (report.kind !== 'full') return [];
      const file = path.relative(folder, new URL(report.uri).pathname).split(path.sep).join('/');
      return report.items.map((item) => `${file}:${item.range.start.line + 1} ${String(item.code)}`);
    })
    .sort();
}

describe('workspace diagnostics (stdio)', function () {
  this.timeout(120000);
  let folder: string;
  let server: ServerProcess;
  let lintWorkspace = true;
  let refreshes = 0;
  const progress: { done: number; total: number }[] = [];
  let partialToken = 0;

  let chunksOfLastPull = 0;

  /** One workspace/diagnostic pull, its partial results gathered; returns every report. */
  async function pullWorkspace(previousResultIds: { uri: string; value: string }[] = []): Promise<WorkspaceDocumentDiagnosticReport[]> {
    const partialResultToken = `partial-${++partialToken}`;
    const streamed: WorkspaceDocumentDiagnosticReport[] = [];
    chunksOfLastPull = 0;
    const listener = server.connection.onProgress(WorkspaceDiagnosticRequest.partialResult, partialResultToken, (chunk) => {
      chunksOfLastPull++;
      streamed.push(...chunk.items);
    });
    const result = await server.connection.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds, partialResultToken });
    listener.dispose();
    return [...streamed, ...result.items];
  }

  before(async () => {
    ensureServerBuilt();
    folder = scratchFolder('symmetry-lint-workspace-');
    fs.cpSync(path.join(ROOT, 'samples'), folder, { recursive: true });
    // Three times the samples, so that a pass takes many chunks.
    for (const copy of ['copy-a', 'copy-b']) fs.cpSync(path.join(ROOT, 'samples'), path.join(folder, copy), { recursive: true });
    // Walked as the CLI walks: node_modules and what .gitignore names are not the user's models.
    fs.mkdirSync(path.join(folder, '.git'));
    fs.mkdirSync(path.join(folder, 'node_modules', 'dep'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'samples', 'mnist-cnn.ts'), path.join(folder, 'node_modules', 'dep', 'index.ts'));
    fs.mkdirSync(path.join(folder, 'build'));
    fs.copyFileSync(path.join(ROOT, 'samples', 'mnist-cnn.ts'), path.join(folder, 'build', 'copy.ts'));
    fs.writeFileSync(path.join(folder, '.gitignore'), 'build/\n');

    server = spawnServer({ settings: () => ({ lintWorkspace }), onRefresh: () => refreshes++ });
    server.connection.onNotification('symmetryLint/workspaceProgress', (params: { done: number; total: number }) => {
      progress.push(params);
    });
    const initialized = await server.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'models' }],
      capabilities: {
        workspace: { configuration: true, diagnostics: { refreshSupport: true }, didChangeWatchedFiles: { dynamicRegistration: false } },
        textDocument: { diagnostic: { dynamicRegistration: false } },
      },
    });
    assert.equal((initialized.capabilities.diagnosticProvider as { workspaceDiagnostics: boolean }).workspaceDiagnostics, true);
    await server.connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    if (server.child.exitCode === null) server.child.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  let first: WorkspaceDocumentDiagnosticReport[] = [];

  it('gives a client that opened no file every finding of the folder, as the CLI does', async () => {
    first = await pullWorkspace();
    const expected = cliFindings(folder);
    assert.ok(expected.length >= 20, `the samples have findings (${expected.length})`);
    assert.deepEqual(serverFindings(folder, first), expected);
    const files = first.map((report) => path.relative(folder, new URL(report.uri).pathname));
    assert.ok(!files.some((file) => file.startsWith('node_modules') || file.startsWith('build')), files.join(', '));
    assert.ok(first.every((report) => report.version === null));
    // Streamed in chunks of at most CHUNK_BUDGET_MS of work, not in one answer at the end.
    assert.ok(chunksOfLastPull >= 2, `${chunksOfLastPull} partial results`);
    // Progress for the language status item; the last one says the pass is complete.
    assert.ok(progress.length > 0);
    const last = progress[progress.length - 1];
    assert.equal(last.done, last.total);
    assert.equal(last.total, files.length);
  });

  it('answers unchanged for the files whose result ids the client already holds', async () => {
    const again = await pullWorkspace(first.map((report) => ({ uri: report.uri, value: report.resultId! })));
    assert.equal(again.length, first.length);
    assert.ok(again.every((report) => report.kind === 'unchanged'), JSON.stringify(again.filter((r) => r.kind !== 'unchanged').map((r) => r.uri)));
  });

  it('analyses a file changed on disk again, with the files that import it', async () => {
    const helper = path.join(folder, 'helpers', 'blocks.ts');
    const refreshesBefore = refreshes;
    fs.appendFileSync(helper, '\n// edited on disk\n');
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(helper).href, type: FileChangeType.Changed }] });
    const after = await pullWorkspace(first.map((report) => ({ uri: report.uri, value: report.resultId! })));
    const redone = after.filter((report) => report.kind === 'full').map((report) => path.relative(folder, new URL(report.uri).pathname)).sort();
    assert.deepEqual(redone, ['helpers/blocks.ts', 'resnet-blocks.ts']);
    // The copies import their own helpers, which did not change.
    assert.ok(refreshes > refreshesBefore, 'the server asked the client to pull again');
  });

  it('stops when the client cancels, between two chunks', async () => {
    // A settings change makes every report stale, so the pass analyses every file again.
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const cancellation = new CancellationTokenSource();
    const partialResultToken = 'partial-cancelled';
    let chunks = 0;
    const listener = server.connection.onProgress(WorkspaceDiagnosticRequest.partialResult, partialResultToken, () => {
      chunks++;
      cancellation.cancel();
    });
    await assert.rejects(
      server.connection.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds: [], partialResultToken }, cancellation.token),
      (error: { code?: number }) => error.code === -32800,
    );
    listener.dispose();
    assert.ok(chunks >= 1);
    // The next pull picks up where the analyses stopped and still gives every file.
    const again = await pullWorkspace();
    assert.deepEqual(serverFindings(folder, again), serverFindings(folder, first));
  });

  it('answers an open file\'s diagnostic and hover requests while a workspace pass is running', async () => {
    const file = path.join(folder, 'sign-broken.ts');
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const expectedLine = lines.findIndex((line) => line.includes('// expect: non-odd-layer'));
    assert.ok(expectedLine >= 0);
    const uri = pathToFileURL(file).href;
    // A settings change makes every report stale: the pass analyses the whole folder again.
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    let passDone = false;
    let progressSeen = 0;
    let passUnderway!: () => void;
    const underway = new Promise<void>((resolve) => (passUnderway = resolve));
    const progressListener = server.connection.onNotification('symmetryLint/workspaceProgress', (params: { done: number; total: number }) => {
      progressSeen++;
      if (params.done > 0 && params.done < params.total) passUnderway();
    });
    const pass = pullWorkspace().then((reports) => {
      passDone = true;
      return reports;
    });
    await underway;
    const progressAtAsk = progressSeen;
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    const report = await server.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    const hover = server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: expectedLine, character: lines[expectedLine].indexOf('dense') } });
    await hover;
    // Both answered before the pass ended, not after it: the analysis runs off the main thread.
    const answeredDuringPass = !passDone;
    assert.ok(report.kind === 'full' && report.items.some((item) => item.code === 'non-odd-layer' && item.range.start.line === expectedLine), JSON.stringify(report));
    const reports = await pass;
    progressListener.dispose();
    assert.ok(answeredDuringPass, `the pass ended (${progressSeen - progressAtAsk} progress messages after the ask) before the open file was answered`);
    // The open file is left to its own pulls; every other file still comes back as the CLI has it.
    const expected = cliFindings(folder).filter((line) => !line.startsWith('sign-broken.ts:'));
    assert.deepEqual(serverFindings(folder, reports), expected);
  });

  it('reports nothing while symmetryLint.lintWorkspace is off', async () => {
    lintWorkspace = false;
    await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(await pullWorkspace(), []);
    lintWorkspace = true;
  });
});
