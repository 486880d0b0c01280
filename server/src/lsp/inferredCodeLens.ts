// The opt-in CodeLens above models without a `@symmetry` declaration
// (`symmetryLint.codeLens.inferred`, issue 9): the symmetries the analysis finds they have.
// Lenses go out without a title; the title is computed on `codeLens/resolve`, which editors
// send only for the lenses on screen, so the twelve inference walks per model stay off the
// keystroke path.
import type { CodeLens } from 'vscode-languageserver/node';
import type { ts } from 'ts-morph';
import { describeInferredSummary } from '../analysis/discoveredSymmetries';
import type { SourceSpan } from '../analysis/graph';
import type { SourceProvider } from '../analysis/sourceProvider';
import { discoveredSymmetriesOf, spanToLspRange, type FileAnalysis } from '../engine';

/** What a lens carries from `codeLens` to `codeLens/resolve`. */
interface InferredLensData {
  kind: 'inferred';
  uri: string;
  model: string;
  variant?: string;
}

export function inferredCodeLenses(document: { uri: string; sourceFile: ts.SourceFile }, analysis: FileAnalysis): CodeLens[] {
  return analysis.models
    .filter((model) => model.declarations.length === 0 && model.graph.nameSpan.file === document.sourceFile.fileName)
    .map((model) => {
      const data: InferredLensData = { kind: 'inferred', uri: document.uri, model: model.graph.name, ...(model.graph.variant !== undefined ? { variant: model.graph.variant } : {}) };
      return { range: spanToLspRange(document.sourceFile, model.graph.nameSpan), data };
    });
}

/** Fills in an inferred lens' title from the document's current analysis. */
export function resolveInferredCodeLens(lens: CodeLens, document: { sourceFile: ts.SourceFile }, analysis: FileAnalysis, provider: SourceProvider): CodeLens {
  const data = lens.data as Partial<InferredLensData> | undefined;
  if (data?.kind !== 'inferred') return lens;
  const model = analysis.models.find((candidate) => candidate.graph.name === data.model && candidate.graph.variant === data.variant);
  const sourceFile = document.sourceFile;
  const lineOf = (span: SourceSpan): number => {
    const file = span.file === sourceFile.fileName ? sourceFile : provider.getSourceFile(span.file);
    return file ? spanToLspRange(file, span).start.line + 1 : 0;
  };
  const summary = model ? describeInferredSummary(model.graph, discoveredSymmetriesOf(model), lineOf) : 'the model changed; no longer found';
  const variant = data.variant !== undefined ? ` (when ${data.variant})` : '';
  // An empty command id: a lens to read, not to click.
  return { ...lens, command: { title: `Symmetries${variant}: ${summary}`, command: '' } };
}
