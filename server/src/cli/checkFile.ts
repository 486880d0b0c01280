// One file of `symmetry-lint check`, from its path to its report: the same code runs on the
// main thread (`--concurrency off`) and in each worker thread, so the output cannot depend on
// which thread checked the file. A file that cannot be parsed or analysed (nesting deep enough
// to overflow the parser's stack) becomes one analysis-gap finding, never the end of the run.
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { analyzeFile, unanalysableFileFinding, type FileAnalysis } from '../engine';
import type { SourceProvider } from '../analysis/sourceProvider';
import { DiskSourceFiles } from '../workspace/fileSources';
import { TrainingScriptIndex } from '../workspace/trainingScripts';
import { buildFileReport, displayPath, type FileReport } from './report';
import type { FileCheckOutcome } from './checkThreads';

/**
 * Parsed files kept per thread, of those other files import (a checked file itself is not kept:
 * DiskSourceFiles.checkedFile). Enough for the helpers a folder of models shares; small enough
 * that checking 2,000 files does not hold 2,000 syntax trees.
 */
export const PARSED_FILES_KEPT = 64;

export interface FileCheckSettings {
  cwd: string;
  /** Raw `--symmetry` values, already validated. */
  symmetry: string[];
  /** `--infer`: each model's discovered symmetries in the report. */
  infer?: boolean;
  /**
   * Every file of the run: the training scripts among them tell a helper file which of its ops
   * augment a model's training (SPEC 7: the finding sits in the helper's file).
   */
  files?: readonly string[];
}

/** A file that is not there or not readable: a usage error of the whole run. */
export class UnreadableFileError extends Error {}

export class FileChecker {
  private readonly disk = new DiskSourceFiles(PARSED_FILES_KEPT);
  private project: TrainingScriptIndex | undefined;

  constructor(private readonly settings: FileCheckSettings) {}

  check(fileName: string): FileReport {
    const { cwd, symmetry } = this.settings;
    const reportPath = displayPath(fileName, cwd);
    let sourceFile: ts.SourceFile | undefined;
    let analysis: FileAnalysis;
    // The checked file's own tree is the one every lookup of it gets during its check.
    let provider: SourceProvider = this.disk;
    try {
      // Through the cache, so a file another file's helpers already pulled in is not reparsed.
      const checked = this.disk.checkedFile(fileName);
      if (!checked) throw new UnreadableFileError(`cannot read ${reportPath}`);
      sourceFile = checked;
      provider = withFile(this.disk, checked);
      this.project ??= new TrainingScriptIndex(this.settings.files ?? [fileName]);
      analysis = analyzeFile(sourceFile, provider, { commandLineDeclarations: symmetry, project: this.project });
    } catch (error) {
      if (error instanceof UnreadableFileError) throw error;
      return unanalysableFileReport(fileName, error, provider, cwd);
    }
    return buildFileReport({ path: reportPath, sourceFile, analysis }, provider, cwd, { infer: this.settings.infer });
  }
}

/** `provider`, except that `sourceFile`'s own name gives `sourceFile`. */
export function withFile(provider: SourceProvider, sourceFile: ts.SourceFile): SourceProvider {
  const own = path.resolve(sourceFile.fileName);
  return { getSourceFile: (fileName) => (path.resolve(fileName) === own ? sourceFile : provider.getSourceFile(fileName)) };
}

/**
 * One file of a threaded run, on any thread: an error becomes the file's outcome, so the run
 * fails on the first file without a report in file order, as on the main thread alone.
 */
export function checkFileOutcome(checker: FileChecker, fileName: string): FileCheckOutcome {
  try {
    return { report: checker.check(fileName) };
  } catch (error) {
    if (error instanceof UnreadableFileError) return { unreadable: error.message };
    return { internalError: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

/** The report of a file that could not be parsed or analysed: its one analysis-gap finding. */
export function unanalysableFileReport(fileName: string, error: unknown, provider: SourceProvider, cwd: string): FileReport {
  // Positions of the finding are those of an empty text: line 1, column 1.
  const sourceFile = ts.createSourceFile(fileName, '', ts.ScriptTarget.Latest);
  const finding = unanalysableFileFinding(fileName, error);
  const findings = finding ? [{ ...finding, line: 0, character: 0, endLine: 0, endCharacter: 0 }] : [];
  return buildFileReport({ path: displayPath(fileName, cwd), sourceFile, analysis: { fileName, models: [], findings } }, provider, cwd);
}
