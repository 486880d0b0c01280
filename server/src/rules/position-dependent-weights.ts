// position-dependent-weights: a layer with a weight per position (prelu without shared spatial
// axes, locallyConnected) cannot commute with moving the input.
import { reportRoutedFalls } from './fallReporting';
import { sharedWeightsRemedy } from './remedies';
import { createRule } from './rule';

type MessageId = 'perPositionWeights' | 'otherCause';

export const positionDependentWeights = createRule<MessageId>({
  id: 'position-dependent-weights',
  meta: {
    description: 'Per-position weights (prelu without sharedAxes, locallyConnected layers).',
    defaultSeverity: 'error',
    preferredFix: 'Share the weights over the spatial axes (prelu: sharedAxes [1, 2]); a convolution instead of locallyConnected.',
    messages: {
      perPositionWeights: '{{layer}} has a separate weight for each position, so a transformed input meets other weights and {{groupMode}} is lost; {{remedy}}.',
      otherCause: '{{detail}}, so {{groupMode}} is lost.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(
      context,
      'position-dependent-weights',
      ({ cause }) => (cause.code === 'per-position-weights' ? 'perPositionWeights' : 'otherCause'),
      ({ cause }) => ({ data: { remedy: sharedWeightsRemedy(cause.at.kind) } }),
      ['otherCause'],
    );
  },
});
