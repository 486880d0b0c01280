// `symmetry-lint check --probe`: the static check plus numeric probes of every declared model.
// Probe findings join the models' findings (so text and SARIF show them) and each model's JSON
// gains `probe.verdicts` (SPEC 8). Loaded only with --probe; tfjs runs in the probe worker.
import { analyzeFile, mergeModelFindings, type LocatedFinding } from '../engine';
import { TrainingScriptIndex } from '../workspace/trainingScripts';
import { ProbeHost } from '../probe/probeHost';
import { probeFile } from '../probe/runProbes';
import { summarizeProbe } from '../probe/probeSummary';
import { DEFAULT_SETTINGS, type ModelProbeReport } from '../protocol';
import { DiskSourceFiles } from '../workspace/fileSources';
import { discoverSourceFiles } from '../workspace/discovery';
import { UsageError, type CheckOptions, type CheckResult } from './check';
import { formatSarif } from './formatSarif';
import { formatText } from './formatText';
import { unanalysableFileReport } from './checkFile';
import { allFindings, buildFileReport, displayPath, toJsonReport, type FileReport, type JsonModel } from './report';

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
  const disk = new DiskSourceFiles();
  // Augmentations of helpers are reported in the helpers' files, as a plain check does.
  const project = new TrainingScriptIndex(files);
  const host = options.host ?? new ProbeHost({ backend: options.backend ?? DEFAULT_SETTINGS.probe.backend });
  const reports: FileReport[] = [];
  const probesByFile: Map<string, ModelProbeReport>[] = [];
  try {
    for (const fileName of files) {
      let sourceFile, analysis;
      try {
        sourceFile = disk.getSourceFile(fileName);
        if (sourceFile) analysis = analyzeFile(sourceFile, disk, { commandLineDeclarations: options.symmetry, project });
      } catch (error) {
        // Too deeply nested to parse: one finding, and the run goes on (see checkFile.ts).
        reports.push(unanalysableFileReport(fileName, error, disk, options.cwd));
        probesByFile.push(new Map());
        continue;
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
      reports.push(buildFileReport({ path: displayPath(fileName, options.cwd), sourceFile, analysis }, disk, options.cwd, { infer: options.infer }));
      probesByFile.push(new Map(outcome.reports.map((report) => [probeKey(report.name, report.variant), report])));
    }
  } finally {
    await host.dispose();
  }
  const hasError = reports.some((report) => allFindings(report).some((finding) => finding.json.severity === 'error'));
  let output: string;
  switch (options.format) {
    case 'json': {
      const json = toJsonReport(reports);
      json.files.forEach((file, index) => {
        for (const model of file.models as (JsonModel & { probe?: JsonModelProbe })[]) {
          const probe = probesByFile[index].get(probeKey(model.name, model.variant));
          if (!probe) continue;
          model.probe = {
            status: probe.status,
            ...(probe.mode === 'execute' ? { mode: 'execute' as const } : {}),
            ...(probe.message ? { message: probe.message } : {}),
            ...(probe.assumptions ? { assumptions: probe.assumptions } : {}),
            verdicts: probe.verdicts.map((v) => ({ mode: v.mode, group: v.group, maxRelError: finiteOrNull(v.maxRelError), worstElement: v.worstElement, breakingLayerLine: v.breakingLayerLine, tol: v.tol, maxAbsError: finiteOrNull(v.maxAbsError), passed: v.passed, staticVerdict: v.staticVerdict, agrees: v.agrees, measured: v.measured, ...(v.difference ? { difference: v.difference } : {}) })),
          };
        }
      });
      output = JSON.stringify(json, null, 2) + '\n';
      break;
    }
    case 'sarif':
      output = JSON.stringify(formatSarif(reports, options.catalog, options.tool, options.cwd), null, 2) + '\n';
      break;
    case 'text': {
      // Plain sentences, one per model: "<file>: buildA was skipped by the probe. <why>".
      const subject = (path: string, r: { name: string; variant?: string }) => `${path}: ${r.name}${r.variant !== undefined ? ` (when ${r.variant})` : ''}`;
      const skipped = probesByFile.flatMap((map, index) => [...map.values()].filter((r) => r.status !== 'ok').map((r) => `${subject(reports[index].path, r)} was ${r.status === 'skipped' ? 'skipped by' : 'not measured: it failed in'} the probe. ${sentence(r.message ?? '')}`));
      // The values the probe chose belong with its verdict: a reader must know what was measured.
      const chosen = probesByFile.flatMap((map, index) => [...map.values()].flatMap((r) => (r.assumptions ?? []).map((assumption) => `${subject(reports[index].path, r)} was probed with ${assumption}`)));
      const probeLines = [...skipped, ...chosen];
      const summary = `Probe: ${summarizeProbe(probesByFile.flatMap((map) => [...map.values()]))}`;
      output = formatText(reports) + (probeLines.length > 0 ? probeLines.join('\n') + '\n' : '') + summary + '\n';
      break;
    }
  }
  return { output, exitCode: hasError ? 1 : 0 };
}

/** A probe message as a sentence of its own: capital first letter, full stop. */
function sentence(message: string): string {
  const text = message.trim();
  if (text === '') return '';
  const capitalised = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
