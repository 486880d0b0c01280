// Probe cases from issue 3: exact models measure below 1e-5, broken ones blame the right layer,
// the measured P4 stride facts, and every bad input ends in a clear message (unknown sizes,
// non-square rotation, NaN outputs, 2e9 parameters, missing weight files, cancellation, timeout).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeText, parseSource } from '../../server/src/engine';
import { buildProbePlan } from '../../server/src/probe/planBuilder';
import { ProbeHost, ProbeRunError } from '../../server/src/probe/probeHost';
import { probeFile, probeSavedModel, type FileProbeOutcome } from '../../server/src/probe/runProbes';
import { ensureServerBuilt } from './probeTestSupport';
import { scratchFolder } from './scratchFolders';

const LIMITS = { timeoutMs: 60000, maxParameters: 20_000_000 };

function model(declarations: string[], body: string, imports = ''): string {
  return `import * as tf from '@tensorflow/tfjs';\n${imports}\n/**\n${declarations.map((d) => ` * @symmetry ${d}\n`).join('')} */\nexport function build() {\n${body}\n}\n`;
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

describe('probe cases', function () {
  this.timeout(60000);
  const host = new ProbeHost();
  let counter = 0;
  const probe = (text: string, limits = LIMITS): Promise<FileProbeOutcome> => {
    const fileName = path.join(os.tmpdir(), `probe-case-${process.pid}-${counter++}.ts`);
    return probeFile(host, analyzeText(fileName, text), parseSource(fileName, text), limits);
  };

  before(() => ensureServerBuilt());
  after(() => host.dispose());

  it('measures 1x1 convolutions with global pooling as exact under translation, rotation and dihedral', async () => {
    const text = model(['invariant translation', 'invariant rotation90', 'invariant dihedral'], `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 1, activation: 'relu' }),
    tf.layers.batchNormalization({}),
    tf.layers.globalMaxPooling2d({}),
    tf.layers.dense({ units: 3 }),
  ] });`);
    const { reports } = await probe(text);
    assert.equal(reports[0].status, 'ok', reports[0].message);
    assert.equal(reports[0].verdicts.length, 3);
    for (const verdict of reports[0].verdicts) {
      assert.ok(verdict.maxRelError < 1e-5, `${verdict.group}: ${verdict.maxRelError}`);
      assert.ok(verdict.passed && verdict.agrees);
    }
  });

  it('blames a 3x3 convolution under rotation90 (about 1.0 at the conv, not 1e-6)', async () => {
    const text = model(['invariant rotation90'], `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 1 }),
    tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
    const { reports, findings } = await probe(text);
    const verdict = reports[0].verdicts[0];
    assert.equal(verdict.passed, false);
    assert.equal(verdict.breakingLayerLine, lineOf(text, 'kernelSize: 3'));
    const [pointwise, conv] = reports[0].layers;
    assert.ok((pointwise.relError[0] ?? 1) < 1e-5, String(pointwise.relError[0]));
    assert.ok((conv.relError[0] ?? 0) > 0.3, String(conv.relError[0]));
    const violation = findings.find((f) => f.ruleId === 'probe-violation');
    assert.ok(violation);
    assert.match(violation.message, /^conv2d breaks invariant rotation90, as kernel-breaks-rotation predicts: probe error [\d.e+-]+ at this layer, [\d.e+-]+ at the output \(tol 0\.0001\)/);
    assert.match(violation.message, /rotation by \d+°, k=\d/);
    assert.match(violation.message, /kernel-breaks-rotation/);
  });

  it('redraws PReLU slopes: a per-pixel PReLU breaks translation after 1x1 convolutions', async () => {
    const text = model(['invariant translation'], `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1 }),
    tf.layers.prelu({}),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
    const { reports } = await probe(text);
    const verdict = reports[0].verdicts[0];
    assert.ok(verdict.maxRelError > 1e-2, String(verdict.maxRelError));
    assert.equal(verdict.breakingLayerLine, lineOf(text, 'prelu'));
  });

  it('treats an odd MLP without bias as exact and blames the first biased dense under sign', async () => {
    const odd = model(['equivariant sign'], `
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [5], units: 8, useBias: false, activation: 'tanh' }),
    tf.layers.dense({ units: 2, useBias: false }),
  ] });`);
    const oddResult = await probe(odd);
    assert.ok(oddResult.reports[0].verdicts[0].maxRelError < 1e-5);
    const biased = odd.replace("units: 2, useBias: false", 'units: 2');
    const biasedResult = await probe(biased);
    assert.equal(biasedResult.reports[0].verdicts[0].passed, false);
    assert.equal(biasedResult.reports[0].verdicts[0].breakingLayerLine, lineOf(biased, 'units: 2'));
  });

  it('reproduces the P4 stride fact: stride-2 same breaks rotation at 24x24, exact at 25x25', async function () {
    const source = fs.readFileSync(path.resolve(__dirname, '../../samples/p4-rotation.js'), 'utf8');
    const at = async (size: number) => {
      const text = source.replace('inputShape: [24, 24, 1]', `inputShape: [${size}, ${size}, 1]`);
      const fileName = path.resolve(__dirname, `../../samples/p4-probe-${size}.js`);
      return probeFile(host, analyzeText(fileName, text), parseSource(fileName, text), LIMITS);
    };
    const even = await at(24);
    if (even.reports[0].status !== 'ok' && /symmetry-lint-layers/.test(even.reports[0].message ?? '')) this.skip();
    const odd = await at(25);
    assert.ok(even.reports[0].verdicts[0].maxRelError > 1e-2, String(even.reports[0].verdicts[0].maxRelError));
    assert.equal(even.reports[0].verdicts[0].breakingLayerLine, lineOf(source, 'P4Conv2D({'));
    assert.ok(odd.reports[0].verdicts[0].maxRelError < 1e-5, String(odd.reports[0].verdicts[0].maxRelError));
    assert.ok(odd.reports[0].verdicts[0].agrees);
  });

  it('builds the 1D and 3D library layers: circular padding measures exact, BlurPool only for multiples of its stride', async () => {
    const imports = "import * as sl from 'symmetry-lint-layers';";
    const sequence = model(['invariant translation'], `
  return tf.sequential({ layers: [
    new sl.CircularPad1D({ padding: 1, inputShape: [24, 3] }),
    tf.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu' }),
    tf.layers.globalAveragePooling1d({}),
  ] });`, imports);
    const volume = model(['equivariant translation'], `
  return tf.sequential({ layers: [
    new sl.CircularPad3D({ padding: 1, inputShape: [6, 6, 6, 2] }),
    tf.layers.conv3d({ filters: 3, kernelSize: 3, padding: 'valid' }),
  ] });`, imports);
    for (const text of [sequence, volume]) {
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
      const verdict = reports[0].verdicts[0];
      assert.ok(verdict.maxRelError < 1e-5 && verdict.passed && verdict.agrees, JSON.stringify(verdict));
    }
    const blurred = model(['invariant translation'], `
  return tf.sequential({ layers: [
    tf.layers.conv1d({ inputShape: [24, 3], filters: 4, kernelSize: 1, activation: 'relu' }),
    new sl.BlurPool1D({ stride: 2, poolSize: 2 }),
    tf.layers.conv1d({ filters: 4, kernelSize: 1, activation: 'relu' }),
    tf.layers.globalAveragePooling1d({}),
  ] });`, imports);
    const { reports } = await probe(blurred);
    assert.equal(reports[0].status, 'ok', reports[0].message);
    assert.deepEqual(reports[0].layers.map((layer) => layer.kind), ['conv1d', 'BlurPool1D', 'conv1d', 'globalAveragePooling1d']);
    // Shifts by one step are not multiples of the stride: after a nonlinearity the anti-aliased
    // pool still shows. (Without one, the mean of a [1, 2, 1] blur sampled every 2nd step weighs
    // every input equally, so global average pooling right after it is exactly invariant.)
    assert.ok(reports[0].verdicts[0].maxRelError > 1e-4, JSON.stringify(reports[0].verdicts[0]));
    assert.equal(reports[0].verdicts[0].staticVerdict, 'subgroup');
  });

  it('builds SetAttention from the library: measured invariant with pooling, and a dense over the flattened set is caught', async () => {
    const imports = "import * as sl from 'symmetry-lint-layers';";
    const attention = model(['invariant permutation'], `
  return tf.sequential({ layers: [
    new sl.SetAttention({ numHeads: 2, inputShape: [7, 4] }),
    new sl.SetAttention({ numHeads: 2, keyDim: 3, pooling: true }),
    tf.layers.dense({ units: 2 }),
  ] });`, imports);
    const { reports } = await probe(attention);
    assert.equal(reports[0].status, 'ok', reports[0].message);
    assert.deepEqual(reports[0].layers.map((layer) => layer.kind), ['SetAttention', 'SetAttention', 'dense']);
    const verdict = reports[0].verdicts[0];
    assert.ok(verdict.maxRelError < 1e-5 && verdict.passed && verdict.agrees, JSON.stringify(verdict));
    const flattened = model(['invariant permutation'], `
  return tf.sequential({ layers: [
    new sl.SetAttention({ numHeads: 2, inputShape: [7, 4] }),
    tf.layers.flatten({}),
    tf.layers.dense({ units: 2 }),
  ] });`, imports);
    const broken = await probe(flattened);
    assert.equal(broken.reports[0].status, 'ok', broken.reports[0].message);
    assert.ok(broken.reports[0].verdicts[0].maxRelError > 1e-2, JSON.stringify(broken.reports[0].verdicts[0]));
  });

  it('says why it does not probe GraphConv under permutation when it cannot tell which input is the adjacency', async () => {
    const text = model(['invariant permutation'], `
  const nodes = tf.input({ shape: [6, 3] });
  const adjacency = tf.input({ shape: [6, 6] });
  const weighted = tf.layers.activation({ activation: 'sigmoid' }).apply(adjacency);
  const messages = new sl.GraphConv({ units: 4 }).apply([nodes, weighted]);
  return tf.model({ inputs: [nodes, adjacency], outputs: new sl.SetPool({ reduction: 'sum' }).apply(messages) });`, "import * as sl from 'symmetry-lint-layers';");
    const { reports } = await probe(text);
    assert.notEqual(reports[0].status, 'ok');
    assert.match(reports[0].message ?? '', /cannot probe GraphConv \(line \d+\): .*A -> P·A·Pᵀ.*adjacency=<input>/);
    assert.deepEqual(reports[0].verdicts, []);
  });

  describe('bad input', () => {
    it('gives unknown dimensions the default size 16', async () => {
      const text = model(['invariant translation'], `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [null, null, 3], filters: 4, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const fileName = path.join(os.tmpdir(), 'unknown-dims.ts');
      const analysis = analyzeText(fileName, text);
      assert.deepEqual(buildProbePlan(analysis.models[0], parseSource(fileName, text)).plan.inputs[0].shape, [16, 16, 3]);
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
      assert.ok(reports[0].verdicts[0].maxRelError < 1e-5);
    });

    it('refuses a non-square input under rotation90 with a clear message', async () => {
      const text = model(['invariant rotation90'], `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 32, 3], filters: 4, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'skipped');
      assert.match(reports[0].message ?? '', /square input, but this model's input is 28x32/);
    });

    it('reports NaN outputs as a clear error, not a verdict', async () => {
      const text = model(['invariant translation'], `
  return tf.sequential({ layers: [
    tf.layers.rescaling({ inputShape: [8, 8, 2], scale: 1e39 }),
    tf.layers.conv2d({ filters: 4, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const { reports, findings } = await probe(text);
      assert.equal(reports[0].status, 'error');
      assert.match(reports[0].message ?? '', /non-finite values \(NaN or Infinity\) from layer rescaling/);
      assert.equal(findings.length, 0);
    });

    it('refuses a 2-billion-parameter configuration within a second', async () => {
      // The reshape counts the declared width, so the probe cannot take a smaller one instead.
      const text = model(['invariant permutation'], `
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [16, 40000], units: 50000 }),
    tf.layers.reshape({ targetShape: [16, 50000] }),
    tf.layers.globalAveragePooling1d({}),
  ] });`);
      const started = performance.now();
      const { reports } = await probe(text);
      assert.ok(performance.now() - started < 1000);
      assert.equal(reports[0].status, 'skipped');
      assert.match(reports[0].message ?? '', /2\.00e\+9 parameters, more than the probe limit/);
    });

    it('probes a saved model with its trained weights, and names missing weight files', async () => {
      const folder = scratchFolder('saved-model-');
      const saved = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 3, kernelSize: 1 }), tf.layers.globalAveragePooling2d({})] });
      await saved.save(
        tf.io.withSaveHandler(async (artifacts) => {
          fs.writeFileSync(path.join(folder, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
          fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      saved.dispose();
      const declarations = [{ mode: 'invariant' as const, group: 'rotation90' as const, axis: 1, tol: 1e-4, approximate: false }];
      const report = await probeSavedModel(host, path.join(folder, 'model.json'), declarations, LIMITS);
      assert.equal(report.status, 'ok', report.message);
      assert.ok(report.verdicts[0].maxRelError < 1e-5 && report.verdicts[0].passed);
      assert.deepEqual(report.layers.map((layer) => layer.kind), ['conv2d', 'globalAveragePooling2d']);
      fs.rmSync(path.join(folder, 'weights.bin'));
      const missing = await probeSavedModel(host, path.join(folder, 'model.json'), declarations, LIMITS);
      assert.equal(missing.status, 'error');
      assert.match(missing.message ?? '', /weight files that are missing beside it: weights\.bin/);
    });

    it('stops a probe cancelled mid-run, then probes again with a fresh worker', async () => {
      const text = model(['invariant translation'], `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [96, 96, 16], filters: 64, kernelSize: 5, padding: 'same' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const fileName = path.join(os.tmpdir(), 'cancel.ts');
      const analysis = analyzeText(fileName, text);
      const { plan } = buildProbePlan(analysis.models[0], parseSource(fileName, text));
      const abort = new AbortController();
      await assert.rejects(
        host.run({ type: 'probe', plan }, { timeoutMs: 60000, signal: abort.signal, onStarted: () => abort.abort() }),
        (error: unknown) => error instanceof ProbeRunError && error.reason === 'cancelled' && /cancelled/.test(error.message),
      );
      assert.equal(host.isWarm, false);
      const timedOut = await probe(text, { ...LIMITS, timeoutMs: 30 });
      assert.equal(timedOut.reports[0].status, 'error');
      assert.match(timedOut.reports[0].message ?? '', /longer than 30 ms/);
      const small = model(['invariant translation'], `return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 4, 2], units: 2 }), tf.layers.globalAveragePooling2d({})] });`);
      const again = await probe(small);
      assert.equal(again.reports[0].status, 'ok', again.reports[0].message);
    });
  });
});
