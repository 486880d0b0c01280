// The language server's connection to its client. Over stdio the server writes its messages
// with its own writer and JSON encoder (stdioMessageWriter.ts, jsonMessageEncoder.ts) instead
// of vscode-jsonrpc's; the other transports (--node-ipc, --socket, --pipe) are set up by
// vscode-languageserver as before.
import { format } from 'node:util';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { StdioMessageWriter } from './stdioMessageWriter';

/** The transport named on the command line, as vscode-languageserver reads it: the first one wins. */
export function transportOf(argv: readonly string[]): 'stdio' | 'other' | undefined {
  for (const arg of argv) {
    if (arg === '--stdio') return 'stdio';
    if (arg === '--node-ipc' || /^--(socket|pipe)(=|$)/.test(arg)) return 'other';
  }
  return undefined;
}

export function createServerConnection(argv: readonly string[] = process.argv.slice(2)): Connection {
  if (transportOf(argv) !== 'stdio') return createConnection(ProposedFeatures.all);
  // process.stdin as the input keeps vscode-languageserver's exit when the client goes away;
  // the writer is ours. vscode-languageserver redirects the console only when it opens stdio
  // itself, so it is done here: anything printed to stdout would corrupt the protocol.
  const writer = new StdioMessageWriter(process.stdout);
  // The typings pair streams with streams and readers with writers; at run time each side is
  // taken as a stream when it is one (vscode-jsonrpc's createMessageConnection), so a writer
  // beside the stdin stream is used as it is.
  const connection = createConnection(ProposedFeatures.all, process.stdin, writer as unknown as NodeJS.WritableStream);
  redirectConsole(connection);
  return connection;
}

/** Sends what the process prints with `console` to the client's log instead of stdout. */
export function redirectConsole(connection: Pick<Connection, 'console'>): void {
  const text = (args: unknown[]): string => format(...args);
  console.log = (...args: unknown[]) => connection.console.log(text(args));
  console.info = (...args: unknown[]) => connection.console.info(text(args));
  console.debug = (...args: unknown[]) => connection.console.log(text(args));
  console.warn = (...args: unknown[]) => connection.console.warn(text(args));
  console.error = (...args: unknown[]) => connection.console.error(text(args));
  console.trace = (...args: unknown[]) => connection.console.error(`${text(args)}\n${new Error().stack ?? ''}`);
  console.dir = (value: unknown) => connection.console.log(text([value]));
  console.table = (value: unknown) => connection.console.log(text([value]));
}
