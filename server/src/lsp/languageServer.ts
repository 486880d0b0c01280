// The Symmetry Lint language server: open documents kept as incrementally updated syntax
// trees, pull diagnostics from the engine, hover with per-layer symmetry states, settings
// from the client. Every request is guarded: a failing analysis yields an empty answer and a
// `failed` status, never a dead server.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import {
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { AnalysisCache, analyzeFile, type FileAnalysis } from '../engine';
import { ProbeRequest, ProbeSavedModelRequest, StatusNotification, WorkspaceTrustNotification, type StatusParams, type SymmetryLintInitializationOptions, type SymmetryLintSettings } from '../protocol';
import { setDocsBaseUrl } from '../rules/rule';
import { DocumentStore, fileNameForUri, uriForFileName, type OpenDocument } from '../workspace/documents';
import { DiskSourceFiles, WorkspaceSourceProvider } from '../workspace/fileSources';
import { isSourceFileName, walkSourceFolder } from '../workspace/discovery';
import { TrainingScriptIndex } from '../workspace/trainingScripts';
import { createServerConnection } from './connection';
import { LocatedDiagnostics, sameDiagnostic } from './diagnostics';
import { layerHover, modelHover } from './hover';
import { inferredCodeLenses, resolveInferredCodeLens } from './inferredCodeLens';
import { CODE_ACTION_OPTIONS, registerCodeActions } from './codeActions';
import { ProbeService } from './probes';
import { SettingsCache } from './settings';
import { WorkspaceTrustState } from './workspaceTrust';
import { DiagnosticsPusher } from './pushDiagnostics';
import { applyChangesToText, UnparsableDocuments } from './unparsableDocuments';
import { WorkspaceDiagnostics } from './workspaceDiagnostics';
import { SERVER_YOUNG_GENERATION_CAP_BYTES, stopYoungGenerationGrowthOnceAt } from '../youngGeneration';
import serverPackage from '../../package.json';

/** The engine is bounded; this is its budget per file on the editor's critical path. */
const ANALYSIS_BUDGET_MS = 1500;

/** One analysis of one document version under one state of the workspace and settings. */
interface DocumentReport {
  /** Identifies the inputs: document version, workspace epoch, settings generation. */
  inputs: string;
  /**
   * Identifies the items: kept from the previous report when the new items are the same, so
   * that a client that sends it back after an edit that moved no diagnostic gets `unchanged`.
   */
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

/** The server gives up on a pull because the document moved on: the client should ask again. */
function superseded(): ResponseError<{ retriggerRequest: boolean }> {
  return new ResponseError(LSPErrorCodes.ServerCancelled, 'Symmetry Lint: request superseded', { retriggerRequest: true });
}

/**
 * The client cancelled (it sends $/cancelRequest when the document changes under a pull).
 * Answer with RequestCancelled, never ServerCancelled + `retriggerRequest: false`:
 * vscode-languageclient (10.1.2 and earlier) rethrows that one before it forgets the open
 * request, and the document is then never pulled again until it is closed.
 */
function clientCancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Symmetry Lint: request cancelled by the client');
}

/** Same diagnostics in the same order; those carried over from the last analysis are the same objects. */
function sameDiagnostics(before: readonly Diagnostic[], after: readonly Diagnostic[]): boolean {
  return before.length === after.length && before.every((item, index) => sameDiagnostic(item, after[index]));
}

function readTextFile(fileName: string): string | undefined {
  try {
    return fs.readFileSync(fileName, 'utf8');
  } catch {
    return undefined;
  }
}

export function startLanguageServer(connection: Connection = createServerConnection()): Connection {
  const documents = new DocumentStore();
  const unparsable = new UnparsableDocuments();
  const disk = new DiskSourceFiles();
  const provider = new WorkspaceSourceProvider(documents, disk);
  let canPullConfiguration = false;
  let canRefreshDiagnostics = false;
  const settings = new SettingsCache(connection, () => canPullConfiguration);
  const reports = new Map<string, DocumentReport>();
  /** Per open document: the engine re-analyses only the model units an edit touched. */
  const analysisCaches = new Map<string, AnalysisCache>();
  /** Diagnostics of findings the engine carried over unchanged from the previous analysis. */
  const locatedDiagnostics = new LocatedDiagnostics();
  const savedVersions = new Map<string, number>();
  /** Probes that execute workspace code ask `trust.refusal(mode)` first. */
  const trust = new WorkspaceTrustState();
  /** Changes whenever any document changes: analyses read other files (interFileDependencies). */
  let workspaceEpoch = 0;

  const log = (message: string): void => connection.console.error(`[symmetry-lint] ${message}`);

  // The workspace's training scripts and imports (server/src/workspace/trainingScripts.ts): an
  // augmentation in a helper is reported in the helper's file. Built once after `initialized`,
  // in slices between queued messages; until then such a finding stays at the training call.
  let trainingScripts: TrainingScriptIndex | undefined;
  let indexing: Promise<TrainingScriptIndex> | undefined;
  const indexTrainingScripts = (): Promise<TrainingScriptIndex> =>
    (indexing ??= (async () => {
      let sliceStarted = performance.now();
      const yieldIfDue = async (): Promise<void> => {
        if (performance.now() - sliceStarted < 15) return;
        await yieldToQueuedMessages();
        sliceStarted = performance.now();
      };
      const files: string[] = [];
      for (const folder of workspaceFolderPaths) {
        try {
          const walking = walkSourceFolder(folder);
          let step = walking.next();
          while (!step.done) {
            await yieldIfDue();
            step = walking.next();
          }
          files.push(...step.value);
        } catch (error) {
          log(`training scripts: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const index = new TrainingScriptIndex(files, (fileName) => documents.getByFileName(fileName)?.sourceFile.text ?? readTextFile(fileName));
      await index.scanAll(yieldIfDue);
      trainingScripts = index;
      return index;
    })());

  const refreshDiagnostics = (): void => {
    if (canRefreshDiagnostics) connection.languages.diagnostics.refresh().catch(() => undefined);
    pusher.scheduleAll(documents.all().map((document) => document.uri));
  };

  // Probes run in a worker (server/src/lsp/probes.ts); their findings join the diagnostics.
  let workspaceFolderPaths: string[] = [];
  const probes = new ProbeService({
    connection,
    documents,
    provider,
    settingsFor: (uri) => settings.get(uri),
    // The report of the document as it is now, under the settings the caller read: the last
    // report may be of an older version, or made under other rule settings.
    analysisOf: (uri, current) => {
      const document = documents.get(uri);
      return document ? currentReport(document, current).analysis : undefined;
    },
    refreshDiagnostics: () => refreshDiagnostics(),
    workspaceFolders: () => workspaceFolderPaths,
    log: (message) => log(message),
    trustRefusal: (mode) => trust.refusal(mode),
  });

  // Starts with this process's own random prefix: a restarted server must never answer
  // `unchanged` to a resultId a previous server process handed out for different results.
  const resultIdPrefix = randomUUID().slice(0, 8);
  const inputsOf = (document: OpenDocument): string =>
    `${resultIdPrefix}:${document.version}:${workspaceEpoch}:${settings.generation}:${probes.generation}`;

  // The status of an analysis goes out after the answer that asked for it: written first, it
  // made every keystroke's diagnostics wait for a second write. Only the latest per document is
  // sent when analyses follow each other before the loop turns.
  const pendingStatus = new Map<string, StatusParams>();
  const sendStatusAfterAnswer = (status: StatusParams): void => {
    if (pendingStatus.size === 0) {
      setImmediate(() => {
        const statuses = [...pendingStatus.values()];
        pendingStatus.clear();
        for (const pending of statuses) connection.sendNotification(StatusNotification, pending).catch(() => undefined);
      });
    }
    pendingStatus.set(status.uri, status);
  };

  /** Runs the engine on a document's current tree; failures become an empty, `failed` report. */
  const analyze = (document: OpenDocument, current: SymmetryLintSettings): DocumentReport => {
    const started = Date.now();
    let analysis: FileAnalysis | undefined;
    let items: Diagnostic[] = [];
    let failure: string | undefined;
    try {
      let cache = analysisCaches.get(document.uri);
      if (!cache) {
        cache = new AnalysisCache();
        analysisCaches.set(document.uri, cache);
      }
      const result = analyzeFile(document.sourceFile, provider, { ruleSeverities: current.rules, timeBudgetMs: ANALYSIS_BUDGET_MS, cache, project: trainingScripts });
      // An analysis is what grows the young generation: stop at 16 MB instead of V8's 32.
      stopYoungGenerationGrowthOnceAt(SERVER_YOUNG_GENERATION_CAP_BYTES);
      analysis = result;
      const context = {
        uri: document.uri,
        version: document.version,
        sourceFile: document.sourceFile,
        provider,
        uriOf: (fileName: string) => documents.getByFileName(fileName)?.uri,
      };
      items = locatedDiagnostics.toDiagnostics(result.findings, context);
      for (const item of probes.diagnosticsFor(document.uri, document.version, document.sourceFile)) items.push(item);
      if (result.models.some((model) => model.declarations.length > 0)) probes.warmUpWhenIdle(current);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      log(`analysis of ${document.uri} (version ${document.version}) failed: ${error instanceof Error ? (error.stack ?? error.message) : failure}`);
      // Never silent: the file gets the one finding the CLI gives a file it cannot analyse.
      items = unparsable.diagnostics({ uri: document.uri, languageId: document.languageId, version: document.version, text: '', error }, current.rules);
    }
    const inputs = inputsOf(document);
    const previous = reports.get(document.uri);
    const resultId = previous && sameDiagnostics(previous.items, items) ? previous.resultId : inputs;
    const report: DocumentReport = { inputs, resultId, version: document.version, analysis, items };
    reports.set(document.uri, report);
    sendStatusAfterAnswer({
      uri: document.uri,
      version: document.version,
      state: failure !== undefined ? 'failed' : items.some((item) => item.severity === 1) ? 'problems' : 'ok',
      lastAnalysisMs: Date.now() - started,
      models: analysis?.models.length ?? 0,
      ...(failure !== undefined ? { message: failure } : {}),
    });
    return report;
  };

  /** The report for the document as it is now, reusing the last one when nothing changed. */
  const currentReport = (document: OpenDocument, current: SymmetryLintSettings): DocumentReport => {
    const previous = reports.get(document.uri);
    if (previous && previous.inputs === inputsOf(document)) return previous;
    return analyze(document, current);
  };

  const answer = (report: DocumentReport, previousResultId: string | undefined): DocumentDiagnosticReport =>
    previousResultId === report.resultId
      ? { kind: DocumentDiagnosticReportKind.Unchanged, resultId: report.resultId }
      : { kind: DocumentDiagnosticReportKind.Full, resultId: report.resultId, items: report.items };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canRefreshDiagnostics = params.capabilities.workspace?.diagnostics?.refreshSupport === true;
    trust.initialize(params.initializationOptions);
    setDocsBaseUrl((params.initializationOptions as SymmetryLintInitializationOptions | null | undefined)?.docsBaseUrl);
    // Clients without pull diagnostics (Neovim before 0.10) get them pushed.
    pusher.enabled = params.capabilities.textDocument?.diagnostic === undefined;
    workspaceFolderPaths = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri }] : [])).map((folder) => fileNameForUri(folder.uri));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        diagnosticProvider: { identifier: 'symmetry-lint', interFileDependencies: true, workspaceDiagnostics: true },
        hoverProvider: true,
        codeActionProvider: CODE_ACTION_OPTIONS,
        codeLensProvider: { resolveProvider: true },
      },
      serverInfo: { name: 'symmetry-lint', version: serverPackage.version },
    };
  });

  /** Opens a document, or keeps it as unparsable text when TypeScript's parser gives up on it. */
  const openOrKeepText = (uri: string, languageId: string, version: number, text: string): void => {
    analysisCaches.delete(uri);
    try {
      documents.open(uri, languageId, version, text);
      unparsable.forget(uri);
    } catch (error) {
      documents.close(uri);
      log(`could not parse ${uri} (version ${version}): ${error instanceof Error ? error.message : String(error)}`);
      unparsable.remember({ uri, languageId, version, text, error });
    }
  };

  connection.onInitialized(() => {
    void indexTrainingScripts().then(() => {
      workspaceEpoch++;
      refreshDiagnostics();
    });
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    openOrKeepText(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    analysisCaches.delete(textDocument.uri);
    savedVersions.set(textDocument.uri, textDocument.version);
    trainingScripts?.fileChanged(fileNameForUri(textDocument.uri));
    workspaceEpoch++;
    pusher.schedule(textDocument.uri);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const kept = unparsable.get(textDocument.uri);
    const open = documents.get(textDocument.uri);
    const textBefore = kept?.text ?? open?.sourceFile.text;
    try {
      if (kept) openOrKeepText(kept.uri, kept.languageId, textDocument.version, applyChangesToText(kept.text, contentChanges));
      else documents.change(textDocument.uri, textDocument.version, contentChanges);
    } catch (error) {
      if (open && textBefore !== undefined && error instanceof RangeError) {
        // The edit made the text too deep for the parser: keep the text, say so in one finding.
        openOrKeepText(open.uri, open.languageId, textDocument.version, applyChangesToText(textBefore, contentChanges));
        workspaceEpoch++;
        pusher.schedule(textDocument.uri);
        return;
      }
      // A change that cannot be applied leaves the tree out of step with the editor: drop
      // the document rather than lint text the user does not see.
      log(`could not apply a change to ${textDocument.uri}: ${error instanceof Error ? error.message : String(error)}`);
      documents.close(textDocument.uri);
    }
    // The open document's file name, known already: parsing the URI again cost more per
    // keystroke than the index's own work.
    trainingScripts?.fileChanged(open?.fileName ?? fileNameForUri(textDocument.uri));
    workspaceEpoch++;
    pusher.schedule(textDocument.uri);
  });

  connection.onDidSaveTextDocument(async ({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return;
    savedVersions.set(textDocument.uri, document.version);
    pusher.schedule(textDocument.uri);
    const current = await settings.get(textDocument.uri);
    if (current.run === 'onSave') refreshDiagnostics();
    void probes.onSaved(textDocument.uri);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    documents.close(textDocument.uri);
    unparsable.forget(textDocument.uri);
    reports.delete(textDocument.uri);
    analysisCaches.delete(textDocument.uri);
    locatedDiagnostics.forget(textDocument.uri);
    probes.forget(textDocument.uri);
    savedVersions.delete(textDocument.uri);
    settings.forget(textDocument.uri);
    trainingScripts?.fileChanged(fileNameForUri(textDocument.uri));
    workspaceEpoch++;
    pusher.clear(textDocument.uri);
  });

  connection.onNotification(WorkspaceTrustNotification, ({ workspaceTrusted }) => {
    if (workspaceTrusted) trust.grant();
  });

  connection.onDidChangeConfiguration(({ settings: pushed }) => {
    settings.changed(pushed);
    refreshDiagnostics();
  });

  const pullDiagnostics = async (
    params: { textDocument: { uri: string }; previousResultId?: string },
    token: CancellationToken,
  ): Promise<DocumentDiagnosticReport> => {
    const uri = params.textDocument.uri;
    await yieldToQueuedMessages();
    if (token.isCancellationRequested) throw clientCancelled();
    if (!documents.get(uri) && !unparsable.get(uri)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const current = await settings.get(uri);
    if (token.isCancellationRequested) throw clientCancelled();
    const unparsed = unparsable.get(uri);
    if (unparsed) {
      reports.delete(uri);
      const items = current.enable ? unparsable.diagnostics(unparsed, current.rules) : [];
      sendStatusAfterAnswer({ uri, version: unparsed.version, state: 'failed', lastAnalysisMs: 0, models: 0, message: 'file too deeply nested to analyse' });
      return { kind: DocumentDiagnosticReportKind.Full, items };
    }
    const document = documents.get(uri);
    if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    if (!current.enable) {
      reports.delete(uri);
      sendStatusAfterAnswer({ uri, version: document.version, state: 'disabled', lastAnalysisMs: 0, models: 0 });
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
    if (documents.get(uri)?.version !== version) throw superseded();
    return answer(report, params.previousResultId);
  };
  connection.languages.diagnostics.on(pullDiagnostics);
  // Files nobody opened, behind `symmetryLint.lintWorkspace` (server/src/lsp/workspaceDiagnostics.ts).
  const workspaceDiagnostics = new WorkspaceDiagnostics(
    {
      connection,
      folders: () => workspaceFolderPaths,
      isOpen: (fileName) => documents.getByFileName(fileName) !== undefined || unparsable.get(uriForFileName(fileName)) !== undefined,
      settingsFor: (uri) => settings.get(uri),
      settingsGeneration: () => settings.generation,
      canRefresh: () => canRefreshDiagnostics,
      log,
      trainingScripts: () => indexTrainingScripts(),
      onFilesChanged: (fileNames) => {
        if (!trainingScripts) return;
        for (const fileName of fileNames) {
          if (!isSourceFileName(fileName)) continue;
          if (fs.existsSync(fileName)) {
            trainingScripts.addFile(fileName);
            trainingScripts.fileChanged(fileName);
          } else {
            trainingScripts.removeFile(fileName);
          }
        }
        // Open documents read those files too (a training script that imports one of them).
        workspaceEpoch++;
        pusher.scheduleAll(documents.all().map((document) => document.uri));
      },
    },
    resultIdPrefix,
  );
  workspaceDiagnostics.register();
  // Push mode answers with the same reports (no previousResultId: always a full report).
  const pusher = new DiagnosticsPusher(
    connection,
    async (uri) => {
      const report = await pullDiagnostics({ textDocument: { uri } }, CancellationToken.None);
      return report.kind === DocumentDiagnosticReportKind.Full ? report.items : undefined;
    },
    log,
  );

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
      const at = Math.min(offset + params.position.character, lineEnd);
      return modelHover(report.analysis, document.sourceFile, at, provider) ?? layerHover(report.analysis, document.sourceFile, at);
    } catch (error) {
      log(`hover failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return null;
    }
  });

  // Restricted Mode: refuse the mode that runs workspace code before anything else looks at it.
  connection.onRequest(ProbeRequest, (params, token) => trust.refusal(params.mode) ?? probes.probe(params, token));
  connection.onRequest(ProbeSavedModelRequest, (params, token) => probes.probeSavedModel(params, token));
  connection.onCodeLens(async (params) => {
    try {
      const current = await settings.get(params.textDocument.uri);
      const document = documents.get(params.textDocument.uri);
      const analysis = document && current.enable ? currentReport(document, current).analysis : undefined;
      // The inferred lenses come without their title: it is computed when the editor resolves
      // a lens it shows, so a long file pays only for what is on screen.
      const inferred = document && analysis && current.codeLens.inferred ? inferredCodeLenses(document, analysis) : [];
      return [...probes.codeLenses(params.textDocument.uri, current), ...inferred];
    } catch (error) {
      log(`codeLens failed: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  });
  connection.onCodeLensResolve(async (lens) => {
    try {
      const uri = (lens.data as { uri?: unknown } | undefined)?.uri;
      if (typeof uri !== 'string') return lens;
      const document = documents.get(uri);
      const current = await settings.get(uri);
      const analysis = document && current.enable ? currentReport(document, current).analysis : undefined;
      return document && analysis ? resolveInferredCodeLens(lens, document, analysis, provider) : lens;
    } catch (error) {
      log(`codeLens resolve failed: ${error instanceof Error ? error.message : String(error)}`);
      return lens;
    }
  });
  connection.onShutdown(() => {
    probes.dispose();
    workspaceDiagnostics.dispose();
  });

  registerCodeActions(connection, {
    document: (uri) => documents.get(uri),
    analysis: async (uri) => {
      const document = documents.get(uri);
      if (!document) return undefined;
      const current = await settings.get(uri);
      const now = documents.get(uri);
      if (!current.enable || !now) return undefined;
      const analysis = currentReport(now, current).analysis;
      return analysis ? { analysis, options: { ruleSeverities: current.rules, timeBudgetMs: ANALYSIS_BUDGET_MS } } : undefined;
    },
    provider,
    log,
  });

  connection.listen();
  return connection;
}
