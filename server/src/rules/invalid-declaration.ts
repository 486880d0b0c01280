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
      badToken: 'Malformed @symmetry tag: expected {{expected}}, found "{{found}}". Did you mean "{{suggestion}}"?',
      badTokenNoSuggestion: 'Malformed @symmetry tag: expected {{expected}}, found "{{found}}".',
      missing: 'Incomplete @symmetry tag: expected {{expected}}.',
      misspeltTag: '"{{found}}" is not a Symmetry Lint tag: did you mean "{{suggestion}}"?',
      commandLine: 'Invalid --symmetry "{{text}}": expected {{expected}}, found "{{found}}"; it was not applied.',
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
