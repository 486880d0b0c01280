// Discovered symmetries (issue 9): the states `--infer` reports for undeclared models, against
// hand-built models whose answer is known, and every `exact` state of the samples against the
// probe (tfjs, in the worker): an exact inference must measure below 1e-4.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, discoveredSymmetriesOf, parseSource, type ModelAnalysis } from '../../server/src/engine';
import { describeInferredLine } from '../../server/src/analysis/discoveredSymmetries';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeModel } from '../../server/src/probe/runProbes';
import { ensureServerBuilt } from './probeTestSupport';
import { scratchFolder } from './scratchFolders';

const SAMPLES = path.resolve(__dirname, '../../samples');

function only(text: string): ModelAnalysis {
  const analysis = analyzeText('/virtual/model.ts', text);
  assert.equal(analysis.models.length, 1);
  return analysis.models[0];
}

function states(model: ModelAnalysis): Record<string, string> {
  return Object.fromEntries(discoveredSymmetriesOf(model).map((entry) => [`${entry.mode} ${entry.group}`, entry.state]));
}

const POOLED = `import * as tf from '@tensorflow/tfjs';
export function buildPooled() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1, useBias: false }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`;

const PLANTED = `import * as tf from '@tensorflow/tfjs';
export function buildClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 2 }));
  return model;
}
`;

describe('discovered symmetries', () => {
  it('reports every group that acts on an image input, exact where nothing breaks it', () => {
    const model = only(POOLED);
    const found = states(model);
    for (const group of ['translation', 'rotation90', 'flip', 'dihedral']) assert.equal(found[`invariant ${group}`], 'exact', group);
    assert.equal(found['invariant permutation'], undefined, 'permutation does not act on an image');
    assert.equal(found['equivariant sign'], 'exact', '1x1 convolution without bias and average pooling are odd');
    assert.equal(found['invariant sign'], 'broken', 'an odd function is not even');
    assert.equal(model.inferences.length, 0, 'the model declares nothing and analyzeFile computed nothing for it');
  });

  it('names the planted breaks and the border, and only the groups the input allows', () => {
    const model = only(PLANTED);
    const found = states(model);
    assert.equal(found['invariant translation'], 'approx');
    assert.equal(found['invariant flip'], 'broken');
    assert.equal(found['equivariant sign'], 'broken');
    const line = describeInferredLine(model.graph, discoveredSymmetriesOf(model), (span) => PLANTED.slice(0, span.start).split('\n').length);
    assert.equal(line, 'buildClassifier: translation \u2248 (zero padding), rotation90 \u2717 (conv2d line 4), flip \u2717 (conv2d line 4), dihedral \u2717 (conv2d line 4), sign \u2717 (conv2d bias line 4)');
  });

  it('applies only sign to a plain feature vector', () => {
    const model = only(`import * as tf from '@tensorflow/tfjs';
export const regressor = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 4, useBias: false, activation: 'tanh' })] });
`);
    assert.deepEqual(states(model), { 'invariant sign': 'broken', 'equivariant sign': 'exact' });
  });

  it('is computed once per analysis', () => {
    const model = only(POOLED);
    assert.equal(discoveredSymmetriesOf(model), discoveredSymmetriesOf(model));
  });
});

describe('discovered symmetries against the probe on the samples', function () {
  this.timeout(240000);
  const host = new ProbeHost();
  after(() => host.dispose());

  it('measures every exact inference below 1e-4', async () => {
    ensureServerBuilt();
    let measured = 0;
    for (const name of fs.readdirSync(SAMPLES).filter((file) => /\.(ts|js|mjs)$/.test(file))) {
      const fileName = path.join(SAMPLES, name);
      const text = fs.readFileSync(fileName, 'utf8');
      const analysis = analyzeText(fileName, text);
      for (const model of analysis.models) {
        const exact = discoveredSymmetriesOf(model).filter((entry) => entry.state === 'exact');
        if (exact.length === 0) continue;
        // The model as if it declared exactly what the inference says holds exactly.
        const declaredExact: ModelAnalysis = { ...model, declarations: exact.map((entry) => entry.inference.declaration), inferences: exact.map((entry) => entry.inference), findings: [] };
        const { report } = await probeModel(host, declaredExact, parseSource(fileName, text), { timeoutMs: 60000, maxParameters: 20_000_000 });
        if (report.status === 'skipped') continue;
        assert.equal(report.status, 'ok', `${name}:${model.graph.name}: ${report.message}`);
        for (const verdict of report.verdicts) {
          measured++;
          assert.ok(verdict.maxRelError < 1e-4, `${name}:${model.graph.name} ${verdict.mode} ${verdict.group} is inferred exact but measures ${verdict.maxRelError}`);
        }
      }
    }
    assert.ok(measured >= 30, `expected many exact inferences on the samples, measured ${measured}`);
  });

  it('measures the planted breaks as broken (error above 1e-3), and the exact pooled model as exact', async () => {
    ensureServerBuilt();
    for (const [text, expectBroken] of [[PLANTED, true], [POOLED, false]] as const) {
      const model = only(text);
      const image = discoveredSymmetriesOf(model).filter((entry) => entry.mode === 'invariant' && (entry.group === 'flip' || entry.group === 'rotation90'));
      assert.equal(image.length, 2);
      for (const entry of image) assert.equal(entry.state, expectBroken ? 'broken' : 'exact', `${model.graph.name} ${entry.group}`);
      const declared: ModelAnalysis = { ...model, declarations: image.map((entry) => entry.inference.declaration), inferences: image.map((entry) => entry.inference), findings: [] };
      const { report } = await probeModel(host, declared, parseSource('/virtual/model.ts', text), { timeoutMs: 60000, maxParameters: 20_000_000 });
      assert.equal(report.status, 'ok', report.message);
      for (const verdict of report.verdicts) {
        if (expectBroken) assert.ok(verdict.maxRelError > 1e-3, `${model.graph.name} ${verdict.group}: ${verdict.maxRelError}`);
        else assert.ok(verdict.maxRelError < 1e-4, `${model.graph.name} ${verdict.group}: ${verdict.maxRelError}`);
      }
    }
  });
});

describe('check --infer', function () {
  this.timeout(120000);
  const root = path.resolve(__dirname, '../..');
  let folder: string;
  before(() => {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.js')], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    folder = scratchFolder('symmetry-infer-');
    fs.writeFileSync(path.join(folder, 'classifier.ts'), PLANTED);
    fs.writeFileSync(path.join(folder, 'pooled.ts'), POOLED);
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'server/bin/symmetry-lint.js'), 'check', ...args], { cwd: folder, encoding: 'utf8', timeout: 60000 });

  it('adds inferred to every model of the JSON, declared or not', () => {
    const result = run('classifier.ts', 'pooled.ts', '--infer', '--format', 'json');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { files: { path: string; models: { name: string; inferred?: { mode: string; group: string; state: string }[] }[] }[] };
    const byName = new Map(report.files.flatMap((file) => file.models.map((model) => [model.name, model.inferred] as const)));
    assert.deepEqual(byName.get('buildPooled')?.find((entry) => entry.mode === 'invariant' && entry.group === 'translation'), { mode: 'invariant', group: 'translation', state: 'exact' });
    assert.deepEqual(byName.get('buildClassifier')?.find((entry) => entry.mode === 'invariant' && entry.group === 'flip'), { mode: 'invariant', group: 'flip', state: 'broken' });
    assert.equal(byName.get('buildClassifier')?.length, 10, 'five groups act on a square image, in two modes');
  });

  it('prints one line per model in the text output, and nothing of it without the flag', () => {
    const result = run('classifier.ts', '--infer');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ {2}buildClassifier: translation \u2248 \(zero padding\), rotation90 \u2717 \(conv2d line 4\), flip \u2717 \(conv2d line 4\)/m);
    const plain = run('classifier.ts', '--format', 'json');
    assert.doesNotMatch(plain.stdout, /inferred/);
  });
});
