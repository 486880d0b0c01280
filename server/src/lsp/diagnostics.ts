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
import { encodeOnceAndReuse } from './jsonMessageEncoder';

export const DIAGNOSTIC_SOURCE = 'symmetry-lint';

/**
 * What a diagnostic carries for code actions and other clients. Kept small on purpose: every
 * pull sends it for every finding, and on a large file the response is the bulk of a keystroke's
 * round trip. It names no document version, so that a diagnostic an edit did not move is the
 * same from one version to the next (and a pull can answer `unchanged`); code actions check
 * a diagnostic against the analysis of the current version instead (codeActions.ts).
 */
export interface SymmetryDiagnosticData {
  ruleId: string;
  modelName?: string;
  layer?: number;
  mode?: Mode;
  group?: GroupName;
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
 * Diagnostics of located findings, kept across analyses of a document, so that a diagnostic an
 * edit did not change is the very same object from one version to the next: frozen, so that
 * the encoder of the server's messages serializes it only once (jsonMessageEncoder.ts), and
 * cheap to compare (a pull answers `unchanged` when all are the same).
 * - For the models an edit did not move, the engine hands back the very LocatedFinding objects
 *   of the previous analysis (engine.ts reuseModel): their diagnostics are looked up by
 *   finding. Only for findings whose related locations are all in the document itself: one
 *   elsewhere depends on the other document and on whether it is open.
 * - Other findings (file-level ones, one shared by several models) are new objects each time:
 *   their diagnostic is built, then swapped for the previous analysis' one at the same place
 *   when the two are equal.
 */
export class LocatedDiagnostics {
  private readonly byFinding = new WeakMap<LocatedFinding, { uri: string; diagnostic: Diagnostic }>();
  /** Per document, the last analysis' diagnostics by place and message, and each one's place. */
  private readonly previous = new Map<string, { byPlace: Map<string, Diagnostic>; places: Map<Diagnostic, string> }>();

  /** The diagnostics of one analysis of the document `context.uri`, in the findings' order. */
  toDiagnostics(findings: readonly LocatedFinding[], context: DiagnosticContext): Diagnostic[] {
    const before = this.previous.get(context.uri);
    const now = new Map<string, Diagnostic>();
    // A reused diagnostic's place comes from the last analysis: building the key string for
    // each of them was a twentieth of a keystroke's work on a large file.
    const places = new Map<Diagnostic, string>();
    const placeOf = (diagnostic: Diagnostic): string => before?.places.get(diagnostic) ?? placeKey(diagnostic);
    const fileName = context.sourceFile.fileName;
    const diagnostics = findings.map((finding) => {
      const kept = this.byFinding.get(finding);
      let diagnostic = kept && kept.uri === context.uri ? kept.diagnostic : undefined;
      if (!diagnostic) {
        const built = locatedDiagnostic(finding, context);
        const same = before?.byPlace.get(placeKey(built));
        diagnostic = same && sameDiagnostic(same, built) ? same : encodeOnceAndReuse(built);
        if (finding.related.every((item) => item.span.file === fileName)) this.byFinding.set(finding, { uri: context.uri, diagnostic });
      }
      const place = placeOf(diagnostic);
      now.set(place, diagnostic);
      places.set(diagnostic, place);
      return diagnostic;
    });
    this.previous.set(context.uri, { byPlace: now, places });
    return diagnostics;
  }

  forget(uri: string): void {
    this.previous.delete(uri);
  }
}

function placeKey(diagnostic: Diagnostic): string {
  const { start, end } = diagnostic.range;
  return `${start.line}:${start.character}:${end.line}:${end.character}:${String(diagnostic.code)}:${diagnostic.message}`;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Two diagnostics as this module builds them (and the probes' ones) say the same, field by field. */
export function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  if (a === b) return true;
  if (!sameRange(a.range, b.range) || a.severity !== b.severity || a.source !== b.source || a.code !== b.code || a.message !== b.message) return false;
  if (a.codeDescription?.href !== b.codeDescription?.href) return false;
  if (a.tags?.join() !== b.tags?.join()) return false;
  const aData = a.data as Record<string, unknown> | undefined;
  const bData = b.data as Record<string, unknown> | undefined;
  if ((aData === undefined) !== (bData === undefined)) return false;
  if (aData && bData) {
    const keys = Object.keys(aData);
    if (keys.length !== Object.keys(bData).length || keys.some((key) => aData[key] !== bData[key])) return false;
  }
  const aRelated = a.relatedInformation ?? [];
  const bRelated = b.relatedInformation ?? [];
  return (
    aRelated.length === bRelated.length &&
    aRelated.every((item, index) => {
      const other = bRelated[index];
      return item.message === other.message && item.location.uri === other.location.uri && sameRange(item.location.range, other.location.range);
    })
  );
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
