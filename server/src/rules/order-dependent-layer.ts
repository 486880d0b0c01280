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
      recurrent: '{{layer}} reads its input in order, so {{groupMode}} is lost; for a set, use SetDense and SetPool.',
      setAxisWindow: '{{layer}} has a window larger than 1 along {{axes}}, which mixes elements by position, so {{groupMode}} is lost; use SetDense and SetPool.',
      mixesActingAxis: '{{layer}} gives each position along {{axes}} its own weights, so {{groupMode}} is lost; apply it per element, then pool over that axis.',
      flattenThenMix: '{{layer}} turns set elements into features{{assumption}} that {{partner}}{{partnerAt}} mixes, so {{groupMode}} is lost; pool over the set with SetPool instead.',
      flattenBeforeMix: '{{layer}} turns set elements into features before a mixing layer, so {{groupMode}} is lost; pool over the set with SetPool instead.',
      blockMixing: '{{layer}} mixes sets concatenated along {{axes}}, each permuted on its own, so {{groupMode}} is lost; concatenate along the features instead.',
      otherCause: '{{detail}}, so {{groupMode}} is lost.',
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
    }, undefined, ['otherCause']);
  },
});
