#!/usr/bin/env node
// Installs code-server (VS Code's server and web workbench) into a cache folder this script
// owns, for the real-editor test suite. Skips everything when the cache is complete. The steps
// replace code-server's postinstall, which downloads ripgrep from GitHub (see
// /work/shared/notes/real-vscode.md): native modules are rebuilt here, rg comes from Debian.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

/** The newest code-server that runs on Node 20; it bundles VS Code 1.99.3. */
const CODE_SERVER_VERSION = '4.99.4';
const root = path.resolve(__dirname, '..', '..');
const cacheDir = process.env.SYMMETRY_LINT_CODE_SERVER_CACHE
  ? path.resolve(process.env.SYMMETRY_LINT_CODE_SERVER_CACHE)
  : path.join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const packageDir = path.join(cacheDir, 'node_modules', 'code-server');
/** Written last: its presence means every step below finished. */
const doneMarker = path.join(cacheDir, '.install-complete');

function run(command, args, cwd, extraEnv = {}) {
  console.log(`[code-server install] ${cwd}$ ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
}

function findSystemRipgrep() {
  for (const candidate of ['/usr/bin/rg', '/usr/local/bin/rg']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('ripgrep not found: install the Debian package `ripgrep` (apt-get install -y ripgrep).');
}

/** Finds the folder whose node_modules holds argon2 (its place moved between releases). */
function findArgon2Owner() {
  const candidates = [packageDir, cacheDir];
  for (const candidate of candidates) {
    if (fs.existsSync(path.join(candidate, 'node_modules', 'argon2'))) return candidate;
  }
  return undefined;
}

function install() {
  fs.mkdirSync(cacheDir, { recursive: true });
  const manifest = path.join(cacheDir, 'package.json');
  if (!fs.existsSync(manifest)) {
    fs.writeFileSync(manifest, JSON.stringify({ name: 'symmetry-lint-code-server-cache', private: true }, null, 2));
  }
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], cacheDir);

  const vscodeDir = path.join(packageDir, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], vscodeDir);
  // npm_config_yes lets node-pty's build script run `npx node-gyp` without a prompt.
  run('npm', ['rebuild', 'kerberos', '@vscode/spdlog', 'node-pty', '@parcel/watcher', 'native-watchdog'], vscodeDir, {
    npm_config_yes: 'true',
  });
  const rgTarget = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  fs.mkdirSync(path.dirname(rgTarget), { recursive: true });
  fs.copyFileSync(findSystemRipgrep(), rgTarget);
  fs.chmodSync(rgTarget, 0o755);
  const asarLink = path.join(vscodeDir, 'node_modules.asar');
  if (!fs.existsSync(asarLink)) fs.symlinkSync('node_modules', asarLink);
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], path.join(vscodeDir, 'extensions'));
  const argon2Owner = findArgon2Owner();
  if (argon2Owner) run('npm', ['rebuild', 'argon2'], argon2Owner);
  fs.writeFileSync(doneMarker, `${CODE_SERVER_VERSION}\n`);
}

/** Returns the code-server entry script, installing first when the cache is not complete. */
function ensureCodeServer() {
  if (!fs.existsSync(doneMarker)) {
    const started = Date.now();
    install();
    console.log(`[code-server install] done in ${Math.round((Date.now() - started) / 1000)} s, cached in ${cacheDir}`);
  }
  return { entry: path.join(packageDir, 'out', 'node', 'entry.js'), cacheDir, version: CODE_SERVER_VERSION };
}

module.exports = { ensureCodeServer, CODE_SERVER_VERSION };

if (require.main === module) {
  try {
    const { entry } = ensureCodeServer();
    console.log(`[code-server install] ready: ${entry}`);
  } catch (error) {
    console.error(`[code-server install] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
