#!/usr/bin/env node
// How long an open file's hover waits while a whole-workspace pass (`symmetryLint.lintWorkspace`)
// runs: starts the built server, makes a folder of N copies of samples/, opens one file, starts
// a workspace pull and sends a hover every 50 ms until the pass ends; prints the pass time and
// the hover round-trip times (median, max). A figure for docs, never a test assertion.
// Usage: node scripts/benchWorkspaceLatency.js [--copies 6]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-languageserver-protocol/node');

const root = path.resolve(__dirname, '..');
const copiesAt = process.argv.indexOf('--copies');
const copies = copiesAt > 0 ? Number(process.argv[copiesAt + 1]) : 6;

async function main() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-ws-latency-'));
  for (let i = 0; i < copies; i++) fs.cpSync(path.join(root, 'samples'), path.join(folder, `copy-${i}`), { recursive: true });
  // SYMMETRY_LINT_SERVER: another build's server.js, to compare.
  const server = process.env.SYMMETRY_LINT_SERVER ?? path.join(root, 'server/dist/server.js');
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.onRequest(rpc.ConfigurationRequest.type, (params) => params.items.map(() => ({ lintWorkspace: true })));
  connection.onRequest(rpc.DiagnosticRefreshRequest.type, () => undefined);
  connection.onRequest(rpc.RegistrationRequest.type, () => undefined);
  connection.listen();
  try {
    await connection.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'bench' }],
      capabilities: { workspace: { configuration: true, diagnostics: { refreshSupport: true } }, textDocument: { diagnostic: {} } },
    });
    await connection.sendNotification(rpc.InitializedNotification.type, {});
    const file = path.join(folder, 'copy-0', 'sign-broken.ts');
    const text = fs.readFileSync(file, 'utf8');
    const uri = pathToFileURL(file).href;
    await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    await connection.sendRequest(rpc.DocumentDiagnosticRequest.type, { textDocument: { uri } });
    const line = text.split('\n').findIndex((l) => l.includes('dense'));
    const started = performance.now();
    let passDone = false;
    const pass = connection.sendRequest(rpc.WorkspaceDiagnosticRequest.type, { previousResultIds: [] }).then((result) => {
      passDone = true;
      return result;
    });
    const latencies = [];
    while (!passDone) {
      const asked = performance.now();
      await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line, character: 20 } });
      latencies.push(performance.now() - asked);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await pass;
    const passMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)] ?? 0;
    const max = latencies[latencies.length - 1] ?? 0;
    console.log(`${result.items.length} files in ${Math.round(passMs)} ms; ${latencies.length} hovers during the pass: median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
  } finally {
    child.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
