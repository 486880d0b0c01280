// Merge layers. Inference combines the input states (the weakest wins); these rules add what
// the merge itself does: a concatenation along an acting axis makes the action blockwise, and
// under sign the parity of the inputs decides (odd * odd is even, odd + even is neither).
import type { SymmetryState } from '../symmetry';
import type { LayerRule, LocalEffect, RuleContext, Shape, ShapeContext } from './types';
import { breaks, cause, keep, toInvariant, unknown } from './types';
import { axisPosition } from './pointwise';
import { nonOdd } from './sign';

/** Under sign, `acting` means odd and `invariant` means even. */
function parities(context: RuleContext): { odd: number; even: number } {
  const count = (kind: SymmetryState['kind']) => context.inputStates.filter((state) => state.kind === kind).length;
  return { odd: count('acting'), even: count('invariant') };
}

function broadcastShape(context: ShapeContext): Shape {
  const known = context.inputShapes.filter((shape): shape is (number | null)[] => shape !== undefined);
  if (known.length === 0) return undefined;
  const rank = Math.max(...known.map((shape) => shape.length));
  return Array.from({ length: rank }, (_, index) => {
    const dims = known.map((shape) => shape[shape.length - rank + index]).filter((dim) => dim !== undefined && dim !== null && dim !== 1);
    if (dims.length > 0) return dims[0] as number;
    return known.every((shape) => shape[shape.length - rank + index] === 1) ? 1 : null;
  });
}

/** Sums and averages: odd + even is neither. */
function additive(kind: string): LayerRule {
  return {
    kind,
    family: 'merge',
    mixing: false,
    outputShape: broadcastShape,
    effect: (context) => {
      if (context.group !== 'sign') return keep();
      const { odd, even } = parities(context);
      return odd > 0 && even > 0 ? nonOdd(context, `${kind} combines an odd and an even tensor, which is neither`) : keep();
    },
  };
}

/** Products: the parity multiplies. */
function productEffect(context: RuleContext): LocalEffect {
  if (context.group !== 'sign') return keep();
  return parities(context).odd % 2 === 0 ? toInvariant() : keep();
}

function extremum(kind: string): LayerRule {
  return {
    kind,
    family: 'merge',
    mixing: false,
    outputShape: broadcastShape,
    effect: (context) => {
      if (context.group !== 'sign' || parities(context).odd === 0) return keep();
      return nonOdd(context, `${kind} of odd tensors is not odd (max(-a, -b) = -min(a, b))`);
    },
  };
}

/**
 * The contracted position (without the batch axis) in each input of `tf.layers.dot`, from its
 * `axes` (a number for both, or one per input; counted with the batch axis, negative from the end).
 */
function dotAxes(raw: unknown, leftRank: number | undefined, rightRank: number | undefined): [number, number] | null {
  const pair = typeof raw === 'number' ? [raw, raw] : Array.isArray(raw) && raw.length === 2 ? raw : null;
  if (!pair || !pair.every((axis) => typeof axis === 'number' && Number.isInteger(axis))) return null;
  const position = (axis: number, rank: number | undefined): number | null => {
    if (axis > 0) return axis - 1;
    return rank === undefined || axis === 0 ? null : rank + axis;
  };
  const left = position(pair[0] as number, leftRank);
  const right = position(pair[1] as number, rightRank);
  return left === null || right === null ? null : [left, right];
}

/**
 * `tf.layers.dot` judged by the axes it contracts (SPEC section 4, as for matMul in custom
 * layers). Contracting features keeps the action on the other axes (two sets give a paired
 * [T, T] tensor the action moves on both axes); contracting an acting axis of both inputs sums
 * over positions that the action moves together, which is invariant; contracting an acting axis
 * against one the group does not move ties positions to fixed indices and breaks it.
 */
function dotEffect(context: RuleContext): LocalEffect {
  if (context.group === 'sign') return productEffect(context);
  if (context.inputStates.every((state) => state.kind !== 'acting')) return keep();
  const [leftShape, rightShape] = context.inputShapes;
  const axes = dotAxes(context.config.raw('axes'), leftShape?.length, rightShape?.length);
  if (!axes || !leftShape) {
    return unknown(cause(context, 'non-constant-config', 'dot: the contracted axes are not known for these inputs'));
  }
  const [leftActing, rightActing] = [context.inputAxes?.[0] ?? [], context.inputAxes?.[1] ?? []];
  const contractsLeft = leftActing.includes(axes[0]);
  const contractsRight = rightActing.includes(axes[1]);
  if (contractsLeft !== contractsRight) {
    const side = contractsLeft ? 'first' : 'second';
    return breaks(
      cause(context, 'mixes-acting-axis', `dot contracts an axis ${context.group} acts on in its ${side} input against an axis it does not move in the other`),
    );
  }
  const remaining = (acting: number[], contracted: number, offset: number) =>
    acting.filter((axis) => axis !== contracted).map((axis) => offset + (axis < contracted ? axis : axis - 1));
  const moved = [...remaining(leftActing, axes[0], 0), ...remaining(rightActing, axes[1], leftShape.length - 1)];
  return moved.length === 0 ? toInvariant() : keep({ axes: moved });
}

export const MERGE_RULES: LayerRule[] = [
  additive('add'),
  additive('average'),
  {
    kind: 'multiply',
    family: 'merge',
    mixing: false,
    outputShape: broadcastShape,
    effect: productEffect,
  },
  extremum('maximum'),
  extremum('minimum'),
  {
    kind: 'concatenate',
    family: 'merge',
    mixing: false,
    outputShape: (context) => {
      const shapes = context.inputShapes;
      if (shapes.some((shape) => shape === undefined) || shapes.length === 0) return undefined;
      const rank = (shapes[0] as (number | null)[]).length;
      const axis = axisPosition(context.config.number('axis', -1) ?? Number.NaN, rank);
      if (axis === null || Number.isNaN(axis)) return undefined;
      return (shapes[0] as (number | null)[]).map((dim, index) => {
        if (index !== axis) return dim;
        return shapes.reduce<number | null>((total, shape) => (total === null || shape?.[index] == null ? null : total + (shape[index] as number)), 0);
      });
    },
    effect: (context) => {
      if (context.group === 'sign') {
        const { odd, even } = parities(context);
        return odd > 0 && even > 0 ? nonOdd(context, 'concatenate joins an odd and an even tensor, which is neither') : keep();
      }
      const axis = axisPosition(context.config.number('axis', -1) as number, context.inputRank);
      if (axis === null) return unknown(cause(context, 'non-constant-config', 'concatenate: the axis is not known for an input of unknown rank'));
      // Along an acting axis each input block transforms on its own: the action is blockwise.
      return context.axes.includes(axis) ? keep({ blockwise: true }) : keep();
    },
  },
  {
    kind: 'dot',
    family: 'merge',
    mixing: true,
    outputShape: (context) => {
      const [left, right] = context.inputShapes;
      if (!left || !right) return undefined;
      const axes = dotAxes(context.config.raw('axes'), left.length, right.length);
      if (!axes) return undefined;
      // tfjs: the left input's other axes, then the right input's other axes; [1] when none remain.
      const output = [...left.filter((_, axis) => axis !== axes[0]), ...right.filter((_, axis) => axis !== axes[1])];
      return output.length === 0 ? [1] : output;
    },
    effect: dotEffect,
  },
];
