// A cheaper incremental parse for the common keystroke: an edit inside one top-level statement.
// ts.updateSourceFile re-enters the parser at the top of the file and walks every node after
// the edit; here only the edited statement is parsed again, and the nodes after it are moved
// only when the edit changed the text's length. It gives up (undefined) whenever it cannot be
// sure the result is the tree a full parse of the new text would give, and the caller falls
// back to ts.updateSourceFile.
import { ts } from 'ts-morph';

/** TypeScript keeps these on a source file without declaring them. */
interface SourceFileInternals {
  parseDiagnostics: ts.DiagnosticWithLocation[];
  commentDirectives?: { range: ts.TextRange; type: number }[];
  identifiers: Map<string, string>;
  nodeCount: number;
  identifierCount: number;
  transformFlags: number;
  setExternalModuleIndicator?: (file: ts.SourceFile) => void;
  impliedNodeFormat?: ts.ResolutionMode;
  scriptKind: ts.ScriptKind;
  jsDocParsingMode?: ts.JSDocParsingMode;
}

type Internal = ts.SourceFile & SourceFileInternals;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Fields a parse derives from the leading comments of the file, which the edit leaves alone. */
const LEADING_COMMENT_FIELDS = ['pragmas', 'checkJsDirective', 'referencedFiles', 'typeReferenceDirectives', 'libReferenceDirectives', 'amdDependencies', 'hasNoDefaultLib', 'moduleName', 'impliedNodeFormat'] as const;

/** A top-level `await` makes TypeScript parse a module's statements a second time. */
const POSSIBLE_TOP_LEVEL_AWAIT = (ts as unknown as { TransformFlags?: Record<string, number> }).TransformFlags?.ContainsPossibleTopLevelAwait;
/** Set on the file while parsing when it meets `import(` or `import.meta`: not per statement. */
const NODE_FLAGS = ts.NodeFlags as unknown as Record<string, number>;
const IMPORT_FLAGS = NODE_FLAGS.PossiblyContainsDynamicImport | NODE_FLAGS.PossiblyContainsImportMeta;
/** Another TypeScript without these internals gets no shortcut rather than a wrong tree. */
export const STATEMENT_REPARSE_SUPPORTED = [POSSIBLE_TOP_LEVEL_AWAIT, NODE_FLAGS.PossiblyContainsDynamicImport, NODE_FLAGS.PossiblyContainsImportMeta].every(
  (flag) => typeof flag === 'number' && flag > 0,
);

/** How many edits took the shortcut and how many fell back, since start (for tests and tuning). */
export const statementReparseStats = { reparsed: 0, declined: 0 };

const scanner = ts.createScanner(ts.ScriptTarget.Latest, /*skipTrivia*/ true);

interface ScannedToken {
  kind: ts.SyntaxKind;
  start: number;
  end: number;
  lineBreakBefore: boolean;
}

/** The first token at or after `pos` in `text`. */
function firstToken(text: string, pos: number, variant: ts.LanguageVariant): ScannedToken {
  scanner.setLanguageVariant(variant);
  scanner.setText(text, pos);
  const kind = scanner.scan();
  const token = { kind, start: scanner.getTokenStart(), end: scanner.getTokenEnd(), lineBreakBefore: scanner.hasPrecedingLineBreak() };
  scanner.setText('');
  return token;
}

/**
 * Where the first `count` tokens of a statement end (all of them, if it has fewer). A snippet
 * cut there lets the statement before see what follows it, and the truncated statement's own
 * complaints fall at the end of the snippet: `export async` alone is an error at `export`,
 * `export async function` only at its end.
 */
function leadingTokensEnd(text: string, statement: ts.Node, count: number, variant: ts.LanguageVariant): number {
  scanner.setLanguageVariant(variant);
  scanner.setText(text, statement.pos, statement.end - statement.pos);
  let end = statement.pos;
  for (let i = 0; i < count && scanner.scan() !== ts.SyntaxKind.EndOfFileToken; i++) end = scanner.getTokenEnd();
  scanner.setText('');
  return end;
}

/** The index of the statement whose range holds `position` (pos <= position < end), or -1. */
function statementAt(statements: ts.NodeArray<ts.Statement>, position: number): number {
  let low = 0;
  let high = statements.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const statement = statements[middle];
    if (position < statement.pos) high = middle - 1;
    else if (position >= statement.end) low = middle + 1;
    else return middle;
  }
  return -1;
}

/**
 * How far `shiftTree` moves the nodes it visits, and the parent it gives them: a freshly parsed
 * statement gets both (`reparentTo` is the node whose children are being visited), reused
 * statements after the edit keep their parents (`reparentTo` undefined).
 */
let shiftBy = 0;
let reparentTo: ts.Node | undefined;

function shiftArray(nodes: ts.NodeArray<ts.Node>): undefined {
  (nodes as { pos: number }).pos += shiftBy;
  (nodes as { end: number }).end += shiftBy;
  for (const node of nodes) shiftTree(node);
  return undefined;
}

/** Moves a node and its subtree by `shiftBy`, setting parents on the way when `reparentTo` is set. */
function shiftTree(node: ts.Node): undefined {
  const moved = node as Mutable<ts.Node>;
  moved.pos += shiftBy;
  moved.end += shiftBy;
  const parent = reparentTo;
  if (parent === undefined) {
    ts.forEachChild(node, shiftTree, shiftArray);
    return undefined;
  }
  moved.parent = parent;
  reparentTo = node;
  ts.forEachChild(node, shiftTree, shiftArray);
  reparentTo = parent;
  return undefined;
}

/**
 * The tree of `newText` after replacing old `[start, oldEnd)` by `newLength` characters, built
 * from `old` by parsing again only the top-level statement the edit falls in; undefined when
 * that shortcut does not apply. Like ts.updateSourceFile, it reuses (and moves) `old`'s nodes:
 * `old` must not be used afterwards when a tree is returned.
 *
 * It applies when the edit lies inside one statement (after its first token, or in the
 * comments before it when they stay comments) and before its last character, no syntax error
 * is near, and the statement parses again with no error and ends exactly where the next
 * statement began (seen with the next statement's first tokens after it, since the parser looks
 * ahead to end a statement). The statements before are untouched text in the same
 * place and ended on the same token; the ones after start at the same token in the same
 * top-level context, so a full parse would build them as they are, moved.
 */
export function reparseEditedStatement(old: ts.SourceFile, newText: string, start: number, oldEnd: number, newLength: number): ts.SourceFile | undefined {
  const file = spliceEditedStatement(old, newText, start, oldEnd, newLength);
  if (file) statementReparseStats.reparsed++;
  else statementReparseStats.declined++;
  return file;
}

function spliceEditedStatement(old: ts.SourceFile, newText: string, start: number, oldEnd: number, newLength: number): ts.SourceFile | undefined {
  const oldFile = old as Internal;
  // Parsed JSDoc would bring its own diagnostics and flags to carry over; the server parses without it.
  if (!STATEMENT_REPARSE_SUPPORTED || oldFile.jsDocParsingMode !== ts.JSDocParsingMode.ParseNone) return undefined;
  const statements = old.statements;
  const index = statementAt(statements, start);
  if (index < 0) return undefined;
  const edited = statements[index];
  // The edit must leave the statement's last character as it was.
  if (oldEnd >= edited.end) return undefined;
  const delta = newLength - (oldEnd - start);
  const variant = old.languageVariant;
  // The statement before ended on seeing this statement's first token (and whether a line break
  // came before it): that token must stay as it was. An edit in the comments before it must
  // leave them comments, ending where they did.
  const first = firstToken(old.text, edited.pos, variant);
  if (first.kind === ts.SyntaxKind.LessThanToken) return undefined;
  if (start <= first.end) {
    if (index === 0 || oldEnd >= first.start) return undefined;
    const moved = firstToken(newText, edited.pos, variant);
    if (moved.kind !== first.kind || moved.start !== first.start + delta || moved.end !== first.end + delta || moved.lineBreakBefore !== first.lineBreakBefore) return undefined;
  }
  const next = index + 1 < statements.length ? statements[index + 1] : undefined;
  const oldBoundary = next ? next.pos : old.text.length;
  // A syntax error in the statement, or between it and its neighbours (tokens the parser
  // skipped, or a missing semicolon reported at the next token, past the statement's end): the
  // parser marks the next node it finishes after an error, and reports one error per position,
  // so either could come out differently in a full parse.
  const previousEnd = index > 0 ? statements[index - 1].end : 0;
  const nextTokenEnd = next ? firstToken(old.text, next.pos, variant).end : old.text.length;
  for (const diagnostic of oldFile.parseDiagnostics) {
    if (diagnostic.start >= previousEnd && diagnostic.start <= nextTokenEnd) return undefined;
  }
  // `import(` and `import.meta` set a flag on the whole file: one the edited statement may have
  // set cannot be told from one another statement set.
  if ((old.flags & IMPORT_FLAGS) !== 0 && old.text.slice(edited.pos, edited.end).includes('import')) return undefined;

  const boundary = oldBoundary + delta;
  const snippetEnd = (next ? leadingTokensEnd(old.text, next, 3, variant) : old.text.length) + delta;
  const snippet = ts.createSourceFile(
    old.fileName,
    newText.slice(edited.pos, snippetEnd),
    { languageVersion: old.languageVersion, jsDocParsingMode: oldFile.jsDocParsingMode },
    false,
    oldFile.scriptKind,
  ) as Internal;
  const parsed = snippet.statements;
  // Without a next statement the edited one must still end with its old last character.
  const expectedEnd = next ? boundary : edited.end + delta;
  if (parsed.length === 0 || parsed[0].end !== expectedEnd - edited.pos) return undefined;
  if (!next && parsed.length !== 1) return undefined;
  const statement = parsed[0];
  if (((statement as unknown as { transformFlags: number }).transformFlags & (POSSIBLE_TOP_LEVEL_AWAIT as number)) !== 0) return undefined;
  // Any error before the end of the snippet may be the statement's own (a missing semicolon
  // sits at the next token); the truncated next statement's fall at the very end.
  for (const diagnostic of snippet.parseDiagnostics) {
    if (!next || diagnostic.start < snippetEnd - edited.pos) return undefined;
  }
  // The snippet's own source file becomes the new file: a parse made it, so it has the shape
  // and fields of one; what it says about the snippet is replaced below by the whole file's.
  const snippetFlags = snippet.flags;
  const snippetIdentifiers = snippet.identifiers;
  const snippetDirectives = snippet.commentDirectives ?? [];
  const file = snippet;
  const mutableFile = file as Mutable<ts.SourceFile>;

  shiftBy = edited.pos;
  reparentTo = file;
  try {
    shiftTree(statement);
  } finally {
    reparentTo = undefined;
  }
  const elements: ts.Statement[] = new Array(statements.length);
  for (let i = 0; i < statements.length; i++) {
    const element = i === index ? statement : statements[i];
    (element as Mutable<ts.Node>).parent = file;
    elements[i] = element;
  }
  if (delta !== 0) {
    shiftBy = delta;
    for (let i = index + 1; i < statements.length; i++) shiftTree(statements[i]);
  }
  const endOfFile = old.endOfFileToken as Mutable<ts.EndOfFileToken>;
  endOfFile.pos += delta;
  endOfFile.end += delta;
  endOfFile.parent = file;
  const array = ts.factory.createNodeArray(elements) as Mutable<ts.NodeArray<ts.Statement>>;
  (array as { pos: number }).pos = statements.pos;
  (array as { end: number }).end = statements.end + delta;
  mutableFile.statements = array;
  mutableFile.endOfFileToken = endOfFile;
  mutableFile.end = newText.length;
  mutableFile.text = newText;
  mutableFile.flags = old.flags | (snippetFlags & IMPORT_FLAGS);
  file.transformFlags = (array as unknown as { transformFlags: number }).transformFlags;
  for (const field of LEADING_COMMENT_FIELDS) (file as unknown as Record<string, unknown>)[field] = (old as unknown as Record<string, unknown>)[field];
  file.identifiers = oldFile.identifiers;
  for (const [key, value] of snippetIdentifiers) if (!file.identifiers.has(key)) file.identifiers.set(key, value);
  file.nodeCount = oldFile.nodeCount;
  file.identifierCount = oldFile.identifierCount;
  file.parseDiagnostics = oldFile.parseDiagnostics.map((diagnostic) =>
    diagnostic.start < edited.pos ? { ...diagnostic, file } : { ...diagnostic, file, start: diagnostic.start + delta },
  );
  const directives: { range: ts.TextRange; type: number }[] = [];
  for (const directive of oldFile.commentDirectives ?? []) {
    if (directive.range.end <= edited.pos) directives.push(directive);
  }
  for (const directive of snippetDirectives) {
    if (directive.range.pos < boundary - edited.pos) directives.push({ range: { pos: directive.range.pos + edited.pos, end: directive.range.end + edited.pos }, type: directive.type });
  }
  for (const directive of oldFile.commentDirectives ?? []) {
    if (directive.range.pos >= oldBoundary) directives.push({ range: { pos: directive.range.pos + delta, end: directive.range.end + delta }, type: directive.type });
  }
  file.commentDirectives = directives;
  file.setExternalModuleIndicator?.(file);
  return file;
}
