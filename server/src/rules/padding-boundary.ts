// padding-boundary: zero padding or cropping makes a symmetry hold only up to the borders.
// Reported once per declaration (first approx fall); info under an approximate declaration.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'zeroPadding' | 'cropping' | 'croppingBeforeReshape' | 'blockMixing' | 'otherCause';

export const paddingBoundary = createRule<MessageId>({
  id: 'padding-boundary',
  meta: {
    description: 'Zero padding or cropping: the symmetry holds only approximately, at the borders.',
    defaultSeverity: 'warning',
    preferredFix: "Pad circularly (CircularPad2D) and convolve with padding 'valid'.",
    messages: {
      zeroPadding: "{{layer}} pads with zeros, so {{groupMode}} holds only approximately, at the borders; pad with {{circularPad}} and use padding 'valid'.",
      cropping: '{{layer}} drops the border, so {{groupMode}} holds only approximately; pad with {{circularPad}} before it to keep the size.',
      // The fix grows what follows; a reshape's target is written out, so it must change too.
      croppingBeforeReshape:
        '{{layer}} drops the border, so {{groupMode}} holds only approximately; pad with {{circularPad}} before it to keep the size, and resize the reshape at line {{reshapeLine}} to match.',
      blockMixing: '{{layer}} mixes blocks concatenated along {{axes}}, so {{groupMode}} holds only approximately, at the seams; concatenate along the channels instead.',
      otherCause: '{{detail}}, so {{groupMode}} holds only approximately.',
    },
  },
  checkModel(context) {
    const laterReshape = (id: number) => context.model.layers.find((layer) => layer.id > id && layer.kind === 'reshape');
    reportRoutedFalls(
      context,
      'padding-boundary',
      ({ cause }) =>
        cause.code === 'zero-padding'
          ? 'zeroPadding'
          : cause.code === 'cropping'
            ? laterReshape(cause.at.layer)
              ? 'croppingBeforeReshape'
              : 'cropping'
            : cause.code === 'block-mixing'
              ? 'blockMixing'
              : 'otherCause',
      ({ declaration, cause }) => {
        const reshape = cause.code === 'cropping' ? laterReshape(cause.at.layer) : undefined;
        return {
          ...(reshape ? { data: { reshapeLine: String(context.lineOf(context.layerSpan(reshape))) } } : {}),
          // The user declared they accept border effects: still worth knowing, not worth a warning.
          ...(declaration.approximate ? { severity: 'info' as const } : {}),
        };
      },
      ['otherCause'],
    );
  },
});
