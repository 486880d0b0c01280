// Judging measurements against the static verdict, without tfjs: hand-made measurements of a
// statically analysed model, including one where the probe measured nothing at the output.
import { strict as assert } from 'node:assert';
import { analyzeText, parseSource } from '../../server/src/engine';
import type { MeasuredModel } from '../../server/src/probe/measurement';
import { judgeModel } from '../../server/src/probe/verdicts';

const SOURCE = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function pooled() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 1 }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}
`;

function measuredWith(outputError: number | null): MeasuredModel {
  const analysis = analyzeText('verdicts.ts', SOURCE);
  const graph = analysis.models[0].graph;
  return {
    status: 'ok',
    layers: graph.layers.map((layer) => ({
      id: layer.id,
      kind: layer.kind,
      line: 0,
      inputs: layer.inputs,
      output: layer.output,
      relError: [layer.output === graph.outputs[0] ? outputError : 0],
      maxAbsError: [layer.output === graph.outputs[0] ? outputError : 0],
      worstElement: ['shift (1, 0)'],
      measured: ['invariance'],
    })),
    inputTensors: graph.inputs.map((input) => input.tensor),
    outputs: graph.outputs,
    timings: { buildMs: 0, predictMs: 0, measureMs: 0 },
    batch: 4,
  };
}

describe('probe verdicts', () => {
  const analysis = analyzeText('verdicts.ts', SOURCE);
  const model = analysis.models[0];
  const sourceFile = parseSource('verdicts.ts', SOURCE);

  it('agrees when the output was measured and matches the static verdict', () => {
    const [verdict] = judgeModel(model, measuredWith(1e-7), sourceFile).verdicts;
    assert.equal(verdict.staticVerdict, 'holds');
    assert.equal(verdict.measured, true);
    assert.equal(verdict.agrees, true);
  });

  it('does not count a verdict that measured nothing (maxRelError null) as agreeing', () => {
    const judged = judgeModel(model, measuredWith(null), sourceFile);
    const [verdict] = judged.verdicts;
    assert.ok(Number.isNaN(verdict.maxRelError));
    assert.equal(verdict.measured, false);
    assert.equal(verdict.agrees, false);
    assert.equal(verdict.passed, false);
    // Nothing measured is not a disagreement either: no probe finding is invented.
    assert.deepEqual(judged.findings, []);
  });
});
