// Entry of the bundled language server (server/dist/server.js): `node server.js --stdio` or
// `--node-ipc`; the transport is read from the command line by vscode-languageserver.
import { keepYoungGenerationAtInitialSize } from '../youngGeneration';

// Before anything allocates (loading TypeScript does, a lot): a young generation that grew stays
// committed (docs/benchmarks.md). Hence the server's modules are loaded after this line.
keepYoungGenerationAtInitialSize();
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./languageServer') as typeof import('./languageServer')).startLanguageServer();
