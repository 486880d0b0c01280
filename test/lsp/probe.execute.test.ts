// The execute-mode probe through the built language server over stdio: in a trusted workspace
// `mode: "execute"` runs the model's own code and gives a verdict (and probe-violation) that the
// literal probe cannot; in an untrusted one it is refused with a clear message, no code runs
// (the fixture's marker file stays absent), and the server keeps answering until trust arrives.
import * as assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  ResponseError,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { ProbeRequest, UNTRUSTED_WORKSPACE_ERROR_CODE, WorkspaceTrustNotification } from '../../server/src/protocol';
import { lineOf, RUNTIME_MODEL, writeRuntimeModel } from '../unit/probeExecuteFixtures';
import { ensureServerBuilt } from '../unit/probeTestSupport';
import { spawnServer } from './serverProcess';

const SETTINGS = { enable: true, run: 'onType', rules: {}, codeLens: { enable: true }, probe: { onSave: false, timeoutMs: 30000, backend: 'wasm', maxParameters: 20000000 } };
const BROKEN_CONV_LINE = lineOf(RUNTIME_MODEL, "kernelFor('spatial')");

interface RunningServer {
  child: ChildProcess;
  connection: ProtocolConnection;
}

async function startServer(workspaceTrusted: boolean): Promise<RunningServer> {
  const { child, connection } = spawnServer({ settings: () => SETTINGS });
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: null,
    initializationOptions: { workspaceTrusted },
    capabilities: { workspace: { configuration: true, diagnostics: { refreshSupport: true } } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return { child, connection };
}

async function openRuntimeModel(connection: ProtocolConnection, prefix: string): Promise<{ uri: string; marker: string }> {
  const { modelFile, marker } = writeRuntimeModel(prefix);
  const uri = pathToFileURL(modelFile).href;
  await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: RUNTIME_MODEL } });
  return { uri, marker };
}

describe('language server execute-mode probes (stdio)', function () {
  this.timeout(60000);
  const servers: RunningServer[] = [];

  before(() => ensureServerBuilt());
  after(() => {
    for (const { child } of servers) if (child.exitCode === null) child.kill();
  });

  it('runs the model code in a trusted workspace: a verdict where the literal probe cannot build', async () => {
    const server = await startServer(true);
    servers.push(server);
    const { uri, marker } = await openRuntimeModel(server.connection, 'lsp-exec-trusted-');
    const literal = await server.connection.sendRequest(ProbeRequest, { scope: 'model', uri, modelName: 'buildBroken' });
    assert.equal(literal.files[0].models[0].status, 'skipped');
    assert.match(literal.files[0].models[0].message ?? '', /cannot build layer conv2d/);
    assert.equal(fs.existsSync(marker), false, 'a literal probe ran the model code');

    const executed = await server.connection.sendRequest(ProbeRequest, { scope: 'model', uri, position: { line: BROKEN_CONV_LINE - 1, character: 6 }, mode: 'execute' });
    const model = executed.files[0].models[0];
    assert.equal(model.name, 'buildBroken');
    assert.equal(model.status, 'ok', model.message);
    assert.equal(model.mode, 'execute');
    assert.equal(model.verdicts[0].passed, false);
    assert.equal(model.verdicts[0].breakingLayerLine, BROKEN_CONV_LINE);
    assert.ok(fs.existsSync(marker), 'execute mode did not run the model code');
    const report = await server.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    const items = report.kind === 'full' ? report.items : [];
    const violation = items.find((item) => item.code === 'probe-violation');
    assert.ok(violation, JSON.stringify(items.map((item) => item.code)));
    assert.equal(violation.range.start.line, BROKEN_CONV_LINE - 1);
  });

  it('refuses execute mode in an untrusted workspace, runs no code, keeps answering, and runs it once trusted', async () => {
    const server = await startServer(false);
    servers.push(server);
    const { uri, marker } = await openRuntimeModel(server.connection, 'lsp-exec-untrusted-');
    await assert.rejects(
      server.connection.sendRequest(ProbeRequest, { scope: 'file', uri, mode: 'execute' }),
      (error: unknown) => {
        assert.ok(error instanceof ResponseError);
        assert.equal(error.code, UNTRUSTED_WORKSPACE_ERROR_CODE);
        assert.match(error.message, /not trusted.*model-building code/);
        return true;
      },
    );
    assert.equal(fs.existsSync(marker), false, 'an untrusted workspace ran the model code');
    // Still answering: a hover and a literal probe.
    const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: BROKEN_CONV_LINE - 1, character: 16 } });
    assert.ok(hover === null || typeof hover === 'object');
    const literal = await server.connection.sendRequest(ProbeRequest, { scope: 'file', uri });
    assert.equal(literal.files[0].models.length, 2);
    assert.equal(fs.existsSync(marker), false);

    await server.connection.sendNotification(WorkspaceTrustNotification, { workspaceTrusted: true });
    const executed = await server.connection.sendRequest(ProbeRequest, { scope: 'file', uri, mode: 'execute' });
    assert.deepEqual(executed.files[0].models.map((model) => model.status), ['ok', 'ok']);
    assert.ok(fs.existsSync(marker));
  });
});
