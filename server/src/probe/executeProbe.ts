// The main thread's side of the execute mode (the probe that runs the user's own model code):
// what the worker needs to find the holder and map layers back to source lines, and verdicts
// for layers the analysis could not match. Callers decide whether execution is allowed (trust,
// --probe-execute); this module never runs user code itself.
import type { ts } from 'ts-morph';
import { spanToLspRange, type LocatedFinding, type ModelAnalysis } from '../engine';
import type { ModelProbeReport } from '../protocol';
import type { Finding, SeverityOverride } from '../rules/rule';
import { engineFinding } from '../rules/runner';
import { chooseArguments } from './executeArguments';
import type { ExecutePlan } from './executeModel';
import type { MeasuredModel } from './measurement';
import type { ProbePlan } from './plan';
import { attribute, judgeModel } from './verdicts';

/** The execute plan of one analysed model; `plan` is its literal plan (lines, declarations, seed). */
export function buildExecutePlan(model: ModelAnalysis, sourceFile: ts.SourceFile, plan: ProbePlan, limits: { maxParameters: number; timeoutMs: number }): ExecutePlan {
  const chosen = chooseArguments(model, sourceFile, plan);
  const fallbackInputShape = plan.inputs.length === 1 ? plan.inputs[0].shape : undefined;
  return {
    modelName: model.graph.name,
    fileName: sourceFile.fileName,
    sourceText: sourceFile.text,
    line: plan.line,
    sourceLayers: plan.layers.map((layer) => ({ id: layer.id, kind: layer.kind, line: layer.line })),
    declarations: plan.declarations,
    seed: plan.seed,
    maxParameters: limits.maxParameters,
    timeoutMs: limits.timeoutMs,
    ...(Object.keys(chosen.argumentsFor).length > 0 ? { argumentsFor: chosen.argumentsFor, argumentNotes: chosen.notes } : {}),
    ...(chosen.enclosing ? { enclosing: chosen.enclosing } : {}),
    ...(chosen.undeclared ? { undeclared: chosen.undeclared } : {}),
    ...(chosen.holderPath ? { holderPath: chosen.holderPath } : {}),
    ...(fallbackInputShape ? { fallbackInputShape } : {}),
  };
}

function formatError(value: number | null): string {
  return value === null ? 'n/a' : value === 0 ? '0' : value.toExponential(2);
}

/**
 * Verdicts of a model measured by running its code. Layers matched to the source are judged as
 * in a literal probe; a break at a layer the source could not be matched to is reported on the
 * holder (its line is the holder's).
 */
export function judgeExecutedModel(
  model: ModelAnalysis,
  measured: MeasuredModel,
  sourceFile: ts.SourceFile,
  severities?: Record<string, SeverityOverride>,
): Pick<ModelProbeReport, 'verdicts' | 'layers'> & { findings: LocatedFinding[] } {
  const judged = judgeModel(model, measured, sourceFile, severities);
  const graph = model.graph;
  const extra: Finding[] = [];
  judged.verdicts.forEach((verdict, d) => {
    if (verdict.passed || verdict.breakingLayerLine !== null || !Number.isFinite(verdict.maxRelError)) return;
    const outcome = attribute(measured, d, verdict.tol);
    if (outcome.blamed === null) return;
    const blamed = measured.layers[outcome.blamed];
    const shown = measured.layers[outcome.shownAt ?? outcome.blamed];
    verdict.breakingLayerLine = blamed.line;
    const declaration = model.declarations[d];
    const layerIndex = measured.layers.indexOf(blamed) + 1;
    const finding = engineFinding(
      'probe-violation',
      {
        messageId: 'violation',
        data: {
          error: formatError(shown.relError[d]),
          maxAbs: formatError(shown.maxAbsError[d]),
          tol: String(verdict.tol),
          groupMode: `${declaration.mode} ${declaration.group}`,
          layer: `${blamed.kind} (layer ${layerIndex} of the model the code built; not matched to a source line)`,
          line: String(blamed.line),
          element: outcome.worstElement || 'n/a',
        },
        span: graph.nameSpan,
        group: declaration.group,
        mode: declaration.mode,
      },
      severities,
      graph.name,
    );
    if (finding) extra.push(finding);
  });
  const located = extra.map((finding): LocatedFinding => {
    const range = spanToLspRange(sourceFile, finding.span);
    return { ...finding, line: range.start.line, character: range.start.character, endLine: range.end.line, endCharacter: range.end.character };
  });
  return { verdicts: judged.verdicts, layers: judged.layers, findings: [...judged.findings, ...located] };
}
