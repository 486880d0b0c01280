// From measurements to verdicts and findings: per declaration the output's error against
// `tol`, the blamed layer (first to exceed tol while its inputs do not), the comparison with
// the static analysis, and `probe-violation` / `probe-disagrees` findings through their rules.
import type { ts } from 'ts-morph';
import { describeState, type DeclarationInference, type FallLevel } from '../analysis/symmetry';
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
  /** The layer at `shownAt` was judged by its interior error (translation through a border). */
  byInterior?: boolean;
  /** The layer at `shownAt` was judged by the shifts its strides do not divide (aliasing at a stride). */
  byUnalignedShift?: boolean;
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
  difference?: string,
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
    agrees: agrees && outcome.outputError !== null && difference === undefined,
    measured: outcome.outputError !== null,
    ...(difference !== undefined && outcome.outputError !== null ? { difference } : {}),
  };
}

/**
 * The error a layer is judged by: where `byInterior` says the static state has border effects
 * there (or upstream) and the probe measured a shift on its output, the larger of its interior
 * error and its error under the shifts its strides do not divide (aliasing, which no interior
 * hides); else the whole map's. An empty interior (every position within the border's reach)
 * judges nothing but those shifts.
 */
export function judgedError(layer: MeasuredModel['layers'][number], d: number, byInterior: boolean): { error: number | null; interior: boolean; unaligned?: boolean } {
  const whole = layer.relError[d];
  if (!byInterior || !layer.interiorRelError || whole === null || layer.measured[d] !== 'equivariance') return { error: whole, interior: false };
  const interior = layer.interiorRelError[d] ?? 0;
  const unaligned = layer.unalignedRelError?.[d] ?? null;
  if (unaligned !== null && unaligned > interior) return { error: unaligned, interior: false, unaligned: true };
  return { error: interior, interior: true };
}

/** Output error and attribution for declaration `d`. */
export function attribute(measured: MeasuredModel, d: number, tol: number, byInterior: (layerIndex: number) => boolean = () => false): DeclarationOutcome {
  const errorOfTensor = new Map<number, number>();
  for (const tensor of measured.inputTensors) errorOfTensor.set(tensor, 0);
  let blamed: number | null = null;
  let firstExceeding: number | null = null;
  const outputSet = new Set(measured.outputs);
  measured.layers.forEach((layer, index) => {
    // The model's output is judged whole: that is the declared symmetry itself.
    const error = outputSet.has(layer.output) ? layer.relError[d] : judgedError(layer, d, byInterior(index)).error;
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
  const judged = shownAt !== null && !outputSet.has(measured.layers[shownAt].output) ? judgedError(measured.layers[shownAt], d, byInterior(shownAt)) : undefined;
  if (shownAt !== null) worstElement = (judged?.unaligned ? measured.layers[shownAt].unalignedWorstElement?.[d] : measured.layers[shownAt].worstElement[d]) ?? worstElement;
  return {
    outputError,
    outputMaxAbs,
    worstElement,
    blamed: failed ? (blamed ?? firstExceeding) : null,
    shownAt,
    ...(judged?.interior ? { byInterior: true } : {}),
    ...(judged?.unaligned ? { byUnalignedShift: true } : {}),
  };
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

/** The fall level behind each static verdict that predicts an error. */
const LEVEL_OF_VERDICT: Partial<Record<StaticVerdict, FallLevel>> = { breaks: 'broken', subgroup: 'subgroup', approximate: 'approx' };
const LEVEL_WORDS: Record<FallLevel, string> = { broken: 'the break', subgroup: 'the restriction to a subgroup', approx: 'border effects' };

/**
 * How the probe's verdict differs from the static one, or undefined when both reach the same
 * verdict at the same layer. A failing probe that blames another layer than the one the static
 * analysis names does not agree with it, even though both say "breaks".
 */
export function differenceOf(
  inference: DeclarationInference | undefined,
  staticVerdict: StaticVerdict,
  predicted: boolean | undefined,
  passed: boolean,
  blamed: { id: number; kind: string; line: number } | undefined,
  layerAt: (id: number) => { kind: string; line: number } | undefined,
): string | undefined {
  if (predicted === true && passed) return `the static analysis predicts an error above tol (${staticVerdict}) that the probe does not measure`;
  if (predicted === false && !passed) return `the static analysis predicts no error above tol, but the probe measures one${blamed ? ` from ${blamed.kind} at line ${blamed.line}` : ''}`;
  if (passed || !blamed || !inference) return undefined;
  const level = LEVEL_OF_VERDICT[staticVerdict];
  if (!level) return undefined;
  const falls = inference.falls.filter((fall) => fall.level === level);
  // Under `breaks`, a restriction to a subgroup before the break (a stride) already fails the
  // full group there: a probe that blames it names a layer the static analysis names too.
  const predicting = inference.falls.filter((fall) => fall.level === level || (level === 'broken' && fall.level === 'subgroup'));
  if (falls.length === 0 || predicting.some((fall) => fall.cause.at.layer === blamed.id)) return undefined;
  const places = falls
    .map((fall) => layerAt(fall.cause.at.layer))
    .filter((layer): layer is { kind: string; line: number } => layer !== undefined)
    .map((layer) => `${layer.kind} at line ${layer.line}`);
  const unique = [...new Set(places)];
  return `the probe blames ${blamed.kind} at line ${blamed.line}, while the static analysis puts ${LEVEL_WORDS[level]} at ${unique.join(', ') || 'another layer'}`;
}

export interface ModelVerdicts {
  verdicts: ProbeVerdict[];
  layers: LayerMeasurement[];
  findings: LocatedFinding[];
}

function formatError(value: number | null): string {
  return value === null ? 'n/a' : value === 0 ? '0' : value.toExponential(2);
}

/**
 * The blamed layer's error and the model output's error are two numbers: the diagnostic names
 * which is which, so it matches the report's output column.
 */
function labelledError(measured: MeasuredModel, shownAt: number, d: number, outputError: number, byInterior: boolean, byUnalignedShift = false): string {
  const layer = measured.layers[shownAt];
  const layerError = layer.relError[d];
  if (byUnalignedShift) return `${formatError(layer.unalignedRelError?.[d] ?? null)} at this layer for shifts off its stride, ${formatError(outputError)} at the output`;
  if (byInterior) return `${formatError(layer.interiorRelError?.[d] ?? null)} on this layer's interior, ${formatError(layerError)} on its whole map and ${formatError(outputError)} at the output`;
  if (measured.outputs.includes(layer.output) || layerError === outputError) return `${formatError(outputError)} at the output`;
  return `${formatError(layerError)} at this layer, ${formatError(outputError)} at the output`;
}

/**
 * Under translation, the layers at or after one whose static state is approx (a border: zero
 * padding, a `valid` crop): there a circular shift is not the model's action near the border,
 * so they are judged by their interior error (interiorError.ts).
 */
function bordersFrom(model: ModelAnalysis, measured: MeasuredModel, d: number): (layerIndex: number) => boolean {
  const inference = model.inferences[d];
  if (!inference || inference.declaration.group !== 'translation') return () => false;
  const bordered = new Set<number>();
  const borderedTensor = new Set<number>();
  measured.layers.forEach((layer, index) => {
    const state = inference.layerStates[layer.id];
    const approx = state !== undefined && 'fidelity' in state && state.fidelity.level === 'approx';
    if (approx || layer.inputs.some((tensor) => borderedTensor.has(tensor))) {
      bordered.add(index);
      borderedTensor.add(layer.output);
    }
  });
  return (index) => bordered.has(index);
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
    const outcome = attribute(measured, d, declaration.tol, bordersFrom(model, measured, d));
    const passed = holds(outcome, declaration.tol);
    const predicted = staticPredictsBreak(staticVerdict, declaration);
    const agrees = outcome.outputError !== null && (predicted === undefined || predicted === !passed);
    const blamedLayer = outcome.blamed !== null ? graph.layers[measured.layers[outcome.blamed].id] : undefined;
    const groupMode = `${declaration.mode} ${declaration.group}`;
    const staticFindings = model.findings.filter((f) => f.group === declaration.group && f.mode === declaration.mode && f.ruleId !== 'probe-violation' && f.ruleId !== 'probe-disagrees');
    if (!passed && outcome.outputError !== null && blamedLayer) {
      const span = layerSpanInModel(graph, blamedLayer);
      const data = {
        error: labelledError(measured, outcome.shownAt ?? outcome.blamed!, d, outcome.outputError, outcome.byInterior === true, outcome.byUnalignedShift === true),
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
      // Random weights cannot judge a learned symmetry (SPEC 2): only trained weights can.
      if (finding && declaration.learned && finding.ruleId === 'probe-violation') finding = { ...finding, severity: 'info', message: `${finding.message.replace(/[.\s]+$/, '')}; declared learned, so only the trained model.json can judge it.` };
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
    const blamedLine = blamedLayer ? lineOf(layerSpanInModel(graph, blamedLayer).start) : null;
    const layerAt = (id: number) => {
      const layer = graph.layers[id];
      return layer ? { kind: layer.kind, line: lineOf(layerSpanInModel(graph, layer).start) } : undefined;
    };
    const difference = differenceOf(inference, staticVerdict, predicted, passed, blamedLayer && blamedLine !== null ? { id: blamedLayer.id, kind: blamedLayer.kind, line: blamedLine } : undefined, layerAt);
    return verdictOf(declaration, outcome, blamedLine, staticVerdict, agrees, difference);
  });
  const layers: LayerMeasurement[] = measured.layers.map((layer) => ({
    kind: layer.kind,
    line: layer.line,
    relError: layer.relError,
    maxAbsError: layer.maxAbsError,
    measured: layer.measured,
    ...(layer.interiorRelError ? { interiorRelError: layer.interiorRelError } : {}),
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
