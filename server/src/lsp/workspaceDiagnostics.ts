// Whole-workspace diagnostics (LSP 3.17 `workspace/diagnostic`, pull), behind the setting
// `symmetryLint.lintWorkspace`: the findings of the model files nobody opened. Folders are
// walked as the CLI walks them (server/src/workspace/discovery.ts: .gitignore honoured,
// node_modules skipped). Files are analysed from disk in the background, a chunk at a time, so
// that no more than CHUNK_BUDGET_MS of main-thread work passes between two looks at the message
// queue; the pull is cancellable and, when the client gives a partial-result token, streams each
// chunk's reports. A file's report is kept until its file, or a file it reads (a helper it
// imports), changes on disk (`workspace/didChangeWatchedFiles`).
import * as fs from 'node:fs';
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
import type { ts } from 'ts-morph';
import { analyzeFile } from '../engine';
import type { SourceProvider } from '../analysis/sourceProvider';
import { WorkspaceProgressNotification, type SymmetryLintSettings } from '../protocol';
import { discoverSourceFiles } from '../workspace/discovery';
import { fileNameForUri, uriForFileName } from '../workspace/documents';
import { locatedDiagnostic } from './diagnostics';

/** Main-thread work between two yields to the message queue, in ms (the bound is 20). */
export const CHUNK_BUDGET_MS = 15;
/** A file of the workspace gets the editor's per-file budget too. */
const ANALYSIS_BUDGET_MS = 1500;

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
  /** Open buffers first, then the disk: what the document pulls read too. */
  provider: SourceProvider;
  /** Whether the client asked for `workspace/diagnostic/refresh` support. */
  canRefresh(): boolean;
  log(message: string): void;
}

interface FileReport {
  resultId: string;
  /** The file's modification time and size when analysed. */
  stamp: string;
  settingsGeneration: number;
  items: Diagnostic[];
  /** Every other file the analysis read (helpers): a change to one of them redoes this report. */
  reads: Set<string>;
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
    // Each file with the settings of its folder (rule severities, `lintWorkspace` itself).
    const targets: { fileName: string; settings: SymmetryLintSettings }[] = [];
    const seen = new Set<string>();
    for (const folder of this.host.folders()) {
      const settings = await this.host.settingsFor(uriForFileName(folder));
      if (!settings.enable || !settings.lintWorkspace) continue;
      let files: string[];
      try {
        files = discoverSourceFiles([folder]);
      } catch (error) {
        this.host.log(`workspace diagnostics: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      for (const fileName of files) if (!seen.has(fileName) && seen.add(fileName)) targets.push({ fileName, settings });
    }
    if (targets.length === 0) return { items: [] };
    if (token.isCancellationRequested) throw cancelled();

    const previous = new Map((params.previousResultIds ?? []).map((entry) => [entry.uri, entry.value]));
    const generation = this.host.settingsGeneration();
    const streaming = resultProgress !== undefined;
    const all: WorkspaceDocumentDiagnosticReport[] = [];
    let chunk: WorkspaceDocumentDiagnosticReport[] = [];
    let chunkStarted = performance.now();
    const flush = async (): Promise<void> => {
      if (streaming && chunk.length > 0) resultProgress.report({ items: chunk });
      chunk = [];
      this.progress(done, targets.length);
      await yieldToQueuedMessages();
      if (token.isCancellationRequested) throw cancelled();
      chunkStarted = performance.now();
    };

    let done = 0;
    for (const { fileName, settings } of targets) {
      if (performance.now() - chunkStarted > CHUNK_BUDGET_MS) await flush();
      done++;
      if (this.host.isOpen(fileName)) continue;
      const report = this.reportOf(fileName, generation, settings);
      if (!report) continue;
      const uri = uriForFileName(fileName);
      const item: WorkspaceDocumentDiagnosticReport =
        previous.get(uri) === report.resultId
          ? { kind: DocumentDiagnosticReportKind.Unchanged, uri, version: null, resultId: report.resultId }
          : { kind: DocumentDiagnosticReportKind.Full, uri, version: null, resultId: report.resultId, items: report.items };
      if (streaming) chunk.push(item);
      else all.push(item);
    }
    await flush();
    return { items: streaming ? [] : all };
  }

  /** The file's report, from the last analysis when neither it nor the settings changed. */
  private reportOf(fileName: string, generation: number, settings: SymmetryLintSettings): FileReport | undefined {
    const stamp = stampOf(fileName);
    if (stamp === undefined) {
      this.reports.delete(fileName);
      return undefined;
    }
    const kept = this.reports.get(fileName);
    if (kept && kept.stamp === stamp && kept.settingsGeneration === generation) return kept;
    const report = this.analyse(fileName, stamp, generation, settings);
    if (report) this.reports.set(fileName, report);
    return report;
  }

  private analyse(fileName: string, stamp: string, generation: number, settings: SymmetryLintSettings): FileReport | undefined {
    const reads = new Set<string>();
    const provider: SourceProvider = {
      getSourceFile: (name: string) => {
        const resolved = path.resolve(name);
        if (resolved !== fileName) reads.add(resolved);
        return this.host.provider.getSourceFile(name);
      },
    };
    let sourceFile: ts.SourceFile | undefined;
    try {
      sourceFile = this.host.provider.getSourceFile(fileName);
    } catch (error) {
      this.host.log(`workspace diagnostics: cannot parse ${fileName}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if (!sourceFile) return undefined;
    const uri = uriForFileName(fileName);
    let items: Diagnostic[] = [];
    try {
      const analysis = analyzeFile(sourceFile, provider, { ruleSeverities: settings.rules, timeBudgetMs: ANALYSIS_BUDGET_MS });
      const context = { uri, version: 0, sourceFile, provider: this.host.provider, uriOf: () => undefined };
      items = analysis.findings.map((finding) => locatedDiagnostic(finding, context));
    } catch (error) {
      this.host.log(`workspace diagnostics: analysis of ${fileName} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { resultId: `${this.resultIdPrefix}:w${++this.serial}`, stamp, settingsGeneration: generation, items, reads };
  }

  private progress(done: number, total: number): void {
    this.host.connection.sendNotification(WorkspaceProgressNotification, { done, total }).catch(() => undefined);
  }
}
