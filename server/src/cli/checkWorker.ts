// Worker thread of `symmetry-lint check --concurrency`: checks the files the main thread hands
// it, one at a time, with its own parsed-file cache, and sends back each file's report. The
// main thread puts the reports back in file order, so the output is the same for any count.
// The language server's whole-workspace pass uses the same worker (CheckWorkerPool) and asks
// for a file's LSP diagnostics instead of its CLI report.
import { parentPort, workerData } from 'node:worker_threads';
import type { SeverityOverride } from '../rules/rule';
import { DiskSourceFiles } from '../workspace/fileSources';
import type { WorkspaceFileDiagnostics, WorkspaceFileProject } from '../lsp/workspaceFileDiagnostics';
import { FileChecker, PARSED_FILES_KEPT, UnreadableFileError, type FileCheckSettings } from './checkFile';
import type { FileReport } from './report';

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
const checker = new FileChecker(workerData as FileCheckSettings);
let disk: DiskSourceFiles | undefined;
// The language server's half is loaded on its first request: it pulls in vscode-languageserver
// (about 0.1 s of CPU per worker), which `check --concurrency` never uses.
let lspHalf: typeof import('../lsp/workspaceFileDiagnostics') | undefined;
port.on('message', async (request: CheckWorkerRequest) => {
  let reply: CheckWorkerReply;
  try {
    if (request.diagnostics) {
      disk ??= new DiskSourceFiles(PARSED_FILES_KEPT);
      lspHalf ??= await import('../lsp/workspaceFileDiagnostics.js');
      reply = { index: request.index, diagnostics: lspHalf.workspaceFileDiagnostics(request.fileName, disk, request.diagnostics.ruleSeverities, request.diagnostics.project) };
    } else {
      reply = { index: request.index, report: checker.check(request.fileName) };
    }
  } catch (error) {
    reply =
      error instanceof UnreadableFileError
        ? { index: request.index, unreadable: error.message }
        : { index: request.index, internalError: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
