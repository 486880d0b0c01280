// End-to-end tests of the built language server over stdio: initialize, pull diagnostics,
// incremental changes, hover, settings, robustness against any text, shutdown. Every wait is
// for a response or a message, never a sleep.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  createProtocolConnection,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  DocumentDiagnosticRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type MarkupContent,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { StatusNotification, type StatusParams } from '../../server/src/protocol';
import { SERVER, spawnServer } from './serverProcess';
import { ensureServerBuilt } from '../unit/probeTestSupport';

const ROOT = path.resolve(__dirname, '../..');

const MODEL = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildClassifier() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10 }),
  ] });
}
`;
const FLATTEN_LINE = 8;

/** Two variants (SPEC 4): the padding finding is in both, the flatten one only when head is 'flat'. */
const VARIANT_MODEL = fs.readFileSync(path.resolve(__dirname, '../fixtures/variants/tagger.ts'), 'utf8');

function uriOf(name: string): string {
  return pathToFileURL(path.join(ROOT, 'test/lsp/virtual', name)).href;
}

interface TestClient {
  connection: ProtocolConnection;
  process: ChildProcess;
  settings: Record<string, unknown>;
  refreshes: number;
  /** Resolves on the next workspace/diagnostic/refresh request from the server. */
  nextRefresh(): Promise<void>;
  statuses: StatusParams[];
  /** Resolves with the first status, already received or to come, that `matches`. */
  statusWhere(matches: (status: StatusParams) => boolean): Promise<StatusParams>;
  stderr: string[];
}

function startServer(): TestClient {
  const waiting: (() => void)[] = [];
  const { child, connection } = spawnServer({
    settings: () => client.settings,
    onRefresh: () => {
      client.refreshes++;
      waiting.splice(0).forEach((resolve) => resolve());
    },
    onStderr: (text: string) => client.stderr.push(text),
  });
  const client: TestClient = {
    connection,
    process: child,
    settings: { enable: true, run: 'onType', rules: {} },
    refreshes: 0,
    nextRefresh: () => new Promise<void>((resolve) => waiting.push(resolve)),
    statuses: [],
    statusWhere: (matches) => {
      const seen = client.statuses.find(matches);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => statusWaiters.push({ matches, resolve }));
    },
    stderr: [],
  };
  const statusWaiters: { matches: (status: StatusParams) => boolean; resolve: (status: StatusParams) => void }[] = [];
  connection.onNotification(StatusNotification, (status: StatusParams) => {
    client.statuses.push(status);
    for (const waiter of statusWaiters.splice(0)) {
      if (waiter.matches(status)) waiter.resolve(status);
      else statusWaiters.push(waiter);
    }
  });
  return client;
}

async function pull(client: TestClient, uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
  return client.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri }, previousResultId });
}

async function pullItems(client: TestClient, uri: string): Promise<Diagnostic[]> {
  const report = await pull(client, uri);
  assert.equal(report.kind, 'full');
  return report.kind === 'full' ? report.items : [];
}

function open(client: TestClient, uri: string, text: string, languageId = 'typescript', version = 1): Promise<void> {
  return client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
}

function randomJunk(length: number, seed: number): string {
  let state = seed;
  let text = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    text += String.fromCharCode(state % 0xd7ff);
  }
  return text;
}

describe('language server (stdio)', function () {
  this.timeout(60000);
  let client: TestClient;

  before(async () => {
    ensureServerBuilt();
    client = startServer();
    const result = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      workspaceFolders: null,
      capabilities: {
        workspace: { configuration: true, diagnostics: { refreshSupport: true }, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: { diagnostic: { dynamicRegistration: false }, hover: { contentFormat: ['markdown', 'plaintext'] } },
      },
    });
    assert.equal(result.capabilities.hoverProvider, true);
    assert.deepEqual(
      { ...(result.capabilities.diagnosticProvider as object), identifier: undefined },
      { identifier: undefined, interFileDependencies: true, workspaceDiagnostics: true },
    );
    assert.equal((result.capabilities.textDocumentSync as { change: number }).change, 2 /* incremental */);
    await client.connection.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    if (client.process.exitCode === null) client.process.kill();
  });

  it('pulls diagnostics with rule codes, ranges, source, docs links, related information and data', async () => {
    const uri = uriOf('model.ts');
    await open(client, uri, MODEL);
    const items = await pullItems(client, uri);
    const flatten = items.find((item) => item.code === 'flatten-breaks-invariance');
    assert.ok(flatten, JSON.stringify(items));
    assert.equal(flatten.source, 'symmetry-lint');
    assert.equal(flatten.severity, DiagnosticSeverity.Error);
    // The rule page shipped beside the server: it exists offline and matches this version.
    const href = flatten.codeDescription?.href ?? '';
    assert.match(href, /^file:\/\/.*\/docs\/rules\/flatten-breaks-invariance\.md$/);
    assert.ok(fs.existsSync(fileURLToPath(href)), href);
    // The range lies on the flatten call and covers its factory name.
    const flattenText = MODEL.split('\n')[FLATTEN_LINE];
    const nameStart = flattenText.indexOf('flatten(');
    assert.equal(flatten.range.start.line, FLATTEN_LINE);
    assert.equal(flatten.range.end.line, FLATTEN_LINE);
    assert.ok(flatten.range.start.character >= flattenText.indexOf('tf.layers.flatten') && flatten.range.start.character <= nameStart, JSON.stringify(flatten.range));
    assert.ok(flatten.range.end.character >= nameStart + 'flatten'.length, JSON.stringify(flatten.range));
    assert.ok((flatten.relatedInformation ?? []).length > 0);
    assert.equal((flatten.relatedInformation ?? [])[0].location.uri, uri);
    const data = flatten.data as { ruleId: string; version?: number; group: string; modelName: string };
    assert.equal(data.ruleId, 'flatten-breaks-invariance');
    // No document version: a diagnostic an edit does not move stays the same (code actions
    // check diagnostics against the current analysis instead).
    assert.equal(data.version, undefined);
    assert.equal(data.group, 'translation');
    assert.equal(data.modelName, 'buildClassifier');
    for (const item of items) assert.equal(item.source, 'symmetry-lint');
  });

  it('gives a layer in a helper three models share one diagnostic naming the models, also after an edit', async () => {
    const uri = uriOf('shared-head.ts');
    const text = fs.readFileSync(path.join(ROOT, 'samples/shared-head.ts'), 'utf8');
    const lines = text.split('\n');
    const flattenLine = lines.findIndex((line) => line.includes('tf.layers.flatten()'));
    const declarationLines = lines.flatMap((line, index) => (line.includes('@symmetry invariant translation') ? [index] : []));
    const models = ['buildNarrowClassifier', 'buildMediumClassifier', 'buildWideClassifier'];
    await open(client, uri, text);
    const check = (items: Diagnostic[]) => {
      const onLine = items.filter((item) => item.range.start.line === flattenLine);
      assert.equal(onLine.length, 1, JSON.stringify(items));
      const related = onLine[0].relatedInformation ?? [];
      assert.equal(related[0].message, `in 3 models: ${models.join(', ')}`);
      assert.equal(related[0].location.range.start.line, lines.findIndex((line) => line.includes(models[0])));
      // Each model by name, at its own declaration.
      models.forEach((model, index) => {
        const item = related.find((candidate) => candidate.message.startsWith(`in ${model}: declared here`));
        assert.ok(item, `${model} in ${JSON.stringify(related)}`);
        assert.equal(item.location.uri, uri);
        assert.equal(item.location.range.start.line, declarationLines[index]);
      });
    };
    check(await pullItems(client, uri));
    // An edit inside one builder: that model is analysed again, the two others are reused.
    const mediumWidth = lines.findIndex((line) => line.includes('filters: 8'));
    const character = lines[mediumWidth].indexOf('filters: 8') + 'filters: '.length;
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: mediumWidth, character }, end: { line: mediumWidth, character: character + 1 } }, text: '6' }],
    });
    check(await pullItems(client, uri));
  });

  it('answers unchanged when nothing changed, and sees an incremental change', async () => {
    const uri = uriOf('model.ts');
    const first = await pull(client, uri);
    assert.equal(first.kind, 'full');
    const again = await pull(client, uri, first.resultId);
    assert.equal(again.kind, 'unchanged');

    // Replace `tf.layers.flatten()` with global pooling: the flatten finding must go.
    const line = MODEL.split('\n')[FLATTEN_LINE];
    const start = line.indexOf('tf.layers.flatten()');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [
        {
          range: { start: { line: FLATTEN_LINE, character: start }, end: { line: FLATTEN_LINE, character: start + 'tf.layers.flatten()'.length } },
          text: 'tf.layers.globalAveragePooling2d({})',
        },
      ],
    });
    const after = await pull(client, uri, first.resultId);
    assert.equal(after.kind, 'full');
    if (after.kind === 'full') {
      assert.ok(!after.items.some((item) => item.code === 'flatten-breaks-invariance'), JSON.stringify(after.items));
    }
    // The status of an analysis follows the answer it was made for.
    const status = await client.statusWhere((s) => s.uri === uri && s.version === 2);
    assert.ok(status.state !== 'failed', JSON.stringify(status));
  });

  it('answers unchanged after an edit that moved no diagnostic, and full after one that moved one', async () => {
    const uri = uriOf('unchanged-after-edit.ts');
    await open(client, uri, MODEL);
    const first = await pull(client, uri);
    assert.ok(first.kind === 'full' && first.items.some((item) => item.code === 'flatten-breaks-invariance'), JSON.stringify(first));
    const line = MODEL.split('\n')[FLATTEN_LINE - 1];
    const at = line.indexOf('filters: 8') + 'filters: '.length;
    const edit = (version: number, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string) =>
      client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    // 8 filters become 9: the same findings at the same places.
    await edit(2, { start: { line: FLATTEN_LINE - 1, character: at }, end: { line: FLATTEN_LINE - 1, character: at + 1 } }, '9');
    const second = await pull(client, uri, first.resultId);
    assert.deepEqual(second, { kind: 'unchanged', resultId: first.resultId });
    // Without a previous resultId the answer is full, with the same items.
    const full = await pull(client, uri);
    assert.ok(full.kind === 'full');
    assert.deepEqual(full.items, first.kind === 'full' ? first.items : undefined);
    // A line inserted above the model moves every finding a line down.
    await edit(3, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, '\n');
    const third = await pull(client, uri, first.resultId);
    assert.equal(third.kind, 'full');
    assert.notEqual(third.resultId, first.resultId);
    if (third.kind === 'full' && first.kind === 'full') {
      assert.deepEqual(
        third.items.map((item) => item.range.start.line),
        first.items.map((item) => item.range.start.line + 1),
      );
    }
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it('gives after random keystrokes the diagnostics of the same text opened afresh', async function () {
    this.timeout(120000);
    // A sample with findings of several rules, related information and helper classes.
    const original = fs.readFileSync(path.join(ROOT, 'samples/transformer-positional.ts'), 'utf8');
    const uri = uriOf('typed.ts');
    await open(client, uri, original);
    let text = original;
    let state = 20261202;
    const next = (): number => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const positionOf = (offset: number) => {
      const before = text.slice(0, offset).split('\n');
      return { line: before.length - 1, character: before[before.length - 1].length };
    };
    // Typing: letters and digits in words, a space, a new line, a deleted character, a comma.
    const keys = ['x', '7', 'e', ' ', '\n', '', ','];
    for (let step = 1; step <= 60; step++) {
      const at = Math.floor(next() * text.length);
      const typed = keys[Math.floor(next() * keys.length)];
      const end = typed === '' ? Math.min(text.length, at + 1) : at;
      const range = { start: positionOf(at), end: positionOf(end) };
      text = text.slice(0, at) + typed + text.slice(end);
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: step + 1 }, contentChanges: [{ range, text: typed }] });
      const typedItems = await pullItems(client, uri);
      const fresh = uriOf(`typed-fresh-${step}.ts`);
      await open(client, fresh, text);
      const freshItems = await pullItems(client, fresh);
      await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: fresh } });
      assert.ok(freshItems.length > 0, `findings after keystroke ${step}`);
      assert.deepEqual(JSON.parse(JSON.stringify(typedItems)), JSON.parse(JSON.stringify(freshItems).replaceAll(fresh, uri)), `after keystroke ${step}`);
    }
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it('shows the state after a layer on hover, for each declaration', async () => {
    const uri = uriOf('hover.ts');
    await open(client, uri, MODEL);
    const convLine = MODEL.split('\n')[FLATTEN_LINE - 1];
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: FLATTEN_LINE - 1, character: convLine.indexOf('conv2d') + 2 },
    });
    assert.ok(hover, 'a hover on the conv2d call');
    const value = (hover.contents as MarkupContent).value;
    assert.equal((hover.contents as MarkupContent).kind, 'markdown');
    assert.match(value, /conv2d/);
    assert.match(value, /invariant translation/);
    assert.match(value, /\| (exact|approx|subgroup|invariant|flattened|broken|unknown)/);
    // Inside the call's argument list is still the layer.
    const inside = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: FLATTEN_LINE - 1, character: convLine.indexOf('filters') },
    });
    assert.match((inside?.contents as MarkupContent).value, /conv2d/);
    const nowhere = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 2 } });
    assert.equal(nowhere, null);
  });

  it('gives a finding every variant has once, and names the variant of one only some have', async () => {
    const uri = uriOf('variants.ts');
    await open(client, uri, VARIANT_MODEL);
    const items = await pullItems(client, uri);
    const text = (item: Diagnostic) => (typeof item.message === 'string' ? item.message : item.message.value);
    const padding = items.filter((item) => item.code === 'padding-boundary');
    assert.equal(padding.length, 1, JSON.stringify(items.map(text)));
    assert.doesNotMatch(text(padding[0]), /head/);
    const flatten = items.filter((item) => item.code === 'flatten-breaks-invariance');
    assert.equal(flatten.length, 1, JSON.stringify(items.map(text)));
    assert.match(text(flatten[0]), /head is 'flat'/);
    assert.ok(text(flatten[0]).length <= 200, text(flatten[0]));
    assert.equal(flatten[0].range.start.line, VARIANT_MODEL.split('\n').findIndex((line) => line.includes('tf.layers.flatten')));
    // The hover over the layer both variants share shows it in each.
    const convLine = VARIANT_MODEL.split('\n').findIndex((line) => line.includes('tf.layers.conv1d'));
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: convLine, character: VARIANT_MODEL.split('\n')[convLine].indexOf('conv1d') + 2 },
    });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /in `buildTagger` when `head === 'pool'`/);
    assert.match(value, /in `buildTagger` when `head === 'flat'`/);
  });

  it('applies rule severity settings after didChangeConfiguration, asking the client to refresh', async () => {
    const uri = uriOf('settings.ts');
    await open(client, uri, MODEL);
    assert.ok((await pullItems(client, uri)).some((item) => item.code === 'flatten-breaks-invariance'));
    client.settings = { enable: true, run: 'onType', rules: { 'flatten-breaks-invariance': 'warning' } };
    const refreshed = client.nextRefresh();
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await refreshed;
    const warned = (await pullItems(client, uri)).find((item) => item.code === 'flatten-breaks-invariance');
    assert.equal(warned?.severity, DiagnosticSeverity.Warning);
    client.settings = { enable: false };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    assert.deepEqual(await pullItems(client, uri), []);
    client.settings = { enable: true, run: 'onType', rules: {} };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    assert.ok((await pullItems(client, uri)).some((item) => item.code === 'flatten-breaks-invariance'));
  });

  it('in onSave mode keeps the saved report until the document is saved', async () => {
    const uri = uriOf('on-save.ts');
    client.settings = { enable: true, run: 'onSave', rules: {} };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await open(client, uri, MODEL);
    assert.ok((await pullItems(client, uri)).some((item) => item.code === 'flatten-breaks-invariance'));
    const line = MODEL.split('\n')[FLATTEN_LINE];
    const start = line.indexOf('tf.layers.flatten()');
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [
        {
          range: { start: { line: FLATTEN_LINE, character: start }, end: { line: FLATTEN_LINE, character: start + 'tf.layers.flatten()'.length } },
          text: 'tf.layers.globalAveragePooling2d({})',
        },
      ],
    });
    const unsaved = await pullItems(client, uri);
    assert.ok(unsaved.some((item) => item.code === 'flatten-breaks-invariance'), 'unsaved edits are not analysed');
    const refreshed = client.nextRefresh();
    await client.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    await refreshed;
    assert.ok(!(await pullItems(client, uri)).some((item) => item.code === 'flatten-breaks-invariance'));
    client.settings = { enable: true, run: 'onType', rules: {} };
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  });

  const hostileTexts: [string, () => string][] = [
    ['half-typed code', () => MODEL.slice(0, MODEL.indexOf('tf.layers.flatten') + 12)],
    ['syntax errors', () => MODEL.replace(/\)/g, '').replace(/\{/g, '((')],
    ['a 20,000-line file', () => Array.from({ length: 20000 / 12 + 1 }, (_, i) => MODEL.replace('buildClassifier', `build${i}`).split('\n').slice(0, 12).join('\n')).join('\n')],
    ['binary junk', () => randomJunk(50000, 7)],
    ['a malformed tag', () => MODEL.replace('@symmetry invariant translation', '@symmetry invarient translaton tol=abc axis=')],
    ['an empty file', () => ''],
    ['deep nesting', () => 'const a = ' + '['.repeat(3000) + ']'.repeat(3000) + ';'],
  ];
  for (const [what, makeText] of hostileTexts) {
    it(`answers for ${what} and keeps serving`, async () => {
      const uri = uriOf(`hostile-${what.replace(/\W+/g, '-')}.ts`);
      const text = makeText();
      await open(client, uri, text);
      const items = await pullItems(client, uri);
      assert.ok(Array.isArray(items));
      const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 5, character: 3 } });
      assert.ok(hover === null || typeof hover === 'object');
      // An incremental edit in the middle, then the server must still answer.
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 3, character: 1 }, end: { line: 4, character: 0 } }, text: 'x(' }],
      });
      assert.ok(Array.isArray(await pullItems(client, uri)));
      await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
      const still = await pullItems(client, uriOf('settings.ts'));
      assert.ok(still.some((item) => item.code === 'flatten-breaks-invariance'));
    });
  }

  it('reports a malformed tag as invalid-declaration', async () => {
    const uri = uriOf('bad-tag.ts');
    await open(client, uri, MODEL.replace('@symmetry invariant translation', '@symmetry invarient translation'));
    const items = await pullItems(client, uri);
    const invalid = items.find((item) => item.code === 'invalid-declaration');
    assert.ok(invalid, JSON.stringify(items));
    assert.equal(invalid.range.start.line, 3);
  });

  it('answers or cancels a cancelled request, and keeps serving', async () => {
    const uri = uriOf('settings.ts');
    const source = new CancellationTokenSource();
    const request = client.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } }, source.token);
    source.cancel();
    await request.then(
      (report) => assert.ok(report.kind === 'full' || report.kind === 'unchanged'),
      // Never ServerCancelled with retriggerRequest false: vscode-languageclient then stops pulling the document.
      (error: { code: number; data?: { retriggerRequest?: boolean } }) =>
        assert.ok(error.code === -32800 || (error.code === -32802 && error.data?.retriggerRequest === true), JSON.stringify(error)),
    );
    assert.ok((await pullItems(client, uri)).length > 0);
  });

  it('returns an empty report for a document that is not open', async () => {
    assert.deepEqual(await pullItems(client, uriOf('never-opened.ts')), []);
  });

  it('shuts down and exits on request', async () => {
    const exited = new Promise<number | null>((resolve) => client.process.once('exit', (code) => resolve(code)));
    await client.connection.sendRequest(ShutdownRequest.type);
    await client.connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0, client.stderr.join(''));
  });
});

describe('symmetry-lint lsp --stdio', function () {
  this.timeout(60000);

  it('starts the same server through the CLI', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'server/bin/symmetry-lint.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.listen();
    try {
      const result = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
      assert.equal(result.serverInfo?.name, 'symmetry-lint');
      await connection.sendNotification(InitializedNotification.type, {});
      const uri = uriOf('via-cli.ts');
      await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: MODEL } });
      const report = await connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
      assert.ok(report.kind === 'full' && report.items.some((item) => item.code === 'flatten-breaks-invariance'));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      assert.equal(await exited, 0);
    } finally {
      connection.dispose();
      if (child.exitCode === null) child.kill();
    }
  });
});
