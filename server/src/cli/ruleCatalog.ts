// The rule table SARIF needs (id, description, default severity), read from the rule registry
// so the CLI's output cannot drift from the rules that actually run.
import { RULES } from '../rules/registry';
import type { RuleCatalogEntry } from './formatSarif';

export function ruleCatalog(): RuleCatalogEntry[] {
  return RULES.map((rule) => ({ id: rule.id, description: rule.meta.description, defaultSeverity: rule.meta.defaultSeverity }));
}
