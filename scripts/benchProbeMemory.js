#!/usr/bin/env node
// `check --probe` memory over growing runs (issue 13: memory must not grow with the number of
// files): the samples copied 1, 4 and 16 times into a scratch folder, each run's peak resident
// set (VmHWM of the whole process, tfjs worker included) and CPU time, and whether the outputs of
// the builds compared are the same. Also the cost of replacing the probe worker (ProbeHost's
// wasm-heap limit): the cold start of a fresh worker, median of a few.
// Options: --build <root> (another checkout's server/bin/symmetry-lint.js, alternating),
// --copies 1,4,16, --rounds N (runs per build and size, default 1). Prints Markdown.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const other = option('--build', undefined);
const copies = option('--copies', '1,4,16').split(',').map(Number);
const rounds = Number(option('--rounds', '1'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function procStatus(pid, field) {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return undefined;
  }
}

function cpuOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** One `check --probe --format json` run: its peak RSS (polled until exit), CPU and output. */
function runCheck(cli, folder) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'check', folder, '--probe', '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    let peak = 0;
    let cpu = 0;
    const started = performance.now();
    const poll = setInterval(() => {
      peak = Math.max(peak, procStatus(child.pid, 'VmHWM') ?? 0);
      cpu = Math.max(cpu, cpuOf(child.pid) ?? 0);
    }, 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0 && code !== 1) reject(new Error(`check exited ${code}: ${Buffer.concat(err).toString().slice(0, 500)}`));
      else resolve({ peak, cpu, wall: performance.now() - started, output: Buffer.concat(out).toString() });
    });
  });
}

/** Cold start of a fresh probe worker (what a replacement costs), in this process. */
async function workerStarts() {
  require('tsx/cjs/api').register();
  const { ProbeHost } = require(path.join(root, 'server/src/probe/probeHost.ts'));
  const times = [];
  for (let i = 0; i < 3; i++) {
    const host = new ProbeHost();
    times.push((await host.warmUp()).startMs);
    await host.dispose();
  }
  return times;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-probe-memory-'));
  const builds = [{ name: 'this build', cli: path.join(root, 'server/bin/symmetry-lint.js') }];
  if (other) builds.push({ name: other, cli: path.join(other, 'server/bin/symmetry-lint.js') });
  const loadBefore = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  const rows = [];
  let sameOutputs = true;
  for (const count of copies) {
    const folder = path.join(dir, `x${count}`);
    for (let i = 0; i < count; i++) fs.cpSync(path.join(root, 'samples'), path.join(folder, `copy${i}`), { recursive: true });
    const files = fs.readdirSync(folder, { recursive: true }).filter((name) => /\.(ts|js|mjs)$/.test(name)).length;
    const results = builds.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < builds.length; k++) {
        const index = (round + k) % builds.length;
        results[index].push(await runCheck(builds[index].cli, folder));
      }
    }
    // The JSON output names the checkout's rule pages; compare without them.
    const outputs = results.map((r) => r[0].output.replace(/"[^"]*docs\/rules\/[^"]*"/g, '""'));
    if (outputs.some((output) => output !== outputs[0])) sameOutputs = false;
    rows.push({ files, results });
  }
  const starts = await workerStarts();
  const loadAfter = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  fs.rmSync(dir, { recursive: true, force: true });
  const mb = (bytes) => (bytes / 1048576).toFixed(0);
  console.log(
    [
      `Command: \`node scripts/benchProbeMemory.js${args.length ? ' ' + args.join(' ') : ''}\` (node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().replace(/\..*/, 'Z')}); load average ${loadBefore} before, ${loadAfter} after. \`check <folder> --probe --format json\`, the samples copied into the folder; medians of ${rounds} run(s) per build and size, alternating.`,
      '',
      `| files | ${builds.map((b) => `${b.name}: peak RSS / CPU`).join(' | ')} |`,
      `|---|${builds.map(() => '---|').join('')}`,
      ...rows.map(({ files, results }) => `| ${files} | ${results.map((r) => `${mb(median(r.map((x) => x.peak)))} MB / ${(median(r.map((x) => x.cpu)) / 1000).toFixed(1)} s`).join(' | ')} |`),
      '',
      `Outputs of the builds: ${builds.length < 2 ? 'one build' : sameOutputs ? 'the same' : '**different**'}. A fresh probe worker's cold start (a replacement's cost): ${starts.map((t) => `${t.toFixed(0)} ms`).join(', ')}.`,
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
