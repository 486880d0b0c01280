// Tests of the built `symmetry-lint` command on temporary folders: exit codes, the SPEC 8
// JSON shape, file discovery (.gitignore, node_modules, .d.ts) and usage errors.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'server/bin/symmetry-lint.js');

/** Builds the bundles when a test run starts without them (the root `pretest` builds too). */
function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'server/dist/cli.js')) && fs.existsSync(path.join(ROOT, 'server/dist/server.js'))) return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `build failed: ${build.stderr}`);
}

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const BROKEN_MODEL = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildBroken() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10 }),
  ] });
}
`;

const CLEAN_MODEL = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildClean() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 2 }),
  ] });
}
`;

const UNDECLARED_MODEL = BROKEN_MODEL.replace(/\/\*\*[\s\S]*?\*\/\n/, '').replace('buildBroken', 'buildUndeclared');

function makeFolder(files: Record<string, string>): string {
  const folder = scratchFolder('symlint-cli-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

interface JsonOutput {
  files: {
    path: string;
    findings: unknown[];
    models: {
      name: string;
      line: number;
      declared: { mode: string; group: string }[];
      layers: { kind: string; line: number }[];
      findings: { ruleId: string; severity: string; message: string; line: number; column: number; endLine: number; endColumn: number; group: string | null }[];
    }[];
  }[];
}

describe('symmetry-lint CLI', function () {
  this.timeout(60000);
  const folders: string[] = [];
  const folder = (files: Record<string, string>): string => {
    const created = makeFolder(files);
    folders.push(created);
    return created;
  };
  before(ensureBuilt);
  after(() => folders.forEach((created) => fs.rmSync(created, { recursive: true, force: true })));

  it('exits 0 when no error-severity finding is found', () => {
    const cwd = folder({ 'src/clean.ts': CLEAN_MODEL });
    const result = runCli(['check', 'src'], cwd);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('exits 1 and reports flatten-breaks-invariance for flatten then dense', () => {
    const cwd = folder({ 'src/broken.ts': BROKEN_MODEL });
    const result = runCli(['check', 'src'], cwd);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^src\/broken\.ts$/m);
    // On the flatten call (line 9): at the call (column 5) or at its factory name (column 15).
    assert.match(result.stdout, /^ {2}9:(5|15)\s+error\s+.*flatten-breaks-invariance$/m);
  });

  it('prints the SPEC 8 JSON object', () => {
    const cwd = folder({ 'src/broken.ts': BROKEN_MODEL, 'src/clean.js': CLEAN_MODEL.replace(/^import.*$/m, "const tf = require('@tensorflow/tfjs');") });
    const result = runCli(['check', '.', '--format', 'json'], cwd);
    assert.equal(result.status, 1, result.stderr);
    const output = JSON.parse(result.stdout) as JsonOutput;
    assert.deepEqual(
      output.files.map((file) => file.path),
      ['src/broken.ts', 'src/clean.js'],
    );
    const [model] = output.files[0].models;
    assert.equal(model.name, 'buildBroken');
    assert.equal(model.line, 6);
    assert.deepEqual(model.declared, [{ mode: 'invariant', group: 'translation' }]);
    assert.deepEqual(model.layers, [
      { kind: 'conv2d', line: 8 },
      { kind: 'flatten', line: 9 },
      { kind: 'dense', line: 10 },
    ]);
    const flatten = model.findings.find((finding) => finding.ruleId === 'flatten-breaks-invariance');
    assert.ok(flatten, JSON.stringify(model.findings));
    assert.deepEqual(Object.keys(flatten).sort(), ['column', 'endColumn', 'endLine', 'group', 'line', 'message', 'ruleId', 'severity']);
    assert.equal(flatten.severity, 'error');
    assert.equal(flatten.group, 'translation');
    assert.equal(flatten.line, 9);
    assert.equal(output.files[1].models[0].name, 'buildClean');
    assert.ok(output.files[1].models[0].findings.every((finding) => finding.severity !== 'error'));
    assert.ok(Array.isArray(output.files[0].findings));
  });

  it('prints a finding three models share (a layer in their helper) once in text and SARIF, and in each model in JSON', () => {
    const sample = fs.readFileSync(path.join(ROOT, 'samples/shared-head.ts'), 'utf8');
    const flattenLine = sample.split('\n').findIndex((line) => line.includes('tf.layers.flatten()')) + 1;
    const models = ['buildNarrowClassifier', 'buildMediumClassifier', 'buildWideClassifier'];
    const cwd = folder({ 'shared-head.ts': sample });

    const text = runCli(['check', 'shared-head.ts'], cwd);
    assert.equal(text.status, 1, text.stderr);
    const rows = text.stdout.split('\n').filter((line) => line.startsWith(`  ${flattenLine}:`));
    assert.equal(rows.length, 1, text.stdout);
    assert.match(rows[0], /flatten-breaks-invariance$/);
    assert.match(text.stdout, /1 problem \(1 error/);

    const sarif = JSON.parse(runCli(['check', 'shared-head.ts', '--format', 'sarif'], cwd).stdout) as {
      runs: { results: { ruleId: string; relatedLocations?: { message: { text: string }; physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    const results = sarif.runs[0].results;
    assert.deepEqual(results.map((result) => result.ruleId), ['flatten-breaks-invariance']);
    const related = results[0].relatedLocations ?? [];
    assert.equal(related[0].message.text, `in 3 models: ${models.join(', ')}`);
    for (const model of models) assert.ok(related.some((item) => item.message.text.startsWith(`in ${model}: declared here`)), model);

    // SPEC 8 lists findings per model: each model keeps its own.
    const json = JSON.parse(runCli(['check', 'shared-head.ts', '--format', 'json'], cwd).stdout) as JsonOutput;
    assert.deepEqual(json.files[0].models.map((model) => model.name), models);
    for (const model of json.files[0].models) {
      assert.deepEqual(model.findings.map((finding) => [finding.ruleId, finding.line]), [['flatten-breaks-invariance', flattenLine]], model.name);
    }
    assert.deepEqual(json.files[0].findings, []);
  });

  it('applies --symmetry to every model found', () => {
    const cwd = folder({ 'm.ts': UNDECLARED_MODEL });
    const without = runCli(['check', 'm.ts', '--format=json'], cwd);
    assert.equal(without.status, 0, without.stderr);
    const withDeclaration = runCli(['check', 'm.ts', '--format=json', '--symmetry', 'invariant translation'], cwd);
    assert.equal(withDeclaration.status, 1, withDeclaration.stderr);
    const output = JSON.parse(withDeclaration.stdout) as JsonOutput;
    assert.deepEqual(output.files[0].models[0].declared, [{ mode: 'invariant', group: 'translation' }]);
    assert.ok(output.files[0].models[0].findings.some((finding) => finding.ruleId === 'flatten-breaks-invariance'));
  });

  it('skips node_modules, .d.ts files and what (nested) .gitignore files ignore, in sorted order', () => {
    const cwd = folder({
      '.gitignore': 'build/\n*.gen.ts\n',
      'src/b.ts': CLEAN_MODEL,
      'src/a.mjs': 'export const a = 1;\n',
      'src/C.cjs': 'module.exports = 1;\n',
      'src/x.jsx': 'export const x = 1;\n',
      'src/types.d.ts': 'declare const y: number;\n',
      'src/model.gen.ts': BROKEN_MODEL,
      'src/nested/.gitignore': 'secret.ts\n!keep.gen.ts\n',
      'src/nested/secret.ts': BROKEN_MODEL,
      'src/nested/keep.gen.ts': CLEAN_MODEL,
      'src/nested/open.tsx': 'export const o = 1;\n',
      'build/out.js': BROKEN_MODEL,
      'node_modules/pkg/index.ts': BROKEN_MODEL,
      'src/node_modules/inner/index.js': BROKEN_MODEL,
      'notes.txt': 'not code',
    });
    const result = runCli(['check', '.', '--format', 'json'], cwd);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const paths = (JSON.parse(result.stdout) as JsonOutput).files.map((file) => file.path);
    assert.deepEqual(paths, ['src/C.cjs', 'src/a.mjs', 'src/b.ts', 'src/nested/keep.gen.ts', 'src/nested/open.tsx', 'src/x.jsx']);
  });

  it('checks a file named explicitly even when .gitignore would skip it', () => {
    const cwd = folder({ '.gitignore': 'ignored.ts\n', 'ignored.ts': BROKEN_MODEL });
    assert.equal(runCli(['check', '.'], cwd).status, 0);
    assert.equal(runCli(['check', 'ignored.ts'], cwd).status, 1);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['a path that does not exist', ['check', 'missing-folder'], /no such file or folder: missing-folder/],
    ['--probe with a value', ['check', '.', '--probe=yes'], /--probe takes no value/],
    ['--fix with a value', ['check', '.', '--fix=yes'], /--fix takes no value/],
    ['an unknown format', ['check', '.', '--format', 'xml'], /unknown format "xml"/],
    ['a missing format value', ['check', '.', '--format'], /--format needs a value/],
    ['an unknown option', ['check', '.', '--frobnicate'], /unknown option --frobnicate/],
    ['no paths', ['check'], /at least one file or folder/],
    ['a malformed --symmetry', ['check', '.', '--symmetry', 'invarient translation'], /invalid --symmetry .*did you mean "invariant translation"/],
    ['an unknown command', ['lint', '.'], /unknown command "lint"/],
    ['no command', [], /no command given/],
    ['lsp without a transport', ['lsp'], /--stdio/],
    ['a file that is not JS or TS', ['check', 'notes.txt'], /not a JavaScript or TypeScript source file/],
  ];
  it('--fix applies the preferred fixes atomically, then checks the fixed file; a second run writes nothing', () => {
    const cwd = folder({ 'm.ts': BROKEN_MODEL });
    const file = path.join(cwd, 'm.ts');
    const first = runCli(['check', '.', '--fix'], cwd);
    assert.equal(first.status, 0, first.stderr + first.stdout);
    assert.match(first.stderr, /fixed 1 problem\(s\) in .*m\.ts/);
    assert.match(fs.readFileSync(file, 'utf8'), /globalAveragePooling2d/);
    assert.deepEqual(fs.readdirSync(cwd).filter((name) => name.endsWith('.tmp')), []);
    const mtime = fs.statSync(file).mtimeMs;
    const second = runCli(['check', '.', '--fix'], cwd);
    assert.equal(second.status, 0);
    assert.doesNotMatch(second.stderr, /fixed/);
    assert.equal(fs.statSync(file).mtimeMs, mtime);
  });

  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with a message on stderr for ${what}`, () => {
      const cwd = folder({ 'm.ts': BROKEN_MODEL, 'notes.txt': 'text' });
      const result = runCli(args, cwd);
      assert.equal(result.status, 2, result.stdout + result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }

  it('prints help and the version', () => {
    const help = runCli(['--help'], os.tmpdir());
    assert.equal(help.status, 0);
    assert.match(help.stdout, /symmetry-lint check <files or folders\.\.\.>/);
    const version = runCli(['--version'], os.tmpdir());
    assert.equal(version.status, 0);
    const serverPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'server/package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), serverPackage.version);
  });

  it('checks 200 files in one run, one report per file', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`src/m${String(i).padStart(3, '0')}.ts`] = BROKEN_MODEL.replace('buildBroken', `build${i}`);
    const cwd = folder(files);
    const result = runCli(['check', 'src', '--format', 'json'], cwd);
    assert.equal(result.status, 1, result.stderr);
    const reported = (JSON.parse(result.stdout) as JsonOutput).files;
    assert.equal(reported.length, 200);
    assert.ok(reported.every((file) => file.models.length === 1 && file.models[0].findings.length > 0));
    // Its speed is measured side by side with ESLint in `npm run bench`, not timed here.
  });
});
