// "Measured by" for augmentation-not-declared (issue 9): training scripts written by hand in the
// styles real tfjs projects use (tf.data.array, generators, zip, .map helpers in the file and in
// other files, trainOnBatch loops, models built in the file or imported, ES modules and
// CommonJS), with the precision traps (labels only, validation only, a copy never trained on,
// reordering whole examples). Each `// expect: augmentation-not-declared <group>` marker is one
// finding on that line with that group; any other finding of the rule is a false alarm. The
// folder is analysed as `symmetry-lint check` analyses it (its training scripts indexed).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { analyzeFile } from '../../server/src/engine';
import { discoverSourceFiles } from '../../server/src/workspace/discovery';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { TrainingScriptIndex } from '../../server/src/workspace/trainingScripts';

const FOLDER = path.resolve(__dirname, '../fixtures/augmentation');
const MARKER = /\/\/ expect: augmentation-not-declared (\w+)/g;

describe('augmentation-not-declared on hand-written training scripts', () => {
  const files = discoverSourceFiles([FOLDER]);
  const disk = new DiskSourceFiles();
  const project = new TrainingScriptIndex(files);

  it('covers the styles it claims to', () => {
    const texts = files.map((fileName) => disk.getSourceFile(fileName)!.text).join('\n');
    for (const style of ['tf.data.array', 'tf.data.generator', 'tf.data.zip', '.map(', 'trainOnBatch', 'fitDataset', 'require(', 'import {', 'validationData', 'tf.tidy']) {
      assert.ok(texts.includes(style), style);
    }
    assert.ok(files.some((fileName) => fileName.endsWith('.mjs')) && files.some((fileName) => fileName.endsWith('.js')) && files.some((fileName) => fileName.endsWith('.ts')));
  });

  for (const fileName of files) {
    it(path.relative(FOLDER, fileName), () => {
      const sourceFile = disk.getSourceFile(fileName)!;
      const expected: string[] = [];
      sourceFile.text.split('\n').forEach((line, index) => {
        for (const match of line.matchAll(MARKER)) expected.push(`${index + 1} ${match[1]}`);
      });
      const found = analyzeFile(sourceFile, disk, { project })
        .findings.filter((finding) => finding.ruleId === 'augmentation-not-declared')
        .map((finding) => `${finding.line + 1} ${finding.group}`);
      assert.deepEqual(found.sort(), expected.sort());
    });
  }
});
