// strided-aliasing: a stride or pooling window keeps a translation symmetry only for shifts by
// multiples of the stride (a subgroup). Reported once per declaration, at the first one.
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'stride' | 'otherCause';

export const stridedAliasing = createRule<MessageId>({
  id: 'strided-aliasing',
  meta: {
    description: 'A stride or pooling window: the symmetry holds only for a subgroup of shifts.',
    defaultSeverity: 'warning',
    preferredFix: 'Anti-aliased downsampling (BlurPool2D), or PolyphasePool2D for exact shift invariance.',
    messages: {
      stride: '{{layer}} downsamples, so {{groupMode}} holds only for shifts by {{shifts}}; use {{downsampling}} instead.',
      otherCause: '{{detail}}, so {{groupMode}} holds only for a subgroup.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(
      context,
      'strided-aliasing',
      ({ cause }) => (cause.code === 'stride' ? 'stride' : 'otherCause'),
      ({ inference, cause }) => {
        const state = inference.layerStates[cause.at.layer];
        const fidelity = state && state.kind !== 'broken' && state.kind !== 'unknown' ? state.fidelity : undefined;
        const k = fidelity?.level === 'subgroup' ? fidelity.k : null;
        return { data: { shifts: k !== null ? `multiples of ${k}` : 'multiples of the stride' } };
      },
      ['otherCause'],
    );
  },
});
