// `symmetry-lint check --fix`: applies the preferred fixes with the same code as the editor's
// quick fixes (server/src/fixes), one file at a time, writing a file only when its text
// changes and then atomically (a temporary file in the same folder, renamed over it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ts } from 'ts-morph';
import { analyzeFile, type AnalysisOptions } from '../engine';
import { fixAllText } from '../fixes/index';
import { DiskSourceFiles } from '../workspace/fileSources';
import { discoverSourceFiles } from '../workspace/discovery';

export interface FixedFile {
  fileName: string;
  applied: string[];
}

/** Replaces `fileName` by `text` so that a reader sees either the old or the new file, never half. */
export function writeFileAtomically(fileName: string, text: string): void {
  const temporary = path.join(path.dirname(fileName), `.${path.basename(fileName)}.symmetry-lint-${process.pid}.tmp`);
  let mode: number | undefined;
  try {
    mode = fs.statSync(fileName).mode;
  } catch {
    mode = undefined;
  }
  try {
    fs.writeFileSync(temporary, text, mode !== undefined ? { mode } : {});
    fs.renameSync(temporary, fileName);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** Fixes every file `inputs` name; returns the files that changed. */
export function applyPreferredFixes(inputs: readonly string[], cwd: string, options: AnalysisOptions = {}): FixedFile[] {
  const fixed: FixedFile[] = [];
  for (const fileName of discoverSourceFiles(inputs, cwd)) {
    const text = fs.readFileSync(fileName, 'utf8');
    // Fresh per file: an earlier fix may have changed a helper this file imports.
    const disk = new DiskSourceFiles();
    const overrides = new Map<string, ts.SourceFile>();
    const provider = {
      getSourceFile: (name: string) => overrides.get(path.resolve(name)) ?? disk.getSourceFile(name),
    };
    const result = fixAllText(
      fileName,
      text,
      (sourceFile, analysisOptions) => {
        overrides.set(path.resolve(fileName), sourceFile);
        return analyzeFile(sourceFile, provider, analysisOptions);
      },
      options,
    );
    if (result.text !== text) {
      writeFileAtomically(fileName, result.text);
      fixed.push({ fileName, applied: result.applied });
    }
  }
  return fixed;
}
