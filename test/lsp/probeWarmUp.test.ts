// The probe worker warm-up over stdio: once a file with a declared model has been analysed, the
// server starts the probe worker in idle time (symmetryLint.probe.warmUp, on by default), so
// the first "Probe Model at Cursor" does not wait for tfjs and wasm; off, nothing starts before
// the first probe. The server says both in its log, which is what these tests read.
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { ProbeRequest } from '../../server/src/protocol';
import { spawnServer } from './serverProcess';
import { ensureServerBuilt } from '../unit/probeTestSupport';

const ROOT = path.resolve(__dirname, '../..');

const DECLARED = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant rotation90
 */
export function buildQuarterTurnModel() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}
`;

const UNDECLARED = `import * as tf from '@tensorflow/tfjs';

export function buildPlainModel() {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
}
`;

const SCHEDULED = /the probe worker will start in idle time/;
const WARMED = /probe worker ready in \d+ ms \((wasm|cpu).*\), warmed in idle time/;

function uriOf(name: string): string {
  return pathToFileURL(path.join(ROOT, 'test/lsp/virtual', name)).href;
}

interface Session {
  child: ChildProcess;
  connection: ProtocolConnection;
  logs: string[];
  /** Resolves once a log line matches (checked against the lines already received too). */
  logged(pattern: RegExp): Promise<string>;
}

async function startSession(probeSettings: Record<string, unknown>): Promise<Session> {
  const settings = { enable: true, run: 'onType', rules: {}, codeLens: { enable: true }, probe: probeSettings };
  const { child, connection } = spawnServer({ settings: () => settings });
  const logs: string[] = [];
  const waiting: { pattern: RegExp; resolve(line: string): void }[] = [];
  connection.onNotification(LogMessageNotification.type, ({ message }) => {
    logs.push(message);
    for (const waiter of waiting.filter((w) => w.pattern.test(message))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: null,
    capabilities: { workspace: { configuration: true }, textDocument: { diagnostic: {} } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const logged = (pattern: RegExp) => {
    const seen = logs.find((line) => pattern.test(line));
    return seen !== undefined ? Promise.resolve(seen) : new Promise<string>((resolve) => waiting.push({ pattern, resolve }));
  };
  return { child, connection, logs, logged };
}

/** Opens a document and pulls its diagnostics: the analysis has run when this resolves. */
async function openAndAnalyse(session: Session, uri: string, text: string): Promise<void> {
  await session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  await session.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
}

describe('probe worker warm-up in the language server (stdio)', function () {
  this.timeout(60000);
  let session: Session | undefined;

  before(() => {
    ensureServerBuilt();
  });

  afterEach(() => {
    if (session && session.child.exitCode === null) session.child.kill();
    session = undefined;
  });

  it('warms the worker in idle time once a declared model is analysed (the default)', async () => {
    session = await startSession({});
    await openAndAnalyse(session, uriOf('warm-undeclared.ts'), UNDECLARED);
    // The log line is sent during the analysis, before the diagnostics answer.
    assert.ok(!session.logs.some((line) => SCHEDULED.test(line)), 'an undeclared model scheduled a warm-up');
    const uri = uriOf('warm-declared.ts');
    await openAndAnalyse(session, uri, DECLARED);
    assert.ok(session.logs.some((line) => SCHEDULED.test(line)), session.logs.join('\n'));
    await session.logged(WARMED);
    const result = await session.connection.sendRequest(ProbeRequest, { scope: 'model', uri, position: { line: 6, character: 4 } });
    assert.equal(result.files[0].models[0].status, 'ok', result.files[0].models[0].message);
  });

  it('starts nothing before the first probe when symmetryLint.probe.warmUp is off', async () => {
    session = await startSession({ warmUp: false });
    const uri = uriOf('cold-declared.ts');
    await openAndAnalyse(session, uri, DECLARED);
    assert.ok(!session.logs.some((line) => SCHEDULED.test(line)), session.logs.join('\n'));
    const result = await session.connection.sendRequest(ProbeRequest, { scope: 'model', uri, position: { line: 6, character: 4 } });
    assert.equal(result.files[0].models[0].status, 'ok', result.files[0].models[0].message);
    assert.ok(!session.logs.some((line) => WARMED.test(line)), session.logs.join('\n'));
  });
});
