// Turns engine results into the CLI's report: the `--format json` object of SPEC section 8
// (1-based lines and columns, paths relative to the working folder) plus what the text and
// SARIF formatters need (related locations, rule metadata).
//
// Decision on file-level findings: SPEC 8 has findings only inside models. Findings that
// belong to no model (an `@symmetry` tag on a holder where no model was found, a tag outside
// any holder) go to an extra `findings` array on the file object (an additive key, always
// present). A model's own declaration problems (an `invalid-declaration` in its JSDoc) go in
// that model's `findings`, never in the file's, so each finding is reported exactly once.
import * as path from 'node:path';
import type { ts } from 'ts-morph';
import type { SourceProvider } from '../analysis/sourceProvider';
import { layerSpanInFile, type ModelGraph, type SourceSpan } from '../analysis/graph';
import type { GroupName, Mode } from '../analysis/symmetry';
import { describeInferredLine, type InferredLevel } from '../analysis/discoveredSymmetries';
import { discoveredSymmetriesOf, spanToLspRange, type FileAnalysis } from '../engine';
import type { Finding, Severity } from '../rules/rule';

export interface JsonFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The declared group the finding is about; null for findings about no declaration. */
  group: GroupName | null;
}

export interface JsonModel {
  name: string;
  /** Set when the model has variants (SPEC 4, 8): the path this entry is (`rnnType === 'lstm'`). */
  variant?: string;
  line: number;
  declared: { mode: Mode; group: GroupName }[];
  layers: { kind: string; line: number }[];
  findings: JsonFinding[];
  /** `check --infer` (SPEC 8): every (mode, group) that acts on the input, and how it holds at the output. */
  inferred?: { mode: Mode; group: GroupName; state: InferredLevel }[];
}

export interface JsonFile {
  path: string;
  models: JsonModel[];
  /** Findings outside any model (additive to SPEC 8, see the header of this file). */
  findings: JsonFinding[];
}

export interface JsonReport {
  files: JsonFile[];
}

/** A 1-based range in some file, for related locations. */
export interface ReportLocation {
  /** Relative to the working folder, forward slashes. */
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * A finding with the positions every output format needs, and nothing else: a report crosses
 * from a check worker to the main thread by structured clone, and the engine's finding (spans,
 * fix data, holders) was 40% of a report's bytes that no format reads.
 */
export interface LocatedFinding {
  json: JsonFinding;
  related: { location: ReportLocation; message: string }[];
}

export interface CheckedFile {
  /** Relative to the working folder, forward slashes. */
  path: string;
  sourceFile: ts.SourceFile;
  analysis: FileAnalysis;
}

export interface FileReport {
  path: string;
  /** `inferredLine`: with `--infer`, the model's one-line summary the text output prints. */
  models: { json: JsonModel; findings: LocatedFinding[]; inferredLine?: string }[];
  fileFindings: LocatedFinding[];
  /**
   * Every finding of the file as the engine lists it: a finding several models share (a layer
   * in a helper) once, naming them in its related information. Text and SARIF print these.
   */
  findings: LocatedFinding[];
}

export function displayPath(fileName: string, cwd: string): string {
  const relative = path.relative(cwd, fileName) || path.basename(fileName);
  return relative.split(path.sep).join('/');
}

function position(sourceFile: ts.SourceFile, offset: number): { line: number; column: number } {
  const clamped = Math.max(0, Math.min(offset, sourceFile.text.length));
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(clamped);
  return { line: line + 1, column: character + 1 };
}

/** Where a layer shows up in the model's own file (its innermost call site there). */
function spanContains(outer: SourceSpan, inner: SourceSpan): boolean {
  return outer.file === inner.file && outer.start <= inner.start && inner.end <= outer.end;
}

/** Whether a file-level finding is about this model's declaration (its JSDoc or its name). */
function belongsToModel(finding: Finding, graph: ModelGraph): boolean {
  if (finding.modelName !== undefined) return finding.modelName === graph.name;
  return graph.docComments.some((comment) => spanContains(comment.span, finding.span)) || spanContains(graph.nameSpan, finding.span);
}

function findingKey(finding: Finding): string {
  return `${finding.ruleId}\u0000${finding.span.file}\u0000${finding.span.start}\u0000${finding.span.end}\u0000${finding.group ?? ''}\u0000${finding.message}`;
}

function compareFindings(a: LocatedFinding, b: LocatedFinding): number {
  return (
    a.json.line - b.json.line ||
    a.json.column - b.json.column ||
    (a.json.ruleId < b.json.ruleId ? -1 : a.json.ruleId > b.json.ruleId ? 1 : 0)
  );
}

/** Builds one file's report; `provider` resolves related locations in other files. */
export function buildFileReport(checked: CheckedFile, provider: SourceProvider, cwd: string, options: { infer?: boolean } = {}): FileReport {
  const { sourceFile, analysis } = checked;
  const sourceFor = (fileName: string): ts.SourceFile | undefined =>
    fileName === sourceFile.fileName ? sourceFile : provider.getSourceFile(fileName);

  // Related locations are nearly all in a file or two: each path made relative once a report.
  const displayPaths = new Map<string, string>();
  const displayPathOf = (fileName: string): string => {
    let shown = displayPaths.get(fileName);
    if (shown === undefined) displayPaths.set(fileName, (shown = displayPath(fileName, cwd)));
    return shown;
  };
  const locate = (span: SourceSpan): ReportLocation | undefined => {
    const source = sourceFor(span.file);
    if (!source) return undefined;
    const start = position(source, span.start);
    const end = position(source, span.end);
    return { path: displayPathOf(span.file), line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };

  const locateFinding = (finding: Finding): LocatedFinding => {
    const start = position(sourceFile, finding.span.start);
    const end = position(sourceFile, finding.span.end);
    const related: LocatedFinding['related'] = [];
    for (const item of finding.related) {
      const location = locate(item.span);
      if (location) related.push({ location, message: item.message });
    }
    return {
      related,
      json: {
        ruleId: finding.ruleId,
        severity: finding.severity,
        message: finding.message,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        group: finding.group ?? null,
      },
    };
  };

  // By value, not identity: the file's list may hold copies of the models' findings.
  const assigned = new Set<string>();
  // The file's declaration problems, keyed once: looking through the whole file's findings for
  // each model made a file's report cost grow with the square of its models.
  type Problem = { index: number; key: string; finding: Finding };
  const namedProblems = new Map<string, Problem[]>();
  const unnamedProblems: Problem[] = [];
  for (const [index, finding] of analysis.findings.entries()) {
    if (finding.ruleId !== 'invalid-declaration') continue;
    const entry = { index, key: findingKey(finding), finding };
    if (finding.modelName === undefined) unnamedProblems.push(entry);
    else namedProblems.set(finding.modelName, [...(namedProblems.get(finding.modelName) ?? []), entry]);
  }
  const models = analysis.models.map((model) => {
    const graph = model.graph;
    const own = new Map<string, Finding>();
    for (const finding of model.findings) own.set(findingKey(finding), finding);
    // In the file's order, as before, so that ties in the sort below come out the same.
    const problems = [...(namedProblems.get(graph.name) ?? []), ...unnamedProblems].sort((a, b) => a.index - b.index);
    for (const { key, finding } of problems) {
      if (!assigned.has(key) && !own.has(key) && belongsToModel(finding, graph)) {
        own.set(key, finding);
      }
    }
    for (const key of own.keys()) assigned.add(key);
    const findings = [...own.values()].map(locateFinding).sort(compareFindings);
    const json: JsonModel = {
      name: graph.name,
      ...(graph.variant !== undefined ? { variant: graph.variant } : {}),
      line: position(sourceFile, graph.nameSpan.start).line,
      declared: model.declarations.map((declaration) => ({ mode: declaration.mode, group: declaration.group })),
      layers: graph.layers.map((layer) => ({
        kind: layer.kind,
        line: position(sourceFile, (layerSpanInFile(layer, sourceFile.fileName) ?? graph.creationSpan).start).line,
      })),
      findings: findings.map((finding) => finding.json),
    };
    if (!options.infer) return { json, findings };
    const inferred = discoveredSymmetriesOf(model);
    json.inferred = inferred.map((entry) => ({ mode: entry.mode, group: entry.group, state: entry.state }));
    const lineOf = (span: SourceSpan): number => {
      const source = sourceFor(span.file);
      return source ? spanToLspRange(source, span).start.line + 1 : 0;
    };
    return { json, findings, inferredLine: describeInferredLine(graph, inferred, lineOf) };
  });

  // A model's finding is in its model's list even when the file's list has it merged with
  // other models' (under another message), so only findings of no model are left here.
  const fileFindings = analysis.findings
    .filter((finding) => finding.modelName === undefined && !assigned.has(findingKey(finding)))
    .map(locateFinding)
    .sort(compareFindings);
  const findings = analysis.findings.map(locateFinding).sort(compareFindings);
  return { path: checked.path, models, fileFindings, findings };
}

export function toJsonReport(files: readonly FileReport[]): JsonReport {
  return {
    files: files.map((file) => ({
      path: file.path,
      models: file.models.map((model) => model.json),
      findings: file.fileFindings.map((finding) => finding.json),
    })),
  };
}

/** Every finding of a file, in position order, each place and meaning once. */
export function allFindings(file: FileReport): LocatedFinding[] {
  return file.findings;
}
