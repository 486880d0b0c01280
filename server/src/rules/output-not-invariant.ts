// output-not-invariant: invariance is declared but the output still carries the axes the group
// acts on, so it moves with the input instead of staying fixed (global pooling is missing).
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'outputNotInvariant';

export const outputNotInvariant = createRule<MessageId>({
  id: 'output-not-invariant',
  meta: {
    description: 'Invariance is declared, but the output still carries the axes the group acts on.',
    defaultSeverity: 'error',
    preferredFix: 'Global pooling (globalAveragePooling2d, SetPool) before the output, or declare equivariant.',
    messages: {
      outputNotInvariant:
        '{{model}} declares {{groupMode}}, but its output from {{layer}} at line {{line}} still carries {{axes}} the group acts on ({{detail}}){{assumption}}: the output moves with the input instead of staying fixed. Add global pooling before the output, or declare equivariant.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'output-not-invariant', () => 'outputNotInvariant');
  },
});
