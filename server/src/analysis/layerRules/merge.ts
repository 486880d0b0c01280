// Merge layers. Inference combines the input states (the weakest wins); these rules add what
// the merge itself does: a concatenation along an acting axis makes the action blockwise, and
// under sign the parity of the inputs decides (odd * odd is even, odd + even is neither).
import type { SymmetryState } from '../symmetry';
import type { LayerRule, LocalEffect, RuleContext, Shape, ShapeContext } from './types';
import { cause, keep, toInvariant, unknown } from './types';
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
      if (left?.length === 1 && right?.length === 1) return [1];
      return undefined;
    },
    effect: (context) => {
      if (context.group === 'sign') return productEffect(context);
      if (context.inputStates.every((state) => state.kind !== 'acting')) return keep();
      return unknown(cause(context, 'unmodelled-layer', 'dot of tensors the group acts on is not modelled'));
    },
  },
];
