// `symmetry-lint check --probe`: the static check plus numeric probes of every declared model.
// Probe findings join the models' findings (so text and SARIF show them) and each model's JSON
// gains `probe.verdicts` (SPEC 8). Each file is formatted as soon as its probes are done and
// then dropped, as in a plain check. Loaded only with --probe; tfjs runs in the probe worker.
import { analyzeFile, mergeModelFindings, type LocatedFinding } from '../engine';
import { TrainingScriptIndex } from '../workspace/trainingScripts';
import { ProbeHost } from '../probe/probeHost';
import { probeFile } from '../probe/runProbes';
import { countProbeOutcome, noProbeOutcomes, summarizeProbeCounts } from '../probe/probeSummary';
import { DEFAULT_SETTINGS, type ModelProbeReport } from '../protocol';
import { DiskSourceFiles } from '../workspace/fileSources';
import { discoverSourceFiles } from '../workspace/discovery';
import { UsageError, type CheckOptions, type CheckResult } from './check';
import { CheckOutput, type CheckOutputSettings } from './checkOutput';
import { PARSED_FILES_KEPT, unanalysableFileReport, withFile } from './checkFile';
import type { SourceProvider } from '../analysis/sourceProvider';
import { buildFileReport, displayPath, type FileReport, type JsonModel } from './report';

/** `probe` on a model of the JSON report (SPEC 8, with the extra fields the report page uses). */
export interface JsonModelProbe {
  status: ModelProbeReport['status'];
  /** `execute` when the model was obtained by running its code (`--probe-execute`). */
  mode?: 'execute';
  message?: string;
  /** Values the probe chose where the analysis knows none (widths, input sizes), in words. */
  assumptions?: string[];
  verdicts: { mode: string; group: string; maxRelError: number | null; worstElement: string; breakingLayerLine: number | null; tol: number; maxAbsError: number | null; passed: boolean; staticVerdict: string; agrees: boolean; measured: boolean; difference?: string }[];
}

export interface ProbeCheckOptions extends CheckOptions {
  timeoutMs?: number;
  maxParameters?: number;
  backend?: 'wasm' | 'cpu';
  /** `--probe-execute`: obtain models by running their files' code (never without the flag). */
  execute?: boolean;
  /** A host already warming up (main.ts starts it as soon as --probe is parsed); the run disposes of it. */
  host?: ProbeHost;
}

/** A model's probe report by name and variant: the variants of one model share the name (SPEC 8). */
function probeKey(name: string, variant: string | undefined): string {
  return variant === undefined ? name : `${name}\u0000${variant}`;
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export async function runCheckWithProbes(options: ProbeCheckOptions): Promise<CheckResult> {
  const files = discoverSourceFiles(options.inputs, options.cwd);
  // Bounded as in a plain check (checkFile.ts): no run keeps every file's syntax tree.
  const disk = new DiskSourceFiles(PARSED_FILES_KEPT);
  // Augmentations of helpers are reported in the helpers' files, as a plain check does.
  const project = new TrainingScriptIndex(files);
  const host = options.host ?? new ProbeHost({ backend: options.backend ?? DEFAULT_SETTINGS.probe.backend, smallYoungGeneration: true });
  const output = new ProbeCheckOutput(options, options.write);
  try {
    for (const fileName of files) {
      // Formatted now and let go with the file's analysis: memory does not grow with the files.
      const { report, probes } = await checkFileWithProbes(fileName, disk, host, options, project);
      output.add(report, probes);
    }
  } finally {
    await host.dispose();
  }
  return output.finish();
}

/** One file of `check --probe`: its report, probe findings included, and its models' probe reports. */
export async function checkFileWithProbes(
  fileName: string,
  disk: DiskSourceFiles,
  host: ProbeHost,
  options: Omit<ProbeCheckOptions, 'host'>,
  project?: TrainingScriptIndex,
): Promise<{ report: FileReport; probes: ModelProbeReport[] }> {
  let sourceFile, analysis;
  let provider: SourceProvider = disk;
  try {
    sourceFile = disk.checkedFile(fileName);
    if (sourceFile) provider = withFile(disk, sourceFile);
    if (sourceFile) analysis = analyzeFile(sourceFile, provider, { commandLineDeclarations: options.symmetry, project });
  } catch (error) {
    // Too deeply nested to parse: one finding, and the run goes on (see checkFile.ts).
    return { report: unanalysableFileReport(fileName, error, provider, options.cwd), probes: [] };
  }
  if (!sourceFile || !analysis) throw new UsageError(`cannot read ${displayPath(fileName, options.cwd)}`);
  const outcome = await probeFile(host, analysis, sourceFile, {
    timeoutMs: options.timeoutMs ?? DEFAULT_SETTINGS.probe.timeoutMs,
    maxParameters: options.maxParameters ?? DEFAULT_SETTINGS.probe.maxParameters,
    execute: options.execute === true,
  });
  if (outcome.findings.length > 0) {
    const orphans: LocatedFinding[] = [];
    for (const finding of outcome.findings) {
      const model = analysis.models.find((candidate) => candidate.graph.name === finding.modelName && candidate.graph.variant === finding.modelVariant);
      if (model) model.findings.push(finding);
      else orphans.push(finding);
    }
    // A probe result at a layer several models share is one finding too, as the engine's.
    const fileLevel = analysis.findings.filter((finding) => finding.modelName === undefined);
    analysis.findings = [...mergeModelFindings(analysis.models), ...fileLevel, ...orphans];
  }
  const report = buildFileReport({ path: displayPath(fileName, options.cwd), sourceFile, analysis }, provider, options.cwd, { infer: options.infer });
  return { report, probes: outcome.reports };
}

/**
 * `check --probe`'s output, built one file at a time as a plain check's (CheckOutput, which
 * writes text and JSON as each file comes in): JSON models gain their `probe`, and the text
 * output ends with the probe's lines and summary, so of each file's probe reports the run keeps
 * only those lines and the summary's counts.
 */
export class ProbeCheckOutput {
  private readonly output: CheckOutput;
  /** Text only: the sentences printed after the findings' summary, in file order. */
  private readonly skippedLines: string[] = [];
  private readonly assumptionLines: string[] = [];
  private readonly counts = noProbeOutcomes();

  constructor(
    private readonly settings: CheckOutputSettings,
    private readonly write?: (chunk: string) => void,
  ) {
    this.output = new CheckOutput(settings, write);
  }

  /** Adds the next file in order; the caller may drop `report` and `probes` once this returns. */
  add(report: FileReport, probes: readonly ModelProbeReport[]): void {
    // One report per model and variant: the variants of one model share the name (SPEC 8).
    const byModel = new Map(probes.map((probe) => [probeKey(probe.name, probe.variant), probe]));
    for (const probe of byModel.values()) countProbeOutcome(this.counts, probe);
    if (this.settings.format === 'json') {
      for (const model of report.models) {
        const probe = byModel.get(probeKey(model.json.name, model.json.variant));
        if (probe) (model.json as JsonModel & { probe?: JsonModelProbe }).probe = jsonModelProbe(probe);
      }
    }
    if (this.settings.format === 'text') {
      // Plain sentences, one per model: "<file>: buildA was skipped by the probe. <why>".
      const subject = (r: ModelProbeReport) => `${report.path}: ${r.name}${r.variant !== undefined ? ` (when ${r.variant})` : ''}`;
      for (const r of byModel.values()) {
        if (r.status !== 'ok') this.skippedLines.push(`${subject(r)} was ${r.status === 'skipped' ? 'skipped by' : 'not measured: it failed in'} the probe. ${sentence(r.message ?? '')}`);
      }
      // The values the probe chose belong with its verdict: a reader must know what was measured.
      for (const r of byModel.values()) {
        for (const assumption of r.assumptions ?? []) this.assumptionLines.push(`${subject(r)} was probed with ${assumption}`);
      }
    }
    this.output.add(report);
  }

  /** The rest of the output; `output` is all of it when no writer was given, else ''. */
  finish(): CheckResult {
    const { output, exitCode } = this.output.finish();
    if (this.settings.format !== 'text') return { output, exitCode };
    const probeLines = [...this.skippedLines, ...this.assumptionLines];
    const tail = (probeLines.length > 0 ? probeLines.join('\n') + '\n' : '') + `Probe: ${summarizeProbeCounts(this.counts)}\n`;
    if (this.write) {
      this.write(tail);
      return { output, exitCode };
    }
    return { output: output + tail, exitCode };
  }
}

function jsonModelProbe(probe: ModelProbeReport): JsonModelProbe {
  return {
    status: probe.status,
    ...(probe.mode === 'execute' ? { mode: 'execute' as const } : {}),
    ...(probe.message ? { message: probe.message } : {}),
    ...(probe.assumptions ? { assumptions: probe.assumptions } : {}),
    verdicts: probe.verdicts.map((v) => ({ mode: v.mode, group: v.group, maxRelError: finiteOrNull(v.maxRelError), worstElement: v.worstElement, breakingLayerLine: v.breakingLayerLine, tol: v.tol, maxAbsError: finiteOrNull(v.maxAbsError), passed: v.passed, staticVerdict: v.staticVerdict, agrees: v.agrees, measured: v.measured, ...(v.difference ? { difference: v.difference } : {}) })),
  };
}

/** A probe message as a sentence of its own: capital first letter, full stop. */
function sentence(message: string): string {
  const text = message.trim();
  if (text === '') return '';
  const capitalised = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
