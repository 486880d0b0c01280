// analysis-gap: what the static analysis could not model (custom layers, non-constant
// configuration, code extraction could not follow, declarations with no model). One finding per
// gap span, whatever the number of declarations; it is info, never a silent pass.
import type { SourceSpan } from '../analysis/graph';
import { GAP_CAUSES } from './causeRouting';
import { declarationRelated, spanOfRef } from './fallReporting';
import { createRule, type RelatedLocation } from './rule';
import type { Cause } from '../analysis/symmetry';
import { literalProbeObstacles, type LiteralProbeObstacle } from '../probe/literalReach';

type MessageId = 'unmodelledLayer' | 'nonConstantConfig' | 'extractionGap' | 'orphan' | 'internalError' | 'timeBudget' | 'tooDeeplyNested' | 'unanalysableFile';


/**
 * What to suggest for measuring a gap: the literal probe where it can build the model, else the
 * mode that runs the workspace's code, else nothing (a declaration that does not fit the model
 * stops every probe), so a hint never leads to a probe that skips for the same reason.
 */
function probeHint(verb: 'measure' | 'check', what: string, obstacles: readonly LiteralProbeObstacle[]): string {
  if (obstacles.some((obstacle) => obstacle.kind === 'mismatch')) return `no probe can ${verb} ${what} while the declaration does not fit the model`;
  if (obstacles.length === 0) return `run the probe to ${verb} ${what}`;
  // The mode is named, not a face's spelling of it: one message serves the CLI (--probe-execute)
  // and the editor ("Run Workspace Code to Probe Model"), and docs/rules/analysis-gap.md gives both.
  return `only a probe that runs the code can ${verb} ${what}`;
}

export const analysisGap = createRule<MessageId>({
  id: 'analysis-gap',
  meta: {
    description: 'A layer, configuration or piece of code the static analysis cannot model.',
    defaultSeverity: 'info',
    preferredFix: 'Run the probe (Symmetry: Probe Model) to measure what the analysis cannot see.',
    messages: {
      unmodelledLayer: '{{detail}}, so the effect on {{declared}} is unknown; {{probeHint}}.',
      nonConstantConfig: '{{detail}}, so the effect on {{declared}} is unknown; {{probeHint}}.',
      extractionGap: '{{message}}; {{probeHint}}.',
      orphan: '{{name}} declares @symmetry {{declaration}} but builds no tfjs model, so there is nothing to check.',
      internalError: 'The analysis of {{model}} failed with "{{error}}", so its declarations were not checked.',
      timeBudget: 'The analysis stopped at its time budget of {{budget}} ms, so {{model}} was not checked.',
      tooDeeplyNested: 'File too deeply nested to analyse: its models were not checked.',
      unanalysableFile: 'The file could not be analysed ("{{error}}"), so its models were not checked.',
    },
  },
  checkModel(context) {
    if (context.inferences.length === 0) return;
    const seen = new Set<string>();
    // Only a finding's hint needs them, and most models have no gap: building the probe's
    // representative model for every model was a tenth of the analysis.
    let obstacles: LiteralProbeObstacle[] | undefined;
    const probeObstacles = () => (obstacles ??= literalProbeObstacles(context.model, context.inferences, () => 0));
    const key = (span: SourceSpan) => `${span.file}:${span.start}:${span.end}`;

    // Gaps, and any fall the inference attributed to a gap, gathered over all declarations.
    const gaps: { cause: Cause; related: RelatedLocation[]; declared: string[] }[] = [];
    const bySpan = new Map<string, (typeof gaps)[number]>();
    for (const inference of context.inferences) {
      const causes = [...inference.gaps, ...inference.falls.map((f) => f.cause).filter((c) => GAP_CAUSES.has(c.code))];
      for (const cause of causes) {
        const span = spanOfRef(context, cause.at);
        const existing = bySpan.get(key(span));
        const declared = `${inference.declaration.group} ${inference.declaration.mode === 'invariant' ? 'invariance' : 'equivariance'}`;
        if (existing) {
          if (!existing.declared.includes(declared)) {
            existing.declared.push(declared);
            existing.related.push(declarationRelated(context, inference.declaration));
          }
          continue;
        }
        const sites = (cause.sites ?? []).map((site) => ({ span: site.span, message: site.label }));
        const entry = { cause, related: [declarationRelated(context, inference.declaration), ...sites], declared: [declared] };
        bySpan.set(key(span), entry);
        gaps.push(entry);
      }
    }
    for (const { cause, related, declared } of gaps) {
      const span = spanOfRef(context, cause.at);
      seen.add(key(span));
      context.report({
        messageId: cause.code === 'non-constant-config' ? 'nonConstantConfig' : 'unmodelledLayer',
        data: { layer: cause.at.kind, line: context.lineOf(span), detail: cause.detail, declared: declared.join(' and '), probeHint: probeHint('measure', 'it', probeObstacles()) },
        span,
        related,
        layer: cause.at.layer,
      });
    }
    for (const gap of context.model.gaps) {
      if (seen.has(key(gap.span))) continue;
      seen.add(key(gap.span));
      context.report({
        messageId: 'extractionGap',
        data: { message: gap.message.replace(/\.$/, ''), model: context.model.name, probeHint: probeHint('check', context.model.name, probeObstacles()) },
        span: gap.span,
      });
    }
  },
  checkFile(context) {
    for (const { holder, declarations } of context.orphans) {
      for (const declaration of declarations) {
        context.report({
          messageId: 'orphan',
          data: { name: holder.name, declaration: declaration.text },
          span: declaration.span,
          related: [{ span: holder.nameSpan, message: `${holder.name} is declared here` }],
          group: declaration.group,
          mode: declaration.mode,
        });
      }
    }
  },
});
