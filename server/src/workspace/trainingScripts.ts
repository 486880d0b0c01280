// The project's training scripts and the files they import (issue 9, SPEC 7): an augmentation in
// a helper is reported in the helper's file, so the analysis of a file must learn which training
// scripts import it. A regular-expression scan of each file's text (training calls, relative
// import and require specifiers), no parse; the CLI builds it over the files it checks, the
// language server over its workspace folders.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TRAINING_TEXT } from '../analysis/augmentation';
import { candidatesFor } from '../analysis/extraction/moduleResolution';
import type { ProjectTrainingScripts } from '../engine';

/** `from './x'`, `import('./x')`, `import './x'`, `require('./x')`: relative specifiers only. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"`])(\.{1,2}(?:\/[^'"`\n]*)?)\1/g;

interface ScannedFile {
  training: boolean;
  /** Relative specifiers resolved to files of the project. */
  imports: readonly string[];
}

/**
 * What most files scan to: one shared record, since the index holds one per file of the project
 * for as long as the run (issue 13: memory must not grow with the number of files).
 */
const NEITHER_TRAINING_NOR_IMPORTING: ScannedFile = Object.freeze({ training: false, imports: Object.freeze([]) });

export class TrainingScriptIndex implements ProjectTrainingScripts {
  private readonly files = new Set<string>();
  private readonly scanned = new Map<string, ScannedFile>();
  /** Who imports each file; rebuilt after a change. */
  private importers: Map<string, string[]> | undefined;

  /**
   * @param readText a file's current text (an open buffer first, then the disk); undefined when
   *   it cannot be read.
   */
  constructor(files: Iterable<string>, private readonly readText: (fileName: string) => string | undefined = readFromDisk) {
    for (const fileName of files) {
      // The caller's string when it is already the resolved path: one copy of each name, not two.
      const resolved = path.resolve(fileName);
      this.files.add(resolved === fileName ? fileName : resolved);
    }
  }

  /** Whether the project holds `fileName`: its own analysis reports what happens in it. */
  reportsFindingsOf(fileName: string): boolean {
    return this.files.has(path.resolve(fileName));
  }

  /** The training scripts from which `fileName` is reached through relative imports. */
  importersOf(fileName: string): readonly string[] {
    const target = path.resolve(fileName);
    if (!this.files.has(target)) return [];
    const importers = this.importerMap();
    const result: string[] = [];
    const seen = new Set([target]);
    const queue = [target];
    while (queue.length > 0) {
      for (const importer of importers.get(queue.shift()!) ?? []) {
        if (seen.has(importer)) continue;
        seen.add(importer);
        queue.push(importer);
        if (this.scan(importer).training) result.push(importer);
      }
    }
    return result.sort();
  }

  /** The project's files that `fileName` reaches through relative imports (its helpers, theirs). */
  importsOf(fileName: string): string[] {
    const start = path.resolve(fileName);
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const imported of this.scan(queue.shift()!).imports) {
        if (seen.has(imported)) continue;
        seen.add(imported);
        queue.push(imported);
      }
    }
    seen.delete(start);
    return [...seen].sort();
  }

  /**
   * A file's text changed (an edit, a save, a change on disk): it is scanned again, and who imports
   * whom is worked out again only when its training call or its imports changed.
   */
  fileChanged(fileName: string): void {
    const key = path.resolve(fileName);
    const before = this.scanned.get(key);
    this.scanned.delete(key);
    if (!before || !this.files.has(key)) return;
    const after = this.scan(key);
    if (after.training !== before.training || after.imports.join('\n') !== before.imports.join('\n')) this.importers = undefined;
  }

  /** A file joins the project (created, or found by a later walk). */
  addFile(fileName: string): void {
    const key = path.resolve(fileName);
    if (this.files.has(key)) return;
    this.files.add(key);
    this.scanned.clear();
    this.importers = undefined;
  }

  /** A file left the project (deleted). */
  removeFile(fileName: string): void {
    const key = path.resolve(fileName);
    if (!this.files.delete(key)) return;
    this.scanned.clear();
    this.importers = undefined;
  }

  /** Scans every file now, yielding between files when `yieldIfDue` says so (the language server's queue). */
  async scanAll(yieldIfDue: () => Promise<void>): Promise<void> {
    for (const fileName of [...this.files]) {
      this.scan(fileName);
      await yieldIfDue();
    }
  }

  private importerMap(): Map<string, string[]> {
    if (this.importers) return this.importers;
    const importers = new Map<string, string[]>();
    for (const fileName of this.files) {
      for (const imported of this.scan(fileName).imports) {
        const list = importers.get(imported);
        if (list) list.push(fileName);
        else importers.set(imported, [fileName]);
      }
    }
    this.importers = importers;
    return importers;
  }

  private scan(fileName: string): ScannedFile {
    let scanned = this.scanned.get(fileName);
    if (scanned) return scanned;
    const text = this.readText(fileName) ?? '';
    const imports: string[] = [];
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const base = path.resolve(path.dirname(fileName), match[2]);
      const resolved = candidatesFor(base).map((candidate) => path.resolve(candidate)).find((candidate) => this.files.has(candidate));
      if (resolved && resolved !== fileName && !imports.includes(resolved)) imports.push(resolved);
    }
    const training = TRAINING_TEXT.test(text);
    scanned = training || imports.length > 0 ? { training, imports } : NEITHER_TRAINING_NOR_IMPORTING;
    this.scanned.set(fileName, scanned);
    return scanned;
  }
}

function readFromDisk(fileName: string): string | undefined {
  try {
    return fs.readFileSync(fileName, 'utf8');
  } catch {
    return undefined;
  }
}
