#!/usr/bin/env node
// Build: bundles the CLI, the language server and the VS Code client with esbuild.
// Type checking is a separate step (`npm run typecheck`), so a build stays fast enough to run
// before every test run.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

async function main() {
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: {
        cli: 'server/src/cli/main.ts',
        server: 'server/src/lsp/server.ts',
        engine: 'server/src/engine.ts',
      },
      outdir: 'server/dist',
      // Dependencies stay in node_modules for the npm package; the .vsix build bundles them.
      packages: 'external',
    }),
    esbuild.build({
      ...common,
      entryPoints: { extension: 'client/src/extension.ts' },
      outdir: 'client/dist',
      external: ['vscode'],
    }),
  ]);
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
