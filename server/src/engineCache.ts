// Per-document cache of model-unit analyses for the keystroke path: after an edit, only the
// units whose inputs changed are extracted and inferred again; the others are reused, their
// positions shifted in place to the new text. One cache per open document (see analyzeFile).
import { ts } from 'ts-morph';
import { DiscoveryCache } from './analysis/extraction/discovery';
import { carryLineStarts, editBetween, findEdit, IDENTIFIER_WORD, LineIndex, snapshotOf, type TextEdit, type TextSnapshot } from './engineEdit';
import type { Discovery, Unit, UnitDependencies, UnitResult } from './analysis/extraction/index';
import type { ModelGraph, OrphanHolder, SourceSpan } from './analysis/graph';
import type { TracerReads } from './analysis/augmentation';
import type { SourceProvider } from './analysis/sourceProvider';
import type { DeclarationProblem } from './analysis/symmetry';
import type { Finding } from './rules/rule';

/**
 * One model's engine results, as the engine keeps them between edits: the analysis, the
 * rules' findings before locating, the declaration problems of its doc comments, and the
 * located findings while they still hold. A field added here must also be copied in
 * CacheSession.reuse, which writes a ReusedModel out field by field.
 */
export interface CachedModel {
  graph: ModelGraph;
  /** The ModelAnalysis fields other than `findings` (typed loosely to avoid an import cycle). */
  analysis: { graph: ModelGraph; shapes: unknown; declarations: unknown[]; inferences: unknown[] };
  rawFindings: Finding[];
  problems: DeclarationProblem[];
  /**
   * The located findings (LocatedFinding in engine.ts) the engine last made of `rawFindings`,
   * with the suppression comments they were filtered by: reused as they are while no position
   * of the unit moved to another line or column.
   */
  located?: { findings: Finding[]; suppressionKey: string };
  /**
   * Whether the rules quoted a line of this file (`lineOf`) in what they reported: only then
   * does a reused model whose lines moved need its rules run again.
   */
  quotesLines?: boolean;
}

/** A reused model, shifted to the new text. */
export interface ReusedModel extends CachedModel {
  /**
   * Some of its positions moved to another line: rule messages quote line numbers, so the
   * model's rules must run again (inference is still reused).
   */
  linesMoved: boolean;
  /** Some of its positions moved to another line or column (implied by `linesMoved`). */
  positionsMoved: boolean;
}

/**
 * A piece of the file: an outermost unit (a segment), or a stretch of the text between them,
 * cut at top-level statement boundaries (so an edit of one top-level const leaves the others'
 * pieces unchanged).
 */
interface Piece {
  start: number;
  end: number;
  /** 0-based line of `start`. */
  line: number;
  /** 0-based column of `start`. */
  character: number;
  /** For a segment: its index among the file's outermost units. */
  segment?: number;
  /**
   * For a segment: the declarations a name lookup from outside it can find there. A function
   * declaration's name; for a class, any name (a lookup walks its body outside the methods);
   * nothing of a function expression, an arrow function or a method.
   */
  exposes?: readonly string[] | 'any';
  /**
   * For a segment: the range of the top-level statement holding the unit (the unit itself for a
   * function declaration). A unit's results depend on that statement's text (the name a
   * `const build = () => ...` gives it), so it is reused only when the whole statement is.
   */
  statementStart?: number;
  statementEnd?: number;
}

/** One outermost unit's results and what they depend on. */
interface UnitEntry {
  /** Index of the unit's segment among the file's outermost units, or MODULE_SEGMENT. */
  segment: number;
  kind: Unit['kind'];
  /** Other segments whose text the run read (helpers it called, classes it built). */
  segmentsRead: Set<number>;
  filesRead: Map<string, ts.SourceFile | undefined>;
  /** Names the run looked up at the file's top level, found or not (see `exposedByEdit`). */
  topLevelNames: ReadonlySet<string>;
  orphans: OrphanHolder[];
  models: CachedModel[];
  /**
   * Every span object of this file reachable from the results, shifted in place on reuse:
   * those inside the unit's own segment (all shifted alike) and the others.
   */
  ownSpans: SourceSpan[];
  otherSpans: SourceSpan[];
  /** The first and last offsets the `otherSpans` cover (a span's start when empty); -1 without any. */
  otherFirst: number;
  otherLast: number;
  spansCollected: boolean;
  /** False when a model hit the time budget or failed: such results are never reused. */
  cacheable: boolean;
}

interface CacheState {
  text: string;
  /** Whether the file is a module (has imports or exports): it changes how every statement parses. */
  externalModule: boolean;
  /**
   * The top-level statements' code, `[start, end]` after one another, without leading trivia
   * (see `exposedByEdit`).
   */
  statements: number[];
  /** Lines and columns of the text's offsets. */
  lines: LineIndex;
  provider: SourceProvider;
  optionsKey: string;
  /** The outermost units' segments, in text order. */
  segments: Piece[];
  /** Segments and the stretches between them, contiguous from 0 to the end of the text. */
  pieces: Piece[];
  entries: Map<number, UnitEntry>;
  /** Whole-file results kept with what they read (see CacheSession.fileResult). */
  fileResults: Map<string, { reads: TracerReads; value: unknown }>;
}

/** The names a lookup from outside `piece` may find in it (every word when it may be any). */
function exposedBy(piece: Piece, source: string): readonly string[] {
  return piece.exposes === 'any' || piece.exposes === undefined ? source.slice(piece.start, piece.end).match(IDENTIFIER_WORD) ?? [] : piece.exposes;
}

/**
 * The key of the module unit's entry. The module unit has no segment: its own text is the text
 * between the segments, which must be unchanged for it to be reused (see `gapsUnchanged`), and
 * the segments its top-level code called into are in its `segmentsRead` like any unit's.
 */
const MODULE_SEGMENT = -1;

/**
 * How the text changed since the previous call on the document: `from` is the text the edit
 * applies to, `edit` undefined when the texts are equal.
 */
export interface TextChange {
  from: string;
  edit: TextEdit | undefined;
}

/** The document's text as the engine sees it on a call: what changed, and its lines. */
export interface TrackedText {
  change?: TextChange;
  lines: LineIndex;
}

/** What the last committed analysis did: outermost units reused and run, and the module unit. */
export interface CacheStats {
  reusedUnits: number;
  ranUnits: number;
  /** Whether the module unit's results (its top-level models) were reused; absent without one. */
  module?: 'reused' | 'ran';
  /** Reused models whose rules ran again because lines they quote moved. */
  rulesRunAgain?: number;
  /** Whole-file results by key (`augmentations`): kept from the previous run, or computed. */
  fileResults?: Record<string, 'reused' | 'ran'>;
}

/** Outermost non-module units in source order, each with its node's full range. */
function outermostUnits(discovery: Discovery): Unit[] {
  const result: Unit[] = [];
  let coveredUntil = -1;
  for (const unit of discovery.units) {
    if (unit.kind === 'module') continue;
    if (unit.node.pos < coveredUntil) continue;
    result.push(unit);
    coveredUntil = unit.node.end;
  }
  return result;
}

/** Index of the piece containing `offset` (pieces sorted, contiguous from 0), or -1. */
function pieceAt(pieces: Piece[], offset: number): number {
  let low = 0;
  let high = pieces.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const piece = pieces[middle];
    if (offset < piece.start) high = middle - 1;
    else if (offset >= piece.end) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** The last offset a span covers, as `reuse` looks it up: its start when it is empty. */
function lastOffset(span: { start: number; end: number }): number {
  return span.end > span.start ? span.end - 1 : span.start;
}

function setOtherBounds(entry: UnitEntry): void {
  let first = -1;
  let last = -1;
  for (const span of entry.otherSpans) {
    if (first < 0 || span.start < first) first = span.start;
    last = Math.max(last, lastOffset(span));
  }
  entry.otherFirst = first;
  entry.otherLast = last;
}

/** Where the pieces of the previous text went (see CacheSession.mapping). */
interface PieceShift {
  /** The previous run's pieces, in text order. */
  oldPieces: Piece[];
  /** This run's pieces, in text order. */
  newPieces: Piece[];
  /** For each of this run's segments, the previous run's index of it when unchanged, or -1. */
  oldSegmentOf: number[];
  /** For each of the previous run's segments, this run's index of it when unchanged, or -1. */
  newSegmentOf: number[];
  /** For each old piece, the index of the new piece it is unchanged as, or -1. */
  newOf: number[];
  /** For each new piece, the index of the old piece it is unchanged from, or -1. */
  oldOf: number[];
  /** The text outside every segment is the same: what the module unit's reuse needs. */
  gapsUnchanged: boolean;
  /** The edited text: `[start, oldEnd)` of the previous text became `[start, newEnd)`. */
  edited: { start: number; oldEnd: number; newEnd: number };
}

/**
 * Adds the words of the text an edit touched that lies between segments: of every top-level
 * statement whose code overlaps or touches `[from, to)` (and of that range itself, so a comment
 * typed into counts too), without the parts inside segments. An edit inside a statement's leading
 * comments leaves what it declares alone.
 */
function gapWords(source: string, statements: number[], pieces: Piece[], from: number, to: number, out: Set<string>): void {
  let low = from;
  let high = to;
  for (let i = 0; i < statements.length; i += 2) {
    if (statements[i] <= to && from <= statements[i + 1]) {
      low = Math.min(low, statements[i]);
      high = Math.max(high, statements[i + 1]);
    }
  }
  for (const piece of pieces) {
    if (piece.segment !== undefined || piece.end <= low || piece.start >= high) continue;
    const start = Math.max(low, piece.start);
    const end = Math.min(high, piece.end);
    if (start < end) for (const word of source.slice(start, end).match(IDENTIFIER_WORD) ?? []) out.add(word);
  }
}

/** Collects every span object of `fileName` reachable from `value`, each once. */
function collectSpans(value: unknown, fileName: string, out: SourceSpan[], seen: Set<object>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) collectSpans(item, fileName, out, seen);
    return;
  }
  if (value instanceof Map) {
    for (const item of value.values()) collectSpans(item, fileName, out, seen);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.file === 'string' && typeof record.start === 'number' && typeof record.end === 'number') {
    if (record.file === fileName) out.push(record as unknown as SourceSpan);
    return;
  }
  for (const key in record) collectSpans(record[key], fileName, out, seen);
}

/**
 * One analysis run against the cache: answers which units can be reused (shifting them), and
 * records the units that ran. `commit` makes the run the cache's new state.
 */
export class CacheSession {
  private readonly fileName: string;
  private readonly units: Unit[];
  private readonly segmentOfUnit = new Map<Unit, number>();
  private readonly segments: Piece[] = [];
  private readonly pieces: Piece[] = [];
  /** Which pieces of the previous text are still there, unchanged, and where. */
  private readonly shift?: PieceShift;
  /** The top-level statements' code, `[start, end]` after one another, without leading trivia. */
  private readonly statements: number[] = [];
  private readonly entries = new Map<number, UnitEntry>();
  private readonly fileChecks = new Map<string, boolean>();
  private readonly modelEntries = new Map<ModelGraph, { entry: UnitEntry; reused?: ReusedModel }>();
  private readonly fileResults = new Map<string, { reads: TracerReads; value: unknown }>();
  /** Numbers for the report and tests: how many outermost units were reused and run. */
  readonly stats: CacheStats = { reusedUnits: 0, ranUnits: 0 };

  constructor(
    private readonly cache: AnalysisCache,
    private readonly sourceFile: ts.SourceFile,
    readonly discovery: Discovery,
    private readonly provider: SourceProvider,
    private readonly optionsKey: string,
    private readonly previous: CacheState | undefined,
    private readonly tracked: TrackedText,
  ) {
    this.fileName = sourceFile.fileName;
    const text = sourceFile.text;
    this.units = outermostUnits(discovery);
    // Lines from the carried line starts: the tree's own line map is a pass over the text.
    // Pieces are written out as literals: spreading one object into another with an added
    // property costs microseconds each in V8 (node 20), a tenth of a keystroke over 130 units.
    const lines = tracked.lines;
    for (const statement of sourceFile.statements) this.statements.push(statement.getStart(sourceFile), statement.end);
    // The text between segments, cut at the end of each top-level statement inside it.
    let boundary = 1;
    const addStretch = (from: number, to: number) => {
      while (boundary < this.statements.length && this.statements[boundary] <= from) boundary += 2;
      for (; boundary < this.statements.length && this.statements[boundary] < to; boundary += 2) {
        const { line, character } = lines.position(from);
        this.pieces.push({ start: from, end: this.statements[boundary], line, character });
        from = this.statements[boundary];
      }
      if (from < to) {
        const { line, character } = lines.position(from);
        this.pieces.push({ start: from, end: to, line, character });
      }
    };
    let previousEnd = 0;
    this.units.forEach((unit, index) => {
      this.segmentOfUnit.set(unit, index);
      const node = unit.node;
      addStretch(previousEnd, node.pos);
      const exposes = ts.isFunctionDeclaration(node) ? (node.name ? [node.name.text] : []) : ts.isFunctionLike(node) ? [] : 'any';
      let statement: ts.Node = node;
      while (statement.parent && !ts.isSourceFile(statement.parent)) statement = statement.parent;
      const { line, character } = lines.position(node.pos);
      const segment: Piece = { start: node.pos, end: node.end, line, character, segment: index, exposes, statementStart: statement.pos, statementEnd: statement.end };
      this.segments.push(segment);
      this.pieces.push(segment);
      previousEnd = node.end;
    });
    addStretch(previousEnd, text.length);
    const moduleUnit = discovery.units.find((unit) => unit.kind === 'module');
    if (moduleUnit) this.segmentOfUnit.set(moduleUnit, MODULE_SEGMENT);
    this.shift = this.mapping();
  }

  /**
   * The pieces of the previous text that are still there, unchanged, at their new place; or
   * undefined when nothing can be reused (no previous run, other options or files, or the edit
   * made the file a module or a script). A piece is unchanged when it lies wholly before or
   * after the text the edit changed (found as the texts' common prefix and suffix), the new
   * text has a piece of the same kind at the same place, and, for a segment, its top-level
   * statement lies outside the edit too. Pieces alternate gap, segment, gap... in both texts.
   */
  private mapping(): PieceShift | undefined {
    const old = this.previous;
    if (!old || old.provider !== this.provider || old.optionsKey !== this.optionsKey) return undefined;
    if (old.externalModule !== ts.isExternalModule(this.sourceFile)) return undefined;
    const text = this.sourceFile.text;
    // The edit the cache tracked from the previous text (the incremental parser's kept
    // statements bound it), else one found by comparing the texts.
    const change = this.tracked.change;
    const edit = change && change.from === old.text ? change.edit : editBetween(old.text, text);
    const prefix = edit ? edit.start : text.length;
    const suffix = edit ? text.length - edit.newEnd : 0;
    const delta = text.length - old.text.length;
    const oldPieces = old.pieces;
    const newPieces = this.pieces;
    // Pieces are contiguous and never empty: one starts at each offset.
    const newByStart = new Map<number, number>();
    newPieces.forEach((piece, index) => newByStart.set(piece.start, index));
    const newOf = new Array<number>(oldPieces.length).fill(-1);
    const oldOf = new Array<number>(newPieces.length).fill(-1);
    const oldSegmentOf = new Array<number>(this.segments.length).fill(-1);
    const newSegmentOf = new Array<number>(old.segments.length).fill(-1);
    const changedFrom = old.text.length - suffix;
    oldPieces.forEach((before, index) => {
      const from = before.statementStart ?? before.start;
      const to = before.statementEnd ?? before.end;
      const offset = to <= prefix ? 0 : from >= changedFrom ? delta : undefined;
      if (offset === undefined) return;
      const found = newByStart.get(before.start + offset);
      if (found === undefined) return;
      const after = newPieces[found];
      if (after.end !== before.end + offset || (after.segment === undefined) !== (before.segment === undefined)) return;
      if (before.statementStart !== undefined && (after.statementStart !== before.statementStart + offset || after.statementEnd !== before.statementEnd! + offset)) return;
      newOf[index] = found;
      oldOf[found] = index;
      if (before.segment !== undefined && after.segment !== undefined) {
        oldSegmentOf[after.segment] = before.segment;
        newSegmentOf[before.segment] = after.segment;
      }
    });
    const stretches = (pieces: Piece[]) => pieces.length - pieces.filter((piece) => piece.segment !== undefined).length;
    let gapsUnchanged = stretches(oldPieces) === stretches(newPieces);
    for (let index = 0; gapsUnchanged && index < oldPieces.length; index++) gapsUnchanged = oldPieces[index].segment !== undefined || newOf[index] >= 0;
    return { oldPieces, newPieces, oldSegmentOf, newSegmentOf, newOf, oldOf, gapsUnchanged, edited: { start: prefix, oldEnd: changedFrom, newEnd: text.length - suffix } };
  }

  private exposedNames?: Set<string>;

  /**
   * The names whose top-level declaration the edit may have added, removed or moved: those of
   * the changed segments that are not declared there both before and after. A unit that looked one up (and maybe found nothing, or found another declaration) runs
   * again: renaming a helper and renaming it back changes no text the unit read.
   */
  private exposedByEdit(): Set<string> {
    if (this.exposedNames) return this.exposedNames;
    const names = new Set<string>();
    const shift = this.shift;
    const old = this.previous;
    if (shift && old) {
      const text = this.sourceFile.text;
      // Declarations the changed segments expose, before and after: a name declared as often
      // after as before still resolves to a declaration of that name, and a caller that read
      // its text has its segment in `segmentsRead`.
      const counts = new Map<string, number>();
      let anyWord = false;
      const changed = (pieces: Piece[], mappedTo: number[], source: string, sign: number) => {
        pieces.forEach((piece, index) => {
          if (mappedTo[index] >= 0) return;
          if (piece.segment === undefined) return;
          if (piece.exposes === 'any' || !piece.exposes) {
            // A segment that may declare anything.
            for (const name of exposedBy({ ...piece, exposes: 'any' }, source)) names.add(name);
            anyWord = true;
          } else {
            for (const name of piece.exposes) counts.set(name, (counts.get(name) ?? 0) + sign);
          }
        });
      };
      changed(shift.oldPieces, shift.newOf, old.text, -1);
      changed(shift.newPieces, shift.oldOf, text, +1);
      // Between the units: every word of the top-level statements the edit touched, outside
      // the segments (whose own declarations are counted above), before and after. A gap holds
      // imports, consts and calls of any kind; the edit cannot have changed what the others declare.
      const { start, oldEnd, newEnd } = shift.edited;
      gapWords(old.text, old.statements, shift.oldPieces, start, oldEnd, names);
      gapWords(text, this.statements, shift.newPieces, start, newEnd, names);
      for (const [name, count] of counts) if (count !== 0 || anyWord) names.add(name);
    }
    this.exposedNames = names;
    return names;
  }

  /** The previous run's index of new segment `index`, when that segment is unchanged; else -1. */
  private oldSegment(index: number): number {
    return this.shift?.oldSegmentOf[index] ?? -1;
  }

  /** This run's index of the previous run's segment `index`, when it is unchanged; else -1. */
  private newSegment(index: number): number {
    return this.shift?.newSegmentOf[index] ?? -1;
  }

  /**
   * How the text after the edit moved: every old offset from the edit's old end on is now
   * `delta` later, on a line `lines` later; columns change only on the line the edit ends on.
   */
  private afterEdit?: { delta: number; linesMoved: boolean; positionsMoved: boolean };

  private textAfterEdit(): { delta: number; linesMoved: boolean; positionsMoved: boolean } {
    if (this.afterEdit) return this.afterEdit;
    const { oldEnd, newEnd } = this.shift!.edited;
    const was = this.previous!.lines.position(oldEnd);
    const is = this.tracked.lines.position(newEnd);
    const delta = newEnd - oldEnd;
    this.afterEdit = { delta, linesMoved: was.line !== is.line, positionsMoved: was.line !== is.line || was.character !== is.character };
    return this.afterEdit;
  }

  private sameFile(fileName: string, sourceFile: ts.SourceFile | undefined): boolean {
    let same = this.fileChecks.get(fileName);
    if (same === undefined) {
      same = this.provider.getSourceFile(fileName) === sourceFile;
      this.fileChecks.set(fileName, same);
    }
    return same;
  }

  /** For extractModels: the unit's previous result shifted to the new text, or undefined. */
  readonly reuse = (unit: Unit): UnitResult | undefined => {
    const segment = this.segmentOfUnit.get(unit);
    const shift = this.shift;
    if (segment === undefined || !shift) return undefined;
    // The module unit's own text is every gap; an outermost unit's is its segment, found at the
    // previous run's index of that segment.
    let oldSegment = MODULE_SEGMENT;
    if (segment === MODULE_SEGMENT) {
      if (!shift.gapsUnchanged) return undefined;
    } else {
      oldSegment = this.oldSegment(segment);
      if (oldSegment < 0) return undefined;
    }
    const entry = this.previous?.entries.get(oldSegment);
    if (!entry || !entry.cacheable || entry.kind !== unit.kind) return undefined;
    const segmentsRead = new Set<number>();
    for (const other of entry.segmentsRead) {
      const now = this.newSegment(other);
      if (now < 0) return undefined;
      segmentsRead.add(now);
    }
    const exposed = this.exposedByEdit();
    if (exposed.size > 0) for (const name of entry.topLevelNames) if (exposed.has(name)) return undefined;
    for (const [fileName, sourceFile] of entry.filesRead) if (!this.sameFile(fileName, sourceFile)) return undefined;
    // Validate every span before moving any: a span in a changed piece means a dependency the
    // interpreter did not report, and the unit runs again instead. The unit's own segment is
    // unchanged (checked above), so only the spans outside it need a look.
    const { otherSpans, ownSpans } = entry;
    let linesMoved = false;
    let positionsMoved = false;
    // The text before the edit kept its places, lines and columns; the text after it moved as a
    // whole (`textAfterEdit`). A span that lies in neither is looked up piece by piece: in a
    // changed piece it is a dependency the interpreter did not report, and the unit runs again.
    const { start: editStart, oldEnd: editEnd } = shift.edited;
    const othersBefore = entry.otherLast < editStart;
    const othersAfter = !othersBefore && entry.otherFirst >= editEnd;
    if (othersAfter) {
      const after = this.textAfterEdit();
      if (after.linesMoved) linesMoved = true;
      if (after.positionsMoved) positionsMoved = true;
      if (after.delta !== 0) {
        for (const span of otherSpans as { start: number; end: number }[]) {
          span.start += after.delta;
          span.end += after.delta;
        }
        entry.otherFirst += after.delta;
        entry.otherLast += after.delta;
      }
    }
    const slow = !othersBefore && !othersAfter;
    const moved = slow ? new Array<number>(otherSpans.length * 2) : [];
    for (let i = 0; slow && i < otherSpans.length; i++) {
      const span = otherSpans[i];
      if (lastOffset(span) < editStart) {
        moved[2 * i] = span.start;
        moved[2 * i + 1] = span.end;
        continue;
      }
      if (span.start >= editEnd) {
        const after = this.textAfterEdit();
        moved[2 * i] = span.start + after.delta;
        moved[2 * i + 1] = span.end + after.delta;
        if (after.linesMoved) linesMoved = true;
        if (after.positionsMoved) positionsMoved = true;
        continue;
      }
      const first = pieceAt(shift.oldPieces, span.start);
      const last = span.end > span.start ? pieceAt(shift.oldPieces, span.end - 1) : first;
      if (first < 0 || last < 0 || shift.newOf[first] < 0 || shift.newOf[last] < 0) return undefined;
      const firstBefore = shift.oldPieces[first];
      const firstAfter = shift.newPieces[shift.newOf[first]];
      const lastBefore = shift.oldPieces[last];
      const lastAfter = shift.newPieces[shift.newOf[last]];
      moved[2 * i] = span.start - firstBefore.start + firstAfter.start;
      moved[2 * i + 1] = span.end - lastBefore.start + lastAfter.start;
      if (firstBefore.line !== firstAfter.line || lastBefore.line !== lastAfter.line) linesMoved = true;
      if (firstBefore.character !== firstAfter.character || lastBefore.character !== lastAfter.character) positionsMoved = true;
    }
    if (slow) {
      for (let i = 0; i < otherSpans.length; i++) {
        const span = otherSpans[i] as { start: number; end: number };
        span.start = moved[2 * i];
        span.end = moved[2 * i + 1];
      }
      setOtherBounds(entry);
    }
    if (ownSpans.length > 0) {
      const before = this.previous!.segments[oldSegment];
      const after = this.segments[segment];
      if (before.line !== after.line) linesMoved = true;
      if (before.character !== after.character) positionsMoved = true;
      const delta = after.start - before.start;
      if (delta !== 0) {
        for (const span of ownSpans as { start: number; end: number }[]) {
          span.start += delta;
          span.end += delta;
        }
      }
    }
    // A text position's line and column follow from its piece's start line and column and
    // the piece's own (unchanged) text.
    positionsMoved ||= linesMoved;
    // The entry now describes this run's text: its segment and those it read by their new index.
    entry.segment = segment;
    entry.segmentsRead = segmentsRead;
    this.entries.set(segment, entry);
    for (const model of entry.models) {
      // Written out rather than spread: cloning objects of several shapes is slow in V8.
      const reused: ReusedModel = {
        graph: model.graph,
        analysis: model.analysis,
        rawFindings: model.rawFindings,
        problems: model.problems,
        located: model.located,
        quotesLines: model.quotesLines,
        linesMoved,
        positionsMoved,
      };
      this.modelEntries.set(model.graph, { entry, reused });
    }
    if (segment === MODULE_SEGMENT) this.stats.module = 'reused';
    else this.stats.reusedUnits++;
    return { models: entry.models.map((model) => model.graph), orphans: entry.orphans };
  };

  /** For extractModels: records an outermost unit that ran, with its dependencies. */
  readonly onUnitRun = (unit: Unit, result: UnitResult, dependencies: UnitDependencies): void => {
    const segment = this.segmentOfUnit.get(unit);
    if (segment === undefined) return;
    if (segment === MODULE_SEGMENT) this.stats.module = 'ran';
    else this.stats.ranUnits++;
    const segmentsRead = new Set<number>();
    for (const node of dependencies.touched) {
      if (node.getSourceFile() !== this.sourceFile) continue;
      // Every segment the declaration overlaps: a class outside all units still has its
      // methods' names and bodies inside them.
      let index = pieceAt(this.segments, node.pos);
      if (index < 0) index = this.segments.findIndex((piece) => piece.end > node.pos);
      for (; index >= 0 && index < this.segments.length && this.segments[index].start < node.end; index++) {
        if (index !== segment) segmentsRead.add(index);
      }
    }
    const entry: UnitEntry = {
      segment,
      kind: unit.kind,
      segmentsRead,
      filesRead: new Map(dependencies.filesRead),
      topLevelNames: dependencies.topLevelNames,
      orphans: result.orphans,
      models: [],
      ownSpans: [],
      otherSpans: [],
      otherFirst: -1,
      otherLast: -1,
      spansCollected: false,
      cacheable: true,
    };
    this.entries.set(segment, entry);
    for (const graph of result.models) this.modelEntries.set(graph, { entry });
  };

  /**
   * A result computed from the whole file that reads only parts of it (the augmentation
   * tracing): the previous run's value when no piece the edit changed holds a range it read or
   * a word it looked up, and the other files it opened are the same objects; `shift` moves its
   * spans to the new text (a span it cannot move makes the result computed again).
   */
  fileResult<T>(key: string, compute: (reads: TracerReads) => T, shift: (value: T, move: (span: SourceSpan) => SourceSpan) => T): T {
    const previous = this.previous?.fileResults.get(key);
    const moved = previous && this.moveReads(previous.reads);
    if (previous && moved) {
      let movable = true;
      const move = (span: SourceSpan): SourceSpan => {
        if (span.file !== this.fileName) return span;
        const range = this.moveRange(span);
        if (!range) movable = false;
        return range ? { ...span, ...range } : span;
      };
      const value = shift(previous.value as T, move);
      if (movable) {
        this.fileResults.set(key, { reads: moved, value });
        (this.stats.fileResults ??= {})[key] = 'reused';
        return value;
      }
    }
    const reads: TracerReads = { ranges: [], names: new Set(), declared: new Set(), files: new Map() };
    const value = compute(reads);
    this.fileResults.set(key, { reads, value });
    (this.stats.fileResults ??= {})[key] = 'ran';
    return value;
  }

  /** The reads moved to the new text, or undefined when the edit touched one of them. */
  private moveReads(reads: TracerReads): TracerReads | undefined {
    const shift = this.shift;
    const old = this.previous;
    if (!shift || !old) return undefined;
    for (const [fileName, sourceFile] of reads.files) if (!this.sameFile(fileName, sourceFile)) return undefined;
    const text = this.sourceFile.text;
    for (let i = 0; i < shift.oldPieces.length; i++) {
      if (shift.newOf[i] >= 0) continue;
      const before = shift.oldPieces[i];
      for (const range of reads.ranges) if (range.start < before.end && before.start < range.end) return undefined;
      if (this.readsWordsOf(reads, before, old.text)) return undefined;
    }
    for (let i = 0; i < shift.newPieces.length; i++) {
      if (shift.oldOf[i] < 0 && this.readsWordsOf(reads, shift.newPieces[i], text)) return undefined;
    }
    const ranges: TracerReads['ranges'] = [];
    for (const range of reads.ranges) {
      const moved = this.moveRange(range);
      if (!moved) return undefined;
      ranges.push(moved);
    }
    return { ranges, names: reads.names, declared: reads.declared, files: reads.files };
  }

  /** A range of the previous text in the new one, when it lies in unchanged pieces. */
  private moveRange(range: { start: number; end: number }): { start: number; end: number } | undefined {
    const shift = this.shift;
    if (!shift) return undefined;
    const first = pieceAt(shift.oldPieces, range.start);
    const last = range.end > range.start ? pieceAt(shift.oldPieces, range.end - 1) : first;
    if (first < 0 || last < 0 || shift.newOf[first] < 0 || shift.newOf[last] < 0) return undefined;
    return {
      start: range.start - shift.oldPieces[first].start + shift.newPieces[shift.newOf[first]].start,
      end: range.end - shift.oldPieces[last].start + shift.newPieces[shift.newOf[last]].start,
    };
  }

  /** Whether a changed piece holds a word the tracing looked up, or a declaration it found missing. */
  private readsWordsOf(reads: TracerReads, piece: Piece, source: string): boolean {
    for (const word of source.slice(piece.start, piece.end).match(IDENTIFIER_WORD) ?? []) if (reads.names.has(word)) return true;
    for (const word of exposedBy(piece, source)) if (reads.declared.has(word)) return true;
    return false;
  }

  /** The reused results of a model that came from a reused unit. */
  reusedModel(graph: ModelGraph): ReusedModel | undefined {
    return this.modelEntries.get(graph)?.reused;
  }

  /**
   * Replaces a reused model's rule findings (its rules ran again because lines moved); the
   * new findings may hold new span objects, so the unit's spans are collected again.
   */
  replaceFindings(graph: ModelGraph, rawFindings: Finding[], quotesLines: boolean): void {
    const owner = this.modelEntries.get(graph);
    const model = owner?.entry.models.find((candidate) => candidate.graph === graph);
    if (!owner || !model) return;
    model.rawFindings = rawFindings;
    model.quotesLines = quotesLines;
    this.stats.rulesRunAgain = (this.stats.rulesRunAgain ?? 0) + 1;
    owner.entry.spansCollected = false;
  }

  /** Keeps the located findings the engine made of a model's raw findings, for the next run. */
  recordLocated(graph: ModelGraph, located: CachedModel['located']): void {
    const model = this.modelEntries.get(graph)?.entry.models.find((candidate) => candidate.graph === graph);
    if (model) model.located = located;
  }

  /** Records a model the engine analysed; `cacheable` false keeps its unit from being reused. */
  recordModel(model: CachedModel, cacheable: boolean): void {
    const owner = this.modelEntries.get(model.graph);
    if (!owner || owner.reused) return;
    owner.entry.models.push(model);
    if (!cacheable) owner.entry.cacheable = false;
  }

  /** Makes this run the cache's state; call once the analysis is complete. */
  commit(): void {
    for (const entry of this.entries.values()) {
      if (entry.spansCollected || !entry.cacheable) continue;
      const seen = new Set<object>();
      const spans: SourceSpan[] = [];
      collectSpans(entry.orphans, this.fileName, spans, seen);
      for (const model of entry.models) {
        collectSpans(model.analysis, this.fileName, spans, seen);
        collectSpans(model.rawFindings, this.fileName, spans, seen);
        collectSpans(model.problems, this.fileName, spans, seen);
      }
      // Spans inside the unit's own segment move with it by one delta on reuse; the rest need
      // a piece lookup each. Both tests mirror the lookup in `reuse` exactly.
      const own = entry.segment === MODULE_SEGMENT ? undefined : this.segments[entry.segment];
      const ownSpans: SourceSpan[] = [];
      const otherSpans: SourceSpan[] = [];
      for (const span of spans) {
        const inside = own !== undefined && span.start >= own.start && (span.end > span.start ? span.end - 1 < own.end : span.start < own.end);
        (inside ? ownSpans : otherSpans).push(span);
      }
      entry.ownSpans = ownSpans;
      entry.otherSpans = otherSpans;
      setOtherBounds(entry);
      entry.spansCollected = true;
    }
    this.cache.lastStats = { ...this.stats };
    this.cache.store({
      text: this.sourceFile.text,
      externalModule: ts.isExternalModule(this.sourceFile),
      statements: this.statements,
      lines: this.tracked.lines,
      provider: this.provider,
      optionsKey: this.optionsKey,
      segments: this.segments,
      pieces: this.pieces,
      entries: this.entries,
      fileResults: this.fileResults,
    });
  }
}

/**
 * The analyses of one document's model units across edits. Reusing an analysis moves its
 * spans in place, so the FileAnalysis an earlier call returned is stale after the next call
 * with the same cache (the language server only keeps the latest).
 */
export class AnalysisCache {
  private state?: CacheState;
  /** The text of the last call, whatever became of its analysis, with its line starts. */
  private last?: { snapshot: TextSnapshot; lineStarts: readonly number[] };
  /** The document's discovery across edits: only top-level statements the edit replaced are walked. */
  readonly discovery = new DiscoveryCache();
  /** Outermost units reused and run by the last committed analysis (for tests and tuning). */
  lastStats?: CacheStats;
  /** A text the engine searched for suppression comments, and whether it holds no marker at all. */
  markerSearch?: { text: string; free: boolean };

  /**
   * The first step of a call: how the text changed since the last call and its line starts,
   * carried over the edit (for a text never seen, the tree's own).
   */
  track(sourceFile: ts.SourceFile): TrackedText {
    const last = this.last;
    let change: TextChange | undefined;
    let lineStarts: readonly number[];
    if (last) {
      const edit = findEdit(last.snapshot, sourceFile);
      change = { from: last.snapshot.text, edit };
      lineStarts = edit ? carryLineStarts(last.lineStarts, edit, sourceFile.text) : last.lineStarts;
    } else {
      lineStarts = sourceFile.getLineStarts();
    }
    this.last = { snapshot: snapshotOf(sourceFile), lineStarts };
    return { change, lines: new LineIndex(lineStarts, sourceFile.text.length) };
  }

  /** Starts a run (after `track` on the same tree); the cache holds nothing until the run commits. */
  begin(sourceFile: ts.SourceFile, discovery: Discovery, provider: SourceProvider, optionsKey: string, tracked: TrackedText): CacheSession {
    const previous = this.state?.text !== undefined ? this.state : undefined;
    this.state = undefined;
    return new CacheSession(this, sourceFile, discovery, provider, optionsKey, previous, tracked);
  }

  /** @internal used by CacheSession.commit */
  store(state: CacheState): void {
    this.state = state;
  }

  clear(): void {
    this.state = undefined;
    this.last = undefined;
    this.markerSearch = undefined;
    this.discovery.clear();
  }
}
