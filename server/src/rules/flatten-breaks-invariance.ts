// flatten-breaks-invariance: a flatten or reshape turns the acting axes into feature indices;
// the next mixing layer (or the output itself) then breaks the symmetry. Blames the flatten.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'flattenThenMix' | 'flattenBeforeMix' | 'flattenedOutput' | 'blockMixing' | 'otherCause';

export const flattenBreaksInvariance = createRule<MessageId>({
  id: 'flatten-breaks-invariance',
  meta: {
    description: 'A flatten or reshape merges the acting axes into features, then a layer mixes them.',
    defaultSeverity: 'error',
    preferredFix: 'Global pooling (globalAveragePooling2d / globalMaxPooling2d) instead of flatten.',
    messages: {
      flattenThenMix:
        '{{layer}} at line {{line}}, followed by {{partner}} at line {{partnerLine}}, turns positions into features{{assumption}}: {{groupMode}} is lost. Use global pooling instead of {{layer}}.',
      flattenBeforeMix:
        '{{layer}} at line {{line}} turns positions into features before a mixing layer ({{detail}}): {{groupMode}} is lost. Use global pooling instead of {{layer}}.',
      flattenedOutput:
        '{{layer}} at line {{line}} flattens {{axes}} into the output features ({{detail}}): the group no longer acts on the output as declared, so {{groupMode}} cannot hold. Use global pooling instead of {{layer}}.',
      blockMixing:
        '{{layer}} at line {{line}} mixes across blocks concatenated along {{axes}} ({{detail}}): each block shifts on its own, so {{groupMode}} is lost.',
      otherCause: '{{layer}} at line {{line}} breaks {{groupMode}}: {{detail}}.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'flatten-breaks-invariance', ({ cause }) => {
      if (cause.code === 'flatten-then-mix') return cause.partner ? 'flattenThenMix' : 'flattenBeforeMix';
      if (cause.code === 'flattened-output') return 'flattenedOutput';
      return cause.code === 'block-mixing' ? 'blockMixing' : 'otherCause';
    });
  },
});
