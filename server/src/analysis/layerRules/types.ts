// The shape of a per-layer semantics rule: what it sees of one layer under one declaration,
// and the LOCAL effect it reports. Inference composes local effects into tensor states.
import type { LayerNode } from '../graph';
import type { Cause, CauseCode, GroupName, LayerRef, Mode, SymmetryState } from '../symmetry';
import type { ConfigReader } from './config';

/** A static shape without the batch axis; `null` dims unknown; `undefined` rank unknown. */
export type Shape = (number | null)[] | undefined;

/** A restriction to a subgroup: shifts by multiples of `k` (`null`: no known element). */
export interface SubgroupStep {
  k: number | null;
  cause: Cause;
}

/**
 * What one layer does to the symmetry of its input, before composing with the input state.
 * `keep` may degrade fidelity (`approx`, `subgroup` reasons); `window` marks layers that mix
 * neighbouring positions along the acting axes (which breaks a blockwise action).
 */
export type LocalEffect =
  | {
      kind: 'keep';
      approx: Cause[];
      subgroup: SubgroupStep[];
      /** Acting axes in the output when they moved (permute, timeDistributed...). */
      axes?: number[];
      window?: boolean;
      /** Concatenation along an acting axis: each input block transforms on its own. */
      blockwise?: boolean;
      /** Circular margin left on each spatial axis (CircularPad2D) for a following `valid` conv. */
      margin?: number;
      /** A constant border added along an acting axis: it matters only once a window mixes it in. */
      border?: Cause;
      /**
       * How the layer resizes the acting axes, when it does not say so through stride steps:
       * upsampling by `up` (upSampling2d, a transposed convolution) or downsampling by `down`.
       * A shift by 1 of the input becomes a shift by `up` of the output.
       */
      rescale?: { up: number; down: number };
      /** The acting axes were merged into one (`axes`): from here the group permutes its positions. */
      permutes?: boolean;
      /**
       * The output's acting axes start with this many positions the group leaves in place (a
       * learned class token put in front of the set). Absent: the input's, through pointwise and
       * merge layers, and none after any other layer.
       */
      unmovedPrefix?: number;
    }
  | { kind: 'toInvariant'; approx: Cause[]; subgroup: SubgroupStep[] }
  /** `flatAxes`: positions that now hold the merged acting axes (a reshape that kept channels). */
  | { kind: 'toFlattened'; flatAxes?: number[] }
  | { kind: 'break'; cause: Cause }
  | { kind: 'unknown'; cause: Cause; assumed: LocalEffect };

/** What a rule sees of one layer under one declaration. */
export interface RuleContext {
  node: LayerNode;
  ref: LayerRef;
  group: GroupName;
  mode: Mode;
  /** The declaration's `axis` (1-based, batch axis 0). */
  declaredAxis: number;
  inputShapes: Shape[];
  outputShape: Shape;
  /** The rank (without batch) of the first input: from its shape or the layer's required rank. */
  inputRank: number | undefined;
  /** Positions (in the first input's shape) of the axes the group acts on. */
  axes: number[];
  /** The acting axes of every input, in input order ([] for an input the group does not act on). */
  inputAxes?: number[][];
  /** The effective input states (an unknown input's assumed state), one per input. */
  inputStates: SymmetryState[];
  /** The input is flattened: positions that hold the merged acting axes, if any. */
  flatAxes?: number[];
  /** The input's action is blockwise (after a concatenation along an acting axis). */
  blockwise: boolean;
  /** Circular margin available on each spatial axis (from a CircularPad2D upstream). */
  margin: number;
  /** Strict configuration reads: non-constant values throw and become an analysis gap. */
  config: ConfigReader;
}

/** What a shape function sees. */
export interface ShapeContext {
  node: LayerNode;
  inputShapes: Shape[];
  /** Lenient reads: unknown values read as `null`. */
  config: ConfigReader;
}

export interface LayerRule {
  kind: string;
  family:
    | 'pointwise'
    | 'convolution'
    | 'pooling'
    | 'reshaping'
    | 'border'
    | 'preprocessing'
    | 'recurrent'
    | 'wrapper'
    | 'merge'
    | 'library'
    | 'input';
  /**
   * It combines features at different indices, so after a flatten the flattened positions
   * are mixed (dense, conv, RNN...). Elementwise layers, normalisation and reshapes are not.
   */
  mixing: boolean;
  /** The input rank (without batch) the layer requires, used when an input declares no shape. */
  inputRank?: number;
  outputShape(context: ShapeContext): Shape;
  effect(context: RuleContext): LocalEffect;
}

export function cause(context: Pick<RuleContext, 'ref'>, code: CauseCode, detail: string): Cause {
  return { code, at: context.ref, detail };
}

export function keep(extra: Partial<Extract<LocalEffect, { kind: 'keep' }>> = {}): LocalEffect {
  return { kind: 'keep', approx: [], subgroup: [], ...extra };
}

export function approx(reason: Cause, extra: Partial<Extract<LocalEffect, { kind: 'keep' }>> = {}): LocalEffect {
  return { kind: 'keep', approx: [reason], subgroup: [], ...extra };
}

export function subgroup(k: number | null, reason: Cause, extra: Partial<Extract<LocalEffect, { kind: 'keep' }>> = {}): LocalEffect {
  return { kind: 'keep', approx: [], subgroup: [{ k, cause: reason }], ...extra };
}

export function toInvariant(): LocalEffect {
  return { kind: 'toInvariant', approx: [], subgroup: [] };
}

export function toFlattened(flatAxes?: number[]): LocalEffect {
  return flatAxes ? { kind: 'toFlattened', flatAxes } : { kind: 'toFlattened' };
}

export function breaks(reason: Cause): LocalEffect {
  return { kind: 'break', cause: reason };
}

export function unknown(reason: Cause, assumed: LocalEffect = keep()): LocalEffect {
  return { kind: 'unknown', cause: reason, assumed };
}

/**
 * Composes two local effects applied one after the other on the same tensor (a wrapper and
 * its inner layer, or two checks of one layer): the stronger outcome wins, reasons add up.
 */
export function combineEffects(first: LocalEffect, second: LocalEffect): LocalEffect {
  if (first.kind === 'break') return first;
  if (second.kind === 'break') return second;
  if (first.kind === 'unknown') return { ...first, assumed: combineEffects(first.assumed, second) };
  if (second.kind === 'unknown') return { ...second, assumed: combineEffects(first, second.assumed) };
  if (first.kind === 'toFlattened') return first;
  if (second.kind === 'toFlattened') return second;
  const approxReasons = [...first.approx, ...second.approx];
  const subgroupSteps = [...first.subgroup, ...second.subgroup];
  if (first.kind === 'toInvariant' || second.kind === 'toInvariant') {
    return { kind: 'toInvariant', approx: approxReasons, subgroup: subgroupSteps };
  }
  return {
    ...first,
    ...second,
    approx: approxReasons,
    subgroup: subgroupSteps,
    window: Boolean(first.window || second.window),
  };
}

/** Formats a shape for messages: `[N, 28, 32, 1]`. */
export function formatShape(shape: (number | null)[]): string {
  return `[${['N', ...shape.map((dim) => (dim === null ? '?' : String(dim)))].join(', ')}]`;
}

/** A window for messages: `3x3`, or `5-wide` along a single axis. */
export function formatWindow(values: (number | null)[]): string {
  return values.length === 1 ? `${formatTuple(values)}-wide` : formatTuple(values);
}

/** A per-axis tuple for messages: `3x3`, `2`. */
export function formatTuple(values: (number | null)[]): string {
  return values.map((value) => (value === null ? '?' : String(value))).join('x');
}
