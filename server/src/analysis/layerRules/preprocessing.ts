// Preprocessing layers: rescaling (an offset breaks sign), resizing (resamples the grid),
// categoryEncoding (a bag of tokens is order-free) and randomWidth (random at every call).
import type { LayerRule } from './types';
import { approx, breaks, cause, keep, toInvariant, unknown } from './types';
import { nonOdd } from './sign';
import { sameShape } from './pointwise';

const known = (value: number | null) => (value === null || Number.isNaN(value) ? null : value);

export const PREPROCESSING_RULES: LayerRule[] = [
  {
    kind: 'rescaling',
    family: 'preprocessing',
    mixing: false,
    outputShape: sameShape,
    effect: (context) => {
      if (context.group !== 'sign') return keep();
      const offset = context.config.number('offset', 0);
      return offset === 0 ? keep() : breaks(cause(context, 'bias', `rescaling adds the offset ${offset}, so it is not odd`));
    },
  },
  {
    kind: 'resizing',
    family: 'preprocessing',
    mixing: true,
    inputRank: 3,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      const height = known(context.config.number('height', Number.NaN));
      const width = known(context.config.number('width', Number.NaN));
      return input ? [height, width, ...input.slice(2)] : undefined;
    },
    effect: (context) => {
      const height = context.config.number('height', Number.NaN);
      const width = context.config.number('width', Number.NaN);
      const input = context.inputShapes[0];
      const unchanged = input !== undefined && input[0] === height && input[1] === width;
      switch (context.group) {
        case 'sign':
          // Interpolation is linear in the pixel values.
          return keep();
        case 'translation':
          return unchanged ? keep() : approx(cause(context, 'resampling', `resizing to ${height}x${width} resamples the grid: shifts commute only approximately`));
        case 'rotation90':
        case 'dihedral':
          return height === width
            ? keep()
            : breaks(cause(context, 'non-square-window', `resizing to ${height}x${width} makes the image non-square`));
        case 'flip':
          return keep();
        case 'permutation':
          return unchanged ? keep() : breaks(cause(context, 'set-axis-window', 'resizing interpolates between neighbouring elements of the set axis'));
      }
    },
  },
  {
    kind: 'categoryEncoding',
    family: 'preprocessing',
    mixing: true,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      const tokens = known(context.config.number('numTokens', Number.NaN));
      if (!input) return undefined;
      const mode = context.config.string('outputMode', 'multiHot');
      if (mode === 'oneHot' && input[input.length - 1] !== 1) return [...input, tokens];
      return [...input.slice(0, -1), tokens];
    },
    effect: (context) => {
      if (context.group === 'sign') return nonOdd(context, 'categoryEncoding of token ids is not odd');
      const mode = context.config.string('outputMode', 'multiHot');
      const rank = context.inputRank;
      if (mode === 'oneHot' || rank === undefined || !context.axes.includes(rank - 1)) return keep();
      // multiHot and count reduce the token axis to a bag: order and position no longer matter.
      return toInvariant();
    },
  },
  {
    kind: 'randomWidth',
    family: 'preprocessing',
    mixing: true,
    inputRank: 3,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      return input ? [input[0], null, ...input.slice(2)] : undefined;
    },
    effect: (context) =>
      unknown(
        cause(context, 'unmodelled-layer', 'randomWidth resizes by a random factor at every call (tfjs 4.22 does so at inference too)'),
      ),
  },
];
