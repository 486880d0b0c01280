// order-dependent-layer: a layer that reads the set (or sequence) axis in order: RNNs, windows
// larger than 1 along it, or flatten followed by a mixing layer under permutation.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'recurrent' | 'setAxisWindow' | 'mixesActingAxis' | 'flattenThenMix' | 'flattenBeforeMix' | 'blockMixing' | 'otherCause';

export const orderDependentLayer = createRule<MessageId>({
  id: 'order-dependent-layer',
  meta: {
    description: 'An RNN, a convolution or pooling window, or flatten + dense across a set or sequence axis.',
    defaultSeverity: 'error',
    preferredFix: 'SetDense layers and a SetPool (DeepSets) instead of order-dependent layers.',
    messages: {
      recurrent:
        '{{layer}} at line {{line}} reads {{axes}} in order ({{detail}}): its result depends on where each element sits, so {{groupMode}} is lost. For a set, use SetDense and SetPool.',
      setAxisWindow:
        '{{layer}} at line {{line}} has a window larger than 1 along {{axes}} ({{detail}}): it mixes elements by their position, which a set does not have, so {{groupMode}} is lost. Use SetDense (a per-element layer) and SetPool.',
      mixesActingAxis:
        '{{layer}} at line {{line}} mixes along {{axes}} ({{detail}}): it gives each position its own weights, so {{groupMode}} is lost. Apply it per element (on the last axis) and pool over {{axes}} instead.',
      flattenThenMix:
        '{{layer}} at line {{line}}, followed by {{partner}} at line {{partnerLine}}, turns set elements into features{{assumption}}: {{groupMode}} is lost. Pool over the set axis (SetPool) instead of {{layer}}.',
      flattenBeforeMix:
        '{{layer}} at line {{line}} turns set elements into features before a mixing layer ({{detail}}): {{groupMode}} is lost. Pool over the set axis (SetPool) instead.',
      blockMixing:
        '{{layer}} at line {{line}} mixes across sets concatenated along {{axes}} ({{detail}}): each block is permuted on its own, so {{groupMode}} is lost.',
      otherCause: '{{layer}} at line {{line}} depends on the order along {{axes}}: {{detail}}.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'order-dependent-layer', ({ cause }) => {
      switch (cause.code) {
        case 'recurrent':
          return 'recurrent';
        case 'set-axis-window':
          return 'setAxisWindow';
        case 'mixes-acting-axis':
          return 'mixesActingAxis';
        case 'flatten-then-mix':
          return cause.partner ? 'flattenThenMix' : 'flattenBeforeMix';
        case 'block-mixing':
          return 'blockMixing';
        default:
          return 'otherCause';
      }
    });
  },
});
