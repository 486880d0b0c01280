#!/usr/bin/env node
// Build: bundles the CLI, the language server and the VS Code client with esbuild.
// Type checking is a separate step (`npm run typecheck`), so a build stays fast enough to run
// before every test run.
'use strict';
const fs = require('node:fs');
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
/** The server's code uses only ts-morph's `ts`: the bundles load that compiler alone (see the module). */
const TYPESCRIPT_ONLY = { 'ts-morph': './server/src/typescriptRuntime.ts' };
/** The CLI and its check worker load the same compiler through a V8 code cache of their own. */
const TYPESCRIPT_CODE_CACHED = { 'ts-morph': './server/src/cli/typescriptWithCodeCache.ts' };

/** The rule pages ship beside the server bundle, so its diagnostics link to pages that exist offline. */
function copyRuleDocs(outdir) {
  const from = path.join(root, 'docs', 'rules');
  const to = path.join(root, outdir, 'docs', 'rules');
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) if (name.endsWith('.md')) fs.copyFileSync(path.join(from, name), path.join(to, name));
}

async function main() {
  copyRuleDocs('server/dist');
  copyRuleDocs('eslint-plugin/dist');
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: {
        server: 'server/src/lsp/server.ts',
        engine: 'server/src/engine.ts',
        // The probe worker thread (tfjs + wasm); loaded only by server/src/probe/probeHost.ts.
        probeWorker: 'server/src/probe/probeWorker.ts',
      },
      outdir: 'server/dist',
      // Dependencies stay in node_modules for the npm package; the .vsix build bundles them.
      packages: 'external',
      alias: TYPESCRIPT_ONLY,
    }),
    esbuild.build({
      ...common,
      entryPoints: {
        cli: 'server/src/cli/main.ts',
        // The `check --concurrency` worker thread; loaded only by server/src/cli/checkThreads.ts.
        checkWorker: 'server/src/cli/checkWorker.ts',
      },
      outdir: 'server/dist',
      packages: 'external',
      // A process started for one run pays TypeScript's compile on every thread: the code cache
      // (server/src/cli/codeCache.ts) takes a part of it off. Not in the .vsix bundle
      // (scripts/vscode/bundleExtension.js), where TypeScript is inside the bundle itself.
      alias: TYPESCRIPT_CODE_CACHED,
    }),
    // The probe report page for the webview: a browser bundle (uPlot + its CSS -> report.css).
    esbuild.build({
      ...common,
      platform: 'browser',
      target: 'es2020',
      format: 'iife',
      entryPoints: { report: 'client/media/report/report.ts' },
      outdir: 'client/dist',
    }),
    esbuild.build({
      ...common,
      entryPoints: { extension: 'client/src/extension.ts' },
      outdir: 'client/dist',
      external: ['vscode'],
    }),
    // eslint-plugin-symmetry-lint (its own npm package): the engine is bundled in, ESLint and
    // the parsers stay the user's.
    esbuild.build({
      ...common,
      entryPoints: { index: 'eslint-plugin/src/index.ts' },
      outdir: 'eslint-plugin/dist',
      packages: 'external',
      // The engine's `ts` comes from the TypeScript the ESLint parser already loaded, not from a
      // second copy inside ts-morph (eslint-plugin/src/typescriptOfParser.ts).
      alias: { 'ts-morph': './eslint-plugin/src/typescriptOfParser.ts' },
    }),
    // The equivariant layers library (its own npm package): tfjs is the user's, never bundled.
    esbuild.build({
      ...common,
      entryPoints: { index: 'layers/src/index.ts' },
      outdir: 'layers/dist',
      external: ['@tensorflow/tfjs'],
    }),
  ]);
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
