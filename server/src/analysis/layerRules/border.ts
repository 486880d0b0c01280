// Border layers: zeroPadding2d, cropping2D and centerCrop. Symmetric borders keep rotation and
// flip; uneven ones break them; any border is approximate under translation.
import type { CauseCode } from '../symmetry';
import type { LayerRule, LocalEffect, RuleContext } from './types';
import { approx, breaks, cause, keep, unknown } from './types';
import { spatialOffset } from './geometry';

type Borders = [[number, number], [number, number]];

/** The effect of adding (`zero-padding`) or removing (`cropping`) borders on the H and W axes. */
function borderEffect(context: RuleContext, what: string, borders: Borders, code: Extract<CauseCode, 'zero-padding' | 'cropping'>): LocalEffect {
  // Borders are given for (H, W), which sit behind the channels when channels come first.
  const offset = spatialOffset(context);
  const acting = context.axes.filter((axis) => axis >= offset && axis < offset + 2).map((axis) => axis - offset);
  const [[top, bottom], [left, right]] = borders;
  const describe = `${what} of ${top}/${bottom} rows and ${left}/${right} columns`;
  switch (context.group) {
    case 'sign':
      return keep();
    case 'translation':
      if (!acting.some((axis) => borders[axis][0] + borders[axis][1] > 0)) return keep();
      // Padding adds constants, the same for every input: it only costs exactness once a window
      // mixes them into the shifted content. Cropping drops content at once.
      return code === 'zero-padding'
        ? keep({ border: cause(context, code, `zero padding: ${describe}`) })
        : approx(cause(context, code, `cropping: ${describe}`));
    case 'flip':
      // Only the reflected axis matters: the same border on both of its sides.
      return acting.every((axis) => borders[axis][0] === borders[axis][1])
        ? keep()
        : unevenBorder(context, code, `${describe}: the reflected axis gets different borders on its two sides`);
    case 'rotation90':
    case 'dihedral':
      return top === bottom && left === right && top === left
        ? keep()
        : unevenBorder(context, code, `${describe}: a rotation does not map these borders onto themselves`);
    case 'permutation':
      return acting.some((axis) => borders[axis][0] + borders[axis][1] > 0)
        ? breaks(cause(context, 'set-axis-window', `${what} adds or removes elements at the ends of the set axis`))
        : keep();
  }
}

/**
 * Uneven borders under a rotation or flip. Uneven cropping keeps different pixels for the
 * transformed input: broken at once. Uneven zero padding only adds constants, so pointwise
 * layers and global pooling after it still see the same values in other places: it breaks the
 * symmetry only where a window mixes the border in (measured: 8e-8 through 1x1 convolutions
 * and global pooling).
 */
function unevenBorder(context: RuleContext, code: Extract<CauseCode, 'zero-padding' | 'cropping'>, detail: string): LocalEffect {
  const uneven = cause(context, 'asymmetric-border', detail);
  return code === 'zero-padding' ? keep({ border: uneven }) : breaks(uneven);
}

function readBorders(context: RuleContext, key: string, fallback: number): Borders {
  return context.config.border2d(key, fallback) as Borders;
}

function borderShape(key: string, fallback: number, sign: 1 | -1) {
  return (context: { inputShapes: ((number | null)[] | undefined)[]; config: RuleContext['config'] }) => {
    const input = context.inputShapes[0];
    if (!input) return undefined;
    const borders = context.config.border2d(key, fallback);
    const resize = (size: number | null, [before, after]: [number | null, number | null]) =>
      size === null || before === null || after === null ? null : size + sign * (before + after);
    const offset = context.config.string('dataFormat', 'channelsLast') === 'channelsFirst' ? 1 : 0;
    return [...input.slice(0, offset), resize(input[offset], borders[0]), resize(input[offset + 1], borders[1]), ...input.slice(offset + 2)];
  };
}

export const BORDER_RULES: LayerRule[] = [
  {
    kind: 'zeroPadding2d',
    family: 'border',
    mixing: false,
    inputRank: 3,
    outputShape: borderShape('padding', 1, 1),
    effect: (context) => borderEffect(context, 'zeroPadding2d', readBorders(context, 'padding', 1), 'zero-padding'),
  },
  {
    kind: 'cropping2D',
    family: 'border',
    mixing: false,
    inputRank: 3,
    outputShape: borderShape('cropping', 0, -1),
    effect: (context) => borderEffect(context, 'cropping2D', readBorders(context, 'cropping', 0), 'cropping'),
  },
  {
    kind: 'centerCrop',
    family: 'border',
    mixing: false,
    inputRank: 3,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      const height = context.config.number('height', Number.NaN);
      const width = context.config.number('width', Number.NaN);
      const known = (value: number | null) => (value === null || Number.isNaN(value) ? null : value);
      return input ? [known(height), known(width), ...input.slice(2)] : undefined;
    },
    effect: (context) => {
      if (context.group === 'sign') return keep();
      const input = context.inputShapes[0];
      const targets = [context.config.number('height', Number.NaN), context.config.number('width', Number.NaN)];
      const borders: [number, number][] = [];
      for (const axis of [0, 1]) {
        const size = input?.[axis] ?? null;
        const target = targets[axis];
        if (target === null || Number.isNaN(target)) {
          return unknown(cause(context, 'non-constant-config', `centerCrop: ${axis === 0 ? 'height' : 'width'} is not known`));
        }
        if (size === null) {
          if (context.group === 'translation' || !context.axes.includes(axis)) {
            borders.push([1, 1]);
            continue;
          }
          return unknown(
            cause(context, 'non-constant-config', `centerCrop: the input size is not known, and the crop is symmetric only when (size - ${target}) is even`),
          );
        }
        // tfjs starts the crop at floor((n - target) / 2): an odd difference leaves one more at the end.
        const before = Math.floor((size - target) / 2);
        borders.push([before, size - target - before]);
      }
      return borderEffect(context, 'centerCrop', borders as Borders, 'cropping');
    },
  },
];
