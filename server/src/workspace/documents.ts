// The language server's store of open documents: one ts.SourceFile per document, kept up to
// date with LSP incremental changes so an edit reparses only what changed, plus the mapping
// between document URIs and the file names the engine uses.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { parseSourceText, scriptKindForFile } from '../analysis/sourceProvider';
import { reparseEditedStatement } from './statementReparse';

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
export function offsetAt(text: string, starts: readonly number[], position: { line: number; character: number }): number {
  if (position.line < 0) return 0;
  if (position.line >= starts.length) return text.length;
  const lineStart = starts[position.line];
  let lineEnd = position.line + 1 < starts.length ? starts[position.line + 1] : text.length;
  // Positions never point inside the line break itself.
  while (lineEnd > lineStart && (text.charCodeAt(lineEnd - 1) === 10 || text.charCodeAt(lineEnd - 1) === 13)) lineEnd--;
  return Math.min(lineStart + Math.max(0, position.character), lineEnd);
}

/**
 * Which characters end a line: LSP counts \n, \r\n and a lone \r; TypeScript's own line map
 * also counts U+2028 and U+2029.
 */
type LineBreaks = 'lsp' | 'typescript';

/**
 * Pushes the start of every line that begins after a break in text[from, to); a start equal to
 * `to` only when `includeEnd`. `from` must itself be a line start.
 */
function scanLineStarts(text: string, from: number, to: number, includeEnd: boolean, breaks: LineBreaks, out: number[]): void {
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
    } else if (ch !== 10 /* \n */ && !(breaks === 'typescript' && (ch === 0x2028 || ch === 0x2029))) {
      continue;
    }
    if (i + 1 < to || includeEnd) out.push(i + 1);
  }
}

/** The index of the line holding `offset`: the last start at or before it. */
function lineIndexAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * The line starts after text[start, end) became `insertedLength` characters: the lines around
 * the change are scanned again, those before are kept and those after are shifted. One line
 * more on each side, since a change next to a break can join or split a \r\n.
 */
function updatedLineStarts(starts: readonly number[], newText: string, start: number, end: number, insertedLength: number, breaks: LineBreaks): number[] {
  const delta = insertedLength - (end - start);
  const first = Math.max(0, lineIndexAt(starts, start) - 1);
  const after = lineIndexAt(starts, end) + 2;
  const updated = starts.slice(0, first + 1);
  if (after < starts.length) {
    scanLineStarts(newText, starts[first], starts[after] + delta, false, breaks, updated);
    for (let k = after; k < starts.length; k++) updated.push(starts[k] + delta);
  } else {
    scanLineStarts(newText, starts[first], newText.length, true, breaks, updated);
  }
  return updated;
}

/** LSP line starts of each document text the store parsed, kept up to date change by change. */
const lspLineStartsOf = new WeakMap<ts.SourceFile, number[]>();

/** The LSP line starts of a source file's text (computed once per text, then updated). */
export function documentLineStarts(sourceFile: ts.SourceFile): readonly number[] {
  let starts = lspLineStartsOf.get(sourceFile);
  if (!starts) {
    starts = lineStarts(sourceFile.text);
    lspLineStartsOf.set(sourceFile, starts);
  }
  return starts;
}

/**
 * TypeScript's line map of a source file if it was computed (it is internal to TypeScript:
 * getLineStarts() computes it on first use, and a tree from updateSourceFile starts without
 * one, so every edit would scan the whole text again). Absent, TypeScript computes it as before.
 */
interface WithLineMap {
  lineMap?: readonly number[];
}

/**
 * Applies content changes to a source file, each as `editSourceFile` does; a whole-text change
 * is a fresh parse. The old source file must not be used afterwards (the parser reuses it).
 */
export function applyContentChanges(sourceFile: ts.SourceFile, changes: readonly ContentChange[], languageId?: string): ts.SourceFile {
  let current = sourceFile;
  for (const change of changes) {
    if (!('range' in change)) {
      current = parseSourceFile(current.fileName, change.text, languageId);
      continue;
    }
    const starts = documentLineStarts(current);
    let start = offsetAt(current.text, starts, change.range.start);
    let end = offsetAt(current.text, starts, change.range.end);
    if (end < start) [start, end] = [end, start];
    current = editSourceFile(current, start, end, change.text);
  }
  return current;
}

/**
 * The tree after replacing `[start, end)` of a source file's text by `text`, as the server
 * builds it on a keystroke: an edit inside one top-level statement reparses that statement
 * alone (`reparseEditedStatement`); any other goes through ts.updateSourceFile with the changed
 * span, which reuses the untouched parts of the tree. The line starts, LSP's and TypeScript's,
 * are updated around the change rather than computed again. The old source file must not be
 * used afterwards (both reuse its nodes).
 */
export function editSourceFile(current: ts.SourceFile, start: number, end: number, text: string): ts.SourceFile {
  const starts = documentLineStarts(current);
  const newText = current.text.slice(0, start) + text + current.text.slice(end);
  const lineMap = (current as WithLineMap).lineMap;
  const next =
    reparseEditedStatement(current, newText, start, end, text.length) ??
    ts.updateSourceFile(current, newText, { span: { start, length: end - start }, newLength: text.length });
  lspLineStartsOf.set(next, updatedLineStarts(starts, newText, start, end, text.length, 'lsp'));
  if (Array.isArray(lineMap) && (next as WithLineMap).lineMap === undefined) {
    (next as WithLineMap).lineMap = updatedLineStarts(lineMap, newText, start, end, text.length, 'typescript');
  }
  return next;
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
