// The one fix entry for the editor and the CLI: the fixes of a finding (model fixes, then the
// disable comment), each checked to leave the file syntactically whole, and fix-all, which
// applies preferred fixes one at a time and re-analyses between them.
import { ts } from 'ts-morph';
import { disableCommentAnchorLine, parseSource, type AnalysisOptions, type FileAnalysis, type LocatedFinding } from '../engine';
import { producerFixes, type FixesWanted } from './ruleFixes';
import { FileEditor } from './sourceEdits';
import { applyTextEdits, type SymmetryFix } from './types';

export { applyTextEdits, type SymmetryFix, type TextEditSpan } from './types';

/** Syntax errors of a parsed file (TypeScript keeps them on the node, undocumented). */
function syntaxErrorCount(sourceFile: ts.SourceFile): number {
  return (sourceFile as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0;
}

const EXISTING_DISABLE = /^[ \t]*\/\/[ \t]*symmetry-lint-disable-next-line[ \t]+([^\r\n]*?)[ \t]*(--[^\r\n]*)?$/;

/**
 * `// symmetry-lint-disable-next-line <rule>` where it suppresses the finding: above its line,
 * or above the JSDoc block a `@symmetry` tag sits in, indented like that line. When the line
 * above already disables other rules for it, the rule joins that comment instead, since a
 * second comment would stand between the first one and its line.
 */
export function disableLineFix(editor: FileEditor, finding: LocatedFinding): SymmetryFix {
  const sourceFile = editor.sourceFile;
  const anchor = disableCommentAnchorLine(sourceFile, finding.line);
  const starts = sourceFile.getLineStarts();
  const lineStart = starts[anchor] ?? editor.text.lastIndexOf('\n', finding.span.start - 1) + 1;
  const title = `Disable ${finding.ruleId} for this line`;
  if (anchor > 0) {
    const previousStart = starts[anchor - 1];
    const previous = editor.text.slice(previousStart, lineStart).replace(/\r?\n$/, '');
    const match = EXISTING_DISABLE.exec(previous);
    if (match && match[1].length > 0 && !match[1].includes('*/')) {
      const at = previousStart + previous.indexOf(match[1]) + match[1].length;
      return { title, ruleId: finding.ruleId, isPreferred: false, edits: [{ start: at, end: at, newText: `, ${finding.ruleId}` }] };
    }
  }
  const indent = editor.indentAt(lineStart);
  return {
    title,
    ruleId: finding.ruleId,
    isPreferred: false,
    edits: [{ start: lineStart, end: lineStart, newText: `${indent}// symmetry-lint-disable-next-line ${finding.ruleId}${editor.eol}` }],
  };
}

/** The model fixes of a finding that leave the file parseable; the preferred one first. */
export function fixesForFinding(sourceFile: ts.SourceFile, analysis: FileAnalysis, finding: LocatedFinding, wanted: FixesWanted = {}): SymmetryFix[] {
  const editor = new FileEditor(sourceFile);
  let fixes: SymmetryFix[];
  try {
    fixes = producerFixes(editor, analysis, finding, wanted);
  } catch {
    // A producer that trips over unusual code offers nothing rather than a broken edit.
    return [];
  }
  const before = syntaxErrorCount(sourceFile);
  return fixes
    .filter((fix) => {
      try {
        const fixed = parseSource(sourceFile.fileName, applyTextEdits(sourceFile.text, fix.edits));
        return syntaxErrorCount(fixed) <= before;
      } catch {
        return false;
      }
    })
    .sort((a, b) => Number(b.isPreferred) - Number(a.isPreferred));
}

export interface FixAllResult {
  text: string;
  /** Titles of the fixes applied, in order. */
  applied: string[];
}

/**
 * Applies preferred fixes until none is left: one fix, then a fresh analysis (later layers of
 * a model only show their findings once the first break is gone). A fix that does not remove
 * its finding is not retried, so the loop ends.
 */
export function fixAllText(
  fileName: string,
  text: string,
  analyze: (sourceFile: ts.SourceFile, options?: AnalysisOptions) => FileAnalysis,
  options: AnalysisOptions = {},
  maxPasses = 25,
): FixAllResult {
  let current = text;
  const applied: string[] = [];
  const attempted = new Set<string>();
  for (let pass = 0; pass < maxPasses; pass++) {
    const sourceFile = parseSource(fileName, current);
    const analysis = analyze(sourceFile, options);
    let next: string | undefined;
    for (const finding of analysis.findings) {
      const key = `${finding.ruleId}|${finding.modelName ?? ''}|${finding.message}`;
      if (attempted.has(key)) continue;
      const preferred = fixesForFinding(sourceFile, analysis, finding, { preferredOnly: true }).find((fix) => fix.isPreferred);
      if (!preferred) continue;
      attempted.add(key);
      next = applyTextEdits(current, preferred.edits);
      applied.push(preferred.title);
      break;
    }
    if (next === undefined || next === current) break;
    current = next;
  }
  return { text: current, applied };
}
