// The probe commands: build ProbeParams from the editor, send the server's ProbeRequest or
// ProbeSavedModelRequest under VS Code progress with a cancel button (the cancellation token
// goes to sendRequest, which sends $/cancelRequest), record the result for the report.
// Trust is checked here too: the execute mode is refused in Restricted Mode before any request.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ProbeRequest,
  ProbeSavedModelRequest,
  type ProbeMode,
  type ProbeParams,
  type ProbeResult,
  type ProbeSavedModelParams,
} from '../../server/src/protocol';
import { countProbeOutcomes, summarizeProbe } from '../../server/src/probe/probeSummary';
import type { ReportPanel } from './reportPanel';
import { confirmRunningWorkspaceCode } from './runCodeConsent';
import type { StatusItem } from './statusItem';

/** What a probe command returns to its caller (tests, other extensions). */
export type ProbeOutcome =
  | { kind: 'done'; result: ProbeResult; summary: string }
  | { kind: 'cancelled' }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; message: string };

export { RUN_CODE_CONFIRMED_KEY } from './runCodeConsent';

export const RESTRICTED_MODE_REFUSAL =
  "Symmetry Lint: Restricted Mode. Probing by running the workspace's own model code needs a trusted workspace; " +
  'probes built from literal configuration still run.';

/** `{uri, modelName, variant?}` as the server's CodeLens passes it; anything else is rejected. */
function codeLensArguments(args: unknown): { uri: string; modelName: string; variant?: string } | undefined {
  const candidate = (Array.isArray(args) ? args[0] : args) as { uri?: unknown; modelName?: unknown; variant?: unknown } | undefined;
  if (candidate && typeof candidate.uri === 'string' && typeof candidate.modelName === 'string') {
    return { uri: candidate.uri, modelName: candidate.modelName, ...(typeof candidate.variant === 'string' ? { variant: candidate.variant } : {}) };
  }
  return undefined;
}

/** `invariant rotation90, equivariant translation tol=1e-3` -> one declaration per item. */
export function splitDeclarations(input: string): string[] {
  return input
    .split(/[,;\n]/)
    .map((part) => part.trim().replace(/^@symmetry\s+/, ''))
    .filter((part) => part.length > 0);
}

/** The notification's text: measured, skipped and failed models counted apart (see probeSummary). */
export function summarize(result: ProbeResult): string {
  const models = result.files.flatMap((file) => file.models);
  const counts = countProbeOutcomes(models);
  const seeReport = counts.skipped + counts.failed > 0 || counts.unmeasured > 0 ? ' See the report.' : '';
  return `Symmetry probe: ${summarizeProbe(models)}${seeReport}`;
}

export class ProbeCommands {
  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly status: StatusItem,
    private readonly report: ReportPanel,
    private readonly output: vscode.LogOutputChannel,
    /** workspaceState: remembers that the user agreed to run this workspace's code. */
    private readonly confirmations: vscode.Memento,
  ) {}

  async atCursor(mode: ProbeMode = 'literal'): Promise<ProbeOutcome> {
    if (mode === 'execute' && !vscode.workspace.isTrusted) return this.refuse();
    const editor = vscode.window.activeTextEditor;
    if (!editor) return this.noEditor();
    if (mode === 'execute' && !(await this.confirmRunningCode())) return { kind: 'cancelled' };
    const { line, character } = editor.selection.active;
    return this.probe({ scope: 'model', uri: editor.document.uri.toString(), position: { line, character }, mode }, 'model at cursor');
  }

  file(): Promise<ProbeOutcome> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return Promise.resolve(this.noEditor());
    return this.probe({ scope: 'file', uri: editor.document.uri.toString() }, 'models in file');
  }

  workspace(): Promise<ProbeOutcome> {
    return this.probe({ scope: 'workspace' }, 'workspace');
  }

  /** The CodeLens entry: `{uri, modelName}`. */
  model(args: unknown): Promise<ProbeOutcome> {
    const target = codeLensArguments(args);
    if (!target) {
      const message = 'Symmetry Lint: symmetryLint.probeModel expects {uri, modelName}.';
      void vscode.window.showErrorMessage(message);
      return Promise.resolve({ kind: 'failed', message });
    }
    const label = target.variant !== undefined ? `${target.modelName} (when ${target.variant})` : target.modelName;
    return this.probe({ scope: 'model', uri: target.uri, modelName: target.modelName, ...(target.variant !== undefined ? { variant: target.variant } : {}) }, label);
  }

  async savedModel(args?: unknown): Promise<ProbeOutcome> {
    // Tests and other extensions may pass {modelJsonUri, declarations} and skip the prompts.
    const given = args as Partial<ProbeSavedModelParams> | undefined;
    let modelJsonUri = typeof given?.modelJsonUri === 'string' ? given.modelJsonUri : undefined;
    let declarations = Array.isArray(given?.declarations) ? given.declarations.filter((d): d is string => typeof d === 'string') : undefined;
    if (!modelJsonUri) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'tfjs model': ['json'] },
        openLabel: 'Probe this model',
        title: 'Symmetry: pick a tfjs model.json (its weight files are read from beside it)',
      });
      if (!picked || picked.length === 0) return { kind: 'cancelled' };
      modelJsonUri = picked[0]!.toString();
    }
    if (!declarations || declarations.length === 0) {
      const typed = await vscode.window.showInputBox({
        title: 'Symmetry: declarations to check',
        prompt: 'In @symmetry syntax, comma-separated: <invariant|equivariant> <group> [axis=n] [tol=x]. Leave empty for the declarations of the model it was trained from (found by its save call or its layers).',
        value: 'invariant translation',
      });
      if (typed === undefined) return { kind: 'cancelled' };
      declarations = splitDeclarations(typed);
    }
    // The source model it was trained from, when the caller names it: the report shows its static verdict beside.
    const source = typeof given?.sourceUri === 'string' && typeof given.modelName === 'string' ? { sourceUri: given.sourceUri, modelName: given.modelName } : {};
    const client = this.client();
    if (!client) return this.notRunning();
    return this.withProgress(`saved model ${vscode.Uri.parse(modelJsonUri).path.split('/').pop() ?? ''}`, (token) =>
      client.sendRequest(ProbeSavedModelRequest, { modelJsonUri: modelJsonUri!, declarations: declarations!, ...source }, token),
    );
  }

  private probe(params: ProbeParams, what: string): Promise<ProbeOutcome> {
    const client = this.client();
    if (!client) return Promise.resolve(this.notRunning());
    return this.withProgress(what, (token) => client.sendRequest(ProbeRequest, params, token));
  }

  private withProgress(what: string, send: (token: vscode.CancellationToken) => Promise<ProbeResult>): Promise<ProbeOutcome> {
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Symmetry: probing ${what}`, cancellable: true },
        async (_progress, token): Promise<ProbeOutcome> => {
          const started = Date.now();
          this.status.apply({ kind: 'probeStarted' });
          let outcome: ProbeOutcome;
          try {
            const result = await send(token);
            this.report.update(result);
            const summary = summarize(result);
            outcome = { kind: 'done', result, summary };
            this.output.info(summary);
            // A probe that measured nothing, or failed, is not good news: it reads as a warning.
            const counts = countProbeOutcomes(result.files.flatMap((file) => file.models));
            const show = counts.failed > 0 || (counts.measured === 0 && counts.skipped > 0) ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
            void show(summary, 'Show Report').then((choice) => {
              if (choice) void vscode.commands.executeCommand('symmetryLint.showReport');
            });
            for (const file of result.files) {
              for (const model of file.models) if (model.status === 'error') this.output.error(`Probe of ${model.name} failed: ${model.message ?? 'unknown cause'}`);
            }
          } catch (error) {
            if (token.isCancellationRequested) {
              outcome = { kind: 'cancelled' };
              this.output.info(`Probe of ${what} cancelled.`);
            } else {
              const message = error instanceof Error ? error.message : String(error);
              outcome = { kind: 'failed', message };
              this.output.error(`Probe of ${what} failed: ${message}`);
              void vscode.window.showErrorMessage(`Symmetry probe failed: ${message}`);
            }
          }
          this.status.apply({ kind: 'probeFinished', durationMs: Date.now() - started, ...(outcome.kind === 'failed' ? { failure: outcome.message } : {}) });
          return outcome;
        },
      ),
    );
  }

  /** Once per workspace, a modal that says the command runs the workspace's own code. */
  private confirmRunningCode(): Promise<boolean> {
    return confirmRunningWorkspaceCode(this.confirmations, (question, detail, confirm) => vscode.window.showWarningMessage(question, { modal: true, detail }, confirm));
  }

  private refuse(): ProbeOutcome {
    this.output.warn(RESTRICTED_MODE_REFUSAL);
    void vscode.window.showWarningMessage(RESTRICTED_MODE_REFUSAL, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { kind: 'refused', reason: RESTRICTED_MODE_REFUSAL };
  }

  private noEditor(): ProbeOutcome {
    const message = 'Symmetry Lint: open a TypeScript or JavaScript file with a declared model first.';
    void vscode.window.showWarningMessage(message);
    return { kind: 'failed', message };
  }

  private notRunning(): ProbeOutcome {
    const message = 'Symmetry Lint: the language server is not running (see Symmetry: Show Output).';
    void vscode.window.showErrorMessage(message);
    return { kind: 'failed', message };
  }
}
