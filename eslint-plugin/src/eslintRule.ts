// One ESLint rule from one engine rule: the same id, messages, severity and docs page. The rule
// itself analyses nothing: it reads the file's shared analysis (sharedAnalysis.ts) and reports
// the findings with its id, with the fixes the editor's quick fixes offer.
import type { Rule as EslintRule, SourceCode } from 'eslint';
import type { LocatedFinding } from '../../server/src/engine';
import { ruleHasFixes } from '../../server/src/fixes/ruleFixes';
import type { SymmetryFix } from '../../server/src/fixes/types';
import type { Rule as SymmetryRule } from '../../server/src/rules/rule';
import { readSettings, sharedAnalysisFor, type SharedFileAnalysis } from './sharedAnalysis';

function eslintFix(fix: SymmetryFix): EslintRule.ReportFixer {
  return (fixer) => fix.edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.newText));
}

/** ESLint's position of a finding: 1-based lines, 0-based columns. */
function locationOf(finding: LocatedFinding): { start: { line: number; column: number }; end: { line: number; column: number } } {
  return {
    start: { line: finding.line + 1, column: finding.character },
    end: { line: finding.endLine + 1, column: finding.endCharacter },
  };
}

function report(context: EslintRule.RuleContext, shared: SharedFileAnalysis, finding: LocatedFinding): void {
  const fixes = shared.fixesOf(finding);
  const preferred = fixes.find((fix) => fix.isPreferred);
  // `--fix` takes one preferred fix per pass (see SharedFileAnalysis.fixAllFinding); the other
  // findings' preferred fixes are still offered, as the first suggestion.
  const applied = preferred && shared.fixAllFinding() === finding ? preferred : undefined;
  const suggested = fixes.filter((fix) => fix !== applied);
  const descriptor: EslintRule.ReportDescriptor = { loc: locationOf(finding), message: finding.message };
  if (applied) descriptor.fix = eslintFix(applied);
  if (suggested.length > 0) {
    // ESLint rejects two suggestions with the same text.
    const titles = new Set<string>();
    descriptor.suggest = suggested
      .filter((fix) => !titles.has(fix.title) && titles.add(fix.title))
      .map((fix) => ({ desc: fix.title, fix: eslintFix(fix) }));
  }
  context.report(descriptor);
}

export function eslintRuleFor(rule: SymmetryRule): EslintRule.RuleModule {
  const fixable = ruleHasFixes(rule.id);
  return {
    meta: {
      type: 'problem',
      docs: { description: rule.meta.description, recommended: true, url: rule.docsUrl },
      ...(fixable ? { fixable: 'code' as const, hasSuggestions: true } : {}),
      messages: rule.meta.messages as Record<string, string>,
      schema: [],
    },
    create(context) {
      return {
        Program() {
          const sourceCode: SourceCode = context.sourceCode;
          const shared = sharedAnalysisFor(context.filename, sourceCode.text, readSettings(context.settings));
          for (const finding of shared.findingsOf(rule.id)) report(context, shared, finding);
        },
      };
    },
  };
}
