// positional-encoding: under permutation, a term tied to positions inside a custom layer (a
// learned or sinusoidal positional encoding, an embedding of tf.range(T), a causal mask, a slice
// of the first token, a cumsum along the set). Found by the custom layer rule of the analysis.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'positionalTerm';

export const positionalEncoding = createRule<MessageId>({
  id: 'positional-encoding',
  meta: {
    description: 'A term tied to positions (positional encoding or embedding, position-indexed weight, relative-position bias, causal mask) under permutation.',
    defaultSeverity: 'error',
    preferredFix: "Drop the positional term; relations between the elements' values (not their positions) keep the symmetry.",
    messages: {
      positionalTerm: "{{layer}} depends on positions along {{axes}}, so {{groupMode}} is lost; drop the positional term (relations between the elements' values keep the symmetry).",
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'positional-encoding', () => 'positionalTerm');
  },
});
