// Runs probes in ONE warm worker thread, one job at a time, with a timeout, cancellation
// (terminate the worker: a predict cannot be interrupted from outside) and V8 memory limits.
// A worker that timed out, was cancelled, crashed, ran out of memory or trapped inside tfjs is
// terminated; the next job starts a fresh one. So is a worker whose wasm heap grew past a limit
// (a WebAssembly.Memory never shrinks: one large model would otherwise hold its peak for the rest
// of the run or editor session).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { keepYoungGenerationSettingAcross } from '../youngGeneration';
import type { MeasuredModel } from './measurement';
import type { ExecutePlan } from './executeModel';
import type { ProbePlan, SavedModelPlan } from './plan';
import type { WorkerMemory, WorkerReply, WorkerRequest } from './probeWorker';

export type ProbeJob = { type: 'probe'; plan: ProbePlan } | { type: 'probeSaved'; saved: SavedModelPlan } | { type: 'probeExecute'; execute: ExecutePlan };

export class ProbeRunError extends Error {
  constructor(
    /** `skipped`: execute mode chose not to measure (a pretrained model it does not download). */
    readonly reason: 'timeout' | 'cancelled' | 'crashed' | 'failure' | 'skipped',
    message: string,
    /** Execute mode: what was stubbed or chosen before the failure. */
    readonly notes?: string[],
  ) {
    super(message);
  }
}

export interface ProbeHostOptions {
  backend?: 'wasm' | 'cpu';
  /** V8 heap limit of the worker, in MB. */
  memoryMb?: number;
  /** Path of the built worker script; found beside this module or in server/dist by default. */
  workerScript?: string;
  /**
   * A worker whose wasm heap is larger than this after a job is replaced before the next one, in
   * bytes (default RECYCLE_WASM_BYTES). Results do not change: every probe builds its own model
   * from its own seed.
   */
  recycleWasmBytes?: number;
  /**
   * The worker keeps V8's young generation at its initial size (youngGeneration.ts): for
   * `check --probe`, whose memory it keeps from growing with the files. Not in the language
   * server: V8's flags are the whole process', and there it slowed every keystroke.
   */
  smallYoungGeneration?: boolean;
}

/**
 * 256 MB: the samples' largest probe takes the wasm heap to 65 MB, so a worker is replaced only
 * after an unusually large model, whose own probe costs more than the restart (docs/benchmarks.md).
 */
export const RECYCLE_WASM_BYTES = 256 * 1024 * 1024;

export interface WorkerInfo {
  backend: string;
  simd: boolean;
  /** Worker start plus tfjs and wasm initialisation, in ms. */
  startMs: number;
}

/** The built worker: beside the bundle (server/dist) or, from sources, in server/dist. */
export function defaultWorkerScript(): string {
  const candidates = [path.join(__dirname, 'probeWorker.js'), path.resolve(__dirname, '../../dist/probeWorker.js')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new ProbeRunError('failure', `the probe worker is not built (looked for ${candidates.join(', ')}); run "node scripts/build.js"`);
  return found;
}

export interface RunLimits {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called once the worker has the job (tests cancel mid-probe from here). */
  onStarted?: () => void;
}

interface Running {
  id: number;
  resolve(result: MeasuredModel): void;
  reject(error: ProbeRunError): void;
}

export class ProbeHost {
  private worker: Worker | undefined;
  private ready: Promise<WorkerInfo> | undefined;
  private running: Running | undefined;
  /** An execute job waiting for the worker to load the whole tfjs package (prepareExecute). */
  private preparing: { resolve(): void; reject(error: ProbeRunError): void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private disposed = false;
  /** Workers started so far (a replaced worker counts again), for tests and benchmarks. */
  workerStarts = 0;
  /** What the last job left in its worker (wasm heap, live tensors), for tests and benchmarks. */
  lastMemory: WorkerMemory | undefined;

  constructor(private readonly options: ProbeHostOptions = {}) {}

  /** Starts the worker (if it is not running) and waits for tfjs to be ready. */
  warmUp(): Promise<WorkerInfo> {
    if (this.ready) return this.ready;
    const started = performance.now();
    const worker = new Worker(this.options.workerScript ?? defaultWorkerScript(), {
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb ?? 1536 },
      workerData: { smallYoungGeneration: this.options.smallYoungGeneration === true },
      // Piped, never inherited: under `lsp --stdio` the worker's console output (tfjs warnings)
      // would corrupt the protocol stream.
      stdout: true,
      stderr: true,
    });
    keepYoungGenerationSettingAcross(worker);
    worker.stdout.resume();
    worker.stderr.resume();
    worker.unref();
    this.worker = worker;
    this.workerStarts++;
    const ready = new Promise<WorkerInfo>((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          this.lastMemory = reply.memory;
          resolve({ backend: reply.backend, simd: reply.simd, startMs: performance.now() - started });
          return;
        }
        if (reply.type === 'prepared') {
          this.preparing?.resolve();
          this.preparing = undefined;
          return;
        }
        const running = this.running;
        if (!running || !('id' in reply) || reply.id !== running.id) return;
        this.running = undefined;
        if (reply.memory) this.lastMemory = reply.memory;
        // A trapped worker is not reused: its wasm memory is in an unknown state, and every
        // later probe in it would fail the same way. One that holds a large wasm heap is
        // replaced too: the next job starts a fresh worker, at the size it needs.
        const limit = this.options.recycleWasmBytes ?? RECYCLE_WASM_BYTES;
        if ((reply.type === 'failure' && reply.replaceWorker) || (reply.memory?.wasmBytes ?? 0) > limit) this.terminate(worker);
        if (reply.type === 'result') running.resolve(reply.result);
        else running.reject(new ProbeRunError(reply.skipped ? 'skipped' : 'failure', reply.message, reply.notes));
      };
      worker.on('message', onMessage);
      worker.on('error', (error: Error & { code?: string }) => {
        const message = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the probe ran out of memory (the worker\'s memory limit): try a smaller model or input size' : `the probe worker crashed: ${error.message}`;
        const current = this.worker === worker;
        this.forget(worker);
        reject(new ProbeRunError('crashed', message));
        if (current) {
          this.running?.reject(new ProbeRunError('crashed', message));
          this.running = undefined;
          this.preparing?.reject(new ProbeRunError('crashed', message));
          this.preparing = undefined;
        }
      });
      worker.on('exit', () => {
        const current = this.worker === worker;
        this.forget(worker);
        reject(new ProbeRunError('crashed', 'the probe worker exited before it was ready'));
        if (current) {
          this.running?.reject(new ProbeRunError('crashed', 'the probe worker stopped during the probe'));
          this.running = undefined;
          this.preparing?.reject(new ProbeRunError('crashed', 'the probe worker stopped during the probe'));
          this.preparing = undefined;
        }
      });
    });
    this.ready = ready;
    ready.catch(() => undefined);
    worker.postMessage({ type: 'init', backend: this.options.backend ?? 'wasm' } satisfies WorkerRequest);
    return ready;
  }

  /** Runs one job after those already queued; rejects with a ProbeRunError on timeout, cancel or crash. */
  run(job: ProbeJob, limits: RunLimits): Promise<MeasuredModel> {
    const next = this.queue.then(() => this.runNow(job, limits));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(job: ProbeJob, { timeoutMs, signal, onStarted }: RunLimits): Promise<MeasuredModel> {
    if (this.disposed) throw new ProbeRunError('cancelled', 'the probe host was shut down');
    if (signal?.aborted) throw new ProbeRunError('cancelled', 'the probe was cancelled');
    await this.warmUp();
    const worker = this.worker!;
    // The worker starts with the parts of tfjs a literal probe uses; the user's code in execute
    // mode gets the whole package, loaded now: start-up, like the worker's, outside the timeout.
    if (job.type === 'probeExecute') {
      await new Promise<void>((resolve, reject) => {
        this.preparing = { resolve, reject };
        worker.postMessage({ type: 'prepareExecute' } satisfies WorkerRequest);
      });
      if (signal?.aborted) throw new ProbeRunError('cancelled', 'the probe was cancelled');
    }
    const id = this.nextId++;
    return new Promise<MeasuredModel>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const stop = (error: ProbeRunError) => {
        finish();
        this.running = undefined;
        this.terminate(worker);
        reject(error);
      };
      const onAbort = () => stop(new ProbeRunError('cancelled', 'the probe was cancelled'));
      signal?.addEventListener('abort', onAbort, { once: true });
      // The timeout counts from the moment the worker has the job: starting a worker (about 0.6 s,
      // several seconds on a loaded machine, and before every execute-mode job) is not the probe's.
      const remaining = timeoutMs;
      timer = setTimeout(() => stop(new ProbeRunError('timeout', `the probe took longer than ${timeoutMs} ms (symmetryLint.probe.timeoutMs) and was stopped`)), remaining);
      // The user's code may leave timers, globals or a changed tfjs backend behind: a worker that
      // ran it is not reused for later probes.
      const recycle = () => {
        if (job.type === 'probeExecute') this.terminate(worker);
      };
      this.running = {
        id,
        resolve: (result) => {
          finish();
          recycle();
          resolve(result);
        },
        reject: (error) => {
          finish();
          recycle();
          reject(error);
        },
      };
      const request: WorkerRequest =
        job.type === 'probe' ? { type: 'probe', id, plan: job.plan } : job.type === 'probeSaved' ? { type: 'probeSaved', id, saved: job.saved } : { type: 'probeExecute', id, execute: job.execute };
      worker.postMessage(request);
      onStarted?.();
    });
  }

  private forget(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.ready = undefined;
    }
  }

  private terminate(worker: Worker): void {
    this.forget(worker);
    void worker.terminate();
  }

  /** Whether a warm worker is running now (for tests and the benchmark). */
  get isWarm(): boolean {
    return this.worker !== undefined;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.preparing?.reject(new ProbeRunError('cancelled', 'the probe host was shut down'));
    this.preparing = undefined;
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) await worker.terminate();
  }
}
