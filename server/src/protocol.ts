// Symmetry Lint's own LSP messages and settings, declared once and imported by both the
// language server and the VS Code client. Only protocol types here: the client must stay free
// of ts-morph and tfjs.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { SeverityOverride } from './rules/rule';

/** The `symmetryLint` configuration section, as the server reads it. */
export interface SymmetryLintSettings {
  enable: boolean;
  /** Analyse on every change, or only what was last saved. */
  run: 'onType' | 'onSave';
  /** Per-rule severity overrides (`{"padding-boundary": "off"}`). */
  rules: Record<string, SeverityOverride>;
  probe: {
    /** Re-run the probes of a file's declared models when it is saved. */
    onSave: boolean;
    /** Upper bound on one model's probe, in ms. */
    timeoutMs: number;
    /** `wasm` (SIMD) by default; `cpu` is the pure-JS fallback. */
    backend: 'wasm' | 'cpu';
    /** Models with more parameters than this are not probed (clear message instead). */
    maxParameters: number;
    /** Start the probe worker in idle time once a declared model is seen, so the first probe answers sooner. */
    warmUp: boolean;
  };
  /** `inferred`: a lens above each undeclared model with the symmetries it has (opt-in). */
  codeLens: { enable: boolean; inferred: boolean };
  /** Where rule pages are published; empty means the pages shipped with the server. */
  docs: { baseUrl: string };
  trace: { server: 'off' | 'messages' | 'verbose' };
  /** Report the findings of every model file of the workspace, opened or not (workspace/diagnostic). */
  lintWorkspace: boolean;
}

export const CONFIGURATION_SECTION = 'symmetryLint';

export const DEFAULT_SETTINGS: SymmetryLintSettings = {
  enable: true,
  run: 'onType',
  rules: {},
  probe: { onSave: false, timeoutMs: 30000, backend: 'wasm', maxParameters: 20_000_000, warmUp: true },
  codeLens: { enable: true, inferred: false },
  docs: { baseUrl: '' },
  trace: { server: 'off' },
  lintWorkspace: false,
};

/** Where the server is with one document. */
export type AnalysisState =
  /** analysed, no error-severity finding */
  | 'ok'
  /** analysed, at least one error-severity finding */
  | 'problems'
  /** disabled by `symmetryLint.enable` */
  | 'disabled'
  /** the analysis threw or ran out of time; the message says why */
  | 'failed';

export interface StatusParams {
  uri: string;
  /** The document version the state is about. */
  version: number;
  state: AnalysisState;
  /** Wall time of the last analysis of this document, in ms. */
  lastAnalysisMs: number;
  /** The number of models found in the document. */
  models: number;
  message?: string;
}

/** Server -> client: the outcome of each analysis, for a status bar item. */
export const StatusNotification = new NotificationType<StatusParams>('symmetryLint/status');

export interface WorkspaceProgressParams {
  /** Files of the workspace looked at so far in this pass, and how many there are. */
  done: number;
  total: number;
}

/** Server -> client: how far a pass of whole-workspace diagnostics is ("linting workspace 120/400"). */
export const WorkspaceProgressNotification = new NotificationType<WorkspaceProgressParams>('symmetryLint/workspaceProgress');

// ---------------------------------------------------------------------------------------------
// Numeric probes (SPEC section 5). The report webview renders `ProbeResult` as it is.

/** What one probe request covers. */
export type ProbeScope =
  /** the model whose holder contains `position` (or is named `modelName`) in `uri` */
  | 'model'
  /** every model in `uri` */
  | 'file'
  /** every model in the workspace folders' files */
  | 'workspace';

export interface ProbeParams {
  scope: ProbeScope;
  uri?: string;
  position?: { line: number; character: number };
  modelName?: string;
  /** With `modelName`: only this variant of the model (SPEC 4); without it, all of them. */
  variant?: string;
  /** `literal` (default) or `execute` (trusted workspaces only); see `ProbeMode`. */
  mode?: ProbeMode;
  /** LSP work-done progress token; the client shows VS Code progress with a cancel button. */
  workDoneToken?: string | number;
}

/** One declaration's numeric verdict (SPEC section 8 `probe.verdicts`, plus what the UI needs). */
export interface ProbeVerdict {
  mode: 'invariant' | 'equivariant';
  group: string;
  tol: number;
  maxRelError: number;
  maxAbsError: number;
  /** The group element with the largest error, e.g. "rotation by 90°, k=1". */
  worstElement: string;
  /** 1-based line of the blamed layer, or null when no layer exceeds `tol`. */
  breakingLayerLine: number | null;
  passed: boolean;
  /** What the static analysis predicted for this declaration. */
  staticVerdict: 'holds' | 'approximate' | 'subgroup' | 'breaks' | 'unknown';
  /** False when probe and static analysis disagree (reported as probe-disagrees), or when nothing was measured. */
  agrees: boolean;
  /** False when the probe measured no error at the output (no action it knows there): the verdict confirms nothing. */
  measured: boolean;
  /**
   * How probe and static analysis differ when they do not reach the same verdict at the same
   * layer (then `agrees` is false), in words for the report.
   */
  difference?: string;
}

/** The measured error at one layer's output, per declaration (same order as `verdicts`). */
export interface LayerMeasurement {
  kind: string;
  /** 1-based line of the layer in the model's file. */
  line: number;
  relError: (number | null)[];
  maxAbsError: (number | null)[];
  /**
   * Translation only: the error on the interior no border or shift seam reaches through the
   * receptive field so far; the blame uses it where the static state is approx (border).
   */
  interiorRelError?: (number | null)[];
  /** `equivariance` where the induced action is defined, `invariance` where only that is measured. */
  measured: ('equivariance' | 'invariance')[];
  /** The static state after this layer, per declaration (as the hover shows it). */
  staticState: string[];
}

export interface ModelProbeReport {
  name: string;
  /** The variant probed, when the model has several (SPEC 4): its path, `rnnType === 'lstm'`. */
  variant?: string;
  /** 1-based line of the model's holder. */
  line: number;
  status: 'ok' | 'skipped' | 'error';
  /** `execute` when the model was obtained by running the user's code; absent for literal probes. */
  mode?: ProbeMode;
  /** Why it was skipped or failed: a layer that cannot be built, a limit, a timeout. */
  message?: string;
  /** Values the probe chose where the analysis knows none ("units = 8 (dense, line 12) chosen for a width not known statically"). */
  assumptions?: string[];
  verdicts: ProbeVerdict[];
  /**
   * Saved-model probe of a known source model: per verdict, the static verdict beside the
   * trained weights' error ("static: broken at conv2d line 12; trained weights: 0.03 …").
   */
  trainedWeights?: string[];
  /**
   * With `trainedWeights`: which source model, and how it was found ("source model buildX
   * (train.ts), linked by a save call: model.save('file://./out') at train.ts line 41").
   */
  trainedWeightsSource?: string;
  layers: LayerMeasurement[];
  /** Wall time of the probe, in ms. */
  durationMs: number;
}

export interface ProbeFileResult {
  uri: string;
  /** The document version the probe measured; results for older versions are dropped. */
  version: number | null;
  models: ModelProbeReport[];
}

export interface ProbeResult {
  files: ProbeFileResult[];
}

/** Client -> server: run probes; cancellable with $/cancelRequest. */
export const ProbeRequest = new RequestType<ProbeParams, ProbeResult, void>('symmetryLint/probe');

export interface ProbeSavedModelParams {
  /** A tfjs `model.json`; its weight files are read from beside it. */
  modelJsonUri: string;
  /** Declarations to check, in `@symmetry` grammar without the tag (`invariant rotation90`). */
  declarations: string[];
  /**
   * The source model the saved one was trained from (its file and holder name), when known:
   * the report then shows the static verdict beside the trained weights' error.
   */
  sourceUri?: string;
  modelName?: string;
  workDoneToken?: string | number;
}

/** Client -> server: probe a saved model with its trained weights. */
export const ProbeSavedModelRequest = new RequestType<ProbeSavedModelParams, ProbeResult, void>('symmetryLint/probeSavedModel');

// ---------------------------------------------------------------------------------------------
// Workspace trust. In Restricted Mode static analysis and probes built from literal
// configuration run; nothing that executes workspace code does. Client and server both check.

/** What the VS Code client puts in `initializationOptions`. */
export interface SymmetryLintInitializationOptions {
  /** `vscode.workspace.isTrusted` at start; absent (other LSP clients) means trusted. */
  workspaceTrusted?: boolean;
  /** `symmetryLint.docs.baseUrl`: where rule pages are published; absent or empty means the shipped pages. */
  docsBaseUrl?: string;
}

export interface WorkspaceTrustParams {
  workspaceTrusted: boolean;
}

/** Client -> server: the workspace was trusted after the server started. */
export const WorkspaceTrustNotification = new NotificationType<WorkspaceTrustParams>('symmetryLint/workspaceTrust');

/**
 * How a probe obtains the model: `literal` builds it from the extracted graph (runs no user
 * code, allowed in Restricted Mode); `execute` runs the user's own model-building code and is
 * refused unless the workspace is trusted. Sent as `ProbeParams.mode`; absent means `literal`.
 */
export type ProbeMode = 'literal' | 'execute';

/** The error code a server answers with when `execute` is asked for in an untrusted workspace. */
export const UNTRUSTED_WORKSPACE_ERROR_CODE = -32001;
