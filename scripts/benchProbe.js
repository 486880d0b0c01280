#!/usr/bin/env node
// Probe benchmark (issue 3 "Speed"): (1) worker start + tfjs + wasm initialisation, cold, over
// a few fresh workers; (2) probe time against the bare forward pass it needs: the same model,
// batch and backend, one predict, measured side by side (alternating) in this one process.
// Ratios use the faster of the bare `predict` and `execute`; CPU time is shown beside wall time.
// Run: node scripts/benchProbe.js [--backend wasm|cpu] [--repeats N]. Prints a Markdown table.
'use strict';
const path = require('node:path');
require('tsx/cjs/api').register();

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const backend = option('--backend', 'wasm');
const repeats = Number(option('--repeats', '7'));

const { analyzeText, parseSource } = require(path.join(root, 'server/src/engine.ts'));
const { buildProbePlan } = require(path.join(root, 'server/src/probe/planBuilder.ts'));
const { buildPlanModel, measureModel, redrawWeights, PROBE_BATCH } = require(path.join(root, 'server/src/probe/measurement.ts'));
const { ProbeHost } = require(path.join(root, 'server/src/probe/probeHost.ts'));

/** A mid-size CNN like the one in machine-facts.md: 64x64x3, four 3x3 conv blocks. */
const CNN = (declarations) => `import * as tf from '@tensorflow/tfjs';
/**
${declarations.map((d) => ` * @symmetry ${d}`).join('\n')}
 */
export function buildBenchCnn() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 10 }),
  ] });
}
`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function workerStart() {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const host = new ProbeHost({ backend });
    const info = await host.warmUp();
    times.push(info.startMs);
    await host.dispose();
    if (i === 0) console.error(`worker backend: ${info.backend}${info.simd ? ' (SIMD)' : ''}`);
  }
  return times;
}

/** Wall and CPU milliseconds of `run` (CPU time is steadier on a loaded machine: waiting for a core is not counted). */
function timed(run) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

async function sideBySide(tf, declarations) {
  const fileName = path.join(root, 'bench-cnn.ts');
  const text = CNN(declarations);
  const analysis = analyzeText(fileName, text);
  const { plan } = buildProbePlan(analysis.models[0], parseSource(fileName, text));
  const samples = { probe: [], probeCpu: [], probeWithBuild: [], predict: [], predictCpu: [], execute: [], executeCpu: [] };
  let batch = 0;
  for (let i = 0; i < repeats + 1; i++) {
    // The probe: build (every layer output exposed), redraw weights, transform, predict, measure.
    const started = performance.now();
    const model = buildPlanModel(tf, plan);
    redrawWeights(tf, model, plan.seed);
    const buildMs = performance.now() - started;
    let measured;
    const probe = timed(() => {
      measured = measureModel(tf, { model, plan, buildMs });
    });
    batch = measured.batch;
    if (process.env.BENCH_DEBUG) console.error(JSON.stringify(measured.timings));
    model.dispose();
    // The bare forward pass: the same layers, weights and batch, final output only, one call,
    // timed both through `predict` and through `execute` (the call the probe makes): the faster
    // of the two is the baseline, so the probe is never compared with a slowed-down bare pass.
    const bare = buildPlanModel(tf, plan);
    redrawWeights(tf, bare, plan.seed);
    const plain = tf.model({ inputs: bare.inputs, outputs: bare.outputs[bare.outputs.length - 1] });
    const x = tf.randomNormal([batch, ...plan.inputs[0].shape]);
    const runPredict = () => timed(() => {
      const y = plain.predict(x);
      y.dataSync();
      y.dispose();
    });
    const runExecute = () => timed(() => {
      const y = plain.execute(x, plain.outputs[0].name);
      y.dataSync();
      y.dispose();
    });
    // Alternate which goes first, so neither always runs on caches the other warmed.
    let viaPredict, viaExecute;
    if (i % 2 === 0) {
      viaPredict = runPredict();
      viaExecute = runExecute();
    } else {
      viaExecute = runExecute();
      viaPredict = runPredict();
    }
    tf.dispose(x);
    bare.dispose();
    // The first round warms kernels up for both; it is not counted.
    if (i === 0) continue;
    samples.probe.push(probe.wallMs);
    samples.probeCpu.push(probe.cpuMs);
    samples.probeWithBuild.push(probe.wallMs + buildMs);
    samples.predict.push(viaPredict.wallMs);
    samples.predictCpu.push(viaPredict.cpuMs);
    samples.execute.push(viaExecute.wallMs);
    samples.executeCpu.push(viaExecute.cpuMs);
  }
  const m = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)]));
  return { batch, ...m, bare: Math.min(m.predict, m.execute), bareCpu: Math.min(m.predictCpu, m.executeCpu) };
}

async function main() {
  const starts = await workerStart();
  const tf = require('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const rows = [];
  for (const declarations of [['invariant rotation90'], ['invariant translation'], ['invariant dihedral']]) {
    const result = await sideBySide(tf, declarations);
    rows.push({ declarations: declarations.join(', '), ...result });
  }
  const lines = [
    `Backend: ${tf.getBackend()}, Node ${process.version}, ${repeats} rounds (medians), ${PROBE_BATCH} random inputs per element.`,
    '',
    `Worker start + tfjs + wasm init (cold, 3 fresh workers): ${starts.map((t) => `${t.toFixed(0)} ms`).join(', ')}`,
    '',
    '| declaration (64x64x3 CNN, 4 conv blocks) | batch | bare: predict / execute (ms) | probe: transform + predict + measure (ms) | ratio (wall) | ratio (CPU time) | probe incl. build + weight redraw (ms) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.declarations} | ${r.batch} | ${r.predict.toFixed(1)} / ${r.execute.toFixed(1)} | ${r.probe.toFixed(1)} | ${(r.probe / r.bare).toFixed(2)} | ${(r.probeCpu / r.bareCpu).toFixed(2)} | ${r.probeWithBuild.toFixed(1)} |`),
  ];
  console.log(lines.join('\n'));
  const worst = Math.max(...rows.map((r) => r.probe / r.bare));
  if (worst > 1.5) {
    console.error(`probe/bare ratio ${worst.toFixed(2)} is above 1.5`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
