// kernel-breaks-rotation: a learned kernel larger than 1x1 is not symmetric, so it breaks
// rotation90, flip and dihedral symmetry (and block-wise actions mixed across blocks).
import { reportRoutedFalls } from './fallReporting';
import { kernelRemedy } from './remedies';
import { createRule } from './rule';

type MessageId = 'learnedKernel' | 'blockMixing' | 'otherCause';

export const kernelBreaksRotation = createRule<MessageId>({
  id: 'kernel-breaks-rotation',
  meta: {
    description: 'A learned kernel larger than 1x1 under rotation90, flip or dihedral.',
    defaultSeverity: 'error',
    preferredFix: 'P4 group convolutions (P4ConvLifting2D, P4Conv2D, P4GroupPool), or wrap the model in GroupAveraging.',
    messages: {
      learnedKernel: '{{layer}} has a learned kernel that {{group}} does not map onto itself, so {{groupMode}} is lost; {{remedy}}.',
      blockMixing: '{{layer}} mixes blocks concatenated along {{axes}}, each transformed on its own, so {{groupMode}} is lost; concatenate along the channels instead.',
      otherCause: '{{detail}}, so {{groupMode}} is lost.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(
      context,
      'kernel-breaks-rotation',
      ({ cause }) => (cause.code === 'learned-kernel' ? 'learnedKernel' : cause.code === 'block-mixing' ? 'blockMixing' : 'otherCause'),
      ({ declaration, cause }) => ({ data: { remedy: kernelRemedy(declaration.group, cause.at.kind) } }),
      ['otherCause'],
    );
  },
});
