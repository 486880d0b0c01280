// The group elements a probe applies (SPEC section 3) and the structural action each layer
// output carries: which axes a shift, rotation, flip or permutation moves there and how far a
// shift is rescaled by the strides so far. Pure data, shared by the worker and the tests.
import type { GroupName } from '../analysis/symmetry';
import type { PlanLayer } from './plan';
import { spatialRankOf, stridesOf } from './layerStrides';

export type GroupElement =
  | { kind: 'shift'; shifts: number[]; name: string }
  | { kind: 'rotate'; k: number; flip: boolean; name: string }
  | { kind: 'flip'; name: string }
  | { kind: 'permute'; permutation: number[]; name: string }
  | { kind: 'negate'; name: string };

/** A small seeded generator (mulberry32): the same elements on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How the group acts on one tensor (batch axis included in axis numbers). */
export type TensorAction =
  /** the group moves these axes; a shift by d is d / scale there */
  | { kind: 'spatial'; axes: number[]; scale: number[]; opaque?: 'padded' | 'orientation' }
  /** the set axis: permutations move it, past `offset` leading positions a class token holds */
  | { kind: 'set'; axis: number; offset?: number }
  /** a tensor pairing the set's elements (an adjacency): permutations move both axes, P·A·Pᵀ */
  | { kind: 'paired'; axes: [number, number] }
  /** no acting axes left (flattened or pooled away): only invariance is measured */
  | { kind: 'none' }
  /** the probe does not know the action here: not measured */
  | { kind: 'unknown' };

/**
 * The elements of `group` for an input of `shape` (batch axis excluded), per SPEC 3.
 * `totalStride` is the model's total stride for translation.
 */
export function groupElements(group: GroupName, shape: number[], setAxis: number, totalStride: number, seed: number, channelsFirst = false): GroupElement[] {
  const random = seededRandom(seed);
  switch (group) {
    case 'translation': {
      const spatial = spatialAxesOfInput(shape.length + 1, channelsFirst).map((axis) => shape[axis - 1]);
      const elements: GroupElement[] = [];
      const add = (shifts: number[]) => {
        const normalised = shifts.map((s, i) => ((s % spatial[i]) + spatial[i]) % spatial[i]);
        if (normalised.every((s) => s === 0)) return;
        const name = `shift by (${normalised.join(', ')})`;
        if (!elements.some((e) => e.name === name)) elements.push({ kind: 'shift', shifts: normalised, name });
      };
      spatial.forEach((_, i) => add(spatial.map((__, j) => (i === j ? 1 : 0))));
      add(spatial.map(() => totalStride));
      for (let n = 0; n < 2; n++) add(spatial.map((size) => 1 + Math.floor(random() * Math.max(1, size - 1))));
      return elements;
    }
    case 'rotation90':
      return [1, 2, 3].map((k) => ({ kind: 'rotate', k, flip: false, name: `rotation by ${k * 90}°, k=${k}` }));
    case 'flip':
      return [{ kind: 'flip', name: shape.length === 2 ? 'time reversal' : 'horizontal flip' }];
    case 'dihedral': {
      const elements: GroupElement[] = [1, 2, 3].map((k) => ({ kind: 'rotate', k, flip: false, name: `rotation by ${k * 90}°, k=${k}` }));
      elements.push({ kind: 'flip', name: 'horizontal flip' });
      for (const k of [1, 2, 3]) elements.push({ kind: 'rotate', k, flip: true, name: `flip after rotation by ${k * 90}°, k=${k}` });
      return elements;
    }
    case 'permutation': {
      const size = shape[setAxis - 1] ?? 1;
      const elements: GroupElement[] = [];
      for (let n = 0; n < 4; n++) {
        const permutation = Array.from({ length: size }, (_, i) => i);
        for (let i = size - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [permutation[i], permutation[j]] = [permutation[j], permutation[i]];
        }
        elements.push({ kind: 'permute', permutation, name: `random permutation ${n + 1}` });
      }
      if (size >= 2) {
        const transposition = Array.from({ length: size }, (_, i) => i);
        [transposition[0], transposition[1]] = [1, 0];
        elements.push({ kind: 'permute', permutation: transposition, name: 'transposition (0 1)' });
      }
      return elements;
    }
    case 'sign':
      return [{ kind: 'negate', name: 'sign flip x -> -x' }];
  }
}

/**
 * Spatial axes of a batched input of `rank`: [N,T,F] -> [1], [N,H,W,C] -> [1,2],
 * [N,D,H,W,C] -> [1,2,3]; one further on when the channels come first ([N,C,H,W] -> [2,3]).
 */
export function spatialAxesOfInput(rank: number, channelsFirst = false): number[] {
  if (rank <= 2) return [1];
  const offset = channelsFirst && rank >= 4 ? 2 : 1;
  return Array.from({ length: rank - 2 }, (_, i) => i + offset);
}

/** The action on a model input for `group` (rank includes the batch axis). */
export function inputAction(group: GroupName, rank: number, setAxis: number, channelsFirst = false): TensorAction {
  if (group === 'permutation') return { kind: 'set', axis: setAxis };
  if (group === 'sign') return { kind: 'none' };
  const axes = spatialAxesOfInput(rank, channelsFirst);
  return { kind: 'spatial', axes, scale: axes.map(() => 1) };
}

const LIBRARY_ORIENTATION = new Set(['P4ConvLifting2D', 'P4Conv2D']);

/** The action on a layer's output, from its inputs' actions and its kind and configuration. */
export function layerAction(layer: PlanLayer, inputs: TensorAction[], inputRanks: number[]): TensorAction {
  const first = inputs[0] ?? { kind: 'unknown' };
  const kind = layer.kind;
  if (first.kind === 'unknown') return first;
  if (/^global/i.test(kind) || kind === 'flatten' || kind === 'reshape' || kind === 'GroupAveraging' || kind === 'SetPool' || (kind === 'SetAttention' && layer.config.pooling === true)) return { kind: 'none' };
  if (inputs.some((action) => action.kind === 'paired')) {
    // Message passing ([X, A] -> X'): the output's rows are the nodes of X. Only paired inputs
    // (a normalisation of A): the pairing survives. Anything else is not known.
    const nodes = inputs.find((action) => action.kind === 'set');
    if (nodes) return nodes;
    return inputs.every((action) => action.kind === 'paired') ? first : { kind: 'unknown' };
  }
  if (/^(lstm|gru|simpleRNN|rnn|convLstm2d|bidirectional)$/.test(kind)) {
    const returnSequences = (layer.inner ?? layer).config.returnSequences === true;
    return returnSequences ? first : { kind: 'none' };
  }
  if (['concatenate', 'add', 'multiply', 'average', 'maximum', 'minimum', 'subtract', 'dot'].includes(kind)) {
    const same = inputs.every((action) => JSON.stringify(action) === JSON.stringify(first));
    if (!same) return { kind: 'unknown' };
    if (kind === 'concatenate') {
      const axis = typeof layer.config.axis === 'number' ? layer.config.axis : -1;
      const rank = inputRanks[0] ?? 0;
      if (axis !== -1 && axis !== rank - 1) return { kind: 'unknown' };
    }
    return first;
  }
  if (first.kind !== 'spatial') return first;
  // Spatial actions below: strides rescale shifts, library layers hide the plain action.
  const clear = { kind: 'spatial' as const, axes: first.axes, scale: first.scale };
  if (/^CircularPad[123]D$/.test(kind)) return { ...clear, opaque: 'padded' };
  if (LIBRARY_ORIENTATION.has(kind)) return { ...clear, scale: scaled(first.scale, stridesOf(layer), 'multiply'), opaque: 'orientation' };
  if (kind === 'P4GroupPool') return clear;
  const base = first.opaque === 'orientation' ? first : clear;
  if (/^upSampling/.test(kind)) {
    const rank = spatialRankOf(kind) ?? first.axes.length;
    const size = layer.config.size;
    const sizes = typeof size === 'number' ? new Array<number>(rank).fill(size) : Array.isArray(size) ? (size as number[]) : new Array<number>(rank).fill(2);
    return { ...base, scale: scaled(first.scale, sizes, 'divide') };
  }
  const strides = stridesOf(layer);
  if (strides.length > 0) {
    return { ...base, scale: scaled(first.scale, strides, /Transpose$/.test(kind) ? 'divide' : 'multiply') };
  }
  return base;
}

function scaled(scale: number[], factors: number[], how: 'multiply' | 'divide'): number[] {
  return scale.map((value, i) => {
    const factor = factors[i] ?? 1;
    return how === 'multiply' ? value * factor : value / factor;
  });
}
