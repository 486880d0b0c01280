// The Symmetry Lint language server: open documents kept as incrementally updated syntax
// trees, pull diagnostics from the engine, hover with per-layer symmetry states, settings
// from the client. Every request is guarded: a failing analysis yields an empty answer and a
// `failed` status, never a dead server.
import {
  createConnection,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { analyzeFile, type FileAnalysis } from '../engine';
import { StatusNotification, type SymmetryLintSettings } from '../protocol';
import { DocumentStore, type OpenDocument } from '../workspace/documents';
import { DiskSourceFiles, WorkspaceSourceProvider } from '../workspace/fileSources';
import { toDiagnostic } from './diagnostics';
import { layerHover } from './hover';
import { SettingsCache } from './settings';
import serverPackage from '../../package.json';

/** The engine is bounded; this is its budget per file on the editor's critical path. */
const ANALYSIS_BUDGET_MS = 1500;

/** One analysis of one document version under one state of the workspace and settings. */
interface DocumentReport {
  /** Identifies the inputs: document version, workspace epoch, settings generation. */
  resultId: string;
  version: number;
  analysis: FileAnalysis | undefined;
  items: Diagnostic[];
}

function yieldToQueuedMessages(): Promise<void> {
  // vscode-jsonrpc handles one queued message per macrotask; waiting one lets a didChange or a
  // $/cancelRequest that arrived behind this request be applied before we do any work.
  return new Promise((resolve) => setImmediate(resolve));
}

function cancelled(retrigger: boolean): ResponseError<{ retriggerRequest: boolean }> {
  return new ResponseError(LSPErrorCodes.ServerCancelled, 'Symmetry Lint: request superseded', { retriggerRequest: retrigger });
}

export function startLanguageServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new DocumentStore();
  const disk = new DiskSourceFiles();
  const provider = new WorkspaceSourceProvider(documents, disk);
  let canPullConfiguration = false;
  let canRefreshDiagnostics = false;
  const settings = new SettingsCache(connection, () => canPullConfiguration);
  const reports = new Map<string, DocumentReport>();
  const savedVersions = new Map<string, number>();
  /** Changes whenever any document changes: analyses read other files (interFileDependencies). */
  let workspaceEpoch = 0;

  const log = (message: string): void => connection.console.error(`[symmetry-lint] ${message}`);

  const refreshDiagnostics = (): void => {
    if (canRefreshDiagnostics) connection.languages.diagnostics.refresh().catch(() => undefined);
  };

  const resultIdFor = (document: OpenDocument): string => `${document.version}:${workspaceEpoch}:${settings.generation}`;

  /** Runs the engine on a document's current tree; failures become an empty, `failed` report. */
  const analyze = (document: OpenDocument, current: SymmetryLintSettings): DocumentReport => {
    const started = Date.now();
    let analysis: FileAnalysis | undefined;
    let items: Diagnostic[] = [];
    let failure: string | undefined;
    try {
      const result = analyzeFile(document.sourceFile, provider, { ruleSeverities: current.rules, timeBudgetMs: ANALYSIS_BUDGET_MS });
      analysis = result;
      const context = {
        uri: document.uri,
        version: document.version,
        sourceFile: document.sourceFile,
        provider,
        uriOf: (fileName: string) => documents.getByFileName(fileName)?.uri,
      };
      items = result.findings.map((finding) => toDiagnostic(finding, context));
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      log(`analysis of ${document.uri} (version ${document.version}) failed: ${error instanceof Error ? (error.stack ?? error.message) : failure}`);
    }
    const report: DocumentReport = { resultId: resultIdFor(document), version: document.version, analysis, items };
    reports.set(document.uri, report);
    connection
      .sendNotification(StatusNotification, {
        uri: document.uri,
        version: document.version,
        state: failure !== undefined ? 'failed' : items.some((item) => item.severity === 1) ? 'problems' : 'ok',
        lastAnalysisMs: Date.now() - started,
        models: analysis?.models.length ?? 0,
        ...(failure !== undefined ? { message: failure } : {}),
      })
      .catch(() => undefined);
    return report;
  };

  /** The report for the document as it is now, reusing the last one when nothing changed. */
  const currentReport = (document: OpenDocument, current: SymmetryLintSettings): DocumentReport => {
    const previous = reports.get(document.uri);
    if (previous && previous.resultId === resultIdFor(document)) return previous;
    return analyze(document, current);
  };

  const answer = (report: DocumentReport, previousResultId: string | undefined): DocumentDiagnosticReport =>
    previousResultId === report.resultId
      ? { kind: DocumentDiagnosticReportKind.Unchanged, resultId: report.resultId }
      : { kind: DocumentDiagnosticReportKind.Full, resultId: report.resultId, items: report.items };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canRefreshDiagnostics = params.capabilities.workspace?.diagnostics?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        diagnosticProvider: { identifier: 'symmetry-lint', interFileDependencies: true, workspaceDiagnostics: false },
        hoverProvider: true,
      },
      serverInfo: { name: 'symmetry-lint', version: serverPackage.version },
    };
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    savedVersions.set(textDocument.uri, textDocument.version);
    workspaceEpoch++;
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    try {
      documents.change(textDocument.uri, textDocument.version, contentChanges);
    } catch (error) {
      // A change that cannot be applied leaves the tree out of step with the editor: drop
      // the document rather than lint text the user does not see.
      log(`could not apply a change to ${textDocument.uri}: ${error instanceof Error ? error.message : String(error)}`);
      documents.close(textDocument.uri);
    }
    workspaceEpoch++;
  });

  connection.onDidSaveTextDocument(async ({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return;
    savedVersions.set(textDocument.uri, document.version);
    const current = await settings.get(textDocument.uri);
    if (current.run === 'onSave') refreshDiagnostics();
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    documents.close(textDocument.uri);
    reports.delete(textDocument.uri);
    savedVersions.delete(textDocument.uri);
    settings.forget(textDocument.uri);
    workspaceEpoch++;
  });

  connection.onDidChangeConfiguration(({ settings: pushed }) => {
    settings.changed(pushed);
    refreshDiagnostics();
  });

  connection.languages.diagnostics.on(async (params, token: CancellationToken): Promise<DocumentDiagnosticReport> => {
    const uri = params.textDocument.uri;
    await yieldToQueuedMessages();
    if (token.isCancellationRequested) throw cancelled(false);
    if (!documents.get(uri)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const current = await settings.get(uri);
    if (token.isCancellationRequested) throw cancelled(false);
    const document = documents.get(uri);
    if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    if (!current.enable) {
      reports.delete(uri);
      connection.sendNotification(StatusNotification, { uri, version: document.version, state: 'disabled', lastAnalysisMs: 0, models: 0 }).catch(() => undefined);
      return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    }
    const previous = reports.get(uri);
    if (current.run === 'onSave' && previous && savedVersions.get(uri) !== document.version) {
      // Unsaved edits are not analysed in onSave mode: the last report stands.
      return answer(previous, params.previousResultId);
    }
    const version = document.version;
    const report = currentReport(document, current);
    // The analysis is synchronous, but guard the contract anyway: never answer for a version
    // the editor has already moved past.
    if (documents.get(uri)?.version !== version) throw cancelled(true);
    return answer(report, params.previousResultId);
  });

  connection.onHover(async (params, token) => {
    try {
      await yieldToQueuedMessages();
      if (token.isCancellationRequested) return null;
      const document = documents.get(params.textDocument.uri);
      if (!document) return null;
      const current = await settings.get(document.uri);
      if (!current.enable) return null;
      const report = currentReport(document, current);
      if (!report.analysis) return null;
      const offset = document.sourceFile.getPositionOfLineAndCharacter(
        Math.min(params.position.line, document.sourceFile.getLineStarts().length - 1),
        0,
      );
      const lineEnd = document.sourceFile.getLineEndOfPosition(offset);
      return layerHover(report.analysis, document.sourceFile, Math.min(offset + params.position.character, lineEnd));
    } catch (error) {
      log(`hover failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return null;
    }
  });

  connection.listen();
  return connection;
}
