// The numeric part of a probe, run inside the probe worker: builds the tfjs model from a plan
// (or takes a loaded saved model), redraws every weight from a seed, runs the original and all
// transformed inputs in one batched predict, and measures each layer output's error against
// the induced action. Only small per-sample statistics leave the backend.
import type * as tfjs from '@tensorflow/tfjs';
import type { GroupName } from '../analysis/symmetry';
import { groupElements, inputAction, layerAction, type GroupElement, type TensorAction } from './groupElements';
import { declaredAdjacencyInput, type PlanDeclaration, type PlanInput, type PlanLayer, type ProbePlan } from './plan';
import { stridesOf, totalStrideOf } from './layerStrides';
import { borderReach, interiorPositions, interiorRelativeError } from './interiorError';
import { fillRandomAdjacency, pairedInputTensors } from './pairedInputs';
import { createOpGraphLayer } from './opGraphLayer';

type TF = typeof tfjs;

/** SPEC section 5's floor on the denominator of the relative error. */
const RELATIVE_ERROR_FLOOR = 1e-12;
/**
 * A layer output's norm counts as at least this fraction of the norm a tensor of its size would
 * have at the largest magnitude seen so far: below it, the output is a cancellation, and its
 * relative error would measure float32 rounding rather than the symmetry.
 */
const CANCELLATION_FLOOR = 1e-2;
type Tensor = tfjs.Tensor;

/** Per layer and declaration: what the worker measured. */
export interface MeasuredLayer {
  id: number;
  kind: string;
  line: number;
  inputs: number[];
  output: number;
  relError: (number | null)[];
  maxAbsError: (number | null)[];
  worstElement: (string | null)[];
  measured: ('equivariance' | 'invariance')[];
  /** Translation only: the error on the interior no border or seam reaches (interiorError.ts); null where that interior is empty. */
  interiorRelError?: (number | null)[];
  /**
   * Translation only: the whole map's error under the shifts the strides so far do not divide,
   * compared unshifted because no shift of this output matches them. Aliasing at a stride
   * shows here, at the strided layer; the interior error leaves these shifts out.
   */
  unalignedRelError?: (number | null)[];
  unalignedWorstElement?: (string | null)[];
}

export interface MeasuredModel {
  status: 'ok' | 'error';
  message?: string;
  layers: MeasuredLayer[];
  /** Model input tensor ids (errors there are 0 by definition). */
  inputTensors: number[];
  outputs: number[];
  timings: { buildMs: number; predictMs: number; measureMs: number };
  batch: number;
  /** Execute mode: what was stubbed or chosen to run the code (listed with the verdict). */
  notes?: string[];
}

/** A clear, user-facing failure of a probe (the message is shown as is). */
export class ProbeFailure extends Error {}

export const PROBE_BATCH = 4;
const STRIPPED_KEYS = ['inputShape', 'batchInputShape', 'batchSize', 'name', 'weights'];
const ZEROED_INITIALIZERS = [
  'kernelInitializer',
  'biasInitializer',
  'recurrentInitializer',
  'depthwiseInitializer',
  'pointwiseInitializer',
  'embeddingsInitializer',
  'gammaInitializer',
  'betaInitializer',
  'movingMeanInitializer',
  'movingVarianceInitializer',
  'alphaInitializer',
];

/** The equivariant layers library (issue 4), if it is installed. */
function loadLibrary(): Record<string, unknown> | undefined {
  for (const id of ['symmetry-lint-layers']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(id) as Record<string, unknown>;
    } catch {
      // not installed: library layers get a clear "cannot build" message
    }
  }
  return undefined;
}

function createLayer(tf: TF, layer: PlanLayer): tfjs.layers.Layer {
  const config: Record<string, unknown> = { ...layer.config };
  for (const key of STRIPPED_KEYS) delete config[key];
  if (layer.kind !== 'embedding') delete config.inputDim;
  if (layer.inner) config.layer = createLayer(tf, layer.inner);
  // Every weight is redrawn from the seed after the build: tfjs' own random initialisers would
  // only double the cost of drawing them (seconds for a ResNet, in JS), so weights start at zero.
  if (layer.origin === 'tfjs') for (const key of ZEROED_INITIALIZERS) config[key] = 'zeros';
  // A separable convolution has depthwise and pointwise kernels, and tfjs refuses any `kernel*`
  // field on it, even one set to its default.
  if (/^separableConv/.test(layer.kind)) for (const key of ['kernelInitializer', 'kernelRegularizer', 'kernelConstraint']) delete config[key];
  const where = `${layer.kind}${layer.line > 0 ? ` (line ${layer.line})` : ''}`;
  try {
    // A custom layer class is never run here: the probe evaluates its static op graph instead.
    if (layer.origin === 'custom' && layer.body) return createOpGraphLayer(tf, layer.body, (sublayer) => createLayer(tf, sublayer));
    if (layer.origin === 'library') {
      const library = loadLibrary();
      const LayerClass = library?.[layer.kind] as (new (config: unknown) => tfjs.layers.Layer) | undefined;
      if (!LayerClass) throw new ProbeFailure(`cannot build layer ${where}: the equivariant layers library (symmetry-lint-layers) ${library ? `has no ${layer.kind}` : 'is not installed'}`);
      return new LayerClass(config);
    }
    const factory = (tf.layers as unknown as Record<string, unknown>)[layer.kind];
    if (typeof factory !== 'function') throw new ProbeFailure(`cannot build layer ${where}: tf.layers has no factory ${layer.kind}`);
    return (factory as (config: unknown) => tfjs.layers.Layer)(config);
  } catch (error) {
    if (error instanceof ProbeFailure) throw error;
    throw new ProbeFailure(`cannot build layer ${where}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

/** Builds a model that exposes every layer's output, from a plan's literal configurations. */
export function buildPlanModel(tf: TF, plan: ProbePlan): tfjs.LayersModel {
  const symbolic = new Map<number, tfjs.SymbolicTensor>();
  const inputs = plan.inputs.map((input) => {
    const tensor = tf.input({ shape: input.shape, dtype: input.tokenVocabulary !== undefined ? 'int32' : 'float32' });
    symbolic.set(input.tensor, tensor);
    return tensor;
  });
  const instances = new Map<number, tfjs.layers.Layer>();
  const outputs: tfjs.SymbolicTensor[] = [];
  for (const layer of plan.layers) {
    const instance = layer.sharedWith !== undefined ? instances.get(layer.sharedWith) : undefined;
    const built = instance ?? createLayer(tf, layer);
    instances.set(layer.id, built);
    const args = layer.inputs.map((id) => symbolic.get(id));
    if (args.some((arg) => arg === undefined)) throw new ProbeFailure(`cannot build layer ${layer.kind} (line ${layer.line}): one of its inputs is not known`);
    let output;
    try {
      output = built.apply(args.length === 1 ? args[0]! : (args as tfjs.SymbolicTensor[]));
    } catch (error) {
      throw new ProbeFailure(`cannot build layer ${layer.kind} (line ${layer.line}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    if (Array.isArray(output)) throw new ProbeFailure(`cannot build layer ${layer.kind} (line ${layer.line}): it has several outputs`);
    symbolic.set(layer.output, output as tfjs.SymbolicTensor);
    outputs.push(output as tfjs.SymbolicTensor);
  }
  return tf.model({ inputs, outputs });
}

/**
 * Refuses a model with an empty layer output (a dimension of 0 or less) before tfjs computes
 * anything: tfjs-wasm's kernels trap on empty tensors ("memory access out of bounds") and the
 * trap poisons the worker. Plans from source are checked on the main thread already; saved and
 * executed models are checked here.
 */
export function refuseEmptyOutputs(model: tfjs.LayersModel): void {
  for (const layer of model.layers) {
    const shapes = (Array.isArray(layer.outputShape[0]) || layer.outputShape.length === 0 ? layer.outputShape : [layer.outputShape]) as (number | null)[][];
    const empty = shapes.find((shape) => shape.some((dim) => typeof dim === 'number' && dim <= 0));
    if (empty) throw new ProbeFailure(`the output of layer ${layer.name} would be empty ([${empty.join(', ')}]): its input is too small for its windows, and the probe does not run it`);
  }
}

/** Redraws every weight from the seed: constants (zero biases, unit gammas, zero slopes) can hide a break. */
export function redrawWeights(tf: TF, model: tfjs.LayersModel, seed: number): void {
  let next = seed;
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (weights.length === 0) continue;
    const values = tf.tidy(() =>
      weights.map((weight) => {
        const shape = weight.shape as number[];
        const name = (weight.originalName ?? weight.name).split('/').pop() ?? '';
        next++;
        if (/variance/.test(name)) return tf.randomUniform(shape, 0.5, 1.5, 'float32', next);
        if (/gamma/.test(name)) return tf.add(1, tf.randomNormal(shape, 0, 0.2, 'float32', next));
        if (/beta|mean|bias|alpha/.test(name) || shape.length <= 1) return tf.randomNormal(shape, 0, 0.3, 'float32', next);
        if (/embeddings/.test(name)) return tf.randomNormal(shape, 0, 1, 'float32', next);
        const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
        return tf.randomNormal(shape, 0, Math.sqrt(1 / Math.max(1, fanIn)), 'float32', next);
      }),
    );
    layer.setWeights(values);
    tf.dispose(values);
  }
}

// ---------------------------------------------------------------------------------------------
// Group actions as copy runs on raw arrays. tfjs-wasm's data-movement kernels (slice, reverse,
// gather, concat) cost 8-22 ms per half-million floats here, so each layer output is read once
// (a view on the wasm heap, no copy) and every element is compared in plain JS.

/**
 * ρ(g) on one sample as runs: `expected[i] = sign * sample[source(i)]`, where the output
 * positions are consecutive and run r covers `runs[2r+1]` of them, read from
 * `runs[2r]`, `runs[2r] + 1`, ... of the sample. A group action moves whole channel blocks
 * (and a shift whole rows), so a run is at least one channel block long: the comparison is
 * then a contiguous inner loop with no per-value index load.
 */
interface IndexAction {
  runs: Int32Array;
  sign: 1 | -1;
}

/** Row-major strides of a shape. */
function stridesOfShape(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** One run covering a whole sample of `size` values: the identity. */
function identityRuns(size: number): Int32Array {
  return Int32Array.of(0, size);
}

/**
 * The runs of one sample (shape without the batch axis) under a map from output coordinates
 * to input coordinates that moves no axis after `lastAxis`: the map runs once per position of
 * the leading axes, the trailing block (channels) moves as a whole, and blocks whose sources
 * follow each other merge into one run.
 */
function sourceRuns(fullShape: readonly number[], lastAxis: number, mapCoordinates: (coords: number[]) => void): Int32Array {
  const shape = fullShape.slice(0, lastAxis + 1);
  const inner = fullShape.slice(lastAxis + 1).reduce((a, b) => a * b, 1);
  const outer = sourceIndexOfAxes(shape, mapCoordinates);
  const runs: number[] = [];
  for (let o = 0; o < outer.length; o++) {
    const from = outer[o] * inner;
    const last = runs.length - 2;
    if (last >= 0 && runs[last] + runs[last + 1] === from) runs[last + 1] += inner;
    else runs.push(from, inner);
  }
  return Int32Array.from(runs);
}

function sourceIndexOfAxes(shape: readonly number[], mapCoordinates: (coords: number[]) => void): Int32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const strides = stridesOfShape(shape);
  const source = new Int32Array(size);
  const coords = new Array<number>(shape.length).fill(0);
  const mapped = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    for (let a = 0; a < shape.length; a++) mapped[a] = coords[a];
    mapCoordinates(mapped);
    let index = 0;
    for (let a = 0; a < shape.length; a++) index += mapped[a] * strides[a];
    source[i] = index;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++coords[a] < shape[a]) break;
      coords[a] = 0;
    }
  }
  return source;
}

/**
 * ρ(g) on a tensor of `shape` (batch axis included) with `action`: copy runs, `identity`
 * where only invariance is measured, or null where the probe does not know the action.
 */
function indexAction(shape: readonly number[], action: TensorAction, element: GroupElement): IndexAction | 'identity' | null {
  const sample = shape.slice(1);
  if (element.kind === 'negate') return { runs: identityRuns(sample.reduce((a, b) => a * b, 1)), sign: -1 };
  if (action.kind === 'unknown') return null;
  if (action.kind === 'none') return 'identity';
  // Axis numbers count the batch axis; coordinates of one sample do not.
  if (action.kind === 'set') {
    if (element.kind !== 'permute') return null;
    const axis = action.axis - 1;
    const offset = action.offset ?? 0;
    if (sample[axis] !== element.permutation.length + offset) return null;
    const permutation = element.permutation;
    return { runs: sourceRuns(sample, axis, (c) => (c[axis] = c[axis] < offset ? c[axis] : offset + permutation[c[axis] - offset])), sign: 1 };
  }
  if (action.kind === 'paired') {
    if (element.kind !== 'permute') return null;
    const [rows, columns] = action.axes.map((axis) => axis - 1);
    const permutation = element.permutation;
    if (sample[rows] !== permutation.length || sample[columns] !== permutation.length) return null;
    return {
      runs: sourceRuns(sample, Math.max(rows, columns), (c) => {
        c[rows] = permutation[c[rows]];
        c[columns] = permutation[c[columns]];
      }),
      sign: 1,
    };
  }
  if (action.opaque) return null;
  const axes = action.axes.map((axis) => axis - 1);
  switch (element.kind) {
    case 'shift': {
      const shifts = element.shifts.map((d, i) => d / (action.scale[i] ?? 1));
      // A shift the stride does not divide has no induced action: measure invariance.
      if (shifts.some((value) => !Number.isInteger(value))) return 'identity';
      return {
        runs: sourceRuns(sample, Math.max(...axes), (c) => {
          axes.forEach((axis, i) => {
            const n = sample[axis];
            c[axis] = (((c[axis] - shifts[i]) % n) + n) % n;
          });
        }),
        sign: 1,
      };
    }
    case 'rotate': {
      const [h, w] = axes;
      if (axes.length !== 2 || sample[h] !== sample[w]) return null;
      const n = sample[h];
      const { k, flip } = element;
      return {
        runs: sourceRuns(sample, Math.max(h, w), (c) => {
          // Undo the flip, then k quarter turns: out[i][j] = in[j][n-1-i] per turn.
          if (flip) c[w] = n - 1 - c[w];
          for (let turn = 0; turn < k; turn++) {
            const i = c[h];
            c[h] = c[w];
            c[w] = n - 1 - i;
          }
        }),
        sign: 1,
      };
    }
    case 'flip': {
      const w = axes[axes.length - 1];
      return { runs: sourceRuns(sample, w, (c) => (c[w] = sample[w] - 1 - c[w])), sign: 1 };
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface Pair {
  declaration: number;
  element: GroupElement;
}


export interface MeasureInput {
  model: tfjs.LayersModel;
  plan: Pick<ProbePlan, 'inputs' | 'layers' | 'outputs' | 'declarations' | 'seed'>;
  buildMs: number;
  /** Called between phases so a cancelled probe stops early. */
  checkpoint?: () => void;
}

/** The original inputs and every transformed copy, batched: [x; g1·x; g2·x; ...]. */
function batchedInputs(tf: TF, plan: MeasureInput['plan'], pairs: Pair[], actions: Map<number, TensorAction>[]): Tensor[] {
  const B = PROBE_BATCH;
  return plan.inputs.map((input, i) => {
    const isTokens = input.tokenVocabulary !== undefined;
    const isAdjacency = actions.some((byTensor) => byTensor.get(input.tensor)?.kind === 'paired');
    let data: Float32Array | Int32Array;
    if (isAdjacency) {
      // SPEC 5: a random symmetric 0/1 matrix with self-loops, not normal noise.
      data = new Float32Array(B * input.shape.reduce((a, b) => a * b, 1));
      fillRandomAdjacency(data, B, input.shape[0], plan.seed + 100 + i);
    } else {
      const original = isTokens
        ? tf.randomUniform([B, ...input.shape], 0, input.tokenVocabulary, 'int32', plan.seed + 100 + i)
        : tf.randomNormal([B, ...input.shape], 0, 1, 'float32', plan.seed + 100 + i);
      data = original.dataSync() as Float32Array | Int32Array;
      original.dispose();
    }
    const size = data.length / B;
    const batched = isTokens ? new Int32Array(data.length * (1 + pairs.length)) : new Float32Array(data.length * (1 + pairs.length));
    batched.set(data, 0);
    pairs.forEach((pair, p) => {
      const action = actions[pair.declaration].get(input.tensor) ?? { kind: 'unknown' as const };
      const mapped = indexAction([B, ...input.shape], action, pair.element);
      // An input beside an adjacency without the set axis (per-graph features) is left alone.
      const leftAlone = action.kind === 'none' && plan.inputs.length > 1;
      const map = mapped === 'identity' && leftAlone ? { runs: identityRuns(size), sign: 1 as const } : mapped;
      if (map === null || map === 'identity') throw new ProbeFailure(`the group ${plan.declarations[pair.declaration].group} does not act on input ${i + 1} of shape [${input.shape.join(', ')}]`);
      // Token ids are not negated (sign on an embedding input is a declaration mismatch).
      const sign = isTokens ? 1 : map.sign;
      const runs = map.runs;
      let to = data.length * (p + 1);
      for (let n = 0; n < B; n++) {
        const base = n * size;
        for (let r = 0; r < runs.length; r += 2) {
          for (let from = base + runs[r], end = from + runs[r + 1]; from < end; from++) batched[to++] = sign * data[from];
        }
      }
    });
    return tf.tensor(batched, [B * (1 + pairs.length), ...input.shape], isTokens ? 'int32' : 'float32');
  });
}

/** Squared difference norm and max-abs difference of the last `compareRuns` (no allocation per call). */
const comparison = new Float64Array(2);

/**
 * Compares the sample at `moved` with the sample at `base` mapped through `runs` (and
 * negated). The values are visited in output order, so the sums are those of a plain index
 * map, and each run is a contiguous loop without a multiply or Math.abs: this is the probe's
 * hot path.
 */
function compareRuns(data: ArrayLike<number>, moved: number, base: number, runs: Int32Array, negate: boolean): void {
  let sum = 0;
  let maxAbs = 0;
  let to = moved;
  for (let r = 0; r < runs.length; r += 2) {
    let from = base + runs[r];
    const end = to + runs[r + 1];
    if (negate) {
      for (; to < end; to++, from++) {
        const diff = data[to] + data[from];
        sum += diff * diff;
        if (diff > maxAbs) maxAbs = diff;
        else if (-diff > maxAbs) maxAbs = -diff;
      }
    } else {
      for (; to < end; to++, from++) {
        const diff = data[to] - data[from];
        sum += diff * diff;
        if (diff > maxAbs) maxAbs = diff;
        else if (-diff > maxAbs) maxAbs = -diff;
      }
    }
  }
  comparison[0] = sum;
  comparison[1] = maxAbs;
}

/** The wasm backend's zero-copy view of a tensor's memory, when the active backend has one. */
interface HeapViewBackend {
  typedArrayFromHeap(tensor: Tensor): ArrayLike<number>;
}

/**
 * A tensor's values without copying them where the backend allows: tfjs-wasm's `dataSync`
 * copies out of the wasm heap (a layer output of the probe's batch is tens of MB, and the
 * copies then cost garbage collection too), the cpu backend's returns its own array. A heap
 * view is valid until the next wasm allocation, so it is read before any tfjs call follows.
 */
function readValues(tf: TF, tensor: Tensor): ArrayLike<number> {
  const backend = tf.backend() as unknown as Partial<HeapViewBackend>;
  if (tf.getBackend() === 'wasm' && typeof backend.typedArrayFromHeap === 'function' && (tensor.dtype === 'float32' || tensor.dtype === 'int32')) {
    return backend.typedArrayFromHeap(tensor);
  }
  return tensor.dataSync() as Float32Array | Int32Array;
}

/**
 * Every layer output of the batched inputs. `predict` runs the same executor but ends with a
 * `concat` per output, which for a single batch is a full copy of every layer output (the wasm
 * Identity kernel): `execute` fetches the outputs as computed. `execute` finds its outputs by
 * `layer.output`, which a layer applied twice (shared weights) does not have: such models take
 * `predict`, as one batch.
 */
function forwardEveryLayer(tf: TF, model: tfjs.LayersModel, inputs: Tensor[]): Tensor[] {
  const shared = model.layers.some((layer) => layer.inboundNodes.length > 1);
  const feed = inputs.length === 1 ? inputs[0] : inputs;
  const outputs = shared
    ? model.predict(feed, { batchSize: inputs[0].shape[0] })
    : tf.tidy(() => model.execute(feed, model.outputs.map((output) => output.name)));
  return Array.isArray(outputs) ? outputs : [outputs];
}

/** The interior of a layer output (batch axis included in `shape`) under a shift of the input. */
function interiorOf(shape: readonly number[], action: { axes: number[]; scale: number[] }, shifts: readonly number[], reach: readonly number[], cache: Map<string, ReturnType<typeof interiorPositions>>) {
  const sample = shape.slice(1);
  const axes = action.axes.map((axis) => axis - 1);
  const layerShifts = shifts.map((d, i) => {
    const size = sample[axes[i]];
    return ((d / (action.scale[i] ?? 1)) % size + size) % size;
  });
  const key = `${sample.join('x')}|${axes.join(',')}|${layerShifts.join(',')}|${reach.join(',')}`;
  if (!cache.has(key)) cache.set(key, interiorPositions(sample, axes, layerShifts, reach));
  return cache.get(key);
}

/** Runs the batched predict and measures every layer output under every declaration. */
export function measureModel(tf: TF, { model, plan, buildMs, checkpoint }: MeasureInput): MeasuredModel {
  const B = PROBE_BATCH;
  // Structural actions per declaration, for every tensor.
  const outputRanks = model.outputs.map((output) => output.shape.length);
  const actions = plan.declarations.map((declaration) => actionsFor(plan, declaration, outputRanks));
  // The elements are drawn for the set's size: an adjacency input does not choose them.
  const first = plan.inputs.find((input) => !actions.some((byTensor) => byTensor.get(input.tensor)?.kind === 'paired')) ?? plan.inputs[0];
  const firstShape = first?.shape ?? [];
  const totalStride = totalStrideOf(plan.layers);
  const pairs: Pair[] = [];
  plan.declarations.forEach((declaration, index) => {
    for (const element of groupElements(declaration.group as GroupName, firstShape, declaration.axis, totalStride, plan.seed + index, first?.channelsFirst)) {
      pairs.push({ declaration: index, element });
    }
  });
  const reach = plan.declarations.some((declaration) => declaration.group === 'translation') ? borderReach(plan) : undefined;

  const predictStart = performance.now();
  const batched = batchedInputs(tf, plan, pairs, actions);
  // Everything the forward pass allocated is freed on every path, a cancellation included.
  let outputs: Tensor[] = [];
  let predictMs = 0;
  let measureStart = performance.now();
  const outputSet = new Set(plan.outputs);
  const layers: MeasuredLayer[] = [];
  let nonFinite: PlanLayer | undefined;
  try {
    checkpoint?.();
    outputs = forwardEveryLayer(tf, model, batched);
    // wasm and cpu run synchronously: the outputs are computed when execute returns.
    predictMs = performance.now() - predictStart;
    checkpoint?.();

    measureStart = performance.now();
    const mapCache = new Map<string, IndexAction | 'identity' | null>();
    const interiorCache = new Map<string, ReturnType<typeof interiorPositions>>();
    // The largest magnitude computed so far (layers run in data-flow order). Float32 rounding
    // scales with the magnitudes a computation went through, not with its result, so a layer
    // whose output is nearly zero (a sum that cancels) would turn rounding into a large relative
    // error. The denominator is floored at a fraction of this scale.
    let magnitude = 0;
    plan.layers.forEach((layer, layerIndex) => {
      const y = outputs[layerIndex];
      const shape = y.shape;
      // Not disposed here: a layer that passes its input through (dropout at inference) returns
      // the very tensor of an earlier output, which a later layer index still reads.
      const data = readValues(tf, y);
      const size = data.length / (B * (1 + pairs.length));
      const relError: (number | null)[] = plan.declarations.map(() => null);
      const maxAbsError: (number | null)[] = plan.declarations.map(() => null);
      const worstElement: (string | null)[] = plan.declarations.map(() => null);
      const measured: ('equivariance' | 'invariance')[] = plan.declarations.map(() => 'equivariance');
      const interiorRelError: (number | null)[] = plan.declarations.map(() => null);
      const unalignedRelError: (number | null)[] = plan.declarations.map(() => null);
      const unalignedWorstElement: (string | null)[] = plan.declarations.map(() => null);
      const baseNorms = new Float64Array(B);
      for (let n = 0; n < B; n++) {
        let sum = 0;
        for (let j = n * size, end = j + size; j < end; j++) {
          sum += data[j] * data[j];
          const value = data[j] < 0 ? -data[j] : data[j];
          if (value > magnitude && Number.isFinite(value)) magnitude = value;
        }
        baseNorms[n] = Math.sqrt(sum);
      }
      const normFloor = Math.max(RELATIVE_ERROR_FLOOR, CANCELLATION_FLOOR * magnitude * Math.sqrt(size));
      const isOutput = outputSet.has(layer.output);
      pairs.forEach((pair, p) => {
        const d = pair.declaration;
        const declaration = plan.declarations[d];
        const action: TensorAction = isOutput && declaration.mode === 'invariant' ? { kind: 'none' } : (actions[d].get(layer.output) ?? { kind: 'unknown' });
        // Layers of the same shape share index maps (a conv stack repeats its shape).
        const key = `${shape.join('x')}|${JSON.stringify(action)}|${pair.element.name}`;
        let map = mapCache.get(key);
        if (map === undefined) {
          map = indexAction(shape, action, pair.element);
          mapCache.set(key, map);
        }
        // An even model may have odd layers inside: under `invariant sign` only the output is judged.
        if (declaration.group === 'sign' && declaration.mode === 'invariant') map = isOutput ? 'identity' : null;
        if (map === null) return;
        if (map === 'identity' && !isOutput) measured[d] = action.kind === 'none' ? 'invariance' : measured[d];
        if (isOutput && declaration.mode === 'invariant') measured[d] = 'invariance';
        const runs = map === 'identity' ? identityRuns(size) : map.runs;
        const sign = map === 'identity' ? 1 : map.sign;
        const blockOffset = B * size * (p + 1);
        const unaligned = map === 'identity' && action.kind === 'spatial' && pair.element.kind === 'shift';
        for (let n = 0; n < B; n++) {
          const base = n * size;
          const moved = blockOffset + base;
          compareRuns(data, moved, base, runs, sign === -1);
          const sum = comparison[0];
          const maxAbs = comparison[1];
          const diffNorm = Math.sqrt(sum);
          if (!Number.isFinite(baseNorms[n]) || !Number.isFinite(diffNorm)) {
            nonFinite ??= layer;
            continue;
          }
          const rel = diffNorm / Math.max(baseNorms[n], normFloor);
          if (relError[d] === null || rel > relError[d]!) {
            relError[d] = rel;
            worstElement[d] = pair.element.name;
          }
          maxAbsError[d] = Math.max(maxAbsError[d] ?? 0, maxAbs);
          if (unaligned && (unalignedRelError[d] === null || rel > unalignedRelError[d]!)) {
            unalignedRelError[d] = rel;
            unalignedWorstElement[d] = pair.element.name;
          }
        }
        if (reach && map !== 'identity' && pair.element.kind === 'shift' && action.kind === 'spatial') {
          const interior = interiorOf(shape, action, pair.element.shifts, reach.get(layer.output) ?? [], interiorCache);
          if (interior) {
            for (let n = 0; n < B; n++) {
              const error = interiorRelativeError(data, blockOffset + n * size, n * size, interior, (values) => Math.max(RELATIVE_ERROR_FLOOR, CANCELLATION_FLOOR * magnitude * Math.sqrt(values)));
              if (error !== null && (interiorRelError[d] === null || error > interiorRelError[d]!)) interiorRelError[d] = error;
            }
          }
        }
      });
      layers.push({ id: layer.id, kind: layer.kind, line: layer.line, inputs: layer.inputs, output: layer.output, relError, maxAbsError, worstElement, measured, ...(reach ? { interiorRelError, unalignedRelError, unalignedWorstElement } : {}) });
    });
  } finally {
    // Inputs last: an output can be an input passed through.
    tf.dispose([...new Set([...outputs, ...batched])]);
  }
  const measureMs = performance.now() - measureStart;
  const result: MeasuredModel = {
    status: 'ok',
    layers,
    inputTensors: plan.inputs.map((input) => input.tensor),
    outputs: plan.outputs,
    timings: { buildMs, predictMs, measureMs },
    batch: B * (1 + pairs.length),
  };
  if (nonFinite) {
    result.status = 'error';
    result.message = `the model produces non-finite values (NaN or Infinity) from layer ${nonFinite.kind}${nonFinite.line > 0 ? ` at line ${nonFinite.line}` : ''} on, with random weights and inputs: the probe cannot measure its symmetry there`;
  }
  return result;
}

/** The structural action on every tensor for one declaration. */
export function actionsFor(plan: Pick<ProbePlan, 'inputs' | 'layers'>, declaration: PlanDeclaration, outputRanks?: readonly number[]): Map<number, TensorAction> {
  // SPEC 2 and 5: with an adjacency, a permutation acts on both of its axes (A -> P·A·Pᵀ), on
  // the set axis of every other rank-3 input, and leaves the other inputs alone.
  const paired = pairedInputTensors(plan, declaration);
  const declared = declaredAdjacencyInput(declaration);
  if (declared !== undefined && declaration.group === 'permutation' && !plan.inputs[declared]) {
    throw new ProbeFailure(`adjacency=${declared} names no input of this model: it has ${plan.inputs.length} input${plan.inputs.length === 1 ? '' : 's'}, counted from 0`);
  }
  const actions = new Map<number, TensorAction>();
  const ranks = new Map<number, number>();
  for (const input of plan.inputs) {
    const rank = input.shape.length + 1;
    ranks.set(input.tensor, rank);
    let action = inputAction(declaration.group, rank, declaration.axis, input.channelsFirst);
    if (paired.has(input.tensor)) action = { kind: 'paired', axes: [1, 2] };
    else if (paired.size > 0 && rank !== 3) action = { kind: 'none' };
    actions.set(input.tensor, action);
  }
  const builtRanks = new Map(ranks);
  plan.layers.forEach((layer, index) => {
    const inputs = layer.inputs.map((id) => actions.get(id) ?? { kind: 'unknown' as const });
    let action = layerAction(layer, inputs, layer.inputs.map((id) => ranks.get(id) ?? 0));
    // A class token in front of the set (static analysis): the permutation moves the positions after it.
    if (action.kind === 'set') {
      const offset = declaration.tokenPrefixes?.[layer.id];
      action = offset ? { kind: 'set', axis: action.axis, offset } : { kind: 'set', axis: action.axis };
    }
    // A layer of a kind the probe does not know (a custom class) passes its input's action on;
    // when its output has fewer axes than its input, the acting axes were reduced away (a
    // pooling written by hand), as after a global pool: only invariance is measured. (The
    // tfjs layers that drop axes, flatten and global pools, say so themselves.)
    const rank = outputRanks?.[index];
    const inputRank = builtRanks.get(layer.inputs[0]);
    if (rank !== undefined) builtRanks.set(layer.output, rank);
    if (rank !== undefined && inputRank !== undefined && rank < inputRank && action.kind !== 'none' && action.kind !== 'unknown') action = { kind: 'none' };
    actions.set(layer.output, action);
  });
  // GraphConv's symmetry moves its adjacency's rows and columns with the nodes: an adjacency the
  // model computes (not a model input) would be permuted along one axis only, and the probe
  // would measure a violation that is not there.
  const graphLayer = plan.layers.find((layer) => layer.kind === 'GraphConv' && layer.origin === 'library' && actions.get(layer.inputs[1])?.kind !== 'paired');
  if (graphLayer && declaration.group === 'permutation') {
    throw new ProbeFailure(
      `cannot probe GraphConv${graphLayer.line > 0 ? ` (line ${graphLayer.line})` : ''}: its symmetry permutes the adjacency's rows and columns with the nodes (A -> P·A·Pᵀ), and the probe applies that only to the model input adjacency=<input> names or one fed straight to GraphConv: this adjacency is neither`,
    );
  }
  return actions;
}
