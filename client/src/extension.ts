// The VS Code side of Symmetry Lint, kept thin: starts the language server over IPC, forwards
// the `symmetryLint` settings, and registers the commands. All analysis lives in the server.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CONFIGURATION_SECTION, StatusNotification } from '../../server/src/protocol';

const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];

let client: LanguageClient | undefined;

/** Every command of the extension: id (as in package.json's contributes.commands) and action. */
function commandTable(output: vscode.LogOutputChannel): Record<string, () => unknown> {
  return {
    'symmetryLint.restartServer': async () => {
      if (!client) return;
      output.info('Restarting the Symmetry Lint server.');
      await client.restart();
    },
    'symmetryLint.showOutput': () => output.show(true),
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Symmetry Lint', { log: true });
  context.subscriptions.push(output);

  const serverModule = context.asAbsolutePath('server/dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    // The server pulls settings per document; this only makes the client announce changes.
    synchronize: { configurationSection: CONFIGURATION_SECTION },
    outputChannel: output,
  };
  client = new LanguageClient('symmetryLint', 'Symmetry Lint', serverOptions, clientOptions);

  for (const [id, action] of Object.entries(commandTable(output))) {
    context.subscriptions.push(vscode.commands.registerCommand(id, action));
  }
  context.subscriptions.push(
    client.onNotification(StatusNotification, (status) => {
      if (status.state === 'failed') output.error(`Analysis failed for ${status.uri}: ${status.message ?? 'unknown error'}`);
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
