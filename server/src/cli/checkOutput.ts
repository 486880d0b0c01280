// Builds `check`'s output one file at a time, in file order, so that a file's report (and the
// analysis behind it) can be let go as soon as it is formatted: the run keeps only what the
// chosen format still needs at the end (text: the summary counts; json: nothing; sarif: the
// results and the rule table). Text and JSON are written out as each file comes in when a
// writer is given; SARIF is one object and is written at the end.
import { formatSarifFile, sarifLog, type RuleCatalogEntry, type SarifRuleTable } from './formatSarif';
import { TextFormatter } from './formatText';
import { allFindings, type FileReport } from './report';
import type { OutputFormat } from './usage';
import type * as Sarif from 'sarif';

export interface CheckOutputSettings {
  format: OutputFormat;
  cwd: string;
  tool: { name: string; version: string; informationUri: string };
  catalog: readonly RuleCatalogEntry[];
}

const FILES_OPENING = '{\n  "files": [\n';
const FILES_CLOSING = '\n  ]\n}';

/**
 * One file's entry as `JSON.stringify({ files: [...] }, null, 2)` writes it, its indent
 * included: stringified in that place, then cut out, so no second pass re-indents its lines.
 */
function fileEntryJson(file: unknown): string {
  const wrapped = JSON.stringify({ files: [file] }, null, 2);
  return wrapped.slice(FILES_OPENING.length, wrapped.length - FILES_CLOSING.length);
}

export class CheckOutput {
  private readonly chunks: string[] = [];
  private files = 0;
  private hasError = false;
  private readonly text = new TextFormatter();
  private readonly sarifRules: SarifRuleTable;
  private readonly sarifResults: Sarif.Result[] = [];

  /** `write`: where text and JSON go as each file comes in; without it, finish() returns it all. */
  constructor(
    private readonly settings: CheckOutputSettings,
    private readonly write?: (chunk: string) => void,
  ) {
    this.sarifRules = { rules: [...settings.catalog], index: new Map(settings.catalog.map((rule, i) => [rule.id, i])) };
  }

  /** Adds the next file in order; the caller may drop `report` once this returns. */
  add(report: FileReport): void {
    if (allFindings(report).some((finding) => finding.json.severity === 'error')) this.hasError = true;
    const first = this.files === 0;
    this.files++;
    switch (this.settings.format) {
      case 'text': {
        const lines = this.text.addFile(report);
        if (lines.length > 0) this.emit(lines.join('\n') + '\n');
        break;
      }
      case 'json': {
        const file = { path: report.path, models: report.models.map((model) => model.json), findings: report.fileFindings.map((finding) => finding.json) };
        this.emit(`${first ? FILES_OPENING : ',\n'}${fileEntryJson(file)}`);
        break;
      }
      case 'sarif':
        this.sarifResults.push(...formatSarifFile(report, this.sarifRules));
        break;
    }
  }

  /** The rest of the output; `output` is all of it when no writer was given, else ''. */
  finish(): { output: string; exitCode: 0 | 1 } {
    switch (this.settings.format) {
      case 'text':
        this.emit(this.text.summary() + '\n');
        break;
      case 'json':
        this.emit(this.files === 0 ? '{\n  "files": []\n}\n' : '\n  ]\n}\n');
        break;
      case 'sarif':
        this.emit(JSON.stringify(sarifLog(this.sarifRules, this.sarifResults, this.settings.tool, this.settings.cwd), null, 2) + '\n');
        break;
    }
    return { output: this.chunks.join(''), exitCode: this.hasError ? 1 : 0 };
  }

  private emit(chunk: string): void {
    if (this.write) this.write(chunk);
    else this.chunks.push(chunk);
  }
}
