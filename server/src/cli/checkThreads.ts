// Runs `check` over worker threads (`--concurrency n`): every thread, the main one included,
// takes the next file from a shared counter (a big file does not hold up a whole share of the
// list) and the reports come out in the order of the files, as the main thread alone would
// have made them. The language server's whole-workspace pass uses the same worker script
// through CheckWorkerPool, one request per file. No TypeScript here: main.ts starts the workers
// before it loads the analysis.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CHECK_WORKER_RESOURCE_LIMITS, keepYoungGenerationSettingAcross } from '../youngGeneration';
import type { FileCheckSettings } from './checkFile';
import type { CheckWorkerReply, CheckWorkerRequest } from './checkWorker';
import type { FileReport } from './report';

/** The built worker: beside the bundle (server/dist) or, from sources, in server/dist. */
function workerScript(): string {
  const candidates = [path.join(__dirname, 'checkWorker.js'), path.resolve(__dirname, '../../dist/checkWorker.js')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`the check worker is not built (looked for ${candidates.join(', ')}); run "node scripts/build.js"`);
  return found;
}

/** Errors a worker reports for a file; `unreadable` is the run's usage error. */
export class ThreadedCheckError extends Error {
  constructor(
    readonly kind: 'unreadable' | 'internal',
    message: string,
  ) {
    super(message);
  }
}

/** What checking one file came to, on any thread: its report or why there is none. */
export type FileCheckOutcome = { report: FileReport } | { unreadable: string } | { internalError: string };

/**
 * The start message of a pulling worker (`CheckWorkerThreads.run`): the run's files and the
 * shared counters through which every thread takes the next file and learns how far the output is.
 */
export interface CheckWorkerRun {
  settings: FileCheckSettings;
  files: readonly string[];
  /** Int32Array over it: [next file to take, files already handed to the output]. */
  counters: SharedArrayBuffer;
}
export type CheckWorkerRunReply = { index: number } & FileCheckOutcome;

export const NEXT_FILE = 0;
export const FILES_EMITTED = 1;
/**
 * How far past the output a worker may run. A thread stuck on one huge file holds up the output
 * in file order; without a bound the other threads' reports would pile up behind it, so memory
 * would grow with the files again.
 */
export const REPORTS_AHEAD_OF_OUTPUT = 256;

/**
 * The worker threads of one `check --concurrency` run. They are started as soon as the
 * arguments are parsed (main.ts), so each loads TypeScript while the main thread loads its own
 * and walks the folders; the main thread is one of the run's checkers, so `--concurrency n`
 * starts n - 1 workers and loads TypeScript n times, not n + 1. Files are not handed out by
 * message: every thread takes the next index from a shared counter, so a worker never waits for
 * the main thread to be scheduled (on a loaded machine that round trip left workers idle).
 */
export class CheckWorkerThreads {
  private workers: Worker[] = [];

  /** Starts `count` workers; they load their code and wait for `run`. */
  constructor(count: number) {
    // Not built is a usage problem of the run, told before any file is checked.
    const script = workerScript();
    for (let i = 0; i < count; i++) {
      // A small young generation, as on one thread (youngGeneration.ts).
      const worker = new Worker(script, { resourceLimits: CHECK_WORKER_RESOURCE_LIMITS });
      // Until the run needs them, the workers do not keep the process alive (a usage error
      // found after they started exits at once).
      worker.unref();
      // An error before the run is reported by the run (the worker's exit); never unhandled.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  get count(): number {
    return this.workers.length;
  }

  /** Keeps only `count` workers: the run has fewer files than the threads asked for. */
  keep(count: number): void {
    for (const worker of this.workers.splice(Math.max(0, count))) void worker.terminate();
  }

  dispose(): void {
    this.keep(0);
  }

  /**
   * Checks `files` on the workers and, through `checkOnMainThread`, on this thread. `onReport`
   * gets each report in file order as soon as it and all before it are in, so a caller may
   * write it out and let it go. The first file without a report, in file order, fails the run.
   */
  run(
    files: readonly string[],
    settings: FileCheckSettings,
    checkOnMainThread: (fileName: string) => FileCheckOutcome,
    onReport: (report: FileReport, index: number) => void,
  ): Promise<void> {
    const counters = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const outcomes = new Map<number, FileCheckOutcome>();
    let nextToEmit = 0;
    let settled = false;
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        this.dispose();
        if (error) reject(error);
        else resolve();
      };
      const emitReady = () => {
        while (!settled && outcomes.has(nextToEmit)) {
          const outcome = outcomes.get(nextToEmit) as FileCheckOutcome;
          outcomes.delete(nextToEmit);
          if ('unreadable' in outcome) return finish(new ThreadedCheckError('unreadable', outcome.unreadable));
          if ('internalError' in outcome) return finish(new ThreadedCheckError('internal', `internal error while checking ${files[nextToEmit]}: ${outcome.internalError}`));
          try {
            onReport(outcome.report, nextToEmit++);
          } catch (error) {
            return finish(error instanceof Error ? error : new Error(String(error)));
          }
        }
        Atomics.store(counters, FILES_EMITTED, nextToEmit);
        Atomics.notify(counters, FILES_EMITTED);
        if (nextToEmit === files.length) finish();
      };
      for (const worker of this.workers) {
        worker.ref();
        worker.on('message', (reply: CheckWorkerRunReply) => {
          if (settled) return;
          const { index, ...outcome } = reply;
          outcomes.set(index, outcome as FileCheckOutcome);
          emitReady();
        });
        worker.on('error', (error) => finish(error));
        worker.on('exit', (code) => {
          if (!settled) finish(new Error(`a check worker stopped (exit code ${code})`));
        });
        const start: CheckWorkerRun = { settings, files, counters: counters.buffer as SharedArrayBuffer };
        worker.postMessage({ run: start });
      }
      if (files.length === 0) return finish();
      // This thread checks one file per turn of the event loop, so the workers' reports are
      // taken in (and the output written) between its files.
      const checkNextHere = () => {
        if (settled) return;
        const index = Atomics.add(counters, NEXT_FILE, 1);
        if (index >= files.length) return;
        outcomes.set(index, checkOnMainThread(files[index]));
        emitReady();
        setImmediate(checkNextHere);
      };
      setImmediate(checkNextHere);
    });
  }
}

/**
 * The check workers: `check --concurrency` above, and, kept between passes, the language
 * server's whole-workspace pass, which hands out files as it goes and may stop at any time.
 * Each request answers on its own; a worker that dies fails its request and is replaced on the
 * next one.
 */
export class CheckWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, { request: CheckWorkerRequest; answer: (reply: CheckWorkerReply) => void; fail: (error: Error) => void }>();
  private readonly queue: { request: CheckWorkerRequest; answer: (reply: CheckWorkerReply) => void; fail: (error: Error) => void }[] = [];
  private started = 0;
  private nextIndex = 0;

  constructor(
    private readonly threads: number,
    private readonly settings: FileCheckSettings,
  ) {}

  request(request: Omit<CheckWorkerRequest, 'index'>): Promise<CheckWorkerReply> {
    return new Promise((answer, fail) => {
      this.queue.push({ request: { ...request, index: this.nextIndex++ }, answer, fail });
      this.dispatch();
    });
  }

  /** Requests not yet handed to a worker. */
  get waiting(): number {
    return this.queue.length;
  }

  dispose(): void {
    const stopped = new Error('the check workers were stopped');
    for (const job of this.queue.splice(0)) job.fail(stopped);
    for (const [worker, job] of this.busy) {
      job.fail(stopped);
      void worker.terminate();
    }
    this.busy.clear();
    for (const worker of this.idle.splice(0)) void worker.terminate();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.threads ? this.startWorker() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.postMessage(job.request);
    }
  }

  private startWorker(): Worker {
    const worker = new Worker(workerScript(), { workerData: this.settings });
    keepYoungGenerationSettingAcross(worker, 'first message');
    this.started++;
    const lost = (error: Error) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      const idleAt = this.idle.indexOf(worker);
      if (idleAt >= 0) this.idle.splice(idleAt, 1);
      this.started--;
      job?.fail(error);
      this.dispatch();
    };
    worker.on('message', (reply: CheckWorkerReply) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      job?.answer(reply);
      this.dispatch();
    });
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (this.busy.has(worker) || this.idle.includes(worker)) lost(new Error(`a check worker stopped (exit code ${code})`));
    });
    return worker;
  }
}
