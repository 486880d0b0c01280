// The literal probe builds custom layer classes from their static op graph (issue 12): the ops of
// call() on an allow-list, the weights of build() with shapes from the input shapes, sublayers
// from their literal configuration; no user code runs. Attention over a set, a learned position
// table that breaks it, a layer norm on an image, a graph convolution under the joint action on
// [X, A], and the plain skip for an op the probe does not evaluate.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile, type FileAnalysis } from '../../server/src/engine';
import { CUSTOM_LAYER_OPS, isAllowedCustomLayerOp } from '../../server/src/probe/customLayerOps';
import { buildProbePlan } from '../../server/src/probe/planBuilder';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile, type FileProbeOutcome, type ProbeLimits } from '../../server/src/probe/runProbes';
import type { ModelProbeReport } from '../../server/src/protocol';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { ensureServerBuilt } from './probeTestSupport';
import { scratchFolder } from './scratchFolders';

const LIMITS: ProbeLimits = { timeoutMs: 60000, maxParameters: 20_000_000 };
const EXACT = 1e-4;

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `no line contains ${needle}`);
  return index + 1;
}

/** Attention over a set of tokens written with matMul and a sublayer, with or without a learned table per position. */
const ATTENTION_MODEL = `import * as tf from '@tensorflow/tfjs';

/** Scaled dot-product self-attention, one head, then a dense mix per token. */
class TokenAttention extends tf.layers.Layer {
  static className = 'TokenAttention';
  private readonly width: number;
  private query!: tf.LayerVariable;
  private key!: tf.LayerVariable;
  private readonly mix = tf.layers.dense({ units: 6, activation: 'relu' });
  constructor(config: { width: number }) {
    super({});
    this.width = config.width;
  }
  build(inputShape: tf.Shape | tf.Shape[]) {
    const features = (inputShape as tf.Shape)[2] as number;
    this.query = this.addWeight('query', [features, this.width], 'float32', tf.initializers.glorotUniform({}));
    this.key = this.addWeight('key', [features, this.width], 'float32', tf.initializers.glorotUniform({}));
  }
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    const shape = inputShape as tf.Shape;
    return [shape[0], shape[1], 6];
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const q = tf.matMul(x, this.query.read().expandDims(0).tile([x.shape[0], 1, 1]));
      const k = tf.matMul(x, this.key.read().expandDims(0).tile([x.shape[0], 1, 1]));
      const scores = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(this.width)));
      return this.mix.apply(tf.matMul(scores, x)) as tf.Tensor;
    });
  }
}

/** One learned vector per position, [T, F], added to the tokens. */
class PositionTable extends tf.layers.Layer {
  static className = 'PositionTable';
  private table!: tf.LayerVariable;
  build(inputShape: tf.Shape | tf.Shape[]) {
    const [, length, features] = inputShape as tf.Shape;
    this.table = this.addWeight('table', [length as number, features as number], 'float32', tf.initializers.randomNormal({}));
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return x.add(this.table.read());
  }
}

/** @symmetry invariant permutation */
export function buildSetAttention() {
  const tokens = tf.input({ shape: [7, 5] });
  const attended = new TokenAttention({ width: 4 }).apply(tokens) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.globalAveragePooling1d({}).apply(attended) as tf.SymbolicTensor });
}

/** @symmetry invariant permutation */
export function buildPositionedAttention() {
  const tokens = tf.input({ shape: [7, 5] });
  const placed = new PositionTable({}).apply(tokens) as tf.SymbolicTensor;
  const attended = new TokenAttention({ width: 4 }).apply(placed) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.globalAveragePooling1d({}).apply(attended) as tf.SymbolicTensor });
}
`;

/** A layer norm over the channels of an image, with learned gain and offset per channel. */
const LAYER_NORM_MODEL = `import * as tf from '@tensorflow/tfjs';

class ChannelNorm extends tf.layers.Layer {
  static className = 'ChannelNorm';
  private gain!: tf.LayerVariable;
  private offset!: tf.LayerVariable;
  build(inputShape: tf.Shape | tf.Shape[]) {
    const shape = inputShape as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    this.gain = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.offset = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const mean = tf.mean(x, -1, true);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), -1, true);
      return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, 1e-5))), this.gain.read()), this.offset.read());
    });
  }
}

/** @symmetry invariant translation
 *  @symmetry invariant flip */
export function buildNormedImageModel() {
  const image = tf.input({ shape: [12, 12, 3] });
  const features = tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }).apply(image) as tf.SymbolicTensor;
  const normed = new ChannelNorm({}).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: tf.layers.globalAveragePooling2d({}).apply(normed) as tf.SymbolicTensor });
}
`;

/** Message passing with a degree-normalised adjacency: D^-1/2 (A + I) D^-1/2 X W on [X, A]. */
const GCN_MODEL = `import * as tf from '@tensorflow/tfjs';

class NormalisedGraphConv extends tf.layers.Layer {
  static className = 'NormalisedGraphConv';
  private readonly units: number;
  private kernel!: tf.LayerVariable;
  constructor(config: { units: number }) {
    super({});
    this.units = config.units;
  }
  build(inputShape: tf.Shape | tf.Shape[]) {
    const nodeShape = (inputShape as tf.Shape[])[0];
    this.kernel = this.addWeight('kernel', [nodeShape[2] as number, this.units], 'float32', tf.initializers.glorotUniform({}));
  }
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    const [nodes] = inputShape as tf.Shape[];
    return [nodes[0], nodes[1], this.units];
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const [x, a] = inputs as tf.Tensor[];
      const linked = tf.add(a, tf.eye(a.shape[1] as number));
      const scale = tf.rsqrt(tf.sum(linked, -1, true));
      const normalised = tf.mul(tf.mul(scale, linked), tf.transpose(scale, [0, 2, 1]));
      const projected = tf.reshape(tf.matMul(tf.reshape(x, [-1, x.shape[2] as number]), this.kernel.read()), [x.shape[0] as number, x.shape[1] as number, this.units]);
      return tf.tanh(tf.matMul(normalised, projected));
    });
  }
}

/** @symmetry invariant permutation adjacency=1 */
export function buildGraphRegressor() {
  const atoms = tf.input({ shape: [6, 4] });
  const bonds = tf.input({ shape: [6, 6] });
  const hidden = new NormalisedGraphConv({ units: 5 }).apply([atoms, bonds]) as tf.SymbolicTensor;
  const again = new NormalisedGraphConv({ units: 5 }).apply([hidden, bonds]) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: tf.layers.globalAveragePooling1d({}).apply(again) as tf.SymbolicTensor });
}
`;

/** A mean over the image written by hand: its output has no spatial axes left. */
const HAND_POOLED_MODEL = `import * as tf from '@tensorflow/tfjs';

class MeanOverSpace extends tf.layers.Layer {
  static className = 'MeanOverSpace';
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    const shape = inputShape as tf.Shape;
    return [shape[0], shape[3]];
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.mean(x, [1, 2]);
  }
}

/** @symmetry invariant translation */
export function buildHandPooled() {
  const image = tf.input({ shape: [12, 12, 3] });
  const features = tf.layers.conv2d({ filters: 12, kernelSize: 1 }).apply(image) as tf.SymbolicTensor;
  const pooled = new MeanOverSpace({}).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: tf.layers.dense({ units: 3 }).apply(pooled) as tf.SymbolicTensor });
}
`;

/** A custom layer whose call() uses an op the probe does not evaluate. */
const UNLISTED_OP_MODEL = `import * as tf from '@tensorflow/tfjs';

class MirrorAugment extends tf.layers.Layer {
  static className = 'MirrorAugment';
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.image.flipLeftRight(x as tf.Tensor4D);
  }
}

/** @symmetry invariant translation */
export function buildMirrored() {
  const image = tf.input({ shape: [8, 8, 3] });
  const mirrored = new MirrorAugment({}).apply(image) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: tf.layers.globalAveragePooling2d({}).apply(mirrored) as tf.SymbolicTensor });
}
`;

/** Ops with several outputs: halves of the features mixed (split), then a norm from tf.moments. */
const SEVERAL_OUTPUTS_MODEL = `import * as tf from '@tensorflow/tfjs';

class HalvesNorm extends tf.layers.Layer {
  static className = 'HalvesNorm';
  call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [left, right] = tf.split(x, 2, -1);
      const mixed = tf.concat([tf.mul(left, right), tf.sub(left, right)], -1);
      const { mean, variance } = tf.moments(mixed, -1, true);
      return tf.div(tf.sub(mixed, mean), tf.sqrt(tf.add(variance, 1e-5)));
    });
  }
}

/** @symmetry invariant permutation */
export function buildHalvesModel() {
  const tokens = tf.input({ shape: [6, 8] });
  const normed = new HalvesNorm({}).apply(tf.layers.dense({ units: 8 }).apply(tokens)) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.globalAveragePooling1d({}).apply(normed) as tf.SymbolicTensor });
}
`;

describe('probe: custom layers built from their static op graph', function () {
  this.timeout(120000);
  const host = new ProbeHost();
  const folder = scratchFolder('probe-custom-');
  const analyse = (name: string, text: string): { analysis: FileAnalysis; sourceFile: NonNullable<ReturnType<DiskSourceFiles['getSourceFile']>> } => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text);
    const disk = new DiskSourceFiles();
    const sourceFile = disk.getSourceFile(file);
    assert.ok(sourceFile);
    return { analysis: analyzeFile(sourceFile, disk), sourceFile };
  };
  const probeText = (name: string, text: string, limits: ProbeLimits = LIMITS): Promise<FileProbeOutcome> => {
    const { analysis, sourceFile } = analyse(name, text);
    return probeFile(host, analysis, sourceFile, limits);
  };
  const reportNamed = (outcome: FileProbeOutcome, name: string): ModelProbeReport => {
    const report = outcome.reports.find((candidate) => candidate.name === name);
    assert.ok(report, `no report for ${name}: ${outcome.reports.map((r) => r.name).join(', ')}`);
    return report;
  };
  const assertBuiltFromOpGraph = (report: ModelProbeReport, className: string) => {
    assert.equal(report.mode, undefined, 'literal mode');
    assert.ok(
      (report.assumptions ?? []).some((text) => new RegExp(`layer ${className} \\(line \\d+\\) built from its static op graph .*none of its code was run`).test(text)),
      JSON.stringify(report.assumptions),
    );
  };

  before(() => ensureServerBuilt());
  after(() => {
    host.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('measures a custom self-attention as permutation invariant (below 1e-4), and each of its outputs', async () => {
    const outcome = await probeText('attention.ts', ATTENTION_MODEL);
    const report = reportNamed(outcome, 'buildSetAttention');
    assert.equal(report.status, 'ok', report.message);
    assertBuiltFromOpGraph(report, 'TokenAttention');
    assert.ok(report.verdicts[0].maxRelError < EXACT && report.verdicts[0].passed, JSON.stringify(report.verdicts[0]));
    // The per-layer chart measures the custom layer's output like any other: equivariant rows.
    const attention = report.layers.find((layer) => layer.kind === 'TokenAttention');
    assert.ok(attention, JSON.stringify(report.layers.map((layer) => layer.kind)));
    assert.equal(attention.measured[0], 'equivariance');
    assert.ok(attention.relError[0] !== null && attention.relError[0] < EXACT, JSON.stringify(attention));
  });

  it('measures a learned [T, F] position table as broken and blames that layer', async () => {
    const outcome = await probeText('positioned.ts', ATTENTION_MODEL);
    const report = reportNamed(outcome, 'buildPositionedAttention');
    assert.equal(report.status, 'ok', report.message);
    assertBuiltFromOpGraph(report, 'PositionTable');
    const verdict = report.verdicts[0];
    assert.ok(verdict.maxRelError > 1e-2 && !verdict.passed, JSON.stringify(verdict));
    assert.equal(verdict.breakingLayerLine, lineOf(ATTENTION_MODEL, 'new PositionTable'));
    assert.ok(verdict.agrees, 'the static analysis blames the table too');
  });

  it('measures a custom layer norm on an image under translation and flip', async () => {
    const outcome = await probeText('layer-norm.ts', LAYER_NORM_MODEL);
    const report = reportNamed(outcome, 'buildNormedImageModel');
    assert.equal(report.status, 'ok', report.message);
    assertBuiltFromOpGraph(report, 'ChannelNorm');
    assert.deepEqual(report.verdicts.map((verdict) => verdict.group).sort(), ['flip', 'translation']);
    for (const verdict of report.verdicts) assert.ok(verdict.maxRelError < EXACT && verdict.passed, JSON.stringify(verdict));
    const norm = report.layers.find((layer) => layer.kind === 'ChannelNorm');
    assert.ok(norm && norm.relError.every((error) => error !== null && error < EXACT), JSON.stringify(norm));
  });

  it('measures a two-input graph convolution under the joint action X -> P·X, A -> P·A·Pᵀ', async () => {
    const { analysis, sourceFile } = analyse('gcn.ts', GCN_MODEL);
    const declaration = analysis.models[0].declarations[0];
    // adjacency= is parsed by the declaration parser (SPEC 2); the probe reads the parsed field.
    if ((declaration as { adjacency?: number }).adjacency === undefined) Object.assign(declaration, { adjacency: 1 });
    const outcome = await probeFile(host, analysis, sourceFile, LIMITS);
    const report = reportNamed(outcome, 'buildGraphRegressor');
    assert.equal(report.status, 'ok', report.message);
    assertBuiltFromOpGraph(report, 'NormalisedGraphConv');
    assert.ok(report.verdicts[0].maxRelError < EXACT && report.verdicts[0].passed, JSON.stringify(report.verdicts[0]));
    const convolutions = report.layers.filter((layer) => layer.kind === 'NormalisedGraphConv');
    assert.equal(convolutions.length, 2);
    for (const layer of convolutions) assert.ok(layer.relError[0] !== null && layer.relError[0] < EXACT, JSON.stringify(layer));
  });

  it('measures a hand-written pooling as invariant where its output has no acting axis left (both modes)', async () => {
    for (const limits of [LIMITS, { ...LIMITS, execute: true }]) {
      const report = reportNamed(await probeText(`pooled-${limits.execute ? 'execute' : 'literal'}.ts`, HAND_POOLED_MODEL, limits), 'buildHandPooled');
      assert.equal(report.status, 'ok', report.message);
      const pooled = report.layers.find((layer) => layer.kind.toLowerCase() === 'meanoverspace');
      assert.ok(pooled, JSON.stringify(report.layers.map((layer) => layer.kind)));
      // Compared as if the spatial axes were still there, the channels would shift: a false break.
      assert.equal(pooled.measured[0], 'invariance');
      assert.ok(pooled.relError[0] !== null && pooled.relError[0] < EXACT, JSON.stringify(pooled));
      assert.ok(report.verdicts[0].passed, JSON.stringify(report.verdicts[0]));
    }
  });

  it('evaluates ops with several outputs (tf.split, tf.moments) and measures the layer in both modes', async () => {
    for (const limits of [LIMITS, { ...LIMITS, execute: true }]) {
      const report = reportNamed(await probeText(`halves-${limits.execute ? 'execute' : 'literal'}.ts`, SEVERAL_OUTPUTS_MODEL, limits), 'buildHalvesModel');
      assert.equal(report.status, 'ok', report.message);
      if (!limits.execute) assertBuiltFromOpGraph(report, 'HalvesNorm');
      assert.ok(report.verdicts[0].maxRelError < EXACT && report.verdicts[0].passed, JSON.stringify(report.verdicts[0]));
      const layer = report.layers.find((candidate) => candidate.kind.toLowerCase() === 'halvesnorm');
      assert.ok(layer && layer.relError[0] !== null && layer.relError[0] < EXACT, JSON.stringify(layer ?? report.layers.map((candidate) => candidate.kind)));
    }
  });

  it('gives the same verdict as running the class (execute mode)', async () => {
    for (const [name, text, model] of [
      ['same-attention.ts', ATTENTION_MODEL, 'buildSetAttention'],
      ['same-positioned.ts', ATTENTION_MODEL, 'buildPositionedAttention'],
      ['same-norm.ts', LAYER_NORM_MODEL, 'buildNormedImageModel'],
    ] as const) {
      const literal = reportNamed(await probeText(name, text), model);
      const executed = reportNamed(await probeText(`executed-${name}`, text, { ...LIMITS, execute: true }), model);
      assert.equal(executed.mode, 'execute');
      assert.equal(executed.status, 'ok', executed.message);
      assert.deepEqual(
        literal.verdicts.map((verdict) => [verdict.group, verdict.passed, verdict.breakingLayerLine]),
        executed.verdicts.map((verdict) => [verdict.group, verdict.passed, verdict.breakingLayerLine]),
        model,
      );
    }
  });

  it('skips with a plain sentence naming the layer and the op it does not evaluate', async () => {
    const outcome = await probeText('unlisted.ts', UNLISTED_OP_MODEL);
    const report = reportNamed(outcome, 'buildMirrored');
    assert.equal(report.status, 'skipped');
    assert.equal(
      report.message,
      `cannot build layer MirrorAugment (line ${lineOf(UNLISTED_OP_MODEL, 'new MirrorAugment')}) from its static op graph: tf.image.flipLeftRight (line ${lineOf(UNLISTED_OP_MODEL, 'tf.image.flipLeftRight')}) is not among the tf ops the probe evaluates; only running its class can build it (--probe-execute, or a trusted workspace)`,
    );
  });

  // What stops the plan, as the user reads it: [call() body or build() line, the words of the skip].
  const refusals: [string, string, string, RegExp][] = [
    ['a random op', 'call(inputs: tf.Tensor | tf.Tensor[]) { const x = inputs as tf.Tensor; return tf.add(x, tf.randomNormal(x.shape)); }', '', /tf\.randomNormal \(line \d+\) is not among the tf ops the probe evaluates/],
    ['a weight of unknown width', 'call(inputs: tf.Tensor | tf.Tensor[]) { return tf.matMul(inputs as tf.Tensor, this.kernel.read()); }', "build(shape: tf.Shape | tf.Shape[]) { this.kernel = this.addWeight('kernel', [(shape as tf.Shape)[2] as number, (globalThis as any).width], 'float32'); }", /the shape of the weight 'kernel' \(line \d+\) is not known statically/],
    ['two sizes reshape must infer', 'call(inputs: tf.Tensor | tf.Tensor[]) { const x = inputs as tf.Tensor; const [n, t, f] = x.shape; return tf.reshape(x, [n * t, f / 2, 2]).reshape([-1, t, f]); }', '', /a size in tf\.reshape \(line \d+\) is computed at run time/],
  ];
  for (const [what, call, build, words] of refusals) {
    it(`says which op stops it: ${what}`, () => {
      const text = `import * as tf from '@tensorflow/tfjs';
class Odd extends tf.layers.Layer {
  static className = 'Odd';
  private kernel!: tf.LayerVariable;
  ${build}
  ${call}
}
/** @symmetry invariant permutation */
export function buildOdd() {
  const tokens = tf.input({ shape: [5, 4] });
  const mixed = new Odd({}).apply(tokens) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.globalAveragePooling1d({}).apply(mixed) as tf.SymbolicTensor });
}
`;
      const { analysis, sourceFile } = analyse(`refused-${what.replace(/\W+/g, '-')}.ts`, text);
      const { plan } = buildProbePlan(analysis.models[0], sourceFile);
      assert.match(plan.unbuildable ?? '', new RegExp(`^cannot build layer Odd \\(line ${lineOf(text, 'new Odd')}\\) from its static op graph: `));
      assert.match(plan.unbuildable ?? '', words);
      assert.match(plan.unbuildable ?? '', /only running its class can build it \(--probe-execute, or a trusted workspace\)$/);
    });
  }

  // Window ops (convolution, pooling, resize) and a class token across layers (issue 11): the
  // literal probe builds every class of these unseen fixtures from its op graph, and running the
  // classes gives the same verdicts, blamed on the same lines.
  const fixture = (name: string) => fs.readFileSync(path.resolve(__dirname, '../fixtures/customModels', name), 'utf8');
  for (const [name, classes] of [
    ['windowModels.ts', ['MirrorConv', 'SquareDepthwise', 'PoolMix', 'UpDown', 'Upsample']],
    ['classTokenModels.ts', ['SummarySlot', 'MixingBlock', 'ReadSlot', 'DropSlot']],
  ] as const) {
    it(`${name}: the op graph and the class's own code give the same verdicts (exact ones below 1e-4)`, async function () {
      // Two probes of a whole file, one in a fresh worker: slow on a loaded machine.
      this.timeout(300000);
      const text = fixture(name);
      const literal = await probeText(`literal-${name}`, text);
      const executed = await probeText(`executed-${name}`, text, { ...LIMITS, execute: true });
      assert.ok(literal.reports.length >= 3, literal.reports.map((report) => report.name).join(', '));
      const built = new Set<string>();
      for (const report of literal.reports) {
        assert.equal(report.status, 'ok', `${report.name}: ${report.message}`);
        for (const text of report.assumptions ?? []) built.add(/layer (\w+) \(line \d+\) built from its static op graph/.exec(text)?.[1] ?? '');
        const other = reportNamed(executed, report.name);
        assert.equal(other.mode, 'execute');
        assert.deepEqual(
          report.verdicts.map((verdict) => [verdict.group, verdict.passed, verdict.breakingLayerLine, verdict.agrees]),
          other.verdicts.map((verdict) => [verdict.group, verdict.passed, verdict.breakingLayerLine, verdict.agrees]),
          report.name,
        );
        for (const verdict of report.verdicts) {
          assert.ok(verdict.agrees, `${report.name}: ${JSON.stringify(verdict)}`);
          if (verdict.passed) assert.ok(verdict.maxRelError < EXACT, `${report.name}: ${verdict.maxRelError}`);
        }
      }
      for (const name of classes) assert.ok(built.has(name), `${name} built from its op graph: ${[...built].join(', ')}`);
    });
  }

  it('measures the layers between a class token and its read-back with the token left in place', async () => {
    const text = fixture('classTokenModels.ts');
    const { analysis, sourceFile } = analyse('token-plan.ts', text);
    const model = analysis.models.find((candidate) => candidate.graph.name === 'buildSlotClassifier')!;
    const { plan } = buildProbePlan(model, sourceFile);
    const prefixed = Object.entries(plan.declarations[0].tokenPrefixes ?? {}).map(([id, prefix]) => [model.graph.layers[Number(id)].kind, prefix]);
    assert.deepEqual(prefixed, [['SummarySlot', 1], ['MixingBlock', 1], ['layerNormalization', 1], ['dense', 1], ['MixingBlock', 1]]);
    const report = reportNamed(await probeText('token-layers.ts', text), 'buildSlotClassifier');
    const mixing = report.layers.filter((layer) => layer.kind === 'MixingBlock');
    assert.equal(mixing.length, 2);
    for (const layer of mixing) {
      assert.equal(layer.measured[0], 'equivariance');
      assert.ok(layer.relError[0] !== null && layer.relError[0] < EXACT, JSON.stringify(layer));
    }
  });

  it('passes the layer to the worker as plain data, and looks up no name outside its own table', () => {
    const { analysis, sourceFile } = analyse('plain-data.ts', ATTENTION_MODEL);
    const { plan } = buildProbePlan(analysis.models[0], sourceFile);
    const custom = plan.layers.find((layer) => layer.kind === 'TokenAttention');
    assert.ok(custom?.body, JSON.stringify(plan.layers));
    assert.deepEqual(structuredClone(custom.body), custom.body);
    const used = custom.body.ops.filter((op) => op !== null).map((op) => op.op);
    assert.ok(used.includes('matMul') && used.includes('softmax') && used.includes('layer:dense'), used.join(' '));
    // Initializers passed to addWeight are not part of call()'s graph.
    assert.ok(!used.some((op) => op.startsWith('initializers.')), used.join(' '));
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'dispose', 'setBackend', 'io.browserFiles']) assert.equal(isAllowedCustomLayerOp(name), false, name);
    assert.equal(Object.isFrozen(CUSTOM_LAYER_OPS), true);
  });
});
