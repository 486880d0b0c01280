// Runs rules over one model's inferred states (or over a file's declaration problems and
// orphans) and turns their reports into findings with severities applied. The engine calls it;
// unit tests call it directly with hand-built graphs.
import { layerSpanInFile, type LayerNode, type ModelGraph, type SourceSpan } from '../analysis/graph';
import type { DeclarationInference, ShapeTable } from '../analysis/symmetry';
import { RULES, effectiveSeverity } from './registry';
import {
  formatMessage,
  type FileRuleContext,
  type Finding,
  type ReportDescriptor,
  type Rule,
  type SeverityOverride,
} from './rule';

/**
 * Where a layer's diagnostic goes: its own factory name when that is in the model's file,
 * else the innermost helper call site that is (a layer built in another file's helper).
 */
export function layerSpanInModel(model: ModelGraph, layer: LayerNode): SourceSpan {
  return layerSpanInFile(layer, model.nameSpan.file) ?? model.nameSpan;
}

function toFinding(
  rule: Rule,
  descriptor: ReportDescriptor<string>,
  severities: Record<string, SeverityOverride> | undefined,
  modelName: string | undefined,
): Finding | undefined {
  const severity = effectiveSeverity(rule, severities, descriptor.severity);
  if (severity === 'off') return undefined;
  const template = rule.meta.messages[descriptor.messageId];
  if (template === undefined) throw new Error(`rule ${rule.id} has no message '${descriptor.messageId}'`);
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(descriptor.data ?? {})) data[key] = String(value);
  return {
    ruleId: rule.id,
    severity,
    message: formatMessage(template, data),
    messageId: descriptor.messageId,
    span: descriptor.span,
    related: descriptor.related ?? [],
    ...(descriptor.group ? { group: descriptor.group } : {}),
    ...(descriptor.mode ? { mode: descriptor.mode } : {}),
    ...(modelName !== undefined ? { modelName } : {}),
    ...(descriptor.layer !== undefined ? { layer: descriptor.layer } : {}),
    data,
  };
}

export interface ModelRuleInput {
  model: ModelGraph;
  shapes: ShapeTable;
  inferences: DeclarationInference[];
  /** 1-based line of a span's start. */
  lineOf(span: SourceSpan): number;
  severities?: Record<string, SeverityOverride>;
  rules?: readonly Rule[];
}

/** Said of a static finding under a `learned` declaration (SPEC 2), after its own message. */
export const LEARNED_NOTE = '; declared learned, so training must teach it.';

/**
 * Under a `learned` declaration a static break is what the augmentation is there to teach:
 * the finding is info, and says so, unless the user turned the rule off.
 */
function asLearned(finding: Finding, inferences: readonly DeclarationInference[]): Finding {
  const learned = inferences.some(({ declaration }) => declaration.learned && declaration.group === finding.group && declaration.mode === finding.mode);
  if (!learned || finding.ruleId === 'invalid-declaration') return finding;
  return { ...finding, severity: 'info', message: finding.message.replace(/[.\s]+$/, '') + LEARNED_NOTE };
}

/** Every enabled rule's findings for one model. */
export function runModelRules(input: ModelRuleInput): Finding[] {
  const findings: Finding[] = [];
  // One context for every rule of the model, reporting for the rule that runs (rules report
  // only while their checkModel runs): not two closures and an object per rule and model.
  let running: Rule | undefined;
  const context: Parameters<Rule['checkModel']>[0] = {
    model: input.model,
    shapes: input.shapes,
    inferences: input.inferences,
    layerSpan: (layer) => layerSpanInModel(input.model, layer),
    lineOf: input.lineOf,
    report(descriptor) {
      const finding = toFinding(running as Rule, descriptor, input.severities, input.model.name);
      if (finding) findings.push(asLearned(finding, input.inferences));
    },
  };
  for (const rule of input.rules ?? RULES) {
    if (input.severities?.[rule.id] === 'off') continue;
    running = rule;
    rule.checkModel(context);
  }
  running = undefined;
  return findings;
}

export interface FileRuleInput extends Omit<FileRuleContext<string>, 'report'> {
  severities?: Record<string, SeverityOverride>;
  rules?: readonly Rule[];
}

/** Every enabled rule's file-level findings (declaration problems, orphans). */
export function runFileRules(input: FileRuleInput): Finding[] {
  const findings: Finding[] = [];
  const { severities, rules, ...context } = input;
  for (const rule of rules ?? RULES) {
    if (!rule.checkFile || severities?.[rule.id] === 'off') continue;
    rule.checkFile({
      ...context,
      report(descriptor) {
        const finding = toFinding(rule, descriptor, severities, undefined);
        if (finding) findings.push(finding);
      },
    });
  }
  return findings;
}

/** Builds a finding of `ruleId` outside any rule's check (internal errors, time budget). */
export function engineFinding(
  ruleId: string,
  descriptor: ReportDescriptor<string>,
  severities: Record<string, SeverityOverride> | undefined,
  modelName?: string,
): Finding | undefined {
  const rule = RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`unknown rule ${ruleId}`);
  return toFinding(rule, descriptor, severities, modelName);
}
