// Worker thread of `symmetry-lint check --concurrency`: checks the files the main thread hands
// it, one at a time, with its own parsed-file cache, and sends back each file's report. The
// main thread puts the reports back in file order, so the output is the same for any count.
import { parentPort, workerData } from 'node:worker_threads';
import { FileChecker, UnreadableFileError, type FileCheckSettings } from './checkFile';
import type { FileReport } from './report';

export interface CheckWorkerRequest {
  index: number;
  fileName: string;
}
export type CheckWorkerReply =
  | { index: number; report: FileReport }
  | { index: number; unreadable: string }
  | { index: number; internalError: string };

const port = parentPort;
if (!port) throw new Error('checkWorker must run in a worker thread');
const checker = new FileChecker(workerData as FileCheckSettings);
port.on('message', (request: CheckWorkerRequest) => {
  let reply: CheckWorkerReply;
  try {
    reply = { index: request.index, report: checker.check(request.fileName) };
  } catch (error) {
    reply =
      error instanceof UnreadableFileError
        ? { index: request.index, unreadable: error.message }
        : { index: request.index, internalError: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
