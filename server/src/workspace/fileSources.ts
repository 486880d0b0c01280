// Source providers for cross-file analysis: parsed files from disk, cached by modification
// time and size, and an overlay that serves the editor's open buffers before the disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ts } from 'ts-morph';
import type { SourceProvider } from '../analysis/sourceProvider';
import { parseSourceFile, type DocumentStore } from './documents';

interface CachedFile {
  mtimeMs: number;
  size: number;
  sourceFile: ts.SourceFile;
}

/** Files read from disk, parsed once and reparsed only when their mtime or size changes. */
export class DiskSourceFiles implements SourceProvider {
  private readonly cache = new Map<string, CachedFile>();

  /**
   * @param capacity the most parsed files kept, least recently used dropped first: the CLI
   *   bounds it so that memory does not grow with the number of files checked.
   */
  constructor(private readonly capacity = Infinity) {}

  getSourceFile(fileName: string): ts.SourceFile | undefined {
    return this.read(fileName, true);
  }

  /**
   * A file a run checks: the kept tree when another file's analysis already pulled it in, else
   * parsed without keeping it. Only files others import are worth keeping; keeping every
   * checked file for the next 64 made each tree outlive two of V8's young-generation
   * collections, so it was promoted and freed only by full collections (docs/decisions.md).
   */
  checkedFile(fileName: string): ts.SourceFile | undefined {
    return this.read(fileName, false);
  }

  private read(fileName: string, keep: boolean): ts.SourceFile | undefined {
    const key = path.resolve(fileName);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(key);
    } catch {
      this.cache.delete(key);
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const cached = this.cache.get(key);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
      if (this.capacity !== Infinity) {
        this.cache.delete(key);
        this.cache.set(key, cached);
      }
      return cached.sourceFile;
    }
    let text: string;
    try {
      text = fs.readFileSync(key, 'utf8');
    } catch {
      return undefined;
    }
    const sourceFile = parseSourceFile(key, text);
    if (!keep) return sourceFile;
    this.cache.delete(key);
    this.cache.set(key, { mtimeMs: stat.mtimeMs, size: stat.size, sourceFile });
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    return sourceFile;
  }

  /** Registers a file the caller already parsed (the CLI parses each file exactly once). */
  remember(fileName: string, sourceFile: ts.SourceFile, stat: { mtimeMs: number; size: number }): void {
    this.cache.set(path.resolve(fileName), { mtimeMs: stat.mtimeMs, size: stat.size, sourceFile });
  }
}

/** Open documents first (their unsaved text is what the user sees), then the disk. */
export class WorkspaceSourceProvider implements SourceProvider {
  constructor(
    private readonly documents: DocumentStore,
    private readonly disk: DiskSourceFiles = new DiskSourceFiles(),
  ) {}

  getSourceFile(fileName: string): ts.SourceFile | undefined {
    const open = this.documents.getByFileName(fileName) ?? this.documents.getByFileName(path.resolve(fileName));
    return open ? open.sourceFile : this.disk.getSourceFile(fileName);
  }
}
