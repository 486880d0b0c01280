#!/usr/bin/env node
// Production bundle of the VS Code extension (`vscode:prepublish`, run by `vsce package`):
// client, language server and probe worker each bundled with all their dependencies into
// client/dist/, minified, with the tfjs-backend-wasm `.wasm` files copied beside them so the
// packaged extension needs no node_modules.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..', '..');
const outdir = path.join(root, 'client', 'dist');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};

async function main() {
  // The development build first: it also builds anything other parts add (the report page).
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { stdio: 'inherit', cwd: root });
  const serverEntries = { server: 'server/src/lsp/server.ts' };
  const worker = path.join(root, 'server', 'src', 'probe', 'probeWorker.ts');
  if (fs.existsSync(worker)) serverEntries.probeWorker = 'server/src/probe/probeWorker.ts';
  // The whole-workspace pass analyses unopened files in the CLI's check worker (server/src/cli/checkThreads.ts).
  serverEntries.checkWorker = 'server/src/cli/checkWorker.ts';
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { extension: 'client/src/extension.ts' },
      outdir,
      external: ['vscode'],
      // Tells client/src/extension.ts to start the bundled server beside it, not server/dist.
      define: { SYMMETRY_LINT_BUNDLED_SERVER: JSON.stringify('client/dist/server.js') },
    }),
    esbuild.build({
      ...common,
      entryPoints: serverEntries,
      outdir,
      // Optional native accelerations some dependencies probe for; absent is the normal case.
      external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      // The server uses only ts-morph's `ts`: bundle that compiler alone (server/src/typescriptRuntime.ts).
      alias: { 'ts-morph': './server/src/typescriptRuntime.ts' },
    }),
  ]);
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', { paths: [path.join(root, 'server')] }));
  const wasmFiles = fs.readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'));
  for (const name of wasmFiles) fs.copyFileSync(path.join(wasmDir, name), path.join(outdir, name));
  // The rule pages the diagnostics link to, found beside the bundled server (server/src/rules/rule.ts).
  const docsOut = path.join(outdir, 'docs', 'rules');
  fs.mkdirSync(docsOut, { recursive: true });
  for (const name of fs.readdirSync(path.join(root, 'docs', 'rules'))) if (name.endsWith('.md')) fs.copyFileSync(path.join(root, 'docs', 'rules', name), path.join(docsOut, name));
  console.log(`[bundle] client/dist: extension.js, ${Object.keys(serverEntries).map((e) => `${e}.js`).join(', ')}, ${wasmFiles.join(', ')}`);
}

main().catch((error) => {
  console.error(`[bundle] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
