// Shared by the LSP tests: starts the real built server over stdio and answers the requests
// every client must (configuration, diagnostic refresh, capability registration).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DiagnosticRefreshRequest,
  RegistrationRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';

export const SERVER = path.resolve(__dirname, '../../server/dist/server.js');

export interface ServerProcess {
  child: ChildProcess;
  connection: ProtocolConnection;
}

export interface ServerProcessOptions {
  /** The `symmetryLint` section the client answers with, read at each request. */
  settings: () => unknown;
  /** Called on each workspace/diagnostic/refresh request from the server. */
  onRefresh?: () => void;
  /** Receives the server's stderr; ignored when absent. */
  onStderr?: (text: string) => void;
}

export function spawnServer(options: ServerProcessOptions): ServerProcess {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const onStderr = options.onStderr;
  if (onStderr) child.stderr!.on('data', (chunk: Buffer) => onStderr(chunk.toString()));
  else child.stderr!.resume();
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map((item) => (item.section === 'symmetryLint' ? options.settings() : null)));
  connection.onRequest(DiagnosticRefreshRequest.type, () => options.onRefresh?.());
  connection.onRequest(RegistrationRequest.type, () => undefined);
  connection.listen();
  return { child, connection };
}
