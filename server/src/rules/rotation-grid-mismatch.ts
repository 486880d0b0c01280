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
      gridOffset:
        "{{layer}} at line {{line}} samples a grid that does not map onto itself under {{group}} ({{detail}}): the centre of the transformation falls off the grid, so {{groupMode}} holds only for a subgroup. Choose an input size that keeps it on the grid (odd sizes for stride-2 'same' layers, multiples of the stride for 'valid' ones).",
      asymmetricBorder:
        '{{layer}} at line {{line}} pads or crops asymmetrically ({{detail}}): the border is not symmetric under {{group}}, so {{groupMode}} is lost. Pad or crop the same amount on opposite sides.',
      nonSquareWindow:
        '{{layer}} at line {{line}} has a window or stride that differs between the axes {{group}} exchanges ({{detail}}): the transformed input is sampled differently, so {{groupMode}} is lost. Use square windows and equal strides.',
      otherCause: '{{layer}} at line {{line}} moves the grid under {{group}}: {{detail}}.',
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
    );
  },
});
