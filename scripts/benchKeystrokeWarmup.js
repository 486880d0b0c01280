#!/usr/bin/env node
// Keystroke cost early and late in a typing session (issues 11 and 13): the language server
// opens the 3,021-line bench file, then takes `--warm` edits unmeasured and `--edits` measured
// (the bench's digit swap, each edit followed at once by a fresh pull, no pause between edits).
// Prints the median round trip and the CPU per edit of each of the server's threads (main
// thread first; the others are V8's compiler and GC helpers), read from /proc/<pid>/task.
// Run it with `--warm 5` (the default bench's start) and with `--warm 300` to see what the JIT
// costs in the first edits after a file opens. Linux only.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { generateModelFile } = require('./benchModelFile');
const { startBenchServer, stopBenchServer } = require('./benchLspServer');

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const warmEdits = option('--warm', 5);
const measuredEdits = option('--edits', 36);
const serverPath = path.resolve(args.includes('--build') ? path.join(args[args.indexOf('--build') + 1], 'server/dist/server.js') : path.join(__dirname, '..', 'server/dist/server.js'));

/** CPU milliseconds of each thread of `pid`, by thread id, with the main thread's id first. */
function threadCpu(pid) {
  const ticks = 1000 / 100; // USER_HZ is 100 on Linux
  const byThread = new Map();
  for (const id of fs.readdirSync(`/proc/${pid}/task`).sort((a, b) => Number(a) - Number(b))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byThread.set(id, (Number(fields[11]) + Number(fields[12])) * ticks);
    } catch {
      // the thread ended
    }
  }
  return byThread;
}

async function main() {
  const text = generateModelFile(3000);
  const file = path.join(os.tmpdir(), 'symmetry-lint-bench-warmup.ts');
  fs.writeFileSync(file, text);
  const uri = `file://${file}`;
  const server = startBenchServer(serverPath, { probe: { warmUp: false } });
  const { connection, child } = server;
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {} }, workspace: { configuration: true } } });
  connection.sendNotification('initialized', {});
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const offset = text.indexOf('filters: 16', Math.floor(text.length / 2)) + 'filters: 1'.length;
  const before = text.slice(0, offset);
  const at = { line: before.split('\n').length - 1, character: offset - before.lastIndexOf('\n') - 1 };
  let version = 1;
  const edit = async (index) => {
    connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: index % 2 === 0 ? '7' : '6' }],
    });
    await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  };
  for (let i = 0; i < warmEdits; i++) await edit(i);
  const cpuBefore = threadCpu(child.pid);
  const walls = [];
  for (let i = 0; i < measuredEdits; i++) {
    const started = performance.now();
    await edit(warmEdits + i);
    walls.push(performance.now() - started);
  }
  const cpuAfter = threadCpu(child.pid);
  await stopBenchServer(server);
  walls.sort((a, b) => a - b);
  const perThread = [...cpuAfter].map(([id, ms]) => (ms - (cpuBefore.get(id) ?? 0)) / measuredEdits);
  const [mainThread, ...helpers] = perThread;
  console.log(`Command: \`node scripts/benchKeystrokeWarmup.js ${args.join(' ')}\` (node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().replace(/\..*/, 'Z')}, load ${os.loadavg()[0].toFixed(1)})`);
  console.log(`${warmEdits} edits unmeasured, then ${measuredEdits}: median round trip ${walls[walls.length >> 1].toFixed(1)} ms; CPU per edit: main thread ${mainThread.toFixed(1)} ms, other threads ${helpers.reduce((a, b) => a + b, 0).toFixed(1)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
