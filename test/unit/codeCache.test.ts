// Tests of the CLI's V8 code cache (server/src/cli/codeCache.ts): a cache is used only for the
// very script it was made from; a stale, corrupt or refused cache is ignored and the script
// still runs as its source says; a folder that cannot be written costs nothing but the cache;
// and the CLI prints the same output with a cache, without one and with a broken one.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheFileName, CodeCache } from '../../server/src/cli/codeCache';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'server/bin/symmetry-lint.js');

/**
 * A CommonJS script big enough that V8 caches real code, answering `answer()` with `value`.
 * `salt` makes each test's text its own: V8 keeps compiled scripts per process, by source text,
 * and one test's script found there would not be compiled from the next test's cache.
 */
function scriptText(value: number, salt: string): string {
  const helpers = Array.from({ length: 200 }, (_, i) => `function helper${i}(x) { return x * ${i} + ${i % 7}; }`).join('\n');
  return `// ${salt}\n${helpers}\nexports.answer = function answer() { return ${value} + helper3(0) - 3; };\nexports.fileName = __filename;\n`;
}

function cacheFiles(directory: string): string[] {
  return fs.existsSync(directory) ? fs.readdirSync(directory).filter((name) => name.endsWith('.v8cache')) : [];
}

describe('CLI code cache', function () {
  // Each load runs in a new process, as the CLI does: V8 keeps the scripts a process compiled
  // and would take them from its memory without looking at the cached data at all.
  this.timeout(60000);
  let folder: string;
  let cacheDirectory: string;
  let script: string;

  beforeEach(() => {
    folder = scratchFolder('symmetry-lint-code-cache-');
    cacheDirectory = path.join(folder, 'cache');
    script = path.join(folder, 'script.js');
    fs.writeFileSync(script, scriptText(1, folder));
  });

  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  /** Loads the script through the cache in a new process, saving the cache at the end. */
  function load(): { answer: number; use: string; fileName: string } {
    const program = `
      const { CodeCache } = require(${JSON.stringify(path.join(ROOT, 'server/src/cli/codeCache.ts'))});
      const cache = new CodeCache(${JSON.stringify(cacheDirectory)});
      const loaded = cache.load(${JSON.stringify(script)});
      cache.save();
      process.stdout.write(JSON.stringify({ answer: loaded.exports.answer(), use: loaded.use, fileName: loaded.exports.fileName }));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout);
  }

  function cacheFile(): string {
    const [name] = cacheFiles(cacheDirectory);
    return path.join(cacheDirectory, name);
  }

  it('runs the script as require would, then from the cache it saved', () => {
    assert.deepEqual(load(), { answer: 1, use: 'missing', fileName: script });
    assert.equal(cacheFiles(cacheDirectory).length, 1);
    assert.deepEqual(load(), { answer: 1, use: 'used', fileName: script });
  });

  it('ignores the cache of an earlier version of the script, even of the same length', () => {
    load();
    // Same length: V8's own check of cached data compares the source's length, not its text.
    fs.writeFileSync(script, scriptText(2, folder));
    assert.equal(scriptText(2, folder).length, scriptText(1, folder).length);
    assert.deepEqual(load(), { answer: 2, use: 'missing', fileName: script });
    assert.deepEqual(load(), { answer: 2, use: 'used', fileName: script });
  });

  it('ignores a corrupt, truncated or empty cache file, and replaces it', () => {
    load();
    const bytes = new Uint8Array(fs.readFileSync(cacheFile()));
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(cacheFile(), bytes);
    assert.equal(load().use, 'corrupt');
    assert.equal(load().use, 'used');
    for (const broken of [bytes.subarray(0, 10), new Uint8Array(0)]) {
      fs.writeFileSync(cacheFile(), broken);
      assert.deepEqual(load(), { answer: 1, use: 'corrupt', fileName: script });
    }
  });

  it('runs the script when V8 refuses cached data that passes the hash', () => {
    // Well framed (the hash matches) but not V8's data: V8 refuses it and the script compiles.
    const junk = new TextEncoder().encode('not V8 cached data at all, but framed with its right hash');
    const hash = new Uint8Array(crypto.createHash('sha256').update(junk).digest());
    fs.mkdirSync(cacheDirectory, { recursive: true });
    fs.writeFileSync(path.join(cacheDirectory, cacheFileName(script, fs.readFileSync(script))), new Uint8Array([...hash, ...junk]));
    assert.deepEqual(load(), { answer: 1, use: 'rejected', fileName: script });
    assert.equal(load().use, 'used');
  });

  it('loads without a cache when the folder cannot be made, and saving does not throw', () => {
    fs.writeFileSync(path.join(folder, 'a-file'), '');
    cacheDirectory = path.join(folder, 'a-file', 'cache');
    assert.deepEqual(load(), { answer: 1, use: 'missing', fileName: script });
    assert.equal(load().use, 'missing');
  });

  it('is off without a folder', () => {
    const loaded = new CodeCache(undefined).load(script);
    assert.equal(loaded.use, 'off');
    assert.equal((loaded.exports as { answer: () => number }).answer(), 1);
  });
});

describe('symmetry-lint check with its code cache', function () {
  this.timeout(180000);
  let folder: string;

  before(() => {
    folder = scratchFolder('symmetry-lint-code-cache-cli-');
    if (!fs.existsSync(path.join(ROOT, 'server/dist/cli.js'))) {
      const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
  });

  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  function check(cache: string, extra: string[] = [], nodeFlags: string[] = []): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [...nodeFlags, BIN, 'check', 'samples/mnist-cnn.ts', 'samples/p4-rotation.js', '--format', 'json', ...extra], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SYMMETRY_LINT_CODE_CACHE: cache },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('prints the same output without a cache, making it, using it, and with it broken, on one thread and two', () => {
    const cache = path.join(folder, 'cache');
    const plain = check('off');
    assert.equal(plain.stderr, '');
    assert.ok(plain.stdout.includes('"files"'), plain.stdout);
    const making = check(cache);
    assert.equal(cacheFiles(cache).length, 1, 'the first run writes the cache');
    const cacheFile = path.join(cache, cacheFiles(cache)[0]);
    const made = { bytes: fs.readFileSync(cacheFile).toString('base64'), mtimeMs: fs.statSync(cacheFile).mtimeMs };
    const using = check(cache);
    // A cache V8 refused is written again: the V8 flags the run changed (youngGeneration.ts) must
    // be those it loaded under when it exits.
    assert.ok(fs.readFileSync(cacheFile).toString('base64') === made.bytes && fs.statSync(cacheFile).mtimeMs === made.mtimeMs, 'the second run did not use the cache the first made');
    // Its own cache: on one thread the young generation's flag is part of the key, not here.
    const threaded = check(cache, ['--concurrency', '2']);
    const cachesMade = cacheFiles(cache).length;
    for (const name of cacheFiles(cache)) fs.writeFileSync(path.join(cache, name), 'garbage');
    const broken = check(cache);
    for (const [label, run] of Object.entries({ making, using, threaded, broken })) {
      assert.equal(run.stderr, '', label);
      assert.equal(run.status, plain.status, label);
      assert.ok(run.stdout === plain.stdout, `${label}: another output`);
    }
    assert.equal(cacheFiles(cache).length, cachesMade, 'the broken cache was replaced, not added to');
    assert.notEqual(fs.readFileSync(cacheFile, 'utf8'), 'garbage');
  });

  it('writes a whole cache after a run long enough for V8 to drop unused bytecode', () => {
    // A long first run wrote a cache without TypeScript's start-up, which V8 had dropped by its
    // end (half the size after 16,000 files), and every later run compiled it again.
    // --stress-flush-code makes V8 drop bytecode at every full collection, as a long run does.
    const short = path.join(folder, 'short');
    const long = path.join(folder, 'long');
    assert.equal(check(short).stderr, '');
    assert.equal(check(long, [], ['--stress-flush-code']).stderr, '');
    const size = (directory: string) => fs.statSync(path.join(directory, cacheFiles(directory)[0])).size;
    assert.ok(size(long) > 0.9 * size(short), `the long run's cache holds ${size(long)} bytes, a short run's ${size(short)}`);
  });
});
