// The one engine entry: source in, findings out. Extraction, inference and rules run here in
// that order; the language server and the CLI are thin faces over this module.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { parseCommandLineDeclaration, parseDeclarations } from './analysis/declarations';
import { extractModels } from './analysis/extraction/index';
import type { ModelGraph, OrphanHolder, SourceSpan } from './analysis/graph';
import { inferDeclaration } from './analysis/inference';
import { inferShapes } from './analysis/shapes';
import type { SourceProvider } from './analysis/sourceProvider';
import type { DeclarationInference, DeclarationProblem, ShapeTable, SymmetryDeclaration } from './analysis/symmetry';
import type { FileDeclarationProblem, Finding, SeverityOverride } from './rules/rule';
import { engineFinding, runFileRules, runModelRules } from './rules/runner';

export type { SourceProvider } from './analysis/sourceProvider';

export interface AnalysisOptions {
  /** `--symmetry` values, applied to every model found (`invariant translation tol=1e-3`). */
  commandLineDeclarations?: string[];
  /** Per-rule severity settings (`symmetryLint.rules`). */
  ruleSeverities?: Record<string, SeverityOverride>;
  /** Upper bound on the time one file's analysis may take, in ms. */
  timeBudgetMs?: number;
}

/** A finding with its position in the analysed file, 0-based (LSP convention). */
export interface LocatedFinding extends Finding {
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

export interface ModelAnalysis {
  graph: ModelGraph;
  shapes: ShapeTable;
  declarations: SymmetryDeclaration[];
  inferences: DeclarationInference[];
  findings: LocatedFinding[];
}

export interface FileAnalysis {
  fileName: string;
  models: ModelAnalysis[];
  /** Every finding in the file, models' and file-level ones (invalid declarations), sorted. */
  findings: LocatedFinding[];
}

export const DEFAULT_TIME_BUDGET_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Positions

/** 1-based line and column of a span in `sourceFile` (end column exclusive), as the CLI prints. */
export function spanToLineColumn(
  sourceFile: ts.SourceFile,
  span: Pick<SourceSpan, 'start' | 'end'>,
): { line: number; column: number; endLine: number; endColumn: number } {
  const range = spanToLspRange(sourceFile, span);
  return {
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** 0-based start and end positions of a span in `sourceFile`, as LSP wants them. */
export function spanToLspRange(
  sourceFile: ts.SourceFile,
  span: Pick<SourceSpan, 'start' | 'end'>,
): { start: { line: number; character: number }; end: { line: number; character: number } } {
  const length = sourceFile.text.length;
  const clamp = (offset: number) => Math.min(Math.max(offset, 0), length);
  const start = sourceFile.getLineAndCharacterOfPosition(clamp(span.start));
  const end = sourceFile.getLineAndCharacterOfPosition(clamp(Math.max(span.end, span.start)));
  return { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } };
}

// ---------------------------------------------------------------------------------------------
// Suppression comments

const DISABLE_NEXT_LINE = /^(?:\/\/|\/\*)\s*symmetry-lint-disable-next-line\b([^\n]*?)(?:\*\/)?\s*$/;

/**
 * The lines (0-based) that a `// symmetry-lint-disable-next-line [ids]` comment covers, with the
 * rule ids it names (`all` when it names none). Comments are found through the syntax tree, so
 * the text inside strings and templates is never mistaken for one.
 */
export function disabledLines(sourceFile: ts.SourceFile): Map<number, Set<string> | 'all'> {
  const text = sourceFile.text;
  const seen = new Set<number>();
  const result = new Map<number, Set<string> | 'all'>();
  const onComment = (pos: number, end: number) => {
    if (seen.has(pos)) return;
    seen.add(pos);
    const match = DISABLE_NEXT_LINE.exec(text.slice(pos, end));
    if (!match) return;
    const target = sourceFile.getLineAndCharacterOfPosition(end).line + 1;
    // An eslint-style `-- reason` after the ids is a comment on the comment.
    const ids = match[1].split('--')[0].split(/[\s,]+/).filter(Boolean);
    const previous = result.get(target);
    if (ids.length === 0 || previous === 'all') {
      result.set(target, 'all');
    } else {
      result.set(target, new Set([...(previous ?? []), ...ids]));
    }
  };
  const visit = (node: ts.Node) => {
    ts.forEachLeadingCommentRange(text, node.pos, onComment);
    ts.forEachTrailingCommentRange(text, node.end, onComment);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Analysis

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function compareFindings(a: LocatedFinding, b: LocatedFinding): number {
  return (
    a.span.start - b.span.start ||
    a.span.end - b.span.end ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  );
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

/** Declarations and problems of a holder's doc comments, each comment parsed once per file. */
class DocCommentCache {
  private readonly parsed = new Map<string, ReturnType<typeof parseDeclarations>>();
  private readonly problemKeys = new Set<string>();
  readonly problems: FileDeclarationProblem[] = [];

  declarationsOf(docComments: { text: string; span: SourceSpan }[]): SymmetryDeclaration[] {
    const declarations: SymmetryDeclaration[] = [];
    for (const comment of docComments) {
      const key = `${comment.span.file}:${comment.span.start}:${comment.span.end}`;
      let result = this.parsed.get(key);
      if (!result) {
        result = parseDeclarations(comment);
        this.parsed.set(key, result);
      }
      declarations.push(...result.declarations);
      for (const problem of result.problems) this.addProblem(problem);
    }
    return declarations;
  }

  addProblem(problem: DeclarationProblem, commandLineText?: string): void {
    const key = `${problem.span.file}:${problem.span.start}:${problem.span.end}:${problem.expected}:${commandLineText ?? ''}`;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problems.push(commandLineText !== undefined ? { problem, commandLineText } : { problem });
  }
}

/** Analyses every model built in `sourceFile`; never throws. */
export function analyzeFile(sourceFile: ts.SourceFile, provider: SourceProvider, options: AnalysisOptions = {}): FileAnalysis {
  const started = performance.now();
  const budget = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const severities = options.ruleSeverities;
  const fileName = sourceFile.fileName;
  const fileStart: SourceSpan = { file: fileName, start: 0, end: 0 };
  const docComments = new DocCommentCache();

  // Line numbers for messages, also in helper files (`also at conv2d, line 14`).
  const lineOf = (span: SourceSpan): number => {
    const file = span.file === fileName ? sourceFile : provider.getSourceFile(span.file);
    return file ? spanToLspRange(file, span).start.line + 1 : 0;
  };

  const disabled = disabledLines(sourceFile);
  const isSuppressed = (finding: LocatedFinding) => {
    const entry = disabled.get(finding.line);
    return entry !== undefined && (entry === 'all' || entry.has(finding.ruleId));
  };

  const commandLine: SymmetryDeclaration[] = [];
  for (const text of options.commandLineDeclarations ?? []) {
    const parsed = parseCommandLineDeclaration(text);
    if ('problem' in parsed) {
      // The file has no text for it: the problem goes at the top of the file.
      docComments.addProblem({ ...parsed.problem, span: fileStart }, text);
    } else {
      commandLine.push(parsed);
    }
  }

  const models: ModelAnalysis[] = [];
  const fileFindings: Finding[] = [];
  let orphans: OrphanHolder[] = [];
  try {
    const extraction = extractModels(sourceFile, provider);
    orphans = extraction.orphans;
    for (const graph of extraction.models) {
      models.push(analyzeModel(graph));
    }
  } catch (error) {
    const finding = engineFinding('analysis-gap', { messageId: 'internalError', data: { model: path.basename(fileName), error: describeError(error) }, span: fileStart }, severities);
    if (finding) fileFindings.push(finding);
  }

  function analyzeModel(graph: ModelGraph): ModelAnalysis {
    const declarations = [
      ...docComments.declarationsOf(graph.docComments),
      // A `--symmetry` declaration has no tag in the file: it is anchored on the model's name.
      ...commandLine.map((declaration) => ({ ...declaration, span: graph.nameSpan })),
    ];
    const analysis: ModelAnalysis = { graph, shapes: [], declarations, inferences: [], findings: [] };
    const gapFinding = (messageId: 'internalError' | 'timeBudget', data: Record<string, string>) => {
      const finding = engineFinding('analysis-gap', { messageId, data: { model: graph.name, ...data }, span: graph.nameSpan }, severities, graph.name);
      return finding ? [finding] : [];
    };
    if (declarations.length === 0) {
      // Nothing to check; shapes still help the hover.
      try {
        analysis.shapes = inferShapes(graph);
      } catch {
        analysis.shapes = [];
      }
      return analysis;
    }
    if (performance.now() - started > budget) {
      analysis.findings = locate(gapFinding('timeBudget', { budget: String(budget) }), graph);
      return analysis;
    }
    try {
      analysis.shapes = inferShapes(graph);
      for (const declaration of declarations) {
        if (performance.now() - started > budget) {
          analysis.inferences = [];
          analysis.findings = locate(gapFinding('timeBudget', { budget: String(budget) }), graph);
          return analysis;
        }
        analysis.inferences.push(inferDeclaration(graph, analysis.shapes, declaration));
      }
      const findings = runModelRules({ model: graph, shapes: analysis.shapes, inferences: analysis.inferences, lineOf, severities });
      analysis.findings = locate(findings, graph);
    } catch (error) {
      analysis.findings = locate(gapFinding('internalError', { error: describeError(error) }), graph);
    }
    return analysis;
  }

  const orphanDeclarations = orphans.map((holder) => ({ holder, declarations: docComments.declarationsOf(holder.docComments) }));
  try {
    fileFindings.push(
      ...runFileRules({ fileName, declarationProblems: docComments.problems, orphans: orphanDeclarations, lineOf, severities }),
    );
  } catch (error) {
    const finding = engineFinding('analysis-gap', { messageId: 'internalError', data: { model: path.basename(fileName), error: describeError(error) }, span: fileStart }, severities);
    if (finding) fileFindings.push(finding);
  }

  /**
   * Positions findings in this file. A span in another file (a gap inside a helper) moves to
   * the model's name, keeping the original place as related information.
   */
  function locate(findings: Finding[], graph?: ModelGraph): LocatedFinding[] {
    const located: LocatedFinding[] = [];
    const keys = new Set<string>();
    for (const original of findings) {
      let finding = original;
      if (finding.span.file !== fileName) {
        finding = { ...finding, span: graph?.nameSpan ?? fileStart, related: [{ span: finding.span, message: 'here' }, ...finding.related] };
      }
      const range = spanToLspRange(sourceFile, finding.span);
      const result: LocatedFinding = {
        ...finding,
        line: range.start.line,
        character: range.start.character,
        endLine: range.end.line,
        endCharacter: range.end.character,
      };
      const key = `${result.ruleId}:${result.span.start}:${result.span.end}:${result.message}`;
      if (keys.has(key) || isSuppressed(result)) continue;
      keys.add(key);
      located.push(result);
    }
    return located.sort(compareFindings);
  }

  const all = locate([...models.flatMap((model) => model.findings), ...fileFindings]);
  return { fileName, models, findings: all };
}

// ---------------------------------------------------------------------------------------------
// Convenience for tests and scripts

function scriptKindOf(fileName: string): ts.ScriptKind {
  switch (path.extname(fileName).toLowerCase()) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    default:
      return ts.ScriptKind.TS;
  }
}

export function parseSource(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(fileName));
}

/** Reads other files from disk, parsed once per path. */
class DiskSourceProvider implements SourceProvider {
  private readonly cache = new Map<string, ts.SourceFile | undefined>();

  constructor(private readonly overrides: Map<string, ts.SourceFile>) {}

  getSourceFile(fileName: string): ts.SourceFile | undefined {
    const key = path.resolve(fileName);
    const override = this.overrides.get(key);
    if (override) return override;
    if (!this.cache.has(key)) {
      let sourceFile: ts.SourceFile | undefined;
      try {
        sourceFile = parseSource(key, fs.readFileSync(key, 'utf8'));
      } catch {
        sourceFile = undefined;
      }
      this.cache.set(key, sourceFile);
    }
    return this.cache.get(key);
  }
}

/** Analyses `text` as the file `fileName`; imported helpers are read from disk. */
export function analyzeText(fileName: string, text: string, options?: AnalysisOptions): FileAnalysis {
  const sourceFile = parseSource(fileName, text);
  const provider = new DiskSourceProvider(new Map([[path.resolve(fileName), sourceFile]]));
  return analyzeFile(sourceFile, provider, options);
}
