// Entry of the bundled language server (server/dist/server.js): `node server.js --stdio` or
// `--node-ipc`; the transport is read from the command line by vscode-languageserver.
// V8's young generation keeps its default sizing here: held at its initial size it saved about
// 15 MB of resident set but cost 10-15% of every keystroke's CPU in scavenges (docs/decisions.md).
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./languageServer') as typeof import('./languageServer')).startLanguageServer();
