// The one engine entry: source in, findings out. Extraction, inference and rules run here in
// that order; the language server and the CLI are thin faces over this module.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { parseCommandLineDeclaration, parseDeclarations } from './analysis/declarations';
import { discover } from './analysis/extraction/discovery';
import { extractModels } from './analysis/extraction/index';
import type { ModelGraph, OrphanHolder, SourceSpan } from './analysis/graph';
import { augmentationGroup, AugmentationTracer, type AugmentedModel, type TrainingAugmentation } from './analysis/augmentation';
import { bestPerGroup, discoverSymmetries, type InferredSymmetry } from './analysis/discoveredSymmetries';
import { inferDeclaration } from './analysis/inference';
import { inferShapes } from './analysis/shapes';
import { parseSourceText, type SourceProvider } from './analysis/sourceProvider';
import type { DeclarationInference, DeclarationProblem, GroupName, ShapeTable, SymmetryDeclaration } from './analysis/symmetry';
import { mergeFindings, type MergeOptions } from './findingMerge';
import { RULES } from './rules/registry';
import { formatMessage, type FileDeclarationProblem, type Finding, type FindingHolder, type SeverityOverride } from './rules/rule';
import { engineFinding, runFileRules, runModelRules } from './rules/runner';
import type { AnalysisCache, CacheSession, ReusedModel, TextChange } from './engineCache';

export type { SourceProvider } from './analysis/sourceProvider';
export { AnalysisCache } from './engineCache';

export interface AnalysisOptions {
  /** `--symmetry` values, applied to every model found (`invariant translation tol=1e-3`). */
  commandLineDeclarations?: string[];
  /** Per-rule severity settings (`symmetryLint.rules`). */
  ruleSeverities?: Record<string, SeverityOverride>;
  /** Upper bound on the time one file's analysis may take, in ms. */
  timeBudgetMs?: number;
  /**
   * The document's cache across edits (one per document): units the edit did not touch are
   * reused. The FileAnalysis of the previous call with the same cache is stale afterwards.
   */
  cache?: AnalysisCache;
  /**
   * Follow training calls to the augmentations of their inputs (default true). Off when the
   * engine analyses the file of an imported model for a training script.
   */
  traceTraining?: boolean;
  /**
   * The files analysed with this one (the CLI's files, the workspace): which training scripts
   * import this file, and which files report their own findings. Without it, an augmentation in
   * a helper of another file is reported at the training call of the training script.
   */
  project?: ProjectTrainingScripts;
}

/** What the engine needs to know of the other files of a project to place augmentation findings (SPEC 7). */
export interface ProjectTrainingScripts {
  /** The training scripts (files with a `fit`, `fitDataset` or `trainOnBatch` call) that import `fileName`, directly or through other files. */
  importersOf(fileName: string): readonly string[];
  /** Whether `fileName` is analysed in its own right, so an augmenting op in it is reported there rather than at the training call. */
  reportsFindingsOf(fileName: string): boolean;
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

/**
 * Wall-clock budget per file for batch callers (the CLI, its workers, the ESLint plugin): a
 * guard against a runaway file, not a latency target, since on a loaded CI machine a file that
 * needs 0.7 s of CPU took 2.5-5 s and was cut off, and a check's verdict must not depend on
 * the load. The editor sets its own, shorter budget (ANALYSIS_BUDGET_MS).
 */
export const DEFAULT_TIME_BUDGET_MS = 10_000;

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
 * rule ids it names (`all` when it names none). The text is searched for the marker first and
 * only the hits are checked against the syntax tree, so text inside strings and templates is
 * never mistaken for a comment and a file without the marker costs one string search.
 *
 * The next line is one line, as in ESLint, except when it opens a JSDoc block: then the comment
 * covers the whole block (its `@symmetry` tags) and the first line of the code the block
 * documents (where the model's name is). `@symmetry` tags live in JSDoc, so a comment above the
 * block is the only place a suppression of a declaration finding can go (docs/decisions.md).
 */
export function disabledLines(sourceFile: ts.SourceFile): Map<number, Set<string> | 'all'> {
  const text = sourceFile.text;
  const seen = new Set<number>();
  const result = new Map<number, Set<string> | 'all'>();
  for (let hit = text.indexOf(DISABLE_MARKER); hit >= 0; hit = text.indexOf(DISABLE_MARKER, hit + DISABLE_MARKER.length)) {
    const comment = commentAt(sourceFile, hit);
    if (!comment || seen.has(comment.pos)) continue;
    seen.add(comment.pos);
    const match = DISABLE_NEXT_LINE.exec(text.slice(comment.pos, comment.end));
    if (!match) continue;
    const target = sourceFile.getLineAndCharacterOfPosition(comment.end).line + 1;
    // An eslint-style `-- reason` after the ids is a comment on the comment.
    const ids = match[1].split('--')[0].split(/[\s,]+/).filter(Boolean);
    for (const line of coveredLines(sourceFile, target)) {
      const previous = result.get(line);
      if (ids.length === 0 || previous === 'all') {
        result.set(line, 'all');
      } else {
        result.set(line, new Set([...(previous ?? []), ...ids]));
      }
    }
  }
  return result;
}

/**
 * `disabledLines` on the keystroke path: a text without any marker stays so unless the edit
 * typed one, so only the edited text (and a marker's length either side) is searched.
 */
function disabledLinesTracked(sourceFile: ts.SourceFile, cache: AnalysisCache | undefined, change: TextChange | undefined): Map<number, Set<string> | 'all'> {
  const text = sourceFile.text;
  const known = cache?.markerSearch;
  if (known?.free && change && change.from === known.text) {
    const edit = change.edit;
    if (!edit || !text.slice(Math.max(0, edit.start - DISABLE_MARKER.length), edit.newEnd + DISABLE_MARKER.length).includes(DISABLE_MARKER)) {
      cache!.markerSearch = { text, free: true };
      return new Map();
    }
  }
  if (cache) cache.markerSearch = { text, free: !text.includes(DISABLE_MARKER) };
  return disabledLines(sourceFile);
}

/** The JSDoc block that is the first text of `line`, if any. */
function jsDocStartingOn(sourceFile: ts.SourceFile, line: number): { pos: number; end: number } | undefined {
  const starts = sourceFile.getLineStarts();
  if (line >= starts.length) return undefined;
  const text = sourceFile.text;
  let offset = starts[line];
  while (text[offset] === ' ' || text[offset] === '\t') offset++;
  if (!text.startsWith('/**', offset) || text.startsWith('/**/', offset)) return undefined;
  const comment = commentAt(sourceFile, offset + 1);
  return comment && comment.pos === offset ? comment : undefined;
}

/** The lines a disable comment whose next line is `target` covers (see `disabledLines`). */
function coveredLines(sourceFile: ts.SourceFile, target: number): number[] {
  const jsDoc = jsDocStartingOn(sourceFile, target);
  if (!jsDoc) return [target];
  const last = sourceFile.getLineAndCharacterOfPosition(jsDoc.end).line;
  const lines: number[] = [];
  for (let line = target; line <= last; line++) lines.push(line);
  // The documented code: the first token after the block (other comments skipped).
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, sourceFile.languageVariant, sourceFile.text);
  scanner.resetTokenState(jsDoc.end);
  if (scanner.scan() !== ts.SyntaxKind.EndOfFileToken) {
    const documented = sourceFile.getLineAndCharacterOfPosition(scanner.getTokenStart()).line;
    if (documented > last) lines.push(documented);
  }
  return lines;
}

/**
 * The line (0-based) above which a disable comment for a finding on `line` must go: the line
 * itself, or the first line of the JSDoc block the line is inside, since a line comment written
 * inside the block would be part of the JSDoc text and suppress nothing.
 */
export function disableCommentAnchorLine(sourceFile: ts.SourceFile, line: number): number {
  const starts = sourceFile.getLineStarts();
  if (line >= starts.length) return line;
  const text = sourceFile.text;
  let offset = starts[line];
  while (text[offset] === ' ' || text[offset] === '\t') offset++;
  const comment = commentAt(sourceFile, offset);
  if (!comment || !text.startsWith('/**', comment.pos)) return line;
  const first = sourceFile.getLineAndCharacterOfPosition(comment.pos).line;
  // Only where the block is the first text of its line does a comment above it reach it.
  return jsDocStartingOn(sourceFile, first)?.pos === comment.pos ? first : line;
}

const DISABLE_MARKER = 'symmetry-lint-disable';

/**
 * The comment containing `offset`, or undefined when the offset is in code, a string, a
 * template or JSX text. Descends to the innermost node whose range holds the offset, then
 * scans that node's own tokens (those between its children) from the last child before it.
 */
function commentAt(sourceFile: ts.SourceFile, offset: number): { pos: number; end: number } | undefined {
  let node: ts.Node = sourceFile;
  let scanFrom = 0;
  for (;;) {
    let inner: ts.Node | undefined;
    let lastBefore = node === sourceFile ? 0 : node.pos;
    ts.forEachChild(node, (child) => {
      if (child.end <= offset) {
        lastBefore = child.end;
        return undefined;
      }
      if (child.pos <= offset) inner = child;
      return true;
    });
    if (!inner) {
      scanFrom = lastBefore;
      break;
    }
    node = inner;
    if (ts.isToken(node) || ts.isJsxText(node)) {
      // A leaf (identifier, literal, template part): only its leading trivia can hold a comment.
      if (offset >= node.getStart(sourceFile)) return undefined;
      scanFrom = node.pos;
      break;
    }
  }
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, sourceFile.languageVariant, sourceFile.text);
  scanner.resetTokenState(scanFrom);
  for (;;) {
    const kind = scanner.scan();
    const pos = scanner.getTokenFullStart();
    const end = scanner.getTokenEnd();
    if (kind === ts.SyntaxKind.EndOfFileToken || pos > offset) return undefined;
    if (end <= offset) continue;
    return kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia ? { pos, end } : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Analysis

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** What, besides the text, the cached results depend on among the options. */
function cacheKey(options: AnalysisOptions): string {
  return JSON.stringify([options.commandLineDeclarations ?? [], options.ruleSeverities ?? {}]);
}

function compareFindings(a: LocatedFinding, b: LocatedFinding): number {
  return (
    a.span.start - b.span.start ||
    a.span.end - b.span.end ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  );
}

/**
 * The findings kept so far. Findings with the same rule, span and message are one finding
 * reported twice (a helper one model calls twice); bucketed by span start, as findings rarely
 * share one, so no key string is built per finding.
 */
class SeenFindings {
  private readonly byStart = new Map<number, Finding[]>();

  /** Adds the finding unless an equal one is there; true when added. */
  add(finding: Finding): boolean {
    const { start, end } = finding.span;
    const bucket = this.byStart.get(start);
    if (!bucket) {
      this.byStart.set(start, [finding]);
      return true;
    }
    for (const other of bucket) {
      if (other.span.end === end && other.ruleId === finding.ruleId && other.message === finding.message) return false;
    }
    bucket.push(finding);
    return true;
  }
}

function suppressionKeyOf(disabled: Map<number, Set<string> | 'all'>): string {
  const parts: string[] = [];
  for (const [line, ids] of disabled) parts.push(`${line}:${ids === 'all' ? '*' : [...ids].sort().join(',')}`);
  return parts.sort().join(';');
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

/** Whether an error is the JavaScript stack running out (deeply nested code in the parser or a walk). */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/**
 * The one finding for a file that could not be parsed or analysed at all (20,000 nested array
 * literals overflow the stack inside TypeScript's parser), at the start of the file, so that
 * both faces say so and go on with the other files. Undefined when analysis-gap is off.
 */
export function unanalysableFileFinding(fileName: string, error: unknown, severities?: Record<string, SeverityOverride>): Finding | undefined {
  const span: SourceSpan = { file: fileName, start: 0, end: 0 };
  return isStackOverflow(error)
    ? engineFinding('analysis-gap', { messageId: 'tooDeeplyNested', data: {}, span }, severities)
    : engineFinding('analysis-gap', { messageId: 'unanalysableFile', data: { error: describeError(error) }, span }, severities);
}

/** Parses of holders' comment lists, with where the comments were (see `declarationsOf`). */
const parsedCommentLists = new WeakMap<object, { starts: number[]; parsed: { declarations: SymmetryDeclaration[]; problems: DeclarationProblem[] } }>();

/** Declarations and problems of a holder's doc comments, each comment parsed once per file. */
class DocCommentCache {
  private readonly parsed = new Map<string, ReturnType<typeof parseDeclarations>>();
  private readonly problemKeys = new Set<string>();
  readonly problems: FileDeclarationProblem[] = [];

  declarationsOf(docComments: { text: string; span: SourceSpan }[]): SymmetryDeclaration[] {
    // The unit cache hands back an unchanged holder with the same comment list, its spans
    // moved in place: the parse is kept while they stay where they were parsed.
    let kept = parsedCommentLists.get(docComments);
    if (!kept || kept.starts.length !== docComments.length || kept.starts.some((start, index) => docComments[index].span.start !== start)) {
      kept = { starts: docComments.map((comment) => comment.span.start), parsed: this.parse(docComments) };
      parsedCommentLists.set(docComments, kept);
    }
    const { declarations, problems } = kept.parsed;
    for (const problem of problems) this.addProblem(problem);
    return declarations;
  }

  /** Declarations and problems of the comments, without recording the problems. */
  parse(docComments: { text: string; span: SourceSpan }[]): { declarations: SymmetryDeclaration[]; problems: DeclarationProblem[] } {
    const declarations: SymmetryDeclaration[] = [];
    const problems: DeclarationProblem[] = [];
    for (const comment of docComments) {
      const key = `${comment.span.file}:${comment.span.start}:${comment.span.end}`;
      let result = this.parsed.get(key);
      if (!result) {
        result = parseDeclarations(comment);
        this.parsed.set(key, result);
      }
      declarations.push(...result.declarations);
      problems.push(...result.problems);
    }
    return { declarations, problems };
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
  // On the keystroke path the cache carries the file's line starts over the edit.
  const tracked = options.cache?.track(sourceFile);
  const rangeOf = (span: Pick<SourceSpan, 'start' | 'end'>) => {
    if (!tracked) return spanToLspRange(sourceFile, span);
    return { start: tracked.lines.position(span.start), end: tracked.lines.position(Math.max(span.end, span.start)) };
  };

  // Line numbers for messages, also in helper files (`also at conv2d, line 14`).
  const lineOf = (span: SourceSpan): number => {
    if (span.file === fileName) return rangeOf(span).start.line + 1;
    const file = provider.getSourceFile(span.file);
    return file ? spanToLspRange(file, span).start.line + 1 : 0;
  };
  /** `lineOf` for one model's rules, noting whether they quoted a line of this file. */
  const quotingLineOf = () => {
    const quoting = {
      quoted: false,
      lineOf: (span: SourceSpan): number => {
        if (span.file === fileName) quoting.quoted = true;
        return lineOf(span);
      },
    };
    return quoting;
  };

  const disabled = disabledLinesTracked(sourceFile, options.cache, tracked?.change);
  const isSuppressed = (finding: LocatedFinding) => {
    const entry = disabled.get(finding.line);
    return entry !== undefined && (entry === 'all' || entry.has(finding.ruleId));
  };
  // Located findings kept by the cache are valid only under the same suppression comments.
  const suppressionKey = disabled.size === 0 ? '' : suppressionKeyOf(disabled);

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
  let session: CacheSession | undefined;
  try {
    const discovery = options.cache && tracked ? options.cache.discovery.discover(sourceFile, tracked.change) : discover(sourceFile);
    session = options.cache && tracked ? options.cache.begin(sourceFile, discovery, provider, cacheKey(options), tracked) : undefined;
    const extraction = extractModels(sourceFile, provider, { discovery, reuse: session?.reuse, onUnitRun: session?.onUnitRun });
    orphans = extraction.orphans;
    for (const graph of extraction.models) {
      const reused = session?.reusedModel(graph);
      if (reused) {
        models.push(reuseModel(reused));
        continue;
      }
      const { analysis, rawFindings, problems, cacheable, quotesLines } = analyzeModel(graph);
      analysis.findings = locate(rawFindings, graph);
      models.push(analysis);
      session?.recordModel({ graph, analysis, rawFindings, problems, located: { findings: analysis.findings.slice(), suppressionKey }, quotesLines }, cacheable);
    }
  } catch (error) {
    session = undefined;
    const finding = isStackOverflow(error)
      ? unanalysableFileFinding(fileName, error, severities)
      : engineFinding('analysis-gap', { messageId: 'internalError', data: { model: path.basename(fileName), error: describeError(error) }, span: fileStart }, severities);
    if (finding) fileFindings.push(finding);
  }

  /**
   * Declarations, shapes, inference and rules of one model. The findings come back unlocated
   * (the cache keeps them so); `cacheable` is false when the time budget or an error cut the
   * analysis short.
   */
  function analyzeModel(graph: ModelGraph): { analysis: ModelAnalysis; rawFindings: Finding[]; problems: DeclarationProblem[]; cacheable: boolean; quotesLines: boolean } {
    const parsed = docComments.parse(graph.docComments);
    for (const problem of parsed.problems) docComments.addProblem(problem);
    const declarations = [
      ...parsed.declarations,
      // A `--symmetry` declaration has no tag in the file: it is anchored on the model's name.
      ...commandLine.map((declaration) => ({ ...declaration, span: graph.nameSpan })),
    ];
    const analysis: ModelAnalysis = { graph, shapes: [], declarations, inferences: [], findings: [] };
    const result = { analysis, rawFindings: [] as Finding[], problems: parsed.problems, cacheable: true, quotesLines: false };
    const gapFinding = (messageId: 'internalError' | 'timeBudget', data: Record<string, string>) => {
      const finding = engineFinding('analysis-gap', { messageId, data: { model: graph.name, ...data }, span: graph.nameSpan }, severities, graph.name);
      result.cacheable = false;
      return finding ? [finding] : [];
    };
    if (declarations.length === 0) {
      // Nothing to check; shapes still help the hover.
      try {
        analysis.shapes = inferShapes(graph);
      } catch {
        analysis.shapes = [];
      }
      return result;
    }
    if (performance.now() - started > budget) {
      result.rawFindings = gapFinding('timeBudget', { budget: String(budget) });
      return result;
    }
    try {
      analysis.shapes = inferShapes(graph);
      for (const declaration of declarations) {
        if (performance.now() - started > budget) {
          analysis.inferences = [];
          result.rawFindings = gapFinding('timeBudget', { budget: String(budget) });
          return result;
        }
        analysis.inferences.push(inferDeclaration(graph, analysis.shapes, declaration));
      }
      const quoting = quotingLineOf();
      result.rawFindings = runModelRules({ model: graph, shapes: analysis.shapes, inferences: analysis.inferences, lineOf: quoting.lineOf, severities });
      result.quotesLines = quoting.quoted;
    } catch (error) {
      result.rawFindings = gapFinding('internalError', { error: describeError(error) });
    }
    return result;
  }

  /** A model of a reused unit: its rules run again only when its lines moved and they quoted one. */
  function reuseModel(reused: ReusedModel): ModelAnalysis {
    for (const problem of reused.problems) docComments.addProblem(problem);
    const { graph } = reused;
    // Field by field (every field of ModelAnalysis): a spread with an added property costs
    // microseconds each in V8 (node 20), and this runs for every model on every keystroke.
    const kept = reused.analysis as Omit<ModelAnalysis, 'findings'>;
    const analysis: ModelAnalysis = { graph: kept.graph, shapes: kept.shapes, declarations: kept.declarations, inferences: kept.inferences, findings: [] };
    const located = reused.located;
    if (!reused.positionsMoved && located && located.suppressionKey === suppressionKey) {
      // Same raw findings, same spans relative to their lines, same suppressions: locating
      // them again would give these very values. A copy of the list, so that a caller adding
      // to a model's findings does not add to the cache.
      analysis.findings = (located.findings as LocatedFinding[]).slice();
      return analysis;
    }
    let rawFindings = reused.rawFindings;
    if (reused.linesMoved && reused.quotesLines !== false && analysis.declarations.length > 0) {
      const quoting = quotingLineOf();
      try {
        rawFindings = runModelRules({ model: graph, shapes: analysis.shapes, inferences: analysis.inferences, lineOf: quoting.lineOf, severities });
      } catch (error) {
        const finding = engineFinding('analysis-gap', { messageId: 'internalError', data: { model: graph.name, error: describeError(error) }, span: graph.nameSpan }, severities, graph.name);
        rawFindings = finding ? [finding] : [];
      }
      session?.replaceFindings(graph, rawFindings, quoting.quoted);
    }
    analysis.findings = locate(rawFindings, graph);
    session?.recordLocated(graph, { findings: analysis.findings.slice(), suppressionKey });
    return analysis;
  }

  const orphanDeclarations = orphans.map((holder) => ({ holder, declarations: docComments.declarationsOf(holder.docComments) }));
  try {
    const augmentations = options.traceTraining === false || severities?.['augmentation-not-declared'] === 'off' ? [] : augmentationsOfFile(sourceFile, provider, models, options, session);
    fileFindings.push(
      ...runFileRules({ fileName, declarationProblems: docComments.problems, orphans: orphanDeclarations, augmentations, lineOf, severities }),
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
    const seen = new SeenFindings();
    for (const original of findings) {
      const result = locateOne(original, graph);
      if (!isSuppressed(result) && seen.add(result)) located.push(result);
    }
    return located.sort(compareFindings);
  }

  function locateOne(original: Finding, graph?: ModelGraph): LocatedFinding {
    let finding = original;
    if (finding.span.file !== fileName) {
      finding = { ...finding, span: graph?.nameSpan ?? fileStart, related: [{ span: finding.span, message: 'here' }, ...finding.related] };
    }
    const range = rangeOf(finding.span);
    return {
      ...finding,
      line: range.start.line,
      character: range.start.character,
      endLine: range.end.line,
      endCharacter: range.end.character,
    };
  }

  // The file's list: the models' located findings (already in this file, unsuppressed, and
  // positioned in this very text), one per place and meaning with the models that share it
  // (a layer in a helper each builder calls), then the file-level ones, duplicates dropped in
  // that order, then sorted. The models' own lists stay as they are (SPEC 8 lists per model).
  const all = mergeModelFindings(models);
  const seen = new SeenFindings();
  for (const finding of all) seen.add(finding);
  for (const original of fileFindings) {
    const finding = locateOne(original);
    if (!isSuppressed(finding) && seen.add(finding)) all.push(finding);
  }
  all.sort(compareFindings);
  session?.commit();
  return { fileName, models, findings: all };
}

// ---------------------------------------------------------------------------------------------
// Training code

/**
 * Models of files that training scripts import, per parsed file: a provider hands out the same
 * tree while the file is unchanged, so a keystroke in the training script does not analyse the
 * model's file again.
 */
const importedModels = new WeakMap<ts.SourceFile, { declarations: string; models: readonly ModelAnalysis[] }>();

/**
 * How the model holds an augmentation's group, kept per model graph: the unit cache hands back
 * the same graph object for an unchanged model (with a new ModelAnalysis around it each time),
 * so a keystroke elsewhere does not infer it again. The state depends on the graph alone.
 */
const augmentedStates = new WeakMap<ModelGraph, Map<GroupName, InferredSymmetry | undefined>>();

function augmentedGroupState(model: ModelAnalysis, group: GroupName): InferredSymmetry | undefined {
  let byGroup = augmentedStates.get(model.graph);
  if (!byGroup) augmentedStates.set(model.graph, (byGroup = new Map()));
  if (byGroup.has(group)) return byGroup.get(group);
  let inferred: InferredSymmetry | undefined;
  try {
    const shapes = model.shapes.length > 0 ? model.shapes : inferShapes(model.graph);
    inferred = bestPerGroup(discoverSymmetries(model.graph, shapes, [group]))[0];
  } catch {
    inferred = undefined;
  }
  byGroup.set(group, inferred);
  return inferred;
}

/**
 * A training script's traced augmentations, with the files the trace read: valid while the
 * provider hands out the same trees for them, so a helper file analysed on every keystroke does
 * not trace its importers again.
 */
const tracedTraining = new WeakMap<ts.SourceFile, { reads: Map<string, ts.SourceFile | undefined>; found: TrainingAugmentation[] }>();

function traceTraining(sourceFile: ts.SourceFile, provider: SourceProvider): TrainingAugmentation[] {
  const cached = tracedTraining.get(sourceFile);
  if (cached && [...cached.reads].every(([name, file]) => provider.getSourceFile(name) === file)) return cached.found;
  const reads = new Map<string, ts.SourceFile | undefined>();
  const recording: SourceProvider = {
    getSourceFile: (name) => {
      const file = provider.getSourceFile(name);
      reads.set(name, file);
      return file;
    },
  };
  const found = AugmentationTracer.inFile(sourceFile, recording);
  tracedTraining.set(sourceFile, { reads, found });
  return found;
}

/**
 * The augmentations of the inputs each training call of `sourceFile` trains on, matched to the
 * analysed model (`models` of this file, or of the file it is imported from, analysed without
 * rules), with how the model holds the augmentation's group.
 */
function trainingAugmentations(sourceFile: ts.SourceFile, provider: SourceProvider, models: readonly ModelAnalysis[] | undefined, commandLineDeclarations: string[] = [], session?: CacheSession): AugmentedModel[] {
  // On the keystroke path the tracing is kept while the edits touch nothing it read.
  const found = session
    ? session.fileResult('augmentations', (reads) => AugmentationTracer.inFile(sourceFile, provider, reads), (augmentations, move) => augmentations.map((a) => ({ ...a, span: move(a.span), training: move(a.training) })))
    : traceTraining(sourceFile, provider);
  if (found.length === 0) return [];
  const modelsOfFile = new Map<string, readonly ModelAnalysis[]>(models ? [[sourceFile.fileName, models]] : []);
  const result: AugmentedModel[] = [];
  for (const augmentation of found) {
    let candidates = modelsOfFile.get(augmentation.model.file);
    if (!candidates) {
      const other = provider.getSourceFile(augmentation.model.file);
      // `--symmetry` applies to the imported model as to every model found.
      const cached = other ? importedModels.get(other) : undefined;
      candidates = cached && cached.declarations === commandLineDeclarations.join('\n') ? cached.models : undefined;
      if (other && !candidates) {
        candidates = analyzeFile(other, provider, { traceTraining: false, commandLineDeclarations, ruleSeverities: Object.fromEntries(RULES.map((rule) => [rule.id, 'off' as const])) }).models;
        importedModels.set(other, { declarations: commandLineDeclarations.join('\n'), models: candidates });
      }
      candidates ??= [];
      modelsOfFile.set(augmentation.model.file, candidates);
    }
    const name = augmentation.model.name;
    const model = candidates.find((candidate) => candidate.graph.name === name || (name === 'default' && candidate.graph.nameSpan.file === augmentation.model.file && candidate.graph.name === 'default'));
    if (!model) continue;
    const rank = model.graph.inputs[0] ? (model.shapes[model.graph.inputs[0].tensor] ?? model.graph.inputs[0].shape)?.length : undefined;
    const group = augmentationGroup(augmentation, rank);
    if (!group) continue;
    const inferred = augmentedGroupState(model, group);
    result.push({ augmentation, group, model: { graph: model.graph, declared: model.declarations.map((d) => ({ mode: d.mode, group: d.group })), ...(inferred ? { inferred } : {}) } });
  }
  return result;
}

/**
 * Which file reports each augmentation of one training script (SPEC 7: the file of the
 * augmenting op, once per group and model): the op's file when the project analyses it, else the
 * training script (at its training call). Of several ops of one group and model, the first
 * stands for them: the training script's own, then by file name and position.
 */
function placeAugmentations(trainingFile: string, matched: readonly AugmentedModel[], project: ProjectTrainingScripts | undefined): { reporter: string; augmented: AugmentedModel }[] {
  const placed = matched.map((augmented) => {
    const opFile = augmented.augmentation.span.file;
    return { reporter: opFile === trainingFile || project?.reportsFindingsOf(opFile) ? opFile : trainingFile, augmented };
  });
  placed.sort(
    (a, b) =>
      Number(a.reporter !== trainingFile) - Number(b.reporter !== trainingFile) ||
      (a.reporter < b.reporter ? -1 : a.reporter > b.reporter ? 1 : 0) ||
      Number(a.augmented.augmentation.span.file !== a.reporter) - Number(b.augmented.augmentation.span.file !== b.reporter) ||
      a.augmented.augmentation.span.start - b.augmented.augmentation.span.start,
  );
  const claimed = new Set<string>();
  return placed.filter(({ augmented }) => {
    const key = `${augmented.group}\u0000${augmented.model.graph.nameSpan.file}\u0000${augmented.model.graph.name}`;
    if (claimed.has(key)) return false;
    claimed.add(key);
    return true;
  });
}

/**
 * The augmentations this file reports: those of its own training calls that it places here, and
 * those of the project's training scripts that import it whose op is in this file.
 */
function augmentationsOfFile(sourceFile: ts.SourceFile, provider: SourceProvider, models: readonly ModelAnalysis[], options: AnalysisOptions, session?: CacheSession): AugmentedModel[] {
  const fileName = sourceFile.fileName;
  const result: AugmentedModel[] = [];
  const own = trainingAugmentations(sourceFile, provider, models, options.commandLineDeclarations, session);
  for (const { reporter, augmented } of placeAugmentations(fileName, own, options.project)) if (reporter === fileName) result.push(augmented);
  for (const importer of options.project?.importersOf(fileName) ?? []) {
    if (path.resolve(importer) === path.resolve(fileName)) continue;
    const trainingFile = provider.getSourceFile(importer);
    if (!trainingFile) continue;
    const matched = trainingAugmentations(trainingFile, provider, undefined, options.commandLineDeclarations);
    for (const { reporter, augmented } of placeAugmentations(trainingFile.fileName, matched, options.project)) {
      if (reporter === fileName && augmented.augmentation.span.file === fileName) result.push(augmented);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// One finding per place

/** Who has a model's findings: its name (and, with variants, the variant's label). */
function holderOf(graph: ModelGraph): FindingHolder {
  return graph.variant !== undefined ? { model: graph.name, variant: graph.variant } : { model: graph.name };
}

const templatesByRule = new Map(RULES.map((rule) => [rule.id, rule.meta.messages as Record<string, string>]));

/** A finding's message with `{{model}}` filled by `model`; undefined for a message without it. */
function messageNaming(finding: Finding, model: string): string | undefined {
  const template = templatesByRule.get(finding.ruleId)?.[finding.messageId];
  return template !== undefined && /\{\{\s*model\s*\}\}/.test(template) ? formatMessage(template, { ...finding.data, model }) : undefined;
}

const MERGE_OPTIONS: MergeOptions<LocatedFinding> = {
  // The model's name is the holder's own word in a message: two models' messages that differ
  // only by it say the same thing.
  meaningOf: (finding) => messageNaming(finding, '\u0000') ?? finding.message,
  messageFor: (finding, models) => messageNaming(finding, models) ?? finding.message,
};

/**
 * The models' findings, each place and meaning once (see findingMerge.ts); reused on its own by
 * callers that add findings to the models afterwards (the CLI's probe results).
 */
export function mergeModelFindings(models: readonly ModelAnalysis[]): LocatedFinding[] {
  return mergeFindings(
    models.map((model) => ({ holder: holderOf(model.graph), span: model.graph.nameSpan, findings: model.findings })),
    MERGE_OPTIONS,
  );
}

// ---------------------------------------------------------------------------------------------
// Convenience for tests and scripts

export function parseSource(fileName: string, text: string): ts.SourceFile {
  return parseSourceText(fileName, text);
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

// ---------------------------------------------------------------------------------------------
// Discovered symmetries (issue 9): computed on demand, never by analyzeFile

const discoveredByModel = new WeakMap<ModelAnalysis, InferredSymmetry[]>();

/**
 * Every (mode, group) that can act on the model's input and how it holds at its output,
 * declared or not (SPEC 8 `inferred`). Twelve inference walks: callers ask for the model under
 * the cursor or a visible lens, or for `check --infer`; each analysis' answer is kept.
 */
export function discoveredSymmetriesOf(model: ModelAnalysis): InferredSymmetry[] {
  let inferred = discoveredByModel.get(model);
  if (!inferred) {
    try {
      const shapes = model.shapes.length > 0 ? model.shapes : inferShapes(model.graph);
      inferred = discoverSymmetries(model.graph, shapes);
    } catch {
      inferred = [];
    }
    discoveredByModel.set(model, inferred);
  }
  return inferred;
}
