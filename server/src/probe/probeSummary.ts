// The one-line summary of a probe run, shared by the editor's notification and the CLI's text
// output. It counts measured, skipped and failed models apart and says "holds" only of
// declarations that were measured and stayed within their tolerance: a model that was not
// measured confirms nothing, so it must never read as good news.
import type { ModelProbeReport } from '../protocol';

export interface ProbeCounts {
  /** Models the probe built and measured (status `ok`). */
  measured: number;
  /** Models the probe did not try: a limit, a layer it cannot build, no declaration. */
  skipped: number;
  /** Models whose probe threw: the user's code, a timeout, a worker crash. */
  failed: number;
  /** Declarations of measured models within tol at the output. */
  holding: number;
  /** Declarations of measured models beyond tol. */
  broken: number;
  /** Declarations of measured models with no known action at the output: no verdict. */
  unmeasured: number;
  /** The first failure and its cause, so the user sees it without opening the report. */
  firstFailure?: { model: string; message: string };
}

export function noProbeOutcomes(): ProbeCounts {
  return { measured: 0, skipped: 0, failed: 0, holding: 0, broken: 0, unmeasured: 0 };
}

/** Adds one model's outcome to `counts`: a run that streams its files keeps only the counts. */
export function countProbeOutcome(counts: ProbeCounts, model: ModelProbeReport): void {
  if (model.status === 'skipped') {
    counts.skipped++;
    return;
  }
  if (model.status === 'error') {
    counts.failed++;
    if (counts.firstFailure === undefined && model.message) counts.firstFailure = { model: model.name, message: model.message };
    return;
  }
  counts.measured++;
  for (const verdict of model.verdicts) {
    if (!verdict.measured) counts.unmeasured++;
    else if (verdict.passed) counts.holding++;
    else counts.broken++;
  }
}

export function countProbeOutcomes(models: readonly ModelProbeReport[]): ProbeCounts {
  const counts = noProbeOutcomes();
  for (const model of models) countProbeOutcome(counts, model);
  return counts;
}

function plural(count: number, singular: string, pluralWord: string): string {
  return `${count} ${count === 1 ? singular : pluralWord}`;
}

/**
 * Sentences, each ending in a period, the first in lower case as it follows a label
 * ("Probe: ", "Symmetry probe: "): "1 model measured, every declared symmetry holds. 1 model
 * skipped and 1 failed. The probe of buildA failed: cannot find module './train'."
 */
export function summarizeProbe(models: readonly ModelProbeReport[]): string {
  return summarizeProbeCounts(countProbeOutcomes(models));
}

/** summarizeProbe from the counts alone. */
export function summarizeProbeCounts(counts: ProbeCounts): string {
  if (counts.measured + counts.skipped + counts.failed === 0) return 'no declared model found.';
  const sentences: string[] = [];
  if (counts.measured === 0) {
    sentences.push('no model measured.');
  } else {
    let verdicts: string;
    if (counts.broken === 0 && counts.unmeasured === 0 && counts.holding > 0) {
      verdicts = counts.holding === 1 ? 'the declared symmetry holds' : 'every declared symmetry holds';
    } else {
      const pieces: string[] = [];
      if (counts.broken > 0) pieces.push(`${plural(counts.broken, 'declared symmetry', 'declared symmetries')} broken`);
      if (counts.holding > 0) pieces.push(`${counts.holding} ${counts.holding === 1 ? 'holds' : 'hold'}`);
      if (counts.unmeasured > 0) pieces.push(`${counts.unmeasured} not measurable at the output`);
      verdicts = pieces.join(', ');
    }
    sentences.push(`${plural(counts.measured, 'model', 'models')} measured${verdicts ? `, ${verdicts}` : ''}.`);
  }
  if (counts.skipped > 0 && counts.failed > 0) sentences.push(`${plural(counts.skipped, 'model', 'models')} skipped and ${counts.failed} failed.`);
  else if (counts.skipped > 0) sentences.push(`${plural(counts.skipped, 'model', 'models')} skipped.`);
  else if (counts.failed > 0) sentences.push(`${plural(counts.failed, 'model', 'models')} failed.`);
  if (counts.firstFailure) sentences.push(`The probe of ${counts.firstFailure.model} failed: ${counts.firstFailure.message.trim().replace(/\.$/, '')}.`);
  return sentences.join(' ');
}
