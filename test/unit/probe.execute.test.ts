// The execute-mode probe (issue 3 "Trust"): a model whose configuration is not static cannot be
// built from literals, but running its own code in the probe worker gives a verdict mapped to
// source lines. Without execute mode no user code runs (the fixture's marker file proves it);
// the holder forms, bad code and the worker's recycling are covered too.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile } from '../../server/src/engine';
import { alignLayers } from '../../server/src/probe/executeModel';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile, type FileProbeOutcome, type ProbeLimits } from '../../server/src/probe/runProbes';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { lineOf, RUNTIME_MODEL, writeRuntimeModel } from './probeExecuteFixtures';
import { ensureServerBuilt } from './probeTestSupport';

const CLI = path.resolve(__dirname, '../../server/bin/symmetry-lint.js');
const LIMITS: ProbeLimits = { timeoutMs: 60000, maxParameters: 20_000_000 };

function probeOnDisk(host: ProbeHost, modelFile: string, limits: ProbeLimits): Promise<FileProbeOutcome> {
  const disk = new DiskSourceFiles();
  const sourceFile = disk.getSourceFile(modelFile);
  assert.ok(sourceFile, `cannot read ${modelFile}`);
  return probeFile(host, analyzeFile(sourceFile, disk), sourceFile, limits);
}

describe('probe execute mode', function () {
  this.timeout(60000);
  const host = new ProbeHost();

  before(() => ensureServerBuilt());
  after(() => host.dispose());

  it('cannot build a model with run-time sizes from literals, and runs none of its code', async () => {
    const { modelFile, marker } = writeRuntimeModel('probe-exec-literal-');
    const { reports } = await probeOnDisk(host, modelFile, LIMITS);
    assert.equal(reports.length, 2);
    for (const report of reports) {
      assert.equal(report.status, 'skipped');
      assert.match(report.message ?? '', /cannot build layer conv2d \(line \d+\): .*kernelSize.* not a compile-time constant/);
      assert.equal(report.mode, undefined);
    }
    assert.equal(fs.existsSync(marker), false, 'a literal probe executed the model file');
  });

  it('runs the code in execute mode: verdicts, blamed source line, probe-violation, marker written', async () => {
    const { modelFile, marker } = writeRuntimeModel('probe-exec-run-');
    const { reports, findings } = await probeOnDisk(host, modelFile, { ...LIMITS, execute: true });
    assert.ok(fs.existsSync(marker), 'execute mode did not run the model file');
    const broken = reports.find((report) => report.name === 'buildBroken');
    assert.ok(broken);
    assert.equal(broken.status, 'ok', broken.message);
    assert.equal(broken.mode, 'execute');
    const verdict = broken.verdicts[0];
    assert.equal(verdict.passed, false);
    assert.ok(verdict.maxRelError > 1e-2, String(verdict.maxRelError));
    const spatialLine = lineOf(RUNTIME_MODEL, "kernelFor('spatial')");
    assert.equal(verdict.breakingLayerLine, spatialLine);
    // Every executed layer found its source line, and the 1x1 convolution before it is exact.
    assert.deepEqual(broken.layers.map((layer) => layer.line), [lineOf(RUNTIME_MODEL, "kernelSize: kernelFor('pointwise') })"), spatialLine, lineOf(RUNTIME_MODEL, 'globalAveragePooling2d')]);
    assert.ok((broken.layers[0].relError[0] ?? 1) < 1e-5);
    const violation = findings.find((finding) => finding.ruleId === 'probe-violation' && finding.modelName === 'buildBroken');
    assert.ok(violation);
    assert.equal(violation.line + 1, spatialLine);
    assert.match(violation.message, /rotation by \d+°, k=\d/);

    const exact = reports.find((report) => report.name === 'buildExact');
    assert.ok(exact);
    assert.equal(exact.status, 'ok', exact.message);
    assert.ok(exact.verdicts[0].maxRelError < 1e-5, String(exact.verdicts[0].maxRelError));
    assert.equal(exact.verdicts[0].passed, true);
    // A worker that ran user code is not reused.
    assert.equal(host.isWarm, false);
  });

  it('obtains models from a tf.Sequential subclass, a class method, a module variable and an async function', async () => {
    const { modelFile } = writeRuntimeModel(
      'probe-exec-holders-',
      `import * as tf from '@tensorflow/tfjs';
import { kernelFor, sizes } from './runtimeSizes';

/** @symmetry invariant rotation90 */
export class RotationNet extends tf.Sequential {
  constructor() {
    super();
    this.add(tf.layers.conv2d({ inputShape: [16, 16, 1], filters: sizes.filters, kernelSize: kernelFor('spatial'), padding: 'same' }));
    this.add(tf.layers.globalAveragePooling2d({}));
  }
}

class Trainer {
  /** @symmetry invariant translation */
  build() {
    return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [16, 16, 1], filters: sizes.filters, kernelSize: kernelFor('pointwise') }), tf.layers.globalAveragePooling2d({})] });
  }
}

/** @symmetry invariant flip */
const held = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8, 8, 2], units: sizes.filters }), tf.layers.globalMaxPooling2d({})] });

/** @symmetry invariant translation */
async function buildLater() {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [16, 16, 1], filters: sizes.filters, kernelSize: kernelFor('pointwise') }), tf.layers.globalAveragePooling2d({})] });
}
`,
    );
    const { reports } = await probeOnDisk(host, modelFile, { ...LIMITS, execute: true });
    const byName = new Map(reports.map((report) => [report.name, report]));
    assert.deepEqual([...byName.keys()].sort(), ['RotationNet', 'Trainer.build', 'buildLater', 'held']);
    for (const report of reports) assert.equal(report.status, 'ok', `${report.name}: ${report.message}`);
    assert.equal(byName.get('RotationNet')!.verdicts[0].passed, false);
    for (const name of ['Trainer.build', 'held', 'buildLater']) assert.ok(byName.get(name)!.verdicts[0].maxRelError < 1e-5, name);
  });

  it('answers code that throws, a holder that is no model and a promise that never settles with clear messages', async () => {
    const { modelFile } = writeRuntimeModel(
      'probe-exec-bad-',
      `import * as tf from '@tensorflow/tfjs';
import { sizes } from './runtimeSizes';

/** @symmetry invariant translation */
export function buildThrows() {
  if (sizes.filters > 0) throw new Error('no dataset configured');
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 2], units: 2 }), tf.layers.globalAveragePooling1d({})] });
}

/** @symmetry invariant translation */
export function buildNothing() {
  if (sizes.filters > 0) return { layers: 3 } as unknown as tf.Sequential;
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 2], units: 2 }), tf.layers.globalAveragePooling1d({})] });
}

/** @symmetry invariant translation */
export function buildNever(): Promise<tf.Sequential> {
  if (sizes.filters > 0) return new Promise(() => undefined);
  return Promise.resolve(tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 2], units: 2 }), tf.layers.globalAveragePooling1d({})] }));
}
`,
    );
    const { reports } = await probeOnDisk(host, modelFile, { ...LIMITS, timeoutMs: 3000, execute: true });
    const byName = new Map(reports.map((report) => [report.name, report]));
    assert.equal(byName.get('buildThrows')!.status, 'error');
    assert.match(byName.get('buildThrows')!.message ?? '', /calling buildThrows\(\) threw: no dataset configured/);
    assert.match(byName.get('buildNothing')!.message ?? '', /buildNothing gave an object of class Object, not a tf\.LayersModel/);
    assert.match(byName.get('buildNever')!.message ?? '', /did not settle within \d+ ms|took longer than 3000 ms/);
    // The host keeps answering: the next probe still measures.
    const { modelFile: again } = writeRuntimeModel('probe-exec-after-');
    const next = await probeOnDisk(host, again, { ...LIMITS, execute: true });
    assert.equal(next.reports.find((report) => report.name === 'buildExact')?.status, 'ok');
  });

  it('maps executed layers to extracted ones in order, and unmatched ones to the holder line', () => {
    const executed = ['conv2d', 'myCustomLayer', 'globalAveragePooling2d'].map((kind, id) => ({ id, kind, origin: 'tfjs' as const, config: {}, nonConstant: [], inputs: [id], output: id + 1, line: 0 }));
    const { layers, matched } = alignLayers(executed, [{ id: 0, kind: 'conv2d', line: 7 }, { id: 1, kind: 'globalAveragePooling2d', line: 9 }], 4);
    assert.equal(matched, 2);
    assert.deepEqual(layers.map((layer) => [layer.id, layer.line]), [[0, 7], [3, 4], [1, 9]]);
  });
});

describe('check --probe-execute (CLI)', function () {
  this.timeout(60000);
  before(() => ensureServerBuilt());
  const check = (folder: string, ...args: string[]) => spawnSync(process.execPath, [CLI, 'check', 'runtimeModel.ts', ...args], { cwd: folder, encoding: 'utf8', timeout: 60000 });

  it('runs no model code with --probe alone, and runs it only with --probe-execute', () => {
    const { folder, marker } = writeRuntimeModel('cli-exec-');
    const literal = check(folder, '--probe', '--format', 'json');
    assert.equal(literal.status, 0, literal.stderr);
    assert.equal(fs.existsSync(marker), false, 'check --probe executed the model file');
    const literalModels = JSON.parse(literal.stdout).files[0].models;
    assert.equal(literalModels[0].probe.status, 'skipped');
    assert.match(literalModels[0].probe.message, /cannot build layer conv2d/);

    const executed = check(folder, '--probe', '--probe-execute', '--format', 'json');
    assert.equal(executed.status, 1, executed.stderr);
    assert.ok(fs.existsSync(marker), 'check --probe-execute did not execute the model file');
    const models = JSON.parse(executed.stdout).files[0].models;
    const broken = models.find((model: { name: string }) => model.name === 'buildBroken');
    assert.equal(broken.probe.status, 'ok');
    assert.equal(broken.probe.mode, 'execute');
    assert.deepEqual(Object.keys(broken.probe.verdicts[0]).slice(0, 5), ['mode', 'group', 'maxRelError', 'worstElement', 'breakingLayerLine']);
    assert.equal(broken.probe.verdicts[0].breakingLayerLine, lineOf(RUNTIME_MODEL, "kernelFor('spatial')"));
    assert.ok(broken.findings.some((finding: { ruleId: string }) => finding.ruleId === 'probe-violation'));
    const exact = models.find((model: { name: string }) => model.name === 'buildExact');
    assert.ok(exact.probe.verdicts[0].maxRelError < 1e-5);
  });

  it('documents the flag and refuses a value for it', () => {
    const { folder } = writeRuntimeModel('cli-exec-usage-');
    assert.match(check(folder, '--help').stdout, /--probe-execute .*RUNNING/s);
    const bad = check(folder, '--probe-execute=yes');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--probe-execute takes no value/);
  });
});
