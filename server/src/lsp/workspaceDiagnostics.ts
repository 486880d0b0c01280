// Whole-workspace diagnostics (LSP 3.17 `workspace/diagnostic`, pull), behind the setting
// `symmetryLint.lintWorkspace`: the findings of the model files nobody opened. Folders are
// walked as the CLI walks them (server/src/workspace/discovery.ts: .gitignore honoured,
// node_modules skipped), a folder at a time. Files are analysed from disk, as the CLI does, in the
// CLI's check worker threads (server/src/cli/checkThreads.ts CheckWorkerPool): the main thread
// only walks, sends and merges, no more than CHUNK_BUDGET_MS of it between two looks at the
// message queue. The pull is cancellable and, when the client gives a partial-result token,
// streams the reports as they come in. A file's report is kept until its file, or a file it reads (a helper it
// imports), changes on disk (`workspace/didChangeWatchedFiles`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type ResultProgressReporter,
  type WorkspaceDiagnosticParams,
  type WorkspaceDiagnosticReport,
  type WorkspaceDiagnosticReportPartialResult,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { CheckWorkerPool } from '../cli/checkThreads';
import type { CheckWorkerReply } from '../cli/checkWorker';
import { WorkspaceProgressNotification, type SymmetryLintSettings } from '../protocol';
import { walkSourceFolder } from '../workspace/discovery';
import type { TrainingScriptIndex } from '../workspace/trainingScripts';
import type { WorkspaceFileProject } from './workspaceFileDiagnostics';
import { fileNameForUri, uriForFileName } from '../workspace/documents';

/** Main-thread work between two yields to the message queue, in ms (the bound is 20). */
export const CHUNK_BUDGET_MS = 15;
/** Partial results and progress go out at most this often: a message per file would flood the client. */
const STREAM_INTERVAL_MS = 100;
/** Files handed to the workers ahead of their turn, per thread. */
const IN_FLIGHT_PER_THREAD = 2;

export interface WorkspaceDiagnosticsHost {
  connection: Connection;
  /** The workspace folders, as paths. */
  folders(): string[];
  /** Open documents are reported by their own pulls, from the editor's text. */
  isOpen(fileName: string): boolean;
  /** Settings of a folder (the resource scope of `lintWorkspace`). */
  settingsFor(uri: string): Promise<SymmetryLintSettings>;
  /** Changes with every settings change, so that reports made under old settings are redone. */
  settingsGeneration(): number;
  /** Whether the client asked for `workspace/diagnostic/refresh` support. */
  canRefresh(): boolean;
  log(message: string): void;
  /** The workspace's training scripts and imports, once indexed: where augmentation findings go. */
  trainingScripts(): Promise<TrainingScriptIndex>;
  /** Files changed on disk (also seen by the rest of the server: the training-script index). */
  onFilesChanged?(fileNames: readonly string[]): void;
}

interface FileReport {
  resultId: string;
  /** The file's modification time and size when analysed. */
  stamp: string;
  settingsGeneration: number;
  items: Diagnostic[];
  /** Every other file the analysis read (helpers): a change to one of them redoes this report. */
  reads: Set<string>;
  /** The training scripts that import the file and the files it imports, when analysed. */
  projectKey: string;
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Symmetry Lint: workspace diagnostics cancelled');
}

function yieldToQueuedMessages(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function stampOf(fileName: string): string | undefined {
  try {
    const stat = fs.statSync(fileName);
    return stat.isFile() ? `${stat.mtimeMs}:${stat.size}` : undefined;
  } catch {
    return undefined;
  }
}

export class WorkspaceDiagnostics {
  private readonly reports = new Map<string, FileReport>();
  private serial = 0;
  private pool: CheckWorkerPool | undefined;
  /** Worker threads of the pass: half the CPUs, at least one, so the editor keeps a core. */
  private readonly threads = Math.max(1, os.availableParallelism() >> 1);

  constructor(
    private readonly host: WorkspaceDiagnosticsHost,
    /** Distinguishes this server process's result ids from a previous one's. */
    private readonly resultIdPrefix: string,
  ) {}

  /** Registers the request and the watched-files notification on the connection. */
  register(): void {
    const { connection } = this.host;
    connection.languages.diagnostics.onWorkspace((params, token, _workDone, resultProgress) => this.pull(params, token, resultProgress));
    connection.onDidChangeWatchedFiles(({ changes }) => this.filesChanged(changes.map((change) => fileNameForUri(change.uri))));
  }

  /** Files changed on disk: their reports, and those of the files that read them, are redone. */
  filesChanged(fileNames: readonly string[]): void {
    this.host.onFilesChanged?.(fileNames);
    const changed = new Set(fileNames.map((fileName) => path.resolve(fileName)));
    for (const [fileName, report] of this.reports) {
      if (changed.has(fileName) || [...report.reads].some((read) => changed.has(read))) this.reports.delete(fileName);
    }
    if (this.host.canRefresh()) this.host.connection.languages.diagnostics.refresh().catch(() => undefined);
  }

  async pull(
    params: WorkspaceDiagnosticParams,
    token: CancellationToken,
    resultProgress?: ResultProgressReporter<WorkspaceDiagnosticReportPartialResult>,
  ): Promise<WorkspaceDiagnosticReport> {
    await yieldToQueuedMessages();
    if (token.isCancellationRequested) throw cancelled();
    // Each file with the settings of its folder (rule severities, `lintWorkspace` itself). The
    // walk reads a folder at a time and lets queued messages through between slices.
    const targets: { fileName: string; settings: SymmetryLintSettings }[] = [];
    const seen = new Set<string>();
    let sliceStarted = performance.now();
    for (const folder of this.host.folders()) {
      const settings = await this.host.settingsFor(uriForFileName(folder));
      if (!settings.enable || !settings.lintWorkspace) continue;
      let files: string[];
      try {
        const walking = walkSourceFolder(folder);
        let step = walking.next();
        while (!step.done) {
          if (performance.now() - sliceStarted > CHUNK_BUDGET_MS) {
            await yieldToQueuedMessages();
            if (token.isCancellationRequested) throw cancelled();
            sliceStarted = performance.now();
          }
          step = walking.next();
        }
        files = step.value;
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        this.host.log(`workspace diagnostics: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      for (const fileName of files) if (!seen.has(fileName) && seen.add(fileName)) targets.push({ fileName, settings });
    }
    if (targets.length === 0) return { items: [] };
    if (token.isCancellationRequested) throw cancelled();
    // Where augmentation findings go depends on who imports whom: wait for the index (built in
    // slices between queued messages, once).
    const trainingScripts = await this.host.trainingScripts();
    if (token.isCancellationRequested) throw cancelled();

    const previous = new Map((params.previousResultIds ?? []).map((entry) => [entry.uri, entry.value]));
    const generation = this.host.settingsGeneration();
    const streaming = resultProgress !== undefined;
    const all: WorkspaceDocumentDiagnosticReport[] = [];
    let chunk: WorkspaceDocumentDiagnosticReport[] = [];
    let chunkStarted = performance.now();
    let lastStreamed = chunkStarted;
    let done = 0;
    const emit = (fileName: string, report: FileReport): void => {
      const uri = uriForFileName(fileName);
      const item: WorkspaceDocumentDiagnosticReport =
        previous.get(uri) === report.resultId
          ? { kind: DocumentDiagnosticReportKind.Unchanged, uri, version: null, resultId: report.resultId }
          : { kind: DocumentDiagnosticReportKind.Full, uri, version: null, resultId: report.resultId, items: report.items };
      if (streaming) chunk.push(item);
      else all.push(item);
    };
    const send = (): void => {
      if (streaming && chunk.length > 0) resultProgress.report({ items: chunk });
      chunk = [];
      lastStreamed = performance.now();
      this.progress(done, targets.length);
    };
    // Between two looks at the message queue, the main thread only walks the list, reads stamps
    // and merges what the workers send back: never more than CHUNK_BUDGET_MS of it.
    const yieldIfDue = async (): Promise<void> => {
      if (performance.now() - chunkStarted <= CHUNK_BUDGET_MS) return;
      if (performance.now() - lastStreamed >= STREAM_INTERVAL_MS) send();
      await yieldToQueuedMessages();
      if (token.isCancellationRequested) throw cancelled();
      chunkStarted = performance.now();
    };

    const pool = this.workerPool();
    const inFlight = new Set<Promise<void>>();
    const analyseInWorker = (fileName: string, stamp: string, settings: SymmetryLintSettings, project: WorkspaceFileProject, projectKey: string): void => {
      const job = this.analyseInWorker(pool, fileName, stamp, generation, settings, project, projectKey).then((report) => {
        // A cancelled pass says no more: the report is kept for the next one all the same.
        if (token.isCancellationRequested) return;
        done++;
        if (report) emit(fileName, report);
        if (performance.now() - lastStreamed >= STREAM_INTERVAL_MS) send();
      });
      const tracked = job.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };

    for (const { fileName, settings } of targets) {
      await yieldIfDue();
      if (this.host.isOpen(fileName)) {
        done++;
        continue;
      }
      const stamp = stampOf(fileName);
      const kept = this.reports.get(fileName);
      const project = this.projectOf(trainingScripts, fileName);
      const projectKey = `${project.importers.join('\n')}\u0000${project.imports.join('\n')}`;
      if (stamp === undefined) {
        this.reports.delete(fileName);
        done++;
      } else if (kept && kept.stamp === stamp && kept.settingsGeneration === generation && kept.projectKey === projectKey) {
        done++;
        emit(fileName, kept);
      } else {
        analyseInWorker(fileName, stamp, settings, project, projectKey);
        // Enough files queued to keep every worker busy; the rest wait for their turn here, so a
        // cancel stops the pass without a backlog of analyses nobody wants.
        while (inFlight.size >= IN_FLIGHT_PER_THREAD * this.threads) {
          await Promise.race(inFlight);
          if (token.isCancellationRequested) throw cancelled();
        }
      }
    }
    while (inFlight.size > 0) {
      await Promise.race(inFlight);
      if (token.isCancellationRequested) throw cancelled();
    }
    send();
    return { items: streaming ? [] : all };
  }

  /** The analysis of a file off the main thread, in a check worker; kept as the file's report. */
  private async analyseInWorker(
    pool: CheckWorkerPool,
    fileName: string,
    stamp: string,
    generation: number,
    settings: SymmetryLintSettings,
    project: WorkspaceFileProject,
    projectKey: string,
  ): Promise<FileReport | undefined> {
    let reply: CheckWorkerReply;
    try {
      reply = await pool.request({ fileName, diagnostics: { ruleSeverities: settings.rules, project } });
    } catch (error) {
      if (this.pool === pool) {
        // Stopped or crashed: a later pull starts new workers.
        this.pool = undefined;
        pool.dispose();
      }
      this.host.log(`workspace diagnostics: analysis of ${fileName} failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if ('internalError' in reply) {
      this.host.log(`workspace diagnostics: analysis of ${fileName} failed: ${reply.internalError}`);
      return undefined;
    }
    if (!('diagnostics' in reply) || !reply.diagnostics) {
      this.reports.delete(fileName);
      return undefined;
    }
    const report: FileReport = {
      resultId: `${this.resultIdPrefix}:w${++this.serial}`,
      stamp,
      settingsGeneration: generation,
      items: reply.diagnostics.items,
      reads: new Set(reply.diagnostics.reads),
      projectKey,
    };
    // A report made under settings that changed meanwhile is not kept: the next pull redoes it.
    if (generation === this.host.settingsGeneration()) this.reports.set(fileName, report);
    return report;
  }

  /** What the training-script index says of a file, for the worker. */
  private projectOf(index: TrainingScriptIndex, fileName: string): WorkspaceFileProject {    // A file the walk found that the index has not seen yet (created since): it joins.
    index.addFile(fileName);
    // The files that report their own augmentations, as far as this file's analysis asks: the
    // file, and what it and its importers import (the placement of a training script's findings).
    const importers = [...index.importersOf(fileName)];
    const imports = new Set([path.resolve(fileName), ...index.importsOf(fileName)]);
    for (const importer of importers) for (const imported of index.importsOf(importer)) imports.add(imported);
    return { importers, imports: [...imports].sort() };
  }

  private workerPool(): CheckWorkerPool {
    this.pool ??= new CheckWorkerPool(this.threads, { cwd: this.host.folders()[0] ?? process.cwd(), symmetry: [] });
    return this.pool;
  }

  /** Stops the worker threads (server shutdown). */
  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
  }

  private progress(done: number, total: number): void {
    this.host.connection.sendNotification(WorkspaceProgressNotification, { done, total }).catch(() => undefined);
  }
}
