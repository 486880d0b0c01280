// The one engine entry: source in, findings out. Extraction, inference and rules run here in
// that order; the language server and the CLI are thin faces over this module.
import type { ModelGraph, ShapeTable } from './analysis/graph';
import type { DeclarationInference, SymmetryDeclaration } from './analysis/symmetry';
import type { Finding, SeverityOverride } from './rules/rule';

export type { SourceProvider } from './analysis/sourceProvider';

export interface AnalysisOptions {
  /** `--symmetry` values, applied to every model found (`invariant translation tol=1e-3`). */
  commandLineDeclarations?: string[];
  /** Per-rule severity settings (`symmetryLint.rules`). */
  ruleSeverities?: Record<string, SeverityOverride>;
  /** Upper bound on the time one file's analysis may take, in ms. */
  timeBudgetMs?: number;
}

export interface ModelAnalysis {
  graph: ModelGraph;
  shapes: ShapeTable;
  declarations: SymmetryDeclaration[];
  inferences: DeclarationInference[];
  findings: Finding[];
}

export interface FileAnalysis {
  fileName: string;
  models: ModelAnalysis[];
  /** Every finding in the file, models' and file-level ones (invalid declarations), sorted. */
  findings: Finding[];
}
