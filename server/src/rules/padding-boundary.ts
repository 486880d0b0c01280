// padding-boundary: zero padding or cropping makes a symmetry hold only up to the borders.
// Reported once per declaration (first approx fall); info under an approximate declaration.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'zeroPadding' | 'cropping' | 'blockMixing' | 'otherCause';

export const paddingBoundary = createRule<MessageId>({
  id: 'padding-boundary',
  meta: {
    description: 'Zero padding or cropping: the symmetry holds only approximately, at the borders.',
    defaultSeverity: 'warning',
    preferredFix: "Pad circularly (CircularPad2D) and convolve with padding 'valid'.",
    messages: {
      zeroPadding:
        '{{layer}} at line {{line}} pads with zeros ({{detail}}): a shifted input meets zeros at the borders, so {{groupMode}} holds only approximately. Circular padding (CircularPad2D) with a \'valid\' convolution makes it exact.',
      cropping:
        '{{layer}} at line {{line}} crops the border ({{detail}}): what shifts out of the window is lost, so {{groupMode}} holds only approximately. Circular padding (CircularPad2D) before it keeps the size and makes it exact.',
      blockMixing:
        '{{layer}} at line {{line}} mixes across blocks concatenated along {{axes}} ({{detail}}): each block shifts on its own, so {{groupMode}} holds only approximately, at the seams.',
      otherCause: '{{layer}} at line {{line}} makes {{groupMode}} approximate: {{detail}}.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(
      context,
      'padding-boundary',
      ({ cause }) =>
        cause.code === 'zero-padding' ? 'zeroPadding' : cause.code === 'cropping' ? 'cropping' : cause.code === 'block-mixing' ? 'blockMixing' : 'otherCause',
      // The user declared they accept border effects: still worth knowing, not worth a warning.
      ({ declaration }) => (declaration.approximate ? { severity: 'info' } : undefined),
    );
  },
});
