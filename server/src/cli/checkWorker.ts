// Worker thread of `symmetry-lint check --concurrency`: once told the run's files, it takes
// them one at a time from the counter all threads share, checks each with its own parsed-file
// cache and sends back its report. The main thread puts the reports back in file order, so the
// output is the same for any count. The language server's whole-workspace pass uses the same
// worker (CheckWorkerPool): it hands out files by request and asks for a file's LSP diagnostics.
import { parentPort, workerData } from 'node:worker_threads';
import type { SeverityOverride } from '../rules/rule';
import { DiskSourceFiles } from '../workspace/fileSources';
import type { WorkspaceFileDiagnostics, WorkspaceFileProject } from '../lsp/workspaceFileDiagnostics';
import { checkFileOutcome, FileChecker, PARSED_FILES_KEPT, UnreadableFileError, type FileCheckSettings } from './checkFile';
import type { FileReport } from './report';
import { FILES_EMITTED, NEXT_FILE, REPORTS_AHEAD_OF_OUTPUT, type CheckWorkerRun, type CheckWorkerRunReply } from './checkThreads';

export interface CheckWorkerRequest {
  index: number;
  fileName: string;
  /** Present for the language server: answer with the file's diagnostics under these severities. */
  diagnostics?: { ruleSeverities: Record<string, SeverityOverride>; project?: WorkspaceFileProject };
}
export type CheckWorkerReply =
  | { index: number; report: FileReport }
  | { index: number; diagnostics: WorkspaceFileDiagnostics | undefined }
  | { index: number; unreadable: string }
  | { index: number; internalError: string };

const port = parentPort;
if (!port) throw new Error('checkWorker must run in a worker thread');
// The language server's pool gives its settings at start; `check` gives them with its run.
const poolChecker = workerData ? new FileChecker(workerData as FileCheckSettings) : undefined;
let disk: DiskSourceFiles | undefined;
// The language server's half is loaded on its first request: it pulls in vscode-languageserver
// (about 0.1 s of CPU per worker), which `check --concurrency` never uses.
let lspHalf: typeof import('../lsp/workspaceFileDiagnostics') | undefined;

/** Checks files from the shared counter until none is left (`check --concurrency`). */
function pullFiles(run: CheckWorkerRun, to: NonNullable<typeof port>): void {
  const checker = new FileChecker({ ...run.settings, files: run.files });
  const counters = new Int32Array(run.counters);
  for (;;) {
    const index = Atomics.add(counters, NEXT_FILE, 1);
    if (index >= run.files.length) return;
    // Waits while the output is far behind (a thread stuck on a huge file): see REPORTS_AHEAD_OF_OUTPUT.
    for (let emitted = Atomics.load(counters, FILES_EMITTED); index - emitted > REPORTS_AHEAD_OF_OUTPUT; emitted = Atomics.load(counters, FILES_EMITTED)) {
      Atomics.wait(counters, FILES_EMITTED, emitted, 100);
    }
    const reply: CheckWorkerRunReply = { index, ...checkFileOutcome(checker, run.files[index]) };
    to.postMessage(reply);
  }
}

port.on('message', async (request: CheckWorkerRequest | { run: CheckWorkerRun }) => {
  if ('run' in request) return pullFiles(request.run, port);
  let reply: CheckWorkerReply;
  try {
    if (request.diagnostics) {
      disk ??= new DiskSourceFiles(PARSED_FILES_KEPT);
      lspHalf ??= await import('../lsp/workspaceFileDiagnostics.js');
      reply = { index: request.index, diagnostics: lspHalf.workspaceFileDiagnostics(request.fileName, disk, request.diagnostics.ruleSeverities, request.diagnostics.project) };
    } else {
      if (!poolChecker) throw new Error('a check request came before the worker had its settings');
      reply = { index: request.index, report: poolChecker.check(request.fileName) };
    }
  } catch (error) {
    reply =
      error instanceof UnreadableFileError
        ? { index: request.index, unreadable: error.message }
        : { index: request.index, internalError: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
