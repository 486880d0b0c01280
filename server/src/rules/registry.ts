// Every rule, in one array, and lookups by id. Adding a rule means adding it here; the
// consistency test then demands its settings entry, docs page and test file.
import { analysisGap } from './analysis-gap';
import { augmentationNotDeclared } from './augmentation-not-declared';
import { declarationMismatch } from './declaration-mismatch';
import { flattenBreaksInvariance } from './flatten-breaks-invariance';
import { invalidDeclaration } from './invalid-declaration';
import { kernelBreaksRotation } from './kernel-breaks-rotation';
import { nonOddLayer } from './non-odd-layer';
import { orderDependentLayer } from './order-dependent-layer';
import { outputNotInvariant } from './output-not-invariant';
import { paddingBoundary } from './padding-boundary';
import { positionDependentWeights } from './position-dependent-weights';
import { positionalEncoding } from './positional-encoding';
import { probeDisagrees } from './probe-disagrees';
import { probeViolation } from './probe-violation';
import { rotationGridMismatch } from './rotation-grid-mismatch';
import type { Rule, Severity, SeverityOverride } from './rule';
import { RULE_IDS, type RuleId } from './ruleIds';
import { stridedAliasing } from './strided-aliasing';

export { RULE_IDS, type RuleId } from './ruleIds';

export const RULES: readonly Rule[] = [
  invalidDeclaration,
  declarationMismatch,
  flattenBreaksInvariance,
  outputNotInvariant,
  stridedAliasing,
  paddingBoundary,
  kernelBreaksRotation,
  rotationGridMismatch,
  orderDependentLayer,
  positionDependentWeights,
  positionalEncoding,
  nonOddLayer,
  analysisGap,
  probeViolation,
  probeDisagrees,
  augmentationNotDeclared,
] as Rule[];

const RULES_BY_ID = new Map<string, Rule>(RULES.map((rule) => [rule.id, rule]));

export function getRule(id: string): Rule | undefined {
  return RULES_BY_ID.get(id);
}

export function isRuleId(id: string): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}

/** The severity a rule's findings get: the user's setting, else the finding's or rule's own. */
export function effectiveSeverity(
  rule: Rule,
  overrides: Record<string, SeverityOverride> | undefined,
  reported?: Severity,
): Severity | 'off' {
  const override = overrides?.[rule.id];
  if (override) return override;
  return reported ?? rule.meta.defaultSeverity;
}
