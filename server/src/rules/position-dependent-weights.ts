// position-dependent-weights: a layer with a weight per position (prelu without shared spatial
// axes, locallyConnected) cannot commute with moving the input.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'perPositionWeights' | 'otherCause';

export const positionDependentWeights = createRule<MessageId>({
  id: 'position-dependent-weights',
  meta: {
    description: 'Per-position weights (prelu without sharedAxes, locallyConnected layers).',
    defaultSeverity: 'error',
    preferredFix: 'Share the weights over the spatial axes (prelu: sharedAxes [1, 2]); a convolution instead of locallyConnected.',
    messages: {
      perPositionWeights:
        '{{layer}} at line {{line}} has a separate weight for each position ({{detail}}): a transformed input meets different weights, so {{groupMode}} is lost. Share them over the spatial axes (sharedAxes: [1, 2]).',
      otherCause: '{{layer}} at line {{line}} depends on the position: {{detail}}.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'position-dependent-weights', ({ cause }) =>
      cause.code === 'per-position-weights' ? 'perPositionWeights' : 'otherCause',
    );
  },
});
