// eslint-plugin-symmetry-lint: Symmetry Lint's rules inside ESLint 9 (SPEC section 8). Every
// rule of the registry except the probe rules (ESLint runs no probes) becomes
// `symmetry-lint/<rule-id>`; `configs.recommended` is a flat config that turns them on at their
// default severities for JavaScript and TypeScript files.
import type { ESLint, Linter } from 'eslint';
import * as typescriptParser from '@typescript-eslint/parser';
import { RULES } from '../../server/src/rules/registry';
import { eslintRuleFor } from './eslintRule';
import packageJson from '../package.json';

/** The rules that need a probe's measurement: there is none inside ESLint. */
const PROBE_RULE_IDS = new Set(['probe-violation', 'probe-disagrees']);
const PLUGIN_NAME = 'symmetry-lint';

const staticRules = RULES.filter((rule) => !PROBE_RULE_IDS.has(rule.id));

const plugin = {
  meta: { name: packageJson.name, version: packageJson.version },
  rules: Object.fromEntries(staticRules.map((rule) => [rule.id, eslintRuleFor(rule)])),
  configs: {} as Record<string, Linter.Config>,
} satisfies ESLint.Plugin;

/**
 * ESLint has no info level: a rule whose default is info (analysis-gap) warns, so that
 * `eslint .` shows what `symmetry-lint check` shows without failing the run (docs/decisions.md).
 */
const recommendedRules: Linter.RulesRecord = Object.fromEntries(
  staticRules.map((rule) => [`${PLUGIN_NAME}/${rule.id}`, rule.meta.defaultSeverity === 'error' ? 'error' : 'warn']),
);

plugin.configs.recommended = {
  name: 'symmetry-lint/recommended',
  files: ['**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs', '**/*.ts', '**/*.tsx'],
  plugins: { [PLUGIN_NAME]: plugin },
  // typescript-eslint's parser reads all six extensions (JSX by extension, as TypeScript does);
  // the rules read only the text, so a user's own typescript-eslint setup later in the config
  // array may replace it.
  languageOptions: { parser: typescriptParser },
  rules: recommendedRules,
};

export = plugin;
