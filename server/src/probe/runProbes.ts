// Probes the declared models of one analysed file: plans them on this thread (no tfjs), checks
// the parameter limit before anything is allocated, measures them in the probe worker and
// judges the results. Shared by the language server and the CLI.
import type { ts } from 'ts-morph';
import { disabledLines, type FileAnalysis, type LocatedFinding, type ModelAnalysis } from '../engine';
import type { ModelProbeReport } from '../protocol';
import type { SeverityOverride } from '../rules/rule';
import { buildExecutePlan, judgeExecutedModel } from './executeProbe';
import type { PlanDeclaration, ProbePlan } from './plan';
import { buildProbePlan } from './planBuilder';
import { ProbeRunError, type ProbeHost } from './probeHost';
import { readSavedModel } from './savedModel';
import { attribute, judgeModel, verdictOf } from './verdicts';

export interface ProbeLimits {
  timeoutMs: number;
  maxParameters: number;
  signal?: AbortSignal;
  severities?: Record<string, SeverityOverride>;
  /**
   * Execute mode: obtain each model by running the user's own model-building code rather than
   * from its literal configuration. Only a trusted workspace (LSP) or `--probe-execute` (CLI)
   * may set it; without it no user code runs.
   */
  execute?: boolean;
}

export interface FileProbeOutcome {
  reports: ModelProbeReport[];
  findings: LocatedFinding[];
}

/** The report's `variant` field: present only for a model with variants. */
function variantOf(model: ModelAnalysis): { variant?: string } {
  return model.graph.variant !== undefined ? { variant: model.graph.variant } : {};
}

function skipped(model: ModelAnalysis, line: number, status: 'skipped' | 'error', message: string, started: number, assumptions?: string[]): ModelProbeReport {
  return { name: model.graph.name, ...variantOf(model), line, status, message, ...(assumptions && assumptions.length > 0 ? { assumptions } : {}), verdicts: [], layers: [], durationMs: performance.now() - started };
}

/** Says what the probe was asked to do when it could not finish: the sizes and their cost. */
function explainTimeout(message: string, plan: ProbePlan, flops: number): string {
  const shapes = plan.inputs.map((input) => `[${input.shape.join(', ')}]`).join(', ');
  return `${message}; it measured the input shape ${shapes}${flops > 0 ? `, about ${(flops / 1e9).toFixed(1)} GFLOP for the probe's batch` : ''}: the probe could not finish`;
}

/** Probes one analysed model; never throws except for cancellation. */
export async function probeModel(host: ProbeHost, model: ModelAnalysis, sourceFile: ts.SourceFile, limits: ProbeLimits): Promise<{ report: ModelProbeReport; findings: LocatedFinding[] }> {
  const started = performance.now();
  // Execute mode measures the model the code builds: its widths are the code's, not the plan's.
  const built = buildProbePlan(model, sourceFile, limits.execute ? undefined : limits.maxParameters);
  const { plan, parameters } = built;
  const assumptions = limits.execute ? undefined : plan.assumptions;
  if (model.declarations.length === 0) return { report: skipped(model, plan.line, 'skipped', 'the model has no @symmetry declaration to probe', started), findings: [] };
  // A model the literal probe cannot build is refused for that, its first obstacle, not for its size.
  if (plan.unbuildable && !limits.execute) return { report: skipped(model, plan.line, 'skipped', plan.unbuildable, started, assumptions), findings: [] };
  if (parameters > limits.maxParameters) {
    const message = `the model has about ${parameters.toExponential(2)} parameters, more than the probe limit of ${limits.maxParameters.toExponential(2)} (symmetryLint.probe.maxParameters): not probed`;
    return { report: skipped(model, plan.line, 'skipped', message, started), findings: [] };
  }
  if (limits.execute || !built.variants) return measurePlan(host, model, sourceFile, plan, built.flops, limits, started);
  // A structural value the analysis does not know: every value it can take is measured, and the
  // worst outcome stands, with the others named.
  const outcomes: { choice: string; outcome: { report: ModelProbeReport; findings: LocatedFinding[] } }[] = [];
  const refused: { choice: string; report: ModelProbeReport }[] = [];
  for (const variant of built.variants) {
    const outcome = await measurePlan(host, model, sourceFile, variant.plan, variant.flops, limits, started);
    const report = { ...outcome.report, message: `with ${variant.choice}: ${outcome.report.message ?? 'the probe did not finish'}` };
    // tfjs refusing to build a value means the code cannot run with it either: the others stand.
    if (outcome.report.status !== 'ok' && /^cannot build layer/.test(outcome.report.message ?? '')) refused.push({ choice: variant.choice, report });
    else if (outcome.report.status !== 'ok') return { report, findings: [] };
    else outcomes.push({ choice: variant.choice, outcome });
  }
  if (outcomes.length === 0) return { report: refused[0].report, findings: [] };
  const unbuilt = refused.map(({ choice, report }) => `not probed with ${choice}: ${report.message?.replace(/^with [^:]+: /, '')}`);
  const failures = (report: ModelProbeReport) => report.verdicts.filter((verdict) => !verdict.passed).length;
  const worstError = (report: ModelProbeReport) => Math.max(0, ...report.verdicts.map((verdict) => verdict.maxRelError));
  const worst = outcomes.reduce((a, b) => (failures(b.outcome.report) > failures(a.outcome.report) || (failures(b.outcome.report) === failures(a.outcome.report) && worstError(b.outcome.report) > worstError(a.outcome.report)) ? b : a));
  const per = outcomes.map(({ choice, outcome }) => `${choice}: ${outcome.report.verdicts.map((verdict) => (verdict.passed ? 'holds' : 'breaks')).join('/')}`).join('; ');
  const summary = `verdict shown for ${worst.choice}, the worst of the values probed (${per})`;
  const report = { ...worst.outcome.report, assumptions: [...(worst.outcome.report.assumptions ?? []), ...unbuilt, summary], durationMs: performance.now() - started };
  return { report, findings: worst.outcome.findings };
}

/** Measures one plan in the worker and judges it. */
async function measurePlan(
  host: ProbeHost,
  model: ModelAnalysis,
  sourceFile: ts.SourceFile,
  plan: ProbePlan,
  flops: number,
  limits: ProbeLimits,
  started: number,
): Promise<{ report: ModelProbeReport; findings: LocatedFinding[] }> {
  const assumptions = limits.execute ? undefined : plan.assumptions;
  try {
    const runLimits = { timeoutMs: limits.timeoutMs, ...(limits.signal ? { signal: limits.signal } : {}) };
    const measured = limits.execute
      ? await host.run({ type: 'probeExecute', execute: buildExecutePlan(model, sourceFile, plan, limits) }, runLimits)
      : await host.run({ type: 'probe', plan }, runLimits);
    const judged = limits.execute ? judgeExecutedModel(model, measured, sourceFile, limits.severities) : judgeModel(model, measured, sourceFile, limits.severities);
    // Execute mode lists what it stubbed or chose to run the code where the literal probe lists its values.
    const listed = limits.execute ? measured.notes : assumptions;
    const report: ModelProbeReport = {
      name: model.graph.name,
      ...variantOf(model),
      line: plan.line,
      status: measured.status,
      ...(limits.execute ? { mode: 'execute' as const } : {}),
      ...(measured.message ? { message: measured.message } : {}),
      ...(listed && listed.length > 0 ? { assumptions: listed } : {}),
      verdicts: measured.status === 'ok' ? judged.verdicts : [],
      layers: judged.layers,
      durationMs: performance.now() - started,
    };
    const findings = measured.status === 'ok' ? judged.findings : [];
    // The variants of a model share its name: say which one the probe measured.
    if (model.graph.variant !== undefined) for (const finding of findings) finding.modelVariant = model.graph.variant;
    return { report, findings };
  } catch (error) {
    if (error instanceof ProbeRunError && error.reason === 'cancelled') throw error;
    const message = error instanceof Error ? error.message : String(error);
    const explained = error instanceof ProbeRunError && (error.reason === 'timeout' || error.reason === 'crashed') && !limits.execute ? explainTimeout(message, plan, flops) : message;
    const listed = limits.execute && error instanceof ProbeRunError ? error.notes : assumptions;
    return { report: skipped(model, plan.line, error instanceof ProbeRunError && error.reason === 'skipped' ? 'skipped' : 'error', explained, started, listed), findings: [] };
  }
}

/** Probes the models of a file that `select` picks (every declared model by default). */
export async function probeFile(
  host: ProbeHost,
  analysis: FileAnalysis,
  sourceFile: ts.SourceFile,
  limits: ProbeLimits,
  select: (model: ModelAnalysis) => boolean = () => true,
): Promise<FileProbeOutcome> {
  const reports: ModelProbeReport[] = [];
  const findings: LocatedFinding[] = [];
  // Probe findings honour `symmetry-lint-disable-next-line` as the static ones do (engine.ts):
  // the report still shows the measurement, the editor and the CLI list no finding for it.
  const disabled = disabledLines(sourceFile);
  const suppressed = (finding: LocatedFinding): boolean => {
    const entry = disabled.get(finding.line);
    return entry !== undefined && (entry === 'all' || entry.has(finding.ruleId));
  };
  for (const model of analysis.models) {
    if (!select(model) || model.declarations.length === 0) continue;
    const outcome = await probeModel(host, model, sourceFile, limits);
    reports.push(outcome.report);
    findings.push(...outcome.findings.filter((finding) => !suppressed(finding)));
  }
  return { reports, findings };
}

/** Probes a saved tfjs model (model.json + weights) with its trained weights. */
export async function probeSavedModel(host: ProbeHost, modelJsonPath: string, declarations: PlanDeclaration[], limits: ProbeLimits): Promise<ModelProbeReport> {
  const started = performance.now();
  const name = modelJsonPath;
  const fail = (status: 'skipped' | 'error', message: string): ModelProbeReport => ({ name, line: 0, status, message, verdicts: [], layers: [], durationMs: performance.now() - started });
  if (declarations.length === 0) return fail('skipped', 'no declaration given: say which symmetry to measure (e.g. "invariant rotation90")');
  let saved;
  try {
    saved = readSavedModel(modelJsonPath, declarations);
  } catch (error) {
    return fail('error', error instanceof Error ? error.message : String(error));
  }
  try {
    const measured = await host.run({ type: 'probeSaved', saved }, { timeoutMs: limits.timeoutMs, ...(limits.signal ? { signal: limits.signal } : {}) });
    const verdicts = declarations.map((declaration, d) => {
      const outcome = attribute(measured, d, declaration.tol);
      const blamed = outcome.blamed !== null ? measured.layers[outcome.blamed] : undefined;
      // A saved model has no source lines: the blamed layer is named in the layer list.
      return verdictOf(declaration, outcome, blamed ? blamed.line : null, 'unknown', true);
    });
    return {
      name,
      line: 0,
      status: measured.status,
      ...(measured.message ? { message: measured.message } : {}),
      verdicts: measured.status === 'ok' ? verdicts : [],
      layers: measured.layers.map((layer) => ({ kind: layer.kind, line: layer.line, relError: layer.relError, maxAbsError: layer.maxAbsError, measured: layer.measured, staticState: declarations.map(() => 'not analysed (saved model)') })),
      durationMs: performance.now() - started,
    };
  } catch (error) {
    if (error instanceof ProbeRunError && error.reason === 'cancelled') throw error;
    return fail('error', error instanceof Error ? error.message : String(error));
  }
}
