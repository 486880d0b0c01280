// analysis-gap: what the static analysis could not model (custom layers, non-constant
// configuration, code extraction could not follow, declarations with no model). One finding per
// gap span, whatever the number of declarations; it is info, never a silent pass.
import type { SourceSpan } from '../analysis/graph';
import { GAP_CAUSES } from './causeRouting';
import { declarationRelated, spanOfRef } from './fallReporting';
import { createRule, type RelatedLocation } from './rule';
import type { Cause } from '../analysis/symmetry';

type MessageId = 'unmodelledLayer' | 'nonConstantConfig' | 'extractionGap' | 'orphan' | 'internalError' | 'timeBudget' | 'tooDeeplyNested' | 'unanalysableFile';

export const analysisGap = createRule<MessageId>({
  id: 'analysis-gap',
  meta: {
    description: 'A layer, configuration or piece of code the static analysis cannot model.',
    defaultSeverity: 'info',
    preferredFix: 'Run the probe (Symmetry: Probe Model) to measure what the analysis cannot see.',
    messages: {
      unmodelledLayer: '{{detail}}, so the effect on {{declared}} is unknown; run the probe to measure it.',
      nonConstantConfig: '{{detail}}, so the effect on {{declared}} is unknown; run the probe to measure it.',
      extractionGap: '{{message}}; run the probe to check {{model}}.',
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
        const entry = { cause, related: [declarationRelated(context, inference.declaration)], declared: [declared] };
        bySpan.set(key(span), entry);
        gaps.push(entry);
      }
    }
    for (const { cause, related, declared } of gaps) {
      const span = spanOfRef(context, cause.at);
      seen.add(key(span));
      context.report({
        messageId: cause.code === 'non-constant-config' ? 'nonConstantConfig' : 'unmodelledLayer',
        data: { layer: cause.at.kind, line: context.lineOf(span), detail: cause.detail, declared: declared.join(' and ') },
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
        data: { message: gap.message.replace(/\.$/, ''), model: context.model.name },
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
