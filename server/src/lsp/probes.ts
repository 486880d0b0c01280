// The language server's probe face: the symmetryLint/probe and probeSavedModel requests, the
// "Probe symmetry" CodeLens, probe-on-save, and the probe findings merged into pull
// diagnostics. All tfjs work happens in the probe worker (server/src/probe/probeHost.ts); this
// module only plans, waits and stores results for the document version they measured.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LSPErrorCodes,
  ResponseError,
  WorkDoneProgress,
  type CancellationToken,
  type CodeLens,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { parseCommandLineDeclaration } from '../analysis/declarations';
import type { SourceProvider } from '../analysis/sourceProvider';
import { analyzeFile, spanToLspRange, type FileAnalysis, type LocatedFinding, type ModelAnalysis } from '../engine';
import type { ProbeFileResult, ProbeMode, ProbeParams, ProbeResult, ProbeSavedModelParams, ProbeVerdict, SymmetryLintSettings } from '../protocol';
import { trainedWeightsSentences } from '../probe/trainedWeightsView';
import { savedTopology, sourceBySaveCall, sourceByTopology, type SavedModelSource, type SavedTopology } from '../probe/savedModelSource';
import { RULES } from '../rules/registry';
import { ProbeHost, ProbeRunError } from '../probe/probeHost';
import { probeFile, probeSavedModel } from '../probe/runProbes';
import { planDeclarationOf, type PlanDeclaration } from '../probe/plan';
import { discoverSourceFiles } from '../workspace/discovery';
import { fileNameForUri, uriForFileName, type DocumentStore, type OpenDocument } from '../workspace/documents';
import { toDiagnostic } from './diagnostics';

export const PROBE_MODEL_COMMAND = 'symmetryLint.probeModel';

/** How long the server must have analysed nothing before it warms the probe worker up. */
const WARM_UP_IDLE_MS = 500;

/** At most this many model files are analysed to match a saved topology to its source. */
const SAVED_MODEL_SOURCE_FILES = 200;

export interface ProbeServiceHooks {
  connection: Connection;
  documents: DocumentStore;
  provider: SourceProvider;
  settingsFor(uri: string): Promise<SymmetryLintSettings>;
  /** The engine's analysis of an open document's current version. */
  /** The analysis of the open document's current version under `settings`. */
  analysisOf(uri: string, settings: SymmetryLintSettings): FileAnalysis | undefined;
  refreshDiagnostics(): void;
  workspaceFolders(): string[];
  log(message: string): void;
  /**
   * The workspace-trust refusal for a mode (WorkspaceTrustState.refusal). The request handler
   * asks first; this is the second check, next to where the user's code would run.
   */
  trustRefusal?(mode: ProbeMode | undefined): ResponseError<void> | undefined;
}

/** The model a saved model.json was trained from, analysed, and how it was found. */
interface SourceModel {
  fileName: string;
  modelName: string;
  /** How it was found: named by the request, or the link (a save call, the same layers). */
  words: string;
  sourceFile: import('ts-morph').ts.SourceFile;
  model: ModelAnalysis;
}

interface StoredProbe {
  version: number;
  findings: LocatedFinding[];
}

export class ProbeService {
  private host: ProbeHost | undefined;
  private hostBackend: 'wasm' | 'cpu' | undefined;
  private readonly stored = new Map<string, StoredProbe>();
  /** Bumped whenever stored probe findings change: part of the diagnostics' result id. */
  generation = 0;
  /** The pending idle warm-up (warmUpWhenIdle), re-armed by every analysis until it fires. */
  private warmUpTimer: NodeJS.Timeout | undefined;
  /** The host a warm-up was scheduled for: one warm-up per host, never again after it ran. */
  private warmUpScheduledFor: ProbeHost | undefined;

  constructor(private readonly hooks: ProbeServiceHooks) {}

  private hostFor(settings: SymmetryLintSettings): ProbeHost {
    if (!this.host || this.hostBackend !== settings.probe.backend) {
      void this.host?.dispose();
      this.host = new ProbeHost({ backend: settings.probe.backend });
      this.hostBackend = settings.probe.backend;
    }
    return this.host;
  }

  /**
   * Called after each analysis of a document with a declared model: starts the probe worker
   * once the server has been idle for WARM_UP_IDLE_MS, so that the first probe finds tfjs and
   * wasm loaded. The worker loads on its own thread, but on a small machine it competes with
   * the analysis for a core, so it waits for a pause in the typing.
   */
  warmUpWhenIdle(settings: SymmetryLintSettings): void {
    if (!settings.probe.warmUp) return;
    // A host on another backend may be busy with another folder's probe: leave it alone.
    if (this.host && this.hostBackend !== settings.probe.backend) return;
    const host = this.hostFor(settings);
    if (host.isWarm) return;
    // One warm-up per host: a worker that later stopped (a timeout) starts with the next probe.
    if (this.warmUpScheduledFor === host && !this.warmUpTimer) return;
    if (this.warmUpScheduledFor !== host) {
      this.warmUpScheduledFor = host;
      this.hooks.log('a declared model is open: the probe worker will start in idle time (symmetryLint.probe.warmUp)');
    }
    if (this.warmUpTimer) clearTimeout(this.warmUpTimer);
    this.warmUpTimer = setTimeout(() => {
      this.warmUpTimer = undefined;
      if (this.host !== host) return;
      host.warmUp().then(
        (info) => this.hooks.log(`probe worker ready in ${info.startMs.toFixed(0)} ms (${info.backend}${info.simd ? ', SIMD' : ''}), warmed in idle time`),
        (error: unknown) => this.hooks.log(`probe worker warm-up failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, WARM_UP_IDLE_MS);
    this.warmUpTimer.unref();
  }

  /** Probe findings of a document, only when they were measured on its current version. */
  diagnosticsFor(uri: string, version: number, sourceFile: import('ts-morph').ts.SourceFile): Diagnostic[] {
    const stored = this.stored.get(uri);
    if (!stored || stored.version !== version) return [];
    const context = { uri, version, sourceFile, provider: this.hooks.provider, uriOf: (fileName: string) => this.hooks.documents.getByFileName(fileName)?.uri };
    return stored.findings.map((finding) => toDiagnostic(finding, context));
  }

  forget(uri: string): void {
    if (this.stored.delete(uri)) this.generation++;
  }

  codeLenses(uri: string, settings: SymmetryLintSettings): CodeLens[] {
    if (!settings.enable || !settings.codeLens.enable) return [];
    const document = this.hooks.documents.get(uri);
    const analysis = this.hooks.analysisOf(uri, settings);
    if (!document || !analysis) return [];
    return analysis.models
      .filter((model) => model.declarations.length > 0)
      .map((model) => {
        const range = spanToLspRange(document.sourceFile, model.graph.nameSpan);
        const variant = model.graph.variant;
        // One lens per variant (SPEC 4): each is its own model graph, probed on its own.
        const title = variant !== undefined ? `Probe symmetry (when ${variant})` : 'Probe symmetry';
        return { range, command: { title, command: PROBE_MODEL_COMMAND, arguments: [{ uri, modelName: model.graph.name, ...(variant !== undefined ? { variant } : {}) }] } };
      });
  }

  async probe(params: ProbeParams, token?: CancellationToken): Promise<ProbeResult> {
    const abort = new AbortController();
    const subscription = token?.onCancellationRequested(() => abort.abort());
    const refusal = this.hooks.trustRefusal?.(params.mode);
    if (refusal) throw refusal;
    const progress = this.progress(params.workDoneToken, params.mode === 'execute' ? 'Symmetry Lint: probing (running the model code)' : 'Symmetry Lint: probing');
    try {
      const targets = this.targetsOf(params);
      // The versions the request is about, taken before any await: an edit that arrives while
      // the probe runs makes its result stale, whatever it measured.
      // The open document objects too: a document closed and reopened meanwhile may come back
      // with the same version number, but it is another document.
      const requested = new Map(targets.map((uri) => {
        const document = this.hooks.documents.get(uri);
        return [uri, { document, version: document?.version ?? null }];
      }));
      const files: ProbeFileResult[] = [];
      for (let i = 0; i < targets.length; i++) {
        if (abort.signal.aborted) throw new ProbeRunError('cancelled', 'the probe was cancelled');
        progress.report(`${path.basename(fileNameForUri(targets[i]))} (${i + 1}/${targets.length})`, Math.round((100 * i) / targets.length));
        const { document, version } = requested.get(targets[i]) ?? { document: undefined, version: null };
        files.push(await this.probeUri(targets[i], params, abort.signal, version, document));
      }
      if (files.length > 0) this.hooks.refreshDiagnostics();
      return { files };
    } catch (error) {
      if (error instanceof ProbeRunError && error.reason === 'cancelled') throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Symmetry Lint: probe cancelled');
      if (error instanceof ResponseError) throw error;
      this.hooks.log(`probe failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      throw new ResponseError(LSPErrorCodes.RequestFailed, `Symmetry Lint: the probe failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      progress.done();
      subscription?.dispose();
    }
  }

  async probeSavedModel(params: ProbeSavedModelParams, token?: CancellationToken): Promise<ProbeResult> {
    const abort = new AbortController();
    const subscription = token?.onCancellationRequested(() => abort.abort());
    const progress = this.progress(params.workDoneToken, 'Symmetry Lint: probing saved model');
    try {
      const modelJsonPath = fileNameForUri(params.modelJsonUri);
      const source = this.sourceModelOf(params, modelJsonPath);
      // No declarations given: those of the model it was trained from, as its JSDoc says them.
      const texts = params.declarations.length > 0 ? params.declarations : (source?.model.declarations ?? []).filter((declaration) => !declaration.fromCommandLine).map((declaration) => declaration.text);
      if (texts.length === 0) {
        throw new ResponseError(LSPErrorCodes.RequestFailed, source ? `Symmetry Lint: no declarations given, and the source model ${source.modelName} declares none: give one, e.g. "invariant flip"` : 'Symmetry Lint: no declarations given, and no source model in the workspace is linked to this model.json: give one, e.g. "invariant flip"');
      }
      const declarations: PlanDeclaration[] = [];
      for (const text of texts) {
        const parsed = parseCommandLineDeclaration(text);
        if ('problem' in parsed) throw new ResponseError(LSPErrorCodes.RequestFailed, `invalid declaration "${text}": expected ${parsed.problem.expected}${parsed.problem.suggestion ? ` (did you mean "${parsed.problem.suggestion}"?)` : ''}`);
        declarations.push(planDeclarationOf(parsed));
      }
      const settings = await this.hooks.settingsFor(params.modelJsonUri);
      const report = await probeSavedModel(this.hostFor(settings), modelJsonPath, declarations, { timeoutMs: settings.probe.timeoutMs, maxParameters: settings.probe.maxParameters, signal: abort.signal });
      const trainedWeights = source && this.trainedWeightsOf(source, report.verdicts, report.layers.map((layer) => layer.kind));
      return { files: [{ uri: params.modelJsonUri, version: null, models: [trainedWeights ? { ...report, ...trainedWeights } : report] }] };
    } catch (error) {
      if (error instanceof ProbeRunError && error.reason === 'cancelled') throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Symmetry Lint: probe cancelled');
      if (error instanceof ResponseError) throw error;
      throw new ResponseError(LSPErrorCodes.RequestFailed, `Symmetry Lint: the probe failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      progress.done();
      subscription?.dispose();
    }
  }

  /**
   * The model a saved one was trained from: the one the request names, or else the one the
   * workspace's code links to the model.json (a save call naming its place, or the same layers),
   * analysed, with which link was used.
   */
  private sourceModelOf(params: ProbeSavedModelParams, modelJsonPath: string): SourceModel | undefined {
    let source: { fileName: string; modelName: string; words: string } | undefined;
    if (params.sourceUri && params.modelName) {
      source = { fileName: fileNameForUri(params.sourceUri), modelName: params.modelName, words: 'named by the request' };
    } else {
      const linked = this.linkSavedModel(modelJsonPath);
      if (linked) source = { fileName: linked.fileName, modelName: linked.modelName, words: linked.link === 'save-call' ? `linked by a save call: ${linked.detail}` : `linked by topology: ${linked.detail}` };
    }
    if (!source) return undefined;
    const sourceFile = this.hooks.documents.getByFileName(source.fileName)?.sourceFile ?? this.hooks.provider.getSourceFile(source.fileName);
    if (!sourceFile) return undefined;
    const model = analyzeFile(sourceFile, this.hooks.provider).models.find((candidate) => candidate.graph.name === source.modelName);
    return model && { ...source, sourceFile, model };
  }

  /** The static verdict of the source model beside each saved-model verdict, and which link found it. */
  private trainedWeightsOf(source: SourceModel, verdicts: ProbeVerdict[], savedLayers: string[]): { trainedWeights: string[]; trainedWeightsSource: string } {
    const { sourceFile } = source;
    return {
      trainedWeights: trainedWeightsSentences(source.model, verdicts, (span) => sourceFile.getLineAndCharacterOfPosition(span.start).line + 1, savedLayers),
      trainedWeightsSource: `source model ${source.modelName} (${path.basename(source.fileName)}), ${source.words}`,
    };
  }

  /** The workspace model a model.json was saved from: a save call first, else a unique topology match. */
  private linkSavedModel(modelJsonPath: string): SavedModelSource | undefined {
    const roots = this.hooks.workspaceFolders();
    let files: string[];
    try {
      files = roots.length > 0 ? discoverSourceFiles(roots) : [];
    } catch {
      files = [];
    }
    // Open documents count too (a file outside the workspace folders, a client without folders).
    for (const document of this.hooks.documents.all()) if (!files.includes(document.sourceFile.fileName)) files.push(document.sourceFile.fileName);
    const textOf = (fileName: string): string => {
      const open = this.hooks.documents.getByFileName(fileName);
      if (open) return open.sourceFile.text;
      try {
        return fs.readFileSync(fileName, 'utf8');
      } catch {
        return '';
      }
    };
    const texts = new Map(files.map((fileName) => [fileName, textOf(fileName)]));
    const bySave = sourceBySaveCall(modelJsonPath, files.filter((fileName) => /\.\s*save\s*\(/.test(texts.get(fileName)!)), this.hooks.provider, roots);
    if (bySave) return { ...bySave, link: 'save-call' };
    let saved: SavedTopology | undefined;
    try {
      saved = savedTopology(JSON.parse(fs.readFileSync(modelJsonPath, 'utf8')));
    } catch {
      saved = undefined;
    }
    if (!saved || saved.classes.length === 0) return undefined;
    // Files that build models; each analysed once, rules off (only the layer lists are read).
    const builders = files.filter((fileName) => /\b(sequential|model)\s*\(/.test(texts.get(fileName)!) && /layers/.test(texts.get(fileName)!)).slice(0, SAVED_MODEL_SOURCE_FILES);
    const off = { ruleSeverities: Object.fromEntries(RULES.map((rule) => [rule.id, 'off' as const])) };
    const models = builders.flatMap((fileName) => {
      const sourceFile = this.hooks.documents.getByFileName(fileName)?.sourceFile ?? this.hooks.provider.getSourceFile(fileName);
      return sourceFile ? analyzeFile(sourceFile, this.hooks.provider, off).models : [];
    });
    const byTopology = sourceByTopology(saved, models);
    return byTopology ? { ...byTopology, link: 'topology' } : undefined;
  }

  /** Probe-on-save: runs in the background; its findings appear through a diagnostics refresh. */
  async onSaved(uri: string): Promise<void> {
    const settings = await this.hooks.settingsFor(uri);
    if (!settings.enable || !settings.probe.onSave) return;
    const document = this.hooks.documents.get(uri);
    try {
      await this.probeUri(uri, { scope: 'file', uri }, undefined, document?.version ?? null, document);
      this.hooks.refreshDiagnostics();
    } catch (error) {
      this.hooks.log(`probe on save of ${uri} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private targetsOf(params: ProbeParams): string[] {
    if (params.scope === 'workspace') {
      const folders = this.hooks.workspaceFolders();
      if (folders.length === 0) throw new ResponseError(LSPErrorCodes.RequestFailed, 'Symmetry Lint: no workspace folder is open');
      return discoverSourceFiles(folders).map((fileName) => this.hooks.documents.getByFileName(fileName)?.uri ?? uriForFileName(fileName));
    }
    if (!params.uri) throw new ResponseError(LSPErrorCodes.RequestFailed, `Symmetry Lint: a ${params.scope} probe needs a uri`);
    return [params.uri];
  }

  private async probeUri(uri: string, params: ProbeParams, signal: AbortSignal | undefined, version: number | null, requestedDocument: OpenDocument | undefined): Promise<ProbeFileResult> {
    const settings = await this.hooks.settingsFor(uri);
    const document = this.hooks.documents.get(uri);
    const sourceFile = document?.sourceFile ?? this.hooks.provider.getSourceFile(fileNameForUri(uri));
    if (!sourceFile) return { uri, version: null, models: [{ name: path.basename(fileNameForUri(uri)), line: 0, status: 'error', message: 'the file cannot be read', verdicts: [], layers: [], durationMs: 0 }] };
    const analysis = (document ? this.hooks.analysisOf(uri, settings) : undefined) ?? analyzeFile(sourceFile, this.hooks.provider, { ruleSeverities: settings.rules });
    const select = (model: FileAnalysis['models'][number]): boolean => {
      if (params.scope !== 'model') return true;
      if (params.modelName !== undefined) return model.graph.name === params.modelName && (params.variant === undefined || model.graph.variant === params.variant);
      if (!params.position) return true;
      const start = spanToLspRange(sourceFile, { start: model.graph.nameSpan.start, end: model.graph.nameSpan.start }).start.line;
      const end = spanToLspRange(sourceFile, { start: model.graph.creationSpan.end, end: model.graph.creationSpan.end }).start.line;
      const layersEnd = Math.max(end, ...model.graph.layers.map((layer) => spanToLspRange(sourceFile, layer.span).end.line));
      return params.position.line >= start - 1 && params.position.line <= layersEnd + 1;
    };
    const outcome = await probeFile(this.hostFor(settings), analysis, sourceFile, { timeoutMs: settings.probe.timeoutMs, maxParameters: settings.probe.maxParameters, ...(signal ? { signal } : {}), severities: settings.rules, execute: params.mode === 'execute' }, select);
    if (params.scope === 'model' && outcome.reports.length === 0) {
      const what = params.modelName !== undefined ? `no declared model named ${params.modelName}` : 'no declared model at the cursor';
      return { uri, version, models: [{ name: params.modelName ?? '', line: (params.position?.line ?? 0) + 1, status: 'skipped', message: `${what} in this file`, verdicts: [], layers: [], durationMs: 0 }] };
    }
    const current = this.hooks.documents.get(uri);
    if (version !== null && (current !== requestedDocument || current?.version !== version)) {
      // The document moved on while the probe ran: its lines no longer match. Drop it.
      return { uri, version, models: outcome.reports.map((report) => ({ ...report, status: 'skipped', message: 'the document changed while the probe ran: the result was dropped; probe again', verdicts: [], layers: [] })) };
    }
    if (version !== null) {
      const previous = this.stored.get(uri);
      // A model's variants share its name (SPEC 4): a probe of one variant keeps the others' findings.
      const probed = new Set(outcome.reports.map((report) => `${report.name}\u0000${report.variant ?? ''}`));
      // Keep earlier findings of models this request did not probe (same version only).
      const kept = previous && previous.version === version ? previous.findings.filter((finding) => !probed.has(`${finding.modelName ?? ''}\u0000${finding.modelVariant ?? ''}`)) : [];
      this.stored.set(uri, { version, findings: [...kept, ...outcome.findings] });
      this.generation++;
    }
    return { uri, version, models: outcome.reports };
  }

  private progress(token: string | number | undefined, title: string): { report(message: string, percentage: number): void; done(): void } {
    if (token === undefined) return { report() {}, done() {} };
    const send = (value: unknown) => this.hooks.connection.sendProgress(WorkDoneProgress.type, token, value as never).catch(() => undefined);
    void send({ kind: 'begin', title, cancellable: true, percentage: 0 });
    return {
      report: (message, percentage) => void send({ kind: 'report', message, percentage }),
      done: () => void send({ kind: 'end' }),
    };
  }

  async dispose(): Promise<void> {
    if (this.warmUpTimer) clearTimeout(this.warmUpTimer);
    this.warmUpTimer = undefined;
    await this.host?.dispose();
    this.host = undefined;
  }
}
