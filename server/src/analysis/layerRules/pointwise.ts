// Pointwise layers: activations, dropout and noise, normalisation on the channel axis, dense on
// the last axis, embedding, masking. They keep every group unless they carry per-position
// weights, mix an acting axis, or (under sign) are not odd.
import type { LayerRule, LocalEffect, RuleContext, Shape, ShapeContext } from './types';
import { breaks, cause, keep } from './types';
import { activationUnderSign, affineUnderSign, nonOdd } from './sign';

export function sameShape(context: ShapeContext): Shape {
  return context.inputShapes[0];
}

/** Normalises a possibly negative axis of an input of `rank` to a position in the shape. */
export function axisPosition(axis: number, rank: number | undefined): number | null {
  if (axis >= 0) return axis - 1;
  return rank === undefined ? null : rank + axis;
}

/** A layer that mixes along the last axis breaks the group when that axis is an acting one. */
export function lastAxisMixing(context: RuleContext, what: string): LocalEffect | undefined {
  if (context.group === 'sign' || context.inputRank === undefined) return undefined;
  if (!context.axes.includes(context.inputRank - 1)) return undefined;
  return breaks(cause(context, 'mixes-acting-axis', `${what} mixes the last axis, which ${context.group} acts on`));
}

/** A layer that mixes the channels at `position` (channels first) breaks the group when it acts there. */
export function channelAxisMixing(context: RuleContext, what: string, position: number): LocalEffect | undefined {
  if (context.group === 'sign' || !context.axes.includes(position)) return undefined;
  return breaks(cause(context, 'mixes-acting-axis', `${what} mixes the channel axis (axis ${position + 1}), which ${context.group} acts on`));
}

function elementwise(kind: string, underSign: (context: RuleContext) => LocalEffect): LayerRule {
  return {
    kind,
    family: 'pointwise',
    mixing: false,
    outputShape: sameShape,
    effect: (context) => (context.group === 'sign' ? underSign(context) : keep()),
  };
}

const nonOddActivation = (name: string) => (context: RuleContext) => nonOdd(context, `${name} is not an odd function`);

/** Weights indexed by position along `axes` (1-based, as tfjs counts) unless those axes are shared. */
function perPositionWeights(context: RuleContext, sharedKey: string): LocalEffect {
  const raw = context.config.raw(sharedKey);
  const shared = new Set<number>();
  if (typeof raw === 'number') shared.add(raw - 1);
  if (Array.isArray(raw)) for (const axis of raw) if (typeof axis === 'number') shared.add(axis - 1);
  const unshared = context.axes.filter((axis) => !shared.has(axis));
  if (unshared.length === 0) return keep();
  const named = unshared.map((axis) => axis + 1).join(', ');
  return breaks(
    cause(
      context,
      'per-position-weights',
      `${context.ref.kind} has a weight per position along axis ${named} (${sharedKey} does not cover it)`,
    ),
  );
}

/** Normalisation over `axis`: per-channel weights are fine, weights along an acting axis are per position. */
function normalisationAxes(context: RuleContext): LocalEffect {
  const raw = context.config.raw('axis');
  const axes = raw === undefined ? [-1] : Array.isArray(raw) ? raw : [raw];
  for (const axis of axes) {
    if (typeof axis !== 'number') continue;
    const position = axisPosition(axis, context.inputRank);
    if (position !== null && context.axes.includes(position)) {
      return breaks(
        cause(context, 'per-position-weights', `${context.ref.kind} normalises along axis ${axis}, which ${context.group} acts on, with a weight per position`),
      );
    }
  }
  return keep();
}

export const POINTWISE_RULES: LayerRule[] = [
  elementwise('activation', (context) => activationUnderSign(context, 'activation', 'linear')),
  elementwise('elu', nonOddActivation('elu')),
  elementwise('leakyReLU', nonOddActivation('leakyReLU')),
  elementwise('reLU', nonOddActivation('reLU')),
  elementwise('thresholdedReLU', nonOddActivation('thresholdedReLU')),
  elementwise('softmax', nonOddActivation('softmax')),
  // Dropout and noise layers are the identity at inference, which is what the analysis models.
  elementwise('dropout', () => keep()),
  elementwise('alphaDropout', () => keep()),
  elementwise('gaussianDropout', () => keep()),
  elementwise('gaussianNoise', () => keep()),
  elementwise('spatialDropout1d', () => keep()),
  {
    kind: 'prelu',
    family: 'pointwise',
    mixing: false,
    outputShape: sameShape,
    effect: (context) => (context.group === 'sign' ? nonOdd(context, 'prelu is not odd') : perPositionWeights(context, 'sharedAxes')),
  },
  {
    kind: 'batchNormalization',
    family: 'pointwise',
    mixing: false,
    outputShape: sameShape,
    effect: (context) => {
      if (context.group !== 'sign') return normalisationAxes(context);
      // Decided: batchNormalization always breaks sign. Without `center` there is no beta, but
      // inference still subtracts the moving mean, so the layer is affine, not odd.
      const centred = context.config.boolean('center', true) !== false;
      return breaks(
        cause(
          context,
          'bias',
          centred
            ? 'batchNormalization adds the offset beta (center defaults to true) and subtracts the moving mean'
            : 'batchNormalization subtracts the moving mean at inference, an offset even without center',
        ),
      );
    },
  },
  {
    kind: 'layerNormalization',
    family: 'pointwise',
    mixing: false,
    outputShape: sameShape,
    effect: (context) => {
      if (context.group !== 'sign') return normalisationAxes(context);
      // (x - mean) / std is odd; only the learned offset beta is not.
      if (context.config.boolean('center', true) === false) return keep();
      return breaks(cause(context, 'bias', 'layerNormalization adds the offset beta (center defaults to true)'));
    },
  },
  {
    kind: 'dense',
    family: 'pointwise',
    mixing: true,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      const units = context.config.number('units', Number.NaN);
      if (!input) return undefined;
      return [...input.slice(0, -1), units === null || Number.isNaN(units) ? null : units];
    },
    effect: (context) => lastAxisMixing(context, 'dense') ?? (context.group === 'sign' ? affineUnderSign(context) : keep()),
  },
  {
    kind: 'embedding',
    family: 'pointwise',
    mixing: true,
    inputRank: 1,
    outputShape: (context) => {
      const input = context.inputShapes[0];
      const outputDim = context.config.number('outputDim', Number.NaN);
      if (!input) return undefined;
      return [...input, outputDim === null || Number.isNaN(outputDim) ? null : outputDim];
    },
    // The lookup is the same at every position, so it commutes with any rearrangement of them.
    effect: (context) => (context.group === 'sign' ? nonOdd(context, 'an embedding lookup of token ids is not odd') : keep()),
  },
  {
    kind: 'masking',
    family: 'pointwise',
    mixing: false,
    outputShape: sameShape,
    effect: (context) => {
      if (context.group !== 'sign') return keep();
      // Zeroing the steps equal to 0 commutes with negation; any other mask value does not.
      return context.config.number('maskValue', 0) === 0 ? keep() : nonOdd(context, 'masking with a nonzero maskValue is not odd');
    },
  },
  {
    kind: 'input',
    family: 'input',
    mixing: false,
    outputShape: sameShape,
    effect: () => keep(),
  },
  {
    kind: 'inputLayer',
    family: 'input',
    mixing: false,
    outputShape: sameShape,
    effect: () => keep(),
  },
];
