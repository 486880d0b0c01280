// What a fix is: a titled set of text edits on one file, computed from a finding. Offsets are
// into the analysed text; the LSP and the CLI turn them into their own edit shapes.

/** Replace [start, end) of the file's text by `newText`. */
export interface TextEditSpan {
  start: number;
  end: number;
  newText: string;
}

export interface SymmetryFix {
  title: string;
  ruleId: string;
  /** The fix of SPEC section 7's table for this rule (the one fix-all applies). */
  isPreferred: boolean;
  /** Non-overlapping edits, in any order. */
  edits: TextEditSpan[];
}

/** Applies non-overlapping edits to `text` (from the end, so offsets stay valid). */
export function applyTextEdits(text: string, edits: readonly TextEditSpan[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.end > limit) throw new Error('overlapping edits');
    result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
    limit = edit.start;
  }
  return result;
}

/** True when no two edits of the list touch the same range (inserts at one point conflict too). */
export function editsOverlap(a: readonly TextEditSpan[], b: readonly TextEditSpan[]): boolean {
  return a.some((x) => b.some((y) => x.start < y.end && y.start < x.end || x.start === y.start));
}
