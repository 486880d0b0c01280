// non-odd-layer: under the sign group a layer must commute with x -> -x (odd, for equivariance)
// or the network must end even; biases, relu-like activations and max pooling break that.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'bias' | 'nonOdd' | 'otherCause';

export const nonOddLayer = createRule<MessageId>({
  id: 'non-odd-layer',
  meta: {
    description: 'A bias, a non-odd activation or max pooling under the sign group.',
    defaultSeverity: 'error',
    preferredFix: 'useBias: false (center: false for batchNormalization) and odd activations (tanh, softsign, linear).',
    messages: {
      bias:
        '{{layer}} at line {{line}} adds an offset ({{detail}}): -(Wx + b) is not W(-x) + b unless b = 0, so {{groupMode}} is lost. Set useBias: false (center: false for batchNormalization).',
      nonOdd:
        '{{layer}} at line {{line}} is not odd ({{detail}}): f(-x) differs from -f(x), so {{groupMode}} is lost. Use an odd activation (tanh, softsign, linear) or average pooling.',
      otherCause: '{{layer}} at line {{line}} does not commute with x -> -x: {{detail}}.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'non-odd-layer', ({ cause }) =>
      cause.code === 'bias' ? 'bias' : cause.code === 'non-odd' ? 'nonOdd' : 'otherCause',
    );
  },
});
