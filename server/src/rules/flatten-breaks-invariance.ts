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
      flattenThenMix: '{{layer}} turns positions into features{{assumption}} that {{partner}}{{partnerAt}} mixes, so {{groupMode}} is lost; use global pooling instead of {{layer}}.',
      flattenBeforeMix: '{{layer}} turns positions into features before a mixing layer, so {{groupMode}} is lost; use global pooling instead of {{layer}}.',
      flattenedOutput: '{{layer}} turns {{axes}} into output features, so {{groupMode}} cannot hold; use global pooling instead of {{layer}}.',
      blockMixing: '{{layer}} mixes blocks concatenated along {{axes}}, each shifting on its own, so {{groupMode}} is lost; concatenate along the channels instead.',
      otherCause: '{{detail}}, so {{groupMode}} is lost.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'flatten-breaks-invariance', ({ cause }) => {
      if (cause.code === 'flatten-then-mix') return cause.partner ? 'flattenThenMix' : 'flattenBeforeMix';
      if (cause.code === 'flattened-output') return 'flattenedOutput';
      return cause.code === 'block-mixing' ? 'blockMixing' : 'otherCause';
    }, undefined, ['otherCause']);
  },
});
