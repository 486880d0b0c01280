// non-odd-layer: under the sign group a layer must commute with x -> -x (odd, for equivariance)
// or the network must end even; biases, relu-like activations and max pooling break that.
import { reportRoutedFalls } from './fallReporting';
import { oddRemedy, offsetRemedy } from './remedies';
import { createRule } from './rule';

type MessageId = 'bias' | 'nonOdd' | 'otherCause';

export const nonOddLayer = createRule<MessageId>({
  id: 'non-odd-layer',
  meta: {
    description: 'A bias, a non-odd activation or max pooling under the sign group.',
    defaultSeverity: 'error',
    preferredFix: 'useBias: false (center: false for batchNormalization) and odd activations (tanh, softsign, linear).',
    messages: {
      bias: '{{layer}} adds an offset, which does not change sign with its input, so {{groupMode}} is lost; set {{offsetOff}}.',
      nonOdd: '{{detail}}, so {{groupMode}} is lost; {{oddRemedy}}.',
      otherCause: '{{detail}}, so {{groupMode}} is lost.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(
      context,
      'non-odd-layer',
      // A custom layer's cause names the op in call() that adds the offset: useBias is not its remedy.
      ({ cause }) => (cause.code === 'bias' && !cause.sites?.length ? 'bias' : cause.code === 'non-odd' ? 'nonOdd' : 'otherCause'),
      ({ cause }) => ({ data: { offsetOff: offsetRemedy(cause.at.kind), oddRemedy: oddRemedy(cause.at.kind) } }),
      ['nonOdd', 'otherCause'],
    );
  },
});
