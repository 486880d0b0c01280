// output-not-invariant: invariance is declared but the output still carries the axes the group
// acts on, so it moves with the input instead of staying fixed (global pooling is missing).
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'outputNotInvariant' | 'oddOutput';

export const outputNotInvariant = createRule<MessageId>({
  id: 'output-not-invariant',
  meta: {
    description: 'Invariance is declared, but the output still carries the axes the group acts on.',
    defaultSeverity: 'error',
    preferredFix: 'Global pooling (globalAveragePooling2d, SetPool) before the output, or declare equivariant.',
    messages: {
      outputNotInvariant: 'The output still carries {{axes}}{{assumption}}, so {{groupMode}} cannot hold; add global pooling before the output, or declare equivariant.',
      oddOutput: 'The output is an odd function of the input, so {{groupMode}} cannot hold; make it even, for example with abs or a square, or declare equivariant.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'output-not-invariant', ({ declaration }) => (declaration.group === 'sign' ? 'oddOutput' : 'outputNotInvariant'));
  },
});
