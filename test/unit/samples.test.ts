// Samples double as fixtures: each `// expect: <rule-id>` marker in samples/ must match a
// finding of the real engine on that line, and the engine must report nothing unmarked.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/engine';
import { RULES } from '../../server/src/rules/registry';
import { expectedFindings } from './expectMarkers';

const SAMPLES_DIR = path.resolve(__dirname, '../../samples');
const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs']);

function listSamples(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listSamples(full);
      return SOURCE_EXTENSIONS.has(path.extname(entry.name)) ? [full] : [];
    })
    .sort();
}

describe('samples match their // expect: markers', () => {
  const samples = listSamples(SAMPLES_DIR);

  it('has samples for every group', () => {
    const allText = samples.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    for (const group of ['translation', 'rotation90', 'flip', 'dihedral', 'permutation', 'sign']) {
      assert.match(allText, new RegExp(`@symmetry (invariant|equivariant) ${group}\\b`), group);
    }
  });

  it('has a marker for every rule the static analysis reports', () => {
    const marked = new Set(samples.flatMap((file) => expectedFindings(fs.readFileSync(file, 'utf8')).map((key) => key.split(':')[1])));
    // The probe rules come from measurements, not from the static analysis (test/unit/probe.samples.test.ts).
    const staticRules = RULES.map((rule) => rule.id).filter((id) => !id.startsWith('probe-'));
    assert.deepEqual(staticRules.filter((id) => !marked.has(id)), []);
  });

  for (const file of samples) {
    const relative = path.relative(SAMPLES_DIR, file);
    it(relative, () => {
      const text = fs.readFileSync(file, 'utf8');
      const analysis = analyzeText(file, text);
      const actual = analysis.findings.map((finding) => `${finding.line + 1}:${finding.ruleId}`).sort();
      assert.deepEqual(actual, expectedFindings(text), analysis.findings.map((f) => `${f.line + 1}:${f.ruleId} ${f.message}`).join('\n'));
    });
  }
});
