// Code actions: quick fixes for every Symmetry Lint diagnostic (the model fixes of
// server/src/fixes, "disable for this line", "show documentation"), "Declare the symmetries
// this model has" on a model's name (issue 9), and the
// `source.fixAll.symmetryLint` action for fix-on-save. Every edit is a TextDocumentEdit that
// names the document version it was computed for, so an editor never applies it to a newer text.
import {
  CodeActionKind,
  TextDocumentEdit,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { ts } from 'ts-morph';
import type { SourceProvider } from '../analysis/sourceProvider';
import { analyzeFile, type AnalysisOptions, type FileAnalysis, type LocatedFinding } from '../engine';
import { disableLineFix, fixAllText, fixesForFinding, type SymmetryFix, type TextEditSpan } from '../fixes/index';
import { declareDiscoveredFix, modelsNamedAt } from '../fixes/declarationTags';
import { FileEditor } from '../fixes/sourceEdits';
import { ruleDocsUrl } from '../rules/rule';
import { DIAGNOSTIC_SOURCE, rangeOf } from './diagnostics';

export const FIX_ALL_KIND = 'source.fixAll.symmetryLint';

export const CODE_ACTION_OPTIONS = {
  codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, FIX_ALL_KIND],
  resolveProvider: false,
};

/** What the handler needs of the server: the document as it is now and its analysis. */
export interface CodeActionHost {
  document(uri: string): { uri: string; version: number; sourceFile: ts.SourceFile } | undefined;
  /** The analysis of the document's current version (undefined when linting is off). */
  analysis(uri: string): Promise<{ analysis: FileAnalysis; options: AnalysisOptions } | undefined>;
  provider: SourceProvider;
  log(message: string): void;
}

function toTextEdits(sourceFile: ts.SourceFile, edits: readonly TextEditSpan[]): TextEdit[] {
  return edits.map((edit) => ({ range: rangeOf(sourceFile, edit.start, edit.end), newText: edit.newText }));
}

function findingOf(diagnostic: Diagnostic, analysis: FileAnalysis): LocatedFinding | undefined {
  return analysis.findings.find(
    (finding) =>
      finding.ruleId === diagnostic.code &&
      finding.line === diagnostic.range.start.line &&
      finding.character === diagnostic.range.start.character &&
      finding.endLine === diagnostic.range.end.line &&
      finding.endCharacter === diagnostic.range.end.character &&
      finding.message === diagnostic.message,
  );
}

function wantsKind(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
}

/** The actions for a request; exported for tests that drive it without a connection. */
export async function computeCodeActions(host: CodeActionHost, params: CodeActionParams): Promise<CodeAction[]> {
  const uri = params.textDocument.uri;
  const document = host.document(uri);
  if (!document) return [];
  const version = document.version;
  const result = await host.analysis(uri);
  // The document may have moved on while settings were read.
  const current = host.document(uri);
  if (!result || !current || current.version !== version) return [];
  const { sourceFile } = current;
  const only = params.context.only;
  const actions: CodeAction[] = [];
  const identifier = { uri, version };
  const asAction = (fix: SymmetryFix, diagnostic: Diagnostic): CodeAction => ({
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.isPreferred,
    edit: { documentChanges: [TextDocumentEdit.create(identifier, toTextEdits(sourceFile, fix.edits))] },
  });

  if (wantsKind(only, CodeActionKind.QuickFix)) {
    const editor = new FileEditor(sourceFile);
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') continue;
      // Only a diagnostic that is one of the current version's, at the same place with the
      // same message, gets fixes: one of an older version that an edit moved or changed
      // describes text that is not there any more. The fixes are computed from the current
      // text, and their edits name the current version.
      const finding = findingOf(diagnostic, result.analysis);
      if (!finding) continue;
      for (const fix of fixesForFinding(sourceFile, result.analysis, finding)) actions.push(asAction(fix, diagnostic));
      actions.push(asAction(disableLineFix(editor, finding), diagnostic));
      actions.push({
        title: `Show documentation for ${finding.ruleId}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: `Show documentation for ${finding.ruleId}`, command: 'vscode.open', arguments: [ruleDocsUrl(finding.ruleId)] },
      });
    }
  }

  if (wantsKind(only, CodeActionKind.RefactorRewrite)) {
    // On a model's name: declare what it has. Computed only here, for the model asked about.
    const offset = sourceFile.getPositionOfLineAndCharacter(params.range.start.line, params.range.start.character);
    const declare = declareDiscoveredFix(sourceFile, modelsNamedAt(result.analysis, sourceFile.fileName, offset));
    if (declare) {
      actions.push({
        title: declare.title,
        kind: CodeActionKind.RefactorRewrite,
        edit: { documentChanges: [TextDocumentEdit.create(identifier, toTextEdits(sourceFile, declare.edits))] },
      });
    }
  }

  if (only && wantsKind(only, FIX_ALL_KIND) && only.some((kind) => FIX_ALL_KIND.startsWith(kind) && kind.startsWith('source'))) {
    const text = sourceFile.text;
    const fixed = fixAllText(sourceFile.fileName, text, (file, options) => analyzeFile(file, host.provider, options), result.options);
    if (fixed.text !== text) {
      // One edit over the changed region: the rest of the file is untouched.
      let start = 0;
      while (start < text.length && start < fixed.text.length && text[start] === fixed.text[start]) start++;
      let end = 0;
      while (end < text.length - start && end < fixed.text.length - start && text[text.length - 1 - end] === fixed.text[fixed.text.length - 1 - end]) end++;
      const edit = { start, end: text.length - end, newText: fixed.text.slice(start, fixed.text.length - end) };
      actions.push({
        title: `Symmetry Lint: apply preferred fixes (${fixed.applied.length})`,
        kind: FIX_ALL_KIND,
        edit: { documentChanges: [TextDocumentEdit.create(identifier, toTextEdits(sourceFile, [edit]))] },
      });
    }
  }
  return host.document(uri)?.version === version ? actions : [];
}

export function registerCodeActions(connection: Connection, host: CodeActionHost): void {
  connection.onCodeAction(async (params) => {
    try {
      return await computeCodeActions(host, params);
    } catch (error) {
      host.log(`code actions failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return [];
    }
  });
}
