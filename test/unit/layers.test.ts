// The equivariant layers library (SPEC 6): every layer saves and loads, and each guarantee is
// measured numerically with random inputs and randomly re-drawn weights, against a control
// that shows the same measurement catches a break.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as sl from 'symmetry-lint-layers';
import { circularShift, permuteSet, randomInput, redrawWeights, relativeError, seededPermutation, useCpuBackend } from './layersSupport';

const EXACT = 1e-5;
const SEEDS = [1, 2, 3];

/** The worst relative error of `model` over seeds (weights re-drawn each time) and elements. */
function worstError(
  build: () => tf.LayersModel,
  inputShape: number[],
  elements: { input: (x: tf.Tensor) => tf.Tensor; output: (y: tf.Tensor) => tf.Tensor }[],
): number {
  let worst = 0;
  for (const seed of SEEDS) {
    const model = build();
    redrawWeights(model, seed);
    tf.tidy(() => {
      const x = randomInput(inputShape, seed + 17);
      const y = model.predict(x) as tf.Tensor;
      for (const element of elements) {
        const transformed = model.predict(element.input(x)) as tf.Tensor;
        worst = Math.max(worst, relativeError(transformed, element.output(y)));
      }
    });
    model.dispose();
  }
  return worst;
}

const identity = (y: tf.Tensor) => y;
const shifts = (pairs: [number, number][], equivariant: boolean) =>
  pairs.map(([a, b]) => ({
    input: (x: tf.Tensor) => circularShift(circularShift(x, 1, a), 2, b),
    output: equivariant ? (y: tf.Tensor) => circularShift(circularShift(y, 1, a), 2, b) : identity,
  }));
const rotations = [1, 2, 3].map((k) => ({ input: (x: tf.Tensor) => sl.rotate90(x, k, 1), output: identity }));

/** A graph network on inputs [X: [N, T, F], A: [N, T, T]]: GraphConv layers, optionally a sum readout. */
function graphModel(nodes: number, features: number, layers: sl.GraphConvArgs[], readout = false): tf.LayersModel {
  const x = tf.input({ shape: [nodes, features] });
  const adjacency = tf.input({ shape: [nodes, nodes] });
  let h = x;
  for (const config of layers) h = new sl.GraphConv(config).apply([h, adjacency]) as tf.SymbolicTensor;
  if (readout) h = new sl.SetPool({ reduction: 'sum' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [x, adjacency], outputs: h });
}

/** A random symmetric 0/1 adjacency with self-loops, [batch, nodes, nodes] (SPEC section 5). */
function randomAdjacency(batch: number, nodes: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const edges = tf.greater(tf.randomUniform([batch, nodes, nodes], 0, 1, 'float32', seed), 0.6);
    const symmetric = tf.logicalOr(edges, tf.transpose(edges, [0, 2, 1]));
    return tf.logicalOr(symmetric, tf.cast(tf.eye(nodes), 'bool')).toFloat();
  });
}

/** A -> P·A·Pᵀ: the adjacency's rows and columns follow the nodes. */
function permuteNodes(adjacency: tf.Tensor, order: number[]): tf.Tensor {
  return tf.gather(tf.gather(adjacency, order, 1), order, 2);
}

/** Test-only: adds a fixed sinusoidal position code to [N, T, F], what a transformer does and a set must not. */
class AddSinusoidalPositions extends tf.layers.Layer {
  static className = 'AddSinusoidalPositions';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const [, t, f] = x.shape;
    return tf.tidy(() => {
      const positions = tf.reshape(tf.range(0, t), [t, 1]);
      const frequencies = tf.reshape(tf.exp(tf.mul(tf.range(0, f), -Math.log(100) / f)), [1, f]);
      return tf.add(x, tf.sin(tf.mul(positions, frequencies)));
    });
  }
}


/** The model saved to memory and loaded back, as tf.io does for a file. */
async function saveAndLoad(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.ok(saved);
  return tf.loadLayersModel(tf.io.fromMemory(saved));
}

describe('layers library', function () {
  this.timeout(60000);
  before(useCpuBackend);

  describe('save and load round trip', () => {
    const cases: [string, () => tf.layers.Layer[], number[]][] = [
      ['CircularPad2D', () => [new sl.CircularPad2D({ padding: [1, 2], inputShape: [6, 6, 2] })], [2, 6, 6, 2]],
      ['BlurPool2D', () => [new sl.BlurPool2D({ stride: 2, filterSize: 4, poolSize: 2, inputShape: [8, 8, 2] })], [2, 8, 8, 2]],
      ['PolyphasePool2D', () => [new sl.PolyphasePool2D({ stride: 2, poolSize: 2, inputShape: [8, 8, 2] })], [2, 8, 8, 2]],
      ['CircularPad1D', () => [new sl.CircularPad1D({ padding: 2, inputShape: [7, 3] })], [2, 7, 3]],
      ['CircularPad3D', () => [new sl.CircularPad3D({ padding: [1, 2, 0], inputShape: [4, 5, 6, 2] })], [2, 4, 5, 6, 2]],
      ['BlurPool1D', () => [new sl.BlurPool1D({ stride: 3, filterSize: 5, poolSize: 2, inputShape: [9, 2] })], [2, 9, 2]],
      ['BlurPool3D', () => [new sl.BlurPool3D({ stride: 2, filterSize: 4, poolSize: 2, inputShape: [4, 6, 5, 2] })], [2, 4, 6, 5, 2]],
      [
        'P4ConvLifting2D, P4Conv2D, P4GroupPool',
        () => [
          new sl.P4ConvLifting2D({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [7, 7, 2] }),
          new sl.P4Conv2D({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid', useBias: false }),
          new sl.P4GroupPool({ reduction: 'mean' }),
        ],
        [2, 7, 7, 2],
      ],
      [
        'GroupAveraging',
        () => [
          new sl.GroupAveraging({
            group: 'dihedral',
            inputShape: [5, 5, 1],
            layer: tf.sequential({ layers: [tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [5, 5, 1] }), tf.layers.flatten(), tf.layers.dense({ units: 3 })] }),
          }),
        ],
        [2, 5, 5, 1],
      ],
      ['SetDense, SetPool', () => [new sl.SetDense({ units: 4, activation: 'tanh', inputShape: [5, 3] }), new sl.SetPool({ reduction: 'max' })], [2, 5, 3]],
      [
        'SetAttention (equivariant, then pooling)',
        () => [new sl.SetAttention({ numHeads: 2, keyDim: 3, units: 5, inputShape: [6, 4] }), new sl.SetAttention({ pooling: true, numHeads: 3, useBias: false })],
        [2, 6, 4],
      ],
    ];
    for (const [name, layers, shape] of cases) {
      it(`${name}: a saved model loads with the same config and predictions`, async () => {
        const model = tf.sequential({ layers: layers() });
        redrawWeights(model, 7);
        const loaded = await saveAndLoad(model);
        assert.deepEqual(
          loaded.layers.map((layer) => layer.getClassName()),
          model.layers.map((layer) => layer.getClassName()),
        );
        assert.deepEqual(
          loaded.layers.map((layer) => ({ ...layer.getConfig(), name: undefined })),
          model.layers.map((layer) => ({ ...layer.getConfig(), name: undefined })),
        );
        const x = randomInput(shape, 3);
        const before = model.predict(x) as tf.Tensor;
        const after = loaded.predict(x) as tf.Tensor;
        assert.deepEqual(after.shape, before.shape);
        assert.ok(relativeError(after, before) < 1e-6, `predictions differ after loading: ${relativeError(after, before)}`);
        tf.dispose([x, before, after]);
        model.dispose();
        loaded.dispose();
      });
    }

    it('computeOutputShape agrees with the tensors call produces', () => {
      const model = tf.sequential({
        layers: [
          new sl.CircularPad2D({ padding: 1, inputShape: [9, 9, 3] }),
          new sl.P4ConvLifting2D({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid' }),
          new sl.P4GroupPool(),
          new sl.BlurPool2D({ stride: 2 }),
        ],
      });
      const y = model.predict(randomInput([1, 9, 9, 3], 1)) as tf.Tensor;
      assert.deepEqual(y.shape, [1, ...(model.outputs[0].shape.slice(1) as number[])]);
      assert.deepEqual(y.shape, [1, 3, 3, 2]);
      for (const [layers, shape, expected] of [
        [[new sl.CircularPad1D({ padding: 2, inputShape: [9, 3] }), new sl.BlurPool1D({ stride: 2 })], [1, 9, 3], [1, 7, 3]],
        [[new sl.CircularPad3D({ padding: [1, 0, 2], inputShape: [3, 4, 5, 2] }), new sl.BlurPool3D({ stride: 3, poolSize: 2 })], [1, 3, 4, 5, 2], [1, 2, 2, 3, 2]],
      ] as [tf.layers.Layer[], number[], number[]][]) {
        const sequence = tf.sequential({ layers });
        const out = sequence.predict(randomInput(shape, 2)) as tf.Tensor;
        assert.deepEqual(out.shape, [1, ...(sequence.outputs[0].shape.slice(1) as number[])]);
        assert.deepEqual(out.shape, expected);
      }
    });

    it('GraphConv: a saved two-input model loads with the same config and predictions', async () => {
      const model = graphModel(7, 3, [{ units: 4, activation: 'relu' }, { units: 2, selfLoops: false, normalization: 'none', useBias: false }]);
      redrawWeights(model, 7);
      const loaded = await saveAndLoad(model);
      const configs = (m: tf.LayersModel) => m.layers.filter((layer) => layer.getClassName() === 'GraphConv').map((layer) => ({ ...layer.getConfig(), name: undefined }));
      assert.equal(configs(loaded).length, 2);
      assert.deepEqual(configs(loaded), configs(model));
      const inputs = [randomInput([2, 7, 3], 3), randomAdjacency(2, 7, 4)];
      const before = model.predict(inputs) as tf.Tensor;
      const after = loaded.predict(inputs) as tf.Tensor;
      assert.deepEqual(after.shape, before.shape);
      assert.ok(relativeError(after, before) < 1e-6, `predictions differ after loading: ${relativeError(after, before)}`);
      tf.dispose([...inputs, before, after]);
      model.dispose();
      loaded.dispose();
    });

    it('SetAttention and GraphConv: computeOutputShape agrees with the tensors call produces', () => {
      for (const [layer, expected] of [
        [new sl.SetAttention({ numHeads: 2, inputShape: [5, 6] }), [3, 5, 6]],
        [new sl.SetAttention({ numHeads: 4, keyDim: 2, units: 7, inputShape: [5, 6] }), [3, 5, 7]],
        [new sl.SetAttention({ pooling: true, units: 3, inputShape: [5, 6] }), [3, 3]],
      ] as [tf.layers.Layer, number[]][]) {
        const sequence = tf.sequential({ layers: [layer] });
        const out = sequence.predict(randomInput([3, 5, 6], 2)) as tf.Tensor;
        assert.deepEqual(out.shape, [3, ...(sequence.outputs[0].shape.slice(1) as number[])]);
        assert.deepEqual(out.shape, expected);
      }
      const graph = graphModel(5, 6, [{ units: 4 }]);
      const out = graph.predict([randomInput([3, 5, 6], 2), randomAdjacency(3, 5, 2)]) as tf.Tensor;
      assert.deepEqual(out.shape, [3, ...(graph.outputs[0].shape.slice(1) as number[])]);
      assert.deepEqual(out.shape, [3, 5, 4]);
    });

    it('SetAttention and GraphConv compute what docs/layers.md says (element-by-element reference)', () => {
      // Reference loops in plain numbers: per head, softmax(q_i·k_j / √d) over j, times v_j;
      // then D^-1/2 (A + I) D^-1/2 X W + b for the graph.
      const [n, t, f, heads, d, units] = [2, 4, 3, 2, 2, 3];
      const attention = new sl.SetAttention({ numHeads: heads, keyDim: d, units, inputShape: [t, f] });
      const model = tf.sequential({ layers: [attention] });
      redrawWeights(model, 5);
      const x = randomInput([n, t, f], 6);
      const got = (model.predict(x) as tf.Tensor).arraySync() as number[][][];
      const [wq, bq, wk, wv, wo, bk, bv, bo] = attention.getWeights().map((w) => w.arraySync());
      const xs = x.arraySync() as number[][][];
      const project = (row: number[], w: number[][], b: number[]) => b.map((bias, c) => bias + row.reduce((sum, value, r) => sum + value * w[r][c], 0));
      for (let b = 0; b < n; b++) {
        const q = xs[b].map((row) => project(row, wq as number[][], bq as number[]));
        const k = xs[b].map((row) => project(row, wk as number[][], bk as number[]));
        const v = xs[b].map((row) => project(row, wv as number[][], bv as number[]));
        for (let i = 0; i < t; i++) {
          const merged: number[] = [];
          for (let h = 0; h < heads; h++) {
            const cols = Array.from({ length: d }, (_, c) => h * d + c);
            const scores = k.map((kj) => cols.reduce((sum, c) => sum + q[i][c] * kj[c], 0) / Math.sqrt(d));
            const top = Math.max(...scores);
            const weights = scores.map((score) => Math.exp(score - top));
            const total = weights.reduce((sum, w) => sum + w, 0);
            for (const c of cols) merged.push(v.reduce((sum, vj, j) => sum + (weights[j] / total) * vj[c], 0));
          }
          const expected = project(merged, wo as number[][], bo as number[]);
          expected.forEach((value, c) => assert.ok(Math.abs(got[b][i][c] - value) < 1e-4 * (1 + Math.abs(value)), `attention [${b},${i},${c}]: ${got[b][i][c]} vs ${value}`));
        }
      }
      const graph = graphModel(t, f, [{ units }]);
      redrawWeights(graph, 8);
      const adjacency = randomAdjacency(n, t, 9);
      const out = (graph.predict([x, adjacency]) as tf.Tensor).arraySync() as number[][][];
      const conv = graph.layers.find((layer) => layer.getClassName() === 'GraphConv') as tf.layers.Layer;
      const [w, bias] = conv.getWeights().map((weight) => weight.arraySync()) as [number[][], number[]];
      const as = adjacency.arraySync() as number[][][];
      for (let b = 0; b < n; b++) {
        const loops = as[b].map((row, i) => row.map((value, j) => value + (i === j ? 1 : 0)));
        const degree = loops.map((row) => row.reduce((sum, value) => sum + value, 0));
        const xw = xs[b].map((row) => project(row, w, bias.map(() => 0)));
        for (let i = 0; i < t; i++) {
          for (let c = 0; c < units; c++) {
            const value = bias[c] + loops[i].reduce((sum, a, j) => sum + (a / Math.sqrt(degree[i] * degree[j])) * xw[j][c], 0);
            assert.ok(Math.abs(out[b][i][c] - value) < 1e-4 * (1 + Math.abs(value)), `graph [${b},${i},${c}]: ${out[b][i][c]} vs ${value}`);
          }
        }
      }
      tf.dispose([x, adjacency]);
      model.dispose();
      graph.dispose();
    });

    it('GraphConv: a node of degree 0 gets a finite output (no division by zero)', () => {
      const layer = new sl.GraphConv({ units: 3, selfLoops: false });
      const adjacency = tf.tensor3d([[[0, 1, 0], [1, 0, 0], [0, 0, 0]]]);
      const y = layer.apply([randomInput([1, 3, 2], 5), adjacency]) as tf.Tensor;
      assert.ok(Array.from(y.dataSync()).every(Number.isFinite), `not finite: ${y.dataSync()}`);
    });

    it('BlurPool1D and BlurPool3D filter like BlurPool2D (one separable pass per axis)', () => {
      // An axis on which the input is constant stays constant (the wrapped blur is normalised), so
      // the 2D layer on [N, T, 4, C] repeats the 1D one on [N, T, C] in every column, and the 3D
      // layer on [N, D, H, 4, C] repeats the 2D one on [N, D, H, C].
      const config = { stride: 2, filterSize: 5, poolSize: 3 };
      const x1 = randomInput([2, 10, 3], 4);
      const oneD = new sl.BlurPool1D(config).apply(x1) as tf.Tensor;
      const twoD = new sl.BlurPool2D(config).apply(tf.tile(tf.expandDims(x1, 2), [1, 1, 4, 1])) as tf.Tensor;
      for (const column of tf.unstack(twoD, 2)) assert.ok(relativeError(oneD, column) < 1e-6, `1D vs 2D: ${relativeError(oneD, column)}`);
      const x2 = randomInput([2, 6, 7, 3], 5);
      const plane = new sl.BlurPool2D(config).apply(x2) as tf.Tensor;
      const threeD = new sl.BlurPool3D(config).apply(tf.tile(tf.expandDims(x2, 3), [1, 1, 1, 4, 1])) as tf.Tensor;
      for (const slice of tf.unstack(threeD, 3)) assert.ok(relativeError(slice, plane) < 1e-6, `3D vs 2D: ${relativeError(slice, plane)}`);
    });

    it('rejects bad configurations with a message that names the layer', () => {
      assert.throws(() => new sl.P4ConvLifting2D({ filters: 2, kernelSize: 2 }), /P4ConvLifting2D needs a square, odd kernel/);
      assert.throws(() => new sl.SetPool({ reduction: 'median' as 'max' }), /SetPool reduction/);
      assert.throws(() => new sl.CircularPad2D({ padding: -1 }), /padding/);
      assert.throws(() => new sl.CircularPad1D({ padding: 1.5 }), /CircularPad1D padding/);
      assert.throws(() => new sl.CircularPad3D({ padding: [1, 2] as unknown as [number, number, number] }), /CircularPad3D padding must be .* a list of 3/);
      assert.throws(() => new sl.BlurPool1D({ filterSize: 8 }), /BlurPool1D filterSize must be at most 7/);
      assert.throws(() => new sl.BlurPool3D({ stride: 0 }), /BlurPool3D stride/);
      assert.throws(() => tf.sequential({ layers: [new sl.PolyphasePool2D({ stride: 2, inputShape: [7, 8, 1] })] }), /divisible by its stride 2/);
      assert.throws(() => new sl.SetDense({ units: 3, activation: 'swish' as 'relu' }), /unknown activation "swish"/);
      assert.throws(() => new sl.SetAttention({ numHeads: 0 }), /SetAttention numHeads must be a positive integer/);
      assert.throws(() => new sl.SetAttention({ keyDim: 2.5 }), /SetAttention keyDim/);
      assert.throws(() => new sl.GraphConv({ units: 2, normalization: 'row' as 'none' }), /GraphConv normalization/);
      assert.throws(() => tf.sequential({ layers: [new sl.GraphConv({ units: 2, inputShape: [4, 3] })] }), /GraphConv expects two inputs/);
    });
  });

  describe('guarantees, measured with re-drawn weights', () => {
    it('CircularPad2D + valid convolutions: exactly equivariant to circular shifts', () => {
      const build = () =>
        tf.sequential({
          layers: [
            new sl.CircularPad2D({ padding: 1, inputShape: [12, 12, 2] }),
            tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            new sl.CircularPad2D({ padding: 2 }),
            tf.layers.conv2d({ filters: 3, kernelSize: 5, padding: 'valid' }),
          ],
        });
      const error = worstError(build, [2, 12, 12, 2], shifts([[1, 0], [0, 1], [5, 7], [11, 3]], true));
      assert.ok(error < EXACT, `relative error ${error}`);
      // Control: zero padding ('same') is measurably not exact.
      const zeroPadded = () =>
        tf.sequential({ layers: [tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [12, 12, 2] })] });
      assert.ok(worstError(zeroPadded, [2, 12, 12, 2], shifts([[1, 0]], true)) > 1e-2);
    });

    it('CircularPad1D + valid conv1d: exactly equivariant to circular shifts in time', () => {
      const build = () =>
        tf.sequential({
          layers: [
            new sl.CircularPad1D({ padding: 1, inputShape: [16, 3] }),
            tf.layers.conv1d({ filters: 5, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            new sl.CircularPad1D({ padding: 2 }),
            tf.layers.conv1d({ filters: 4, kernelSize: 5, padding: 'valid' }),
          ],
        });
      const timeShifts = [1, 3, 8, 15].map((d) => ({ input: (x: tf.Tensor) => circularShift(x, 1, d), output: (y: tf.Tensor) => circularShift(y, 1, d) }));
      const error = worstError(build, [2, 16, 3], timeShifts);
      assert.ok(error < EXACT, `relative error ${error}`);
      const zeroPadded = () => tf.sequential({ layers: [tf.layers.conv1d({ filters: 5, kernelSize: 3, padding: 'same', inputShape: [16, 3] })] });
      assert.ok(worstError(zeroPadded, [2, 16, 3], timeShifts) > 1e-2, 'control: zero padding is not exact');
    });

    it('CircularPad3D + valid conv3d: exactly equivariant to circular shifts of the volume', () => {
      const shift3 = (x: tf.Tensor, [a, b, c]: number[]) => circularShift(circularShift(circularShift(x, 1, a), 2, b), 3, c);
      const volumeShifts = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [2, 3, 5]].map((d) => ({ input: (x: tf.Tensor) => shift3(x, d), output: (y: tf.Tensor) => shift3(y, d) }));
      const build = () =>
        tf.sequential({
          layers: [
            new sl.CircularPad3D({ padding: 1, inputShape: [6, 7, 8, 2] }),
            tf.layers.conv3d({ filters: 3, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            new sl.CircularPad3D({ padding: [0, 1, 1] }),
            tf.layers.conv3d({ filters: 2, kernelSize: [1, 3, 3], padding: 'valid' }),
          ],
        });
      const error = worstError(build, [2, 6, 7, 8, 2], volumeShifts);
      assert.ok(error < EXACT, `relative error ${error}`);
      const zeroPadded = () => tf.sequential({ layers: [tf.layers.conv3d({ filters: 3, kernelSize: 3, padding: 'same', inputShape: [6, 7, 8, 2] })] });
      assert.ok(worstError(zeroPadded, [2, 6, 7, 8, 2], volumeShifts) > 1e-2, 'control: zero padding is not exact');
    });

    it('BlurPool1D and BlurPool3D: exact for shifts by multiples of the stride (the output moves by shift / stride)', () => {
      const sequence = (pool: () => tf.layers.Layer, inputShape: number[]) => () =>
        tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: 'relu', inputShape }), pool()] });
      const steps = [2, 4, 6].map((d) => ({ input: (x: tf.Tensor) => circularShift(x, 1, d), output: (y: tf.Tensor) => circularShift(y, 1, d / 2) }));
      const oneD = worstError(sequence(() => new sl.BlurPool1D({ stride: 2, poolSize: 2 }), [12, 2]), [2, 12, 2], steps);
      assert.ok(oneD < EXACT, `BlurPool1D: relative error ${oneD}`);
      const shift3 = (x: tf.Tensor, d: number[]) => d.reduce((result, amount, i) => circularShift(result, i + 1, amount), x);
      const volumeSteps = [[2, 0, 0], [0, 2, 4], [4, 2, 2]].map((d) => ({ input: (x: tf.Tensor) => shift3(x, d), output: (y: tf.Tensor) => shift3(y, d.map((v) => v / 2)) }));
      const threeD = worstError(sequence(() => new sl.BlurPool3D({ stride: 2, poolSize: 2 }), [6, 8, 4, 2]), [2, 6, 8, 4, 2], volumeSteps);
      assert.ok(threeD < EXACT, `BlurPool3D: relative error ${threeD}`);
    });

    it('BlurPool1D and BlurPool3D: measured shift sensitivity against strided max pooling (docs/layers.md)', () => {
      // As for BlurPool2D: one-step shifts (not multiples of the stride) still change the output,
      // less than under strided max pooling, and less with a wider blur. Only the order is asserted.
      const build1 = (pool: () => tf.layers.Layer) => () =>
        tf.sequential({
          layers: [
            new sl.CircularPad1D({ padding: 1, inputShape: [64, 3] }),
            tf.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            pool(),
            new sl.CircularPad1D({ padding: 1 }),
            tf.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            pool(),
            tf.layers.flatten(),
          ],
        });
      const oneStep = [1, 3].map((d) => ({ input: (x: tf.Tensor) => circularShift(x, 1, d), output: identity }));
      const strided1 = worstError(build1(() => tf.layers.maxPooling1d({ poolSize: 2 })), [4, 64, 3], oneStep);
      const blurred1 = worstError(build1(() => new sl.BlurPool1D({ poolSize: 2, stride: 2, filterSize: 3 })), [4, 64, 3], oneStep);
      const blurred1w = worstError(build1(() => new sl.BlurPool1D({ poolSize: 2, stride: 2, filterSize: 5 })), [4, 64, 3], oneStep);
      const build3 = (pool: () => tf.layers.Layer) => () =>
        tf.sequential({
          layers: [
            new sl.CircularPad3D({ padding: 1, inputShape: [8, 8, 8, 2] }),
            tf.layers.conv3d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            pool(),
            tf.layers.flatten(),
          ],
        });
      const volumeStep = [[1, 0, 0], [0, 1, 1]].map((d) => ({ input: (x: tf.Tensor) => d.reduce((r, amount, i) => circularShift(r, i + 1, amount), x), output: identity }));
      const strided3 = worstError(build3(() => tf.layers.maxPooling3d({ poolSize: 2 })), [2, 8, 8, 8, 2], volumeStep);
      const blurred3 = worstError(build3(() => new sl.BlurPool3D({ poolSize: 2, stride: 2, filterSize: 3 })), [2, 8, 8, 8, 2], volumeStep);
      if (process.env.SYMMETRY_LINT_PRINT_MEASUREMENTS) {
        console.log(
          `shift sensitivity: maxPooling1d ${strided1.toFixed(3)}, BlurPool1D(3) ${blurred1.toFixed(3)}, BlurPool1D(5) ${blurred1w.toFixed(3)}; maxPooling3d ${strided3.toFixed(3)}, BlurPool3D(3) ${blurred3.toFixed(3)}`,
        );
      }
      assert.ok(blurred1 < strided1, `BlurPool1D ${blurred1} should be less shift-sensitive than maxPooling1d ${strided1}`);
      assert.ok(blurred1w < blurred1, `a wider blur ${blurred1w} should be smoother than ${blurred1}`);
      assert.ok(blurred3 < strided3, `BlurPool3D ${blurred3} should be less shift-sensitive than maxPooling3d ${strided3}`);
      assert.ok(blurred1 > 1e-3 && blurred3 > 1e-3, 'the blur reduces aliasing, it does not remove it');
    });

    it('PolyphasePool2D with circular padding and global pooling: invariant to every circular shift', () => {
      const build = (pool: () => tf.layers.Layer) => () =>
        tf.sequential({
          layers: [
            new sl.CircularPad2D({ padding: 1, inputShape: [16, 16, 2] }),
            tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            pool(),
            new sl.CircularPad2D({ padding: 1 }),
            tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            pool(),
            tf.layers.globalAveragePooling2d({}),
            tf.layers.dense({ units: 3 }),
          ],
        });
      const oddShifts = shifts([[1, 0], [0, 1], [3, 5], [7, 2]], false);
      const polyphase = worstError(build(() => new sl.PolyphasePool2D({ poolSize: 2, stride: 2 })), [2, 16, 16, 2], oddShifts);
      assert.ok(polyphase < EXACT, `relative error ${polyphase}`);
      const strided = worstError(build(() => tf.layers.maxPooling2d({ poolSize: 2 })), [2, 16, 16, 2], oddShifts);
      assert.ok(strided > 1e-3, `control: strided max pooling should not be invariant, got ${strided}`);
    });

    it('P4 convolutions, group pooling and global pooling: exactly invariant to rotations by 90 degrees', () => {
      const build = (size: number, stride: number) => () =>
        tf.sequential({
          layers: [
            new sl.P4ConvLifting2D({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [size, size, 2] }),
            new sl.P4Conv2D({ filters: 4, kernelSize: 3, strides: stride, activation: 'relu' }),
            new sl.P4Conv2D({ filters: 3, kernelSize: 5, padding: 'valid' }),
            new sl.P4GroupPool(),
            tf.layers.globalAveragePooling2d({}),
            tf.layers.dense({ units: 2 }),
          ],
        });
      const error = worstError(build(15, 1), [2, 15, 15, 2], rotations);
      assert.ok(error < EXACT, `relative error ${error}`);
      // Odd size under a stride-2 'same' convolution keeps the grid (machine-facts: 25x25).
      const strided = worstError(build(25, 2), [2, 25, 25, 2], rotations);
      assert.ok(strided < EXACT, `stride 2 at 25x25: relative error ${strided}`);
      const plain = () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [15, 15, 2] }),
            tf.layers.globalAveragePooling2d({}),
            tf.layers.dense({ units: 2 }),
          ],
        });
      assert.ok(worstError(plain, [2, 15, 15, 2], rotations) > 1e-3, 'control: a plain 3x3 convolution is not rotation invariant');
    });

    it('P4 layers are equivariant layer by layer: rotation turns the maps and cycles the rotation blocks', () => {
      const model = tf.sequential({ layers: [new sl.P4ConvLifting2D({ filters: 2, kernelSize: 3, inputShape: [9, 9, 1] }), new sl.P4Conv2D({ filters: 2, kernelSize: 3 })] });
      redrawWeights(model, 5);
      const error = tf.tidy(() => {
        const x = randomInput([1, 9, 9, 1], 8);
        const y = model.predict(x) as tf.Tensor;
        const turned = model.predict(sl.rotate90(x, 1, 1)) as tf.Tensor;
        // Block r of the rotated input's output is block r - 1 of the output, rotated.
        const blocks = tf.split(sl.rotate90(y, 1, 1), 4, 3);
        const expected = tf.concat([blocks[3], blocks[0], blocks[1], blocks[2]], 3);
        return relativeError(turned, expected);
      });
      assert.ok(error < EXACT, `relative error ${error}`);
    });

    it('GroupAveraging makes a non-invariant backbone exactly invariant to its group', () => {
      const backbone = (size: number) =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [size, size, 1] }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 4, activation: 'relu' }),
          ],
        });
      const flip = { input: (x: tf.Tensor) => sl.flipPlane(x), output: identity };
      const dihedralElements = [...rotations, flip, ...[1, 2, 3].map((k) => ({ input: (x: tf.Tensor) => sl.rotate90(sl.flipPlane(x), k, 1), output: identity }))];
      const sign = { input: (x: tf.Tensor) => tf.neg(x), output: identity };
      const averaged = (group: sl.AveragedGroup) => () => tf.sequential({ layers: [new sl.GroupAveraging({ group, layer: backbone(8), inputShape: [8, 8, 1] })] });
      for (const [group, elements] of [
        ['rotation90', rotations],
        ['flip', [flip]],
        ['dihedral', dihedralElements],
        ['sign', [sign]],
      ] as const) {
        const error = worstError(averaged(group), [2, 8, 8, 1], [...elements]);
        assert.ok(error < EXACT, `${group}: relative error ${error}`);
      }
      assert.ok(worstError(() => backbone(8), [2, 8, 8, 1], dihedralElements) > 1e-2, 'control: the backbone alone is not invariant');
    });

    it('SetDense is permutation equivariant and SetPool permutation invariant', () => {
      const orders = [seededPermutation(9, 1), seededPermutation(9, 2), seededPermutation(9, 3), [1, 0, 2, 3, 4, 5, 6, 7, 8]];
      const equivariant = () =>
        tf.sequential({ layers: [new sl.SetDense({ units: 8, activation: 'relu', inputShape: [9, 4] }), new sl.SetDense({ units: 5, reduction: 'sum' })] });
      const permuted = orders.map((order) => ({ input: (x: tf.Tensor) => permuteSet(x, order), output: (y: tf.Tensor) => permuteSet(y, order) }));
      const equivarianceError = worstError(equivariant, [3, 9, 4], permuted);
      assert.ok(equivarianceError < EXACT, `SetDense: relative error ${equivarianceError}`);
      for (const reduction of ['mean', 'sum', 'max'] as const) {
        const invariant = () =>
          tf.sequential({ layers: [new sl.SetDense({ units: 8, activation: 'tanh', inputShape: [9, 4] }), new sl.SetPool({ reduction }), tf.layers.dense({ units: 2 })] });
        const error = worstError(invariant, [3, 9, 4], orders.map((order) => ({ input: (x: tf.Tensor) => permuteSet(x, order), output: identity })));
        assert.ok(error < EXACT, `SetPool ${reduction}: relative error ${error}`);
      }
      const control = () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [9, 4] }), tf.layers.dense({ units: 2 })] });
      assert.ok(worstError(control, [3, 9, 4], orders.map((order) => ({ input: (x: tf.Tensor) => permuteSet(x, order), output: identity }))) > 1e-2);
    });

    it('SetAttention is permutation equivariant, and invariant in pooling mode', () => {
      const orders = [seededPermutation(9, 1), seededPermutation(9, 2), seededPermutation(9, 3), seededPermutation(9, 4), [1, 0, 2, 3, 4, 5, 6, 7, 8]];
      const permuted = orders.map((order) => ({ input: (x: tf.Tensor) => permuteSet(x, order), output: (y: tf.Tensor) => permuteSet(y, order) }));
      const unchanged = orders.map((order) => ({ input: (x: tf.Tensor) => permuteSet(x, order), output: identity }));
      const encoder = () =>
        tf.sequential({
          layers: [
            new sl.SetAttention({ numHeads: 2, keyDim: 4, inputShape: [9, 6] }),
            new sl.SetDense({ units: 8, activation: 'relu' }),
            new sl.SetAttention({ numHeads: 4, keyDim: 2, units: 5 }),
          ],
        });
      const equivarianceError = worstError(encoder, [3, 9, 6], permuted);
      const pooled = () =>
        tf.sequential({
          layers: [new sl.SetAttention({ numHeads: 2, inputShape: [9, 6] }), new sl.SetAttention({ pooling: true, numHeads: 3, keyDim: 2, units: 4 }), tf.layers.dense({ units: 2 })],
        });
      const invarianceError = worstError(pooled, [3, 9, 6], unchanged);
      // Control: the same encoder after a sinusoidal positional term is not equivariant.
      const positional = () =>
        tf.sequential({ layers: [new AddSinusoidalPositions({ inputShape: [9, 6] }), new sl.SetAttention({ numHeads: 2, keyDim: 4 }), new sl.SetAttention({ pooling: true })] });
      const controlError = worstError(positional, [3, 9, 6], unchanged);
      if (process.env.SYMMETRY_LINT_PRINT_MEASUREMENTS) {
        console.log(`SetAttention: equivariance ${equivarianceError.toExponential(2)}, pooling invariance ${invarianceError.toExponential(2)}, positional control ${controlError.toFixed(3)}`);
      }
      assert.ok(equivarianceError < EXACT, `SetAttention: relative error ${equivarianceError}`);
      assert.ok(invarianceError < EXACT, `SetAttention pooling: relative error ${invarianceError}`);
      assert.ok(controlError > 1e-2, `control: a positional term should break invariance, got ${controlError}`);
    });

    it('GraphConv is equivariant under the joint permutation of nodes and adjacency', () => {
      const orders = [seededPermutation(8, 1), seededPermutation(8, 2), seededPermutation(8, 3), seededPermutation(8, 4), [1, 0, 2, 3, 4, 5, 6, 7]];
      const configs: sl.GraphConvArgs[][] = [
        [{ units: 6, activation: 'relu' }, { units: 4 }],
        [{ units: 6, activation: 'tanh', selfLoops: false }, { units: 4, normalization: 'none' }],
      ];
      let joint = 0;
      let featuresOnly = 0;
      for (const config of configs) {
        for (const seed of SEEDS) {
          const model = graphModel(8, 5, config);
          redrawWeights(model, seed);
          tf.tidy(() => {
            const x = randomInput([3, 8, 5], seed + 17);
            const adjacency = randomAdjacency(3, 8, seed + 31);
            const y = model.predict([x, adjacency]) as tf.Tensor;
            for (const order of orders) {
              const moved = model.predict([permuteSet(x, order), permuteNodes(adjacency, order)]) as tf.Tensor;
              joint = Math.max(joint, relativeError(moved, permuteSet(y, order)));
              // Control: relabelling the features without the adjacency is not a symmetry.
              const featuresMoved = model.predict([permuteSet(x, order), adjacency]) as tf.Tensor;
              featuresOnly = Math.max(featuresOnly, relativeError(featuresMoved, permuteSet(y, order)));
            }
          });
          model.dispose();
        }
      }
      // A sum readout after the message passing: invariant under the same joint action.
      let readout = 0;
      for (const seed of SEEDS) {
        const model = graphModel(8, 5, configs[0], true);
        redrawWeights(model, seed);
        tf.tidy(() => {
          const x = randomInput([3, 8, 5], seed + 17);
          const adjacency = randomAdjacency(3, 8, seed + 31);
          const y = model.predict([x, adjacency]) as tf.Tensor;
          for (const order of orders) readout = Math.max(readout, relativeError(model.predict([permuteSet(x, order), permuteNodes(adjacency, order)]) as tf.Tensor, y));
        });
        model.dispose();
      }
      if (process.env.SYMMETRY_LINT_PRINT_MEASUREMENTS) {
        console.log(`GraphConv: joint equivariance ${joint.toExponential(2)}, sum readout invariance ${readout.toExponential(2)}, features-only control ${featuresOnly.toFixed(3)}`);
      }
      assert.ok(joint < EXACT, `GraphConv: relative error ${joint}`);
      assert.ok(readout < EXACT, `GraphConv + SetPool: relative error ${readout}`);
      assert.ok(featuresOnly > 1e-2, `control: permuting X without A should break equivariance, got ${featuresOnly}`);
    });

    it('BlurPool2D: measured shift sensitivity against strided max pooling (docs/layers.md)', () => {
      // Mean relative change of a pooled feature vector under 1-pixel shifts (not multiples of
      // the stride), over seeds; only the ordering is asserted, the numbers go to the docs.
      const build = (pool: () => tf.layers.Layer) => () =>
        tf.sequential({
          layers: [
            new sl.CircularPad2D({ padding: 1, inputShape: [32, 32, 3] }),
            tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            pool(),
            new sl.CircularPad2D({ padding: 1 }),
            tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'valid', activation: 'relu' }),
            pool(),
            tf.layers.flatten(),
          ],
        });
      const oneStep = shifts([[1, 0], [0, 1], [1, 1]], false);
      const strided = worstError(build(() => tf.layers.maxPooling2d({ poolSize: 2 })), [4, 32, 32, 3], oneStep);
      const blurred = worstError(build(() => new sl.BlurPool2D({ poolSize: 2, stride: 2, filterSize: 3 })), [4, 32, 32, 3], oneStep);
      const blurred5 = worstError(build(() => new sl.BlurPool2D({ poolSize: 2, stride: 2, filterSize: 5 })), [4, 32, 32, 3], oneStep);
      if (process.env.SYMMETRY_LINT_PRINT_MEASUREMENTS) {
        console.log(`shift sensitivity (worst relative change, 1-pixel shifts): maxPooling2d ${strided.toFixed(3)}, BlurPool2D(3) ${blurred.toFixed(3)}, BlurPool2D(5) ${blurred5.toFixed(3)}`);
      }
      assert.ok(blurred < strided, `BlurPool2D ${blurred} should be less shift-sensitive than max pooling ${strided}`);
      assert.ok(blurred5 < blurred, `a wider blur ${blurred5} should be smoother than ${blurred}`);
    });
  });
});
