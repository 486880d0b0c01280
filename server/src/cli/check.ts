// `symmetry-lint check`: finds the files, checks each (server/src/cli/checkFile.ts) on the main
// thread or on worker threads (`--concurrency`), and renders the chosen format from the files'
// reports, which hold only what the output needs (no syntax trees). No tfjs here.
import { parseCommandLineDeclaration } from '../analysis/declarations';
import { discoverSourceFiles } from '../workspace/discovery';
import { FileChecker, UnreadableFileError } from './checkFile';
import { checkFilesInThreads, ThreadedCheckError } from './checkThreads';
import { threadCount, type ConcurrencySetting } from './concurrency';
import { formatSarif, type RuleCatalogEntry } from './formatSarif';
import { formatText } from './formatText';
import { allFindings, toJsonReport, type FileReport } from './report';
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
  /** `--infer`: add each model's discovered symmetries (SPEC 8 `inferred`). */
  infer?: boolean;
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
  const checker = new FileChecker({ cwd: options.cwd, symmetry: options.symmetry, infer: options.infer });
  const reports: FileReport[] = [];
  for (const fileName of files) {
    try {
      reports.push(checker.check(fileName));
    } catch (error) {
      if (error instanceof UnreadableFileError) throw new UsageError(error.message);
      throw error;
    }
  }
  return renderCheck(reports, options);
}

/** Checks with `--concurrency`: the same output as runCheck, whatever the thread count. */
export async function runCheckConcurrently(options: CheckOptions): Promise<CheckResult> {
  validateCommandLineDeclarations(options.symmetry);
  const files = discoverSourceFiles(options.inputs, options.cwd);
  const threads = threadCount(options.concurrency ?? 'off', files.length);
  if (threads === 0) return checkOnMainThread(files, options);
  const reports: FileReport[] = new Array(files.length);
  try {
    await checkFilesInThreads(files, threads, { cwd: options.cwd, symmetry: options.symmetry, infer: options.infer }, (report, index) => {
      reports[index] = report;
    });
  } catch (error) {
    if (error instanceof ThreadedCheckError && error.kind === 'unreadable') throw new UsageError(error.message);
    throw error;
  }
  return renderCheck(reports, options);
}

function renderCheck(reports: readonly FileReport[], options: CheckOptions): CheckResult {
  const hasError = reports.some((report) => allFindings(report).some((finding) => finding.json.severity === 'error'));
  let output: string;
  switch (options.format) {
    case 'json':
      output = JSON.stringify(toJsonReport(reports), null, 2) + '\n';
      break;
    case 'sarif':
      output = JSON.stringify(formatSarif(reports, options.catalog, options.tool, options.cwd), null, 2) + '\n';
      break;
    case 'text':
      output = formatText(reports);
      break;
  }
  return { output, exitCode: hasError ? 1 : 0 };
}
