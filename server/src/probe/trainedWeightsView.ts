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
 * What may differ at run time between the architecture and the trained model, named where the
 * code shows it: batch-norm layers (their statistics are learned), custom layers (their call()
 * may do what the static reading missed), and layers of the saved model the static graph lacks.
 */
function runTimeSuspects(model: ModelAnalysis, lineOf: (span: SourceSpan) => number, savedLayers: readonly string[] | undefined): string {
  const at = (layer: ModelAnalysis['graph']['layers'][number]) => `${layer.kind} line ${lineOf(layerSpanInFile(layer, model.graph.nameSpan.file) ?? layer.span)}`;
  const statistics = model.graph.layers.filter((layer) => layer.kind === 'batchNormalization').map(at);
  const custom = model.graph.layers.filter((layer) => layer.body !== undefined).map(at);
  const staticKinds = new Set(model.graph.layers.map((layer) => layer.kind.toLowerCase()));
  const unseen = [...new Set((savedLayers ?? []).filter((kind) => !staticKinds.has(kind.toLowerCase())))];
  const parts = [
    statistics.length > 0 ? `batch-norm statistics (${statistics.join(', ')})` : 'batch-norm statistics',
    custom.length > 0 ? `custom layers whose call() may differ (${custom.join(', ')})` : '',
    unseen.length > 0 ? `layers of the saved model the static plan could not see (${unseen.join(', ')})` : 'a layer the static plan could not see',
  ].filter(Boolean);
  return parts.join(', ');
}

/**
 * One sentence per saved-model verdict: "static: broken at conv2d line 12; trained weights:
 * 0.03 relative error under flip (learned, approximate)". `lineOf` gives 1-based lines;
 * `savedLayers` are the saved model's layer kinds, when known.
 */
export function trainedWeightsSentences(model: ModelAnalysis, verdicts: readonly ProbeVerdict[], lineOf: (span: SourceSpan) => number, savedLayers?: readonly string[]): string[] {
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
      ? `; the architecture is exact at initialisation but the trained model is not, so look at what differs at run time: ${runTimeSuspects(model, lineOf, savedLayers)}`
      : '';
    return `${statics.words}; ${trained}${surprise}`;
  });
}
