// Shared by the rules that report falls: walks every declaration's falls, keeps those the cause
// routing gives to one rule, and fills the data every message uses (layer, line, the group's
// wording) plus the related information (the declaration tag and each repeat).
import type { LayerNode, SourceSpan } from '../analysis/graph';
import type { Cause, DeclarationInference, Fall, GroupName, LayerRef, Mode, SymmetryDeclaration } from '../analysis/symmetry';
import { ruleForCause } from './causeRouting';
import { remediesFor } from './remedies';
import type { ModelRuleContext, RelatedLocation } from './rule';
import type { RuleId } from './ruleIds';

/** `translation invariance`, `sign equivariance (oddness)`: what is lost or weakened. */
export function groupModeNoun(group: GroupName, mode: Mode): string {
  if (group === 'sign') return mode === 'invariant' ? 'sign invariance (evenness)' : 'sign equivariance (oddness)';
  return `${group} ${mode === 'invariant' ? 'invariance' : 'equivariance'}`;
}

/** The axes the group acts on, in words. */
export function actingAxes(declaration: SymmetryDeclaration): string {
  switch (declaration.group) {
    case 'translation':
      return 'the spatial axes';
    case 'rotation90':
    case 'flip':
    case 'dihedral':
      return 'the H-W plane';
    case 'permutation':
      return `the set axis (axis ${declaration.axis})`;
    case 'sign':
      return 'the values';
  }
}

/** The layer a reference names, if the graph has it. */
export function layerOf<M extends string>(context: ModelRuleContext<M>, ref: LayerRef): LayerNode | undefined {
  const layer = context.model.layers[ref.layer];
  return layer && layer.id === ref.layer ? layer : context.model.layers.find((l) => l.id === ref.layer);
}

/** Where a finding about a layer goes; the model's name when the layer is not in the graph. */
export function spanOfRef<M extends string>(context: ModelRuleContext<M>, ref: LayerRef): SourceSpan {
  const layer = layerOf(context, ref);
  return layer ? context.layerSpan(layer) : context.model.nameSpan;
}

/** "declared here: @symmetry invariant translation", at the tag (or the model for `--symmetry`). */
export function declarationRelated<M extends string>(context: ModelRuleContext<M>, declaration: SymmetryDeclaration): RelatedLocation {
  if (declaration.fromCommandLine) {
    return { span: context.model.nameSpan, message: `declared on the command line: --symmetry "${declaration.text}"` };
  }
  return { span: declaration.span, message: `declared here: @symmetry ${declaration.text}` };
}

/** " at line 29", or nothing when that is the line the finding is on (the reader is there). */
export function atOtherLine(line: number, findingLine: number): string {
  return line === findingLine ? '' : ` at line ${line}`;
}

export interface RoutedFall {
  inference: DeclarationInference;
  declaration: SymmetryDeclaration;
  fall: Fall;
  cause: Cause;
  span: SourceSpan;
  related: RelatedLocation[];
  /** Values every fall message may use. */
  data: Record<string, string>;
}

/** Every fall, over all declarations, that the cause routing gives to `ruleId`. */
export function routedFalls<M extends string>(context: ModelRuleContext<M>, ruleId: RuleId): RoutedFall[] {
  const result: RoutedFall[] = [];
  for (const inference of context.inferences) {
    const declaration = inference.declaration;
    for (const fall of inference.falls) {
      if (ruleForCause(fall.cause, fall.level, declaration) !== ruleId) continue;
      const cause = fall.cause;
      const span = spanOfRef(context, cause.at);
      const related: RelatedLocation[] = [declarationRelated(context, declaration)];
      for (const site of cause.sites ?? []) related.push({ span: site.span, message: site.label });
      for (const repeat of fall.repeats) {
        const repeatSpan = spanOfRef(context, repeat.at);
        related.push({ span: repeatSpan, message: `also at ${repeat.at.kind}, line ${context.lineOf(repeatSpan)}` });
      }
      const line = context.lineOf(span);
      const blamed = layerOf(context, cause.at);
      const inputShape = blamed ? context.shapes[blamed.inputs[0]] : undefined;
      const remedies = remediesFor(cause.at.kind, inputShape ? inputShape.length - 1 : undefined);
      const data: Record<string, string> = {
        layer: cause.at.kind,
        line: String(line),
        detail: cause.detail,
        group: declaration.group,
        mode: declaration.mode,
        groupMode: groupModeNoun(declaration.group, declaration.mode),
        axes: actingAxes(declaration),
        declaration: declaration.text,
        model: context.model.name,
        circularPad: remedies.circularPad,
        downsampling: remedies.downsampling,
        // Empty unless an input of unknown shape took the structure the declaration implies.
        assumption: inference.assumedInput ? ` (assuming ${inference.assumedInput.description})` : '',
      };
      if (inference.assumedInput) {
        related.push({
          span: inference.assumedInput.input,
          message: `the shape of this input is not known statically: assumed to be ${inference.assumedInput.description}, as @symmetry ${declaration.group} implies`,
        });
      }
      if (cause.partner) {
        const partnerSpan = spanOfRef(context, cause.partner);
        data.partner = cause.partner.kind;
        data.partnerLine = String(context.lineOf(partnerSpan));
        data.partnerAt = atOtherLine(context.lineOf(partnerSpan), line);
        related.push({ span: partnerSpan, message: `${cause.partner.kind} at line ${data.partnerLine}, the second layer involved` });
      }
      result.push({ inference, declaration, fall, cause, span, related, data });
    }
  }
  return result;
}

/**
 * Reports every fall routed to `ruleId`, one finding each, with the message the rule picks for
 * the fall's cause. `adjust` may add data or change the severity. The analysis' own account of
 * the cause (`detail`) goes into the related information, where the hover shows it, unless
 * the message quotes it (`detailInMessage`): the message itself stays one short sentence.
 */
export function reportRoutedFalls<M extends string>(
  context: ModelRuleContext<M>,
  ruleId: RuleId,
  messageFor: (routed: RoutedFall) => M,
  adjust?: (routed: RoutedFall) => { data?: Record<string, string>; severity?: 'error' | 'warning' | 'info' } | void,
  detailInMessage: readonly M[] = [],
): void {
  for (const routed of routedFalls(context, ruleId)) {
    const extra = adjust?.(routed) ?? {};
    const messageId = messageFor(routed);
    // After the declaration, which stays first (the tag the finding is about).
    const [declared, ...others] = routed.related;
    const related = detailInMessage.includes(messageId) ? routed.related : [declared, { span: routed.span, message: routed.cause.detail }, ...others];
    context.report({
      messageId,
      data: { ...routed.data, ...(extra.data ?? {}) },
      span: routed.span,
      related,
      group: routed.declaration.group,
      mode: routed.declaration.mode,
      layer: routed.cause.at.layer,
      ...(extra.severity ? { severity: extra.severity } : {}),
    });
  }
}
