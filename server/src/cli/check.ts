// `symmetry-lint check`: finds the files, checks each (server/src/cli/checkFile.ts) on the main
// thread or on worker threads (`--concurrency`), and formats each file's report as soon as it
// is its turn in file order (checkOutput.ts), so no report outlives its file. No tfjs here.
import { parseCommandLineDeclaration } from '../analysis/declarations';
import { discoverSourceFiles } from '../workspace/discovery';
import { checkFileOutcome, FileChecker, UnreadableFileError } from './checkFile';
import { resumeYoungGenerationGrowth, stopYoungGenerationGrowthOnceAt } from '../youngGeneration';
import { CheckWorkerThreads, ThreadedCheckError } from './checkThreads';
import { threadCount, type ConcurrencySetting } from './concurrency';
import { CheckOutput } from './checkOutput';
import type { RuleCatalogEntry } from './formatSarif';
import { UsageError, type OutputFormat } from './usage';

export { OUTPUT_FORMATS, UsageError, type OutputFormat } from './usage';

export interface CheckOptions {
  inputs: string[];
  /** Raw `--symmetry` values. */
  symmetry: string[];
  format: OutputFormat;
  cwd: string;
  tool: { name: string; version: string; informationUri: string };
  /** Rule metadata for SARIF's rule table. */
  catalog: readonly RuleCatalogEntry[];
  /** `--concurrency`; `off` (the default) checks on the main thread. */
  concurrency?: ConcurrencySetting;
  /**
   * Workers main.ts started before the file walk (`earlyCheckWorkers`); the run keeps as many
   * as it needs, starts any missing, and stops them all when it ends.
   */
  workers?: CheckWorkerThreads;
  /** `--infer`: add each model's discovered symmetries (SPEC 8 `inferred`). */
  infer?: boolean;
  /**
   * Bytes the main thread's young generation may grow to while it checks files on its own: set by
   * main.ts, which held it at its initial size while TypeScript loaded. Unset: V8 sizes it.
   */
  youngGenerationCap?: number;
  /**
   * Where the output goes as each file is done (text and JSON; SARIF at the end). Without it
   * the whole output is in the result's `output`; with it, `output` is ''.
   */
  write?: (chunk: string) => void;
}

export interface CheckResult {
  output: string;
  exitCode: 0 | 1;
}

/** Rejects a malformed `--symmetry` up front: it is a usage error, not a finding in a file. */
function validateCommandLineDeclarations(values: readonly string[]): void {
  for (const value of values) {
    const parsed = parseCommandLineDeclaration(value);
    if ('problem' in parsed) {
      const { expected, found, suggestion } = parsed.problem;
      throw new UsageError(
        `invalid --symmetry "${value}": expected ${expected}${found ? `, found "${found}"` : ''}` +
          (suggestion ? `; did you mean "${suggestion}"?` : ''),
      );
    }
  }
}

/** Checks on the main thread (`--concurrency off`, or a count that comes to one thread). */
export function runCheck(options: CheckOptions): CheckResult {
  validateCommandLineDeclarations(options.symmetry);
  return checkOnMainThread(discoverSourceFiles(options.inputs, options.cwd), options);
}

function checkOnMainThread(files: readonly string[], options: CheckOptions): CheckResult {
  const checker = new FileChecker({ cwd: options.cwd, symmetry: options.symmetry, infer: options.infer, files });
  const output = new CheckOutput(options, options.write);
  // main.ts held the young generation at its initial size while TypeScript loaded; it may now
  // grow to the cap, checked after each file (youngGeneration.ts).
  if (options.youngGenerationCap) resumeYoungGenerationGrowth();
  for (const fileName of files) {
    try {
      output.add(checker.check(fileName));
      if (options.youngGenerationCap) stopYoungGenerationGrowthOnceAt(options.youngGenerationCap);
    } catch (error) {
      if (error instanceof UnreadableFileError) throw new UsageError(error.message);
      throw error;
    }
  }
  return output.finish();
}

/** Checks with `--concurrency`: the same output as runCheck, whatever the thread count. */
export async function runCheckConcurrently(options: CheckOptions): Promise<CheckResult> {
  let workers = options.workers;
  try {
    validateCommandLineDeclarations(options.symmetry);
    const files = discoverSourceFiles(options.inputs, options.cwd);
    const threads = threadCount(options.concurrency ?? 'off', files.length);
    if (threads === 0) {
      workers?.dispose();
      return checkOnMainThread(files, options);
    }
    // This thread is one of the `threads` checkers (checkThreads.ts).
    if (workers && workers.count >= threads - 1) workers.keep(threads - 1);
    else {
      workers?.dispose();
      workers = new CheckWorkerThreads(threads - 1);
    }
    const settings = { cwd: options.cwd, symmetry: options.symmetry, infer: options.infer, files };
    const checker = new FileChecker(settings);
    const output = new CheckOutput(options, options.write);
    try {
      await workers.run(files, settings, (fileName) => checkFileOutcome(checker, fileName), (report) => output.add(report));
    } catch (error) {
      if (error instanceof ThreadedCheckError && error.kind === 'unreadable') throw new UsageError(error.message);
      throw error;
    }
    return output.finish();
  } finally {
    workers?.dispose();
  }
}
