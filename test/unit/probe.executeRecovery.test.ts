// The execute-mode probe on the shapes of real files that used to fail (issue 12, "the 22
// failures"): a model the holder's path does not hand back (wrapped, behind an Observable, built
// before training fails), a pretrained base (a plain skip), a component class under decorators of
// a missing package, CommonJS `exports.x` builders, names a script reads but never defines, a
// transfer head over a base model, a stateful RNN with its own batch, a channels-first input,
// free input axes shrunk by valid convolutions, and a custom layer that fails inside tfjs. Every
// fixture is small and written for this test.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile } from '../../server/src/engine';
import { undeclaredNames, variantValues } from '../../server/src/probe/executeArguments';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile, type FileProbeOutcome, type ProbeLimits } from '../../server/src/probe/runProbes';
import type { ModelProbeReport } from '../../server/src/protocol';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { ensureServerBuilt } from './probeTestSupport';
import { ts } from 'ts-morph';
import { scratchFolder } from './scratchFolders';

const LIMITS: ProbeLimits = { timeoutMs: 60000, maxParameters: 20_000_000, execute: true };

function writeFile(prefix: string, name: string, text: string): string {
  const folder = scratchFolder(prefix);
  const file = path.join(folder, name);
  fs.writeFileSync(file, text);
  return file;
}

function probeOnDisk(host: ProbeHost, modelFile: string): Promise<FileProbeOutcome> {
  const disk = new DiskSourceFiles();
  const sourceFile = disk.getSourceFile(modelFile);
  assert.ok(sourceFile, `cannot read ${modelFile}`);
  return probeFile(host, analyzeFile(sourceFile, disk), sourceFile, LIMITS);
}

async function probeOne(host: ProbeHost, prefix: string, name: string, text: string): Promise<ModelProbeReport> {
  const { reports } = await probeOnDisk(host, writeFile(prefix, name, text));
  assert.equal(reports.length, 1, reports.map((report) => `${report.name}: ${report.message}`).join('; '));
  return reports[0];
}

function assertMeasured(report: ModelProbeReport): string {
  assert.equal(report.status, 'ok', `${report.name}: ${report.message} ${JSON.stringify(report.assumptions)}`);
  assert.equal(report.mode, 'execute');
  return (report.assumptions ?? []).join('\n');
}

/** A kernel size the literal probe cannot read: only running the code gives it. */
const KERNEL = `JSON.parse('{"k": 1}').k`;

describe('probe execute mode: the real-file failures of issue 12', function () {
  this.timeout(120000);
  const host = new ProbeHost();

  before(() => ensureServerBuilt());
  after(() => host.dispose());

  it('finds the model a method of an exported task object built when it returns a wrapper of a missing module, and skips its training', async () => {
    const report = await probeOne(
      host,
      'exec-wrapped-',
      'tasks.ts',
      `import * as tf from '@tensorflow/tfjs';
import { Trainable } from './missingFramework';
import { examples } from './missingData';

export const digitsTask = {
  describe() { return 'digits'; },
  async makeModel() {
    /** @symmetry invariant translation */
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: ${KERNEL}, activation: 'relu' }));
    model.add(tf.layers.globalMaxPooling2d({}));
    await model.fit(examples.inputs, examples.labels, { epochs: 1000 });
    return new Trainable(model);
  },
};
`,
    );
    const notes = assertMeasured(report);
    assert.equal(report.verdicts[0].passed, true, String(report.verdicts[0].maxRelError));
    assert.match(notes, /digitsTask\.makeModel gave a stub .*the model the code built that matches the source \(2 of 2 layers by kind\) is measured instead/);
    assert.match(notes, /training and saving skipped/);
  });

  it('skips, with a plain reason, a builder that loads a pretrained base over the network', async () => {
    const report = await probeOne(
      host,
      'exec-pretrained-',
      'transfer.ts',
      `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant translation */
export async function buildOnBase(classes: number) {
  const base = await tf.loadLayersModel('https://models.example.org/base/model.json');
  const head = tf.sequential();
  for (const layer of base.layers) head.add(layer);
  head.add(tf.layers.globalAveragePooling2d({}));
  head.add(tf.layers.dense({ units: classes }));
  return head;
}
`,
    );
    assert.equal(report.status, 'skipped', report.message);
    assert.match(report.message ?? '', /pretrained model \(tf\.loadLayersModel\("https:\/\/models\.example\.org\/base\/model\.json"\)\).*does not download/);
  });

  it('keeps a component class under decorators of a missing package and measures the model its method builds behind an Observable', async () => {
    const report = await probeOne(
      host,
      'exec-component-',
      'board.component.ts',
      `import { Component, Input } from '@framework-nobody-installed/core';
import { of } from 'stream-library-nobody-installed';
import * as tf from '@tensorflow/tfjs';

@Component({ selector: 'app-board', template: '<canvas></canvas>' })
export class BoardComponent {
  @Input() title = 'board';
  constructor(private readonly service: { log(text: string): void }) {}

  /** @symmetry invariant translation */
  buildModel$() {
    const net = tf.sequential();
    net.add(tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 3, kernelSize: ${KERNEL} }));
    net.add(tf.layers.globalAveragePooling2d({}));
    return of(net);
  }
}
`,
    );
    const notes = assertMeasured(report);
    assert.equal(report.verdicts[0].passed, true, String(report.verdicts[0].maxRelError));
    assert.match(notes, /module @framework-nobody-installed\/core stubbed/);
    assert.match(notes, /the model the code built that matches the source/);
  });

  it('reaches a CommonJS exports.build builder', async () => {
    const report = await probeOne(
      host,
      'exec-cjs-',
      'model.js',
      `const tf = require('@tensorflow/tfjs');

/** @symmetry invariant translation */
exports.buildNet = () => {
  const model = tf.sequential();
  model.add(tf.layers.conv1d({ inputShape: [12, 2], filters: 3, kernelSize: ${KERNEL}, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling1d({}));
  return model;
};
`,
    );
    assertMeasured(report);
    assert.equal(report.verdicts[0].passed, true, String(report.verdicts[0].maxRelError));
  });

  it('gives sizes a script reads but never defines representative values, and stubs other scripts\' globals', async () => {
    const report = await probeOne(
      host,
      'exec-undeclared-',
      'page.js',
      `// Loaded after config.js and tfjs-vis by script tags: steps, channels and tfvis come from them.
/** @symmetry invariant translation */
const model = tf.sequential();
model.add(tf.layers.conv1d({ inputShape: [steps, channels], filters: 4, kernelSize: ${KERNEL}, padding: 'same' }));
model.add(tf.layers.globalMaxPooling1d({}));
tfvis.show.modelSummary({ name: 'summary' }, model);
`,
    );
    const notes = assertMeasured(report);
    assert.equal(report.verdicts[0].passed, true, String(report.verdicts[0].maxRelError));
    assert.match(notes, /never defines given values the probe chose: steps = \d+, channels = \d+/);
    assert.match(notes, /never defines \(globals of the page's other scripts\) stubbed: tfvis/);
    const names = undeclaredNames(ts.createSourceFile('x.ts', 'import { a } from "b"; const c = d + a; function f(g) { return g + h; } type T = Missing;', ts.ScriptTarget.Latest, true));
    assert.deepEqual(names.sort(), ['d', 'h']);
  });

  it('builds a transfer head on a stand-in base model of a map shape', async () => {
    const report = await probeOne(
      host,
      'exec-head-',
      'head.ts',
      `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant translation */
export function headOn(base: tf.LayersModel, classes: number) {
  const features = base.outputs[0].shape.slice(1) as number[];
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: features, filters: 4, kernelSize: ${KERNEL} }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: classes }),
  ] });
}
`,
    );
    const notes = assertMeasured(report);
    assert.equal(report.verdicts[0].passed, true, String(report.verdicts[0].maxRelError));
    assert.match(notes, /base = a stand-in model with output shape \[\d+, \d+, \d+\]/);
  });

  it('rebuilds a stateful RNN with a fixed batch stateless, so the probe can feed it', async () => {
    const report = await probeOne(
      host,
      'exec-stateful-',
      'rnn.ts',
      `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant translation */
export function buildReader() {
  const model = tf.sequential();
  model.add(tf.layers.gru({ batchInputShape: [64, 7, 3], units: ${KERNEL} + 3, stateful: true, returnSequences: true }));
  model.add(tf.layers.globalAveragePooling1d({}));
  return model;
}
`,
    );
    const notes = assertMeasured(report);
    assert.match(notes, /stateful recurrent layers rebuilt stateless/);
    // A recurrent layer reads its sequence in order: a shift changes what it has seen.
    assert.equal(report.verdicts[0].passed, false);
  });

  it('acts with the group on the axes after the channels of a channels-first input', async () => {
    const report = await probeOne(
      host,
      'exec-channels-first-',
      'board.ts',
      `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant rotation90 */
export function buildBoard() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [2, 7, 7], filters: 4, kernelSize: ${KERNEL}, dataFormat: 'channelsFirst' }));
  model.add(tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }));
  return model;
}
`,
    );
    const notes = assertMeasured(report);
    assert.match(notes, /channels first/);
    assert.equal(report.verdicts[0].passed, true, String(report.verdicts[0].maxRelError));
  });

  it('feeds free input axes with sizes that keep valid convolutions non-empty', async () => {
    const report = await probeOne(
      host,
      'exec-free-axes-',
      'shrinking.ts',
      `import * as tf from '@tensorflow/tfjs';

/** @symmetry equivariant translation */
export function buildShrinking() {
  const input = tf.input({ shape: [null, null, 1] });
  let x = input as tf.SymbolicTensor;
  for (let i = 0; i < 9; i++) x = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}
`,
    );
    const notes = assertMeasured(report);
    const chosen = /input shape \[(\d+), (\d+), 1\] chosen for the free axes/.exec(notes);
    assert.ok(chosen, notes);
    // Nine valid 3x3 convolutions take 18 rows: the default 16 would leave nothing.
    assert.ok(Number(chosen[1]) > 18, chosen[0]);
  });

  it('names the custom layers when a forward pass fails inside tfjs', async () => {
    const report = await probeOne(
      host,
      'exec-custom-fails-',
      'scaled.ts',
      `import * as tf from '@tensorflow/tfjs';

class Rescale extends tf.layers.Layer {
  computeOutputShape(shape: tf.Shape) { return shape; }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    // Treats the list tfjs passes as one tensor.
    return tf.mul(tf.scalar(2), inputs as unknown as tf.Tensor);
  }
  static get className() { return 'Rescale'; }
}

/** @symmetry invariant translation */
export function buildScaled() {
  const input = tf.input({ shape: [8, 8, 1] });
  const scaled = new Rescale({}).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(scaled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: pooled });
}
`,
    );
    assert.equal(report.status, 'error');
    assert.match(report.message ?? '', /custom layers whose call\(\) is the code's own \(Rescale\)/);
  });

  it('fills an empty model held by a top-level object by calling the object\'s builder method', async () => {
    const report = await probeOne(
      host,
      'exec-object-holder-',
      'composer.js',
      `const tf = require('@tensorflow/tfjs');

const Composer = {
  history: [],
  /** @symmetry invariant translation */
  model: tf.sequential(),
  create(width, steps, symbols) {
    this.model.add(tf.layers.conv1d({ inputShape: [steps, symbols], filters: width, kernelSize: ${KERNEL}, padding: 'same' }));
    this.model.add(tf.layers.globalAveragePooling1d({}));
  },
};
module.exports = Composer;
`,
    );
    const notes = assertMeasured(report);
    assert.match(notes, /Composer\.create\(width = \d+, steps = \d+, symbols = \d+\) called/);
    assert.match(notes, /Composer\.create\(\) called to add the model's layers/);
    assert.equal(report.verdicts[0].passed, true, String(report.verdicts[0].maxRelError));
  });

  it('survives a page rejection that fires while the builder is still running (tfjs-wasm\'s own listener rethrew it)', async () => {
    const report = await probeOne(
      host,
      'exec-background-',
      'page.ts',
      `import * as tf from '@tensorflow/tfjs';

async function init() {
  throw new Error('the page could not load its dataset');
}
init();

/** @symmetry invariant translation */
export async function buildLate() {
  // The rejection of init() is reported while this waits.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [8, 2], filters: 2, kernelSize: ${KERNEL} }), tf.layers.globalAveragePooling1d({})] });
}
`,
    );
    const notes = assertMeasured(report);
    assert.match(notes, /threw in the background, ignored: the page could not load its dataset/);
  });

  it('reads bounds of a variant as the nearest value on its side', () => {
    assert.deepEqual([...variantValues('labels > 1 && depth <= 3 && rate < 0.5').entries()], [['labels', 2], ['depth', 3], ['rate', 0]]);
  });
});
