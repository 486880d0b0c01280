// Judging measurements against the static verdict, and planning the actions of a channels-first
// model, without running tfjs: hand-made measurements of a statically analysed model.
import { strict as assert } from 'node:assert';
import { analyzeText, parseSource } from '../../server/src/engine';
import type { MeasuredModel } from '../../server/src/probe/measurement';
import { judgeModel } from '../../server/src/probe/verdicts';
import { buildProbePlan } from '../../server/src/probe/planBuilder';
import { actionsFor } from '../../server/src/probe/measurement';
import { groupElements } from '../../server/src/probe/groupElements';

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

describe('probe plan and actions for a channels-first model', () => {
  const text = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function channelsFirst() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [3, 12, 20], filters: 4, kernelSize: 1, dataFormat: 'channelsFirst' }),
    tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }),
  ] });
}
`;

  it('shifts the axes behind the channels, with shifts sized by H and W', () => {
    const model = analyzeText('cf.ts', text).models[0];
    const { plan } = buildProbePlan(model, parseSource('cf.ts', text));
    assert.equal(plan.inputs[0].channelsFirst, true);
    const action = actionsFor(plan, plan.declarations[0]).get(plan.inputs[0].tensor);
    assert.deepEqual(action, { kind: 'spatial', axes: [2, 3], scale: [1, 1] });
    const shifts = groupElements('translation', plan.inputs[0].shape, 1, 15, 7, true).map((element) => (element.kind === 'shift' ? element.shifts : []));
    // Shifts wrap at H = 12 and W = 20 (not at C = 3): a shift by 15 on each axis is (3, 15).
    assert.deepEqual(shifts.slice(0, 3), [[1, 0], [0, 1], [3, 15]]);
    assert.ok(shifts.every(([h, w]) => h < 12 && w < 20));
  });
});
