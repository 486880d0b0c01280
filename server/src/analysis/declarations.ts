// Parses `@symmetry <mode> <group> [axis=<int>] [tol=<number>] [adjacency=<int>]` tags (SPEC section 2) from
// JSDoc blocks and from `--symmetry` arguments, into declarations or precise problems with the
// closest valid spelling. Nothing is silently ignored: a near-miss tag name is a problem too.
import type { SourceSpan } from './graph';
import {
  APPROXIMATE_TOL,
  DEFAULT_TOL,
  GROUPS,
  MODES,
  type DeclarationProblem,
  type GroupName,
  type Mode,
  type SymmetryDeclaration,
} from './symmetry';

export const SYMMETRY_TAG = '@symmetry';
export const OPTION_KEYS = ['axis', 'tol', 'adjacency'] as const;
type OptionKey = (typeof OPTION_KEYS)[number];

export const EXPECTED_MODE = 'a mode (invariant or equivariant)';
export const EXPECTED_GROUP = `a group (${GROUPS.join(', ')})`;
export const EXPECTED_OPTION = 'an option axis=<int>, tol=<number> or adjacency=<int>, or the end of the tag';
export const EXPECTED_OPTION_KEY = 'an option name (axis, tol or adjacency)';
export const EXPECTED_TOL = 'a positive number for tol (e.g. tol=1e-3)';
export const EXPECTED_AXIS = 'an integer axis of 1 or more for axis (axis 0 is the batch)';
export const EXPECTED_ADJACENCY = 'the 0-based index of the adjacency input for adjacency (e.g. adjacency=1)';
export const EXPECTED_ADJACENCY_GROUP = 'adjacency= only with the permutation group';
export const EXPECTED_TAG = 'the tag @symmetry';
/** The flag word that marks a symmetry training supplies (SPEC 2). */
export const LEARNED_FLAG = 'learned';
export const EXPECTED_LEARNED_TOL = 'a tol of 1e-2 or more with learned (training makes a symmetry approximate)';

export interface ParsedDeclarations {
  declarations: SymmetryDeclaration[];
  problems: DeclarationProblem[];
}

/** The span a command-line declaration gets until the engine binds it to a model. */
export const COMMAND_LINE_FILE = '<command line>';

/**
 * Common other names for the groups. They are not accepted (one spelling per group keeps
 * declarations greppable) but they make the suggestion right where edit distance would not.
 */
const GROUP_ALIASES: Record<string, GroupName> = {
  shift: 'translation',
  shifts: 'translation',
  translations: 'translation',
  rotation: 'rotation90',
  rotations: 'rotation90',
  rot90: 'rotation90',
  c4: 'rotation90',
  reflection: 'flip',
  mirror: 'flip',
  d4: 'dihedral',
  permutations: 'permutation',
  set: 'permutation',
  negation: 'sign',
};

/** Edit distance (insertions, deletions, substitutions), for spelling suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The valid word closest to `word`: a case-insensitive match first, then an alias, then the
 * nearest by edit distance if it is near enough to be a plausible typo.
 */
function closest<T extends string>(word: string, candidates: readonly T[], aliases: Record<string, T> = {}): T | undefined {
  const lower = word.toLowerCase();
  const caseless = candidates.find((c) => c.toLowerCase() === lower);
  if (caseless) return caseless;
  if (Object.prototype.hasOwnProperty.call(aliases, lower)) return aliases[lower];
  let best: T | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the word, at least 2: `invarient` (1) and `rotaton` (3 of 10) are typos,
  // `foo` for `flip` is not.
  const limit = Math.max(2, Math.floor(Math.max(lower.length, 3) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Is `name` (without the `@`) a misspelling of the tag, rather than some other JSDoc tag? */
function isNearTagName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'symmetry') return true;
  if (lower.startsWith('symmetr') || lower.startsWith('symetr')) return true;
  return lower.length >= 6 && editDistance(lower, 'symmetry') <= 2;
}

interface Token {
  text: string;
  /** Offset in the text being parsed. */
  start: number;
  end: number;
  /** For `key=value` tokens (spaces around `=` allowed). */
  option?: { key: string; value: string; valueStart: number };
}

/** Splits the text after the tag into words and `key = value` options. */
function tokenize(text: string, offset: number): Token[] {
  const tokens: Token[] = [];
  const pattern = /([A-Za-z_][\w-]*)\s*=\s*(\S*)|\S+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const start = offset + match.index;
    const token: Token = { text: match[0], start, end: start + match[0].length };
    if (match[1] !== undefined) {
      const valueIndex = match[0].length - match[2].length;
      token.option = { key: match[1], value: match[2], valueStart: start + valueIndex };
    }
    tokens.push(token);
  }
  return tokens;
}

/** A JS number literal in decimal notation; `Number()` alone would accept '', '0x10', 'Infinity'. */
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function formatNumber(value: number): string {
  return String(value);
}

interface TagParse {
  declaration?: Omit<SymmetryDeclaration, 'span' | 'fromCommandLine'>;
  problems: { start: number; end: number; expected: string; found: string; fixable: boolean }[];
  /** The corrected text after the tag, or undefined when some part has no valid guess. */
  correctedBody?: string;
}

/**
 * Parses the words after `@symmetry`. Offsets in the result are relative to the same text as
 * `tokens`; `tagStart`/`tagEnd` locate the whole tag for problems about something missing.
 */
function parseTagBody(tokens: Token[], tagStart: number, tagEnd: number): TagParse {
  const problems: TagParse['problems'] = [];
  const corrected: (string | undefined)[] = [];
  let mode: Mode | undefined;
  let group: GroupName | undefined;
  let index = 0;

  const modeToken = tokens[index];
  if (!modeToken) {
    problems.push({ start: tagStart, end: tagEnd, expected: EXPECTED_MODE, found: '', fixable: false });
    return { problems };
  }
  // The mode and group in swapped order is a common slip: suggest the swap.
  const second = tokens[index + 1];
  if (
    !(MODES as readonly string[]).includes(modeToken.text) &&
    (GROUPS as readonly string[]).includes(modeToken.text) &&
    second &&
    (MODES as readonly string[]).includes(second.text)
  ) {
    problems.push({ start: modeToken.start, end: modeToken.end, expected: EXPECTED_MODE, found: modeToken.text, fixable: true });
    corrected.push(second.text, modeToken.text);
    index += 2;
  } else {
    if ((MODES as readonly string[]).includes(modeToken.text)) {
      mode = modeToken.text as Mode;
      corrected.push(mode);
    } else {
      const guess = modeToken.option ? undefined : closest(modeToken.text, MODES);
      problems.push({ start: modeToken.start, end: modeToken.end, expected: EXPECTED_MODE, found: modeToken.text, fixable: guess !== undefined });
      corrected.push(guess);
    }
    index++;

    const groupToken = tokens[index];
    if (!groupToken || groupToken.option) {
      const at = groupToken ?? { start: tagStart, end: tagEnd };
      problems.push({ start: at.start, end: at.end, expected: EXPECTED_GROUP, found: groupToken?.text ?? '', fixable: false });
      corrected.push(undefined);
    } else {
      if ((GROUPS as readonly string[]).includes(groupToken.text)) {
        group = groupToken.text as GroupName;
        corrected.push(group);
      } else {
        const guess = closest(groupToken.text, GROUPS, GROUP_ALIASES);
        problems.push({ start: groupToken.start, end: groupToken.end, expected: EXPECTED_GROUP, found: groupToken.text, fixable: guess !== undefined });
        corrected.push(guess);
      }
      index++;
    }
  }

  const options: Partial<Record<OptionKey, number>> = {};
  let learned: Token | undefined;
  for (; index < tokens.length; index++) {
    const token = tokens[index];
    if (!token.option && !learned && (token.text === LEARNED_FLAG || closest(token.text, [LEARNED_FLAG], { learnt: LEARNED_FLAG, learn: LEARNED_FLAG }))) {
      if (token.text !== LEARNED_FLAG) problems.push({ start: token.start, end: token.end, expected: EXPECTED_OPTION, found: token.text, fixable: true });
      learned = token;
      corrected.push(LEARNED_FLAG);
      continue;
    }
    if (!token.option) {
      // An extra word: the fix is to drop it.
      problems.push({ start: token.start, end: token.end, expected: EXPECTED_OPTION, found: token.text, fixable: true });
      continue;
    }
    const { key, value, valueStart } = token.option;
    const keyEnd = token.start + key.length;
    let optionKey: OptionKey | undefined = (OPTION_KEYS as readonly string[]).includes(key) ? (key as OptionKey) : undefined;
    const misspeltKey = !optionKey;
    if (!optionKey) {
      const guess = closest(key, OPTION_KEYS, { tolerance: 'tol', rtol: 'tol', eps: 'tol', dim: 'axis', setaxis: 'axis', adj: 'adjacency', graph: 'adjacency', mask: 'adjacency' });
      problems.push({ start: token.start, end: keyEnd, expected: EXPECTED_OPTION_KEY, found: key, fixable: guess !== undefined });
      if (!guess) {
        corrected.push(undefined);
        continue;
      }
      optionKey = guess;
    }
    if (options[optionKey] !== undefined) {
      // A misspelt key that repeats another option was already reported once.
      if (!misspeltKey) problems.push({ start: token.start, end: token.end, expected: `at most one ${optionKey}=`, found: token.text, fixable: true });
      continue;
    }
    const valueEnd = valueStart + value.length;
    const valueSpan = value.length > 0 ? { start: valueStart, end: valueEnd } : { start: token.start, end: token.end };
    const parsed = NUMBER_PATTERN.test(value) ? Number(value) : NaN;
    if (optionKey === 'tol') {
      if (!Number.isFinite(parsed)) {
        problems.push({ ...valueSpan, expected: EXPECTED_TOL, found: value, fixable: false });
        corrected.push(undefined);
      } else if (parsed <= 0) {
        // A negative tolerance is most likely a stray sign; zero accepts nothing at all.
        const fixed = parsed < 0 ? -parsed : DEFAULT_TOL;
        problems.push({ ...valueSpan, expected: EXPECTED_TOL, found: value, fixable: true });
        options.tol = fixed;
        corrected.push(`tol=${formatNumber(fixed)}`);
      } else {
        options.tol = parsed;
        corrected.push(`tol=${value}`);
      }
    } else if (optionKey === 'adjacency') {
      if (!Number.isInteger(parsed) || parsed < 0) {
        problems.push({ ...valueSpan, expected: EXPECTED_ADJACENCY, found: value, fixable: false });
        corrected.push(undefined);
      } else if (group !== undefined && group !== 'permutation') {
        // The pairing only means something to a permutation: drop the option.
        problems.push({ start: token.start, end: token.end, expected: EXPECTED_ADJACENCY_GROUP, found: token.text, fixable: true });
      } else {
        options.adjacency = parsed;
        corrected.push(`adjacency=${parsed}`);
      }
    } else {
      if (!Number.isFinite(parsed)) {
        problems.push({ ...valueSpan, expected: EXPECTED_AXIS, found: value, fixable: false });
        corrected.push(undefined);
      } else if (!Number.isInteger(parsed) || parsed < 1) {
        problems.push({ ...valueSpan, expected: EXPECTED_AXIS, found: value, fixable: false });
        corrected.push(undefined);
      } else {
        options.axis = parsed;
        corrected.push(`axis=${value}`);
      }
    }
  }

  if (learned && (options.tol === undefined || options.tol < APPROXIMATE_TOL)) {
    // Without a tol, the usual one for a learned symmetry makes the tag whole.
    const missing = options.tol === undefined;
    problems.push({ start: learned.start, end: learned.end, expected: EXPECTED_LEARNED_TOL, found: missing ? LEARNED_FLAG : `tol=${formatNumber(options.tol!)}`, fixable: missing });
    if (missing) corrected.splice(corrected.indexOf(LEARNED_FLAG), 0, 'tol=0.05');
  }
  const correctedBody = corrected.every((word) => word !== undefined) ? corrected.join(' ') : undefined;
  if (problems.length > 0 || !mode || !group) return { problems, correctedBody };

  const tol = options.tol ?? DEFAULT_TOL;
  const optionText = [
    options.axis !== undefined ? `axis=${options.axis}` : undefined,
    options.tol !== undefined ? `tol=${formatNumber(options.tol)}` : undefined,
    options.adjacency !== undefined ? `adjacency=${options.adjacency}` : undefined,
  ].filter((part) => part !== undefined);
  return {
    problems,
    correctedBody,
    declaration: {
      mode,
      group,
      axis: options.axis ?? 1,
      tol,
      approximate: tol >= APPROXIMATE_TOL,
      ...(options.adjacency !== undefined ? { adjacency: options.adjacency } : {}),
      ...(learned ? { learned: true } : {}),
      text: [mode, group, ...optionText, ...(learned ? [LEARNED_FLAG] : [])].join(' '),
    },
  };
}

/** The lines of a comment that may hold a tag (an `@` in them), JSDoc decoration (`/**`, ` * `, `*\/`) stripped, keeping offsets. */
function commentLines(text: string): { content: string; offset: number }[] {
  const lines: { content: string; offset: number }[] = [];
  let lineStart = 0;
  for (const rawLine of text.split('\n')) {
    // Only a line that opens with a tag is read (parseDeclarations), and a tag needs its `@`:
    // most lines of a model's doc comment are prose, not worth the regexes below.
    if (!rawLine.includes('@')) {
      lineStart += rawLine.length + 1;
      continue;
    }
    let line = rawLine.replace(/\r$/, '');
    let start = 0;
    const lead = /^\s*(\/\*\*?|\*(?!\/))?\s*/.exec(line);
    if (lead) start = lead[0].length;
    const closing = line.lastIndexOf('*/');
    if (closing >= start) line = line.slice(0, closing);
    lines.push({ content: line.slice(start).replace(/\s+$/, ''), offset: lineStart + start });
    lineStart += rawLine.length + 1;
  }
  return lines;
}

/** Parses every `@symmetry` tag (and near-miss tag) in one JSDoc block. */
export function parseDeclarations(docComment: { text: string; span: SourceSpan }): ParsedDeclarations {
  const result: ParsedDeclarations = { declarations: [], problems: [] };
  const base = docComment.span.start;
  const file = docComment.span.file;
  const spanOf = (start: number, end: number): SourceSpan => ({ file, start: base + start, end: base + end });

  for (const line of commentLines(docComment.text)) {
    const tagMatch = /^@([A-Za-z][\w-]*)/.exec(line.content);
    if (!tagMatch) continue;
    const tagName = tagMatch[1];
    if (!isNearTagName(tagName)) continue;
    const nameEnd = line.offset + tagMatch[0].length;
    const tokens = tokenize(line.content.slice(tagMatch[0].length), nameEnd);
    const tagEnd = tokens.length > 0 ? tokens[tokens.length - 1].end : nameEnd;
    const parse = parseTagBody(tokens, line.offset, tagEnd);
    const suggestion = parse.correctedBody !== undefined ? `${SYMMETRY_TAG} ${parse.correctedBody}` : undefined;

    if (tagName !== 'symmetry') {
      result.problems.push({
        span: spanOf(line.offset, nameEnd),
        expected: EXPECTED_TAG,
        found: `@${tagName}`,
        suggestion: suggestion ?? SYMMETRY_TAG,
      });
    }
    for (const problem of parse.problems) {
      result.problems.push({
        span: spanOf(problem.start, problem.end),
        expected: problem.expected,
        found: problem.found,
        ...(problem.fixable && suggestion ? { suggestion } : {}),
      });
    }
    if (tagName === 'symmetry' && parse.declaration) {
      // Copied, then completed: a spread with added properties costs microseconds in V8 (node 20).
      const declaration = Object.assign({}, parse.declaration) as SymmetryDeclaration;
      declaration.span = spanOf(line.offset, tagEnd);
      declaration.fromCommandLine = false;
      result.declarations.push(declaration);
    }
  }
  return result;
}

/**
 * Parses a `--symmetry` value (`invariant translation tol=1e-3`, with or without the leading
 * `@symmetry`). Its span covers the text in the pseudo file `<command line>`; the engine
 * re-anchors it on each model it applies to.
 */
export function parseCommandLineDeclaration(text: string): SymmetryDeclaration | { problem: DeclarationProblem } {
  const withoutTag = /^\s*@symmetry\b/.exec(text);
  const bodyStart = withoutTag ? withoutTag[0].length : 0;
  const tokens = tokenize(text.slice(bodyStart), bodyStart);
  const parse = parseTagBody(tokens, 0, text.length);
  const span = (start: number, end: number): SourceSpan => ({ file: COMMAND_LINE_FILE, start, end });
  if (parse.declaration) {
    return { ...parse.declaration, span: span(0, text.length), fromCommandLine: true };
  }
  const first = parse.problems[0];
  return {
    problem: {
      span: span(first.start, first.end),
      expected: first.expected,
      found: first.found,
      ...(first.fixable && parse.correctedBody !== undefined ? { suggestion: parse.correctedBody } : {}),
    },
  };
}
