// strided-aliasing: a stride or pooling window keeps a translation symmetry only for shifts by
// multiples of the stride (a subgroup). Reported once per declaration, at the first one. A blur
// pool (anti-aliased) keeps every shift approximately: its finding names the exact remedy, and
// is info under an approximate declaration, like a border effect.
import { reportRoutedFalls } from './fallReporting';
import { spatialRankOfKind } from './remedies';
import { createRule } from './rule';

type MessageId = 'stride' | 'antiAliased' | 'otherCause';

const isBlurPool = (kind: string) => /^BlurPool[123]D$/.test(kind);

export const stridedAliasing = createRule<MessageId>({
  id: 'strided-aliasing',
  meta: {
    description: 'A stride or pooling window: the symmetry holds only for a subgroup of shifts.',
    defaultSeverity: 'warning',
    preferredFix: 'Anti-aliased downsampling (BlurPool2D), or PolyphasePool2D for exact shift invariance.',
    messages: {
      stride: '{{layer}} downsamples, so {{groupMode}} holds only for shifts by {{shifts}}; use {{downsampling}} instead.',
      antiAliased: '{{layer}} blurs before it downsamples, so {{groupMode}} holds approximately, and exactly only for shifts by {{shifts}}; {{exactRemedy}}.',
      otherCause: '{{detail}}, so {{groupMode}} holds only for a subgroup.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(
      context,
      'strided-aliasing',
      ({ cause, fall }) => (cause.code !== 'stride' ? 'otherCause' : [cause, ...fall.repeats].every((c) => isBlurPool(c.at.kind)) ? 'antiAliased' : 'stride'),
      ({ inference, cause, fall, declaration }) => {
        const state = inference.layerStates[cause.at.layer];
        const fidelity = state && state.kind !== 'broken' && state.kind !== 'unknown' ? state.fidelity : undefined;
        const k = fidelity?.level === 'subgroup' ? fidelity.k : null;
        const data = { shifts: k !== null ? `multiples of ${k}` : 'multiples of the stride' };
        if (cause.code !== 'stride' || ![cause, ...fall.repeats].every((c) => isBlurPool(c.at.kind))) return { data };
        // Polyphase sampling is exact for invariance in 2D; for equivariance, or in 1D and 3D,
        // nothing that downsamples is exact.
        const exactRemedy =
          declaration.mode === 'invariant' && spatialRankOfKind(cause.at.kind) === 2 ? 'PolyphasePool2D makes it exact' : 'only stride 1 makes it exact';
        return { data: { ...data, exactRemedy }, ...(declaration.approximate ? { severity: 'info' as const } : {}) };
      },
      ['otherCause'],
    );
  },
});
