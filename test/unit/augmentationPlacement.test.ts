// Where an augmentation finding sits when the augmenting op is in a helper of another file
// (SPEC 7): in the helper's file, once per group and model, with related information pointing at
// the trained model and the training call; never again in the training script. Checked through
// the engine with the project's training-script index, and through the CLI's JSON.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile } from '../../server/src/engine';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { TrainingScriptIndex } from '../../server/src/workspace/trainingScripts';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'server/bin/symmetry-lint.js');
const FIXTURES = path.join(ROOT, 'test/fixtures/augmentation');
const HELPER = path.join(FIXTURES, 'helper/augment.ts');
const TRAINING = path.join(FIXTURES, 'helper/train-with-helper.ts');
const CLASSIFIER = path.join(FIXTURES, 'classifier.ts');

interface JsonFinding { ruleId: string; line: number; column: number; group: string; message: string }
interface JsonFile { path: string; models: unknown[]; findings: JsonFinding[] }

function checkJson(args: string[]): Map<string, JsonFinding[]> {
  if (!fs.existsSync(path.join(ROOT, 'server/dist/cli.js'))) {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  }
  const result = spawnSync(process.execPath, [BIN, 'check', ...args, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  assert.equal(result.status, 0, result.stderr);
  const files = (JSON.parse(result.stdout) as { files: JsonFile[] }).files;
  return new Map(files.map((file) => [file.path, file.findings.filter((finding) => finding.ruleId === 'augmentation-not-declared')]));
}

const placesOf = (findings: JsonFinding[] | undefined) => (findings ?? []).map((finding) => `${finding.line}:${finding.column} ${finding.group}`);

describe('augmentation findings in the file of the augmenting op', () => {
  it('CLI JSON over the helper and the training script: the helper holds its flip and crop, the script only its own vertical flip', () => {
    for (const concurrency of ['off', '2']) {
      const byFile = checkJson(['test/fixtures/augmentation/helper', '--concurrency', concurrency]);
      assert.deepEqual(placesOf(byFile.get('test/fixtures/augmentation/helper/augment.ts')), ['6:42 flip', '9:18 translation'], `--concurrency ${concurrency}`);
      assert.deepEqual(placesOf(byFile.get('test/fixtures/augmentation/helper/train-with-helper.ts')), ['10:64 dihedral'], `--concurrency ${concurrency}`);
      assert.match(byFile.get('test/fixtures/augmentation/helper/augment.ts')![0].message, /conv2d at line 7 in classifier\.ts breaks it in buildClassifier/);
    }
  });

  it('CLI over the training script alone: the helper is not checked, so its ops are reported at the training call', () => {
    const byFile = checkJson(['test/fixtures/augmentation/helper/train-with-helper.ts']);
    assert.deepEqual(placesOf(byFile.get('test/fixtures/augmentation/helper/train-with-helper.ts')), ['10:64 dihedral', '13:9 flip', '13:9 translation']);
  });

  it('related information points at the trained model and at the training call', () => {
    const disk = new DiskSourceFiles();
    const project = new TrainingScriptIndex([HELPER, TRAINING, CLASSIFIER]);
    const findings = analyzeFile(disk.getSourceFile(HELPER)!, disk, { project }).findings.filter((finding) => finding.ruleId === 'augmentation-not-declared');
    assert.equal(findings.length, 2);
    for (const finding of findings) {
      const related = finding.related.map((item) => `${path.basename(item.span.file)} ${item.message}`);
      assert.ok(related.includes('classifier.ts the trained model, buildClassifier'), related.join('\n'));
      assert.ok(related.includes('train-with-helper.ts trained here, on buildClassifier'), related.join('\n'));
    }
    // Analysed alone (no project), the helper has no training call and no finding.
    assert.equal(analyzeFile(disk.getSourceFile(HELPER)!, disk).findings.filter((finding) => finding.ruleId === 'augmentation-not-declared').length, 0);
  });

  it('two training scripts through one helper: one finding per group and model in the helper', () => {
    const folder = scratchFolder('augment-two-');
    try {
      fs.writeFileSync(path.join(folder, 'model.js'), `const tf = require('@tensorflow/tfjs');\nfunction buildNet() {\n  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }), tf.layers.globalMaxPooling2d({})] });\n}\nmodule.exports = { buildNet };\n`);
      fs.writeFileSync(path.join(folder, 'mirror.js'), `const tf = require('@tensorflow/tfjs');\nfunction mirror(batch) {\n  return tf.tidy(() => tf.image.flipLeftRight(batch));\n}\nmodule.exports = { mirror };\n`);
      for (const name of ['a', 'b']) {
        fs.writeFileSync(path.join(folder, `train-${name}.js`), `const { buildNet } = require('./model');\nconst { mirror } = require('./mirror');\nasync function train(xs, ys) {\n  const net = buildNet();\n  await net.fit(mirror(xs), ys);\n}\nmodule.exports = { train };\n`);
      }
      const disk = new DiskSourceFiles();
      const files = ['model.js', 'mirror.js', 'train-a.js', 'train-b.js'].map((name) => path.join(folder, name));
      const project = new TrainingScriptIndex(files);
      assert.deepEqual(project.importersOf(files[1]).map((file) => path.basename(file)), ['train-a.js', 'train-b.js']);
      const inHelper = analyzeFile(disk.getSourceFile(files[1])!, disk, { project }).findings.filter((finding) => finding.ruleId === 'augmentation-not-declared');
      assert.deepEqual(inHelper.map((finding) => `${finding.line + 1} ${finding.group}`), ['3 flip']);
      for (const script of files.slice(2)) {
        assert.equal(analyzeFile(disk.getSourceFile(script)!, disk, { project }).findings.filter((finding) => finding.ruleId === 'augmentation-not-declared').length, 0, path.basename(script));
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('TrainingScriptIndex', () => {
  it('finds the training scripts that reach a file through ESM and CommonJS imports, and follows changes', () => {
    const folder = scratchFolder('training-index-');
    try {
      const write = (name: string, text: string) => fs.writeFileSync(path.join(folder, name), text);
      write('flip.ts', 'export const flip = (x) => x;\n');
      write('pipeline.ts', "import { flip } from './flip';\nexport const pipeline = (ds) => ds.map(flip);\n");
      write('train.mjs', "import { pipeline } from './pipeline.js';\nawait model.fitDataset(pipeline(ds));\n");
      write('train.cjs', "const { flip } = require('./flip');\nmodel.fit(flip(xs), ys);\n");
      write('notes.ts', "// model.fit( in a comment of a file that imports nothing\n");
      const files = ['flip.ts', 'pipeline.ts', 'train.mjs', 'train.cjs', 'notes.ts'].map((name) => path.join(folder, name));
      const index = new TrainingScriptIndex(files);
      assert.deepEqual(index.importersOf(files[0]).map((file) => path.basename(file)), ['train.cjs', 'train.mjs']);
      assert.deepEqual(index.importersOf(files[1]).map((file) => path.basename(file)), ['train.mjs']);
      assert.deepEqual(index.importersOf(path.join(folder, 'elsewhere.ts')), []);
      assert.equal(index.reportsFindingsOf(files[0]), true);
      assert.equal(index.reportsFindingsOf(path.join(folder, 'elsewhere.ts')), false);
      write('train.cjs', "const { flip } = require('./flip');\nconsole.log(flip);\n");
      index.fileChanged(files[3]);
      assert.deepEqual(index.importersOf(files[0]).map((file) => path.basename(file)), ['train.mjs']);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
