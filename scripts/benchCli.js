#!/usr/bin/env node
// `npm run bench:cli`: the CLI at scale, for docs/benchmarks.md. Each comparison runs side by
// side, interleaved, and is reported as a ratio of medians (the machine is shared and noisy):
//   - 2,000 model files, `--concurrency 2` on both sides, against ESLint with the
//     typescript-eslint parser and no rules; with the peak resident set of each run;
//   - 200 model files on one thread, against the same ESLint on one thread;
//   - one file of 375, 750 and 1,500 small models: how a file's cost grows with its models.
// BENCH_ROUNDS sets the rounds (default 5). BENCH_BASELINES="label=path/to/symmetry-lint.js,..."
// adds other builds of the CLI (a commit before a change, a variant) to the same rounds, each
// round running every command in a rotating order, so before and after share the machine's load.
// Each run's CPU time (user + system, all threads) is reported beside its wall time: waiting
// for a core on a loaded machine inflates the wall time, not the CPU time.
// The CLI keeps a V8 code cache of TypeScript (server/src/cli/codeCache.ts) in the user's cache
// folder, warm after the first run. BENCH_COLD_CACHE=1 adds this tree with an empty cache folder
// for every run, as on a CI machine that keeps no cache between jobs.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const root = path.resolve(__dirname, '..');
const samplesDir = path.join(root, 'samples');
const cliPath = path.resolve(process.env.BENCH_CLI ?? path.join(root, 'server', 'bin', 'symmetry-lint.js'));
const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
/** The CLI builds to time: this tree's first, then BENCH_BASELINES in their order. */
const clis = [
  { label: 'this tree', path: cliPath },
  ...(process.env.BENCH_BASELINES ?? '')
    .split(',')
    .filter((entry) => entry.includes('='))
    .map((entry) => ({ label: entry.slice(0, entry.indexOf('=')), path: path.resolve(entry.slice(entry.indexOf('=') + 1)) })),
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (value) => `${Math.round(value)} ms`;

function sampleBodies() {
  return fs
    .readdirSync(samplesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => fs.readFileSync(path.join(samplesDir, f), 'utf8').replace(/^import .*$/gm, ''));
}

/** A folder of `count` model files (the samples in turn) with an ESLint config beside them. */
function modelFolder(count) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `symmetry-lint-bench-${count}-`));
  const bodies = sampleBodies();
  for (let i = 0; i < count; i++) {
    fs.writeFileSync(path.join(dir, `model-${String(i).padStart(4, '0')}.ts`),
      "import * as tf from '@tensorflow/tfjs';\nimport * as sl from 'symmetry-lint-layers';\n" + bodies[i % bodies.length]);
  }
  fs.writeFileSync(path.join(dir, 'eslint.config.mjs'),
    `import parser from ${JSON.stringify(require.resolve('@typescript-eslint/parser'))};\n` +
    "export default [{ files: ['**/*.ts'], languageOptions: { parser } }];\n");
  return dir;
}

/** One file of `count` small declared models (a conv, a pool, a dense each). */
function manyModelsFile(count) {
  let text = "import * as tf from '@tensorflow/tfjs';\n";
  for (let i = 0; i < count; i++) {
    text += `
/** @symmetry invariant translation */
export function buildModel${i}() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}
`;
  }
  return text;
}

/**
 * Runs node with `args` in `cwd` under GNU time: wall time, CPU time (user + system, every
 * thread) and the peak resident set.
 */
function timeRun(args, cwd, { coldCache = false } = {}) {
  const cacheDir = coldCache ? fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-bench-cache-')) : undefined;
  const env = cacheDir ? { ...process.env, SYMMETRY_LINT_CODE_CACHE: cacheDir } : process.env;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'BENCH %U %S %M', process.execPath, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let outputBytes = 0;
    child.stdout.on('data', (chunk) => (outputBytes += chunk.length));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => {
      const wall = performance.now() - started;
      if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
      const measured = /BENCH (\S+) (\S+) (\d+)\s*$/.exec(stderr);
      // Exit 1 is "an error finding" for both tools, but also node's for a missing module: a
      // run that printed nothing did not lint anything.
      const failed = (code !== 0 && code !== 1) || !measured || (outputBytes === 0 && args.includes('check'));
      if (failed) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ wall, cpu: (Number(measured[1]) + Number(measured[2])) * 1000, rssMb: Number(measured[3]) / 1024 });
    });
  });
}

/** Every CLI build and ESLint over the same folder, in a rotating order per round; medians. */
async function compare(count, ourArgs, eslintArgs) {
  const dir = modelFolder(count);
  const commands = [
    ...clis.map((cli) => ({ label: cli.label, args: [cli.path, 'check', '.', '--format', 'json', ...ourArgs], runs: [] })),
    ...(process.env.BENCH_COLD_CACHE === '1'
      ? [{ label: 'this tree, cold code cache', args: [cliPath, 'check', '.', '--format', 'json', ...ourArgs], coldCache: true, runs: [] }]
      : []),
    { label: 'eslint', args: [eslintBin, '.', ...eslintArgs], runs: [] },
  ];
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < commands.length; i++) {
        const command = commands[(round + i) % commands.length];
        command.runs.push(await timeRun(command.args, dir, { coldCache: command.coldCache }));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const eslint = commands[commands.length - 1];
  const eslintWall = median(eslint.runs.map((r) => r.wall));
  const eslintCpu = median(eslint.runs.map((r) => r.cpu));
  return commands.map((command) => ({
    label: command.label,
    wall: median(command.runs.map((r) => r.wall)),
    cpu: median(command.runs.map((r) => r.cpu)),
    rssMb: median(command.runs.map((r) => r.rssMb)),
    // The median of the per-round ratios: each round's pair ran under the same load.
    wallRatio: median(command.runs.map((r, i) => r.wall / eslint.runs[i].wall)),
    cpuRatio: median(command.runs.map((r, i) => r.cpu / eslint.runs[i].cpu)),
    ofMedians: median(command.runs.map((r) => r.wall)) / eslintWall,
    cpuOfMedians: median(command.runs.map((r) => r.cpu)) / eslintCpu,
  }));
}

function comparisonTable(rows, ourCommand, eslintCommand) {
  return [
    '| what | wall (median) | CPU (median) | ratio to ESLint, wall (median of rounds) | ratio, CPU | peak RSS (median) |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) =>
      `| ${row.label === 'eslint' ? eslintCommand : `${ourCommand} (${row.label})`} | ${ms(row.wall)} | ${ms(row.cpu)} | ${row.wallRatio.toFixed(2)} | ${row.cpuRatio.toFixed(2)} | ${row.rssMb.toFixed(0)} MB |`),
  ];
}

async function modelCurve() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-bench-models-'));
  const rows = [];
  try {
    for (const count of [375, 750, 1500]) {
      fs.writeFileSync(path.join(dir, `models-${count}.ts`), manyModelsFile(count));
    }
    const times = { 375: [], 750: [], 1500: [] };
    for (let round = 0; round < Math.min(rounds, 3); round++) {
      for (const count of [375, 750, 1500]) times[count].push((await timeRun([cliPath, 'check', `models-${count}.ts`, '--format', 'json'], dir)).wall);
    }
    for (const count of [375, 750, 1500]) rows.push({ count, wall: median(times[count]) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const load = os.loadavg().map((x) => x.toFixed(1)).join(', ');
  const only = process.env.BENCH_ONLY;
  const lines = [
    `Command: \`npm run bench:cli\` (${rounds} rounds, builds: ${clis.map((cli) => cli.label).join(', ')}; node ${process.version}, ${os.cpus().length} cores, load average ${load} at start, ${new Date().toISOString().slice(0, 16)} UTC)`,
  ];
  if (!only || only === '2000') {
    const big = await compare(2000, ['--concurrency', '2'], ['--concurrency', '2']);
    lines.push('', '### 2,000 model files, `--concurrency 2` on both sides', '',
      ...comparisonTable(big, '`check . --format json --concurrency 2`', '`eslint . --concurrency 2` (@typescript-eslint/parser, no rules)'));
  }
  if (!only || only === '200') {
    const small = await compare(200, [], []);
    lines.push('', '### 200 model files, one thread', '',
      ...comparisonTable(small, '`check . --format json`', '`eslint .` (@typescript-eslint/parser, no rules)'));
  }
  if (!only || only === 'models') {
    const curve = await modelCurve();
    lines.push('', '### One file of many small models', '', '| models | median | per model | ratio to 375 |', '|---|---|---|---|',
      ...curve.map((row) => `| ${row.count} | ${ms(row.wall)} | ${(row.wall / row.count).toFixed(1)} ms | ${(row.wall / curve[0].wall).toFixed(2)} |`));
  }
  lines.push('', `Load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}.`);
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
