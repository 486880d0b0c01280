// The op table of custom layers: what each tf op (and tensor method of the same name) used in a
// custom layer's call() does to the axes a group acts on. Families: elementwise (with
// broadcasting), reductions, contractions (matMul, dot, einsum), axis moves and cuts
// (transpose, reshape, slice, gather, concat...), softmax, sources (tf.range, constants, weights)
// and masks (bandPart). An op missing here leaves the layer an analysis gap naming it.
import type { SourceSpan } from '../graph';
import type { CauseCode, GroupName } from '../symmetry';
import { WINDOW_OP_RULES, type KernelOrbit } from './customWindowOps';

/** A size along one axis: its number when known, and a name for sizes read from an input. */
export interface Size {
  n: number | null;
  /** `i0:1` for the size of axis 1 of input 0, `batch` for the batch axis. */
  sym?: string;
  /**
   * On an acting axis: its first `unmoved` positions are blocks the group leaves where they are
   * (a learned class token put in front of the set, here or in an earlier layer).
   */
  unmoved?: number;
}

/** An abstract tensor inside call(). */
export interface OpValue {
  /**
   * `data`: computed from the layer's inputs, so the group moves it along its `set` axes;
   * `fixed`: weights and constants, which stay where they are whatever the input.
   */
  kind: 'data' | 'fixed';
  /** Per axis (batch axis 0 included for data): does the group move this axis? Unknown rank: undefined. */
  tags?: boolean[];
  sizes?: Size[];
  /** The acting axes were merged into features by a reshape. */
  flattened?: boolean;
  /**
   * An acting axis joins blocks (a concat along it): the group moves each block on its own and
   * leaves fixed blocks where they are, which is one reordering of the joined axis.
   */
  blockwise?: boolean;
  /** For fixed values: what they are made of, in words (`the weight pos [T, F]`, `tf.range`). */
  source?: string;
  /** For fixed values: where they were made (the addWeight, the tf.range). */
  sourceSpan?: SourceSpan;
  /**
   * For fixed values that no permutation changes: `uniform` (ones, zeros, a filled constant)
   * under any reordering of any axis, `paired` (the identity, `1 - eye`) when its last two axes
   * are reordered together, as a graph's self-loops are.
   */
  invariance?: 'uniform' | 'paired';
  /**
   * For data under translation: how many positions this value moves when the layer's input
   * shifts by one (1/2 after a stride of 2, 2 after upsampling by 2). Absent: 1.
   */
  scale?: { num: number; den: number };
  /** For fixed values: a sum of one weight's reflections and transposes (customWindowOps.ts). */
  orbit?: KernelOrbit;
}

/**
 * What a window op (convolution, pooling, resize) leaves besides its value, as the built-in
 * layers' rules say it: a border effect, a stride's subgroup (in shifts of the layer's input), or
 * only that it mixes neighbouring positions.
 */
export type WindowNote =
  | { level: 'approx'; code: CauseCode; detail: string; span: SourceSpan }
  | { level: 'subgroup'; code: CauseCode; detail: string; k: number | null; span: SourceSpan }
  | { level: 'window'; span: SourceSpan };

/** The first fall inside call(): the op that causes it, in the analysis' words. */
export class OpFall extends Error {
  constructor(
    readonly code: CauseCode | 'gap',
    readonly detail: string,
    readonly span: SourceSpan,
    readonly origin?: SourceSpan,
  ) {
    // A fall is an answer, caught by the body's run (customLayer.ts), not a fault: its stack
    // trace, which V8 gathers as the error is made, was a tenth of a custom layer's run.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** What an op sees: its decoded operands and where it sits. */
export interface OpCall {
  name: string;
  /** Tensor operands (a list operand, as in concat, counts as one entry holding several). */
  operands: OpOperand[];
  span: SourceSpan;
  /** Whether the group acts on several axes at once (rotation): ops on one acting axis are not followed. */
  joint: boolean;
  options?: Record<string, unknown>;
  /** The declared group; absent when only shapes are computed (no axis acts). */
  group?: GroupName;
  /** Where window ops leave their border and stride effects. */
  note?: (note: WindowNote) => void;
}

export type OpOperand =
  | { tensor: OpValue }
  | { tensors: OpValue[] }
  | { constant: unknown }
  | { dims: Size[] };

export type OpFamily = 'elementwise' | 'reduction' | 'contraction' | 'axes' | 'softmax' | 'source' | 'mask' | 'scan' | 'sublayer' | 'window';

export interface OpRule {
  family: OpFamily;
  apply(call: OpCall): OpValue;
}

// ---------------------------------------------------------------- helpers

export function tensorAt(call: OpCall, index: number): OpValue {
  const operand = call.operands[index];
  if (operand && 'tensor' in operand) return operand.tensor;
  if (operand && 'constant' in operand && !Array.isArray(operand.constant) && (operand.constant === null || typeof operand.constant !== 'object' || !('$tensor' in (operand.constant as object)))) {
    // A number, known or not (`-Math.log(10000) / width`), broadcasts as a scalar. A value the
    // evaluator could not read at all (`this.table` made by tf.variable in the constructor) may
    // be a tensor lined up with an acting axis: not a scalar, a gap naming it.
    const unread = unreadValue(operand.constant);
    if (unread !== undefined) throw new OpFall('gap', `the operand ${index + 1} of ${call.name} (${unread}) is not a value the analysis can read`, call.span);
    if (typeof operand.constant !== 'string') return scalar();
  }
  if (operand && 'dims' in operand && operand.dims.length === 1) return scalar();
  throw new OpFall('gap', `the operand ${index + 1} of ${call.name} is not a tensor the analysis follows`, call.span);
}

/** Reasons of values not known statically that are still numbers: arithmetic and Math on sizes. */
const NUMERIC_UNKNOWN = /^(arithmetic|Math\.|a size|a counter|a comparison|a negation|a unary operator|an operator)/;

/** The reason of an operand the evaluator could not read, unless it is a number computed from sizes. */
export function unreadValue(constant: unknown): string | undefined {
  if (!constant || typeof constant !== 'object' || !('reason' in constant)) return undefined;
  const reason = String((constant as { reason: unknown }).reason);
  return NUMERIC_UNKNOWN.test(reason) ? undefined : reason;
}

export function constantAt(call: OpCall, index: number): unknown {
  const operand = call.operands[index];
  if (!operand) return undefined;
  if ('constant' in operand) return operand.constant;
  if ('dims' in operand) return operand.dims.map((size) => size.n);
  return undefined;
}

function scalar(): OpValue {
  return { kind: 'fixed', tags: [], sizes: [], source: 'a scalar', invariance: 'uniform' };
}

/** What a combination of fixed values keeps of their invariance. */
function combinedInvariance(values: OpValue[]): OpValue['invariance'] {
  if (values.every((value) => value.invariance === 'uniform')) return 'uniform';
  if (values.every((value) => value.invariance === 'uniform' || value.invariance === 'paired')) return 'paired';
  return undefined;
}

/** A fixed value lined up with acting axes that it does not notice being reordered. */
function unmovedByAction(value: OpValue, rank: number, actingFromRight: (index: number) => boolean): boolean {
  if (value.invariance === 'uniform') return true;
  if (value.invariance !== 'paired' || !value.tags || value.tags.length < 2) return false;
  // Its last two axes must both meet acting axes (P·I·Pᵀ = I), and no other axis may.
  const own = value.tags.length;
  for (let offset = 0; offset < own; offset++) {
    const index = rank - own + offset;
    const acting = actingFromRight(index);
    const last = offset >= own - 2;
    if (last !== acting && (value.sizes?.[offset]?.n ?? 0) !== 1) return false;
  }
  return true;
}

export function rankOf(value: OpValue, call: OpCall): number {
  if (!value.tags) throw new OpFall('gap', `${call.name} meets a tensor whose rank is not known statically`, call.span);
  return value.tags.length;
}

/** A (possibly negative) axis argument, resolved; undefined when absent. */
function axisArg(call: OpCall, raw: unknown, rank: number): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new OpFall('gap', `the axis of ${call.name} is not a compile-time constant`, call.span);
  const axis = raw < 0 ? rank + raw : raw;
  if (axis < 0 || axis >= rank) throw new OpFall('gap', `the axis ${raw} of ${call.name} is outside its rank-${rank} operand`, call.span);
  return axis;
}

function axesArg(call: OpCall, raw: unknown, rank: number): number[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) return raw.map((entry) => axisArg(call, entry, rank) as number);
  return [axisArg(call, raw, rank) as number];
}

export function isData(value: OpValue): boolean {
  return value.kind === 'data';
}

function anySet(value: OpValue): boolean {
  return Boolean(value.tags?.some((tag) => tag));
}

/** An op on one acting axis under a group that acts on several at once: not followed. */
function notJointly(call: OpCall, what: string): never {
  throw new OpFall('gap', `${call.name} ${what} one of the axes the group moves together`, call.span);
}

export function describeFixed(value: OpValue): string {
  return value.source ?? 'a constant tensor';
}

/**
 * Broadcasting of several operands (numpy rules, aligned from the right). A fixed axis lined up
 * with an acting axis is a term tied to positions, whatever its size says: a `[T, F]` weight
 * added to `[N, T, F]` breaks; a `[F]` vector does not (SPEC section 4).
 */
function broadcast(call: OpCall, values: OpValue[]): OpValue {
  const data = values.some(isData);
  if (!data) {
    const known = values.filter((value) => value.tags);
    if (known.length < values.length) return { kind: 'fixed', source: values.map(describeFixed).find((s) => s !== 'a scalar') ?? describeFixed(values[0]), sourceSpan: values.find((v) => v.sourceSpan)?.sourceSpan };
    const rank = Math.max(0, ...known.map((value) => value.tags!.length));
    const sizes: Size[] = [];
    for (let i = 0; i < rank; i++) sizes.push(pickSize(known.map((value) => sizeFromRight(value, rank, i))));
    const sourced = values.find((value) => value.source && value.source !== 'a scalar') ?? values[0];
    return { kind: 'fixed', tags: new Array<boolean>(rank).fill(false), sizes, source: sourced.source, sourceSpan: sourced.sourceSpan, invariance: combinedInvariance(values) };
  }
  for (const value of values) {
    if (!value.tags && !(value.kind === 'fixed' && !values.some(anySet))) {
      throw new OpFall('gap', `${call.name} combines a tensor of unknown shape (${describeFixed(value)}) with the input, so the analysis cannot tell whether it lines up with an acting axis`, call.span);
    }
  }
  const known = values.filter((value) => value.tags);
  const rank = Math.max(...known.map((value) => value.tags!.length));
  const tags: boolean[] = [];
  const sizes: Size[] = [];
  const actingAt = (index: number) => known.some((value) => value.kind === 'data' && tagFromRight(value, rank, index));
  for (let i = 0; i < rank; i++) {
    const acting = known.some((value) => tagFromRight(value, rank, i));
    if (acting) {
      for (const value of known) {
        if (tagFromRight(value, rank, i)) continue;
        if (value.kind === 'fixed' && unmovedByAction(value, rank, actingAt)) continue;
        const size = sizeFromRight(value, rank, i);
        if (size === undefined || size.n === 1) continue;
        if (value.kind === 'fixed') {
          if (call.joint) notJointly(call, 'adds a fixed term along');
          throw new OpFall('positional-term', `${call.name} lines up ${describeFixed(value)} with an acting axis, so each position gets its own term`, call.span, value.sourceSpan);
        }
        if (size.n === null && !size.sym) continue;
        throw new OpFall('gap', `${call.name} lines up an acting axis with an axis the group does not move`, call.span);
      }
    }
    tags.push(acting);
    sizes.push(pickSize(known.map((value) => sizeFromRight(value, rank, i))));
  }
  return { kind: 'data', tags, sizes, flattened: values.some((value) => value.flattened) || undefined, blockwise: values.some((value) => value.blockwise) || undefined };
}

function tagFromRight(value: OpValue, rank: number, index: number): boolean {
  const offset = index - (rank - value.tags!.length);
  return offset >= 0 ? value.tags![offset] : false;
}

function sizeFromRight(value: OpValue, rank: number, index: number): Size | undefined {
  const offset = index - (rank - (value.tags?.length ?? 0));
  if (offset < 0) return undefined;
  return value.sizes?.[offset] ?? { n: null };
}

function pickSize(sizes: (Size | undefined)[]): Size {
  const present = sizes.filter((size): size is Size => size !== undefined);
  return present.find((size) => size.n !== 1 && (size.n !== null || size.sym)) ?? present.find((size) => size.n !== 1) ?? present[0] ?? { n: 1 };
}

function elementwise(arity: number | 'list'): OpRule {
  return {
    family: 'elementwise',
    apply(call) {
      if (arity === 'list') {
        const operand = call.operands[0];
        const values = operand && 'tensors' in operand ? operand.tensors : [tensorAt(call, 0)];
        return broadcast(call, values);
      }
      const values: OpValue[] = [];
      for (let i = 0; i < arity; i++) if (call.operands[i]) values.push(tensorAt(call, i));
      return broadcast(call, values);
    },
  };
}

const unary = elementwise(1);
const binary = elementwise(2);
const ternary = elementwise(3);

/** mean, sum, max...: (x, axis, keepDims). Reducing an acting axis makes the result invariant along it. */
function reduction(axisIndex = 1, keepIndex: number | undefined = 2): OpRule {
  return {
    family: 'reduction',
    apply(call) {
      const x = tensorAt(call, 0);
      if (!x.tags) return { ...x };
      const rank = x.tags.length;
      const axes = axesArg(call, constantAt(call, axisIndex), rank) ?? Array.from({ length: rank }, (_, i) => i);
      const keep = keepIndex !== undefined && constantAt(call, keepIndex) === true;
      const reducedActing = axes.filter((axis) => x.tags![axis]);
      if (call.joint && reducedActing.length > 0 && x.tags.some((tag, axis) => tag && !axes.includes(axis))) notJointly(call, 'reduces');
      const tags: boolean[] = [];
      const sizes: Size[] = [];
      x.tags.forEach((tag, axis) => {
        if (axes.includes(axis)) {
          if (keep) {
            tags.push(false);
            sizes.push({ n: 1 });
          }
        } else {
          tags.push(tag);
          sizes.push(x.sizes?.[axis] ?? { n: null });
        }
      });
      return { ...x, tags, sizes };
    },
  };
}

/** softmax(x, dim = -1): a function along one axis that commutes with reordering it. */
const softmax: OpRule = {
  family: 'softmax',
  apply(call) {
    const x = tensorAt(call, 0);
    if (!x.tags) return { ...x };
    const axis = axisArg(call, constantAt(call, 1) ?? -1, x.tags.length) as number;
    if (call.joint && x.tags[axis]) notJointly(call, 'normalises along');
    return { ...x };
  },
};

/** matMul(a, b, transposeA, transposeB), with batch axes broadcast. */
function contract(call: OpCall, a: OpValue, b: OpValue, transposeA: boolean, transposeB: boolean): OpValue {
  const ra = rankOf(a, call);
  const rb = rankOf(b, call);
  if (ra < 2 || rb < 2) throw new OpFall('gap', `${call.name} of a rank-${ra} and a rank-${rb} tensor`, call.span);
  const swap = <T>(list: T[], swapLast: boolean) => (swapLast ? [...list.slice(0, -2), list[list.length - 1], list[list.length - 2]] : list);
  const tagsA = swap(a.tags!, transposeA);
  const tagsB = swap(b.tags!, transposeB);
  const sizesA = swap(a.sizes ?? tagsA.map(() => ({ n: null })), transposeA);
  const sizesB = swap(b.sizes ?? tagsB.map(() => ({ n: null })), transposeB);
  const contractedA = tagsA[ra - 1];
  const contractedB = tagsB[rb - 2];
  if (isData(a) && isData(b)) {
    if (contractedA !== contractedB) throw new OpFall('gap', `${call.name} contracts an acting axis with one the group does not move`, call.span);
    if (contractedA && call.joint) notJointly(call, 'sums over');
  } else if (isData(a) || isData(b)) {
    const data = isData(a) ? a : b;
    const contracted = isData(a) ? contractedA : contractedB;
    const weight = isData(a) ? b : a;
    if (contracted) {
      throw new OpFall('mixes-acting-axis', `${call.name} contracts an acting axis against ${describeFixed(weight)}, which weighs each position differently`, call.span, weight.sourceSpan);
    }
    if (data.flattened) {
      throw new OpFall('flatten-then-mix', `${call.name} mixes features that hold the acting axes (merged by a reshape) with ${describeFixed(weight)}`, call.span, weight.sourceSpan);
    }
  }
  const batchA: OpValue = { kind: a.kind, tags: tagsA.slice(0, -2), sizes: sizesA.slice(0, -2), source: a.source, sourceSpan: a.sourceSpan };
  const batchB: OpValue = { kind: b.kind, tags: tagsB.slice(0, -2), sizes: sizesB.slice(0, -2), source: b.source, sourceSpan: b.sourceSpan };
  const batch = batchA.tags!.length === 0 && batchB.tags!.length === 0 ? { tags: [], sizes: [] } : broadcast(call, [batchA, batchB]);
  const kind = isData(a) || isData(b) ? 'data' : 'fixed';
  return {
    kind,
    tags: [...batch.tags!, tagsA[ra - 2], tagsB[rb - 1]],
    sizes: [...batch.sizes!, sizesA[ra - 2], sizesB[rb - 1]],
    flattened: a.flattened || b.flattened || undefined,
    blockwise: a.blockwise || b.blockwise || undefined,
    ...(kind === 'fixed' ? { source: a.source ?? b.source, sourceSpan: a.sourceSpan ?? b.sourceSpan } : {}),
  };
}

const matMul: OpRule = {
  family: 'contraction',
  apply(call) {
    return contract(call, tensorAt(call, 0), tensorAt(call, 1), constantAt(call, 2) === true, constantAt(call, 3) === true);
  },
};

/** tf.dot: the last axis of a against the first (rank 1) or next-to-last axis of b. */
const dot: OpRule = {
  family: 'contraction',
  apply(call) {
    const a = tensorAt(call, 0);
    const b = tensorAt(call, 1);
    const rb = rankOf(b, call);
    if (rb === 1) {
      const expanded: OpValue = { ...b, tags: [...b.tags!, false], sizes: [...(b.sizes ?? [{ n: null }]), { n: 1 }] };
      const result = contract(call, a, expanded, false, false);
      return { ...result, tags: result.tags!.slice(0, -1), sizes: result.sizes!.slice(0, -1) };
    }
    return contract(call, a, b, false, false);
  },
};

/**
 * einsum: each letter is one axis. A letter summed away that an operand moves must be moved by
 * every data operand holding it and held by no fixed one; a letter kept that a fixed operand
 * holds must not be an acting one.
 */
const einsum: OpRule = {
  family: 'contraction',
  apply(call) {
    const equation = constantAt(call, 0);
    if (typeof equation !== 'string') throw new OpFall('gap', 'the equation of einsum is not a compile-time constant', call.span);
    const [lhs, rhs] = equation.replace(/\s+/g, '').split('->');
    if (rhs === undefined || equation.includes('.')) throw new OpFall('gap', `the einsum equation '${equation}' needs an explicit output without ellipsis`, call.span);
    const terms = lhs.split(',');
    const values = terms.map((_, index) => tensorAt(call, index + 1));
    const letterTags = new Map<string, { data: boolean[]; fixed: OpValue[]; size: Size }>();
    terms.forEach((term, index) => {
      const value = values[index];
      if (rankOf(value, call) !== term.length || new Set(term).size !== term.length) throw new OpFall('gap', `the einsum term '${term}' does not match its operand or repeats a letter`, call.span);
      [...term].forEach((letter, axis) => {
        const entry = letterTags.get(letter) ?? { data: [], fixed: [], size: value.sizes?.[axis] ?? { n: null } };
        if (isData(value)) entry.data.push(value.tags![axis]);
        else entry.fixed.push(value);
        letterTags.set(letter, entry);
      });
    });
    for (const [letter, entry] of letterTags) {
      const acting = entry.data.some((tag) => tag);
      if (!acting) continue;
      if (entry.data.some((tag) => !tag)) throw new OpFall('gap', `einsum pairs an acting axis with one the group does not move (letter ${letter})`, call.span);
      if (call.joint) notJointly(call, 'sums or lines up along');
      const fixed = entry.fixed.find((value) => value.sizes?.[0]?.n !== 1);
      if (fixed) {
        const code = rhs.includes(letter) ? 'positional-term' : 'mixes-acting-axis';
        throw new OpFall(code, `einsum '${equation}' meets ${describeFixed(fixed)} along an acting axis (letter ${letter})`, call.span, fixed.sourceSpan);
      }
    }
    const data = values.some(isData);
    return {
      kind: data ? 'data' : 'fixed',
      tags: [...rhs].map((letter) => Boolean(letterTags.get(letter)?.data.some((tag) => tag))),
      sizes: [...rhs].map((letter) => letterTags.get(letter)?.size ?? { n: null }),
      ...(data ? {} : { source: values[0].source, sourceSpan: values[0].sourceSpan }),
    };
  },
};

const transpose: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const rank = rankOf(x, call);
    const raw = constantAt(call, 1);
    const perm = raw === undefined ? Array.from({ length: rank }, (_, i) => rank - 1 - i) : raw;
    if (!Array.isArray(perm) || perm.length !== rank || perm.some((p) => typeof p !== 'number')) throw new OpFall('gap', 'the permutation of transpose is not a compile-time constant', call.span);
    const order = perm as number[];
    if (call.joint && order.some((from, to) => from !== to && x.tags![from])) notJointly(call, 'moves');
    return { ...x, tags: order.map((from) => x.tags![from]), sizes: order.map((from) => x.sizes?.[from] ?? { n: null }) };
  },
};

function sameSize(a: Size | undefined, b: Size | undefined): boolean {
  if (!a || !b) return false;
  if (a.sym && b.sym) return a.sym === b.sym;
  return false;
}

/**
 * reshape keeps an acting axis when it comes through whole: the sizes around it, matched from
 * both ends (equal sizes, or runs of known sizes with the same product, as `[F] -> [H, D]` of
 * multi-head attention), leave it alone on its own in the target. An acting axis merged with
 * others or split is flattened into features (SPEC 4, flatten / reshape).
 */
const reshape: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const operand = call.operands[1];
    let target: Size[] | undefined;
    if (operand && 'dims' in operand) target = operand.dims;
    else {
      const raw = constantAt(call, 1);
      if (Array.isArray(raw)) target = raw.map((n) => ({ n: typeof n === 'number' ? n : null }));
    }
    if (!target) throw new OpFall('gap', 'the shape of reshape is not known statically', call.span);
    const fixedTarget = target.map((size) => (size.n === -1 ? { n: null, sym: '-1' } : size));
    if (!isData(x)) return { ...x, tags: target.map(() => false), sizes: fixedTarget };
    rankOf(x, call);
    const rows = rowsReshape(x, target);
    if (rows) return rows;
    const { tags, flattened } = alignReshape(x.sizes ?? x.tags!.map(() => ({ n: null })), x.tags!, target);
    if (call.joint && x.tags!.some((tag, axis) => tag && !tags[axis])) notJointly(call, 'reshapes');
    const sizes = target.map((size, index) => (size.n === -1 && index === 0 ? { n: null, sym: 'batch' } : size.n === -1 ? { n: null } : size));
    return { ...x, kind: 'data', tags, sizes, flattened: flattened || x.flattened || undefined };
  },
};

/** Equal sizes: the same name, or the same known number. */
function equalSize(a: Size, b: Size): boolean {
  return sameSize(a, b) || (a.n !== null && a.n >= 0 && a.n === b.n);
}

/** Where each axis of x goes in the target, as far as sizes tell; acting axes not alone there are flattened. */
function alignReshape(sizes: Size[], tags: boolean[], target: Size[]): { tags: boolean[]; flattened: boolean } {
  const out = target.map(() => false);
  let flattened = false;
  let hi = sizes.length - 1;
  let thi = target.length - 1;
  // From the right: equal sizes, or a run of known non-acting sizes regrouped ([F] <-> [H, D]).
  while (hi >= 0 && thi >= 0) {
    if (equalSize(sizes[hi], target[thi])) {
      out[thi] = tags[hi];
      hi--;
      thi--;
      continue;
    }
    const group = productGroup(sizes, tags, hi, target, thi);
    if (!group) break;
    hi -= group.taken;
    thi -= group.targetTaken;
  }
  // From the left: equal sizes, and the batch axis as -1 or as the batch size.
  let lo = 0;
  let tlo = 0;
  while (lo <= hi && tlo <= thi) {
    const batch = lo === 0 && tlo === 0 && sizes[0]?.sym === 'batch' && (target[0].n === -1 || target[0].sym === 'batch');
    if (!batch && !equalSize(sizes[lo], target[tlo])) break;
    out[tlo] = tags[lo];
    lo++;
    tlo++;
  }
  // What is left in the middle: one axis against one keeps it; an acting axis among several is merged or split.
  const middle = tags.slice(lo, hi + 1);
  if (middle.some((tag) => tag)) {
    if (middle.length === 1 && thi === tlo) out[tlo] = true;
    else flattened = true;
  }
  return { tags: out, flattened };
}

/** From the right end: known non-acting sizes of x and the target with the same product. */
function productGroup(sizes: Size[], tags: boolean[], hi: number, target: Size[], thi: number): { taken: number; targetTaken: number } | undefined {
  const known = (size: Size | undefined) => size !== undefined && size.n !== null && size.n > 0;
  if (!known(sizes[hi]) || !known(target[thi]) || tags[hi]) return undefined;
  let taken = 1;
  let targetTaken = 1;
  let product = sizes[hi].n as number;
  let targetProduct = target[thi].n as number;
  while (product !== targetProduct) {
    if (product < targetProduct) {
      const next = sizes[hi - taken];
      if (!known(next) || tags[hi - taken]) return undefined;
      product *= next.n as number;
      taken++;
    } else {
      const next = target[thi - targetTaken];
      if (!known(next)) return undefined;
      targetProduct *= next.n as number;
      targetTaken++;
    }
  }
  return { taken, targetTaken };
}

const ROWS = 'rows:';

/**
 * The per-row matMul idiom: `[N, T, F] -> [-1, F]` (or `[N, H, W, C] -> [-1, C]`, one row per
 * pixel), a weight on the features, then back to `[N, T, U]`. Merging the batch with the acting
 * axes keeps rows whole: the group then reorders rows within each batch entry, which per-row
 * ops keep, and the reshape back restores.
 */
function rowsReshape(x: OpValue, target: Size[]): OpValue | undefined {
  const sizes = x.sizes ?? [];
  const tags = x.tags!;
  const batchLike = (size: Size | undefined) => size !== undefined && (size.n === -1 || size.sym === 'batch' || size.sym === '-1');
  // The merged axes: from axis 1 to the last acting one (a flip moves W only, and rows of H·W still move whole).
  const acting = tags.lastIndexOf(true);
  const rest = sizes.slice(1 + acting);
  const restProduct = rest.every((size) => size.n !== null) ? rest.reduce((total, size) => total * (size.n as number), 1) : null;
  const keepsRest = (size: Size) => (rest.length === 1 && sameSize(size, rest[0])) || (size.n !== null && size.n === restProduct);
  if (acting > 0 && rest.length > 0 && target.length === 2 && batchLike(target[0]) && keepsRest(target[1])) {
    const merged = sizes.slice(1, 1 + acting).map((size, i) => `${tags[1 + i] ? '*' : ''}${size.sym ?? '?'}`).join(',');
    return { kind: 'data', tags: [true, false], sizes: [{ n: null, sym: `${ROWS}${merged}` }, { n: restProduct, sym: rest.length === 1 ? rest[0].sym : undefined }], flattened: x.flattened };
  }
  const merged = sizes[0]?.sym?.startsWith(ROWS) ? sizes[0].sym.slice(ROWS.length).split(',') : undefined;
  if (merged !== undefined && tags.length === 2 && tags[0] && target.length === merged.length + 2 && batchLike(target[0])) {
    const names = merged.map((entry) => entry.replace(/^\*/, ''));
    const back = names.every((sym, i) => target[1 + i].sym === sym || (names.length === 1 && target[1 + i].n === -1));
    if (!back) return undefined;
    const last = target[target.length - 1];
    return {
      kind: 'data',
      tags: [false, ...merged.map((entry) => entry.startsWith('*')), false],
      // The target's own sizes where they name the axis: they carry what is known of it (a class token in front).
      sizes: [{ n: null, sym: 'batch' }, ...names.map((sym, i) => (target[1 + i].sym === sym ? target[1 + i] : { n: null, sym })), last.n === -1 ? sizes[1] : last],
      flattened: x.flattened,
    };
  }
  return undefined;
}

const expandDims: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const rank = rankOf(x, call);
    const raw = constantAt(call, 1) ?? 0;
    if (typeof raw !== 'number') throw new OpFall('gap', 'the axis of expandDims is not a compile-time constant', call.span);
    const axis = raw < 0 ? rank + 1 + raw : raw;
    const tags = [...x.tags!];
    const sizes = [...(x.sizes ?? x.tags!.map(() => ({ n: null })))];
    tags.splice(axis, 0, false);
    sizes.splice(axis, 0, { n: 1 });
    return { ...x, tags, sizes };
  },
};

const squeeze: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const rank = rankOf(x, call);
    const axes = axesArg(call, constantAt(call, 1), rank) ?? x.sizes?.flatMap((size, axis) => (size.n === 1 ? [axis] : [])) ?? [];
    if (axes.some((axis) => x.tags![axis])) throw new OpFall('gap', 'squeeze removes an acting axis', call.span);
    return { ...x, tags: x.tags!.filter((_, axis) => !axes.includes(axis)), sizes: x.sizes?.filter((_, axis) => !axes.includes(axis)) };
  },
};

const JOINED = 'joined:';

/**
 * The size of an axis joined by a concat along it, named after the concat and the number of
 * leading positions the group leaves where they are (a learned class token before the set).
 * Sizes follow their axis through every op, so a later slice can tell it takes only those.
 */
function joinedSize(prefix: number, span: SourceSpan): Size {
  return { n: null, sym: `${JOINED}${prefix}:${span.file}:${span.start}`, ...(prefix > 0 ? { unmoved: prefix } : {}) };
}

/** How many leading positions of an axis of this size the group leaves where they are. */
export function unmovedPrefix(size: Size | undefined): number {
  if (size?.unmoved !== undefined) return size.unmoved;
  if (!size?.sym?.startsWith(JOINED)) return 0;
  return Number(size.sym.slice(JOINED.length).split(':')[0]);
}

/** A cut [from, from + length) of an axis that lies within the positions the group does not move. */
export function withinUnmovedPrefix(size: Size | undefined, from: unknown, length: unknown): boolean {
  const prefix = unmovedPrefix(size);
  if (prefix <= 0) return false;
  return typeof from === 'number' && typeof length === 'number' && from >= 0 && length > 0 && from + length <= prefix;
}

/** An op that cuts or orders an acting axis by position: a slice of the first token, cumsum, reverse. */
export function positionalOn(call: OpCall, x: OpValue, axes: number[], what: string): void {
  if (!isData(x)) return;
  if (axes.some((axis) => x.tags?.[axis])) {
    if (call.joint) notJointly(call, what);
    throw new OpFall('positional-term', `${call.name} ${what} an acting axis by position`, call.span);
  }
}

const slice: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const rank = rankOf(x, call);
    const begin = constantAt(call, 1);
    const size = constantAt(call, 2);
    const begins = Array.isArray(begin) ? begin : typeof begin === 'number' ? [begin] : undefined;
    const sizes = Array.isArray(size) ? size : typeof size === 'number' ? [size] : undefined;
    if (!begins) throw new OpFall('gap', 'the begin of slice is not a compile-time constant', call.span);
    const cut: number[] = [];
    const outSizes: Size[] = [];
    const tags = x.tags ? [...x.tags] : undefined;
    for (let axis = 0; axis < rank; axis++) {
      const from = axis < begins.length ? begins[axis] : 0;
      const length = sizes && axis < sizes.length ? sizes[axis] : -1;
      const whole = from === 0 && (length === -1 || length === undefined || (typeof length === 'number' && length === x.sizes?.[axis]?.n));
      // Everything after the positions the group leaves in place: the set without its class token.
      const afterPrefix = tags?.[axis] && !whole && unmovedPrefix(x.sizes?.[axis]) > 0 && from === unmovedPrefix(x.sizes?.[axis]) && (length === -1 || length === undefined);
      if (tags?.[axis] && !whole && withinUnmovedPrefix(x.sizes?.[axis], from, length)) tags[axis] = false;
      else if (!whole && !afterPrefix) cut.push(axis);
      const rest = x.sizes?.[axis]?.n;
      outSizes.push(whole ? (x.sizes?.[axis] ?? { n: null }) : afterPrefix ? { n: typeof rest === 'number' && typeof from === 'number' ? rest - from : null } : { n: typeof length === 'number' && length >= 0 ? length : null });
    }
    positionalOn(call, x, cut, 'cuts');
    return { ...x, tags, sizes: outSizes };
  },
};

const stridedSlice: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    positionalOn(call, x, x.tags?.map((_, axis) => axis) ?? [], 'cuts');
    return { ...x, sizes: x.tags?.map(() => ({ n: null })) };
  },
};

/** gather(x, indices, axis): positions chosen by constant indices along an acting axis are fixed positions. */
const gather: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const operand = call.operands[1];
    const indices: OpValue = operand && 'tensor' in operand ? operand.tensor : { kind: 'fixed', tags: Array.isArray(constantAt(call, 1)) ? [false] : [], sizes: Array.isArray(constantAt(call, 1)) ? [{ n: (constantAt(call, 1) as unknown[]).length }] : [], source: 'constant indices' };
    const rank = rankOf(x, call);
    const axis = axisArg(call, constantAt(call, 2) ?? 0, rank) as number;
    const picked = constantAt(call, 1);
    const pickedList = typeof picked === 'number' ? [picked] : Array.isArray(picked) ? picked : undefined;
    const unmoved = pickedList !== undefined && pickedList.length > 0 && pickedList.every((index) => typeof index === 'number' && withinUnmovedPrefix(x.sizes?.[axis], index, 1));
    if (isData(x) && x.tags![axis] && !unmoved) {
      if (!isData(indices)) {
        if (call.joint) notJointly(call, 'picks along');
        throw new OpFall('positional-term', `gather picks fixed positions (${describeFixed(indices)}) along an acting axis`, call.span, indices.sourceSpan);
      }
      throw new OpFall('gap', 'gather along an acting axis by indices computed from the input', call.span);
    }
    const indexRank = rankOf(indices, call);
    const tags = [...x.tags!.slice(0, axis), ...indices.tags!, ...x.tags!.slice(axis + 1)];
    const xs = x.sizes ?? x.tags!.map(() => ({ n: null }));
    const sizes = [...xs.slice(0, axis), ...(indices.sizes ?? new Array<Size>(indexRank).fill({ n: null })), ...xs.slice(axis + 1)];
    if (isData(x) || isData(indices)) return { kind: 'data', tags, sizes, flattened: x.flattened || indices.flattened || undefined };
    // An embedding table looked up at tf.range(T): a positional encoding of the indices' positions.
    return { kind: 'fixed', tags, sizes, source: indices.source === 'tf.range' ? `an embedding of ${indices.source}` : describeFixed(x), sourceSpan: indices.source === 'tf.range' ? indices.sourceSpan : x.sourceSpan };
  },
};

function listOperand(call: OpCall): OpValue[] {
  const operand = call.operands[0];
  if (operand && 'tensors' in operand) return operand.tensors;
  throw new OpFall('gap', `the list of tensors of ${call.name} is not known statically`, call.span);
}

/**
 * concat(list, axis). Along a feature axis the operands line up on every other axis. Along an
 * acting axis the result is blockwise: every block the input moves is moved by the same group
 * element, fixed blocks (a learned class token) stay, and together that is one reordering of the
 * joined axis, which every op of the table that keeps the axis also keeps (docs/decisions.md).
 */
const concat: OpRule = {
  family: 'axes',
  apply(call) {
    const values = listOperand(call);
    const first = values.find((value) => value.tags);
    if (!first) return { ...values[0] };
    const rank = first.tags!.length;
    const axis = axisArg(call, constantAt(call, 1) ?? 0, rank) as number;
    const alongActing = values.some((value) => isData(value) && value.tags?.[axis]);
    if (alongActing && call.joint) notJointly(call, 'joins blocks along');
    const aligned = values.map((value) => ({ ...value, tags: value.tags?.map((tag, i) => (i === axis ? false : tag)), sizes: value.sizes?.map((size, i) => (i === axis ? { n: 1 } : size)) }));
    const joined = broadcast(call, aligned);
    if (!alongActing) return { ...joined, sizes: joined.sizes?.map((size, i) => (i === axis ? { n: null } : size)) };
    // Leading blocks the group does not move (fixed, or data not acting on the axis) of known size.
    let prefix = 0;
    for (const value of values) {
      const size = value.sizes?.[axis]?.n;
      if (isData(value) && value.tags?.[axis]) {
        // The first moved block may itself start with positions an earlier concat left in place.
        prefix += unmovedPrefix(value.sizes?.[axis]);
        break;
      }
      if (typeof size !== 'number' || size < 0) break;
      prefix += size;
    }
    const sizes = joined.sizes?.map((size, i) => (i === axis ? joinedSize(prefix, call.span) : size));
    return { ...joined, kind: 'data', tags: joined.tags?.map((tag, i) => tag || i === axis), sizes, blockwise: true };
  },
};

/** split(x, numOrSizeSplits, axis = 0): cutting an acting axis into pieces cuts it by position. */
const split: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    if (!x.tags) return { ...x };
    const axis = axisArg(call, constantAt(call, 2) ?? 0, x.tags.length) as number;
    positionalOn(call, x, [axis], 'cuts');
    const count = constantAt(call, 1);
    const whole = x.sizes?.[axis]?.n;
    const part: Size = { n: typeof count === 'number' && typeof whole === 'number' ? whole / count : null };
    return { ...x, sizes: x.sizes?.map((size, i) => (i === axis ? part : size)) };
  },
};

/** unstack(x, axis = 0): one tensor per position along the axis. */
const unstack: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    if (!x.tags) return { ...x };
    const axis = axisArg(call, constantAt(call, 1) ?? 0, x.tags.length) as number;
    positionalOn(call, x, [axis], 'cuts');
    return { ...x, tags: x.tags.filter((_, i) => i !== axis), sizes: x.sizes?.filter((_, i) => i !== axis) };
  },
};

/** One output of an op with several (`const [a, b] = tf.split(x, 2, -1)`): every part looks alike. */
const part: OpRule = {
  family: 'axes',
  apply(call) {
    return { ...tensorAt(call, 0) };
  },
};

const stack: OpRule = {
  family: 'axes',
  apply(call) {
    const values = listOperand(call);
    const joined = broadcast(call, values);
    if (!joined.tags) return joined;
    const axis = axisArg(call, constantAt(call, 1) ?? 0, joined.tags.length + 1) as number;
    const tags = [...joined.tags];
    const sizes = [...(joined.sizes ?? [])];
    tags.splice(axis, 0, false);
    sizes.splice(axis, 0, { n: values.length });
    return { ...joined, tags, sizes };
  },
};

/** cumsum(x, axis), cumprod: a running total depends on the order along the axis. */
const scan: OpRule = {
  family: 'scan',
  apply(call) {
    const x = tensorAt(call, 0);
    if (!x.tags) return { ...x };
    const axis = axisArg(call, constantAt(call, 1) ?? 0, x.tags.length) as number;
    positionalOn(call, x, [axis], 'accumulates along');
    return { ...x };
  },
};

const reverse: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const rank = rankOf(x, call);
    const axes = axesArg(call, constantAt(call, 1), rank) ?? Array.from({ length: rank }, (_, i) => i);
    positionalOn(call, x, axes, 'reverses');
    return { ...x };
  },
};

/** linalg.bandPart(x, lower, upper): keeps a band around the diagonal, a mask tied to positions. */
const bandPart: OpRule = {
  family: 'mask',
  apply(call) {
    const x = tensorAt(call, 0);
    const rank = rankOf(x, call);
    const lower = constantAt(call, 1);
    const upper = constantAt(call, 2);
    if (lower === -1 && upper === -1) return { ...x };
    if (isData(x)) positionalOn(call, x, [rank - 2, rank - 1], 'masks');
    return { ...x, source: 'a band mask from tf.linalg.bandPart (a causal mask)', sourceSpan: call.span, invariance: undefined };
  },
};

/** Shapes given as an operand: `[T, T]`, a list of sizes. */
function shapeOperand(call: OpCall, index: number): Size[] | undefined {
  const operand = call.operands[index];
  if (operand && 'dims' in operand) return operand.dims;
  const raw = constantAt(call, index);
  if (Array.isArray(raw)) return raw.map((n) => ({ n: typeof n === 'number' ? n : null }));
  return undefined;
}

function fixedOfShape(shape: Size[] | undefined, source: string, span: SourceSpan): OpValue {
  return shape ? { kind: 'fixed', tags: shape.map(() => false), sizes: shape, source, sourceSpan: span } : { kind: 'fixed', source, sourceSpan: span };
}

/** ones, zeros, fill, randomNormal...: (shape, ...). */
function constantOfShape(source: string, uniform = false): OpRule {
  return {
    family: 'source',
    apply: (call) => ({ ...fixedOfShape(shapeOperand(call, 0), source, call.span), ...(uniform ? { invariance: 'uniform' as const } : {}) }),
  };
}

function sizeArg(call: OpCall, index: number): Size {
  const operand = call.operands[index];
  if (operand && 'dims' in operand && operand.dims.length === 1) return operand.dims[0];
  const n = constantAt(call, index);
  return { n: typeof n === 'number' ? n : null };
}

/** tf.range(start, stop, step): position indices, fixed along their one axis. */
const range: OpRule = {
  family: 'source',
  apply(call) {
    const operand = call.operands[1] ?? call.operands[0];
    const single = operand && 'dims' in operand && operand.dims.length === 1 ? operand.dims[0] : undefined;
    const start = constantAt(call, 0);
    const stop = constantAt(call, 1);
    const step = constantAt(call, 2);
    const n = typeof start === 'number' && typeof stop === 'number' ? Math.max(0, Math.ceil((stop - start) / (typeof step === 'number' ? step : 1))) : null;
    // tf.range(T) and tf.range(0, T, 1, 'int32') count T positions: the size is that of T.
    const countsStop = call.operands.length === 1 || (start === 0 && (step === undefined || step === 1));
    return { kind: 'fixed', tags: [false], sizes: [single && (single.sym || single.n !== null) && countsStop ? single : { n }], source: 'tf.range', sourceSpan: call.span };
  },
};

/** tf.tensor(data, shape), tensor1d/2d: a constant, of the shape given or unknown. */
function literalTensor(rank?: number): OpRule {
  return {
    family: 'source',
    apply(call) {
      const shape = shapeOperand(call, 1);
      if (shape) return fixedOfShape(shape, 'a constant tensor', call.span);
      const data = constantAt(call, 0);
      if (rank === 1 && Array.isArray(data)) return fixedOfShape([{ n: data.length }], 'a constant tensor', call.span);
      if (rank === 0 || typeof data === 'number') return scalar();
      return rank === undefined ? { kind: 'fixed', source: 'a constant tensor', sourceSpan: call.span } : fixedOfShape(new Array<Size>(rank).fill({ n: null }), 'a constant tensor', call.span);
    },
  };
}

/** oneHot(indices, depth): a new last axis of classes. */
const oneHot: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const depth = constantAt(call, 1);
    return { ...x, tags: x.tags ? [...x.tags, false] : undefined, sizes: x.sizes ? [...x.sizes, { n: typeof depth === 'number' ? depth : null }] : undefined };
  },
};

/** tile(x, reps): repeating along an acting axis makes blocks that move on their own. */
const tile: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const reps = constantAt(call, 1);
    if (!Array.isArray(reps)) throw new OpFall('gap', 'the repetitions of tile are not compile-time constants', call.span);
    if (x.tags?.some((tag, axis) => tag && reps[axis] !== 1)) throw new OpFall('gap', 'tile repeats an acting axis', call.span);
    return { ...x, sizes: x.sizes?.map((size, axis) => (reps[axis] === 1 ? size : { n: size.n !== null && typeof reps[axis] === 'number' ? size.n * (reps[axis] as number) : null })) };
  },
};

/** pad(x, paddings): padding an acting axis adds positions that do not move. */
const pad: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const paddings = constantAt(call, 1);
    if (!Array.isArray(paddings)) throw new OpFall('gap', 'the paddings of pad are not compile-time constants', call.span);
    const padded = paddings.flatMap((pair, axis) => (Array.isArray(pair) && pair.some((n) => n !== 0) ? [axis] : []));
    positionalOn(call, x, padded, 'pads');
    return { ...x, sizes: x.sizes?.map((size, axis) => (padded.includes(axis) ? { n: null } : size)) };
  },
};

/** broadcastTo(x, shape): the new axes are copies, so nothing is tied to positions. */
const broadcastTo: OpRule = {
  family: 'axes',
  apply(call) {
    const x = tensorAt(call, 0);
    const shape = shapeOperand(call, 1);
    if (!shape || !x.tags) return { ...x, tags: shape?.map(() => false), sizes: shape };
    const offset = shape.length - x.tags.length;
    return { ...x, tags: shape.map((_, i) => (i >= offset ? x.tags![i - offset] : false)), sizes: shape.map((size, i) => (i >= offset && x.sizes?.[i - offset]?.n !== 1 ? x.sizes![i - offset] : size)) };
  },
};

/** Sublayers applied in call() (`this.dense.apply(x)`): per-element ones on the last axis. */
function lastAxisSublayer(outputSize: (options: Record<string, unknown> | undefined) => number | null): OpRule {
  return {
    family: 'sublayer',
    apply(call) {
      const x = tensorAt(call, 0);
      if (!x.tags) return { ...x };
      const last = x.tags.length - 1;
      const layer = call.name.slice('layer:'.length);
      if (x.tags[last]) throw new OpFall('mixes-acting-axis', `the ${layer} applied in call() mixes along the last axis, which the group moves`, call.span);
      if (x.flattened && isData(x)) throw new OpFall('flatten-then-mix', `the ${layer} applied in call() mixes features that hold the acting axes (merged by a reshape)`, call.span);
      const size = outputSize(call.options);
      return { ...x, sizes: x.sizes?.map((s, axis) => (axis === last && size !== undefined ? { n: size } : s)) };
    },
  };
}

const perElementSublayer: OpRule = {
  family: 'sublayer',
  apply(call) {
    return { ...tensorAt(call, 0) };
  },
};

const embeddingSublayer: OpRule = {
  family: 'sublayer',
  apply(call) {
    const x = tensorAt(call, 0);
    const size = call.options?.outputDim;
    return { ...x, tags: x.tags ? [...x.tags, false] : undefined, sizes: x.sizes ? [...x.sizes, { n: typeof size === 'number' ? size : null }] : undefined };
  },
};

const unitsOf = (options: Record<string, unknown> | undefined) => (typeof options?.units === 'number' ? options.units : null);

const UNARY_OPS = [
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cast', 'ceil', 'clipByValue', 'cos', 'cosh', 'elu', 'erf', 'exp',
  'expm1', 'floor', 'isFinite', 'isInf', 'isNaN', 'leakyRelu', 'log', 'log1p', 'logicalNot', 'logSigmoid', 'neg',
  'onesLike', 'reciprocal', 'relu', 'relu6', 'round', 'rsqrt', 'selu', 'sigmoid', 'sign', 'sin', 'sinh', 'softplus', 'sqrt',
  'square', 'step', 'tan', 'tanh', 'zerosLike', 'toFloat', 'toInt', 'asType',
];
const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'divNoNan', 'floorDiv', 'mod', 'pow', 'maximum', 'minimum', 'squaredDifference', 'atan2',
  'prelu', 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor',
];
const REDUCTIONS = ['mean', 'sum', 'max', 'min', 'prod', 'logSumExp', 'all', 'any', 'moments'];

/** The op table: tf function names (also tensor methods of the same name) and sublayers. */
export const CUSTOM_OP_RULES: ReadonlyMap<string, OpRule> = new Map<string, OpRule>([
  ...UNARY_OPS.map((name): [string, OpRule] => [name, unary]),
  ...BINARY_OPS.map((name): [string, OpRule] => [name, binary]),
  ['where', ternary],
  ['addN', elementwise('list')],
  ...REDUCTIONS.map((name): [string, OpRule] => [name, reduction()]),
  ['argMax', reduction(1, undefined)],
  ['argMin', reduction(1, undefined)],
  ['norm', reduction(2, 3)],
  ['softmax', softmax],
  ['logSoftmax', softmax],
  ['matMul', matMul],
  ['dot', dot],
  ['einsum', einsum],
  ['transpose', transpose],
  ['reshape', reshape],
  ['expandDims', expandDims],
  ['squeeze', squeeze],
  ['slice', slice],
  ['stridedSlice', stridedSlice],
  ['gather', gather],
  ['concat', concat],
  ['split', split],
  ['unstack', unstack],
  ['part', part],
  ['stack', stack],
  ['tile', tile],
  ['pad', pad],
  ['broadcastTo', broadcastTo],
  ['reverse', reverse],
  ['cumsum', scan],
  ['cumprod', scan],
  ['oneHot', oneHot],
  ['linalg.bandPart', bandPart],
  ['range', range],
  ['ones', constantOfShape('a constant tensor of ones', true)],
  ['zeros', constantOfShape('a constant tensor of zeros', true)],
  ['fill', constantOfShape('a constant tensor', true)],
  ['eye', { family: 'source', apply: (call) => ({ ...fixedOfShape([sizeArg(call, 0), sizeArg(call, 0)], 'an identity matrix', call.span), invariance: 'paired' }) }],
  ['randomNormal', constantOfShape('a random tensor')],
  ['randomUniform', constantOfShape('a random tensor')],
  ['truncatedNormal', constantOfShape('a random tensor')],
  ['scalar', literalTensor(0)],
  ['tensor', literalTensor()],
  ['tensor1d', literalTensor(1)],
  ['tensor2d', literalTensor(2)],
  ['tensor3d', literalTensor(3)],
  ...WINDOW_OP_RULES,
  ['layer:dense', lastAxisSublayer(unitsOf)],
  ['layer:layerNormalization', perElementSublayer],
  ['layer:dropout', perElementSublayer],
  ['layer:activation', perElementSublayer],
  ['layer:reLU', perElementSublayer],
  ['layer:leakyReLU', perElementSublayer],
  ['layer:elu', perElementSublayer],
  ['layer:softmax', perElementSublayer],
  ['layer:gaussianNoise', perElementSublayer],
  ['layer:gaussianDropout', perElementSublayer],
  ['layer:alphaDropout', perElementSublayer],
  ['layer:embedding', embeddingSublayer],
]);

/** Every tf op name the table classifies (not the sublayers), for the completeness test. */
export const CLASSIFIED_TF_OPS: readonly string[] = [...CUSTOM_OP_RULES.keys()].filter((name) => !name.startsWith('layer:') && name !== 'part');
