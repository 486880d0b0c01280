// How the analysis gets source: one way to parse a file, and how it reads other files of the
// project (helpers imported from another file): open editor buffers first, then the disk.
import { ts } from 'ts-morph';

export interface SourceProvider {
  /** A parsed file (parent pointers set), or undefined when it does not exist or cannot be read. */
  getSourceFile(fileName: string): ts.SourceFile | undefined;
}

const EXTENSION_SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
  '.jsx': ts.ScriptKind.JSX,
};

const LANGUAGE_SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  typescript: ts.ScriptKind.TS,
  typescriptreact: ts.ScriptKind.TSX,
  javascript: ts.ScriptKind.JS,
  javascriptreact: ts.ScriptKind.JSX,
};

/** The script kind a file's extension implies; TS for anything unknown (the widest grammar). */
export function scriptKindForFile(fileName: string, languageId?: string): ts.ScriptKind {
  const match = /\.[^./\\]+$/.exec(fileName.toLowerCase());
  const byExtension = match ? EXTENSION_SCRIPT_KINDS[match[0]] : undefined;
  if (byExtension !== undefined) return byExtension;
  // Untitled buffers have no extension: the editor's language id is all there is.
  return (languageId && LANGUAGE_SCRIPT_KINDS[languageId]) || ts.ScriptKind.TS;
}

/**
 * Parses a whole text the way the server, the CLI and the disk cache all do. TypeScript's JSDoc
 * parser is switched off: declarations are read from the comment text itself, and JSDoc
 * parsing was a measurable part of every keystroke's incremental parse (`ts.updateSourceFile`
 * keeps the mode of the file it updates).
 */
export function parseSourceText(fileName: string, text: string, languageId?: string): ts.SourceFile {
  const sourceFile = ts.createSourceFile(
    fileName,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    false,
    scriptKindForFile(fileName, languageId),
  );
  setParents(sourceFile);
  return sourceFile;
}

/** The node whose children `bindToParent` is visiting. */
let parentOfVisited: ts.Node | undefined;

function bindToParent(child: ts.Node): undefined {
  (child as { parent: ts.Node }).parent = parentOfVisited as ts.Node;
  const saved = parentOfVisited;
  parentOfVisited = child;
  ts.forEachChild(child, bindToParent);
  // JSDoc nodes hang off their host, outside forEachChild (none while JSDoc parsing is off).
  const jsDoc = (child as { jsDoc?: ts.Node[] }).jsDoc;
  if (jsDoc) for (const doc of jsDoc) bindToParent(doc);
  parentOfVisited = saved;
  return undefined;
}

/**
 * Sets every node's parent pointer, as `createSourceFile`'s setParentNodes does. TypeScript's
 * own pass builds a work array and a closure per node (`gatherPossibleChildren`): it was a
 * quarter of the parse's time and much of the CLI's garbage. One recursion with one callback
 * allocates nothing; its stack grows with the nesting as the parser's, by fewer frames a level.
 */
function setParents(sourceFile: ts.SourceFile): void {
  parentOfVisited = sourceFile;
  try {
    ts.forEachChild(sourceFile, bindToParent);
  } finally {
    parentOfVisited = undefined;
  }
}
