// Ties the rule registry to everything that names rules: the settings schema in package.json,
// the docs pages, the test files, the SPEC's table; and checks that every cause of a fall is
// reported by exactly one rule (the first-break principle carries over to findings).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GROUPS, type CauseCode, type FallLevel } from '../../server/src/analysis/symmetry';
import { ruleForCause } from '../../server/src/rules/causeRouting';
import { RULES, RULE_IDS, getRule } from '../../server/src/rules/registry';
import { formatMessage, ruleDocsUrl } from '../../server/src/rules/rule';
import { causeAt, fallOf, handBuiltModel, inferenceOf, runOnHandBuilt } from './ruleTester';
import { runModelRules } from '../../server/src/rules/runner';

const ROOT = path.resolve(__dirname, '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Every cause code; `satisfies` makes the type checker reject a missing or unknown one. */
const CAUSE_CODES = Object.keys({
  'zero-padding': true,
  cropping: true,
  stride: true,
  'grid-offset': true,
  'asymmetric-border': true,
  'learned-kernel': true,
  'flatten-then-mix': true,
  'flattened-output': true,
  recurrent: true,
  'set-axis-window': true,
  'block-mixing': true,
  'per-position-weights': true,
  bias: true,
  'non-odd': true,
  'output-not-invariant': true,
  'unmodelled-layer': true,
  'non-constant-config': true,
  'mixes-acting-axis': true,
  'non-square-window': true,
  resampling: true,
  'positional-term': true,
} satisfies Record<CauseCode, true>) as CauseCode[];

describe('rules consistency', () => {
  const ids = RULES.map((rule) => rule.id);

  it('the registry holds each rule id once, and only those', () => {
    assert.deepEqual([...ids].sort(), [...RULE_IDS].sort());
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.equal(getRule(id)?.id, id);
    assert.equal(getRule('no-such-rule'), undefined);
  });

  /**
   * Rule ids the SPEC table already names for capabilities still being built (docs/decisions.md,
   * "Rule ids ahead of their rules"). Each names the open issue that brings it; a planned id
   * that reaches the registry must leave this list, and its severity is then checked as any other.
   */
  const PLANNED_RULE_IDS: Record<string, string> = {
  };

  it('includes every rule id of the SPEC table', () => {
    const spec = path.resolve(ROOT, '../shared/SPEC.md');
    if (!fs.existsSync(spec)) return;
    const table = fs.readFileSync(spec, 'utf8').split('## 7.')[1].split('## 8.')[0];
    const specIds = [...table.matchAll(/^\| `([a-z-]+)` \| (error|warning|info)/gm)].map((m) => [m[1], m[2]]);
    assert.ok(specIds.length >= 12);
    for (const [id, severity] of specIds) {
      if (id in PLANNED_RULE_IDS) {
        assert.equal(getRule(id), undefined, `${id} is registered now: drop it from PLANNED_RULE_IDS`);
        continue;
      }
      assert.ok(getRule(id), `${id} is in the SPEC but not in the registry`);
      assert.equal(getRule(id)!.meta.defaultSeverity, severity, id);
    }
  });

  it('each rule has messages, a description, a preferred fix and its docs url', () => {
    for (const rule of RULES) {
      assert.ok(Object.keys(rule.meta.messages).length > 0, rule.id);
      assert.ok(rule.meta.description.length > 10, rule.id);
      assert.ok(rule.meta.preferredFix.length > 5, rule.id);
      assert.equal(rule.docsUrl, ruleDocsUrl(rule.id));
      for (const [messageId, template] of Object.entries(rule.meta.messages)) {
        // Every placeholder must be fillable: formatting with its own name leaves no `{{`.
        const names = [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
        const filled = formatMessage(template, Object.fromEntries(names.map((n) => [n, n])));
        assert.ok(!filled.includes('{{'), `${rule.id}.${messageId}`);
      }
    }
  });

  it('package.json contributes symmetryLint.rules with one property per rule', () => {
    const setting = packageJson.contributes?.configuration?.properties?.['symmetryLint.rules'];
    assert.ok(setting, 'contributes.configuration.properties["symmetryLint.rules"] is missing');
    assert.equal(setting.type, 'object');
    assert.deepEqual(Object.keys(setting.properties).sort(), [...ids].sort());
    for (const rule of RULES) {
      const property = setting.properties[rule.id];
      assert.deepEqual(property.enum, ['error', 'warning', 'info', 'off'], rule.id);
      assert.equal(property.default, rule.meta.defaultSeverity, rule.id);
    }
  });

  it('docs/rules has one page per rule, titled with its id and stating its default severity', () => {
    const dir = path.join(ROOT, 'docs/rules');
    const pages = fs.readdirSync(dir).filter((f) => f.endsWith('.md'));
    assert.deepEqual(pages.map((p) => p.replace(/\.md$/, '')).sort(), [...ids].sort());
    for (const rule of RULES) {
      const text = fs.readFileSync(path.join(dir, `${rule.id}.md`), 'utf8');
      assert.equal(text.split('\n')[0], `# ${rule.id}`);
      assert.match(text, new RegExp(`Default severity: \\*\\*${rule.meta.defaultSeverity}\\*\\*`), rule.id);
      for (const section of ['## What it checks', '## Why it matters', '## Invalid', '## Valid', '## Preferred fix', '## Suppressing']) {
        assert.ok(text.includes(section), `${rule.id}: ${section}`);
      }
      assert.ok(text.includes(`symmetry-lint-disable-next-line ${rule.id}`), rule.id);
    }
  });

  it('test/unit/rules has one test file per rule', () => {
    const files = fs.readdirSync(path.join(__dirname, 'rules')).filter((f) => f.endsWith('.test.ts'));
    assert.deepEqual(files.map((f) => f.replace(/\.test\.ts$/, '')).sort(), [...ids].sort());
  });

  describe('every fall is reported by exactly one rule', () => {
    const m = handBuiltModel(
      `/**
 * @symmetry invariant translation
 * @symmetry invariant rotation90
 * @symmetry invariant flip
 * @symmetry invariant dihedral
 * @symmetry invariant permutation
 * @symmetry equivariant sign
 */
function buildModel() {
  model.add(tf.layers.conv2d({ filters: 8 }));
  model.add(tf.layers.dense({ units: 4 }));
}`,
      ['conv2d', 'dense'],
    );
    assert.deepEqual(m.declarations.map((d) => d.group), [...GROUPS]);
    const levels: FallLevel[] = ['approx', 'subgroup', 'broken'];
    for (const declaration of m.declarations) {
      it(declaration.group, () => {
        for (const code of CAUSE_CODES) {
          for (const level of levels) {
            const inference = inferenceOf(declaration, { falls: [fallOf(level, causeAt(m, code, 0, 'why', 1))] });
            const findings = runModelRules({ model: m.graph, shapes: [], inferences: [inference], lineOf: () => 1 });
            assert.equal(findings.length, 1, `${code} at ${level}: ${findings.map((f) => f.ruleId).join(', ')}`);
            assert.equal(findings[0].ruleId, ruleForCause(inference.falls[0].cause, level, declaration));
            assert.ok(!findings[0].message.includes('{{'), findings[0].message);
            // The routed rule reports it through runOnHandBuilt's filter too.
            assert.equal(runOnHandBuilt(m, [inference], findings[0].ruleId).length, 1);
          }
        }
      });
    }
  });
});
