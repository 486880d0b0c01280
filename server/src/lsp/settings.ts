// The `symmetryLint.*` settings as the server uses them: read per document through
// workspace/configuration, checked and completed with defaults, cached until the client says
// the configuration changed.
import type { Connection } from 'vscode-languageserver/node';
import { CONFIGURATION_SECTION, DEFAULT_SETTINGS, type SymmetryLintSettings } from '../protocol';
import type { SeverityOverride } from '../rules/rule';

const SEVERITY_OVERRIDES: readonly SeverityOverride[] = ['error', 'warning', 'info', 'off'];

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Completes a settings object from the client; anything malformed falls back to its default. */
export function normalizeSettings(raw: unknown): SymmetryLintSettings {
  const settings: SymmetryLintSettings = {
    ...DEFAULT_SETTINGS,
    rules: {},
    probe: { ...DEFAULT_SETTINGS.probe },
    codeLens: { ...DEFAULT_SETTINGS.codeLens },
    trace: { ...DEFAULT_SETTINGS.trace },
  };
  if (!isRecord(raw)) return settings;
  if (typeof raw.enable === 'boolean') settings.enable = raw.enable;
  if (raw.run === 'onType' || raw.run === 'onSave') settings.run = raw.run;
  if (isRecord(raw.rules)) {
    for (const [ruleId, value] of Object.entries(raw.rules)) {
      // "warn" is eslint's spelling; users will type it.
      const severity = value === 'warn' ? 'warning' : value;
      if (typeof severity === 'string' && (SEVERITY_OVERRIDES as readonly string[]).includes(severity)) {
        settings.rules[ruleId] = severity as SeverityOverride;
      }
    }
  }
  if (isRecord(raw.probe)) {
    const probe = raw.probe;
    if (typeof probe.onSave === 'boolean') settings.probe.onSave = probe.onSave;
    if (isPositiveNumber(probe.timeoutMs)) settings.probe.timeoutMs = probe.timeoutMs;
    if (probe.backend === 'wasm' || probe.backend === 'cpu') settings.probe.backend = probe.backend;
    if (isPositiveNumber(probe.maxParameters)) settings.probe.maxParameters = probe.maxParameters;
    if (typeof probe.warmUp === 'boolean') settings.probe.warmUp = probe.warmUp;
  }
  if (isRecord(raw.codeLens) && typeof raw.codeLens.enable === 'boolean') settings.codeLens.enable = raw.codeLens.enable;
  if (isRecord(raw.codeLens) && typeof raw.codeLens.inferred === 'boolean') settings.codeLens.inferred = raw.codeLens.inferred;
  if (typeof raw.lintWorkspace === 'boolean') settings.lintWorkspace = raw.lintWorkspace;
  if (isRecord(raw.trace) && (raw.trace.server === 'off' || raw.trace.server === 'messages' || raw.trace.server === 'verbose')) {
    settings.trace.server = raw.trace.server;
  }
  return settings;
}

export class SettingsCache {
  private readonly byScope = new Map<string, Promise<SymmetryLintSettings>>();
  /** Incremented on every configuration change, so cached results can tell they are stale. */
  generation = 0;
  /** Settings pushed with didChangeConfiguration, for clients without workspace/configuration. */
  private pushed: SymmetryLintSettings = normalizeSettings(undefined);

  constructor(
    private readonly connection: Connection,
    private readonly canPull: () => boolean,
  ) {}

  get(scopeUri: string): Promise<SymmetryLintSettings> {
    if (!this.canPull()) return Promise.resolve(this.pushed);
    let settings = this.byScope.get(scopeUri);
    if (!settings) {
      settings = this.connection.workspace
        .getConfiguration({ scopeUri, section: CONFIGURATION_SECTION })
        .then(normalizeSettings, () => normalizeSettings(undefined));
      this.byScope.set(scopeUri, settings);
    }
    return settings;
  }

  /** didChangeConfiguration: forget everything; keep what a push-only client sent. */
  changed(pushedSettings: unknown): void {
    this.generation++;
    this.byScope.clear();
    if (isRecord(pushedSettings) && CONFIGURATION_SECTION in pushedSettings) {
      this.pushed = normalizeSettings(pushedSettings[CONFIGURATION_SECTION]);
    }
  }

  forget(scopeUri: string): void {
    this.byScope.delete(scopeUri);
  }
}
