// The `--format text` output, in the manner of eslint's "stylish": each file's path, one row
// per finding (`line:col  severity  message  rule-id`), then a summary line.
import type { Severity } from '../rules/rule';
import { allFindings, type FileReport } from './report';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Formats files one at a time (so a run need not keep them) and counts for the summary line. */
export class TextFormatter {
  private readonly counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  private files = 0;

  /** The file's lines, each without its newline; none for a file with nothing to say. */
  addFile(file: FileReport): string[] {
    this.files++;
    const lines: string[] = [];
    const findings = allFindings(file);
    // `--infer`: one line per model, under the file, after its findings.
    const inferredLines = file.models.flatMap((model) => (model.inferredLine !== undefined ? [model.inferredLine] : []));
    if (findings.length === 0) {
      if (inferredLines.length > 0) lines.push(file.path, ...inferredLines.map((line) => `  ${line}`), '');
      return lines;
    }
    const rows = findings.map(({ json }) => {
      this.counts[json.severity]++;
      return [`${json.line}:${json.column}`, json.severity, json.message.replace(/\s*\n\s*/g, ' '), json.ruleId];
    });
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
    lines.push(file.path);
    for (const row of rows) {
      lines.push(`  ${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2].padEnd(widths[2])}  ${row[3]}`);
    }
    for (const line of inferredLines) lines.push(`  ${line}`);
    lines.push('');
    return lines;
  }

  /** The summary line, without its newline. */
  summary(): string {
    const { counts, files } = this;
    const total = counts.error + counts.warning + counts.info;
    if (total === 0) return `No problems found in ${plural(files, 'file')}.`;
    return `${counts.error > 0 ? '\u2716' : '\u26a0'} ${plural(total, 'problem')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'info')}) in ${plural(files, 'file')} checked`;
  }
}

export function formatText(files: readonly FileReport[]): string {
  const formatter = new TextFormatter();
  const lines = files.flatMap((file) => formatter.addFile(file));
  lines.push(formatter.summary());
  return lines.join('\n') + '\n';
}
