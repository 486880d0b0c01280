// The language server and a file too deeply nested for TypeScript's parser (20,000 nested
// array literals): the document gets one analysis-gap diagnostic at line 1, a sample opened
// beside it keeps its diagnostics, and an edit that makes the file parsable again lints it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  InitializedNotification,
  InitializeRequest,
  type Diagnostic,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { SERVER, spawnServer, type ServerProcess } from './serverProcess';
import { ensureServerBuilt } from '../unit/probeTestSupport';

const ROOT = path.resolve(__dirname, '../..');
const DEPTH = 20000;
const DEEP_TEXT = `export const nested = ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)};\n`;

async function pullItems(connection: ProtocolConnection, uri: string): Promise<Diagnostic[]> {
  const report = await connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
  assert.equal(report.kind, 'full');
  return report.kind === 'full' ? report.items : [];
}

describe('language server: a file too deeply nested to parse', function () {
  this.timeout(60000);
  let server: ServerProcess;
  const settings = { enable: true, run: 'onType', rules: {} as Record<string, string> };

  before(async () => {
    ensureServerBuilt();
    server = spawnServer({ settings: () => settings });
    await server.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      workspaceFolders: null,
      capabilities: { workspace: { configuration: true }, textDocument: { diagnostic: { dynamicRegistration: false } } },
    });
    await server.connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    if (server.child.exitCode === null) server.child.kill();
  });

  it('gives the document one analysis-gap diagnostic at line 1, and a sample beside it its own', async () => {
    const deepUri = pathToFileURL(path.join(ROOT, 'samples', 'deep-nesting.ts')).href;
    const sampleUri = pathToFileURL(path.join(ROOT, 'samples', 'mnist-cnn.ts')).href;
    const sampleText = fs.readFileSync(path.join(ROOT, 'samples', 'mnist-cnn.ts'), 'utf8');
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: deepUri, languageId: 'typescript', version: 1, text: DEEP_TEXT } });
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: sampleUri, languageId: 'typescript', version: 1, text: sampleText } });

    const deep = await pullItems(server.connection, deepUri);
    assert.deepEqual(
      deep.map((item) => ({ code: item.code, line: item.range.start.line, character: item.range.start.character, message: item.message })),
      [{ code: 'analysis-gap', line: 0, character: 0, message: 'File too deeply nested to analyse: its models were not checked.' }],
    );
    const sample = await pullItems(server.connection, sampleUri);
    assert.deepEqual(
      sample.map((item) => item.code).sort(),
      ['flatten-breaks-invariance', 'padding-boundary', 'strided-aliasing'],
    );

    // An edit that takes the nesting away makes the document an ordinary one again.
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: deepUri, version: 2 },
      contentChanges: [{ text: sampleText }],
    });
    const fixed = await pullItems(server.connection, deepUri);
    assert.deepEqual(
      fixed.map((item) => item.code).sort(),
      ['flatten-breaks-invariance', 'padding-boundary', 'strided-aliasing'],
    );

    // A ranged edit that makes it too deep again is kept as text and reported again.
    const lines = sampleText.split('\n').length;
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: deepUri, version: 3 },
      contentChanges: [{ range: { start: { line: lines, character: 0 }, end: { line: lines, character: 0 } }, text: DEEP_TEXT }],
    });
    const again = await pullItems(server.connection, deepUri);
    assert.deepEqual(
      again.map((item) => item.code),
      ['analysis-gap'],
    );
  });

  it('says nothing when analysis-gap is turned off', async () => {
    settings.rules = { 'analysis-gap': 'off' };
    const uri = pathToFileURL(path.join(ROOT, 'samples', 'deep-off.ts')).href;
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: DEEP_TEXT } });
    assert.deepEqual(await pullItems(server.connection, uri), []);
  });
});
