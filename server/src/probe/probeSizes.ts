// Input sizes for a probe (issue 12), chosen on the main thread from the static shapes before
// tfjs sees anything: a size the analysis does not know takes the SPEC 5 default (16, at least
// the model's total stride), grows until every layer's output is non-empty (valid convolutions
// and pools shrink maps; tfjs-wasm traps on an empty tensor) and, under rotations and flips,
// until every strided layer keeps the rotation centre on its grid (SPEC 4); it shrinks again
// when the estimated cost of the probe's batch is past a budget. Every choice is said in words.
import type { ModelGraph } from '../analysis/graph';
import { inferShapes } from '../analysis/shapes';
import type { GroupName } from '../analysis/symmetry';
import type { PlanLayer } from './plan';
import { DEFAULT_DIMENSION as DEFAULT_SIZE } from './plan';
import { spatialRankOf, stridesOf } from './layerStrides';
/** The smallest spatial size the probe goes down to for cost (or the total stride, if larger). */
const CHEAPEST_SIZE = 8;
/** Past this, a size search gives up: no layer stack needs a larger map to stay non-empty. */
const LARGEST_SIZE = 1024;
/** Estimated floating-point operations of one probe (the whole batch) it prefers to stay under. */
export const PROBE_FLOP_BUDGET = 3e9;
/** Inputs and group elements per probe: 4 inputs, each with every element's transform (SPEC 5). */
const INPUTS_PER_PROBE = 4;
const ELEMENTS_PER_GROUP: Record<GroupName, number> = { translation: 5, rotation90: 3, flip: 1, dihedral: 7, permutation: 5, sign: 1 };

type Shape = (number | null)[];

export interface SizeRequest {
  /** The representative graph (constants in place of the widths the analysis did not know). */
  graph: ModelGraph;
  layers: PlanLayer[];
  /** Per model input: its static shape (batch axis excluded) or undefined when even the rank is unknown. */
  staticShapes: (Shape | undefined)[];
  /** Per model input: whether it holds token ids (its one axis is a sequence, not features). */
  tokenInputs: boolean[];
  groups: GroupName[];
  totalStride: number;
}

export interface ChosenSizes {
  /** Per model input: the shape to probe with, batch axis excluded. */
  shapes: number[][];
  /** The static shape of every tensor at those sizes (undefined where the analysis has none). */
  tensorShapes: (number[] | undefined)[];
  /** Estimated floating-point operations of the whole probe batch. */
  flops: number;
  assumptions: string[];
  /** Set when no size makes the model probeable: the probe must not run. */
  problem?: string;
}

/** The input structure a declaration implies when the input's rank is unknown (SPEC 4). */
function impliedShape(groups: GroupName[]): { shape: Shape; why: string } | undefined {
  const imageGroup = groups.find((group) => group === 'translation' || group === 'rotation90' || group === 'dihedral' || group === 'flip');
  if (imageGroup) return { shape: [null, null, null], why: `an image [height, width, channels], the structure ${imageGroup} implies` };
  if (groups.includes('permutation')) return { shape: [null, null], why: 'a set [elements, features], the structure permutation implies' };
  return undefined;
}

/** Axes of an input (batch excluded) that a size search may grow: all but the feature axis. */
function spatialAxes(rank: number, tokens: boolean): number[] {
  if (tokens || rank === 1) return tokens ? [0] : [];
  return Array.from({ length: rank - 1 }, (_, i) => i);
}

function product(values: number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

function numberList(value: unknown, rank: number, fallback: number): number[] {
  if (typeof value === 'number') return new Array<number>(rank).fill(value);
  if (Array.isArray(value) && value.length === rank && value.every((item) => typeof item === 'number')) return value as number[];
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'number') return new Array<number>(rank).fill(value[0]);
  return new Array<number>(rank).fill(fallback);
}

/** Floating-point operations of one sample through one layer, from its static shapes. */
function layerFlops(layer: PlanLayer, input: number[] | undefined, output: number[] | undefined): number {
  const outSize = output ? product(output) : 0;
  const inSize = input ? product(input) : 0;
  const inChannels = input && input.length > 0 ? input[input.length - 1] : 1;
  const c = layer.inner ? { ...layer.inner.config } : layer.config;
  const kind = layer.inner?.kind ?? layer.kind;
  const rank = spatialRankOf(kind);
  const kernel = rank !== undefined ? product(numberList(c.kernelSize, rank, 1)) : 1;
  if (/^(lstm|gru|simpleRNN)$/.test(kind)) {
    const units = typeof c.units === 'number' ? c.units : 8;
    const gates = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
    const steps = input && input.length > 1 ? input[0] : 1;
    return (layer.kind === 'bidirectional' ? 2 : 1) * 2 * steps * gates * units * (inChannels + units);
  }
  if (/Transpose$/.test(kind)) return 2 * inSize * kernel * (output && output.length > 0 ? output[output.length - 1] : 1);
  if (/^depthwiseConv/.test(kind)) return 2 * outSize * kernel;
  if (/^separableConv/.test(kind)) return 2 * outSize * (kernel + inChannels);
  if (/^(conv|P4Conv|locallyConnected)/i.test(kind)) return 2 * outSize * kernel * inChannels;
  if (kind === 'dense') return 2 * outSize * inChannels;
  return outSize + inSize;
}

/** Estimated floating-point operations of the whole probe batch at the given tensor shapes. */
export function estimateProbeFlops(layers: PlanLayer[], shapeOf: (tensor: number) => number[] | undefined, groups: GroupName[]): number {
  const perSample = layers.reduce((total, layer) => total + layerFlops(layer, shapeOf(layer.inputs[0]), shapeOf(layer.output)), 0);
  const elements = groups.reduce((total, group) => total + ELEMENTS_PER_GROUP[group], 0);
  return perSample * INPUTS_PER_PROBE * (1 + elements);
}

/**
 * Whether a strided layer's windows map onto themselves under i -> n-1-i along every spatial
 * axis (SPEC 4: the rotation centre stays on the grid): the first and last window centres are
 * mirror images. tfjs pads `same` with the smaller half first.
 */
function keepsRotationCentre(layer: PlanLayer, input: number[] | undefined): boolean {
  const rank = spatialRankOf(layer.kind);
  const strides = stridesOf(layer);
  if (rank === undefined || !input || strides.every((stride) => stride <= 1)) return true;
  const pooling = /pool/i.test(layer.kind);
  const kernels = pooling ? numberList(layer.config.poolSize, rank, 2) : numberList(layer.config.kernelSize, rank, 1);
  const dilations = numberList(layer.config.dilationRate, rank, 1);
  const same = layer.config.padding === 'same';
  if (/^(BlurPool|PolyphasePool)/.test(layer.kind)) return true;
  return strides.every((stride, axis) => {
    const n = input[axis];
    const k = (kernels[axis] - 1) * dilations[axis] + 1;
    if (stride <= 1) return true;
    const windows = same ? Math.ceil(n / stride) : Math.floor((n - k) / stride) + 1;
    const padTotal = same ? Math.max((windows - 1) * stride + k - n, 0) : 0;
    const padBefore = Math.floor(padTotal / 2);
    const firstCentre = -padBefore + (k - 1) / 2;
    const lastCentre = (windows - 1) * stride - padBefore + (k - 1) / 2;
    return firstCentre + lastCentre === n - 1;
  });
}

/** The first layer whose output would be empty at these shapes, or undefined. */
function firstEmptyLayer(layers: PlanLayer[], shapes: (Shape | undefined)[], reference: (Shape | undefined)[]): PlanLayer | undefined {
  return layers.find((layer) => {
    const shape = shapes[layer.output];
    const known = reference[layer.output];
    if (!shape || !known) return false;
    // A size the analysis knows at a large input but not at this one went negative here.
    return shape.some((dim, axis) => dim === 0 || (dim === null && typeof known[axis] === 'number' && known[axis]! > 0));
  });
}

function where(layer: PlanLayer): string {
  return `${layer.kind}${layer.line > 0 ? ` (line ${layer.line})` : ''}`;
}

function format(shape: readonly (number | null)[]): string {
  return `[${shape.join(', ')}]`;
}

function formatFlops(flops: number): string {
  return flops >= 1e9 ? `${(flops / 1e9).toFixed(1)} GFLOP` : `${(flops / 1e6).toFixed(0)} MFLOP`;
}

/** Chooses the probe's input shapes; see the header comment for the rules. */
export function chooseInputSizes(request: SizeRequest): ChosenSizes {
  const { graph, layers, groups, totalStride } = request;
  const assumptions: string[] = [];
  const implied = impliedShape(groups);
  const bases = request.staticShapes.map((shape, i) => {
    if (shape) return shape;
    if (implied && !request.tokenInputs[i]) {
      assumptions.push(`input ${graph.inputs.length > 1 ? `${i + 1} ` : ''}taken as ${implied.why}: its rank is not known statically`);
      return implied.shape;
    }
    return [null];
  });
  let searchAxes = bases.map((shape, i) => spatialAxes(shape.length, request.tokenInputs[i]).filter((axis) => shape[axis] === null));
  const concrete = (size: number): number[][] => bases.map((shape, i) => shape.map((dim, axis) => (searchAxes[i].includes(axis) ? size : typeof dim === 'number' && dim > 0 ? dim : DEFAULT_SIZE)));
  const shapesAt = (size: number) => inferShapes({ ...graph, inputs: graph.inputs.map((input, i) => ({ ...input, shape: concrete(size)[i] })) });
  const rotating = groups.some((group) => group === 'rotation90' || group === 'dihedral' || group === 'flip');
  const searching = searchAxes.some((axes) => axes.length > 0);
  let reference = shapesAt(LARGEST_SIZE);

  const check = (size: number) => {
    const shapes = shapesAt(size);
    const empty = firstEmptyLayer(layers, shapes, reference);
    const offGrid = rotating ? layers.find((layer) => !keepsRotationCentre(layer, shapes[layer.inputs[0]] as number[] | undefined)) : undefined;
    return { size, shapes, empty, offGrid };
  };
  type Check = ReturnType<typeof check>;
  /** The smallest size from `from` up that keeps every output non-empty, on the grid when that is possible. */
  const search = (from: number): Check | undefined => {
    let nonEmpty: Check | undefined;
    for (let size = from; size <= LARGEST_SIZE; size++) {
      const result = check(size);
      if (result.empty) continue;
      nonEmpty ??= result;
      if (!result.offGrid) return result;
      // Sizes past 4x the first non-empty one do not fix a grid: keep the non-empty one.
      if (size > 4 * nonEmpty.size) break;
    }
    return nonEmpty;
  };
  const flopsOf = (result: Check) => estimateProbeFlops(layers, (tensor) => result.shapes[tensor]?.map((dim) => dim ?? DEFAULT_SIZE), groups);

  const preferredStart = Math.max(DEFAULT_SIZE, totalStride);
  let chosen: Check | undefined = searching ? search(preferredStart) : check(0);
  const firstTry = searching ? check(preferredStart) : chosen;
  if (!chosen) {
    const empty = firstTry?.empty;
    return {
      shapes: concrete(preferredStart),
      tensorShapes: [],
      flops: 0,
      assumptions,
      problem: `no input size up to ${LARGEST_SIZE} keeps every layer's output non-empty${empty ? ` (${where(empty)} shrinks the map to nothing)` : ''}: the probe does not run it`,
    };
  }
  if (chosen.empty) {
    // Only known sizes: the model as declared has an empty layer output; tfjs must not see it.
    const shape = chosen.shapes[chosen.empty.output] ?? [];
    return {
      shapes: concrete(0),
      tensorShapes: [],
      flops: 0,
      assumptions,
      problem: `the output of ${where(chosen.empty)} would be empty (${format(shape.map((dim) => dim ?? 0))}) at the input shape ${concrete(0).map(format).join(', ')}: valid convolutions or pools shrink the map to nothing, and the probe does not run it`,
    };
  }
  let flops = flopsOf(chosen);
  let shrunk = false;
  const reasons: string[] = [];
  if (searching) {
    if (chosen.size > preferredStart && firstTry?.empty) reasons.push(`smaller sizes leave the output of ${where(firstTry.empty)} empty`);
    else if (chosen.size > preferredStart && firstTry?.offGrid) reasons.push(`it keeps the rotation centre on the grid of ${where(firstTry.offGrid)}`);
    else if (preferredStart > DEFAULT_SIZE) reasons.push(`the model's total stride is ${totalStride}`);
    else reasons.push('the default size');
    if (chosen.offGrid) reasons.push(`no size near it keeps the rotation centre on the grid of ${where(chosen.offGrid)}`);
    if (flops > PROBE_FLOP_BUDGET) {
      const cheaper = search(Math.max(CHEAPEST_SIZE, totalStride));
      if (cheaper && cheaper.size < chosen.size && !(cheaper.offGrid && !chosen.offGrid)) {
        const cheaperFlops = flopsOf(cheaper);
        reasons.length = 0;
        reasons.push(`smaller than ${chosen.size} to keep the probe cheap (about ${formatFlops(cheaperFlops)} instead of ${formatFlops(flops)})`);
        chosen = cheaper;
        flops = cheaperFlops;
      }
    }
    const shapes = concrete(chosen.size);
    shapes.forEach((shape, i) => {
      if (searchAxes[i].length === 0 && bases[i].every((dim) => typeof dim === 'number' && dim > 0)) return;
      const label = graph.inputs.length > 1 ? `input ${i + 1}` : 'input';
      assumptions.push(`${label} shape ${format(shape)} chosen for sizes not known statically (${format(bases[i].map((dim) => dim ?? '?') as Shape)}): size ${chosen!.size}, ${reasons.join('; ')}`);
    });
  } else {
    // Sizes the model declares. Too expensive ones are shrunk when no layer depends on them: the
    // probe tests the architecture, which a smaller map of the same structure has too.
    const shrinkAxes = bases.map((shape, i) => (request.tokenInputs[i] || shape.length < 2 ? [] : spatialAxes(shape.length, false)));
    const sizeFree = layers.every((layer) => layer.kind !== 'reshape' && (layer.inner ?? layer).origin !== 'custom');
    const declaredMin = Math.min(...bases.flatMap((shape, i) => shrinkAxes[i].map((axis) => shape[axis] ?? LARGEST_SIZE)));
    if (flops > PROBE_FLOP_BUDGET && sizeFree && shrinkAxes.some((axes) => axes.length > 0)) {
      const declared = concrete(0);
      searchAxes = shrinkAxes;
      reference = shapesAt(LARGEST_SIZE);
      let smaller = search(preferredStart);
      if (smaller && flopsOf(smaller) > PROBE_FLOP_BUDGET) smaller = search(Math.max(CHEAPEST_SIZE, totalStride)) ?? smaller;
      if (smaller && !smaller.empty && smaller.size < declaredMin && !(smaller.offGrid && !chosen.offGrid)) {
        const smallerFlops = flopsOf(smaller);
        concrete(smaller.size).forEach((shape, i) => {
          if (shrinkAxes[i].length === 0) return;
          const label = graph.inputs.length > 1 ? `input ${i + 1}` : 'input';
          assumptions.push(`${label} shape ${format(shape)} instead of the declared ${format(declared[i])} to keep the probe cheap (about ${formatFlops(smallerFlops)} instead of ${formatFlops(flops)}): no layer depends on the input size`);
        });
        chosen = smaller;
        flops = smallerFlops;
        shrunk = true;
      } else {
        searchAxes = bases.map(() => []);
      }
    }
    const shapes = concrete(chosen.size);
    shapes.forEach((shape, i) => {
      if (bases[i].every((dim) => typeof dim === 'number' && dim > 0)) return;
      const label = graph.inputs.length > 1 ? `input ${i + 1}` : 'input';
      assumptions.push(`${label} shape ${format(shape)} chosen: ${DEFAULT_SIZE} for the feature sizes not known statically`);
    });
  }
  if (flops > PROBE_FLOP_BUDGET) assumptions.push(`about ${formatFlops(flops)} for the probe's batch at these sizes (${searching || shrunk ? 'the smallest the layers allow' : 'the sizes the model declares'}): it may not finish within the timeout`);
  return {
    shapes: concrete(chosen.size),
    tensorShapes: chosen.shapes.map((shape) => (shape ? shape.map((dim) => dim ?? DEFAULT_SIZE) : undefined)),
    flops,
    assumptions,
  };
}
