#!/usr/bin/env node
// Benchmarks for docs/benchmarks.md (`npm run bench`). Each comparison runs side by side in
// one process, interleaved, and is reported as a ratio of medians, because this machine is
// noisy: absolute numbers vary from run to run, ratios much less.
// Options: --build <root> (another checkout's server/dist/server.js in the keystroke series,
// each edit sent to both servers in turn, for a before/after in one run), --only keystroke,
// --edits <n> (keystrokes per series, 41 by default; the first 5 are not counted), --edit
// digit|insert (a digit changed back and forth, the default; or a character typed and deleted,
// which moves everything after it), --no-settle (time each keystroke right after this process'
// garbage collection, as the bench did before 2026-12-02, while the collector's background
// threads still sweep beside the server being timed).
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
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const otherBuild = option('--build');
const only = option('--only');
const edits = Number(option('--edits') ?? 41);
const editKind = option('--edit') ?? 'digit';
if (editKind !== 'digit' && editKind !== 'insert') throw new Error(`--edit must be digit or insert, not ${editKind}`);
const settle = !args.includes('--no-settle');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

/**
 * A full collection of this process' heap, so its garbage is not collected on background threads
 * while a server is being timed. V8 exposes `gc` only under --expose-gc; the flag set at run
 * time takes effect in a new context.
 */
const collectGarbage = (() => {
  if (typeof global.gc === 'function') return global.gc;
  require('node:v8').setFlagsFromString('--expose-gc');
  return require('node:vm').runInNewContext('gc');
})();

/**
 * Waits until this process' own threads are idle: after a full collection V8 sweeps on background
 * threads, and on 2 cores that took a core from the server being timed (a median 6 ms of this
 * process' CPU inside each timed keystroke, against 1.6-1.8 ms, the reading of the answer, once
 * settled). Returns after a 5 ms sleep in which the process used under 1 ms of CPU, or after 100 ms.
 */
async function settleAfterCollection() {
  for (let tries = 0; tries < 20; tries++) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const used = process.cpuUsage(before);
    if ((used.user + used.system) / 1000 < 1) return;
  }
}

/** CPU time (user + system, all threads) the process has used so far, in ms (/proc, 10 ms ticks). */
function cpuMsOf(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

function startServer(server_ = serverPath) {
  // Static analysis only: no idle probe-worker warm-up (its tfjs would count in the RSS figures).
  const server = startBenchServer(server_, { probe: { warmUp: false } });
  server.models = 0;
  server.connection.onNotification('symmetryLint/status', (status) => {
    server.models = status.models;
  });
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

/** Diagnostics as JSON without what differs between builds of the same findings. */
function comparable(items, buildRoot) {
  const withoutVersion = items.map(({ data, ...rest }) => {
    if (!data) return rest;
    const { version, ...kept } = data;
    return { ...rest, data: kept };
  });
  return JSON.stringify(withoutVersion).replaceAll(buildRoot, '');
}

async function benchKeystroke() {
  const text = generateModelFile(3000);
  const lineCount = text.split('\n').length;
  const file = path.join(os.tmpdir(), 'symmetry-lint-bench-3000.ts');
  fs.writeFileSync(file, text);
  const uri = `file://${file}`;
  // This build's server, and with --build the other one, each edit sent to one then the other.
  const servers = [startServer(), ...(otherBuild ? [startServer(path.join(path.resolve(otherBuild), 'server', 'dist', 'server.js'))] : [])];
  const diagnostics = [];
  for (const { connection } of servers) {
    await initialize(connection);
    connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    diagnostics.push((await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })).items);
  }
  const { child, connection } = servers[0];
  const diagnosticCount = diagnostics[0].length;

  // Edit inside a comment-free spot in the middle: a digit in a filter count, changed back and forth.
  const editOffset = text.indexOf('filters: 16', Math.floor(text.length / 2)) + 'filters: 1'.length;
  const before = text.slice(0, editOffset);
  const position = { line: before.split('\n').length - 1, character: editOffset - before.lastIndexOf('\n') - 1 };
  /** The i-th keystroke: the digit changed, or (--edit insert) a '1' typed there and deleted by the next. */
  const keystroke = (i) => {
    const typed = editKind === 'digit' ? (i % 2 === 0 ? '7' : '6') : i % 2 === 0 ? '1' : '';
    const replaced = editKind === 'digit' || i % 2 === 1 ? 1 : 0;
    return {
      typed,
      replaced,
      apply: (source) => source.slice(0, editOffset) + typed + source.slice(editOffset + replaced),
      change: { range: { start: position, end: { line: position.line, character: position.character + replaced } }, text: typed },
    };
  };
  const project = new Project({ useInMemoryFileSystem: true });
  const morphFile = project.createSourceFile('bench.ts', text);
  let sf = ts.createSourceFile('bench.ts', text, ts.ScriptTarget.Latest, true);
  let current = text;
  const server = [], other = [], create = [], update = [], morph = [];
  const cpuStarted = servers.map(() => 0);
  let createCpu = 0;
  const last = [];
  // The server against TypeScript's own parse, interleaved. The naive ts-morph series runs in
  // a loop of its own: its garbage, collected on this process' background threads while the
  // server works, would otherwise be charged to the server on a 2-core machine.
  for (let i = 0; i < edits; i++) {
    const key = keystroke(i);
    const next = key.apply(current);
    // CPU time is counted over the warm iterations only (see `warm` below).
    if (i === 5) servers.forEach((s, k) => (cpuStarted[k] = cpuMsOf(s.child.pid)));
    // 1) the server (and the other build's): incremental change + fresh pull diagnostics, over LSP.
    let t;
    // This process' garbage (the parses below) is collected now, not on its background threads
    // while a server works; and the servers take turns going first, since on 2 cores whichever
    // goes first shares them with whatever this process left running.
    collectGarbage();
    if (settle) await settleAfterCollection();
    const order = i % 2 === 0 ? servers.map((_, k) => k) : servers.map((_, k) => k).reverse();
    for (const k of order) {
      t = performance.now();
      servers[k].connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: i + 2 },
        contentChanges: [key.change],
      });
      last[k] = (await servers[k].connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })).items;
      (k === 0 ? server : other).push(performance.now() - t);
    }
    // 2) TypeScript's own full parse of the same text.
    const cpu = process.cpuUsage();
    t = performance.now();
    ts.createSourceFile('bench.ts', next, ts.ScriptTarget.Latest, true);
    create.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    if (i >= 5) createCpu += (used.user + used.system) / 1000;
    // 3) incremental parse only.
    t = performance.now();
    sf = ts.updateSourceFile(sf, next, { span: { start: editOffset, length: key.replaced }, newLength: key.typed.length });
    update.push(performance.now() - t);
    current = next;
  }
  const morphCreate = [];
  for (let i = 0; i < 21; i++) {
    const next = keystroke(i).apply(current);
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
  const warmEdits = edits - 5;
  const cpuPerEdit = servers.map((s, k) => (cpuMsOf(s.child.pid) - cpuStarted[k]) / warmEdits);
  // The same edits again, the client sending back the resultId of its last answer as VS Code
  // does (previousResultId): a server may then answer `unchanged` instead of every item.
  const withPrevious = servers.map(() => ({ wall: [], unchanged: 0, cpuStarted: 0, resultId: undefined }));
  for (let i = 0; i < edits; i++) {
    const key = keystroke(i);
    if (i === 5) servers.forEach((s, k) => (withPrevious[k].cpuStarted = cpuMsOf(s.child.pid)));
    collectGarbage();
    if (settle) await settleAfterCollection();
    const order = i % 2 === 0 ? servers.map((_, k) => k) : servers.map((_, k) => k).reverse();
    for (const k of order) {
      const series = withPrevious[k];
      const t = performance.now();
      servers[k].connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: edits + i + 2 },
        contentChanges: [key.change],
      });
      const report = await servers[k].connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: series.resultId });
      series.wall.push(performance.now() - t);
      if (report.kind === 'unchanged' && i >= 5) series.unchanged++;
      series.resultId = report.resultId;
    }
  }
  const previousRows = withPrevious.map((series, k) => ({
    wall: median(warm(series.wall)),
    cpu: (cpuMsOf(servers[k].child.pid) - series.cpuStarted) / warmEdits,
    unchanged: series.unchanged,
  }));
  const result = {
    lineCount, diagnosticCount, models: servers[0].models,
    server: median(warm(server)), create: median(warm(create)), update: median(warm(update)),
    morph: median(warm(morph)), morphCreate: median(warm(morphCreate)),
    serverCpu: cpuPerEdit[0], createCpu: createCpu / warmEdits,
    withPrevious: previousRows[0], warmEdits,
  };
  const rssMbOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  result.rssAfterKeystrokesMb = rssMbOf(child.pid);
  if (otherBuild) {
    result.other = {
      server: median(warm(other)), serverCpu: cpuPerEdit[1], models: servers[1].models, rssAfterKeystrokesMb: rssMbOf(servers[1].child.pid),
      diagnosticCount: diagnostics[1].length, withPrevious: previousRows[1],
      // Same findings in the same places (the docs link holds each build's own path; builds
      // before h/kslsp also put the document version in `data`).
      sameDiagnostics: [diagnostics, last].every((pair) => comparable(pair[0], root) === comparable(pair[1], path.resolve(otherBuild))),
    };
  }
  for (const s of servers) await stopBenchServer(s);
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
  const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  const loadBefore = load();
  const k = await benchKeystroke();
  const loadAfterKeystrokes = load();
  const cpuRow = (name, wall, cpu) => `| ${name} | ${fmt(wall)} | ${(wall / k.create).toFixed(2)} | ${fmt(cpu)} | ${(cpu / k.createCpu).toFixed(2)} |`;
  const keystrokeLines = [
    `Command: \`npm run bench${args.length ? ' -- ' + args.join(' ') : ''}\` (node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().replace(/\..*/, 'Z')}); load average ${loadBefore} before, ${loadAfterKeystrokes} after the keystroke series`,
    '',
    `### Keystroke: fresh pull diagnostics after a one-character edit${editKind === 'insert' ? ' (a character typed, then deleted)' : ''} (${k.lineCount}-line model file, ${k.models} models, ${k.diagnosticCount} diagnostics)`,
    '',
    `Medians of ${k.warmEdits} warm edits (wall clock), and CPU time per edit (all threads of the process: the server\'s, or this process\' during the parse), which the machine\'s load disturbs less.`,
    '',
    '| what | median | ratio to createSourceFile | CPU per edit | CPU ratio |',
    '|---|---|---|---|---|',
    cpuRow('server: didChange + textDocument/diagnostic over LSP (stdio)', k.server, k.serverCpu),
    ...(k.other ? [cpuRow(`the same, server of ${otherBuild} (${k.other.models} models, ${k.other.diagnosticCount} diagnostics, ${k.other.sameDiagnostics ? 'the same diagnostics' : '**other diagnostics**'})`, k.other.server, k.other.serverCpu)] : []),
    `| ts.createSourceFile of the same text | ${fmt(k.create)} | 1.00 | ${fmt(k.createCpu)} | 1.00 |`,
    cpuRow(`the same edits, the client sending previousResultId as VS Code does (${k.withPrevious.unchanged} of ${k.warmEdits} answers \`unchanged\`)`, k.withPrevious.wall, k.withPrevious.cpu),
    ...(k.other ? [cpuRow(`the same, server of ${otherBuild} (${k.other.withPrevious.unchanged} of ${k.warmEdits} \`unchanged\`)`, k.other.withPrevious.wall, k.other.withPrevious.cpu)] : []),
  ];
  if (only === 'keystroke') {
    keystrokeLines.push('', `Server RSS after the keystroke series: ${k.rssAfterKeystrokesMb.toFixed(0)} MB${k.other ? ` (${otherBuild}: ${k.other.rssAfterKeystrokesMb.toFixed(0)} MB)` : ''}.`);
    console.log(keystrokeLines.join('\n'));
    return;
  }
  const m = await benchMemory();
  const c = benchCli();
  const lines = [
    ...keystrokeLines,
    `| ts.updateSourceFile with the change range | ${fmt(k.update)} | ${(k.update / k.create).toFixed(2)} | | |`,
    `| ts-morph replaceWithText + walk of all calls (naive; own loop, beside a parse of ${fmt(k.morphCreate)}) | ${fmt(k.morph)} | ${(k.morph / k.morphCreate).toFixed(2)} | | |`,
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
