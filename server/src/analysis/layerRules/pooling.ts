// Pooling: windowed max/average pooling (stride subgroup, border effects, the rotation grid
// check, order dependence along a set axis) and global pooling (acting axes vanish: invariant).
import type { LayerRule, LocalEffect, RuleContext, Shape, ShapeContext } from './types';
import { breaks, cause, formatTuple, formatWindow, keep, toInvariant } from './types';
import { gridCheck, readPadding, spatialOffset, translationWindowEffect, windowOutputLength } from './geometry';
import { nonOdd } from './sign';

type Reduction = 'max' | 'average';

function poolGeometry(context: RuleContext, spatialRank: number) {
  const pool = context.config.tuple('poolSize', spatialRank, 2) as number[];
  const strides = context.config.tuple('strides', spatialRank, pool) as number[];
  const padding = readPadding(context.config.string('padding', 'valid')) ?? 'valid';
  return { pool, strides, padding };
}

function poolShape(spatialRank: number) {
  return (context: ShapeContext): Shape => {
    const input = context.inputShapes[0];
    if (!input) return undefined;
    const pool = context.config.tuple('poolSize', spatialRank, 2);
    const strides = context.config.tuple('strides', spatialRank, pool);
    const padding = readPadding(context.config.string('padding', 'valid'));
    const offset = context.config.string('dataFormat', 'channelsLast') === 'channelsFirst' ? 1 : 0;
    const spatial = input.slice(offset, offset + spatialRank).map((size, axis) => windowOutputLength(size, pool[axis], strides[axis], padding));
    return [...input.slice(0, offset), ...spatial, ...input.slice(offset + spatialRank)];
  };
}

/** The effect of a pooling window on the acting spatial axes, for every group. */
export function windowPoolingEffect(context: RuleContext, what: string, spatialRank: number, reduction: Reduction, geometry = poolGeometry(context, spatialRank)): LocalEffect {
  if (context.group === 'sign') {
    return reduction === 'max' ? nonOdd(context, `${what} takes a maximum, which is not odd`) : keep();
  }
  const input = context.inputShapes[0];
  const offset = spatialOffset(context);
  const positions = context.axes.filter((axis) => axis >= offset && axis < offset + spatialRank);
  const sizes = positions.map((axis) => (input ? (input[axis] ?? null) : null));
  const pools = positions.map((axis) => geometry.pool[axis - offset]);
  const strides = positions.map((axis) => geometry.strides[axis - offset]);
  switch (context.group) {
    case 'translation':
      return translationWindowEffect(context, what, sizes, pools, strides, geometry.padding);
    case 'rotation90':
    case 'dihedral':
    case 'flip':
      return gridCheck(context, what, sizes, pools, strides, geometry.padding);
    case 'permutation':
      if (pools.some((pool) => pool > 1) || strides.some((stride) => stride > 1)) {
        return breaks(
          cause(context, 'set-axis-window', `${what} with a ${formatWindow(pools)} window and stride ${formatTuple(strides)} along the set axis depends on element order`),
        );
      }
      return keep();
  }
}

function windowPooling(kind: string, spatialRank: number, reduction: Reduction): LayerRule {
  return {
    kind,
    family: 'pooling',
    mixing: true,
    inputRank: spatialRank + 1,
    outputShape: poolShape(spatialRank),
    effect: (context) => windowPoolingEffect(context, kind, spatialRank, reduction),
  };
}

/**
 * Reducing over the first `spatialRank` axes: the acting axes among them vanish. Also used by
 * the library's set pooling. A flattened input whose merged axis is reduced becomes invariant.
 */
export function globalReductionEffect(context: RuleContext, what: string, spatialRank: number, reduction: Reduction): LocalEffect {
  if (context.group === 'sign') {
    return reduction === 'max' ? nonOdd(context, `${what} takes a maximum, which is not odd`) : keep();
  }
  const offset = spatialOffset(context);
  const reduced = (axis: number) => axis >= offset && axis < offset + spatialRank;
  if (context.flatAxes) return context.flatAxes.every(reduced) ? toInvariant() : keep();
  const remaining = context.axes.filter((axis) => !reduced(axis));
  if (remaining.length === 0) return toInvariant();
  // The group still acts on an axis that survives the reduction (a channel axis): it moves forward.
  return keep({ axes: remaining.map((axis) => (axis < offset ? axis : axis - spatialRank)) });
}

function globalPooling(kind: string, spatialRank: number, reduction: Reduction): LayerRule {
  return {
    kind,
    family: 'pooling',
    mixing: true,
    inputRank: spatialRank + 1,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      if (!input) return undefined;
      const offset = context.config.string('dataFormat', 'channelsLast') === 'channelsFirst' ? 1 : 0;
      return [...input.slice(0, offset), ...input.slice(offset + spatialRank)];
    },
    effect: (context) => globalReductionEffect(context, kind, spatialRank, reduction),
  };
}

export const POOLING_RULES: LayerRule[] = [
  windowPooling('maxPooling1d', 1, 'max'),
  windowPooling('maxPool1d', 1, 'max'),
  windowPooling('maxPooling2d', 2, 'max'),
  windowPooling('maxPool2d', 2, 'max'),
  windowPooling('maxPooling3d', 3, 'max'),
  windowPooling('averagePooling1d', 1, 'average'),
  windowPooling('avgPool1d', 1, 'average'),
  windowPooling('avgPooling1d', 1, 'average'),
  windowPooling('averagePooling2d', 2, 'average'),
  windowPooling('avgPool2d', 2, 'average'),
  windowPooling('avgPooling2d', 2, 'average'),
  windowPooling('averagePooling3d', 3, 'average'),
  windowPooling('avgPool3d', 3, 'average'),
  windowPooling('avgPooling3d', 3, 'average'),
  globalPooling('globalAveragePooling1d', 1, 'average'),
  globalPooling('globalAveragePooling2d', 2, 'average'),
  globalPooling('globalMaxPool1d', 1, 'max'),
  globalPooling('globalMaxPooling1d', 1, 'max'),
  globalPooling('globalMaxPool2d', 2, 'max'),
  globalPooling('globalMaxPooling2d', 2, 'max'),
];
