// The language server's store of open documents: one ts.SourceFile per document, kept up to
// date with LSP incremental changes through ts.updateSourceFile so an edit reparses only
// what changed, plus the mapping between document URIs and the file names the engine uses.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { parseSourceText, scriptKindForFile } from '../analysis/sourceProvider';

/** A range in LSP coordinates (0-based line, UTF-16 character), as in a didChange event. */
export interface LineCharacterRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** One entry of `DidChangeTextDocumentParams.contentChanges`: ranged, or the whole text. */
export type ContentChange = { range: LineCharacterRange; text: string } | { text: string };

export interface OpenDocument {
  uri: string;
  /** The file name the analysis sees: the file path for `file:` URIs, else the URI itself. */
  fileName: string;
  languageId: string;
  version: number;
  sourceFile: ts.SourceFile;
}

/** Parses a whole text the way the CLI, the disk cache and the store all do. */
export function parseSourceFile(fileName: string, text: string, languageId?: string): ts.SourceFile {
  return parseSourceText(fileName, text, languageId);
}

export { scriptKindForFile };

export function fileNameForUri(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

export function uriForFileName(fileName: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(fileName) && !/^[a-z]:[\\/]/i.test(fileName)
    ? fileName
    : pathToFileURL(fileName).href;
}

/** Start offsets of each line; a line ends at \n, \r\n or a lone \r, as LSP counts lines. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (ch === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/**
 * The offset of an LSP position, clamped into the text as the protocol asks: a character past
 * the end of its line means the line's end, a line past the last means the end of the text.
 */
export function offsetAt(text: string, starts: number[], position: { line: number; character: number }): number {
  if (position.line < 0) return 0;
  if (position.line >= starts.length) return text.length;
  const lineStart = starts[position.line];
  let lineEnd = position.line + 1 < starts.length ? starts[position.line + 1] : text.length;
  // Positions never point inside the line break itself.
  while (lineEnd > lineStart && (text.charCodeAt(lineEnd - 1) === 10 || text.charCodeAt(lineEnd - 1) === 13)) lineEnd--;
  return Math.min(lineStart + Math.max(0, position.character), lineEnd);
}

/**
 * Applies content changes to a source file. Ranged changes go through ts.updateSourceFile
 * with the changed span, which reuses the untouched parts of the tree; a whole-text change
 * is a fresh parse. The old source file must not be used afterwards (the parser reuses it).
 */
export function applyContentChanges(sourceFile: ts.SourceFile, changes: readonly ContentChange[], languageId?: string): ts.SourceFile {
  let current = sourceFile;
  for (const change of changes) {
    if (!('range' in change)) {
      current = parseSourceFile(current.fileName, change.text, languageId);
      continue;
    }
    const text = current.text;
    const starts = lineStarts(text);
    let start = offsetAt(text, starts, change.range.start);
    let end = offsetAt(text, starts, change.range.end);
    if (end < start) [start, end] = [end, start];
    const newText = text.slice(0, start) + change.text + text.slice(end);
    current = ts.updateSourceFile(current, newText, { span: { start, length: end - start }, newLength: change.text.length });
  }
  return current;
}

/** Open documents by URI, with their parsed source files and versions. */
export class DocumentStore {
  private readonly byUri = new Map<string, OpenDocument>();
  private readonly byFileName = new Map<string, OpenDocument>();

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const fileName = fileNameForUri(uri);
    const document: OpenDocument = { uri, fileName, languageId, version, sourceFile: parseSourceFile(fileName, text, languageId) };
    this.byUri.set(uri, document);
    this.byFileName.set(fileName, document);
    return document;
  }

  /** Applies a didChange; returns undefined for a document that is not open. */
  change(uri: string, version: number, changes: readonly ContentChange[]): OpenDocument | undefined {
    const document = this.byUri.get(uri);
    if (!document) return undefined;
    document.sourceFile = applyContentChanges(document.sourceFile, changes, document.languageId);
    document.version = version;
    return document;
  }

  close(uri: string): void {
    const document = this.byUri.get(uri);
    if (!document) return;
    this.byUri.delete(uri);
    if (this.byFileName.get(document.fileName) === document) this.byFileName.delete(document.fileName);
  }

  get(uri: string): OpenDocument | undefined {
    return this.byUri.get(uri);
  }

  getByFileName(fileName: string): OpenDocument | undefined {
    return this.byFileName.get(fileName);
  }

  all(): OpenDocument[] {
    return [...this.byUri.values()];
  }
}
