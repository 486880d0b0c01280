#!/usr/bin/env node
// Server memory benchmark (issue 13, `npm run bench:memory`): the language server's resident set
// when idle, after opening the 3,000-line file of about 120 declared models that `npm run bench`
// uses, and after the same 41 on-type edits, with where it goes (V8's heap spaces, read inside
// the server through a preloaded reporter), and the first analysis' and the keystrokes' wall and
// CPU time (the server's user + system, all threads, from /proc: load disturbs it less). Static
// analysis only: the idle probe-worker warm-up is turned off (symmetryLint.probe.warmUp), unless
// --probe-warm-up.
// Options: --build <root> (measure another checkout's server/dist/server.js beside this one,
// alternating, same file), --rounds N (fresh servers per build, default 3), --edits N (on-type
// edits per server, default 41: V8 collects the old generation rarely, so a long series shows
// what garbage it lets build up; the peak resident set over the series is reported too),
// --probe-warm-up (the probe worker's idle warm-up on: after the edits the client stays idle for
// 4 s, long enough here for the server to start the worker, then types 60 more edits; the
// resident set then includes the worker). Prints Markdown.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const rpc = require('vscode-jsonrpc/node');
const { generateModelFile } = require('./benchModelFile');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const rounds = Number(option('--rounds', '3'));
const editCount = Math.max(6, Number(option('--edits', '41')));
const other = option('--build', undefined);
const probeWarmUp = args.includes('--probe-warm-up');
/** Idle time after the edits with --probe-warm-up: the server warms the probe worker when idle. */
const WARM_UP_IDLE_MS = 4000;
const EDITS_AFTER_WARM_UP = 60;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => bytes / 1048576;

/** Preloaded into the server: on SIGWINCH it writes its memory figures to the given file. */
const REPORTER = `
const v8 = require('node:v8');
const fs = require('node:fs');
process.on('SIGWINCH', () => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
  fs.writeFileSync(process.env.SYMMETRY_LINT_MEMORY_REPORT, JSON.stringify({ ...process.memoryUsage(), spaces }));
});
`;

/** CPU time (user + system, all threads) the process has used so far, in ms (/proc, 10 ms ticks). */
function cpuOf(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssOf(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
}

async function reportOf(child, file) {
  fs.rmSync(file, { force: true });
  child.kill('SIGWINCH');
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    if (fs.existsSync(file) && fs.statSync(file).size > 0) {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        // written but not complete yet
      }
    }
  }
}

async function measure(serverPath, text, dir) {
  const reporter = path.join(dir, 'reporter.js');
  const reportFile = path.join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const child = spawn(process.execPath, ['--require', reporter, serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, SYMMETRY_LINT_MEMORY_REPORT: reportFile } });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({ probe: { warmUp: probeWarmUp } })));
  connection.onNotification(() => {});
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {} }, workspace: { configuration: true } } });
  connection.sendNotification('initialized', {});
  const idle = rssOf(child.pid);
  const file = path.join(dir, 'bench-3000.ts');
  const uri = `file://${file}`;
  const openStarted = performance.now();
  const openCpu = cpuOf(child.pid);
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const open = { wall: performance.now() - openStarted, cpu: cpuOf(child.pid) - openCpu };
  const opened = rssOf(child.pid);
  const editOffset = text.indexOf('filters: 16', Math.floor(text.length / 2)) + 'filters: 1'.length;
  const before = text.slice(0, editOffset);
  const position = { line: before.split('\n').length - 1, character: editOffset - before.lastIndexOf('\n') - 1 };
  const keystrokes = [];
  let warmCpu = 0;
  let peak = opened;
  const type = async (i) => {
    const digit = i % 2 === 0 ? '7' : '6';
    const started = performance.now();
    connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: position, end: { line: position.line, character: position.character + 1 } }, text: digit }],
    });
    await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    peak = Math.max(peak, rssOf(child.pid));
    return performance.now() - started;
  };
  for (let i = 0; i < editCount; i++) {
    if (i === 5) warmCpu = cpuOf(child.pid);
    keystrokes.push(await type(i));
  }
  const editCpu = (cpuOf(child.pid) - warmCpu) / (editCount - 5);
  if (probeWarmUp) {
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_IDLE_MS));
    for (let i = editCount; i < editCount + EDITS_AFTER_WARM_UP; i++) await type(i);
  }
  const edited = rssOf(child.pid);
  const report = await reportOf(child, reportFile);
  child.kill();
  connection.dispose();
  fs.rmSync(reportFile, { force: true });
  return { idle, opened, edited, peak, open, editCpu, keystroke: median(keystrokes.slice(5)), report };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-memory-'));
  fs.writeFileSync(path.join(dir, 'reporter.js'), REPORTER);
  const text = generateModelFile(3000);
  fs.writeFileSync(path.join(dir, 'bench-3000.ts'), text);
  const builds = [{ name: 'this build', server: path.join(root, 'server/dist/server.js') }];
  if (other) builds.push({ name: `${other}`, server: path.join(other, 'server/dist/server.js') });
  const loadBefore = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  const results = builds.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < builds.length; k++) {
      const index = (round + k) % builds.length;
      results[index].push(await measure(builds[index].server, text, dir));
    }
  }
  const loadAfter = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  fs.rmSync(dir, { recursive: true, force: true });
  const lines = [
    `Command: \`npm run bench:memory${args.length ? ' -- ' + args.join(' ') : ''}\` (node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().replace(/\..*/, 'Z')}); load average ${loadBefore} before, ${loadAfter} after. ${text.split('\n').length}-line file, ${editCount} edits${probeWarmUp ? `, then ${WARM_UP_IDLE_MS / 1000} s idle (probe worker warm-up) and ${EDITS_AFTER_WARM_UP} more` : ''}, medians of ${rounds} fresh servers per build, alternating.`,
    '',
    '| build | RSS idle | RSS after open | RSS after the edits | peak RSS during the edits | first analysis: wall / CPU | median keystroke | CPU per edit | heap: new space | old space | large objects | code | heap used |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...builds.map((build, i) => {
      const r = results[i];
      const m = (pick) => median(r.map(pick));
      return `| ${build.name} | ${mb(m((x) => x.idle)).toFixed(0)} MB | ${mb(m((x) => x.opened)).toFixed(0)} MB | **${mb(m((x) => x.edited)).toFixed(0)} MB** | ${mb(m((x) => x.peak)).toFixed(0)} MB | ${m((x) => x.open.wall).toFixed(0)} / ${m((x) => x.open.cpu).toFixed(0)} ms | ${m((x) => x.keystroke).toFixed(0)} ms | ${m((x) => x.editCpu).toFixed(1)} ms | ${mb(m((x) => x.report.spaces.new_space)).toFixed(0)} MB | ${mb(m((x) => x.report.spaces.old_space)).toFixed(0)} MB | ${mb(m((x) => x.report.spaces.large_object_space)).toFixed(0)} MB | ${mb(m((x) => x.report.spaces.code_space)).toFixed(0)} MB | ${mb(m((x) => x.report.heapUsed)).toFixed(0)} MB |`;
    }),
  ];
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
