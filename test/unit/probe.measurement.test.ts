// The probe's measurement in process (no worker), on the wasm and cpu backends: its per-layer
// errors match a plain per-value reference (predict, dataSync, one coordinate map per value),
// and the fast paths (execute without copies, heap views, copy runs) leak no tensor, survive
// layers that pass their input through and layers applied twice, and free memory on cancel.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeText, parseSource } from '../../server/src/engine';
import type { GroupName } from '../../server/src/analysis/symmetry';
import { groupElements, type GroupElement } from '../../server/src/probe/groupElements';
import { actionsFor, buildPlanModel, measureModel, PROBE_BATCH, redrawWeights } from '../../server/src/probe/measurement';
import type { ProbePlan } from '../../server/src/probe/plan';
import { buildProbePlan } from '../../server/src/probe/planBuilder';

function planOf(declarations: string[], body: string): ProbePlan {
  const text = `import * as tf from '@tensorflow/tfjs';\n/**\n${declarations.map((d) => ` * @symmetry ${d}\n`).join('')} */\nexport function build() {\n${body}\n}\n`;
  const fileName = path.join(__dirname, 'measurement-case.ts');
  const { plan } = buildProbePlan(analyzeText(fileName, text).models[0], parseSource(fileName, text));
  assert.equal(plan.unbuildable, undefined);
  return plan;
}

/** Where value `coords` of ρ(g)·h comes from in h, written out per value (no runs, no caches). */
function sourceCoordinates(element: GroupElement, coords: number[], axes: number[], sizes: number[]): number[] {
  const c = [...coords];
  if (element.kind === 'shift') axes.forEach((axis, i) => (c[axis] = (((c[axis] - element.shifts[i]) % sizes[axis]) + sizes[axis]) % sizes[axis]));
  if (element.kind === 'flip') c[axes[axes.length - 1]] = sizes[axes[axes.length - 1]] - 1 - c[axes[axes.length - 1]];
  if (element.kind === 'rotate') {
    const [h, w] = axes;
    if (element.flip) c[w] = sizes[w] - 1 - c[w];
    for (let turn = 0; turn < element.k; turn++) [c[h], c[w]] = [c[w], sizes[h] - 1 - c[h]];
  }
  return c;
}

/** A value of a row-major array of `shape` at `coords`. */
function at(data: ArrayLike<number>, shape: number[], offset: number, coords: number[]): number {
  let index = 0;
  for (let a = 0; a < shape.length; a++) index = index * shape[a] + coords[a];
  return data[offset + index];
}

/** Every coordinate of `shape`, in row-major order. */
function* coordinatesOf(shape: number[]): Generator<number[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < size; i++) {
    const coords: number[] = [];
    let rest = i;
    for (let a = shape.length - 1; a >= 0; a--) {
      coords[a] = rest % shape[a];
      rest = Math.floor(rest / shape[a]);
    }
    yield coords;
  }
}

/**
 * The relative error per layer under one stride-1 declaration, the slow way: transformed
 * inputs by coordinates, `predict`, `dataSync`, and the induced action value by value.
 */
function referenceErrors(model: tf.LayersModel, plan: ProbePlan): number[] {
  const declaration = plan.declarations[0];
  const inputShape = plan.inputs[0].shape;
  const elements = groupElements(declaration.group as GroupName, inputShape, declaration.axis, 1, plan.seed);
  const actions = actionsFor(plan, declaration);
  const original = tf.randomNormal([PROBE_BATCH, ...inputShape], 0, 1, 'float32', plan.seed + 100);
  const x = original.dataSync();
  original.dispose();
  const size = x.length / PROBE_BATCH;
  const batched = new Float32Array(x.length * (1 + elements.length));
  batched.set(x);
  const inputAxes = inputShape.slice(0, -1).map((_, i) => i);
  elements.forEach((element, e) => {
    for (let n = 0; n < PROBE_BATCH; n++) {
      let j = 0;
      for (const coords of coordinatesOf(inputShape)) {
        batched[x.length * (e + 1) + n * size + j++] = at(x, inputShape, n * size, sourceCoordinates(element, coords, inputAxes, inputShape));
      }
    }
  });
  const input = tf.tensor(batched, [PROBE_BATCH * (1 + elements.length), ...inputShape]);
  const outputs = model.predict(input, { batchSize: input.shape[0] }) as tf.Tensor[];
  input.dispose();
  const errors = plan.layers.map((layer, l) => {
    const shape = outputs[l].shape.slice(1);
    const data = outputs[l].dataSync();
    const action = declaration.mode === 'invariant' && plan.outputs.includes(layer.output) ? { kind: 'none' as const } : actions.get(layer.output)!;
    const axes = action.kind === 'spatial' ? action.axes.map((axis) => axis - 1) : [];
    const sampleSize = data.length / (PROBE_BATCH * (1 + elements.length));
    let worst = 0;
    elements.forEach((element, e) => {
      for (let n = 0; n < PROBE_BATCH; n++) {
        let diff = 0;
        let norm = 0;
        let j = 0;
        for (const coords of coordinatesOf(shape)) {
          const base = data[n * sampleSize + j];
          const moved = data[(e + 1) * PROBE_BATCH * sampleSize + n * sampleSize + j++];
          const expected = action.kind === 'none' ? base : at(data, shape, n * sampleSize, sourceCoordinates(element, coords, axes, shape));
          diff += (moved - expected) ** 2;
          norm += base ** 2;
        }
        worst = Math.max(worst, Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12));
      }
    });
    return worst;
  });
  tf.dispose(outputs);
  return errors;
}

for (const backend of ['wasm', 'cpu']) {
  describe(`probe measurement in process (${backend} backend)`, function () {
    this.timeout(60000);
    // tfjs is one global engine shared with the other test files: leave it as it was found.
    let previous: string;
    let registeredWasm = false;

    before(async () => {
      previous = tf.getBackend();
      if (backend === 'wasm' && tf.findBackendFactory('wasm') === null) {
        // Loaded here, not at import: registering wasm (priority above cpu) at load time would
        // make it the default of test files that use tf without awaiting tf.ready().
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
        registeredWasm = true;
      }
      assert.ok(await tf.setBackend(backend));
      await tf.ready();
    });
    after(async () => {
      if (previous) await tf.setBackend(previous);
      if (registeredWasm) tf.removeBackend('wasm');
    });

    for (const group of ['dihedral', 'translation']) {
      it(`matches the per-value reference at every layer under ${group}`, () => {
        const plan = planOf([`equivariant ${group}`], `
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [10, 10, 3], filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.conv2d({ filters: 4, kernelSize: 1 }),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'valid' }),
  ] });`);
        const model = buildPlanModel(tf, plan);
        redrawWeights(tf, model, plan.seed);
        const before = tf.memory().numTensors;
        const measured = measureModel(tf, { model, plan, buildMs: 0 });
        assert.equal(tf.memory().numTensors, before, 'measureModel leaves no tensor behind');
        const reference = referenceErrors(model, plan);
        model.dispose();
        assert.equal(measured.status, 'ok', measured.message);
        measured.layers.forEach((layer, l) => {
          const got = layer.relError[0]!;
          assert.ok(Math.abs(got - reference[l]) <= 1e-6 + 1e-4 * reference[l], `${layer.kind} #${l}: measured ${got}, reference ${reference[l]}`);
        });
        // The reference is not trivially zero: the 3x3 layers break translation with padding or
        // the border, and the dihedral's flips; the 1x1 convolution after a 3x3 'same' carries its error.
        assert.ok(reference.some((error) => error > 1e-3), `reference errors ${reference.join(', ')}`);
      });
    }

    it('measures layers that return their input tensor (dropout at inference) and frees everything', () => {
      const plan = planOf(['invariant rotation90'], `
  return tf.sequential({ layers: [
    tf.layers.dropout({ inputShape: [6, 6, 2], rate: 0.5 }),
    tf.layers.activation({ activation: 'linear' }),
    tf.layers.globalAveragePooling2d({}),
  ] });`);
      const model = buildPlanModel(tf, plan);
      const before = tf.memory().numTensors;
      const measured = measureModel(tf, { model, plan, buildMs: 0 });
      assert.equal(tf.memory().numTensors, before);
      model.dispose();
      assert.equal(measured.status, 'ok', measured.message);
      // Pass-through layers are exactly equivariant; the pooled output is exactly invariant.
      for (const layer of measured.layers) assert.ok(layer.relError[0]! < 1e-5, `${layer.kind}: ${layer.relError[0]}`);
    });

    it('measures a layer applied twice (shared weights) and frees everything', () => {
      const plan = planOf(['equivariant rotation90'], `
  const input = tf.input({ shape: [8, 8, 3] });
  const mix = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' });
  const once = mix.apply(input);
  const twice = mix.apply(once);
  return tf.model({ inputs: input, outputs: twice });`);
      const model = buildPlanModel(tf, plan);
      redrawWeights(tf, model, plan.seed);
      const before = tf.memory().numTensors;
      const measured = measureModel(tf, { model, plan, buildMs: 0 });
      assert.equal(tf.memory().numTensors, before);
      const reference = referenceErrors(model, plan);
      model.dispose();
      assert.equal(measured.layers.length, 2);
      measured.layers.forEach((layer, l) => assert.ok(Math.abs(layer.relError[0]! - reference[l]) <= 1e-6 + 1e-4 * reference[l], `${l}: ${layer.relError[0]} vs ${reference[l]}`));
      assert.ok(reference[0] > 0.1, `a random 3x3 kernel breaks rotation: ${reference[0]}`);
    });

    it('frees the batch and the layer outputs when the probe is cancelled after the forward pass', () => {
      const plan = planOf(['invariant translation'], `
  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 2, kernelSize: 1 }), tf.layers.flatten({})] });`);
      const model = buildPlanModel(tf, plan);
      const before = tf.memory().numTensors;
      let calls = 0;
      assert.throws(
        () =>
          measureModel(tf, {
            model,
            plan,
            buildMs: 0,
            checkpoint: () => {
              if (++calls === 2) throw new Error('cancelled');
            },
          }),
        /cancelled/,
      );
      assert.equal(calls, 2, 'the second checkpoint follows the forward pass');
      assert.equal(tf.memory().numTensors, before);
      model.dispose();
    });
  });
}
