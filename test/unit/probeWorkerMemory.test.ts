// Tests that the probe worker's memory does not grow with the number of models it measures
// (issue 13): no tfjs tensor outlives its job, the wasm heap stops at what the largest model
// needs however many models follow, and a worker whose wasm heap passed the host's limit is
// replaced, with the same results. Reads the figures the worker reports after each job (its
// wasm heap size and tfjs' tensor count), not the process' resident set, so it is not timed
// and does not depend on the machine's load.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, parseSource } from '../../server/src/engine';
import type { MeasuredModel } from '../../server/src/probe/measurement';
import type { ProbePlan } from '../../server/src/probe/plan';
import { buildProbePlan } from '../../server/src/probe/planBuilder';
import { ProbeHost } from '../../server/src/probe/probeHost';
import type { WorkerMemory } from '../../server/src/probe/probeWorker';
import { ensureServerBuilt } from './probeTestSupport';

const SAMPLES = path.resolve(__dirname, '../../samples');
// Small and large models in turn: the segmentation network and the point-set model take the wasm
// heap from its 16 MB start to 50-65 MB, the others stay far below.
const FILES = ['mnist-cnn.ts', 'fcn-segmentation.ts', 'deepsets.js', 'exact-by-construction.ts', 'pointnet-set.ts', 'sign-broken.ts', 'dihedral-prelu.ts', 'circular-pad-classifier.ts'];
const MB = 1024 * 1024;

function samplePlans(): ProbePlan[] {
  const plans: ProbePlan[] = [];
  for (const name of FILES) {
    const fileName = path.join(SAMPLES, name);
    const text = fs.readFileSync(fileName, 'utf8');
    const sourceFile = parseSource(fileName, text);
    for (const model of analyzeText(fileName, text).models) {
      if (model.declarations.length === 0) continue;
      const { plan } = buildProbePlan(model, sourceFile, 20_000_000);
      if (!plan.unbuildable) plans.push(plan);
    }
  }
  return plans;
}

/** A result without its timings, which differ from run to run. */
function measuredValues(result: MeasuredModel): unknown {
  return { ...result, timings: undefined };
}

async function runAll(host: ProbeHost, plans: readonly ProbePlan[]): Promise<{ results: unknown[]; memory: WorkerMemory[] }> {
  const results: unknown[] = [];
  const memory: WorkerMemory[] = [];
  for (const plan of plans) {
    results.push(measuredValues(await host.run({ type: 'probe', plan }, { timeoutMs: 120000 })));
    assert.ok(host.lastMemory, 'the worker reports its memory after each job');
    memory.push(host.lastMemory);
  }
  return { results, memory };
}

describe('probe worker memory over many models', function () {
  this.timeout(300000);
  let plans: ProbePlan[];
  let plain: { results: unknown[]; memory: WorkerMemory[] };

  before(async () => {
    ensureServerBuilt();
    plans = samplePlans();
    assert.ok(plans.length >= 8, `expected at least 8 probe plans from the samples, got ${plans.length}`);
    const host = new ProbeHost();
    try {
      plain = await runAll(host, plans);
    } finally {
      await host.dispose();
    }
  });

  it('frees every tensor of a job and stops the wasm heap at the largest model, pass after pass', async () => {
    const host = new ProbeHost();
    try {
      const passes: WorkerMemory[][] = [];
      for (let pass = 0; pass < 3; pass++) passes.push((await runAll(host, plans)).memory);
      for (const memory of passes.flat()) {
        assert.equal(memory.tensors, 0, 'a probe left tfjs tensors allocated');
        assert.equal(memory.tensorBytes, 0);
      }
      const peak = (memory: WorkerMemory[]) => Math.max(...memory.map((m) => m.wasmBytes));
      assert.ok(peak(passes[0]) > 32 * MB, `the largest sample should take the wasm heap past 32 MB (it reached ${peak(passes[0]) / MB} MB): the test would not show a growth`);
      // Under the default limit no worker is replaced, and the heap after the first pass is the
      // heap after the third: it grew to the largest model, not with the number of models.
      assert.equal(host.workerStarts, 1);
      assert.equal(passes[2].at(-1)!.wasmBytes, passes[0].at(-1)!.wasmBytes);
      assert.equal(peak(passes[2]), peak(passes[0]));
    } finally {
      await host.dispose();
    }
  });

  it('replaces a worker whose wasm heap passed the limit, and measures the same values', async () => {
    const limit = 32 * MB;
    const host = new ProbeHost({ recycleWasmBytes: limit });
    try {
      const recycled = await runAll(host, plans);
      assert.deepEqual(recycled.results, plain.results);
      const overLimit = recycled.memory.slice(0, -1).filter((memory) => memory.wasmBytes > limit).length;
      assert.ok(overLimit > 0, 'some sample should pass the limit');
      assert.equal(host.workerStarts, 1 + overLimit, 'one fresh worker after each job that left the heap past the limit');
      // A fresh worker holds what its models need, never the high-water mark of earlier ones.
      recycled.memory.forEach((memory, i) => assert.ok(memory.wasmBytes <= plain.memory[i].wasmBytes, `model ${i}: ${memory.wasmBytes} > ${plain.memory[i].wasmBytes}`));
      assert.ok(
        recycled.memory.some((memory, i) => memory.wasmBytes < plain.memory[i].wasmBytes),
        'after a replacement, a small model should run in a smaller heap than in the worker that kept the large one',
      );
    } finally {
      await host.dispose();
    }
  });
});
