// Finds the files the CLI checks: named files as given, folders walked for JS/TS sources,
// skipping node_modules and whatever .gitignore files (nested ones included) ignore.
// The result is sorted so output and exit codes never depend on directory listing order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

export const SOURCE_EXTENSIONS: readonly string[] = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs'];
const ALWAYS_SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

/** A problem with what the user asked for (exit code 2). */
export class DiscoveryError extends Error {}

export function isSourceFileName(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  if (/\.d\.[cm]?ts$/.test(lower)) return false;
  return SOURCE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** The rules of one .gitignore file and the folder its patterns are relative to. */
interface IgnoreScope {
  base: string;
  rules: Ignore;
}

function readIgnoreScope(directory: string): IgnoreScope | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(directory, '.gitignore'), 'utf8');
  } catch {
    return undefined;
  }
  return { base: directory, rules: ignore().add(text) };
}

/**
 * Whether the scopes, outermost first, ignore a path. A deeper .gitignore can re-include with
 * `!pattern` what an outer one ignored, as git allows for files whose folder is not ignored.
 */
function isIgnored(scopes: readonly IgnoreScope[], absolutePath: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const scope of scopes) {
    const relative = path.relative(scope.base, absolutePath).split(path.sep).join('/');
    if (!relative || relative.startsWith('..')) continue;
    const result = scope.rules.test(isDirectory ? `${relative}/` : relative);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

/**
 * The .gitignore scopes above a walked folder, up to its repository root (the nearest folder
 * with a `.git`); none when the folder is not inside a repository, so a stray .gitignore in a
 * parent of an unrelated folder cannot hide files.
 */
function ancestorScopes(directory: string): IgnoreScope[] {
  const chain: string[] = [];
  let current = path.dirname(directory);
  let repositoryRoot: string | undefined;
  if (fs.existsSync(path.join(directory, '.git'))) return [];
  while (true) {
    chain.push(current);
    if (fs.existsSync(path.join(current, '.git'))) {
      repositoryRoot = current;
      break;
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (!repositoryRoot) return [];
  return chain
    .reverse()
    .map(readIgnoreScope)
    .filter((scope): scope is IgnoreScope => scope !== undefined);
}

/** Walks a folder tree, pausing (a `yield`) after each folder read, so a caller may interleave other work. */
function* walk(directory: string, scopes: IgnoreScope[], found: Set<string>): Generator<void, void, void> {
  const own = readIgnoreScope(directory);
  const here = own ? [...scopes, own] : scopes;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    throw new DiscoveryError(`cannot read folder ${directory}: ${(error as Error).message}`);
  }
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // Follow links to files only: links to folders can form cycles.
      try {
        isFile = fs.statSync(full).isFile();
      } catch {
        isFile = false;
      }
      isDirectory = false;
    }
    if (isDirectory) {
      if (ALWAYS_SKIPPED_DIRECTORIES.has(entry.name) || isIgnored(here, full, true)) continue;
      yield* walk(full, here, found);
    } else if (isFile && isSourceFileName(entry.name) && !isIgnored(here, full, false)) {
      found.add(full);
    }
  }
  yield;
}

/**
 * Absolute paths of the files to check, sorted. Files named on the command line are checked
 * even when a .gitignore would skip them (naming a file is explicit), but they must be
 * JS/TS sources; folders are walked. A path that does not exist is a DiscoveryError.
 */
export function discoverSourceFiles(inputs: readonly string[], cwd: string = process.cwd()): string[] {
  const found = new Set<string>();
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      throw new DiscoveryError(`no such file or folder: ${input}`);
    }
    if (stat.isDirectory()) {
      const walking = walk(absolute, ancestorScopes(absolute), found);
      while (!walking.next().done) continue;
    } else if (stat.isFile()) {
      if (!isSourceFileName(absolute)) {
        throw new DiscoveryError(`not a JavaScript or TypeScript source file: ${input} (expected ${SOURCE_EXTENSIONS.join(' ')})`);
      }
      found.add(absolute);
    } else {
      throw new DiscoveryError(`not a file or folder: ${input}`);
    }
  }
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The source files of one folder as discoverSourceFiles gives them (sorted), walked a folder at
 * a time: the generator pauses after each folder it reads and returns the files at the end. The
 * language server's workspace pass uses it so that a large tree is walked in short slices.
 */
export function* walkSourceFolder(folder: string): Generator<void, string[], void> {
  const found = new Set<string>();
  const absolute = path.resolve(folder);
  yield* walk(absolute, ancestorScopes(absolute), found);
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
