// The VS Code side of Symmetry Lint, kept thin: starts the language server over IPC, passes
// workspace trust and settings, binds every command of commandTable.ts, and drives the
// language status item. All analysis and probing live in the server.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  CONFIGURATION_SECTION,
  DEFAULT_SETTINGS,
  ProbeRequest,
  StatusNotification,
  WorkspaceProgressNotification,
  WorkspaceTrustNotification,
  type ProbeParams,
  type ProbeResult,
  type SymmetryLintInitializationOptions,
} from '../../server/src/protocol';
import { COMMANDS, SERVER_READY_CONTEXT, type CommandId } from './commandTable';
import { CrashPolicy } from './crashPolicy';
import { ProbeCommands } from './probeCommands';
import { ReportPanel, type ReportLayout } from './reportPanel';
import { linkDiagnosticsToPreview, RuleDocs, ruleOfDocsUri } from './ruleDocs';
import { StatusItem } from './statusItem';
import { SettingTraceChannel } from './traceChannel';
import type { StatusSnapshot } from './statusModel';

const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];
const DOCUMENT_SELECTOR = LANGUAGES.flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

/**
 * The production bundle (scripts/vscode/bundleExtension.js) defines this as the path of the
 * fully bundled server beside the extension; the development build leaves it undefined and
 * the server comes from server/dist.
 */
declare const SYMMETRY_LINT_BUNDLED_SERVER: string | undefined;

/** What `activate` returns: used by the real-editor tests, harmless for anyone else. */
export interface SymmetryLintApi {
  /** Absolute path of the server module this extension runs. */
  serverModule: string;
  status(): StatusSnapshot;
  onStatusChange: vscode.Event<StatusSnapshot>;
  /** Resolves once the server is running and initialised. */
  whenReady(): Promise<void>;
  lastProbeResult(): ProbeResult | undefined;
  /** Charts the report page says it drew for the last result (0 until it has). */
  reportChartsDrawn(): number;
  onReportRendered: vscode.Event<number>;
  /** The report page's last account of its layout: verdict headers and widths. */
  reportLayout(): ReportLayout | undefined;
  onReportLayout: vscode.Event<ReportLayout>;
  /**
   * Sends a ProbeRequest straight to the server, without the client's own trust check, so a
   * test can prove the server refuses execution in Restricted Mode by itself.
   */
  sendProbeRequest(params: ProbeParams): Promise<ProbeResult>;
  restarts(): number;
  /** How many times the user was told the server crashed (once per session at most). */
  crashNotices(): number;
  /** The last few code action answers of the server, oldest first, as the client converted them. */
  recentCodeActions(): readonly CodeActionAnswer[];
  /** The file VS Code writes the output channel to (extension log folder, channel name). */
  outputLogFile: vscode.Uri;
}

export interface CodeActionAnswer {
  uri: string;
  range: vscode.Range;
  actions: (vscode.Command | vscode.CodeAction)[];
}

let client: LanguageClient | undefined;

/** How many code action answers `recentCodeActions()` keeps. */
const RECENT_CODE_ACTIONS = 10;

function serverModulePath(context: vscode.ExtensionContext): string {
  const bundled = typeof SYMMETRY_LINT_BUNDLED_SERVER === 'string' ? context.asAbsolutePath(SYMMETRY_LINT_BUNDLED_SERVER) : undefined;
  return bundled ?? context.asAbsolutePath('server/dist/server.js');
}

function probeTimeoutMs(): number {
  const value = vscode.workspace.getConfiguration(CONFIGURATION_SECTION).get<number>('probe.timeoutMs');
  return typeof value === 'number' && value > 0 ? value : DEFAULT_SETTINGS.probe.timeoutMs;
}

function isEnabled(): boolean {
  return vscode.workspace.getConfiguration(CONFIGURATION_SECTION).get<boolean>('enable') !== false;
}

export async function activate(context: vscode.ExtensionContext): Promise<SymmetryLintApi> {
  const output = vscode.window.createOutputChannel('Symmetry Lint', { log: true });
  const status = new StatusItem(DOCUMENT_SELECTOR, probeTimeoutMs);
  const report = new ReportPanel(context.extensionUri);
  context.subscriptions.push(output, status);
  status.apply({ kind: 'enablementChanged', enabled: isEnabled() });

  const serverModule = serverModulePath(context);
  if (!fs.existsSync(serverModule)) {
    const message = `Symmetry Lint: the language server is missing at ${serverModule}. Run "npm run build" (development) or reinstall the extension.`;
    output.error(message);
    status.apply({ kind: 'serverFailed', message });
    void vscode.window.showErrorMessage(message);
  }
  const crashPolicy = new CrashPolicy(output, (message) => status.apply({ kind: 'serverFailed', message }));

  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const initializationOptions: SymmetryLintInitializationOptions = {
    workspaceTrusted: vscode.workspace.isTrusted,
    docsBaseUrl: vscode.workspace.getConfiguration(CONFIGURATION_SECTION).get<string>('docs.baseUrl') ?? '',
  };
  const traceChannel = new SettingTraceChannel(output);
  context.subscriptions.push(traceChannel);
  const ruleDocs = new RuleDocs(context.extensionUri);
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    // The server pulls settings per document; this only makes the client announce changes.
    // File events feed whole-workspace diagnostics (`symmetryLint.lintWorkspace`): a file changed
    // on disk is analysed again, with the files that import it.
    synchronize: { configurationSection: CONFIGURATION_SECTION, fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{ts,tsx,js,jsx,mjs,cjs}') },
    initializationOptions,
    outputChannel: output,
    // Traces follow symmetryLint.trace.server alone, not the channel's own log level.
    traceOutputChannel: traceChannel,
    errorHandler: crashPolicy,
    middleware: {
      // Pull diagnostics are the analysis: the status shows `analysing` while one is in flight.
      // The docs link of each diagnostic opens the shipped page in the Markdown preview, not its source.
      provideDiagnostics: async (document, previousResultId, token, next) => {
        status.apply({ kind: 'analysisStarted' });
        try {
          const report = await next(document, previousResultId, token);
          if (report && 'items' in report) linkDiagnosticsToPreview(report.items);
          return report;
        } finally {
          status.apply({ kind: 'analysisFinished' });
        }
      },
      handleDiagnostics: (uri, diagnostics, next) => {
        linkDiagnosticsToPreview(diagnostics);
        next(uri, diagnostics);
      },
      // Keeps the last answer as this client converted it, diagnostics included: the tests
      // check that a quick fix names the diagnostic it fixes, which `vscode.executeCodeActionProvider`
      // cannot show (VS Code rebuilds each CodeAction from title, kind, edit, command and
      // isPreferred only, and drops `diagnostics`).
      provideCodeActions: async (document, range, context, token, next) => {
        const actions = (await next(document, range, context, token))?.map(openDocsInPreview);
        // A few, not one: the editor's light bulb asks too, for the cursor's range.
        recentCodeActions.push({ uri: document.uri.toString(), range, actions: actions ?? [] });
        if (recentCodeActions.length > RECENT_CODE_ACTIONS) recentCodeActions.shift();
        return actions;
      },
    },
  };
  const recentCodeActions: CodeActionAnswer[] = [];
  // The server's "Show documentation" opens the shipped page with `vscode.open`, which would show
  // its Markdown source: in VS Code it opens in the Markdown preview instead.
  const openDocsInPreview = (action: vscode.Command | vscode.CodeAction): vscode.Command | vscode.CodeAction => {
    const command = action instanceof vscode.CodeAction ? action.command : (action as vscode.Command);
    const rule = command?.command === 'vscode.open' ? ruleOfDocsUri(command.arguments?.[0]) : undefined;
    if (!command || !rule) return action;
    const preview: vscode.Command = { title: command.title, command: 'symmetryLint.showRuleDocs', arguments: [rule] };
    if (action instanceof vscode.CodeAction) {
      action.command = preview;
      return action;
    }
    return preview;
  };
  const languageClient = new LanguageClient('symmetryLint', 'Symmetry Lint', serverOptions, clientOptions);
  client = languageClient;

  const setReady = (ready: boolean): void => {
    void vscode.commands.executeCommand('setContext', SERVER_READY_CONTEXT, ready);
  };
  const readyWaiters: (() => void)[] = [];
  let starts = 0;
  context.subscriptions.push(
    languageClient.onDidChangeState(({ newState }) => {
      if (newState === State.Starting) {
        output.info(starts === 0 ? 'Starting the Symmetry Lint server.' : `Restarting the Symmetry Lint server (restart ${starts}).`);
        setReady(false);
        status.apply({ kind: 'serverStarting' });
      } else if (newState === State.Running) {
        starts++;
        output.info(`The Symmetry Lint server is running${starts > 1 ? ` again (restart ${starts - 1})` : ''}: ${serverModule}`);
        setReady(true);
        status.apply({ kind: 'serverReady' });
        for (const resolve of readyWaiters.splice(0)) resolve();
      } else {
        output.info('The Symmetry Lint server stopped.');
        setReady(false);
        status.apply({ kind: 'serverStopped' });
      }
    }),
    languageClient.onNotification(StatusNotification, (params) => {
      const file = vscode.Uri.parse(params.uri).fsPath || params.uri;
      if (params.state === 'failed') output.error(`Analysis failed for ${file}: ${params.message ?? 'unknown error'}`);
      else if (params.state !== 'disabled') output.info(`Analysed ${file}: ${params.models} model${params.models === 1 ? '' : 's'} in ${Math.round(params.lastAnalysisMs)} ms${params.state === 'problems' ? ', with errors' : ''}.`);
      status.apply({
        kind: 'analysisReported',
        state: params.state,
        lastAnalysisMs: params.lastAnalysisMs,
        ...(params.message !== undefined ? { message: params.message } : {}),
      });
    }),
    languageClient.onNotification(WorkspaceProgressNotification, (params) => status.apply({ kind: 'workspaceProgress', done: params.done, total: params.total })),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // The client reads this object again on every (re)start, so a restarted server knows too.
      initializationOptions.workspaceTrusted = true;
      output.info('Workspace trusted: probes may now run the workspace\'s own model code.');
      if (languageClient.isRunning()) void languageClient.sendNotification(WorkspaceTrustNotification, { workspaceTrusted: true });
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${CONFIGURATION_SECTION}.enable`)) status.apply({ kind: 'enablementChanged', enabled: isEnabled() });
    }),
  );

  const probes = new ProbeCommands(() => (languageClient.isRunning() ? languageClient : undefined), status, report, output, context.workspaceState);
  // One handler per command of the table: the Record type makes a missing one a compile error.
  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    'symmetryLint.probeModelAtCursor': () => probes.atCursor('literal'),
    'symmetryLint.probeFile': () => probes.file(),
    'symmetryLint.probeWorkspace': () => probes.workspace(),
    'symmetryLint.probeSavedModel': (args) => probes.savedModel(args),
    'symmetryLint.probeModelAtCursorRunningCode': () => probes.atCursor('execute'),
    'symmetryLint.probeModel': (...args) => probes.model(args),
    'symmetryLint.showReport': () => report.show(),
    'symmetryLint.restartServer': async () => {
      output.info('Restarting the Symmetry Lint server.');
      crashPolicy.reset();
      if (languageClient.isRunning()) await languageClient.restart();
      else await languageClient.start();
    },
    'symmetryLint.showOutput': () => output.show(true),
    'symmetryLint.showRuleDocs': (ruleId) => ruleDocs.show(ruleId),
  };
  for (const spec of COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(spec.id, handlers[spec.id]));
  }

  setReady(false);
  status.apply({ kind: 'serverStarting' });
  try {
    await languageClient.start();
  } catch (error) {
    const message = `Symmetry Lint: the language server did not start: ${error instanceof Error ? error.message : String(error)}`;
    output.error(message);
    status.apply({ kind: 'serverFailed', message });
  }

  return {
    serverModule,
    status: () => status.snapshot(),
    onStatusChange: status.onDidChange,
    whenReady: () =>
      languageClient.state === State.Running ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve)),
    lastProbeResult: () => report.result,
    reportChartsDrawn: () => report.chartsDrawn,
    onReportRendered: report.onDidRender,
    reportLayout: () => report.layout,
    onReportLayout: report.onDidLayout,
    sendProbeRequest: (params) => languageClient.sendRequest(ProbeRequest, params),
    restarts: () => crashPolicy.restarts,
    crashNotices: () => crashPolicy.userNotices,
    recentCodeActions: () => recentCodeActions,
    outputLogFile: vscode.Uri.joinPath(context.logUri, `${output.name}.log`),
  };
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}
