// Open documents the server could not parse (nesting deep enough to overflow TypeScript's
// parser): their text is kept so that edits still apply, each edit tries the parse again, and
// until one parses the document's diagnostics are one analysis-gap finding at its first line,
// the same finding `symmetry-lint check` gives the file.
import type { Diagnostic } from 'vscode-languageserver/node';
import { unanalysableFileFinding } from '../engine';
import type { SeverityOverride } from '../rules/rule';
import { fileNameForUri, lineStarts, offsetAt, parseSourceFile, type ContentChange } from '../workspace/documents';
import { toDiagnostic } from './diagnostics';

export interface UnparsableDocument {
  uri: string;
  languageId: string;
  version: number;
  text: string;
  error: unknown;
}

/** A document's text after LSP content changes, without a syntax tree. */
export function applyChangesToText(text: string, changes: readonly ContentChange[]): string {
  let current = text;
  for (const change of changes) {
    if (!('range' in change)) {
      current = change.text;
      continue;
    }
    const starts = lineStarts(current);
    let start = offsetAt(current, starts, change.range.start);
    let end = offsetAt(current, starts, change.range.end);
    if (end < start) [start, end] = [end, start];
    current = current.slice(0, start) + change.text + current.slice(end);
  }
  return current;
}

export class UnparsableDocuments {
  private readonly byUri = new Map<string, UnparsableDocument>();

  remember(document: UnparsableDocument): void {
    this.byUri.set(document.uri, document);
  }

  get(uri: string): UnparsableDocument | undefined {
    return this.byUri.get(uri);
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
  }

  /** The one diagnostic of an unparsable document; none when analysis-gap is turned off. */
  diagnostics(document: UnparsableDocument, severities: Record<string, SeverityOverride> | undefined): Diagnostic[] {
    const fileName = fileNameForUri(document.uri);
    const finding = unanalysableFileFinding(fileName, document.error, severities);
    if (!finding) return [];
    // An empty tree is enough to place a finding at offset 0.
    const context = { uri: document.uri, version: document.version, sourceFile: parseSourceFile(fileName, ''), provider: { getSourceFile: () => undefined }, uriOf: () => undefined };
    return [toDiagnostic(finding, context)];
  }
}
