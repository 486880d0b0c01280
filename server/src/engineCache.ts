// Per-document cache of model-unit analyses for the keystroke path: after an edit, only the
// units whose inputs changed are extracted and inferred again; the others are reused, their
// positions shifted in place to the new text. One cache per open document (see analyzeFile).
import { ts } from 'ts-morph';
import { DiscoveryCache } from './analysis/extraction/discovery';
import { carryLineStarts, findEdit, LineIndex, snapshotOf, type TextEdit, type TextSnapshot } from './engineEdit';
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

/** A piece of the file: an outermost unit (a segment) or the text between two of them. */
interface Piece {
  start: number;
  end: number;
  /** 0-based line of `start`. */
  line: number;
  /** 0-based column of `start`. */
  character: number;
  /**
   * For a segment: the declarations a name lookup from outside it can find there. A function
   * declaration's name; for a class, any name (a lookup walks its body outside the methods);
   * nothing of a function expression, an arrow function or a method.
   */
  exposes?: readonly string[] | 'any';
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
  provider: SourceProvider;
  optionsKey: string;
  segments: Piece[];
  /** The text between segments: `gaps[i]` precedes segment i; the last one ends the file. */
  gaps: Piece[];
  entries: Map<number, UnitEntry>;
  /** Whole-file results kept with what they read (see CacheSession.fileResult). */
  fileResults: Map<string, { reads: TracerReads; value: unknown }>;
}

const IDENTIFIER_WORD = /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/g;

/** The names a lookup from outside `piece` may find in it (every word when it may be any). */
function exposedBy(piece: Piece, source: string): readonly string[] {
  return piece.exposes === 'any' || piece.exposes === undefined ? source.slice(piece.start, piece.end).match(IDENTIFIER_WORD) ?? [] : piece.exposes;
}

/**
 * The key of the module unit's entry. The module unit has no segment: its own text is the text
 * between the segments, which must be unchanged for any unit to be reused (see `mapping`), and
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
  private readonly segments: Piece[];
  private readonly gaps: Piece[];
  /** Old piece -> new piece mapping, when the file's skeleton is unchanged. */
  private readonly shift?: {
    oldPieces: Piece[];
    newPieces: Piece[];
    unchanged: boolean[];
    /** Old start of the first changed piece (the text's length when none changed). */
    firstChanged: number;
    /** Index of the first piece after the last changed one (the piece count when none follows or none changed). */
    afterChanges: number;
  };
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
    this.segments = [];
    this.gaps = [];
    let previousEnd = 0;
    // Lines from the carried line starts: the tree's own line map is a pass over the text.
    // Pieces are written out as literals: spreading one object into another with an added
    // property costs microseconds each in V8 (node 20), a tenth of a keystroke over 130 units.
    const lines = tracked.lines;
    const piece = (start: number, end: number, exposes: Piece['exposes']): Piece => {
      const { line, character } = lines.position(start);
      return { start, end, line, character, exposes };
    };
    this.units.forEach((unit, index) => {
      this.segmentOfUnit.set(unit, index);
      this.gaps.push(piece(previousEnd, unit.node.pos, undefined));
      const node = unit.node;
      const exposes = ts.isFunctionDeclaration(node) ? (node.name ? [node.name.text] : []) : ts.isFunctionLike(node) ? [] : 'any';
      this.segments.push(piece(node.pos, node.end, exposes));
      previousEnd = unit.node.end;
    });
    this.gaps.push(piece(previousEnd, text.length, undefined));
    const moduleUnit = discovery.units.find((unit) => unit.kind === 'module');
    if (moduleUnit) this.segmentOfUnit.set(moduleUnit, MODULE_SEGMENT);
    this.shift = this.mapping();
  }

  /** The piece mapping from the previous text, or undefined when the skeleton changed. */
  private mapping(): CacheSession['shift'] {
    const old = this.previous;
    if (!old || old.provider !== this.provider || old.optionsKey !== this.optionsKey) return undefined;
    if (old.segments.length !== this.segments.length) return undefined;
    const text = this.sourceFile.text;
    const slice = (source: string, piece: Piece) => source.slice(piece.start, piece.end);
    // With the edit from the previous text known, a piece wholly before it at the same place, or
    // wholly after it moved by its length change, holds the same text; only the pieces the edit
    // touches are compared.
    const change = this.tracked.change;
    const edit = change && change.from === old.text ? change : undefined;
    const delta = edit?.edit ? edit.edit.newEnd - edit.edit.oldEnd : 0;
    const same = (before: Piece, after: Piece): boolean => {
      if (before.end - before.start !== after.end - after.start) return false;
      if (edit) {
        if (!edit.edit) {
          if (before.start === after.start) return true;
        } else if (before.end <= edit.edit.start ? after.start === before.start : before.start >= edit.edit.oldEnd && after.start === before.start + delta) {
          return true;
        }
      }
      return slice(old.text, before) === slice(text, after);
    };
    for (let i = 0; i < this.gaps.length; i++) {
      if (!same(old.gaps[i], this.gaps[i])) return undefined;
    }
    const oldPieces: Piece[] = [];
    const newPieces: Piece[] = [];
    const unchanged: boolean[] = [];
    for (let i = 0; i < this.gaps.length; i++) {
      oldPieces.push(old.gaps[i]);
      newPieces.push(this.gaps[i]);
      unchanged.push(true);
      if (i < this.segments.length) {
        const before = old.segments[i];
        const after = this.segments[i];
        oldPieces.push(before);
        newPieces.push(after);
        unchanged.push(same(before, after));
      }
    }
    const changedAt = unchanged.indexOf(false);
    const lastChanged = unchanged.lastIndexOf(false);
    return {
      oldPieces,
      newPieces,
      unchanged,
      firstChanged: changedAt < 0 ? old.text.length : oldPieces[changedAt].start,
      afterChanges: lastChanged < 0 ? oldPieces.length : lastChanged + 1,
    };
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
      for (let i = 1; i < shift.unchanged.length; i += 2) {
        if (shift.unchanged[i]) continue;
        const before = shift.oldPieces[i];
        const after = shift.newPieces[i];
        if (before.exposes === 'any' || after.exposes === 'any' || !before.exposes || !after.exposes) {
          for (const name of exposedBy(before, old.text)) names.add(name);
          for (const name of exposedBy(after, text)) names.add(name);
        } else {
          // A declaration still there under the same name resolves as before; a caller that
          // read its text has the segment in `segmentsRead`.
          for (const name of before.exposes) if (!after.exposes.includes(name)) names.add(name);
          for (const name of after.exposes) if (!before.exposes.includes(name)) names.add(name);
        }
      }
    }
    this.exposedNames = names;
    return names;
  }

  private segmentUnchanged(index: number): boolean {
    // Pieces alternate gap, segment, gap...: segment i is piece 2i + 1.
    return this.shift?.unchanged[2 * index + 1] === true;
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
    const entry = this.previous?.entries.get(segment);
    if (!entry || !entry.cacheable || entry.kind !== unit.kind || (segment !== MODULE_SEGMENT && !this.segmentUnchanged(segment))) return undefined;
    for (const other of entry.segmentsRead) if (!this.segmentUnchanged(other)) return undefined;
    const exposed = this.exposedByEdit();
    if (exposed.size > 0) for (const name of entry.topLevelNames) if (exposed.has(name)) return undefined;
    for (const [fileName, sourceFile] of entry.filesRead) if (!this.sameFile(fileName, sourceFile)) return undefined;
    // Validate every span before moving any: a span in a changed piece means a dependency the
    // interpreter did not report, and the unit runs again instead. The unit's own segment is
    // unchanged (checked above), so only the spans outside it need a look.
    const { otherSpans, ownSpans } = entry;
    let linesMoved = false;
    let positionsMoved = false;
    // Spans that all lie before the first changed piece are in unchanged pieces that kept their
    // places, lines and columns (everything before them is unchanged too): nothing to look at.
    const othersBefore = entry.otherLast < shift.firstChanged;
    // Spans that all lie after the last changed piece are in unchanged pieces aligned to the
    // end of the text: all move by its length change and by one line shift. A column changes
    // only on the line where the changes end, which a nonzero length change or the first such
    // piece's own column tells (conservatively: then the model is located again).
    const after = shift.afterChanges;
    const othersAfter = !othersBefore && after < shift.oldPieces.length && entry.otherFirst >= shift.oldPieces[after].start;
    if (othersAfter) {
      const before = shift.oldPieces[after];
      const now = shift.newPieces[after];
      const delta = now.start - before.start;
      if (now.line !== before.line) linesMoved = true;
      if (delta !== 0 || now.character !== before.character) positionsMoved = true;
      if (delta !== 0) {
        for (const span of otherSpans as { start: number; end: number }[]) {
          span.start += delta;
          span.end += delta;
        }
        entry.otherFirst += delta;
        entry.otherLast += delta;
      }
    }
    const slow = !othersBefore && !othersAfter;
    const moved = slow ? new Array<number>(otherSpans.length * 2) : [];
    // Spans on both sides (the module unit's): each one before the changes or after them is
    // told apart by two comparisons, only the rest are looked up piece by piece.
    const afterStart = after < shift.oldPieces.length ? shift.oldPieces[after].start : Infinity;
    const afterDelta = after < shift.oldPieces.length ? shift.newPieces[after].start - afterStart : 0;
    for (let i = 0; slow && i < otherSpans.length; i++) {
      const span = otherSpans[i];
      if (lastOffset(span) < shift.firstChanged) {
        moved[2 * i] = span.start;
        moved[2 * i + 1] = span.end;
        continue;
      }
      if (span.start >= afterStart) {
        moved[2 * i] = span.start + afterDelta;
        moved[2 * i + 1] = span.end + afterDelta;
        const before = shift.oldPieces[after];
        const now = shift.newPieces[after];
        if (now.line !== before.line) linesMoved = true;
        if (afterDelta !== 0 || now.character !== before.character) positionsMoved = true;
        continue;
      }
      const first = pieceAt(shift.oldPieces, span.start);
      const last = span.end > span.start ? pieceAt(shift.oldPieces, span.end - 1) : first;
      if (first < 0 || last < 0 || !shift.unchanged[first] || !shift.unchanged[last]) return undefined;
      const firstBefore = shift.oldPieces[first];
      const firstAfter = shift.newPieces[first];
      const lastBefore = shift.oldPieces[last];
      const lastAfter = shift.newPieces[last];
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
      const before = shift.oldPieces[2 * segment + 1];
      const after = shift.newPieces[2 * segment + 1];
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
    for (let i = 0; i < shift.unchanged.length; i++) {
      if (shift.unchanged[i]) continue;
      const before = shift.oldPieces[i];
      const after = shift.newPieces[i];
      for (const range of reads.ranges) if (range.start < before.end && before.start < range.end) return undefined;
      for (const words of [old.text.slice(before.start, before.end), text.slice(after.start, after.end)]) {
        for (const word of words.match(IDENTIFIER_WORD) ?? []) if (reads.names.has(word)) return undefined;
      }
      for (const [piece, source] of [[before, old.text], [after, text]] as const) {
        for (const word of exposedBy(piece, source)) if (reads.declared.has(word)) return undefined;
      }
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
    if (first < 0 || last < 0 || !shift.unchanged[first] || !shift.unchanged[last]) return undefined;
    return {
      start: range.start - shift.oldPieces[first].start + shift.newPieces[first].start,
      end: range.end - shift.oldPieces[last].start + shift.newPieces[last].start,
    };
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
      provider: this.provider,
      optionsKey: this.optionsKey,
      segments: this.segments,
      gaps: this.gaps,
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
