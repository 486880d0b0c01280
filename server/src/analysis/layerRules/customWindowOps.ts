// Window ops inside a custom layer's call(): tf.conv1d/conv2d, depthwiseConv2d, separableConv2d,
// conv2dTranspose, avgPool/maxPool/pool and image.resizeBilinear/NearestNeighbor. Each is judged
// as the built-in layer of the same operation (convolution.ts, pooling.ts, preprocessing.ts):
// translation loses the border and keeps a stride's subgroup, flips and rotations need a
// symmetric kernel and a grid that maps onto itself, a set axis must not be windowed. The
// filter is a value of call(): a weight from addWeight is unconstrained, unless call() makes it
// symmetric by averaging its reflections and transposes, which this file follows (KernelOrbit).
import type { GroupName, LayerRef } from '../symmetry';
import { effectiveKernel, gcd, gridCheck, lcm, readPadding, translationWindowEffect, transposedOutputLength, windowOutputLength, type Padding } from './geometry';
import { formatTuple, formatWindow, type LocalEffect } from './types';
import type { OpCall, OpOperand, OpRule, OpValue, Size } from './customOps';
import { OpFall, constantAt, describeFixed, isData, rankOf, tensorAt } from './customOps';

// ---------------------------------------------------------------- kernel orbits

/**
 * A 2x2 signed permutation matrix acting on a kernel's first two axes (its spatial axes),
 * row-major: reversing axis 0 is [-1, 0, 0, 1], swapping axes 0 and 1 is [0, 1, 1, 0].
 */
type Motion = readonly [number, number, number, number];

const IDENTITY: Motion = [1, 0, 0, 1];
const REVERSE: readonly Motion[] = [[-1, 0, 0, 1], [1, 0, 0, -1]];
const SWAP: Motion = [0, 1, 1, 0];
const ROTATE: Motion = [0, -1, 1, 0];

/**
 * A fixed value that is a sum of one weight's images under reflections and transposes of its
 * first two axes (`w + tf.reverse(w, 1)`), scaled. Such a kernel is invariant under a motion g
 * when g permutes the terms (as a multiset): that is how call() can symmetrise a learned kernel.
 */
export interface KernelOrbit {
  /** The weight op every term comes from. */
  base: number;
  /** Each term's motion, as `a,b,c,d`. */
  terms: string[];
}

function compose(a: Motion, b: Motion): Motion {
  return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];
}

function motionOf(key: string): Motion {
  return key.split(',').map(Number) as unknown as Motion;
}

function moved(orbit: KernelOrbit, motion: Motion): KernelOrbit {
  return { base: orbit.base, terms: orbit.terms.map((term) => compose(motionOf(term), motion).join(',')) };
}

/** The orbit of a weight read as it is. */
export function weightOrbit(op: number): KernelOrbit {
  return { base: op, terms: [IDENTITY.join(',')] };
}

function sameMultiset(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join(';') === [...b].sort().join(';');
}

/** Whether the kernel is unchanged by every motion of `generators`. */
function symmetricUnder(orbit: KernelOrbit | undefined, generators: Motion[]): boolean {
  if (!orbit) return false;
  return generators.every((motion) => sameMultiset(moved(orbit, motion).terms, orbit.terms));
}

function tensorOperands(operands: OpOperand[]): OpValue[] {
  return operands.flatMap((operand) => ('tensor' in operand ? [operand.tensor] : 'tensors' in operand ? operand.tensors : []));
}

/**
 * The orbit of an op's result, from its operands' orbits; undefined for every op that is not a
 * reflection, a transpose of the first two axes, a sum of terms of one weight, or a scaling.
 */
export function orbitAfter(op: string, operands: OpOperand[], result: OpValue): KernelOrbit | undefined {
  if (result.kind !== 'fixed') return undefined;
  const tensors = tensorOperands(operands);
  const first = tensors[0];
  const rank = first?.tags?.length;
  if (op === 'reverse') {
    if (!first?.orbit || rank === undefined) return undefined;
    const raw = operands[1] && 'constant' in operands[1] ? operands[1].constant : undefined;
    const axes = (Array.isArray(raw) ? raw : [raw]).map((axis) => (typeof axis === 'number' && axis < 0 ? rank + axis : axis));
    if (!axes.every((axis) => axis === 0 || axis === 1) || axes.length === 0) return undefined;
    return axes.reduce<KernelOrbit>((orbit, axis) => moved(orbit, REVERSE[axis as number]), first.orbit);
  }
  if (op === 'transpose') {
    if (!first?.orbit || rank === undefined) return undefined;
    const perm = operands[1] && 'constant' in operands[1] ? operands[1].constant : undefined;
    if (!Array.isArray(perm) || perm.length !== rank || perm.slice(2).some((from, i) => from !== i + 2)) return undefined;
    if (perm[0] === 0 && perm[1] === 1) return first.orbit;
    return perm[0] === 1 && perm[1] === 0 ? moved(first.orbit, SWAP) : undefined;
  }
  const withOrbit = tensors.filter((value) => value.orbit);
  const others = tensors.filter((value) => !value.orbit);
  // A constant added or multiplied to every entry (a scalar, a filled tensor) keeps the symmetry.
  if (withOrbit.length === 0 || others.some((value) => value.invariance !== 'uniform')) return undefined;
  if (op === 'add' || op === 'addN') {
    const base = withOrbit[0].orbit!.base;
    if (withOrbit.some((value) => value.orbit!.base !== base)) return undefined;
    return { base, terms: withOrbit.flatMap((value) => value.orbit!.terms) };
  }
  if ((op === 'mul' || op === 'div') && withOrbit.length === 1 && tensors[0] === withOrbit[0]) return withOrbit[0].orbit;
  if (op === 'mul' && withOrbit.length === 1) return withOrbit[0].orbit;
  return undefined;
}

// ---------------------------------------------------------------- reading the arguments

/** A per-axis tuple argument (`strides`, `filterSize`, `dilations`): a number, a list, or its default. */
function tupleArg(call: OpCall, index: number, rank: number, name: string, fallback: number | number[] | undefined): number[] | undefined {
  const raw = constantAt(call, index) ?? fallback;
  if (raw === undefined) return undefined;
  const list = typeof raw === 'number' ? new Array<number>(rank).fill(raw) : Array.isArray(raw) ? raw : undefined;
  // conv2d's strides may also be given as [1, sh, sw, 1].
  const spatial = list && list.length === rank + 2 ? list.slice(1, 1 + rank) : list;
  if (!spatial || spatial.length !== rank || spatial.some((value) => typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
    throw new OpFall('gap', `the ${name} of tf.${call.name} (argument ${index + 1}) is not a compile-time constant`, call.span);
  }
  return spatial as number[];
}

/** `pad`: 'same', 'valid', or a number of zeros on each side (`explicit`). */
function paddingArg(call: OpCall, index: number): { padding: Padding; explicit: number } {
  const raw = constantAt(call, index);
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return { padding: raw === 0 ? 'valid' : 'same', explicit: raw };
  const padding = typeof raw === 'string' ? readPadding(raw) : null;
  if (padding === 'same' || padding === 'valid') return { padding, explicit: -1 };
  throw new OpFall('gap', `the pad of tf.${call.name} (argument ${index + 1}) is not 'same', 'valid' or a number known statically`, call.span);
}

/** `dataFormat`: whether the channels come first; anything but the two spellings is a gap naming it. */
function channelsFirstArg(call: OpCall, index: number, last: string, first: string): boolean {
  const raw = constantAt(call, index);
  if (raw === undefined || raw === null || raw === last) return false;
  if (raw === first) return true;
  throw new OpFall('gap', `the dataFormat of tf.${call.name} (argument ${index + 1}) is not '${last}' or '${first}' known statically`, call.span);
}

// ---------------------------------------------------------------- the judgement

/** What one window op does along its spatial axes. */
interface Window {
  spatialRank: number;
  channelsFirst: boolean;
  /** Window sizes per spatial axis, dilated; null where the filter's size is not known. */
  kernels: (number | null)[];
  strides: number[];
  padding: Padding;
  /** Zeros on each side for a numeric pad, else -1. */
  explicit: number;
  /** The learned filter whose spatial symmetry matters (convolutions), with what it is called. */
  filter?: OpValue;
  /** How the op treats the channel axis: mixed against a filter, one filter per channel, or untouched. */
  channels: 'mixed' | 'perChannel' | 'kept';
  /** The output's channel count, when known. */
  outputChannels?: Size;
  transposed?: { outputShape: Size[] | undefined };
}

/** A causes' context for the shared window arithmetic (geometry.ts): the blame is set by the custom layer. */
const OP_REF: LayerRef = { layer: -1, kind: 'op' };

function spatialAxes(call: OpCall, x: OpValue, window: Window): { start: number; channel: number } {
  const rank = rankOf(x, call);
  const batched = rank === window.spatialRank + 2;
  if (!batched && rank !== window.spatialRank + 1) throw new OpFall('gap', `tf.${call.name} meets a rank-${rank} tensor, not a batch of ${window.spatialRank}-d maps with channels`, call.span);
  const batch = batched ? 1 : 0;
  const start = window.channelsFirst ? batch + 1 : batch;
  return { start, channel: window.channelsFirst ? batch : batch + window.spatialRank };
}

/** Positions this value moves per shift of the layer's input by one. */
function scaleOf(value: OpValue): { num: number; den: number } {
  return value.scale ?? { num: 1, den: 1 };
}

function reduced(num: number, den: number): { num: number; den: number } {
  const divisor = gcd(num, den) || 1;
  return { num: num / divisor, den: den / divisor };
}

/**
 * A stride `s` on a value that moves by num/den positions per input shift commutes with the
 * input shifts m for which m·num/den is a multiple of s: the subgroup in the layer's input shifts.
 */
function inInputShifts(stride: number, scale: { num: number; den: number }): number {
  const needed = stride * scale.den;
  return needed / gcd(scale.num, needed);
}

/** Notes a built-in window effect's border and stride causes on the custom layer. */
function noteEffect(call: OpCall, x: OpValue, effect: LocalEffect): void {
  if (effect.kind === 'break') throw new OpFall(effect.cause.code, effect.cause.detail, call.span);
  if (effect.kind !== 'keep') return;
  for (const reason of effect.approx) call.note?.({ level: 'approx', code: reason.code, detail: reason.detail, span: call.span });
  for (const step of effect.subgroup) {
    const k = step.k === null ? null : step.cause.code === 'stride' ? inInputShifts(step.k, scaleOf(x)) : step.k;
    if (k !== 1) call.note?.({ level: 'subgroup', code: step.cause.code, detail: step.cause.detail, k, span: call.span });
  }
  if (effect.window) call.note?.({ level: 'window', span: call.span });
}

function knownKernels(call: OpCall, kernels: (number | null)[]): number[] {
  if (kernels.some((kernel) => kernel === null)) throw new OpFall('gap', `the window size of tf.${call.name} (the filter's spatial sizes) is not known statically`, call.span);
  return kernels as number[];
}

/** Spatial motions of the kernel that the group makes the op need to commute with. */
function kernelMotions(group: GroupName, actingKernelAxes: number[]): Motion[] {
  if (group === 'flip') return actingKernelAxes.map((axis) => REVERSE[axis]);
  if (group === 'rotation90') return [ROTATE];
  return [ROTATE, REVERSE[1]];
}

/** Judges the window on x's acting spatial axes under the call's group, noting border and stride effects. */
function judgeWindow(call: OpCall, x: OpValue, window: Window, start: number, what: string): void {
  const acting = Array.from({ length: window.spatialRank }, (_, i) => i).filter((i) => x.tags?.[start + i]);
  if (acting.length === 0 || !call.group || !isData(x)) return;
  const kernels = knownKernels(call, acting.map((i) => window.kernels[i]));
  const strides = acting.map((i) => window.strides[i]);
  const sizes = acting.map((i) => x.sizes?.[start + i]?.n ?? null);
  const large = kernels.some((kernel) => kernel > 1);
  if (x.blockwise && large) {
    const detail = `${what} mixes neighbouring positions across the blocks of a concatenation along an acting axis`;
    if (call.group !== 'translation') throw new OpFall('block-mixing', detail, call.span);
    call.note?.({ level: 'approx', code: 'block-mixing', detail, span: call.span });
  }
  const context = { group: call.group, ref: OP_REF, margin: 0 };
  switch (call.group) {
    case 'sign':
      return;
    case 'permutation':
      if (large || strides.some((stride) => stride > 1) || window.transposed) {
        throw new OpFall('set-axis-window', `${what} with a ${formatWindow(kernels)} window and stride ${formatTuple(strides)} along the set axis depends on element order`, call.span);
      }
      return;
    case 'translation': {
      if (window.transposed) {
        if (kernels.some((kernel, i) => kernel > strides[i])) call.note?.({ level: 'approx', code: 'zero-padding', detail: `${what} with a ${formatWindow(kernels)} kernel overlaps the zero border`, span: call.span });
        if (large) call.note?.({ level: 'window', span: call.span });
        return;
      }
      if (window.explicit > 0) {
        if (strides.some((stride) => stride > 1)) throw new OpFall('gap', `${what} with a numeric pad and a stride is not followed`, call.span);
        // p zeros on each side: a border that stays put while the image shifts.
        call.note?.({ level: 'approx', code: 'zero-padding', detail: `zero padding (${window.explicit} on each side) of a ${formatWindow(kernels)} ${what}`, span: call.span });
        if (large) call.note?.({ level: 'window', span: call.span });
        return;
      }
      noteEffect(call, x, translationWindowEffect(context, what, sizes, kernels, strides, window.padding));
      return;
    }
    case 'flip':
    case 'rotation90':
    case 'dihedral': {
      if (window.filter && large) {
        const kernelAxes = acting.filter((i) => (window.kernels[i] ?? 1) > 1);
        const uniform = window.filter.invariance === 'uniform';
        if (!uniform && !symmetricUnder(window.filter.orbit, kernelMotions(call.group, kernelAxes))) {
          const shape = formatWindow(window.kernels.map((kernel) => kernel ?? null));
          throw new OpFall('learned-kernel', `${what} has a ${shape} kernel from ${describeFixed(window.filter)}, which is not ${call.group === 'flip' ? 'mirror' : 'rotation'}-symmetric`, call.span, window.filter.sourceSpan);
        }
      }
      if (window.transposed) {
        if (strides.some((stride) => stride > 1) && window.padding !== 'valid') {
          call.note?.({ level: 'subgroup', code: 'grid-offset', detail: `${what} with stride ${formatTuple(strides)} ('same') places samples off the ${call.group === 'flip' ? 'mirrored' : 'rotated'} grid`, k: null, span: call.span });
        }
        return;
      }
      if (window.explicit > 0 && strides.some((stride) => stride > 1)) throw new OpFall('gap', `${what} with a numeric pad and a stride is not followed`, call.span);
      // A numeric pad of p zeros on each side with stride 1 is symmetric, as 'valid' is.
      noteEffect(call, x, gridCheck(context, what, sizes, kernels, strides, window.explicit > 0 ? 'valid' : window.padding));
      return;
    }
  }
}

/** The value after a window op: tags and sizes along the spatial axes, the channel axis, the scale. */
function windowOp(call: OpCall, x: OpValue, window: Window): OpValue {
  const what = `tf.${call.name}`;
  const { start, channel } = spatialAxes(call, x, window);
  if (isData(x)) {
    if (window.channels !== 'kept' && x.flattened) {
      throw new OpFall('flatten-then-mix', `${what} mixes features that hold the acting axes (merged by a reshape)`, call.span);
    }
    if (x.tags?.[channel] && window.channels === 'mixed') {
      throw new OpFall('mixes-acting-axis', `${what} contracts the channel axis, which the group moves, against ${window.filter ? describeFixed(window.filter) : 'its filter'}`, call.span, window.filter?.sourceSpan);
    }
    if (x.tags?.[channel] && window.channels === 'perChannel') {
      throw new OpFall('positional-term', `${what} gives each channel its own filter (${window.filter ? describeFixed(window.filter) : 'its filter'}), and the group moves the channel axis`, call.span, window.filter?.sourceSpan);
    }
    judgeWindow(call, x, window, start, what);
  }
  const sizes = [...(x.sizes ?? x.tags!.map((): Size => ({ n: null })))];
  const actingStrides: number[] = [];
  for (let i = 0; i < window.spatialRank; i++) {
    const axis = start + i;
    const size = sizes[axis]?.n ?? null;
    const stride = window.strides[i];
    if (x.tags?.[axis]) actingStrides.push(stride);
    const padding = window.explicit > 0 ? null : window.padding;
    const length = window.transposed
      ? (window.transposed.outputShape?.[i] ?? { n: transposedOutputLength(size, window.kernels[i], stride, window.padding) })
      : { n: window.explicit > 0 && size !== null && window.kernels[i] !== null ? Math.floor((size + 2 * window.explicit - (window.kernels[i] as number)) / stride) + 1 : windowOutputLength(size, window.kernels[i], stride, padding) };
    // A window of 1 with stride 1 and no padding keeps the axis as it is, with what is known of it.
    const same = !window.transposed && stride === 1 && window.kernels[i] === 1 && window.explicit <= 0;
    sizes[axis] = same ? sizes[axis] : { ...length, ...(sizes[axis]?.unmoved !== undefined && stride === 1 ? { unmoved: sizes[axis].unmoved } : {}) };
  }
  if (window.outputChannels) sizes[channel] = window.outputChannels;
  const tags = x.tags ? x.tags.map((tag, axis) => (axis === channel && window.channels === 'mixed' ? false : tag)) : undefined;
  const step = actingStrides.reduce((total, stride) => lcm(total, stride), 1);
  const scale = scaleOf(x);
  return {
    ...x,
    tags,
    sizes,
    ...(isData(x) ? { scale: window.transposed ? reduced(scale.num * step, scale.den) : reduced(scale.num, scale.den * step) } : {}),
    orbit: undefined,
  };
}

/** The filter's size along axis `axis`, dilated. */
function kernelSize(filter: OpValue, axis: number, dilation: number): number | null {
  const size = filter.sizes?.[axis]?.n;
  return typeof size === 'number' && size > 0 ? effectiveKernel(size, dilation) : null;
}

function filterAt(call: OpCall, index: number, spatialRank: number): OpValue {
  const filter = tensorAt(call, index);
  if (filter.tags && filter.tags.length !== spatialRank + 2) throw new OpFall('gap', `the filter of tf.${call.name} has rank ${filter.tags.length}, not ${spatialRank + 2}`, call.span);
  if (isData(filter)) throw new OpFall('gap', `the filter of tf.${call.name} is computed from the input`, call.span);
  return filter;
}

/** conv1d(x, filter, stride, pad, dataFormat, dilation) and conv2d(x, filter, strides, pad, dataFormat, dilations). */
function convolution(spatialRank: number, last: string, first: string): OpRule {
  return {
    family: 'window',
    apply(call) {
      const x = tensorAt(call, 0);
      const filter = filterAt(call, 1, spatialRank);
      const channelsFirst = channelsFirstArg(call, 4, last, first);
      const dilations = tupleArg(call, 5, spatialRank, 'dilations', 1)!;
      const strides = tupleArg(call, 2, spatialRank, 'strides', undefined);
      if (!strides) throw new OpFall('gap', `tf.${call.name} is called without strides`, call.span);
      const { padding, explicit } = paddingArg(call, 3);
      return windowOp(call, x, {
        spatialRank,
        channelsFirst,
        kernels: dilations.map((dilation, axis) => kernelSize(filter, axis, dilation)),
        strides,
        padding,
        explicit,
        filter,
        channels: 'mixed',
        outputChannels: filter.sizes?.[spatialRank + 1],
      });
    },
  };
}

/** depthwiseConv2d(x, filter [kh, kw, C, multiplier], strides, pad, dataFormat, dilations). */
const depthwiseConv2d: OpRule = {
  family: 'window',
  apply(call) {
    const x = tensorAt(call, 0);
    const filter = filterAt(call, 1, 2);
    const dilations = tupleArg(call, 5, 2, 'dilations', 1)!;
    const { padding, explicit } = paddingArg(call, 3);
    const channels = filter.sizes?.[2]?.n;
    const multiplier = filter.sizes?.[3]?.n;
    return windowOp(call, x, {
      spatialRank: 2,
      channelsFirst: channelsFirstArg(call, 4, 'NHWC', 'NCHW'),
      kernels: dilations.map((dilation, axis) => kernelSize(filter, axis, dilation)),
      strides: tupleArg(call, 2, 2, 'strides', undefined) ?? [1, 1],
      padding,
      explicit,
      filter,
      // With a multiplier of 1 each channel keeps its place; more makes new channels per channel.
      channels: 'perChannel',
      outputChannels: multiplier === 1 ? undefined : { n: typeof channels === 'number' && typeof multiplier === 'number' ? channels * multiplier : null },
    });
  },
};

/** separableConv2d(x, depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat): depthwise, then a 1x1 mix. */
const separableConv2d: OpRule = {
  family: 'window',
  apply(call) {
    const x = tensorAt(call, 0);
    const filter = filterAt(call, 1, 2);
    const pointwise = filterAt(call, 2, 2);
    const dilations = tupleArg(call, 5, 2, 'dilation', 1)!;
    const { padding, explicit } = paddingArg(call, 4);
    return windowOp(call, x, {
      spatialRank: 2,
      channelsFirst: channelsFirstArg(call, 6, 'NHWC', 'NCHW'),
      kernels: dilations.map((dilation, axis) => kernelSize(filter, axis, dilation)),
      strides: tupleArg(call, 3, 2, 'strides', undefined) ?? [1, 1],
      padding,
      explicit,
      filter,
      channels: 'mixed',
      outputChannels: pointwise.sizes?.[3],
    });
  },
};

/** conv2dTranspose(x, filter [kh, kw, out, in], outputShape, strides, pad): upsampling by the stride. */
const conv2dTranspose: OpRule = {
  family: 'window',
  apply(call) {
    const x = tensorAt(call, 0);
    const filter = filterAt(call, 1, 2);
    const { padding, explicit } = paddingArg(call, 4);
    if (explicit > 0) throw new OpFall('gap', `tf.${call.name} with a numeric pad is not followed`, call.span);
    const operand = call.operands[2];
    const given = operand && 'dims' in operand ? operand.dims : Array.isArray(constantAt(call, 2)) ? (constantAt(call, 2) as unknown[]).map((n): Size => ({ n: typeof n === 'number' ? n : null })) : undefined;
    const spatial = given ? given.slice(given.length === 4 ? 1 : 0, given.length === 4 ? 3 : 2) : undefined;
    return windowOp(call, x, {
      spatialRank: 2,
      channelsFirst: false,
      kernels: [kernelSize(filter, 0, 1), kernelSize(filter, 1, 1)],
      strides: tupleArg(call, 3, 2, 'strides', undefined) ?? [1, 1],
      padding,
      explicit,
      filter,
      channels: 'mixed',
      outputChannels: filter.sizes?.[2],
      transposed: { outputShape: spatial },
    });
  },
};

/** avgPool/maxPool(x, filterSize, strides, pad): a window with no weights, channels untouched. */
const windowPool: OpRule = {
  family: 'window',
  apply(call) {
    const x = tensorAt(call, 0);
    const { padding, explicit } = paddingArg(call, 3);
    const pool = tupleArg(call, 1, 2, 'filterSize', undefined);
    if (!pool) throw new OpFall('gap', `the filterSize of tf.${call.name} (argument 2) is not a compile-time constant`, call.span);
    return windowOp(call, x, { spatialRank: 2, channelsFirst: false, kernels: pool, strides: tupleArg(call, 2, 2, 'strides', pool)!, padding, explicit, channels: 'kept' });
  },
};

/** pool(x, windowShape, poolingType, pad, dilations, strides): strides default to 1, unlike the layers. */
const pool: OpRule = {
  family: 'window',
  apply(call) {
    const x = tensorAt(call, 0);
    const shape = tupleArg(call, 1, 2, 'windowShape', undefined);
    if (!shape) throw new OpFall('gap', `the windowShape of tf.pool (argument 2) is not a compile-time constant`, call.span);
    const dilations = tupleArg(call, 4, 2, 'dilations', 1)!;
    const { padding, explicit } = paddingArg(call, 3);
    return windowOp(call, x, {
      spatialRank: 2,
      channelsFirst: false,
      kernels: shape.map((size, axis) => effectiveKernel(size, dilations[axis])),
      strides: tupleArg(call, 5, 2, 'strides', 1)!,
      padding,
      explicit,
      channels: 'kept',
    });
  },
};

/**
 * image.resizeBilinear / resizeNearestNeighbor(images, [h, w], alignCorners, halfPixelCenters).
 * To the same size: nothing moves. Nearest neighbour by a whole factor up copies each pixel onto
 * its own block, as upSampling2d does (the action is rescaled). Anything else resamples the grid:
 * approx under translation, as the resizing layer; under flips and rotations only sampling that
 * is symmetric about the centre keeps them (half-pixel centres, or aligned corners for bilinear).
 */
function resize(nearest: boolean): OpRule {
  return {
    family: 'window',
    apply(call) {
      const x = tensorAt(call, 0);
      const rank = rankOf(x, call);
      const start = rank === 4 ? 1 : 0;
      if (rank !== 4 && rank !== 3) throw new OpFall('gap', `tf.${call.name} meets a rank-${rank} tensor, not images`, call.span);
      const operand = call.operands[1];
      const raw = constantAt(call, 1);
      const target: Size[] | undefined = operand && 'dims' in operand ? operand.dims : Array.isArray(raw) ? raw.map((n) => ({ n: typeof n === 'number' ? n : null })) : undefined;
      const alignCorners = constantAt(call, 2) === true;
      const halfPixel = constantAt(call, 3) === true;
      const what = `tf.${call.name}`;
      const sizes = [...(x.sizes ?? x.tags!.map((): Size => ({ n: null })))];
      const acting = [0, 1].filter((i) => x.tags?.[start + i]);
      const sameAs = (i: number) => {
        const from = sizes[start + i];
        const to = target?.[i];
        return Boolean(from && to && ((to.sym !== undefined && to.sym === from.sym) || (to.n !== null && to.n === from.n)));
      };
      let up = 1;
      if (isData(x) && call.group && acting.length > 0 && !acting.every(sameAs)) {
        if (!target || target.length !== 2 || acting.some((i) => target[i].n === null || sizes[start + i]?.n == null)) {
          throw new OpFall('gap', `the size of ${what} (argument 2) is not known statically`, call.span);
        }
        const factors = acting.map((i) => (target[i].n as number) / (sizes[start + i].n as number));
        const whole = factors.every((factor) => Number.isInteger(factor) && factor >= 1) && new Set(factors).size === 1;
        const copies = nearest && whole && !alignCorners;
        const centred = halfPixel || (alignCorners && !nearest);
        switch (call.group) {
          case 'permutation':
            throw new OpFall('set-axis-window', `${what} interpolates between neighbouring elements of the set axis`, call.span);
          case 'translation':
            if (copies) up = factors[0];
            else call.note?.({ level: 'approx', code: 'resampling', detail: `${what} to ${formatTuple(target.map((size) => size.n))} resamples the grid`, span: call.span });
            break;
          case 'rotation90':
          case 'dihedral':
          case 'flip':
            if (call.group !== 'flip' && target[0].n !== target[1].n) throw new OpFall('non-square-window', `${what} to ${formatTuple(target.map((size) => size.n))} makes the image non-square`, call.span);
            // The sampling grid must also map onto itself.
            if (!copies && !centred) {
              call.note?.({ level: 'subgroup', code: 'grid-offset', detail: `${what} without half-pixel centres samples a grid that does not map onto itself under ${call.group}`, k: null, span: call.span });
            }
            break;
          case 'sign':
            break;
        }
        if (x.blockwise) {
          const detail = `${what} mixes neighbouring positions across the blocks of a concatenation along an acting axis`;
          if (call.group !== 'translation') throw new OpFall('block-mixing', detail, call.span);
          call.note?.({ level: 'approx', code: 'block-mixing', detail, span: call.span });
        }
        if (!copies) call.note?.({ level: 'window', span: call.span });
      }
      if (target?.length === 2) {
        sizes[start] = sameAs(0) ? sizes[start] : target[0];
        sizes[start + 1] = sameAs(1) ? sizes[start + 1] : target[1];
      }
      const scale = scaleOf(x);
      return { ...x, sizes, ...(isData(x) && up > 1 ? { scale: reduced(scale.num * up, scale.den) } : {}), orbit: undefined };
    },
  };
}

/** The window ops of the custom-layer op table (customOps.ts adds them to CUSTOM_OP_RULES). */
export const WINDOW_OP_RULES: readonly [string, OpRule][] = [
  ['conv1d', convolution(1, 'NWC', 'NCW')],
  ['conv2d', convolution(2, 'NHWC', 'NCHW')],
  ['depthwiseConv2d', depthwiseConv2d],
  ['separableConv2d', separableConv2d],
  ['conv2dTranspose', conv2dTranspose],
  ['avgPool', windowPool],
  ['maxPool', windowPool],
  ['pool', pool],
  ['image.resizeBilinear', resize(false)],
  ['image.resizeNearestNeighbor', resize(true)],
];
