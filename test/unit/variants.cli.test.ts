// The built CLI on a model with architecture variants (SPEC 4, 8): the JSON lists each variant
// with the model's name and a `variant` string; the text and SARIF outputs give a finding all
// variants share once, and say which variants have the one only some have.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'server/bin/symmetry-lint.js');

/** Two variants (SPEC 4): the padding finding is in both, the flatten one only when head is 'flat'. */
const TAGGER = fs.readFileSync(path.join(ROOT, 'test/fixtures/variants/tagger.ts'), 'utf8');

function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'server/dist/cli.js'))) return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `build failed: ${build.stderr}`);
}

function check(format: 'json' | 'text' | 'sarif', extra: string[] = []): { status: number | null; stdout: string } {
  const folder = scratchFolder('symlint-variants-');
  try {
    fs.writeFileSync(path.join(folder, 'tagger.ts'), TAGGER);
    const result = spawnSync(process.execPath, [BIN, 'check', 'tagger.ts', '--format', format, ...extra], { cwd: folder, encoding: 'utf8', timeout: 120000 });
    return { status: result.status, stdout: result.stdout };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

const lineOf = (needle: string) => TAGGER.slice(0, TAGGER.indexOf(needle)).split('\n').length;

describe('CLI: architecture variants', function () {
  this.timeout(60000);
  before(ensureBuilt);

  it('lists each variant in the JSON with the same name and its variant string', () => {
    const { status, stdout } = check('json');
    assert.equal(status, 1);
    const [file] = JSON.parse(stdout).files;
    assert.deepEqual(
      file.models.map((model: { name: string; variant?: string; line: number; layers: { kind: string }[] }) => [model.name, model.variant, model.line, model.layers.map((layer) => layer.kind)]),
      [
        ['buildTagger', "head === 'pool'", lineOf('buildTagger'), ['conv1d', 'globalAveragePooling1d', 'dense']],
        ['buildTagger', "head === 'flat'", lineOf('buildTagger'), ['conv1d', 'flatten', 'dense']],
      ],
    );
    const rulesOf = (index: number) => file.models[index].findings.map((finding: { ruleId: string; line: number }) => `${finding.ruleId}@${finding.line}`);
    assert.deepEqual(rulesOf(0), [`padding-boundary@${lineOf('tf.layers.conv1d')}`]);
    assert.deepEqual(rulesOf(1), [`padding-boundary@${lineOf('tf.layers.conv1d')}`, `flatten-breaks-invariance@${lineOf('tf.layers.flatten')}`]);
  });

  it('prints a finding both variants have once, and names the variant of the other, in text', () => {
    const { status, stdout } = check('text');
    assert.equal(status, 1);
    const rows = stdout.split('\n').filter((line) => /^\s+\d+:\d+/.test(line));
    assert.equal(rows.length, 2, stdout);
    assert.match(rows[0], new RegExp(`^\\s+${lineOf('tf.layers.conv1d')}:\\d+\\s+warning\\s+conv1d pads with zeros`));
    assert.doesNotMatch(rows[0], /head/);
    assert.match(rows[1], new RegExp(`^\\s+${lineOf('tf.layers.flatten')}:\\d+\\s+error\\s+When head is 'flat': flatten `));
  });

  it('gives SARIF one result per place, the variant named in the message', () => {
    const { stdout } = check('sarif');
    const results = JSON.parse(stdout).runs[0].results as { ruleId: string; message: { text: string } }[];
    assert.deepEqual(results.map((result) => result.ruleId).sort(), ['flatten-breaks-invariance', 'padding-boundary']);
    assert.match(results.find((result) => result.ruleId === 'flatten-breaks-invariance')!.message.text, /^When head is 'flat': /);
  });

  it('probes each variant on its own', function () {
    this.timeout(120000);
    const { stdout } = check('json', ['--probe']);
    const [file] = JSON.parse(stdout).files;
    const probes = file.models.map((model: { variant: string; probe?: { status: string; verdicts: { breakingLayerLine: number | null }[] } }) => [model.variant, model.probe?.status, model.probe?.verdicts.length]);
    assert.deepEqual(probes, [["head === 'pool'", 'ok', 1], ["head === 'flat'", 'ok', 1]]);
  });
});
