// Probes on code as people write it (issue 12): widths from parameters get representative
// values and the verdict names them, structural unknowns are refused plainly, input sizes keep
// every layer output non-empty and the rotation centre on the grid, stay cheap, a stateful RNN
// and a shapeless flatten input build, and a worker that trapped is replaced before the next job.
import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeText, parseSource } from '../../server/src/engine';
import type { ProbePlan } from '../../server/src/probe/plan';
import { buildProbePlan, type BuiltPlan } from '../../server/src/probe/planBuilder';
import { PROBE_FLOP_BUDGET } from '../../server/src/probe/probeSizes';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile, type FileProbeOutcome } from '../../server/src/probe/runProbes';
import { ensureServerBuilt } from './probeTestSupport';

const LIMITS = { timeoutMs: 60000, maxParameters: 20_000_000 };

/** A model file whose builder takes `parameters` (sizes nobody supplies statically). */
function builder(declarations: string[], parameters: string, body: string): string {
  return `import * as tf from '@tensorflow/tfjs';\n/**\n${declarations.map((d) => ` * @symmetry ${d}\n`).join('')} */\nexport function build(${parameters}) {\n${body}\n}\n`;
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

let counter = 0;
function fileNameFor(): string {
  return path.join(os.tmpdir(), `probe-realcode-${process.pid}-${counter++}.ts`);
}

function planOf(text: string): BuiltPlan {
  const fileName = fileNameFor();
  return buildProbePlan(analyzeText(fileName, text).models[0], parseSource(fileName, text));
}

/** The static conv stack of a small MNIST network: three valid 3x3 convolutions with two 2x2 pools between them. */
function validConvStack(inputShape: string): string {
  return builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: ${inputShape}, filters: 4, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
    tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
    tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    tf.layers.flatten({}),
    tf.layers.dense({ units: 3 }),
  ] });`);
}

describe('probes on real code', function () {
  this.timeout(120000);
  const host = new ProbeHost();
  const probe = (text: string): Promise<FileProbeOutcome> => {
    const fileName = fileNameFor();
    return probeFile(host, analyzeText(fileName, text), parseSource(fileName, text), LIMITS);
  };

  before(() => ensureServerBuilt());
  after(() => host.dispose());

  describe('widths do not decide a symmetry', () => {
    const widths = builder(['invariant translation'], 'filters: number, units: number, rate: number, init: string', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [12, 12, 3], filters, kernelSize: 1, kernelInitializer: init, activation: 'relu' }),
    tf.layers.dropout({ rate }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units }),
  ] });`);

    it('gives widths, an initializer and a dropout rate from parameters representative values, and names each', async () => {
      const { plan } = planOf(widths);
      assert.equal(plan.unbuildable, undefined);
      const assumptions = plan.assumptions ?? [];
      assert.ok(assumptions.includes(`filters = 8 (conv2d, line ${lineOf(widths, 'filters,')}) chosen for a width not known statically`), assumptions.join('\n'));
      assert.ok(assumptions.includes(`units = 8 (dense, line ${lineOf(widths, 'units }')}) chosen for a width not known statically`), assumptions.join('\n'));
      assert.ok(assumptions.some((a) => a.startsWith('kernelInitializer (conv2d') && a.includes('redraws every weight')), assumptions.join('\n'));
      assert.ok(assumptions.some((a) => a.startsWith('rate = 0.5 (dropout')), assumptions.join('\n'));
      const conv = plan.layers.find((layer) => layer.kind === 'conv2d')!;
      assert.equal(conv.config.filters, 8);
      assert.equal('kernelInitializer' in conv.config, false);

      const { reports } = await probe(widths);
      assert.equal(reports[0].status, 'ok', reports[0].message);
      assert.ok(reports[0].verdicts[0].maxRelError < 1e-5, String(reports[0].verdicts[0].maxRelError));
      assert.deepEqual(reports[0].assumptions, assumptions);
    });

    it('gives the length of a repeatVector from a parameter the default size', () => {
      const text = builder(['invariant sign'], 'steps: number', `
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [4], units: 6 }),
    tf.layers.repeatVector({ n: steps }),
    tf.layers.simpleRNN({ units: 3 }),
  ] });`);
      const { plan } = planOf(text);
      assert.equal(plan.unbuildable, undefined);
      assert.equal(plan.layers[1].config.n, 16);
      assert.ok(plan.assumptions?.includes(`n = 16 (repeatVector, line ${lineOf(text, 'n: steps')}) chosen for a length not known statically`), plan.assumptions?.join('\n'));
    });

    it('measures the path the static analysis took through a loop of unknown length, and says so', async () => {
      const text = builder(['invariant translation'], 'depth: number', `
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 1 }));
  for (let i = 0; i < depth; i++) model.add(tf.layers.conv2d({ filters: 4, kernelSize: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;`);
      const { plan } = planOf(text);
      assert.equal(plan.unbuildable, undefined);
      assert.ok(plan.assumptions?.includes(`the loop condition \`i < depth\` is not a compile-time constant, so the loop body is analysed once (line ${lineOf(text, 'i < depth')}): measured on that path, as the static analysis assumes`), plan.assumptions?.join('\n'));
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
    });

    it('still refuses a graph with a real hole (a layer applied to a tensor not known statically)', () => {
      const text = builder(['invariant translation'], 'pick: (x: unknown) => unknown', `
  const input = tf.input({ shape: [12, 12, 3] });
  const x = tf.layers.conv2d({ filters: 4, kernelSize: 1 }).apply(input);
  const y = tf.layers.globalAveragePooling2d({}).apply(pick(x));
  return tf.model({ inputs: input, outputs: y });`);
      const { plan } = planOf(text);
      assert.match(plan.unbuildable ?? '', /^the layer graph is incomplete: /);
    });

    it('refuses a structural value it does not know, saying it does not guess it', () => {
      const text = builder(['invariant translation'], 'size: number', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: size }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const { plan } = planOf(text);
      assert.equal(plan.unbuildable, `cannot build layer conv2d (line ${lineOf(text, 'kernelSize: size')}): kernelSize is not a compile-time constant, and it decides the verdict: the probe does not guess it (declare it as a constant, or use --probe-execute on trusted code)`);
    });

    it('measures a structural value with the literal the code falls back to, and says so', () => {
      const text = builder(['invariant translation'], 'options: { size?: number }', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: options.size || 3 }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const { plan } = planOf(text);
      assert.equal(plan.unbuildable, undefined);
      assert.equal(plan.layers[0].config.kernelSize, 3);
      assert.ok(plan.assumptions?.includes(`kernelSize = 3 (conv2d, line ${lineOf(text, 'options.size || 3')}): the value the code falls back to, measured with it (kernelSize is not known statically and decides the verdict)`), plan.assumptions?.join('\n'));
    });

    it('probes each value of a structural boolean it does not know, and shows the worst', async () => {
      const text = builder(['invariant translation'], 'sequences: boolean', `
  return tf.sequential({ layers: [
    tf.layers.lstm({ inputShape: [10, 4], units: 6, returnSequences: sequences }),
    tf.layers.dense({ units: 2 }),
  ] });`);
      const built = planOf(text);
      assert.deepEqual(built.variants?.map((variant) => variant.plan.layers[0].config.returnSequences), [false, true]);
      assert.ok(built.plan.assumptions?.includes(`returnSequences (lstm, line ${lineOf(text, 'returnSequences')}) not known statically, and it decides the verdict: probed with each of its values (returnSequences: false or true)`), built.plan.assumptions?.join('\n'));
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
      // An LSTM reads its sequence in order: neither value makes the model translation invariant.
      assert.equal(reports[0].verdicts[0].passed, false);
      assert.match(reports[0].assumptions?.at(-1) ?? '', /^verdict shown for returnSequences = (true|false), the worst of the values probed \(returnSequences = false: breaks; returnSequences = true: breaks\)$/);
    });

    it('does not probe a structural value the layers after it cannot take', async () => {
      const text = builder(['invariant translation'], 'sequences: boolean', `
  return tf.sequential({ layers: [
    tf.layers.lstm({ inputShape: [10, 4], units: 6, returnSequences: sequences }),
    tf.layers.globalAveragePooling1d({}),
  ] });`);
      const built = planOf(text);
      assert.deepEqual(built.variants?.map((variant) => variant.choice), ['returnSequences = true']);
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
      assert.ok(reports[0].assumptions?.includes('not probed with returnSequences = false: the layers after it could not take its output'), reports[0].assumptions?.join('\n'));
    });

    it('treats useBias and activation as structural under sign only', () => {
      const body = `
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [6], units: 4, useBias: bias, activation: act }),
  ] });`;
      const underSign = planOf(builder(['equivariant sign'], 'bias: boolean, act: string', body)).plan;
      assert.match(underSign.unbuildable ?? '', /^cannot build layer dense \(line \d+\): (useBias|activation) is not a compile-time constant, and it decides the verdict/);
      const underPermutation = planOf(builder(['equivariant translation'], 'bias: boolean, act: string', body.replace('[6]', '[6, 2]'))).plan;
      assert.equal(underPermutation.unbuildable, undefined);
      assert.ok(underPermutation.assumptions?.some((a) => a.startsWith("activation = 'relu' (dense")), underPermutation.assumptions?.join('\n'));
    });
  });

  describe('safe sizes', () => {
    it('grows an unknown size until no valid convolution shrinks the map to nothing (16 would), and measures', async () => {
      const text = validConvStack('[null, null, 1]');
      const { plan } = planOf(text);
      // 16 -> 14 -> 7 -> 5 -> 2 -> 0; 17 -> 15 -> 7 -> 5 -> 2 -> 0; 18 -> 16 -> 8 -> 6 -> 3 -> 1.
      assert.deepEqual(plan.inputs[0].shape, [18, 18, 1]);
      assert.ok(plan.assumptions?.some((a) => /^input shape \[18, 18, 1\] chosen for sizes not known statically \(\[\?, \?, 1\]\): size 18, smaller sizes leave the output of conv2d \(line \d+\) empty$/.test(a)), plan.assumptions?.join('\n'));
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
    });

    it('refuses a declared 16x16 input that valid convolutions shrink to nothing, before tfjs sees it', async () => {
      const text = validConvStack('[16, 16, 1]');
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'skipped');
      assert.match(reports[0].message ?? '', /^the output of conv2d \(line \d+\) would be empty \(\[0, 0, 4\]\) at the input shape \[16, 16, 1\]/);
    });

    it('keeps the rotation centre on the grid of a stride-2 same convolution (an odd size)', () => {
      const text = builder(['invariant rotation90'], '', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [null, null, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const { plan } = planOf(text);
      assert.deepEqual(plan.inputs[0].shape, [17, 17, 1]);
      assert.ok(plan.assumptions?.some((a) => a.includes('rotation centre on the grid of conv2d')), plan.assumptions?.join('\n'));
    });

    it('picks a smaller size when the default one would be expensive, and says so', () => {
      const text = builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [null, null, 128], filters: 128, kernelSize: 3, padding: 'same' }),
    tf.layers.conv2d({ filters: 128, kernelSize: 3, padding: 'same' }),
    tf.layers.conv2d({ filters: 128, kernelSize: 3, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const { plan, flops } = planOf(text);
      assert.deepEqual(plan.inputs[0].shape, [8, 8, 128]);
      assert.ok(flops < PROBE_FLOP_BUDGET, String(flops));
      assert.ok(plan.assumptions?.some((a) => /smaller than 16 to keep the probe cheap \(about [\d.]+ GFLOP instead of [\d.]+ GFLOP\)/.test(a)), plan.assumptions?.join('\n'));
    });

    it('shrinks an expensive declared size when no layer depends on it, and keeps it when a reshape does', () => {
      const layers = (reshape: boolean) => builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [256, 256, 3], filters: 64, kernelSize: 3, padding: 'same' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }),${reshape ? `
    tf.layers.reshape({ targetShape: [65536, 64] }),
    tf.layers.globalAveragePooling1d({}),` : `
    tf.layers.globalAveragePooling2d({}),`}
  ] });`);
      const shrunk = planOf(layers(false));
      assert.deepEqual(shrunk.plan.inputs[0].shape, [16, 16, 3]);
      assert.ok(shrunk.plan.assumptions?.some((a) => /^input shape \[16, 16, 3\] instead of the declared \[256, 256, 3\] to keep the probe cheap/.test(a)), shrunk.plan.assumptions?.join('\n'));
      const kept = planOf(layers(true));
      assert.deepEqual(kept.plan.inputs[0].shape, [256, 256, 3]);
      assert.ok(kept.plan.assumptions?.some((a) => /it may not finish within the timeout$/.test(a)), kept.plan.assumptions?.join('\n'));
    });

    it('probes a model past the parameter limit with smaller widths, and keeps refusing one whose reshape needs them', async () => {
      const wide = (reshape: boolean) => builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 512, kernelSize: 3, padding: 'same' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten({}),
    tf.layers.dense({ units: 4096 }),${reshape ? `
    tf.layers.reshape({ targetShape: [64, 64] }),` : ''}
    tf.layers.dense({ units: 10 }),
  ] });`);
      const declared = planOf(wide(false));
      assert.ok(declared.parameters > LIMITS.maxParameters, String(declared.parameters));
      const capped = buildProbePlan(analyzeText('wide.ts', wide(false)).models[0], parseSource('wide.ts', wide(false)), LIMITS.maxParameters);
      assert.ok(capped.parameters <= LIMITS.maxParameters, String(capped.parameters));
      assert.deepEqual(capped.plan.layers.map((layer) => layer.config.filters ?? layer.config.units ?? null), [64, null, null, 64, 10]);
      assert.ok(capped.plan.assumptions?.includes(`units = 64 instead of 4096 (dense, line ${lineOf(wide(false), 'units: 4096')}): the declared widths are past the parameter limit, and widths do not decide a symmetry`), capped.plan.assumptions?.join('\n'));
      const { reports } = await probe(wide(false));
      assert.equal(reports[0].status, 'ok', reports[0].message);

      // 4096 = 64 x 64: the reshape needs the declared width, so the model is refused on its size.
      const needed = await probe(wide(true));
      assert.equal(needed.reports[0].status, 'skipped');
      assert.match(needed.reports[0].message ?? '', /parameters, more than the probe limit/);
    });

    it('refuses, before tfjs sees it, an add whose inputs the widths make unequal (a path the analysis assumed)', () => {
      const text = builder(['invariant translation'], '', `
  const input = tf.input({ shape: [16, 16, 3] });
  const wide = tf.layers.conv2d({ filters: 6, kernelSize: 1 }).apply(input);
  const narrow = tf.layers.conv2d({ filters: 4, kernelSize: 1 }).apply(input);
  const sum = tf.layers.add().apply([wide, narrow]);
  return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(sum) });`);
      const { plan } = planOf(text);
      assert.equal(plan.unbuildable, `add (line ${lineOf(text, 'tf.layers.add()')}) cannot take inputs of shapes [16, 16, 6] and [16, 16, 4] (tfjs would refuse to build it): the path the analysis assumed does not fit these widths, and the probe does not run it`);
    });

    it('counts the total stride once per path, not once per branch (a strided shortcut beside a strided conv)', () => {
      const text = builder(['invariant translation'], '', `
  const input = tf.input({ shape: [null, null, 3] });
  const main = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).apply(input);
  const shortcut = tf.layers.conv2d({ filters: 4, kernelSize: 1, strides: 2 }).apply(input);
  const sum = tf.layers.add().apply([main, shortcut]);
  const down = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).apply(sum);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(down);
  return tf.model({ inputs: input, outputs: pooled });`);
      const { plan } = planOf(text);
      // Total stride 4: the default 16 stands (a product over all layers would say 8).
      assert.deepEqual(plan.inputs[0].shape, [16, 16, 3]);
    });
  });

  describe('shapes tfjs needs', () => {
    it('builds a stateful LSTM stateless: one predict from a fresh state', async () => {
      const text = builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.lstm({ batchInputShape: [1, 10, 4], units: 6, stateful: true }),
    tf.layers.dense({ units: 2 }),
  ] });`);
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
      assert.ok(reports[0].assumptions?.some((a) => a.startsWith('stateful = false (lstm')), reports[0].assumptions?.join('\n'));
      // An LSTM reads the sequence in order: translation invariance breaks there.
      assert.equal(reports[0].verdicts[0].passed, false);
    });

    it('gives a flatten on an input of unknown rank the image rank translation implies', async () => {
      const text = builder(['invariant translation'], 'shape: number[]', `
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: shape }));
  model.add(tf.layers.dense({ units: 3 }));
  return model;`);
      const { plan } = planOf(text);
      assert.equal(plan.inputs[0].shape.length, 3, JSON.stringify(plan.inputs[0].shape));
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
      assert.equal(reports[0].verdicts[0].passed, false);
    });
    it('builds a separable convolution, whose depthwise and pointwise kernels refuse any kernel initializer', async () => {
      const text = builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.separableConv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const { reports } = await probe(text);
      assert.equal(reports[0].status, 'ok', reports[0].message);
    });
  });

  describe('one trap does not poison the run', () => {

    /** A small exact model, to show the host still measures after a bad job. */
    const goodPlan = () =>
      planOf(builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
  ] });`)).plan;
    it('replaces a worker that trapped inside tfjs-wasm, then probes a good model in the same host', async function () {
      const own = new ProbeHost();
      try {
        const info = await own.warmUp();
        if (info.backend !== 'wasm') this.skip();
        // The plan builder never makes this plan (it checks shapes first): written by hand, it
        // hands tfjs-wasm a layer output of 0x0, which traps the kernel.
        const conv = (id: number, input: number) => ({ id, kind: 'conv2d', origin: 'tfjs' as const, config: { filters: 4, kernelSize: 3 }, nonConstant: [], inputs: [input], output: input + 1, line: id + 1 });
        const pool = (id: number, input: number) => ({ id, kind: 'maxPooling2d', origin: 'tfjs' as const, config: { poolSize: 2 }, nonConstant: [], inputs: [input], output: input + 1, line: id + 1 });
        const trapping: ProbePlan = {
          modelName: 'trapping',
          line: 1,
          inputs: [{ tensor: 0, shape: [16, 16, 1] }],
          layers: [conv(0, 0), pool(1, 1), conv(2, 2), pool(3, 3), conv(4, 4), { id: 5, kind: 'flatten', origin: 'tfjs', config: {}, nonConstant: [], inputs: [5], output: 6, line: 6 }, { id: 6, kind: 'dense', origin: 'tfjs', config: { units: 3 }, nonConstant: [], inputs: [6], output: 7, line: 7 }],
          outputs: [7],
          declarations: [{ mode: 'invariant', group: 'translation', axis: 1, tol: 1e-4, approximate: false }],
          seed: 1234,
        };
        await assert.rejects(own.run({ type: 'probe', plan: trapping }, { timeoutMs: 60000 }), (error: Error) => /trapped inside tfjs-wasm|failed inside tfjs/.test(error.message));
        assert.equal(own.isWarm, false, 'the trapped worker is still in use');

        const good = goodPlan();
        const measured = await own.run({ type: 'probe', plan: good }, { timeoutMs: 60000 });
        assert.equal(measured.status, 'ok', measured.message);
      } finally {
        await own.dispose();
      }
    });

    it('probes a good model after one that ran the worker out of memory, in the same host', async () => {
      const own = new ProbeHost({ memoryMb: 256, workerScript: path.resolve(__dirname, '../fixtures/probe/memoryHungryWorker.js') });
      try {
        const hungry: ProbePlan = { ...goodPlan(), modelName: 'exhaust-memory' };
        await assert.rejects(own.run({ type: 'probe', plan: hungry }, { timeoutMs: 120000 }), /the probe ran out of memory/);
        assert.equal(own.isWarm, false, 'the worker that ran out of memory is still in use');
        const measured = await own.run({ type: 'probe', plan: goodPlan() }, { timeoutMs: 60000 });
        assert.equal(measured.status, 'ok', measured.message);
      } finally {
        await own.dispose();
      }
    });

    it('probes a good model after one that timed out, in the same host', async () => {
      const own = new ProbeHost();
      try {
        const slow = planOf(builder(['invariant translation'], '', `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [64, 64, 64], filters: 64, kernelSize: 3, padding: 'same' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });`)).plan;
        await own.warmUp();
        await assert.rejects(own.run({ type: 'probe', plan: slow }, { timeoutMs: 50 }), /took longer than 50 ms/);
        const good = goodPlan();
        const measured = await own.run({ type: 'probe', plan: good }, { timeoutMs: 60000 });
        assert.equal(measured.status, 'ok', measured.message);
      } finally {
        await own.dispose();
      }
    });
  });
});
