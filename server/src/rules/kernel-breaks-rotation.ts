// kernel-breaks-rotation: a learned kernel larger than 1x1 is not symmetric, so it breaks
// rotation90, flip and dihedral symmetry (and block-wise actions mixed across blocks).
import { reportRoutedFalls } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'learnedKernel' | 'blockMixing' | 'otherCause';

export const kernelBreaksRotation = createRule<MessageId>({
  id: 'kernel-breaks-rotation',
  meta: {
    description: 'A learned kernel larger than 1x1 under rotation90, flip or dihedral.',
    defaultSeverity: 'error',
    preferredFix: 'P4 group convolutions (P4ConvLifting2D, P4Conv2D, P4GroupPool), or wrap the model in GroupAveraging.',
    messages: {
      learnedKernel:
        '{{layer}} at line {{line}} has a learned kernel ({{detail}}): a learned kernel is not symmetric, so transforming the input by {{group}} does not transform its output the same way, and {{groupMode}} is lost. Use P4 group convolutions (P4ConvLifting2D, P4Conv2D, P4GroupPool) or GroupAveraging.',
      blockMixing:
        '{{layer}} at line {{line}} mixes across blocks concatenated along {{axes}} ({{detail}}): each block is transformed on its own, so {{groupMode}} is lost.',
      otherCause: '{{layer}} at line {{line}} breaks {{groupMode}}: {{detail}}.',
    },
  },
  checkModel(context) {
    reportRoutedFalls(context, 'kernel-breaks-rotation', ({ cause }) =>
      cause.code === 'learned-kernel' ? 'learnedKernel' : cause.code === 'block-mixing' ? 'blockMixing' : 'otherCause',
    );
  },
});
