#!/usr/bin/env node
// Probe start-up benchmark (issue 13, `npm run bench:probe-startup`): what a user waits for the
// first time a probe runs, whole process, as they run it.
//  1. CLI: `node -e 0`, `check`, `check --probe`, and a plain node script that does the least a
//     probe needs (load tfjs with the wasm backend, build the same 64x64x3 CNN, predict the 16
//     inputs of rotation90's 4 elements x 4 in one batch), interleaved round by round in a
//     rotating order. The probe's cost is `check --probe` - `check`; its floor is the plain
//     script - `node -e 0`; the ratio of the two is taken per round, then its median.
//  2. Editor: the first "Probe Model at Cursor" (symmetryLint/probe at the model) over LSP,
//     from the request to the answer: with the worker cold (symmetryLint.probe.warmUp off, the
//     request sent as soon as the first diagnostics are in), after the idle warm-up, and a
//     second probe on the warm worker.
// Options: --rounds N (default 7), --lsp-rounds N (default 5), --baseline <symmetry-lint.js>
// (another build's CLI, measured in the same rounds), --skip-lsp. Prints Markdown.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { startBenchServer, stopBenchServer } = require('./benchLspServer');

const root = path.resolve(__dirname, '..');
const cliPath = path.join(root, 'server', 'bin', 'symmetry-lint.js');
const serverPath = path.join(root, 'server', 'dist', 'server.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const rounds = Number(option('--rounds', '7'));
const lspRounds = Number(option('--lsp-rounds', '5'));
const baseline = option('--baseline', undefined);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' / ');

/** The model: 64x64x3, four 3x3 convolutions with pooling, invariant under quarter turns. */
const LAYERS = `[
      tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 10 }),
    ]`;

const MODEL_FILE = `import * as tf from '@tensorflow/tfjs';

/**
 * An image classifier whose label should not change when the picture turns a quarter.
 * @symmetry invariant rotation90
 */
export function buildQuarterTurnClassifier() {
  return tf.sequential({
    layers: ${LAYERS},
  });
}
`;
const MODEL_LINE = 7;

/** The least a probe needs, in plain node: no analysis, no worker, no measurement. */
function floorScript() {
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  return `'use strict';
const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});
const wasm = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-backend-wasm'))});
wasm.setWasmPaths(${JSON.stringify(wasmDir + path.sep)});
(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const model = tf.sequential({
    layers: ${LAYERS},
  });
  const x = tf.randomNormal([16, 64, 64, 3]);
  const y = model.predict(x);
  y.dataSync();
})();
`;
}

function timeRun(command, cwd) {
  const started = performance.now();
  const run = spawnSync(process.execPath, command, { cwd, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${command.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { ms, stdout: run.stdout };
}

function benchCli(dir) {
  const commands = {
    nodeFloor: ['-e', '0'],
    minimalProbe: [path.join(dir, 'floor.js')],
    check: [cliPath, 'check', 'model.ts'],
    checkProbe: [cliPath, 'check', '--probe', 'model.ts'],
    ...(baseline ? { baselineCheck: [baseline, 'check', 'model.ts'], baselineCheckProbe: [baseline, 'check', '--probe', 'model.ts'] } : {}),
  };
  const names = Object.keys(commands);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  // The probe must have run: a check --probe that measured nothing would look fast.
  const probed = timeRun(commands.checkProbe, dir).stdout;
  if (!/probe-violation/.test(probed)) throw new Error(`check --probe did not report the probe:\n${probed}`);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order, so that no command always runs first after a quiet spell.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      samples[name].push(timeRun(commands[name], dir).ms);
    }
  }
  const perRound = (probe, check) => samples[probe].map((ms, i) => (ms - samples[check][i]) / (samples.minimalProbe[i] - samples.nodeFloor[i]));
  return {
    medians: Object.fromEntries(names.map((name) => [name, median(samples[name])])),
    ratio: median(perRound('checkProbe', 'check')),
    ...(baseline ? { baselineRatio: median(perRound('baselineCheckProbe', 'baselineCheck')) } : {}),
  };
}

function startServer(probeSettings) {
  const { child, connection } = startBenchServer(serverPath, { probe: probeSettings }, { stderr: 'ignore' });
  const logs = [];
  let onLog = () => {};
  connection.onNotification('window/logMessage', ({ message }) => {
    logs.push(message);
    onLog(message);
  });
  connection.onNotification(() => {});
  connection.listen();
  const logged = (pattern) =>
    logs.some((line) => pattern.test(line))
      ? Promise.resolve()
      : new Promise((resolve) => {
          onLog = (line) => {
            if (pattern.test(line)) resolve();
          };
        });
  return { child, connection, logged };
}

/** One server: open the model, pull diagnostics, then probe the model at the cursor (twice). */
async function firstProbe(file, warmUp) {
  const server = startServer({ warmUp });
  const { connection } = server;
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {} }, workspace: { configuration: true } } });
  connection.sendNotification('initialized', {});
  const uri = `file://${file}`;
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: MODEL_FILE } });
  await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  if (warmUp) await server.logged(/probe worker ready in/);
  const probe = async () => {
    const started = performance.now();
    const result = await connection.sendRequest('symmetryLint/probe', { scope: 'model', uri, position: { line: MODEL_LINE, character: 4 } });
    const ms = performance.now() - started;
    const model = result.files[0].models[0];
    if (model.status !== 'ok') throw new Error(`the probe did not run: ${model.status} ${model.message}`);
    return ms;
  };
  const first = await probe();
  const second = await probe();
  await stopBenchServer(server);
  return { first, second };
}

async function benchLsp(dir) {
  const file = path.join(dir, 'model.ts');
  const cold = [], warmed = [], warm = [];
  for (let round = 0; round < lspRounds; round++) {
    const off = await firstProbe(file, false);
    const on = await firstProbe(file, true);
    cold.push(off.first);
    warmed.push(on.first);
    warm.push(off.second, on.second);
  }
  return { cold: median(cold), warmed: median(warmed), warm: median(warm) };
}

async function main() {
  if (!fs.existsSync(serverPath)) spawnSync(process.execPath, [path.join(root, 'scripts/build.js')], { stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-probe-startup-'));
  fs.writeFileSync(path.join(dir, 'model.ts'), MODEL_FILE);
  fs.writeFileSync(path.join(dir, 'floor.js'), floorScript());
  const loadBefore = load();
  const cli = benchCli(dir);
  const lsp = args.includes('--skip-lsp') ? undefined : await benchLsp(dir);
  const loadAfter = load();
  fs.rmSync(dir, { recursive: true, force: true });
  const m = cli.medians;
  const ms = (x) => `${x.toFixed(0)} ms`;
  const lines = [
    `Command: \`npm run bench:probe-startup${args.length ? ' -- ' + args.join(' ') : ''}\` (node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().replace(/\..*/, 'Z')}); load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after.`,
    '',
    `#### CLI, one file: the 64x64x3 CNN (4 conv 3x3 + pooling), invariant rotation90 (medians of ${rounds} interleaved rounds)`,
    '',
    '| command | median |',
    '|---|---|',
    `| \`node -e 0\` | ${ms(m.nodeFloor)} |`,
    `| plain script: tfjs + wasm, build the model, predict 16 inputs in one batch | ${ms(m.minimalProbe)} |`,
    `| \`check\` | ${ms(m.check)} |`,
    `| \`check --probe\` | ${ms(m.checkProbe)} |`,
    ...(baseline ? [`| \`check\`, baseline build | ${ms(m.baselineCheck)} |`, `| \`check --probe\`, baseline build | ${ms(m.baselineCheckProbe)} |`] : []),
    '',
    `Probe cost over its floor, (\`check --probe\` - \`check\`) / (plain script - \`node -e 0\`), median of the per-round ratios: **${cli.ratio.toFixed(2)}**` +
      (baseline ? `; baseline build in the same rounds: ${cli.baselineRatio.toFixed(2)}.` : '.'),
  ];
  if (lsp) {
    lines.push(
      '',
      `#### Editor: "Probe Model at Cursor" over LSP, request to answer (medians of ${lspRounds} fresh servers each)`,
      '',
      '| when | median |',
      '|---|---|',
      `| first probe, worker cold (\`probe.warmUp\` off; sent as soon as the first diagnostics are in) | ${ms(lsp.cold)} |`,
      `| first probe after the idle warm-up (\`probe.warmUp\` on, the default) | ${ms(lsp.warmed)} |`,
      `| second probe (warm worker) | ${ms(lsp.warm)} |`,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
