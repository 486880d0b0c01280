#!/usr/bin/env node
// Runs the real-editor suite in desktop VS Code through @vscode/test-electron, for a
// developer's laptop or a public CI runner (`npm run test:vscode:desktop`). It downloads VS Code
// on first use, which these machines cannot do: here `npm run test:vscode` runs the same suite
// in code-server instead. Trusted suite only: the installed-.vsix suite needs code-server's
// --install-extension into a scratch extensions folder.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { buildSuite, copySamples } = require('./runVscodeTests');

const root = path.resolve(__dirname, '..', '..');

async function main() {
  const { runTests } = require('@vscode/test-electron');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { stdio: 'inherit' });
  const suiteOut = await buildSuite();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-electron-'));
  const workspace = path.join(scratch, 'workspace');
  const resultsFile = path.join(scratch, 'results.json');
  copySamples(workspace);
  try {
    const code = await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(suiteOut, 'index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(scratch, 'user-data')],
      extensionTestsEnv: { SYMMETRY_LINT_VSCODE_SUITE: 'trusted', SYMMETRY_LINT_TEST_RESULTS: resultsFile, SYMMETRY_LINT_SOURCE_TREE: root },
    });
    const summary = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : undefined;
    console.log(`\n  ${summary?.passes ?? 0} passing (trusted suite in desktop VS Code)`);
    if (!summary || summary.failures > 0) console.log(`  ${summary?.failures ?? 1} failing`);
    return code === 0 && summary && summary.failures === 0 ? 0 : 1;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[test:vscode:desktop] ${error instanceof Error ? error.message : String(error)}`);
    console.error('[test:vscode:desktop] desktop VS Code could not be downloaded or started; `npm run test:vscode` runs the same suite in code-server.');
    process.exit(1);
  },
);
