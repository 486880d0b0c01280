// order-dependent-layer on an RNN over a set: besides SetDense/SetPool (preferred), the quick
// fixes offer SetAttention, which keeps the interactions between elements an RNN was there for:
// pooled by a learned query where the RNN returned its last state, equivariant where it
// returned sequences. Each offered fix must remove the finding it was offered for.
import { strict as assert } from 'node:assert';
import { analyzeText, parseSource } from '../../server/src/engine';
import { applyTextEdits, fixesForFinding } from '../../server/src/fixes/index';

const FILE = '/virtual/rnn-over-set.ts';

function model(recurrent: string, after: string): string {
  return `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant permutation */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [20, 8], units: 16, activation: 'relu' }));
  model.add(${recurrent});
  ${after}
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}
`;
}

function orderFindings(text: string) {
  return analyzeText(FILE, text).findings.filter((finding) => finding.ruleId === 'order-dependent-layer');
}

describe('order-dependent-layer fixes: SetAttention for an RNN over a set', () => {
  const cases: [string, string, string, RegExp][] = [
    ['lstm, last state', "tf.layers.lstm({ units: 32 })", '', /new sl\.SetAttention\(\{ units: 32, pooling: true \}\)/],
    ['gru, sequences, then a mean', "tf.layers.gru({ units: 12, returnSequences: true, useBias: false })", 'model.add(tf.layers.globalAveragePooling1d({}));', /new sl\.SetAttention\(\{ units: 12, useBias: false \}\)/],
  ];
  for (const [name, recurrent, following, written] of cases) {
    it(`${name}: offered after SetDense, and it removes the finding`, () => {
      const text = model(recurrent, following);
      const findings = orderFindings(text);
      assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
      const fixes = fixesForFinding(parseSource(FILE, text), analyzeText(FILE, text), findings[0]);
      assert.match(fixes[0].title, /^Use DeepSets layers/);
      assert.equal(fixes[0].isPreferred, true);
      const attention = fixes.find((fix) => /SetAttention/.test(fix.title));
      assert.ok(attention, fixes.map((fix) => fix.title).join('; '));
      assert.equal(attention.isPreferred, false);
      const fixed = applyTextEdits(text, attention.edits);
      assert.match(fixed, written);
      assert.match(fixed, /import \* as sl from 'symmetry-lint-layers';/);
      const reanalysed = analyzeText(FILE, fixed);
      assert.deepEqual(reanalysed.findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.ruleId}: ${finding.message}`), []);
    });
  }
});
