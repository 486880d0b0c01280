// invalid-declaration: a malformed `@symmetry` tag (or `--symmetry` value), naming what was
// expected and the closest valid spelling. The parser finds the problems; this rule words them.
import { createRule } from './rule';

type MessageId = 'badToken' | 'badTokenNoSuggestion' | 'missing' | 'misspeltTag' | 'commandLine';

export const invalidDeclaration = createRule<MessageId>({
  id: 'invalid-declaration',
  meta: {
    description: 'A malformed @symmetry tag.',
    defaultSeverity: 'error',
    preferredFix: 'The suggested spelling of the tag.',
    messages: {
      badToken: 'The @symmetry tag has "{{found}}" where {{expected}} is expected; did you mean "{{suggestion}}"?',
      badTokenNoSuggestion: 'The @symmetry tag has "{{found}}" where {{expected}} is expected.',
      missing: 'The @symmetry tag is incomplete, {{expected}} is expected.',
      misspeltTag: '"{{found}}" is not a Symmetry Lint tag; did you mean "{{suggestion}}"?',
      commandLine: 'The --symmetry "{{text}}" has "{{found}}" where {{expected}} is expected, so it was not applied.',
    },
  },
  // Declaration problems belong to the file, not to one model (a bad tag may have no model).
  checkModel() {},
  checkFile(context) {
    for (const { problem, commandLineText } of context.declarationProblems) {
      const data = { expected: problem.expected, found: problem.found, suggestion: problem.suggestion ?? '', text: commandLineText ?? '' };
      const messageId: MessageId =
        commandLineText !== undefined
          ? 'commandLine'
          : problem.found.startsWith('@')
            ? 'misspeltTag'
            : problem.found === ''
              ? 'missing'
              : problem.suggestion
                ? 'badToken'
                : 'badTokenNoSuggestion';
      context.report({ messageId, data, span: problem.span });
    }
  },
});
