// From measurements to verdicts and findings: per declaration the output's error against
// `tol`, the blamed layer (first to exceed tol while its inputs do not), the comparison with
// the static analysis, and `probe-violation` / `probe-disagrees` findings through their rules.
import type { ts } from 'ts-morph';
import { describeState, type DeclarationInference } from '../analysis/symmetry';
import { spanToLspRange, type LocatedFinding, type ModelAnalysis } from '../engine';
import type { LayerMeasurement, ProbeVerdict } from '../protocol';
import type { Finding, SeverityOverride } from '../rules/rule';
import { engineFinding, layerSpanInModel } from '../rules/runner';
import type { MeasuredModel } from './measurement';
import type { PlanDeclaration } from './plan';

export type StaticVerdict = ProbeVerdict['staticVerdict'];

/** What the static analysis concluded for one declaration. */
export function staticVerdictOf(inference: DeclarationInference | undefined): StaticVerdict {
  if (!inference || inference.mismatch) return 'unknown';
  const levels = new Set(inference.falls.map((fall) => fall.level));
  if (levels.has('broken')) return 'breaks';
  if (levels.has('subgroup')) return 'subgroup';
  if (levels.has('approx')) return 'approximate';
  return inference.gaps.length > 0 ? 'unknown' : 'holds';
}

/** Whether a static verdict predicts an error above `tol`: true, false, or either (undefined). */
export function staticPredictsBreak(verdict: StaticVerdict, declaration: Pick<PlanDeclaration, 'approximate'>): boolean | undefined {
  switch (verdict) {
    case 'breaks':
    case 'subgroup':
      return true;
    case 'approximate':
      // Border effects exceed an exact tol; an approximate declaration may or may not absorb them.
      return declaration.approximate ? undefined : true;
    case 'holds':
      return false;
    case 'unknown':
      return undefined;
  }
}

export interface DeclarationOutcome {
  outputError: number | null;
  outputMaxAbs: number | null;
  worstElement: string;
  /** Index into `measured.layers` of the blamed layer, when the output exceeds tol. */
  blamed: number | null;
  /** Index of the measured layer where the error first shows (the blamed one, or a later one when the blamed layer's output has no known action). */
  shownAt: number | null;
}

/** Whether the measured output error is within the declaration's tolerance. */
export function holds(outcome: DeclarationOutcome, tol: number): boolean {
  return outcome.outputError !== null && outcome.outputError <= tol;
}

/** The verdict record of one declaration (SPEC section 8's fields and what the report shows). */
export function verdictOf(
  declaration: { mode: ProbeVerdict['mode']; group: string; tol: number },
  outcome: DeclarationOutcome,
  breakingLayerLine: number | null,
  staticVerdict: StaticVerdict,
  agrees: boolean,
): ProbeVerdict {
  return {
    mode: declaration.mode,
    group: declaration.group,
    tol: declaration.tol,
    maxRelError: outcome.outputError ?? Number.NaN,
    maxAbsError: outcome.outputMaxAbs ?? Number.NaN,
    worstElement: outcome.worstElement,
    breakingLayerLine,
    passed: holds(outcome, declaration.tol),
    staticVerdict,
    // A probe that measured nothing at the output confirms nothing: it cannot agree.
    agrees: agrees && outcome.outputError !== null,
    measured: outcome.outputError !== null,
  };
}

/** Output error and attribution for declaration `d`. */
export function attribute(measured: MeasuredModel, d: number, tol: number): DeclarationOutcome {
  const errorOfTensor = new Map<number, number>();
  for (const tensor of measured.inputTensors) errorOfTensor.set(tensor, 0);
  let blamed: number | null = null;
  let firstExceeding: number | null = null;
  measured.layers.forEach((layer, index) => {
    const error = layer.relError[d];
    errorOfTensor.set(layer.output, error ?? 0);
    if (error === null || !(error > tol)) return;
    firstExceeding ??= index;
    if (blamed === null && layer.inputs.every((tensor) => (errorOfTensor.get(tensor) ?? 0) <= tol)) blamed = index;
  });
  const outputs = measured.layers.filter((layer) => measured.outputs.includes(layer.output));
  let outputError: number | null = null;
  let outputMaxAbs: number | null = null;
  let worstElement = '';
  for (const layer of outputs) {
    const error = layer.relError[d];
    if (error === null) continue;
    if (outputError === null || error > outputError) {
      outputError = error;
      worstElement = layer.worstElement[d] ?? '';
    }
    outputMaxAbs = Math.max(outputMaxAbs ?? 0, layer.maxAbsError[d] ?? 0);
  }
  const failed = outputError !== null && outputError > tol;
  const shownAt: number | null = failed ? (blamed ?? firstExceeding) : null;
  if (blamed !== null) blamed = nearestUnmeasuredMixer(measured, blamed, d);
  if (shownAt !== null) worstElement = measured.layers[shownAt].worstElement[d] ?? worstElement;
  return { outputError, outputMaxAbs, worstElement, blamed: failed ? (blamed ?? firstExceeding) : null, shownAt };
}

/** Layers that act on each position (or element) alone: they cannot create a break themselves. */
const POSITIONWISE = /^(activation|reLU|leakyReLU|elu|softmax|thresholdedReLU|batchNormalization|layerNormalization|dropout|spatialDropout\d?d?|gaussianNoise|gaussianDropout|alphaDropout|dense|timeDistributed)$/;

/**
 * When the error first shows after layers the probe could not measure (no known action on
 * their outputs, such as P4 feature maps with orientation channels or a set axis a window
 * shortened), the break happened in one of them: blame the nearest one that mixes positions.
 */
function nearestUnmeasuredMixer(measured: MeasuredModel, blamed: number, d: number): number {
  const producer = new Map(measured.layers.map((layer, index) => [layer.output, index]));
  let candidate: number | undefined;
  let current = measured.layers[blamed];
  for (;;) {
    const unmeasured = current.inputs.map((tensor) => producer.get(tensor)).find((index) => index !== undefined && measured.layers[index].relError[d] === null);
    if (unmeasured === undefined) break;
    current = measured.layers[unmeasured];
    if (candidate === undefined && !POSITIONWISE.test(current.kind)) candidate = unmeasured;
  }
  return candidate ?? blamed;
}

export interface ModelVerdicts {
  verdicts: ProbeVerdict[];
  layers: LayerMeasurement[];
  findings: LocatedFinding[];
}

function formatError(value: number | null): string {
  return value === null ? 'n/a' : value === 0 ? '0' : value.toExponential(2);
}

/** Verdicts, per-layer chart data and findings of one measured model from source. */
export function judgeModel(
  model: ModelAnalysis,
  measured: MeasuredModel,
  sourceFile: ts.SourceFile,
  severities?: Record<string, SeverityOverride>,
): ModelVerdicts {
  const graph = model.graph;
  const lineOf = (start: number) => spanToLspRange(sourceFile, { start, end: start }).start.line + 1;
  const findings: Finding[] = [];
  const verdicts: ProbeVerdict[] = model.declarations.map((declaration, d) => {
    const inference = model.inferences[d];
    const staticVerdict = staticVerdictOf(inference);
    const outcome = attribute(measured, d, declaration.tol);
    const passed = holds(outcome, declaration.tol);
    const predicted = staticPredictsBreak(staticVerdict, declaration);
    const agrees = outcome.outputError !== null && (predicted === undefined || predicted === !passed);
    const blamedLayer = outcome.blamed !== null ? graph.layers[measured.layers[outcome.blamed].id] : undefined;
    const groupMode = `${declaration.mode} ${declaration.group}`;
    const staticFindings = model.findings.filter((f) => f.group === declaration.group && f.mode === declaration.mode && f.ruleId !== 'probe-violation' && f.ruleId !== 'probe-disagrees');
    if (!passed && outcome.outputError !== null && blamedLayer) {
      const span = layerSpanInModel(graph, blamedLayer);
      const data = {
        error: formatError(measured.layers[outcome.shownAt ?? outcome.blamed!].relError[d]),
        maxAbs: formatError(measured.layers[outcome.shownAt ?? outcome.blamed!].maxAbsError[d]),
        tol: String(declaration.tol),
        groupMode,
        layer: blamedLayer.kind,
        line: String(lineOf(span.start)),
        element: outcome.worstElement || 'n/a',
      };
      let finding: Finding | undefined;
      if (predicted === false) {
        finding = engineFinding('probe-disagrees', { messageId: 'probeBreakStaticHolds', data, span, group: declaration.group, mode: declaration.mode, layer: blamedLayer.id }, severities, graph.name);
      } else {
        const predictor = staticFindings.find((f) => f.layer === blamedLayer.id) ?? staticFindings[0];
        finding = predictor
          ? engineFinding('probe-violation', { messageId: 'violationPredicted', data: { ...data, predictedBy: `${predictor.ruleId}${predictor.line + 1 === lineOf(span.start) ? '' : ` at line ${predictor.line + 1}`}` }, span, group: declaration.group, mode: declaration.mode, layer: blamedLayer.id }, severities, graph.name)
          : engineFinding('probe-violation', { messageId: 'violation', data, span, group: declaration.group, mode: declaration.mode, layer: blamedLayer.id }, severities, graph.name);
      }
      if (finding) findings.push(finding);
    } else if (passed && predicted === true) {
      const predictor = staticFindings[0];
      const layer = predictor?.layer !== undefined ? graph.layers[predictor.layer] : undefined;
      const span = layer ? layerSpanInModel(graph, layer) : graph.nameSpan;
      const finding = engineFinding(
        'probe-disagrees',
        {
          messageId: 'staticBreakProbeHolds',
          data: { ruleId: predictor?.ruleId ?? staticVerdict, layer: layer?.kind ?? graph.name, line: String(lineOf(span.start)), groupMode, tol: String(declaration.tol), error: formatError(outcome.outputError) },
          span,
          group: declaration.group,
          mode: declaration.mode,
          ...(layer ? { layer: layer.id } : {}),
        },
        severities,
        graph.name,
      );
      if (finding) findings.push(finding);
    }
    return verdictOf(declaration, outcome, blamedLayer ? lineOf(layerSpanInModel(graph, blamedLayer).start) : null, staticVerdict, agrees);
  });
  const layers: LayerMeasurement[] = measured.layers.map((layer) => ({
    kind: layer.kind,
    line: layer.line,
    relError: layer.relError,
    maxAbsError: layer.maxAbsError,
    measured: layer.measured,
    staticState: model.inferences.map((inference) => {
      const state = inference.layerStates[layer.id];
      return state ? describeState(state) : 'not analysed';
    }),
  }));
  const located: LocatedFinding[] = findings.map((finding) => {
    const range = spanToLspRange(sourceFile, finding.span);
    return { ...finding, line: range.start.line, character: range.start.character, endLine: range.end.line, endCharacter: range.end.character };
  });
  return { verdicts, layers, findings: located };
}
