#!/usr/bin/env node
// Soak test of the language server against mutated input (`node scripts/soakLsp.js [edits]`):
// random incremental edits (some with ranges past the end of the text), random pulls, hovers,
// code actions and code lenses on the samples, over stdio. Fails if the server dies, stops
// answering within a deadline, or answers an error it should have handled. A script, not a
// test: it runs for a minute or more.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const rpc = require('vscode-jsonrpc/node');

const root = path.resolve(__dirname, '..');
const serverPath = path.join(root, 'server', 'dist', 'server.js');
const edits = Number(process.argv[2] ?? 2000);
const ANSWER_DEADLINE_MS = 10000;
const PIECES = ['(', ')', '{', '}', '[', ']', ',', '.', 'tf.layers.', 'model.add(', '...', '=>', '/**', '*/', '@symmetry ',
  '@symmetry invariant rotation90 tol=', 'new ', 'for (;;) {', 'while (true) {', '`${', '"', "'", '\n', '\uD800', '😀', '\r\n', ' 1e309 ', 'NaN'];

let seed = 20261128;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (items) => items[Math.floor(random() * items.length)];

function withDeadline(promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ANSWER_DEADLINE_MS} ms`)), ANSWER_DEADLINE_MS); }),
  ]);
}

async function main() {
  const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => null));
  connection.onNotification(() => {});
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {}, hover: {}, codeAction: {} } } });
  connection.sendNotification('initialized', {});

  const samples = fs.readdirSync(path.join(root, 'samples')).filter((f) => /\.(ts|js|mjs)$/.test(f));
  const docs = samples.slice(0, 6).map((name) => {
    const file = path.join(root, 'samples', name);
    return { uri: `file://${file}`, text: fs.readFileSync(file, 'utf8'), version: 1 };
  });
  for (const doc of docs) connection.sendNotification('textDocument/didOpen', { textDocument: { uri: doc.uri, languageId: 'typescript', version: 1, text: doc.text } });

  const positionOf = (text, offset) => {
    const before = text.slice(0, offset);
    return { line: before.split('\n').length - 1, character: offset - before.lastIndexOf('\n') - 1 };
  };
  let answered = 0;
  for (let i = 0; i < edits; i++) {
    if (exited) throw new Error(`the server exited after ${i} edits`);
    const doc = pick(docs);
    const start = Math.floor(random() * (doc.text.length + 1));
    const end = Math.min(doc.text.length, start + Math.floor(random() * 30));
    const insert = random() < 0.6 ? pick(PIECES) : '';
    doc.version++;
    if (random() < 0.03) {
      // A range past the end: a buggy client. The server clamps it as LSP specifies.
      const range = { start: { line: 1e6, character: 5 }, end: { line: 1e6 + 1, character: 0 } };
      connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: [{ range, text: insert }] });
      doc.text += insert;
    } else {
      const range = { start: positionOf(doc.text, start), end: positionOf(doc.text, end) };
      connection.sendNotification('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: [{ range, text: insert }] });
      doc.text = doc.text.slice(0, start) + insert + doc.text.slice(end);
    }
    const at = positionOf(doc.text, Math.floor(random() * (doc.text.length + 1)));
    const request = pick(['pull', 'pull', 'hover', 'codeAction', 'codeLens']);
    if (request === 'pull') await withDeadline(connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: doc.uri } }), 'a pull');
    if (request === 'hover') await withDeadline(connection.sendRequest('textDocument/hover', { textDocument: { uri: doc.uri }, position: at }), 'a hover');
    if (request === 'codeAction') {
      await withDeadline(connection.sendRequest('textDocument/codeAction', { textDocument: { uri: doc.uri }, range: { start: at, end: at }, context: { diagnostics: [] } }), 'code actions');
    }
    if (request === 'codeLens') await withDeadline(connection.sendRequest('textDocument/codeLens', { textDocument: { uri: doc.uri } }), 'code lenses');
    answered++;
  }
  await withDeadline(connection.sendRequest('shutdown'), 'shutdown');
  connection.sendNotification('exit');
  await new Promise((resolve) => (exited ? resolve() : child.on('exit', resolve)));
  connection.dispose();
  console.log(`${edits} mutated edits, ${answered} requests answered; the server stayed up and shut down cleanly`);
}

main().catch((error) => {
  console.error(`soak failed: ${error.message}`);
  process.exit(1);
});
