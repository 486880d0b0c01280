// The state machine behind the language status item, free of `vscode` so unit tests can drive
// it: events in, one explicit state out, plus the timings and the severity the item shows.

export type ServerState = 'starting' | 'ready' | 'analysing' | 'probing' | 'error' | 'disabled';

export type StatusEvent =
  | { kind: 'serverStarting' }
  | { kind: 'serverReady' }
  | { kind: 'serverFailed'; message: string }
  | { kind: 'serverStopped' }
  | { kind: 'analysisStarted' }
  | { kind: 'analysisFinished' }
  /** The server's `symmetryLint/status` notification for one document. */
  | { kind: 'analysisReported'; state: 'ok' | 'problems' | 'disabled' | 'failed'; lastAnalysisMs: number; message?: string }
  | { kind: 'probeStarted' }
  | { kind: 'probeFinished'; durationMs: number; failure?: string }
  | { kind: 'enablementChanged'; enabled: boolean }
  /** The server's `symmetryLint/workspaceProgress`: a pass of whole-workspace diagnostics. */
  | { kind: 'workspaceProgress'; done: number; total: number };

export type StatusSeverity = 'information' | 'warning' | 'error';

export interface StatusSnapshot {
  state: ServerState;
  lastAnalysisMs?: number;
  lastProbeMs?: number;
  /** Why the state is `error`, or the last analysis failure. */
  message?: string;
  severity: StatusSeverity;
  /** A whole-workspace pass under way (`symmetryLint.lintWorkspace`): files done of total. */
  workspace?: { done: number; total: number };
}

/** An analysis slower than this is on the keystroke path long enough for the user to feel it. */
export const SLOW_ANALYSIS_MS = 1000;
/** A probe slower than this fraction of its timeout is close to being cut off. */
export const SLOW_PROBE_FRACTION = 0.5;

export class StatusModel {
  private serverUp = false;
  private enabled = true;
  private failure: string | undefined;
  private analysesInFlight = 0;
  private probesInFlight = 0;
  private lastAnalysisMs: number | undefined;
  private lastProbeMs: number | undefined;
  private lastAnalysisFailure: string | undefined;
  private workspace: { done: number; total: number } | undefined;

  constructor(private readonly probeTimeoutMs: () => number = () => 30000) {}

  apply(event: StatusEvent): StatusSnapshot {
    switch (event.kind) {
      case 'serverStarting':
        this.serverUp = false;
        this.failure = undefined;
        this.analysesInFlight = 0;
        this.probesInFlight = 0;
        break;
      case 'serverReady':
        this.serverUp = true;
        this.failure = undefined;
        break;
      case 'serverFailed':
        this.serverUp = false;
        this.failure = event.message;
        this.analysesInFlight = 0;
        this.probesInFlight = 0;
        break;
      case 'serverStopped':
        this.serverUp = false;
        this.analysesInFlight = 0;
        this.probesInFlight = 0;
        break;
      case 'analysisStarted':
        this.analysesInFlight++;
        break;
      case 'analysisFinished':
        this.analysesInFlight = Math.max(0, this.analysesInFlight - 1);
        break;
      case 'analysisReported':
        if (event.state === 'disabled') break;
        this.lastAnalysisMs = event.lastAnalysisMs;
        this.lastAnalysisFailure = event.state === 'failed' ? (event.message ?? 'the analysis failed') : undefined;
        break;
      case 'probeStarted':
        this.probesInFlight++;
        break;
      case 'probeFinished':
        this.probesInFlight = Math.max(0, this.probesInFlight - 1);
        this.lastProbeMs = event.durationMs;
        break;
      case 'enablementChanged':
        this.enabled = event.enabled;
        break;
      case 'workspaceProgress':
        this.workspace = event.done < event.total ? { done: event.done, total: event.total } : undefined;
        break;
    }
    return this.snapshot();
  }

  snapshot(): StatusSnapshot {
    const state = this.state();
    const message = state === 'error' ? (this.failure ?? this.lastAnalysisFailure) : this.lastAnalysisFailure;
    return {
      state,
      ...(this.lastAnalysisMs !== undefined ? { lastAnalysisMs: this.lastAnalysisMs } : {}),
      ...(this.lastProbeMs !== undefined ? { lastProbeMs: this.lastProbeMs } : {}),
      ...(message !== undefined ? { message } : {}),
      severity: this.severity(state),
      ...(this.workspace ? { workspace: { ...this.workspace } } : {}),
    };
  }

  private state(): ServerState {
    if (!this.enabled) return 'disabled';
    if (this.failure !== undefined) return 'error';
    if (!this.serverUp) return 'starting';
    if (this.probesInFlight > 0) return 'probing';
    if (this.analysesInFlight > 0) return 'analysing';
    if (this.lastAnalysisFailure !== undefined) return 'error';
    return 'ready';
  }

  private severity(state: ServerState): StatusSeverity {
    if (state === 'error') return 'error';
    const slowAnalysis = (this.lastAnalysisMs ?? 0) > SLOW_ANALYSIS_MS;
    const slowProbe = (this.lastProbeMs ?? 0) > this.probeTimeoutMs() * SLOW_PROBE_FRACTION;
    return slowAnalysis || slowProbe ? 'warning' : 'information';
  }
}

/** The one-line text of the item: state, then the timings the user cares about. */
export function describeStatus(snapshot: StatusSnapshot): { text: string; detail: string } {
  const label: Record<ServerState, string> = {
    starting: '$(loading~spin) Symmetry: starting',
    ready: '$(check) Symmetry: ready',
    analysing: '$(sync~spin) Symmetry: analysing',
    probing: '$(beaker) Symmetry: probing',
    error: '$(error) Symmetry: error',
    disabled: '$(circle-slash) Symmetry: disabled',
  };
  const timings: string[] = [];
  if (snapshot.lastAnalysisMs !== undefined) timings.push(`last analysis ${Math.round(snapshot.lastAnalysisMs)} ms`);
  if (snapshot.lastProbeMs !== undefined) timings.push(`last probe ${formatDuration(snapshot.lastProbeMs)}`);
  const parts = [...timings];
  if (snapshot.message) parts.unshift(snapshot.message);
  if (snapshot.workspace) parts.unshift(`linting workspace ${snapshot.workspace.done}/${snapshot.workspace.total}`);
  return { text: label[snapshot.state], detail: parts.join(' · ') };
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
