#!/usr/bin/env node
// `npm run bench:eslint`: what eslint-plugin-symmetry-lint adds to an ESLint run, for
// docs/benchmarks.md. The same ESLint on the same 200 model files (the samples in turn), once
// with the plugin's recommended config and once with the same parser and no rules, interleaved
// (the machine is shared and noisy), reported as medians and their ratio. The plugin is the
// built one (eslint-plugin/dist), as users load it. BENCH_ROUNDS sets the rounds (default 7).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const root = path.resolve(__dirname, '..');
const samplesDir = path.join(root, 'samples');
// BENCH_ESLINT_PLUGIN measures another build of the plugin (before and after a change).
const pluginPath = process.env.BENCH_ESLINT_PLUGIN ?? path.join(root, 'eslint-plugin', 'dist', 'index.js');
const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const FILES = 200;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** 200 model files from the samples, imports of helpers dropped so every file stands alone. */
function modelFolder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-eslint-bench-'));
  const bodies = fs
    .readdirSync(samplesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => fs.readFileSync(path.join(samplesDir, f), 'utf8').replace(/^import .*$/gm, ''));
  fs.mkdirSync(path.join(dir, 'models'));
  for (let i = 0; i < FILES; i++) {
    fs.writeFileSync(
      path.join(dir, 'models', `model-${String(i).padStart(4, '0')}.ts`),
      "import * as tf from '@tensorflow/tfjs';\nimport * as sl from 'symmetry-lint-layers';\n" + bodies[i % bodies.length],
    );
  }
  const parser = JSON.stringify(require.resolve('@typescript-eslint/parser'));
  fs.writeFileSync(path.join(dir, 'eslint.alone.mjs'), `import * as parser from ${parser};\nexport default [{ files: ['**/*.ts'], languageOptions: { parser } }];\n`);
  fs.writeFileSync(
    path.join(dir, 'eslint.plugin.mjs'),
    `import symmetryLint from ${JSON.stringify(pluginPath)};\nexport default [symmetryLint.configs.recommended];\n`,
  );
  return dir;
}

/**
 * Preloaded into each ESLint process: writes the process's own CPU time (user + system) to the
 * file SYMMETRY_LINT_CPU_FILE names when it exits. CPU time does not count the waits for a
 * core on a loaded machine, so its ratio is steadier than the wall clock's.
 */
function writeCpuReporter(dir) {
  const file = path.join(dir, 'reportCpu.cjs');
  fs.writeFileSync(
    file,
    "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.SYMMETRY_LINT_CPU_FILE, String((u.user + u.system) / 1000)); });\n",
  );
  return file;
}

function timeEslint(dir, config) {
  return new Promise((resolve, reject) => {
    const cpuFile = path.join(dir, 'cpu.txt');
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', path.join(dir, 'reportCpu.cjs'), eslintBin, '--no-config-lookup', '--config', config, 'models'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SYMMETRY_LINT_CPU_FILE: cpuFile },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => {
      const wall = performance.now() - started;
      // 1 means problems were found: the plugin finds the samples' on purpose.
      if (code !== 0 && code !== 1) reject(new Error(`eslint exited ${code}: ${stderr}`));
      else resolve({ wall, cpu: Number(fs.readFileSync(cpuFile, 'utf8')) });
    });
  });
}

async function main() {
  if (!fs.existsSync(pluginPath)) throw new Error('build first: node scripts/build.js');
  const dir = modelFolder();
  writeCpuReporter(dir);
  const alone = [];
  const withPlugin = [];
  // One untimed run of each warms the file cache.
  await timeEslint(dir, 'eslint.alone.mjs');
  await timeEslint(dir, 'eslint.plugin.mjs');
  for (let round = 0; round < rounds; round++) {
    alone.push(await timeEslint(dir, 'eslint.alone.mjs'));
    withPlugin.push(await timeEslint(dir, 'eslint.plugin.mjs'));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const row = (label, runs) =>
    `| ${label} | ${Math.round(median(runs.map((r) => r.wall)))} | ${Math.round(median(runs.map((r) => r.cpu)))} | ${runs.map((r) => Math.round(r.wall)).join(', ')} |`;
  const ratio = (key) => (median(withPlugin.map((r) => r[key])) / median(alone.map((r) => r[key]))).toFixed(2);
  console.log(`ESLint over ${FILES} model files, ${rounds} rounds interleaved, medians (${new Date().toISOString()}, ${os.cpus().length} cores, Node ${process.versions.node}):`);
  console.log('| run | wall (ms) | CPU (ms) | wall of each round (ms) |');
  console.log('|---|---|---|---|');
  console.log(row('ESLint + `@typescript-eslint/parser`, no rules', alone));
  console.log(row('ESLint + `symmetryLint.configs.recommended`', withPlugin));
  console.log(`Ratio, plugin over ESLint alone: wall ${ratio('wall')}, CPU ${ratio('cpu')}.`);
  console.log(`Load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}.`);
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
