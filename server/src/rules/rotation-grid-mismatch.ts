// rotation-grid-mismatch: sizes, strides or asymmetric borders that move the rotation (or flip)
// centre off the sampling grid, so only a subgroup, or nothing, of the declared group holds.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'gridOffset' | 'asymmetricBorder' | 'nonSquareWindow' | 'otherCause';

export const rotationGridMismatch = createRule<MessageId>({
  id: 'rotation-grid-mismatch',
  meta: {
    description: 'Sizes and strides (or asymmetric borders) move the rotation centre off the grid.',
    defaultSeverity: 'warning',
    preferredFix: "An input size that keeps the grid centred (odd sizes for stride-2 'same' layers, multiples of the stride for 'valid' ones).",
    messages: {
      gridOffset: '{{layer}} samples a grid whose centre {{group}} moves, so {{groupMode}} holds only for a subgroup; choose an input size that keeps the grid centred.',
      asymmetricBorder: '{{layer}} pads or crops unevenly, so {{groupMode}} is lost; pad or crop the same amount on opposite sides.',
      nonSquareWindow: '{{layer}} treats the axes {{group}} exchanges differently, so {{groupMode}} is lost; use square windows, equal strides and square sizes.',
      otherCause: '{{detail}}, so {{groupMode}} holds only for a subgroup.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'rotation-grid-mismatch', ({ cause }) =>
      cause.code === 'grid-offset'
        ? 'gridOffset'
        : cause.code === 'asymmetric-border'
          ? 'asymmetricBorder'
          : cause.code === 'non-square-window'
            ? 'nonSquareWindow'
            : 'otherCause',
      undefined,
      ['otherCause'],
    );
  },
});
