// Rules for the equivariant layers library that ships with Symmetry Lint (SPEC section 6):
// circular padding, anti-aliased and polyphase pooling, P4 group convolutions, group
// averaging, DeepSets layers, set attention and graph convolution. Each states the symmetry
// it was built to keep. The configs
// read here are the ones the classes in layers/src accept (names and defaults match).
import type { GroupName } from '../symmetry';
import type { LayerRule, LocalEffect, RuleContext, ShapeContext } from './types';
import { breaks, cause, formatTuple, keep, subgroup, toInvariant, unknown } from './types';
import { gridCheck, readPadding, windowOutputLength } from './geometry';
import { convolutionEffect, readConvolutionGeometry } from './convolution';
import { affineUnderSign, nonOdd } from './sign';
import { globalReductionEffect } from './pooling';
import { lastAxisMixing } from './pointwise';

const known = (value: number | null) => (value === null || Number.isNaN(value) ? null : value);

function spatialShape(context: ShapeContext, size: (n: number | null, axis: number) => number | null, channels: (c: number | null) => number | null) {
  const input = context.inputShapes[0];
  if (!input) return undefined;
  return [size(input[0], 0), size(input[1], 1), channels(input[input.length - 1])];
}

/**
 * The groups a GroupAveraging over `named` makes a model invariant to (D4 contains C4 and the
 * flip). The library averages over rotation90, flip, dihedral and sign only: translation and
 * permutation orbits are too large to enumerate.
 */
function averagedGroups(named: string[]): Set<GroupName> {
  const groups = new Set<GroupName>();
  for (const name of named) {
    if (name === 'dihedral') groups.add('dihedral').add('rotation90').add('flip');
    else if (name === 'rotation90' || name === 'flip' || name === 'sign') groups.add(name);
  }
  return groups;
}

function stridedPoolEffect(context: RuleContext, what: string, stride: number, filter: number, translation: LocalEffect, spatialRank = 2): LocalEffect {
  const input = context.inputShapes[0];
  const acting = context.axes.filter((axis) => axis < spatialRank);
  switch (context.group) {
    case 'sign':
      // The optional dense max before the blur is not odd; the blur alone is linear.
      return (context.config.number('poolSize', 1) ?? 1) > 1 ? nonOdd(context, `${what} takes a maximum (poolSize > 1), which is not odd`) : keep();
    case 'translation':
      return translation;
    case 'permutation':
      return breaks(cause(context, 'set-axis-window', `${what} samples neighbouring positions along the set axis`));
    default:
      return gridCheck(
        context,
        what,
        acting.map((axis) => input?.[axis] ?? null),
        acting.map(() => filter),
        acting.map(() => stride),
        'same',
      );
  }
}

/** CircularPad1D/2D/3D: wrapped borders on the first `spatialRank` axes. */
function circularPadding(kind: string, spatialRank: number): LayerRule {
  return {
    kind,
    family: 'library',
    mixing: false,
    inputRank: spatialRank + 1,
    outputShape: (context) => {
      const padding = context.config.tuple('padding', spatialRank, 1);
      const input = context.inputShapes[0];
      if (!input) return undefined;
      return input.map((size, axis) => (axis >= spatialRank ? size : size === null || padding[axis] === null ? null : size + 2 * (padding[axis] as number)));
    },
    effect: (context) => {
      const padding = context.config.tuple('padding', spatialRank, 1) as number[];
      const acting = context.axes.filter((axis) => axis < spatialRank);
      switch (context.group) {
        case 'translation':
          // Wrapped borders: a following 'valid' convolution that uses at most this margin is exact.
          return keep({ margin: Math.min(...acting.map((axis) => padding[axis])) });
        case 'rotation90':
        case 'dihedral':
          return new Set(acting.map((axis) => padding[axis])).size <= 1
            ? keep()
            : breaks(cause(context, 'asymmetric-border', `${kind} pads ${formatTuple(padding)}, which a rotation does not preserve`));
        case 'permutation':
          return breaks(cause(context, 'set-axis-window', `${kind} wraps elements of the set axis around its ends`));
        default:
          return keep();
      }
    },
  };
}

/** BlurPool1D/2D/3D: an optional stride-1 max, a binomial blur, then a stride on every spatial axis. */
function blurPool(kind: string, spatialRank: number): LayerRule {
  return {
    kind,
    family: 'library',
    mixing: true,
    inputRank: spatialRank + 1,
    outputShape: (context) => {
      const stride = context.config.number('stride', 2);
      const input = context.inputShapes[0];
      if (!input) return undefined;
      return input.map((size, axis) => (axis >= spatialRank ? size : windowOutputLength(size, 1, stride, 'same')));
    },
    effect: (context) => {
      const stride = context.config.number('stride', 2) as number;
      // The window is the blur filter (after an optional stride-1 max of poolSize); borders wrap.
      const filter = Math.max(context.config.number('filterSize', 3) as number, context.config.number('poolSize', 1) as number);
      const translation =
        stride > 1
          ? subgroup(stride, cause(context, 'stride', `${kind} with stride ${stride} (anti-aliased): only shifts by multiples of ${stride} commute exactly`))
          : keep();
      return stridedPoolEffect(context, kind, stride, filter, translation, spatialRank);
    },
  };
}

function p4Convolution(kind: string): LayerRule {
  return {
    kind,
    family: 'library',
    mixing: true,
    inputRank: 3,
    outputShape: (context) => {
      const kernels = context.config.tuple('kernelSize', 2, Number.NaN);
      const strides = context.config.tuple('strides', 2, 1);
      const padding = readPadding(context.config.string('padding', 'same'));
      // Channels are rotation-major: 4 blocks of `filters`.
      const filters = known(context.config.number('filters', Number.NaN));
      return spatialShape(context, (size, axis) => windowOutputLength(size, known(kernels[axis]), strides[axis], padding), () => (filters === null ? null : 4 * filters));
    },
    effect: (context) => {
      if (context.group === 'sign') return affineUnderSign(context);
      const mixesActing = lastAxisMixing(context, kind);
      if (mixesActing) return mixesActing;
      return convolutionEffect(context, kind, 2, readConvolutionGeometry(context, 2, { padding: 'same' }), true);
    },
  };
}


/** Per-element layers (SetDense, GraphConv): the last axis becomes `units`, the others stay. */
function unitsOnLastAxis(context: ShapeContext): (number | null)[] | undefined {
  const input = context.inputShapes[0];
  const units = known(context.config.number('units', Number.NaN));
  return input ? [...input.slice(0, -1), units] : undefined;
}

export const LIBRARY_RULES: LayerRule[] = [
  circularPadding('CircularPad1D', 1),
  circularPadding('CircularPad2D', 2),
  circularPadding('CircularPad3D', 3),
  blurPool('BlurPool1D', 1),
  blurPool('BlurPool2D', 2),
  blurPool('BlurPool3D', 3),
  {
    kind: 'PolyphasePool2D',
    family: 'library',
    mixing: true,
    inputRank: 3,
    outputShape: (context) => {
      const stride = context.config.number('stride', 2);
      // The layer refuses sizes that are not multiples of the stride.
      return spatialShape(context, (size) => (size !== null && stride !== null && size % stride === 0 ? size / stride : null), (c) => c);
    },
    effect: (context) => {
      if (context.group === 'permutation') {
        return breaks(cause(context, 'set-axis-window', 'PolyphasePool2D samples positions along the set axis'));
      }
      // Adaptive polyphase sampling picks the phase of largest norm, which moves with the input:
      // circular shifts (and rotations, which permute the phases) commute up to that choice,
      // and a following global pooling is exactly invariant. The phase norm is even in x.
      // Equivariance is another matter: the output moves by an amount the input decides, not
      // by the declared shift rescaled (measured: 0.11 at an equivariant output).
      if (context.mode === 'equivariant' && context.group !== 'sign') {
        const stride = context.config.number('stride', 2) ?? 2;
        const detail = `PolyphasePool2D picks its sampling phase from the input, so its output moves by an input-dependent amount: equivariance holds only for shifts by multiples of ${stride}`;
        return context.group === 'translation'
          ? subgroup(stride, cause(context, 'stride', detail))
          : subgroup(null, cause(context, 'grid-offset', detail));
      }
      return keep();
    },
  },
  p4Convolution('P4ConvLifting2D'),
  p4Convolution('P4Conv2D'),
  {
    kind: 'P4GroupPool',
    family: 'library',
    mixing: true,
    inputRank: 3,
    outputShape: (context) => spatialShape(context, (size) => size, (c) => (c !== null && c % 4 === 0 ? c / 4 : null)),
    effect: (context) => {
      if (context.group !== 'sign') return keep();
      const reduction = context.config.string('reduction', 'max');
      return reduction === 'max' ? nonOdd(context, 'P4GroupPool takes a maximum over rotations, which is not odd') : keep();
    },
  },
  {
    kind: 'GroupAveraging',
    family: 'library',
    mixing: true,
    // The backbone (often a whole model) is not followed: its output shape is unknown.
    outputShape: () => undefined,
    effect: (context) => {
      const raw = context.config.raw('group');
      const named = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((entry): entry is string => typeof entry === 'string') : [];
      if (averagedGroups(named).has(context.group)) return toInvariant();
      return unknown(
        cause(context, 'unmodelled-layer', `GroupAveraging averages over ${named.join(', ') || 'an unknown group'}, not ${context.group}; its backbone is not analysed`),
      );
    },
  },
  {
    kind: 'SetDense',
    family: 'library',
    mixing: true,
    inputRank: 2,
    outputShape: unitsOnLastAxis,
    effect: (context) => {
      if (context.group === 'sign') return affineUnderSign(context);
      // Per-element weights plus a term pooled over the set: equivariant to any reordering of it.
      return lastAxisMixing(context, 'SetDense') ?? keep();
    },
  },
  {
    kind: 'SetPool',
    family: 'library',
    mixing: true,
    inputRank: 2,
    outputShape: (context) => context.inputShapes[0]?.slice(1),
    effect: (context) => {
      const reduction = context.config.string('reduction', 'mean');
      return globalReductionEffect(context, 'SetPool', 1, reduction === 'max' ? 'max' : 'average');
    },
  },
  {
    kind: 'SetAttention',
    family: 'library',
    mixing: true,
    inputRank: 2,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      if (!input) return undefined;
      const units = context.config.number('units', Number.NaN);
      const out = units === null || Number.isNaN(units) ? input[input.length - 1] : units;
      return context.config.boolean('pooling', false) ? [out] : [...input.slice(0, -1), out];
    },
    effect: (context) => {
      const pooling = context.config.boolean('pooling', false) === true;
      if (context.group === 'sign') {
        // Q·Kᵀ is even in x and V odd, so without biases the equivariant form is odd; a learned
        // query meets keys that change sign, which reweights the softmax.
        if (pooling) return nonOdd(context, 'SetAttention pooling compares a fixed learned query with keys that change sign, so the softmax weights change');
        return context.config.boolean('useBias', true) === false ? keep() : nonOdd(context, 'SetAttention adds biases to its projections, which is not odd');
      }
      const mixesFeatures = lastAxisMixing(context, 'SetAttention');
      if (mixesFeatures) return mixesFeatures;
      // No position enters the scores: reordering the set axis reorders the rows (equivariant),
      // and the pooling form's weighted sum over the set does not see the order (invariant).
      return pooling ? globalReductionEffect(context, 'SetAttention pooling', 1, 'average') : keep();
    },
  },
  {
    kind: 'GraphConv',
    family: 'library',
    mixing: true,
    inputRank: 2,
    outputShape: unitsOnLastAxis,
    effect: (context) => graphConvEffect(context),
  },
];

/**
 * GraphConv on [X, A]: per-node weights on the features, and messages `A·X` summed over the
 * neighbours (optionally with self-loops and a symmetric normalisation by degree, both computed
 * from A). Under the joint permutation (X -> P·X, A -> P·A·Pᵀ) that commutes exactly; with an
 * adjacency the declaration does not pair (`adjacency=`), A's columns stay put while X's rows
 * move, so the sum over neighbours is taken against fixed positions.
 */
function graphConvEffect(context: RuleContext): LocalEffect {
  if (context.group === 'sign') return affineUnderSign(context);
  const mixesFeatures = lastAxisMixing(context, 'GraphConv');
  if (mixesFeatures) return mixesFeatures;
  if (context.group !== 'permutation') {
    return unknown(cause(context, 'unmodelled-layer', `GraphConv sums over neighbours along the node axis, which ${context.group} does not act on as a graph`));
  }
  const adjacencyAxes = context.inputAxes?.[1];
  if (adjacencyAxes && adjacencyAxes.length === 2) return keep();
  return unknown(
    cause(
      context,
      'unmodelled-layer',
      'GraphConv keeps only the joint permutation of nodes and adjacency: name the adjacency input (adjacency=1)',
    ),
  );
}

/** A library class without a rule (a newer library version, or a misspelt name). */
export function unknownLibraryLayer(context: RuleContext): LocalEffect {
  return unknown(cause(context, 'unmodelled-layer', `${context.ref.kind} is not a layer of the equivariant library this analysis knows`));
}
