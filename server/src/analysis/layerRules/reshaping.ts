// Layers that rearrange a tensor: flatten and reshape (merging acting axes flattens the action),
// permute (the acting axes move), repeatVector, and upSampling2d (the action is rescaled).
import type { LayerRule, LocalEffect, RuleContext, Shape } from './types';
import { breaks, cause, keep, toFlattened, unknown } from './types';
import { gcd, spatialOffset } from './geometry';

function product(values: (number | null)[]): number | null {
  return values.reduce<number | null>((total, value) => (total === null || value === null ? null : total * value), 1);
}

function flattenEffect(context: RuleContext): LocalEffect {
  if (context.group === 'sign' || context.axes.length === 0) return keep();
  if (context.inputRank === 1) return keep();
  return toFlattened();
}

/** A reshape keeps the action when it leaves every axis up to the last acting one untouched. */
function reshapeEffect(context: RuleContext): LocalEffect {
  if (context.group === 'sign' || context.axes.length === 0) return keep();
  const input = context.inputShapes[0];
  const output = context.outputShape;
  if (input && output) {
    const last = Math.max(...context.axes);
    const untouched = input.slice(0, last + 1).every((size, axis) => size !== null && size === output[axis]);
    if (untouched) return keep();
    const channels = input[input.length - 1];
    const keepsChannels = channels !== null && channels === output[output.length - 1] && context.axes.every((axis) => axis < input.length - 1);
    if (keepsChannels && output.length === 2 && mergesIntoOne(input, output)) {
      // [N, H, W, C] -> [N, H*W, C]: every position keeps its channels, so a shift (or rotation,
      // or flip) of the image becomes a permutation of the merged axis.
      return keep({ axes: [0], permutes: true });
    }
    if (keepsChannels && output.length >= 2) {
      // Spatial or set axes merged into the leading axes, channels kept: a global reduction
      // over them still gives an invariant.
      return toFlattened(output.slice(0, -1).map((_, axis) => axis));
    }
  }
  return toFlattened();
}

/**
 * The factor by which upSampling2d stretches every acting axis: a shift by 1 becomes a shift
 * by it. The common divisor of the per-axis sizes, so that later strides are judged
 * conservatively; 1 when a size is not known.
 */
function upsamplingFactor(context: RuleContext): number {
  const size = context.config.tuple('size', 2, 2);
  const offset = spatialOffset(context);
  const factors = context.axes.filter((axis) => axis >= offset && axis < offset + 2).map((axis) => size[axis - offset]);
  if (factors.length === 0 || factors.some((factor) => factor === null || !Number.isInteger(factor) || (factor as number) < 1)) return 1;
  return (factors as number[]).reduce((a, b) => gcd(a, b));
}

/** The output's one position axis holds all of the input's positions (sizes agree where known). */
function mergesIntoOne(input: (number | null)[], output: (number | null)[]): boolean {
  const positions = product(input.slice(0, -1));
  return positions === null || output[0] === null || output[0] === positions;
}

function permuteDims(context: { config: { raw(key: string): unknown } }): number[] | null {
  const dims = context.config.raw('dims');
  if (!Array.isArray(dims) || !dims.every((dim) => typeof dim === 'number')) return null;
  return dims as number[];
}

function permuteEffect(context: RuleContext): LocalEffect {
  if (context.group === 'sign' || context.axes.length === 0) return keep();
  const dims = permuteDims(context);
  if (!dims) return unknown(cause(context, 'non-constant-config', 'permute: dims is not a list of numbers'));
  const moved = context.axes.map((axis) => dims.indexOf(axis + 1));
  if (moved.some((position) => position < 0)) {
    return unknown(cause(context, 'unmodelled-layer', 'permute: dims does not name every axis'));
  }
  if ((context.group === 'rotation90' || context.group === 'dihedral') && moved.length === 2 && moved[0] > moved[1]) {
    return unknown(
      cause(context, 'unmodelled-layer', 'permute swaps the rotated axes, which turns each rotation into its inverse; the analysis does not track that action'),
    );
  }
  return keep({ axes: moved });
}

export const RESHAPING_RULES: LayerRule[] = [
  {
    kind: 'flatten',
    family: 'reshaping',
    mixing: false,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      if (!input) return undefined;
      return input.length <= 1 ? input : [product(input)];
    },
    effect: flattenEffect,
  },
  {
    kind: 'reshape',
    family: 'reshaping',
    mixing: false,
    outputShape: (context): Shape => {
      const target = context.config.raw('targetShape');
      if (!Array.isArray(target)) return undefined;
      const dims = target.map((dim) => (typeof dim === 'number' ? dim : null));
      const free = dims.indexOf(-1);
      if (free < 0) return dims;
      const input = context.inputShapes[0];
      const total = input ? product(input) : null;
      const known = product(dims.filter((_, axis) => axis !== free));
      dims[free] = total !== null && known !== null && known !== 0 ? total / known : null;
      return dims;
    },
    effect: reshapeEffect,
  },
  {
    kind: 'permute',
    family: 'reshaping',
    mixing: false,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      const dims = permuteDims(context);
      if (!input || !dims) return undefined;
      return dims.map((dim) => input[dim - 1] ?? null);
    },
    effect: permuteEffect,
  },
  {
    kind: 'repeatVector',
    family: 'reshaping',
    mixing: false,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      const times = context.config.number('n', Number.NaN);
      if (!input) return undefined;
      return [times === null || Number.isNaN(times) ? null : times, ...input];
    },
    effect: (context) => (context.axes.length === 0 ? keep() : keep({ axes: context.axes.map((axis) => axis + 1) })),
  },
  {
    kind: 'upSampling2d',
    family: 'reshaping',
    mixing: false,
    inputRank: 3,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      if (!input) return undefined;
      const size = context.config.tuple('size', 2, 2);
      const offset = context.config.string('dataFormat', 'channelsLast') === 'channelsFirst' ? 1 : 0;
      const scaled = [0, 1].map((axis) => {
        const dim = input[offset + axis];
        return dim === null || size[axis] === null ? null : dim * (size[axis] as number);
      });
      return [...input.slice(0, offset), ...scaled, ...input.slice(offset + 2)];
    },
    effect: (context) => {
      if (context.group === 'translation') return keep({ rescale: { up: upsamplingFactor(context), down: 1 } });
      if (context.group !== 'rotation90' && context.group !== 'dihedral') return keep();
      const size = context.config.tuple('size', 2, 2);
      if (size[0] !== size[1]) {
        return breaks(cause(context, 'non-square-window', `upSampling2d by ${size.join('x')} makes a square input non-square`));
      }
      return keep();
    },
  },
];
