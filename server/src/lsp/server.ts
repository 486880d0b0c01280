// Entry of the bundled language server (server/dist/server.js): `node server.js --stdio` or
// `--node-ipc`; the transport is read from the command line by vscode-languageserver.
import { startLanguageServer } from './languageServer';

startLanguageServer();
