// Converts engine findings into LSP diagnostics: ranges from offsets, source, rule id as code
// with its docs link, related information (declaration, repeats of the same fall), and the
// `data` a code action will need to act on a diagnostic later.
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
} from 'vscode-languageserver/node';
import type { ts } from 'ts-morph';
import type { SourceSpan } from '../analysis/graph';
import type { LocatedFinding } from '../engine';
import type { SourceProvider } from '../analysis/sourceProvider';
import type { GroupName, Mode } from '../analysis/symmetry';
import { ruleDocsUrl, type Finding, type Severity } from '../rules/rule';
import { uriForFileName } from '../workspace/documents';

export const DIAGNOSTIC_SOURCE = 'symmetry-lint';

/** What travels in `Diagnostic.data`, for code actions and the probe. */
/**
 * What a diagnostic carries for code actions and other clients. Kept small on purpose: every
 * pull sends it for every finding, and on a large file the response is the bulk of a keystroke's
 * round trip.
 */
export interface SymmetryDiagnosticData {
  ruleId: string;
  modelName?: string;
  layer?: number;
  mode?: Mode;
  group?: GroupName;
  /** The document version the diagnostic was computed for. */
  version: number;
}

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function rangeOf(sourceFile: ts.SourceFile, start: number, end: number): Range {
  const length = sourceFile.text.length;
  const clamp = (offset: number): number => Math.max(0, Math.min(offset, length));
  return {
    start: sourceFile.getLineAndCharacterOfPosition(clamp(start)),
    end: sourceFile.getLineAndCharacterOfPosition(clamp(Math.max(start, end))),
  };
}

export interface DiagnosticContext {
  uri: string;
  version: number;
  sourceFile: ts.SourceFile;
  /** For related locations in other files. */
  provider: SourceProvider;
  /** The URI of an open document by file name (so related links open the buffer). */
  uriOf(fileName: string): string | undefined;
}

export function toDiagnostic(finding: Finding, context: DiagnosticContext): Diagnostic {
  return diagnosticAt(finding, rangeOf(context.sourceFile, finding.span.start, finding.span.end), context);
}

/**
 * toDiagnostic for a finding the engine located in `context.sourceFile` (the same tree): its
 * line and column are already known, so no position is looked up again.
 */
export function locatedDiagnostic(finding: LocatedFinding, context: DiagnosticContext): Diagnostic {
  const range: Range = {
    start: { line: finding.line, character: finding.character },
    end: { line: finding.endLine, character: finding.endCharacter },
  };
  return diagnosticAt(finding, range, context);
}

/**
 * Diagnostics of located findings, kept across analyses of a document. For the models an edit
 * did not move, the engine hands back the very LocatedFinding objects of the previous analysis
 * (engine.ts reuseModel), and their diagnostics then differ only in `data.version`. Kept only
 * for findings whose related locations are all in the document itself: one elsewhere depends on
 * the other document and on whether it is open.
 */
export class LocatedDiagnostics {
  private readonly byFinding = new WeakMap<LocatedFinding, { uri: string; diagnostic: Diagnostic }>();

  toDiagnostic(finding: LocatedFinding, context: DiagnosticContext): Diagnostic {
    const kept = this.byFinding.get(finding);
    if (kept && kept.uri === context.uri) return withVersion(kept.diagnostic, context.version);
    const diagnostic = locatedDiagnostic(finding, context);
    const fileName = context.sourceFile.fileName;
    if (finding.related.every((item) => item.span.file === fileName)) this.byFinding.set(finding, { uri: context.uri, diagnostic });
    return diagnostic;
  }
}

/** A copy of a diagnostic for another document version; the parts that never change are shared. */
function withVersion(diagnostic: Diagnostic, version: number): Diagnostic {
  const data = diagnostic.data as SymmetryDiagnosticData;
  const copy: Diagnostic = {
    range: diagnostic.range,
    severity: diagnostic.severity,
    source: diagnostic.source,
    code: diagnostic.code,
    codeDescription: diagnostic.codeDescription,
    message: diagnostic.message,
    data: { ruleId: data.ruleId, modelName: data.modelName, layer: data.layer, mode: data.mode, group: data.group, version } satisfies SymmetryDiagnosticData,
  };
  if (diagnostic.relatedInformation) copy.relatedInformation = diagnostic.relatedInformation;
  return copy;
}

/** One `{ href }` per rule, shared by its diagnostics: nothing mutates them. */
const codeDescriptions = new Map<string, { href: string }>();

function codeDescriptionOf(ruleId: string): { href: string } {
  let description = codeDescriptions.get(ruleId);
  if (!description) {
    description = { href: ruleDocsUrl(ruleId) };
    codeDescriptions.set(ruleId, description);
  }
  return description;
}

function diagnosticAt(finding: Finding, range: Range, context: DiagnosticContext): Diagnostic {
  const related: DiagnosticRelatedInformation[] = [];
  for (const item of finding.related) {
    const location = locate(item.span, context);
    if (location) related.push({ location, message: item.message });
  }
  const data: SymmetryDiagnosticData = {
    ruleId: finding.ruleId,
    modelName: finding.modelName,
    layer: finding.layer,
    mode: finding.mode,
    group: finding.group,
    version: context.version,
  };
  const diagnostic: Diagnostic = {
    range,
    severity: SEVERITIES[finding.severity],
    source: DIAGNOSTIC_SOURCE,
    code: finding.ruleId,
    codeDescription: codeDescriptionOf(finding.ruleId),
    message: finding.message,
    data,
  };
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}

function locate(span: SourceSpan, context: DiagnosticContext): { uri: string; range: Range } | undefined {
  if (span.file === context.sourceFile.fileName) {
    return { uri: context.uri, range: rangeOf(context.sourceFile, span.start, span.end) };
  }
  const other = context.provider.getSourceFile(span.file);
  if (!other) return undefined;
  return { uri: context.uriOf(span.file) ?? uriForFileName(span.file), range: rangeOf(other, span.start, span.end) };
}
