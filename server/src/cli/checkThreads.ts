// Runs `check` over worker threads (`--concurrency n`): hands out files one at a time to
// whichever thread is free (a big file does not hold up a whole share of the list) and
// returns the reports in the order of the files, as the main thread would have made them. The
// same pool of workers serves the language server's whole-workspace pass (CheckWorkerPool).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
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

/**
 * Checks `files` on `threads` workers. `onReport` gets each report in file order as soon as it
 * and all before it are in, so a caller may write it out and let it go.
 */
export function checkFilesInThreads(
  files: readonly string[],
  threads: number,
  settings: FileCheckSettings,
  onReport: (report: FileReport, index: number) => void,
): Promise<void> {
  // Not built is a usage problem of the run, told before any file is handed out.
  workerScript();
  if (files.length === 0) return Promise.resolve();
  const pool = new CheckWorkerPool(threads, settings);
  return new Promise<void>((resolve, reject) => {
    const waiting = new Map<number, FileReport>();
    let nextToSend = 0;
    let nextToEmit = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      pool.dispose();
      reject(error);
    };
    const sendNext = () => {
      if (failed || nextToSend >= files.length) return;
      const index = nextToSend++;
      pool.request({ fileName: files[index] }).then((reply) => {
        if (failed) return;
        if ('unreadable' in reply) return fail(new ThreadedCheckError('unreadable', reply.unreadable));
        if ('internalError' in reply) return fail(new ThreadedCheckError('internal', `internal error while checking ${files[index]}: ${reply.internalError}`));
        if (!('report' in reply)) return fail(new ThreadedCheckError('internal', `a check worker answered ${files[index]} without a report`));
        waiting.set(index, reply.report);
        sendNext();
        while (waiting.has(nextToEmit)) {
          const report = waiting.get(nextToEmit) as FileReport;
          waiting.delete(nextToEmit);
          onReport(report, nextToEmit++);
        }
        if (nextToEmit === files.length) {
          // No goodbye message: the workers are terminated once the last report is in.
          pool.dispose();
          resolve();
        }
      }, fail);
    };
    // Two files in hand per thread: the next one is there when the current one is done.
    for (let i = 0; i < 2 * threads; i++) sendNext();
  });
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
