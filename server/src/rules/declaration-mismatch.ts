// declaration-mismatch: a well-formed declaration that does not fit the model it is on
// (rotation90 on a non-square input, permutation on a plain feature vector, wrong rank).
import { declarationRelated } from './fallReporting';
import { createRule } from './rule';

type MessageId = 'mismatch';

export const declarationMismatch = createRule<MessageId>({
  id: 'declaration-mismatch',
  meta: {
    description: 'A declaration that does not fit the model (non-square input under rotation90, permutation on a feature vector).',
    defaultSeverity: 'error',
    preferredFix: "Fix the input shape or the declaration (a group that acts on this model's input).",
    messages: {
      mismatch: '{{reason}}, so @symmetry {{declaration}} is not checked.',
    },
  },
  checkModel(context) {
    for (const inference of context.inferences) {
      const mismatch = inference.mismatch;
      if (!mismatch) continue;
      const declaration = inference.declaration;
      const related = [];
      if (mismatch.input) related.push({ span: mismatch.input, message: 'the input whose shape does not fit' });
      const tag = declarationRelated(context, declaration);
      context.report({
        messageId: 'mismatch',
        data: { declaration: declaration.text, model: context.model.name, reason: mismatch.message.replace(/\.$/, '') },
        // A command-line declaration has no tag in the file: the model's name stands for it.
        span: tag.span,
        related,
        group: declaration.group,
        mode: declaration.mode,
      });
    }
  },
});
