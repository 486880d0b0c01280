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
      zeroPadding: "{{layer}} pads with zeros, so {{groupMode}} holds only approximately, at the borders; pad with {{circularPad}} and use padding 'valid'.",
      cropping: '{{layer}} drops the border, so {{groupMode}} holds only approximately; pad with {{circularPad}} before it to keep the size.',
      blockMixing: '{{layer}} mixes blocks concatenated along {{axes}}, so {{groupMode}} holds only approximately, at the seams; concatenate along the channels instead.',
      otherCause: '{{detail}}, so {{groupMode}} holds only approximately.',
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
      ['otherCause'],
    );
  },
});
