#!/usr/bin/env node
// `npm run test:vscode`: runs the real-editor suite (test/vscode/suite) inside code-server's
// extension host, driven by headless Chromium through playwright-core. Two runs:
//   trusted   - the development build (this source tree), workspace trust off;
//   installed - the .vsix installed with --install-extension, workspace NOT trusted.
// Saves screenshots under test-results/vscode/ and prints mocha-style "N passing" lines.
// Debugging: SYMMETRY_LINT_VSCODE_SUITE=trusted|installed runs one, SYMMETRY_LINT_VSCODE_GREP=<text>
// runs the matching tests, SYMMETRY_LINT_VSCODE_KEEP=1 keeps the scratch folder and its logs.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const util = require('node:util');
const { spawn, execFileSync } = require('node:child_process');
const esbuild = require('esbuild');
const { ensureCodeServer } = require('./installCodeServer');

const root = path.resolve(__dirname, '..', '..');
const suiteOut = path.join(root, '.cache', 'vscode-suite');
const vsixPath = path.join(root, '.cache', 'symmetry-lint.vsix');
const screenshotDir = path.join(root, 'test-results', 'vscode');
const CHROMIUM = process.env.SYMMETRY_LINT_CHROMIUM ?? '/usr/bin/chromium';
/** SYMMETRY_LINT_VSCODE_KEEP=1 keeps each run's scratch folder (workspace, user data, logs). */
const keepScratch = process.env.SYMMETRY_LINT_VSCODE_KEEP === '1';
/** One run may take this long before it counts as hung. */
const RUN_TIMEOUT_MS = Number(process.env.SYMMETRY_LINT_VSCODE_TIMEOUT_MS ?? 10 * 60 * 1000);

function log(message) {
  console.log(`[test:vscode] ${message}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Bundles the suite for the extension host: mocha and vscode stay external (resolved at run time). */
async function buildSuite() {
  const suiteDir = path.join(root, 'test', 'vscode', 'suite');
  const entries = fs.readdirSync(suiteDir).filter((name) => name === 'index.ts' || name.endsWith('.test.ts'));
  fs.rmSync(suiteOut, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: entries.map((name) => path.join(suiteDir, name)),
    outdir: suiteOut,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  // A do-nothing extension to host the tests of the installed run (VS Code loads extension
  // tests through a development extension; the real one there is the installed .vsix).
  const host = path.join(suiteOut, 'test-host');
  fs.mkdirSync(host, { recursive: true });
  fs.writeFileSync(
    path.join(host, 'package.json'),
    JSON.stringify({ name: 'symmetry-lint-test-host', publisher: 'symmetry-lint', version: '0.0.0', engines: { vscode: '^1.99.0' } }, null, 2),
  );
  // mocha is resolved from the suite's folder upwards: make the repo's copy reachable.
  return suiteOut;
}

function packageVsix() {
  fs.mkdirSync(path.dirname(vsixPath), { recursive: true });
  fs.rmSync(vsixPath, { force: true });
  // vsce runs `vscode:prepublish` (the production bundle) itself.
  execFileSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsixPath], {
    cwd: root,
    stdio: 'inherit',
  });
  // Back to the development build for the trusted run (the bundle replaced client/dist/extension.js).
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
}

function copySamples(target) {
  fs.cpSync(path.join(root, 'samples'), target, { recursive: true });
}

function waitForOutput(child, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`code-server exited (${code}) before it listened:\n${seen.slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`code-server did not listen within ${timeoutMs} ms:\n${seen.slice(-2000)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * One suite run: a fresh code-server (own user data, extensions and workspace), Chromium on the
 * workbench URL with the test payload, exit code back through codeAutomationExit.
 */
async function runSuite({ name, entry, trusted, installVsix }) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `symmetry-lint-vscode-${name}-`));
  const userData = path.join(scratch, 'user-data');
  const extensionsDir = path.join(scratch, 'extensions');
  const workspace = path.join(scratch, 'workspace');
  const resultsFile = path.join(scratch, 'results.json');
  copySamples(workspace);
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.startupPrompt': 'never',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'window.commandCenter': false,
      // VS Code for the web saves after a delay by default: a test that applies a fix and then
      // reverts it would race the save and leave the sample changed for the tests after it.
      'files.autoSave': 'off',
      // Kept runs are for debugging: trace the LSP traffic into the client's output log.
      ...(keepScratch ? { 'symmetryLint.trace.server': 'verbose' } : {}),
    }),
  );
  const codeServerArgs = ['--disable-telemetry', '--disable-update-check', '--user-data-dir', userData, '--extensions-dir', extensionsDir];
  if (installVsix) {
    const out = execFileSync(process.execPath, [entry, ...codeServerArgs, '--install-extension', vsixPath], { encoding: 'utf8' });
    if (!/successfully installed/.test(out)) throw new Error(`--install-extension did not report success:\n${out}`);
    log(out.trim().split('\n').pop());
  }
  const port = await freePort();
  const args = [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...codeServerArgs];
  if (trusted) args.push('--disable-workspace-trust');
  args.push(workspace);
  const env = {
    ...process.env,
    SYMMETRY_LINT_VSCODE_SUITE: name,
    SYMMETRY_LINT_TEST_RESULTS: resultsFile,
    SYMMETRY_LINT_SCREENSHOT_DIR: screenshotDir,
    SYMMETRY_LINT_SOURCE_TREE: root,
  };
  const server = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLog = [];
  server.stdout.on('data', (chunk) => serverLog.push(chunk.toString()));
  server.stderr.on('data', (chunk) => serverLog.push(chunk.toString()));
  let browser;
  try {
    await waitForOutput(server, /HTTP server listening/, 60000);
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pending = [];
    const exitCode = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ${name} suite did not finish within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
      page.exposeFunction('codeAutomationExit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The extension host forwards console calls as (format, ...values).
      const text = util.format(...(Array.isArray(args) ? args : [args]));
      const request = /\[symmetry-lint-screenshot\] ([\w-]+)/.exec(text);
      if (request) {
        pending.push(takeScreenshot(page, request[1]));
        return;
      }
      // Prefixed so these lines never look like this runner's own "N passing" summary.
      for (const line of text.split('\n')) console.log(`  [ext-host ${type}] ${line}`);
    });
    const remote = (file) => `vscode-remote://127.0.0.1:${port}${file}`;
    const payload = [
      ['extensionDevelopmentPath', remote(installVsix ? path.join(suiteOut, 'test-host') : root)],
      ['extensionTestsPath', remote(path.join(suiteOut, 'index'))],
      ['skipWelcome', 'true'],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    log(`${name}: ${trusted ? 'trusted' : 'Restricted Mode'}, extension from ${installVsix ? vsixPath : root}`);
    await page.goto(url);
    const code = await exitCode;
    await Promise.all(pending);
    return { code, summary: readSummary(resultsFile) };
  } catch (error) {
    console.error(`[test:vscode] ${name} failed to run: ${error instanceof Error ? error.message : String(error)}`);
    console.error(serverLog.join('').slice(-4000));
    return { code: 1, summary: readSummary(resultsFile) };
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    server.kill('SIGTERM');
    if (keepScratch) log(`${name}: kept ${scratch} (logs under user-data/logs)`);
    else fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Waits until some frame (webviews are nested iframes) shows `selector`. */
async function waitForFrameWith(page, selector) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.$(selector).catch(() => null)) return;
    }
    await page.waitForTimeout(100);
  }
  log(`no frame shows "${selector}", taking the screenshot anyway`);
}

/** Waits for what the screenshot is about to be on screen, then writes it atomically. */
async function takeScreenshot(page, name) {
  const ready = {
    'editor-squiggles': '.squiggly-error',
    'editor-hover': '.monaco-hover:not(.hidden) .hover-contents',
    'probe-report': 'iframe.webview',
    'installed-restricted-mode': '.squiggly-warning, .squiggly-error',
  }[name];
  if (ready) await page.waitForSelector(ready, { state: 'visible', timeout: 10000 }).catch(() => log(`${name}: "${ready}" not visible, taking the screenshot anyway`));
  if (name === 'probe-report') await waitForFrameWith(page, 'canvas');
  fs.mkdirSync(screenshotDir, { recursive: true });
  const target = path.join(screenshotDir, `${name}.png`);
  const partial = `${target}.partial`;
  await page.screenshot({ path: partial, type: 'png' });
  fs.renameSync(partial, target);
  log(`screenshot ${path.relative(root, target)}`);
}

function readSummary(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function main() {
  const started = Date.now();
  const { entry } = ensureCodeServer();
  log('packaging the .vsix (production bundle)');
  packageVsix();
  await buildSuite();
  const only = process.env.SYMMETRY_LINT_VSCODE_SUITE;
  const runs = [
    { name: 'trusted', trusted: true, installVsix: false },
    { name: 'installed', trusted: false, installVsix: true },
  ].filter((run) => !only || run.name === only);
  let failed = false;
  for (const run of runs) {
    const { code, summary } = await runSuite({ ...run, entry });
    const passes = summary?.passes ?? 0;
    // A suite that never reported counts as one failure, so CI cannot pass without it.
    const failures = summary ? summary.failures : 1;
    for (const failure of summary?.failed ?? []) console.log(`  FAILED ${failure.title}\n    ${failure.error.split('\n').slice(0, 6).join('\n    ')}`);
    console.log(`\n  ${passes} passing (${run.name} suite in code-server)`);
    if (failures > 0) console.log(`  ${failures} failing`);
    if (code !== 0 || failures > 0) failed = true;
  }
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${path.relative(root, screenshotDir)}/`);
  process.exit(failed ? 1 : 0);
}

// The desktop runner (runElectronTests.js) reuses the suite build and the workspace setup.
module.exports = { buildSuite, copySamples };

if (require.main === module) {
  main().catch((error) => {
    console.error(`[test:vscode] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    console.log('  0 passing\n  1 failing');
    process.exit(1);
  });
}
