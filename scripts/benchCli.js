#!/usr/bin/env node
// `npm run bench:cli`: the CLI at scale, for docs/benchmarks.md. Each comparison runs side by
// side, interleaved, and is reported as a ratio of medians (the machine is shared and noisy):
//   - 2,000 model files, `--concurrency 2` on both sides, against ESLint with the
//     typescript-eslint parser and no rules; with the peak resident set of each run;
//   - 200 model files on one thread, against the same ESLint on one thread;
//   - one file of 375, 750 and 1,500 small models: how a file's cost grows with its models.
// BENCH_ROUNDS sets the rounds (default 5).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const root = path.resolve(__dirname, '..');
const samplesDir = path.join(root, 'samples');
const cliPath = process.env.BENCH_CLI ?? path.join(root, 'server', 'bin', 'symmetry-lint.js');
const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

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

/** Runs node with `args` in `cwd`; wall time and the peak resident set (VmHWM, threads included). */
function timeRun(args, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const poll = setInterval(() => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // Gone between polls.
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(poll);
      const wall = performance.now() - started;
      if (code !== 0 && code !== 1) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ wall, rssMb: peakKb / 1024 });
    });
  });
}

async function compare(count, ourArgs, eslintArgs) {
  const dir = modelFolder(count);
  const ours = [], eslint = [];
  try {
    for (let round = 0; round < rounds; round++) {
      ours.push(await timeRun([cliPath, 'check', '.', '--format', 'json', ...ourArgs], dir));
      eslint.push(await timeRun([eslintBin, '.', ...eslintArgs], dir));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    ours: median(ours.map((r) => r.wall)),
    eslint: median(eslint.map((r) => r.wall)),
    oursRss: median(ours.map((r) => r.rssMb)),
    eslintRss: median(eslint.map((r) => r.rssMb)),
  };
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
    `Command: \`npm run bench:cli\` (${rounds} rounds; node ${process.version}, ${os.cpus().length} cores, load average ${load} at start, ${new Date().toISOString().slice(0, 16)} UTC)`,
  ];
  if (!only || only === '2000') {
    const big = await compare(2000, ['--concurrency', '2'], ['--concurrency', '2']);
    lines.push('', '### 2,000 model files, `--concurrency 2` on both sides', '',
      '| what | median | ratio to ESLint | peak RSS (median) |', '|---|---|---|---|',
      `| symmetry-lint check . --format json --concurrency 2 | ${ms(big.ours)} | ${(big.ours / big.eslint).toFixed(2)} | ${big.oursRss.toFixed(0)} MB |`,
      `| eslint . --concurrency 2 (@typescript-eslint/parser, no rules) | ${ms(big.eslint)} | 1.00 | ${big.eslintRss.toFixed(0)} MB |`);
  }
  if (!only || only === '200') {
    const small = await compare(200, [], []);
    lines.push('', '### 200 model files, one thread', '',
      '| what | median | ratio to ESLint |', '|---|---|---|',
      `| symmetry-lint check . --format json | ${ms(small.ours)} | ${(small.ours / small.eslint).toFixed(2)} |`,
      `| eslint . (@typescript-eslint/parser, no rules) | ${ms(small.eslint)} | 1.00 |`);
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
