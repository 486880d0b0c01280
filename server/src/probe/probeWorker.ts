// The probe worker thread: loads tfjs with the wasm backend (SIMD; cpu as the fallback) once,
// then answers probe jobs one at a time. It never touches the language server's state; the
// host terminates it on timeout or cancellation and starts a fresh one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type * as tfjs from '@tensorflow/tfjs';
import { ProbeSkip } from './executeRecorder';
import { buildPlanModel, measureModel, redrawWeights, refuseEmptyOutputs, ProbeFailure, type MeasuredModel } from './measurement';
import type { ProbePlan, SavedModelPlan } from './plan';
import { registerEinsumFallback } from './einsumFallback';
import { planOfLoadedModel } from './savedModel';
// TypeScript (to transpile the user's code) is loaded by executeModel.ts only on first use.
import { runExecutePlan, type ExecutePlan } from './executeModel';
import { keepYoungGenerationAtInitialSize } from '../youngGeneration';

// Set here, in the worker, before tfjs loads, when the host asks (`check --probe`): set only on
// the main thread it did not keep this thread's young generation small (measured: a probe run's
// peak resident set moved only when the worker set it, docs/benchmarks.md).
if ((workerData as { smallYoungGeneration?: boolean } | null)?.smallYoungGeneration) keepYoungGenerationAtInitialSize();

export type WorkerRequest =
  | { type: 'init'; backend: 'wasm' | 'cpu' }
  | { type: 'probe'; id: number; plan: ProbePlan }
  | { type: 'probeSaved'; id: number; saved: SavedModelPlan }
  /** Execute mode: runs the user's model code (trusted workspaces / --probe-execute only). */
  | { type: 'probeExecute'; id: number; execute: ExecutePlan }
  /** Before an execute job: load what the user's code gets (start-up, not the probe's time). */
  | { type: 'prepareExecute' };

/** What a job left behind in the worker, read after it: the host recycles a worker that holds too much. */
export interface WorkerMemory {
  /** Size of the wasm backend's heap (0 on cpu): a WebAssembly.Memory grows to its largest model and never shrinks. */
  wasmBytes: number;
  /** tfjs tensors still allocated: 0 unless a job leaked. */
  tensors: number;
  tensorBytes: number;
}

export type WorkerReply =
  | { type: 'ready'; backend: string; initMs: number; simd: boolean; memory: WorkerMemory }
  | { type: 'prepared' }
  | { type: 'result'; id: number; result: MeasuredModel; memory: WorkerMemory }
  /** `replaceWorker`: the failure may have left this worker unusable (a wasm trap): do not reuse it. */
  | { type: 'failure'; id: number; message: string; replaceWorker?: boolean; notes?: string[]; skipped?: boolean; memory?: WorkerMemory };

let tf: typeof tfjs | undefined;

/**
 * The parts of tfjs a probe uses: core and layers (the backend comes next). The union package
 * `@tensorflow/tfjs` also loads the converter, tfjs-data and the webgl and cpu backends, 60% of
 * its code and a third of the worker's start-up CPU, none of which a literal or saved-model
 * probe needs. Both share one tfjs-core (one engine, one backend, one class registry).
 */
function loadProbeTfjs(): typeof tfjs {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require('@tensorflow/tfjs-core') as object;
  const layers = require('@tensorflow/tfjs-layers') as object;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // As the union package's `export *` does: where both export a name, core's wins.
  return { ...layers, ...core } as typeof tfjs;
}

/** The whole union package, for execute mode: the user's model code may use any part of it. */
function loadUnionTfjs(): typeof tfjs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@tensorflow/tfjs') as typeof tfjs;
}

/** How many executed graphs tfjs-layers keeps sorted: those of the job at hand. */
const SORTED_GRAPHS_KEPT = 4;

async function initialise(backend: 'wasm' | 'cpu'): Promise<WorkerReply> {
  const started = performance.now();
  tf = loadProbeTfjs();
  let active = 'cpu';
  let simd = false;
  if (backend === 'wasm') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // The packaged extension ships the .wasm files beside this bundle (no node_modules there).
      const dist = fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm-simd.wasm'))
        ? __dirname
        : path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
      // setWasmPaths wants a folder prefix: the trailing slash matters.
      wasm.setWasmPaths(dist + path.sep);
      if (await tf.setBackend('wasm')) active = 'wasm';
    } catch {
      active = 'cpu';
    }
  }
  if (active === 'cpu') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  }
  await tf.ready();
  // tfjs-wasm has no Einsum kernel; custom attention layers use tf.einsum (execute mode).
  registerEinsumFallback(tf);
  // tfjs-layers keeps the sorted graphs of the last 100 models it executed, and with them their
  // disposed layers and weights' objects: a worker that probes model after model grew by about
  // 5 MB of live heap over 500 files. A job executes one model, a few times.
  tf.env().set('TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES', SORTED_GRAPHS_KEPT);
  if (active === 'wasm') simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { type: 'ready', backend: tf.getBackend(), initMs: performance.now() - started, simd, memory: workerMemory() };
}

function workerMemory(): WorkerMemory {
  if (!tf) return { wasmBytes: 0, tensors: 0, tensorBytes: 0 };
  const { numTensors, numBytes } = tf.memory();
  // tfjs-wasm keeps its Emscripten module on the backend; HEAPU8 is re-made on every growth, so
  // its buffer is the memory's current size.
  const heap = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8 : undefined;
  return { wasmBytes: heap?.buffer.byteLength ?? 0, tensors: numTensors, tensorBytes: numBytes };
}

function describe(error: unknown): string {
  if (error instanceof ProbeFailure) return error.message;
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
  // WebAssembly.RuntimeError (the DOM lib that names it is not in this project's types).
  if (error instanceof Error && error.constructor.name === 'RuntimeError') return `the probe trapped inside tfjs-wasm (${text}); the probe worker is replaced before the next probe`;
  return `the probe failed inside tfjs: ${text}`;
}

/**
 * Whether a failure may have left tfjs unusable. A wasm trap leaves the module's memory in an
 * unknown state (every later kernel then traps too), and an unexpected error from inside tfjs
 * may have been thrown mid-kernel: only a clear ProbeFailure, raised before or after tfjs ran,
 * leaves the worker clean.
 */
function poisons(error: unknown): boolean {
  return !(error instanceof ProbeFailure);
}

function runPlan(plan: ProbePlan): MeasuredModel {
  const tfm = tf!;
  const started = performance.now();
  if (plan.unbuildable) throw new ProbeFailure(plan.unbuildable);
  const model = buildPlanModel(tfm, plan);
  try {
    redrawWeights(tfm, model, plan.seed);
    return measureModel(tfm, { model, plan, buildMs: performance.now() - started });
  } finally {
    model.dispose();
  }
}

async function runSaved(saved: SavedModelPlan): Promise<MeasuredModel> {
  const tfm = tf!;
  const started = performance.now();
  let loaded: tfjs.LayersModel;
  try {
    loaded = await tfm.loadLayersModel(
      tfm.io.fromMemory({ modelTopology: saved.modelJson as object, weightSpecs: saved.weightSpecs as tfjs.io.WeightsManifestEntry[], weightData: saved.weightData }),
    );
  } catch (error) {
    throw new ProbeFailure(`cannot load the saved model: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  refuseEmptyOutputs(loaded);
  const structure = planOfLoadedModel(loaded);
  const everyOutput = tfm.model({ inputs: loaded.inputs, outputs: loaded.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.output as tfjs.SymbolicTensor) });
  try {
    // Trained weights are kept: that is what a saved-model probe measures.
    return measureModel(tfm, { model: everyOutput, plan: { ...structure, declarations: saved.declarations, seed: saved.seed }, buildMs: performance.now() - started });
  } finally {
    loaded.dispose();
  }
}

parentPort?.on('message', (message: WorkerRequest) => {
  void (async () => {
    if (message.type === 'init') {
      parentPort!.postMessage(await initialise(message.backend));
      return;
    }
    if (message.type === 'prepareExecute') {
      loadUnionTfjs();
      parentPort!.postMessage({ type: 'prepared' } satisfies WorkerReply);
      return;
    }
    try {
      const result =
        message.type === 'probe'
          ? runPlan(message.plan)
          : message.type === 'probeSaved'
            ? await runSaved(message.saved)
            : await runExecutePlan(loadUnionTfjs(), message.execute);
      parentPort!.postMessage({ type: 'result', id: message.id, result, memory: workerMemory() } satisfies WorkerReply);
    } catch (error) {
      // Execute mode: what was stubbed or chosen before the failure, for the report.
      const notes = (error as { notes?: unknown } | null)?.notes;
      parentPort!.postMessage({
        type: 'failure',
        id: message.id,
        message: describe(error),
        ...(poisons(error) ? { replaceWorker: true } : {}),
        // Not a failure of the code: the probe chose not to do what measuring needs (a download).
        ...(error instanceof ProbeSkip ? { skipped: true } : {}),
        ...(Array.isArray(notes) ? { notes: notes.map(String) } : {}),
        // A poisoned worker is replaced anyway; its tfjs may not even answer.
        ...(poisons(error) ? {} : { memory: workerMemory() }),
      } satisfies WorkerReply);
    }
  })();
});
