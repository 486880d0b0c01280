// Tests of `symmetry-lint check` at scale: a file too deeply nested for TypeScript's parser
// does not stop the run (one analysis-gap finding, the others' findings and exit code kept),
// and `--concurrency` gives the very same output, byte for byte, whatever the thread count.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILES_PER_AUTO_THREAD, parseConcurrency, threadCount } from '../../server/src/cli/concurrency';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'server/bin/symmetry-lint.js');
const SAMPLES = path.join(ROOT, 'samples');

function ensureBuilt(): void {
  if (['cli.js', 'checkWorker.js'].every((file) => fs.existsSync(path.join(ROOT, 'server/dist', file)))) return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `build failed: ${build.stderr}`);
}

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** 20,000 nested array literals (40 KB): deep enough to overflow the stack in TypeScript's parser. */
export function deeplyNestedSource(depth = 20000): string {
  return `export const nested = ${'['.repeat(depth)}${']'.repeat(depth)};\n`;
}

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  line: number;
  column: number;
}
interface JsonFile {
  path: string;
  models: { name: string; findings: JsonFinding[] }[];
  findings: JsonFinding[];
}

describe('symmetry-lint check on a file too deeply nested to parse', function () {
  this.timeout(120000);
  let folder: string;

  before(() => {
    ensureBuilt();
    folder = scratchFolder('symmetry-lint-deep-');
    fs.writeFileSync(path.join(folder, 'deep.ts'), deeplyNestedSource());
    fs.copyFileSync(path.join(SAMPLES, 'mnist-cnn.ts'), path.join(folder, 'mnist-cnn.ts'));
    fs.copyFileSync(path.join(SAMPLES, 'exact-by-construction.ts'), path.join(folder, 'exact-by-construction.ts'));
  });

  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  for (const concurrency of ['off', '2']) {
    it(`gives the file one analysis-gap finding at line 1 and keeps the sample's findings (--concurrency ${concurrency})`, () => {
      const alone = runCli(['check', 'mnist-cnn.ts', '--format', 'json'], folder);
      assert.equal(alone.status, 1, alone.stderr);
      const both = runCli(['check', 'deep.ts', 'mnist-cnn.ts', '--format', 'json', '--concurrency', concurrency], folder);
      assert.equal(both.stderr, '');
      // The sample has an error finding: the exit code follows it, not the unparsable file.
      assert.equal(both.status, 1);
      const files = (JSON.parse(both.stdout) as { files: JsonFile[] }).files;
      assert.deepEqual(
        files.map((file) => file.path),
        ['deep.ts', 'mnist-cnn.ts'],
      );
      assert.deepEqual(files[0].models, []);
      assert.deepEqual(
        files[0].findings.map(({ ruleId, severity, line, column, message }) => ({ ruleId, severity, line, column, message })),
        [{ ruleId: 'analysis-gap', severity: 'info', line: 1, column: 1, message: 'File too deeply nested to analyse: its models were not checked.' }],
      );
      assert.deepEqual(files[1], (JSON.parse(alone.stdout) as { files: JsonFile[] }).files[0]);
    });
  }

  it('goes on with the other files under --probe too', () => {
    const result = runCli(['check', 'deep.ts', 'mnist-cnn.ts', '--probe', '--format', 'json'], folder);
    assert.equal(result.status, 1, result.stderr);
    const files = (JSON.parse(result.stdout) as { files: JsonFile[] }).files;
    assert.deepEqual(
      files.map((file) => [file.path, file.findings.map((finding) => finding.ruleId), file.models.length]),
      [
        ['deep.ts', ['analysis-gap'], 0],
        ['mnist-cnn.ts', [], 1],
      ],
    );
  });

  it('exits 0 when the other files have no error, and prints the finding in text', () => {
    const result = runCli(['check', 'exact-by-construction.ts', 'deep.ts'], folder);
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /^deep\.ts\n {2}1:1 {2}info {2}File too deeply nested to analyse: its models were not checked\. {2}analysis-gap$/m);
  });
});

describe('symmetry-lint check --concurrency', function () {
  this.timeout(180000);
  let folder: string;

  before(() => {
    ensureBuilt();
    // Every sample, a helper folder, and the unparsable file: more files than threads, so each
    // thread checks several and they finish out of order.
    folder = scratchFolder('symmetry-lint-threads-');
    fs.cpSync(SAMPLES, path.join(folder, 'samples'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'samples', 'deep.ts'), deeplyNestedSource());
  });

  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  for (const format of ['text', 'json', 'sarif']) {
    it(`prints the same ${format} output, byte for byte, with off, 2 and 3 threads`, () => {
      const offRun = runCli(['check', 'samples', '--format', format, '--concurrency', 'off'], folder);
      assert.equal(offRun.stderr, '');
      assert.ok(offRun.stdout.length > 1000, offRun.stdout);
      for (const concurrency of ['2', '3']) {
        const threaded = runCli(['check', 'samples', '--format', format, '--concurrency', concurrency], folder);
        assert.equal(threaded.stderr, '', `--concurrency ${concurrency}`);
        assert.equal(threaded.status, offRun.status, `--concurrency ${concurrency}`);
        assert.ok(threaded.stdout === offRun.stdout, `--concurrency ${concurrency} printed another ${format} output`);
      }
    });
  }

  it('rejects a value that is not a positive integer, auto or off (exit 2)', () => {
    for (const value of ['0', 'two']) {
      const result = runCli(['check', 'samples', `--concurrency=${value}`], folder);
      assert.equal(result.status, 2, value);
      assert.match(result.stderr, /invalid --concurrency/);
    }
  });

  it('reports a missing file as a usage error on threads too', () => {
    const result = runCli(['check', 'samples', 'missing.ts', '--concurrency', '2'], folder);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /missing\.ts/);
  });
});

describe('--concurrency thread count (ESLint semantics)', () => {
  it('parses off, auto and positive integers only', () => {
    assert.equal(parseConcurrency('off'), 'off');
    assert.equal(parseConcurrency('auto'), 'auto');
    assert.equal(parseConcurrency('4'), 4);
    for (const bad of ['0', '-2', '1.5', 'four', '']) assert.equal(parseConcurrency(bad), undefined, bad);
  });

  it('runs on the main thread for off and for a count that comes to one thread', () => {
    assert.equal(threadCount('off', 5000, 16), 0);
    assert.equal(threadCount(1, 5000, 16), 0);
    assert.equal(threadCount(4, 1, 16), 0);
    assert.equal(threadCount(4, 3, 16), 3);
    assert.equal(threadCount(4, 5000, 2), 4);
  });

  it('picks auto from the files (one thread per 50, never one) and half the CPUs', () => {
    assert.equal(threadCount('auto', FILES_PER_AUTO_THREAD, 16), 0);
    assert.equal(threadCount('auto', FILES_PER_AUTO_THREAD + 1, 16), 2);
    assert.equal(threadCount('auto', FILES_PER_AUTO_THREAD * 3, 16), 3);
    assert.equal(threadCount('auto', 100000, 16), 8);
    assert.equal(threadCount('auto', 100000, 3), 0);
    assert.equal(threadCount('auto', 100000, 4), 2);
  });
});
