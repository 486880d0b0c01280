// The execute-mode probe on files shaped like real ones (issue 12): imports a model builder does
// not need (or that cannot load) are stubbed and listed, script-tag code gets a global `tf` and
// stub browser globals, builders with parameters get arguments chosen from the source (the
// variant's decisions first), ES modules (`.mjs`, `.js` of a "type": "module" package,
// `import.meta`, top-level await) load, a model local to a function is reached by calling it,
// and code that throws ends as a reported error, never a crash. Every fixture is small and ours.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile } from '../../server/src/engine';
import { variantValues } from '../../server/src/probe/executeArguments';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile, type FileProbeOutcome, type ProbeLimits } from '../../server/src/probe/runProbes';
import type { ModelProbeReport } from '../../server/src/protocol';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { ensureServerBuilt } from './probeTestSupport';
import { scratchFolder } from './scratchFolders';

const LIMITS: ProbeLimits = { timeoutMs: 60000, maxParameters: 20_000_000, execute: true };

/** Writes `files` (relative path -> text) into a fresh folder; returns the folder. */
function writeFolder(prefix: string, files: Record<string, string>): string {
  const folder = scratchFolder(prefix);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

function probeOnDisk(host: ProbeHost, modelFile: string, limits: ProbeLimits = LIMITS): Promise<FileProbeOutcome> {
  const disk = new DiskSourceFiles();
  const sourceFile = disk.getSourceFile(modelFile);
  assert.ok(sourceFile, `cannot read ${modelFile}`);
  return probeFile(host, analyzeFile(sourceFile, disk), sourceFile, limits);
}

function only(reports: ModelProbeReport[], name: string): ModelProbeReport {
  const found = reports.filter((report) => report.name === name);
  assert.equal(found.length, 1, `models: ${reports.map((report) => report.name).join(', ')}`);
  return found[0];
}

function assertMeasured(report: ModelProbeReport): void {
  assert.equal(report.status, 'ok', `${report.name}: ${report.message} ${JSON.stringify(report.assumptions)}`);
  assert.equal(report.mode, 'execute');
}

/**
 * A kernel size from JSON parsed at run time: the literal probe cannot build these models. It is
 * 1 so that a model with global pooling is exactly invariant (wider kernels see the border).
 */
const KERNEL_AT_RUN_TIME = `JSON.parse('{"kernel": 1}').kernel`;

describe('probe execute mode on real-shaped files', function () {
  this.timeout(90000);
  const host = new ProbeHost();

  before(() => ensureServerBuilt());
  after(() => host.dispose());

  it('stubs modules a builder does not need and imports that fail to load, and lists each', async () => {
    const folder = writeFolder('exec-stubs-', {
      'net.ts': `import * as tf from '@tensorflow/tfjs';
import * as tfvis from '@tensorflow/tfjs-vis';
import { ArgumentParser } from 'argparse';
import createDebug from 'debug';
import { plotLosses } from 'some-package-nobody-installed';
import { helperThatIsGone } from './deletedHelper';

const log = createDebug('net');
const parser = new ArgumentParser({ description: 'trains the net' });
parser.add_argument('--epochs', { type: 'int' });
const surface = tfvis.visor().surface({ name: 'training' });

/** @symmetry invariant translation */
export function buildNet() {
  log('building');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: ${KERNEL_AT_RUN_TIME}, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

export function train() {
  plotLosses(surface);
  helperThatIsGone();
}
`,
    });
    const { reports } = await probeOnDisk(host, path.join(folder, 'net.ts'));
    const report = only(reports, 'buildNet');
    assertMeasured(report);
    assert.ok(report.verdicts[0].passed, String(report.verdicts[0].maxRelError));
    const listed = (report.assumptions ?? []).join('\n');
    for (const module of ['@tensorflow/tfjs-vis', 'argparse', 'debug', 'some-package-nobody-installed', './deletedHelper']) {
      assert.match(listed, new RegExp(`module ${module.replace(/[./-]/g, '\\$&')} stubbed`), listed);
    }
    assert.match(listed, /some-package-nobody-installed stubbed \(not installed\)/);
  });

  it('runs script-tag code: a global tf, stub browser globals, and page code that throws skipped', async () => {
    const folder = writeFolder('exec-script-', {
      'page.js': `// Loaded by <script src="page.js"> after the tfjs script tag: no imports.
const canvas = document.getElementById('drawing');
const context = canvas.getContext('2d');
const picture = new Image();
picture.src = 'digit.png';
const pixels = tf.browser.fromPixels(picture);
window.addEventListener('load', () => startTraining());

/** @symmetry invariant translation */
const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 3, kernelSize: ${KERNEL_AT_RUN_TIME}, activation: 'relu' }));
model.add(tf.layers.globalMaxPooling2d({}));

function startTraining() {
  model.fit(pixels, pixels);
}
`,
    });
    const { reports } = await probeOnDisk(host, path.join(folder, 'page.js'));
    const report = only(reports, 'model');
    assertMeasured(report);
    const listed = (report.assumptions ?? []).join('\n');
    assert.match(listed, /browser globals stubbed .*document/);
    assert.match(listed, /Image/);
    assert.match(listed, /window/);
    // tf.browser.fromPixels on a stub image throws: that line is skipped and named.
    assert.match(listed, /page\.js: the top-level code at line 6 threw and was skipped/);
  });

  it('calls a builder with parameters with the values of each variant, and representative widths and shapes', async () => {
    const folder = writeFolder('exec-params-', {
      'builder.ts': `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant translation */
export function createNet(inputShape: number[], numClasses: number, pooling: string, layerSizes: number[]) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 1 }));
  layerSizes.forEach((size) => model.add(tf.layers.conv2d({ filters: size, kernelSize: 1 })));
  if (pooling === 'global') {
    model.add(tf.layers.globalAveragePooling2d({}));
  } else {
    model.add(tf.layers.flatten());
  }
  model.add(tf.layers.dense({ units: numClasses }));
  return model;
}
`,
    });
    const { reports } = await probeOnDisk(host, path.join(folder, 'builder.ts'));
    assert.equal(reports.length, 2, reports.map((report) => `${report.name} ${report.variant}`).join(', '));
    const global = reports.find((report) => report.variant === "pooling === 'global'");
    const flat = reports.find((report) => report.variant !== "pooling === 'global'");
    assert.ok(global && flat);
    assertMeasured(global);
    assertMeasured(flat);
    // The variant decides the architecture: global pooling keeps translation, flatten breaks it.
    assert.equal(global.verdicts[0].passed, true, String(global.verdicts[0].maxRelError));
    assert.equal(flat.verdicts[0].passed, false);
    const words = (global.assumptions ?? []).join('\n');
    assert.match(words, /createNet\(inputShape = \[\d+,\d+,\d+\], numClasses = 8, pooling = "global", layerSizes = \[8\]\) called with arguments the probe chose/);
    assert.match((flat.assumptions ?? []).join('\n'), /pooling = "not-global"/);
    const excluded = new Map<string, unknown>();
    assert.deepEqual([...variantValues("type === 'lstm' && !useBias && config.deep && mode !== 2", excluded).entries()], [['type', 'lstm'], ['useBias', false], ['config.deep', true]]);
    assert.deepEqual([...excluded.entries()], [['mode', 2]]);
  });

  it('loads an .mjs module that uses import.meta and declares its own __dirname and require', async () => {
    const folder = writeFolder('exec-mjs-', {
      'model.mjs': `import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';

const __dirname = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const settings = require('./settings.json');
if (!import.meta.url.startsWith('file:') || !__dirname) throw new Error('import.meta is not this file');

/** @symmetry invariant translation */
export function build() {
  return tf.sequential({ layers: [
    tf.layers.conv1d({ inputShape: [20, 3], filters: 4, kernelSize: settings.kernel, padding: 'same' }),
    tf.layers.globalAveragePooling1d({}),
  ] });
}
`,
      'settings.json': '{ "kernel": 1 }',
    });
    const { reports } = await probeOnDisk(host, path.join(folder, 'model.mjs'));
    const report = only(reports, 'build');
    assertMeasured(report);
    assert.equal(report.verdicts[0].passed, true);
    assert.equal(report.assumptions, undefined, JSON.stringify(report.assumptions));
  });

  it('loads .js ES modules of a "type": "module" package, with a sibling module and top-level await', async () => {
    const folder = writeFolder('exec-esm-', {
      'package.json': '{ "name": "esm-models", "type": "module" }',
      'src/sizes.js': `export const kernel = await Promise.resolve(JSON.parse('3'));\nexport default { filters: 4 };\n`,
      'src/model.js': `import * as tf from '@tensorflow/tfjs';
import widths, { kernel } from './sizes.js';

const ready = await Promise.resolve(true);

/** @symmetry invariant translation */
export const buildModel = () => {
  if (!ready) throw new Error('top-level await did not finish');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [9, 9, 1], filters: widths.filters, kernelSize: kernel }));
  model.add(tf.layers.flatten());
  return model;
};
`,
    });
    const { reports } = await probeOnDisk(host, path.join(folder, 'src/model.js'));
    const report = only(reports, 'buildModel');
    assertMeasured(report);
    // flatten keeps positions: a translation breaks the invariance, measured, not crashed.
    assert.equal(report.verdicts[0].passed, false);
  });

  it('reaches a model local to a function by calling the function, and says so', async () => {
    const folder = writeFolder('exec-local-', {
      'train.ts': `import * as tf from '@tensorflow/tfjs';

export function run(units: number) {
  /** @symmetry invariant permutation */
  const net = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [5, 3], units }),
    tf.layers.globalAveragePooling1d({}),
  ] });
  return net;
}
`,
    });
    const { reports } = await probeOnDisk(host, path.join(folder, 'train.ts'));
    assert.equal(reports.length, 1, JSON.stringify(reports.map((report) => report.name)));
    const report = reports[0];
    assertMeasured(report);
    assert.equal(report.verdicts[0].passed, true);
    assert.match((report.assumptions ?? []).join('\n'), /run\(units = 8\) called/);
  });

  it('reports a builder that throws, and survives background errors and process.exit in the file', async () => {
    const folder = writeFolder('exec-throws-', {
      'noisy.ts': `import * as tf from '@tensorflow/tfjs';

setTimeout(() => { throw new Error('a timer of the page failed'); }, 0);
Promise.reject(new Error('a download failed'));

/** @symmetry invariant translation */
export function buildBroken() {
  if (JSON.parse('true')) throw new Error('dataset not configured');
  return tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [8, 2], filters: 2, kernelSize: 3 }), tf.layers.globalMaxPooling1d({})] });
}

/** @symmetry invariant translation */
export function buildFine() {
  return tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [8, 2], filters: 2, kernelSize: ${KERNEL_AT_RUN_TIME}, padding: 'same' }), tf.layers.globalMaxPooling1d({})] });
}

if (process.argv.includes('--never')) process.exit(1);
process.exit(0);
`,
    });
    const { reports } = await probeOnDisk(host, path.join(folder, 'noisy.ts'));
    const broken = only(reports, 'buildBroken');
    assert.equal(broken.status, 'error');
    assert.match(broken.message ?? '', /calling buildBroken\(\) threw: dataset not configured/);
    const fine = only(reports, 'buildFine');
    assertMeasured(fine);
    assert.match((fine.assumptions ?? []).join('\n'), /process\.exit\(0\)/);
  });
});
