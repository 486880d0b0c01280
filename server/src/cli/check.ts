// `symmetry-lint check`: finds the files, parses each once through a shared disk cache,
// runs the engine on each and renders the chosen format. No tfjs here: static analysis only.
import { parseCommandLineDeclaration } from '../analysis/declarations';
import { analyzeFile } from '../engine';
import { DiskSourceFiles } from '../workspace/fileSources';
import { discoverSourceFiles } from '../workspace/discovery';
import { formatSarif, type RuleCatalogEntry } from './formatSarif';
import { formatText } from './formatText';
import { allFindings, buildFileReport, displayPath, toJsonReport, type FileReport } from './report';

export type OutputFormat = 'text' | 'json' | 'sarif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];

/** A mistake in the command line or in what it names (exit code 2). */
export class UsageError extends Error {}

export interface CheckOptions {
  inputs: string[];
  /** Raw `--symmetry` values. */
  symmetry: string[];
  format: OutputFormat;
  cwd: string;
  tool: { name: string; version: string; informationUri: string };
  /** Rule metadata for SARIF's rule table. */
  catalog: readonly RuleCatalogEntry[];
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

export function runCheck(options: CheckOptions): CheckResult {
  validateCommandLineDeclarations(options.symmetry);
  const files = discoverSourceFiles(options.inputs, options.cwd);
  const disk = new DiskSourceFiles();
  const reports: FileReport[] = [];
  for (const fileName of files) {
    // Through the cache, so a file another file's helpers already pulled in is not reparsed.
    const sourceFile = disk.getSourceFile(fileName);
    if (!sourceFile) throw new UsageError(`cannot read ${displayPath(fileName, options.cwd)}`);
    let analysis;
    try {
      analysis = analyzeFile(sourceFile, disk, { commandLineDeclarations: options.symmetry });
    } catch (error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw new Error(`internal error while analysing ${displayPath(fileName, options.cwd)}: ${detail}`);
    }
    reports.push(buildFileReport({ path: displayPath(fileName, options.cwd), sourceFile, analysis }, disk, options.cwd));
  }
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
