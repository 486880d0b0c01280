#!/usr/bin/env node
// Benchmarks for docs/benchmarks.md (`npm run bench`). Each comparison runs side by side in
// one process, interleaved, and is reported as a ratio of medians, because this machine is
// noisy: absolute numbers vary from run to run, ratios much less.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ts, Project } = require('ts-morph');
const { generateModelFile, sampleBodies } = require('./benchModelFile');
const { startBenchServer, stopBenchServer } = require('./benchLspServer');

const root = path.resolve(__dirname, '..');
const samplesDir = path.join(root, 'samples');
const serverPath = path.join(root, 'server', 'dist', 'server.js');
const cliPath = path.join(root, 'server', 'bin', 'symmetry-lint.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

function startServer() {
  // Static analysis only: no idle probe-worker warm-up (its tfjs would count in the RSS figures).
  const server = startBenchServer(serverPath, { probe: { warmUp: false } });
  server.connection.onNotification(() => {});
  server.connection.listen();
  return server;
}

async function initialize(connection) {
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { diagnostic: {}, hover: {} }, workspace: { configuration: true } },
  });
  connection.sendNotification('initialized', {});
}

async function benchKeystroke() {
  const text = generateModelFile(3000);
  const lineCount = text.split('\n').length;
  const file = path.join(os.tmpdir(), 'symmetry-lint-bench-3000.ts');
  fs.writeFileSync(file, text);
  const uri = `file://${file}`;
  const { child, connection } = startServer();
  await initialize(connection);
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  const first = await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const diagnosticCount = first.items.length;

  // Edit inside a comment-free spot in the middle: a digit in a filter count, changed back and forth.
  const editOffset = text.indexOf('filters: 16', Math.floor(text.length / 2)) + 'filters: 1'.length;
  const before = text.slice(0, editOffset);
  const position = { line: before.split('\n').length - 1, character: editOffset - before.lastIndexOf('\n') - 1 };
  const project = new Project({ useInMemoryFileSystem: true });
  const morphFile = project.createSourceFile('bench.ts', text);
  let sf = ts.createSourceFile('bench.ts', text, ts.ScriptTarget.Latest, true);
  let current = text;
  const server = [], create = [], update = [], morph = [];
  // The server against TypeScript's own parse, interleaved. The naive ts-morph series runs in
  // a loop of its own: its garbage, collected on this process' background threads while the
  // server works, would otherwise be charged to the server on a 2-core machine.
  for (let i = 0; i < 41; i++) {
    const digit = i % 2 === 0 ? '7' : '6';
    const next = current.slice(0, editOffset) + digit + current.slice(editOffset + 1);
    // 1) the server: incremental change + fresh pull diagnostics, over LSP.
    let t = performance.now();
    connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: position, end: { line: position.line, character: position.character + 1 } }, text: digit }],
    });
    await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    server.push(performance.now() - t);
    // 2) TypeScript's own full parse of the same text.
    t = performance.now();
    ts.createSourceFile('bench.ts', next, ts.ScriptTarget.Latest, true);
    create.push(performance.now() - t);
    // 3) incremental parse only.
    t = performance.now();
    sf = ts.updateSourceFile(sf, next, { span: { start: editOffset, length: 1 }, newLength: 1 });
    update.push(performance.now() - t);
    current = next;
  }
  const morphCreate = [];
  for (let i = 0; i < 21; i++) {
    const digit = i % 2 === 0 ? '7' : '6';
    const next = current.slice(0, editOffset) + digit + current.slice(editOffset + 1);
    // 4) the naive ts-morph way: replace the text, then walk every call; beside a full parse.
    let t = performance.now();
    morphFile.replaceWithText(next);
    morphFile.getDescendantsOfKind(ts.SyntaxKind.CallExpression).length;
    morph.push(performance.now() - t);
    t = performance.now();
    ts.createSourceFile('bench.ts', next, ts.ScriptTarget.Latest, true);
    morphCreate.push(performance.now() - t);
    current = next;
  }
  // Drop the first iterations (JIT warm-up) for every series alike.
  const warm = (xs) => xs.slice(5);
  const result = {
    lineCount, diagnosticCount,
    server: median(warm(server)), create: median(warm(create)), update: median(warm(update)),
    morph: median(warm(morph)), morphCreate: median(warm(morphCreate)),
  };
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
  result.rssAfterKeystrokesMb = rssKb / 1024;
  await stopBenchServer({ child, connection });
  return result;
}

async function benchMemory() {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|cjs)$/.test(e.name)) files.push(p);
    }
  };
  walk(samplesDir);
  const open = files.sort().slice(0, 20);
  const { child, connection } = startServer();
  await initialize(connection);
  for (const file of open) {
    const uri = `file://${file}`;
    connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: file.endsWith('.ts') ? 'typescript' : 'javascript', version: 1, text: fs.readFileSync(file, 'utf8') },
    });
    await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  }
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  await stopBenchServer({ child, connection });
  return { openFiles: open.length, rssMb };
}

function benchCli() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-bench-200-'));
  const bodies = sampleBodies();
  for (let i = 0; i < 200; i++) {
    const body = bodies[i % bodies.length];
    fs.writeFileSync(path.join(dir, `model-${String(i).padStart(3, '0')}.ts`),
      "import * as tf from '@tensorflow/tfjs';\nimport * as sl from 'symmetry-lint-layers';\n" + body);
  }
  fs.writeFileSync(path.join(dir, 'eslint.config.mjs'),
    `import parser from ${JSON.stringify(require.resolve('@typescript-eslint/parser'))};\n` +
    "export default [{ files: ['**/*.ts'], languageOptions: { parser } }];\n");
  const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
  const timeRun = (args) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
    const ms = performance.now() - t;
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  const ours = [], eslint = [];
  for (let round = 0; round < 7; round++) {
    ours.push(timeRun([cliPath, 'check', '.', '--format', 'json']));
    eslint.push(timeRun([eslintBin, '.']));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { files: 200, ours: median(ours), eslint: median(eslint) };
}

async function main() {
  if (!fs.existsSync(serverPath)) spawnSync(process.execPath, [path.join(root, 'scripts/build.js')], { stdio: 'inherit' });
  const k = await benchKeystroke();
  const m = await benchMemory();
  const c = benchCli();
  const lines = [
    `Command: \`npm run bench\` (node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)})`,
    '',
    `### Keystroke: fresh pull diagnostics after a one-character edit (${k.lineCount}-line model file, ${k.diagnosticCount} diagnostics)`,
    '',
    '| what | median | ratio to createSourceFile |',
    '|---|---|---|',
    `| server: didChange + textDocument/diagnostic over LSP (stdio) | ${fmt(k.server)} | ${(k.server / k.create).toFixed(2)} |`,
    `| ts.createSourceFile of the same text | ${fmt(k.create)} | 1.00 |`,
    `| ts.updateSourceFile with the change range | ${fmt(k.update)} | ${(k.update / k.create).toFixed(2)} |`,
    `| ts-morph replaceWithText + walk of all calls (naive; own loop, beside a parse of ${fmt(k.morphCreate)}) | ${fmt(k.morph)} | ${(k.morph / k.morphCreate).toFixed(2)} |`,
    '',
    `Server RSS after the keystroke series: ${k.rssAfterKeystrokesMb.toFixed(0)} MB.`,
    '',
    '### CLI over a folder of 200 model files',
    '',
    '| what | median of 7 | ratio to ESLint |',
    '|---|---|---|',
    `| symmetry-lint check . --format json | ${fmt(c.ours)} | ${(c.ours / c.eslint).toFixed(2)} |`,
    `| eslint 9 + @typescript-eslint/parser, no rules | ${fmt(c.eslint)} | 1.00 |`,
    '',
    '### Memory',
    '',
    `Server RSS with ${m.openFiles} sample files open and analysed: ${m.rssMb.toFixed(0)} MB (limit 150 MB).`,
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
