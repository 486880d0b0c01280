// The edit between two analysed texts of one document, and the line starts carried across it:
// the keystroke path finds what changed from the top-level statements the incremental parser
// kept (node identity) and a short text comparison around them, so that nothing on it needs a
// pass over the whole text (TypeScript's own line map of a new tree is one such pass).
import type { ts } from 'ts-morph';

/** The words of a text that may be names (a match per identifier-like run), for edit comparisons. */
export const IDENTIFIER_WORD = /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/g;

/** One contiguous replacement: old `[start, oldEnd)` became new `[start, newEnd)`. */
export interface TextEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** What `findEdit` needs of the previous text: its statements with their ranges then. */
export interface TextSnapshot {
  text: string;
  statements: readonly ts.Node[];
  /** The statements' `pos` and `end` in `text` (the nodes' own fields move with later edits). */
  pos: readonly number[];
  end: readonly number[];
}

export function snapshotOf(sourceFile: ts.SourceFile): TextSnapshot {
  const statements = sourceFile.statements;
  const pos = new Array<number>(statements.length);
  const end = new Array<number>(statements.length);
  for (let i = 0; i < statements.length; i++) {
    pos[i] = statements[i].pos;
    end[i] = statements[i].end;
  }
  return { text: sourceFile.text, statements, pos, end };
}

/** First offset at or after `from` (and below `limit`) where `a` and `b` differ, else `limit`. */
function commonPrefixEnd(a: string, b: string, from: number, limit: number): number {
  let at = from;
  // Growing chunks compared as strings (native comparison), then characters in the last one.
  for (let chunk = 32; at + chunk <= limit; chunk = Math.min(chunk * 2, 8192)) {
    if (a.slice(at, at + chunk) !== b.slice(at, at + chunk)) break;
    at += chunk;
  }
  while (at < limit && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  return at;
}

/** Length of the common suffix of `a` and `b`, at least `from` and at most `limit`. */
function commonSuffixLength(a: string, b: string, from: number, limit: number): number {
  let length = from;
  for (let chunk = 32; length + chunk <= limit; chunk = Math.min(chunk * 2, 8192)) {
    if (a.slice(a.length - length - chunk, a.length - length) !== b.slice(b.length - length - chunk, b.length - length)) break;
    length += chunk;
  }
  while (length < limit && a.charCodeAt(a.length - length - 1) === b.charCodeAt(b.length - length - 1)) length++;
  return length;
}

/**
 * The edit from `before` to `after`, or undefined when the texts are equal. A top-level
 * statement node the parser kept lies outside every change it applied, so its text is the
 * same; the statements kept at both ends bound the search, and only the text between them is
 * compared. Without kept nodes (a fresh parse) the whole texts are compared.
 */
export function findEdit(before: TextSnapshot, after: ts.SourceFile): TextEdit | undefined {
  const oldText = before.text;
  const newText = after.text;
  if (oldText === newText) return undefined;
  const oldStatements = before.statements;
  const newStatements = after.statements;
  const shortest = Math.min(oldStatements.length, newStatements.length);
  let kept = 0;
  while (kept < shortest) {
    const node = newStatements[kept];
    if (node !== oldStatements[kept] || node.pos !== before.pos[kept] || node.end !== before.end[kept]) break;
    kept++;
  }
  const prefixKnown = kept > 0 ? before.end[kept - 1] : 0;
  const delta = newText.length - oldText.length;
  let keptAtEnd = 0;
  while (keptAtEnd < shortest - kept) {
    const oldIndex = oldStatements.length - 1 - keptAtEnd;
    const node = newStatements[newStatements.length - 1 - keptAtEnd];
    if (node !== oldStatements[oldIndex] || node.pos !== before.pos[oldIndex] + delta || node.end !== before.end[oldIndex] + delta) break;
    keptAtEnd++;
  }
  // The text after the last statement (comments before the end of the file) is no node's.
  let suffixKnown = 0;
  if (keptAtEnd > 0) {
    const lastOldEnd = before.end[oldStatements.length - 1];
    if (oldText.length - lastOldEnd === newText.length - (lastOldEnd + delta) && oldText.slice(lastOldEnd) === newText.slice(lastOldEnd + delta)) {
      suffixKnown = oldText.length - before.pos[oldStatements.length - keptAtEnd];
    }
  }
  const room = Math.min(oldText.length, newText.length);
  const start = commonPrefixEnd(oldText, newText, Math.min(prefixKnown, room), room);
  const suffix = commonSuffixLength(oldText, newText, Math.min(suffixKnown, room - start), room - start);
  return { start, oldEnd: oldText.length - suffix, newEnd: newText.length - suffix };
}

/** The edit from `before` to `after` found by comparing the whole texts, or undefined when they are equal. */
export function editBetween(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  const room = Math.min(before.length, after.length);
  const start = commonPrefixEnd(before, after, 0, room);
  const suffix = commonSuffixLength(before, after, 0, room - start);
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

/** Whether a line starts at `offset` of `text` (the line breaks TypeScript counts). */
function startsLine(text: string, offset: number): boolean {
  if (offset <= 0) return offset === 0;
  const previous = text.charCodeAt(offset - 1);
  return previous === 10 || previous === 0x2028 || previous === 0x2029 || (previous === 13 && text.charCodeAt(offset) !== 10);
}

/**
 * The line starts of the new text from those of the old one. A line start depends on the
 * character before it and its own (`\r\n` is one break): the old starts wholly before the edit
 * stay, those wholly after it move by the edit's length change, and the ones in between are
 * found in the new text.
 */
export function carryLineStarts(oldStarts: readonly number[], edit: TextEdit, newText: string): number[] {
  const delta = edit.newEnd - edit.oldEnd;
  const result: number[] = [];
  let index = 0;
  while (index < oldStarts.length && oldStarts[index] < edit.start) result.push(oldStarts[index++]);
  for (let offset = edit.start; offset <= edit.newEnd; offset++) if (startsLine(newText, offset)) result.push(offset);
  while (index < oldStarts.length && oldStarts[index] <= edit.oldEnd) index++;
  while (index < oldStarts.length) result.push(oldStarts[index++] + delta);
  return result;
}

/** Line and column of offsets from a text's line starts (as TypeScript computes them). */
export class LineIndex {
  constructor(readonly starts: readonly number[], private readonly length: number) {}

  position(offset: number): { line: number; character: number } {
    const clamped = Math.min(Math.max(offset, 0), this.length);
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - starts[low] };
  }
}
