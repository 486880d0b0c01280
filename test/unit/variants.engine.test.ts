// The engine on a model with variants (SPEC 4): each variant is analysed on its own, the
// file's list gives a finding every variant has once and names the variants of one only some
// have, and a quick fix of such a finding edits the code of the variant that has it.
import * as assert from 'node:assert/strict';
import { analyzeText, parseSource } from '../../server/src/engine';
import { applyTextEdits, fixesForFinding } from '../../server/src/fixes/index';

const FILE = '/project/src/heads.ts';
const HEADS = `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant translation */
export function buildHeads(head: string, useNorm: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  if (useNorm) model.add(tf.layers.batchNormalization());
  if (head === 'flat') {
    model.add(tf.layers.flatten());
  } else if (head === 'pool') {
    model.add(tf.layers.globalAveragePooling2d({}));
  } else {
    throw new Error('head ' + head);
  }
  model.add(tf.layers.dense({ units: 3 }));
  return model;
}
`;

describe('engine: architecture variants', () => {
  it('analyses each variant and lists each place once, naming the variants that have it', () => {
    const analysis = analyzeText(FILE, HEADS);
    assert.deepEqual(analysis.models.map((model) => model.graph.variant), [
      "useNorm && head === 'flat'",
      "useNorm && head === 'pool'",
      "!useNorm && head === 'flat'",
      "!useNorm && head === 'pool'",
    ]);
    assert.ok(analysis.models.every((model) => model.graph.name === 'buildHeads' && model.inferences.length === 1));
    const byRule = (ruleId: string) => analysis.findings.filter((finding) => finding.ruleId === ruleId);
    assert.equal(byRule('padding-boundary').length, 1);
    assert.doesNotMatch(byRule('padding-boundary')[0].message, /^When/);
    const [flatten] = byRule('flatten-breaks-invariance');
    assert.equal(byRule('flatten-breaks-invariance').length, 1);
    assert.match(flatten.message, /^When head is 'flat': flatten /);
    assert.deepEqual(flatten.holders?.map((holder) => holder.variant), ["useNorm && head === 'flat'", "!useNorm && head === 'flat'"]);
  });

  it('fixes a finding only some variants have in their code', () => {
    const analysis = analyzeText(FILE, HEADS);
    const flatten = analysis.findings.find((finding) => finding.ruleId === 'flatten-breaks-invariance')!;
    const fixes = fixesForFinding(parseSource(FILE, HEADS), analysis, flatten);
    assert.ok(fixes.length > 0, 'a fix is offered');
    const fixed = applyTextEdits(HEADS, fixes[0].edits);
    assert.doesNotMatch(fixed, /tf\.layers\.flatten\(\)/);
    assert.ok(!analyzeText(FILE, fixed).findings.some((finding) => finding.ruleId === 'flatten-breaks-invariance'));
  });
});
