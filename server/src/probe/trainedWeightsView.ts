// The "trained weights" view (issue 9): the saved-model probe's measurement next to the static
// verdict of the source model, one sentence per declaration, so a user sees how much of a
// symmetry training taught, or that a model exact by architecture is not so once trained.
import { layerSpanInFile, type SourceSpan } from '../analysis/graph';
import { discoveredSymmetriesOf, type ModelAnalysis } from '../engine';
import type { ProbeVerdict } from '../protocol';

/** Below this relative error a measurement counts as exact (float32 rounding). */
const EXACT_MEASUREMENT = 1e-4;

const APPROXIMATE_WORDS: Partial<Record<string, string>> = { 'zero-padding': 'zero padding', cropping: 'cropping', resampling: 'resampling' };

/** Two significant digits, without trailing zeros: 0.03, 2.5e-7. */
function shortNumber(value: number): string {
  return String(Number(value.toPrecision(2)));
}

/** What the static analysis says of (mode, group) on the source model, in words. */
function staticWords(model: ModelAnalysis, verdict: ProbeVerdict, lineOf: (span: SourceSpan) => number): { words: string; exact: boolean } {
  const found = discoveredSymmetriesOf(model).find((candidate) => candidate.mode === verdict.mode && candidate.group === verdict.group);
  if (!found) return { words: 'static: not analysed', exact: false };
  const cause = found.causes[0];
  switch (found.state) {
    case 'exact':
      return { words: 'static: exact', exact: true };
    case 'approx':
      return { words: `static: approximate (${[...new Set(found.causes.map((c) => APPROXIMATE_WORDS[c.code] ?? c.at.kind))].join(', ')})`, exact: false };
    case 'broken':
    case 'subgroup': {
      const layer = cause && cause.at.layer >= 0 ? model.graph.layers[cause.at.layer] : undefined;
      if (!layer) return { words: `static: ${found.state}`, exact: false };
      const span = layerSpanInFile(layer, model.graph.nameSpan.file) ?? layer.span;
      return { words: `static: ${found.state === 'broken' ? 'broken' : 'a subgroup only'} at ${cause.at.kind} line ${lineOf(span)}`, exact: false };
    }
    default:
      return { words: 'static: not known', exact: false };
  }
}

/**
 * One sentence per saved-model verdict: "static: broken at conv2d line 12; trained weights:
 * 0.03 relative error under flip (learned, approximate)". `lineOf` gives 1-based lines.
 */
export function trainedWeightsSentences(model: ModelAnalysis, verdicts: readonly ProbeVerdict[], lineOf: (span: SourceSpan) => number): string[] {
  return verdicts.map((verdict) => {
    const statics = staticWords(model, verdict, lineOf);
    if (verdict.measured === false || typeof verdict.maxRelError !== 'number' || !Number.isFinite(verdict.maxRelError)) {
      return `${statics.words}; trained weights: nothing measured under ${verdict.group}`;
    }
    const learned = model.declarations.some((declaration) => declaration.mode === verdict.mode && declaration.group === verdict.group && declaration.learned);
    const level = verdict.maxRelError < EXACT_MEASUREMENT ? 'exact' : verdict.passed ? 'approximate' : `above tol=${verdict.tol}`;
    const trained = `trained weights: ${shortNumber(verdict.maxRelError)} relative error under ${verdict.group} (${learned ? 'learned, ' : ''}${level})`;
    // The opposite surprise: exact by architecture, not once trained. Something differs at run time.
    const surprise = statics.exact && verdict.maxRelError >= EXACT_MEASUREMENT
      ? '; the architecture is exact, so look at what differs at run time (batch-norm statistics, a layer the static plan could not see)'
      : '';
    return `${statics.words}; ${trained}${surprise}`;
  });
}
