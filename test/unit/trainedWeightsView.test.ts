// The "trained weights" view (issue 9): the saved-model probe's measurement in words next to the
// static verdict of the source model, including the surprise of a model exact by architecture
// that is not so once trained.
import { strict as assert } from 'node:assert';
import { analyzeText, parseSource, type ModelAnalysis } from '../../server/src/engine';
import type { ProbeVerdict } from '../../server/src/protocol';
import { trainedWeightsSentences } from '../../server/src/probe/trainedWeightsView';

const FILE = '/virtual/classifier.ts';

function modelOf(code: string): { model: ModelAnalysis; lineOf: (span: { start: number }) => number } {
  const model = analyzeText(FILE, code).models[0];
  assert.ok(model);
  const sourceFile = parseSource(FILE, code);
  return { model, lineOf: (span) => sourceFile.getLineAndCharacterOfPosition(span.start).line + 1 };
}

function verdict(group: string, maxRelError: number, passed: boolean, tol = 0.05): ProbeVerdict {
  return { mode: 'invariant', group, tol, maxRelError, maxAbsError: maxRelError, worstElement: 'flip', breakingLayerLine: null, passed, staticVerdict: 'unknown', agrees: true, measured: true };
}

const CNN = (doc: string) => `import * as tf from '@tensorflow/tfjs';
${doc}
function buildCnn() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`;

describe('trained weights beside the static verdict', () => {
  it('a learned flip: broken statically at the convolution, approximate once trained', () => {
    const { model, lineOf } = modelOf(CNN('/** @symmetry invariant flip tol=0.05 learned */'));
    assert.deepEqual(trainedWeightsSentences(model, [verdict('flip', 0.0312, true)], lineOf), [
      'static: broken at conv2d line 5; trained weights: 0.031 relative error under flip (learned, approximate)',
    ]);
  });

  it('above tol, and translation approximate by zero padding', () => {
    const { model, lineOf } = modelOf(CNN('/** @symmetry invariant translation tol=0.05 */'));
    assert.deepEqual(trainedWeightsSentences(model, [verdict('translation', 0.2, false)], lineOf), [
      'static: approximate (zero padding); trained weights: 0.2 relative error under translation (above tol=0.05)',
    ]);
  });

  it('exact by architecture but not once trained points at what differs at run time', () => {
    const pointwise = CNN('/** @symmetry invariant flip */').replace('kernelSize: 3', 'kernelSize: 1');
    const { model, lineOf } = modelOf(pointwise);
    const [sentence] = trainedWeightsSentences(model, [verdict('flip', 0.01, false, 1e-4)], lineOf);
    assert.ok(sentence.startsWith('static: exact; trained weights: 0.01 relative error under flip (above tol=0.0001); the architecture is exact'), sentence);
    assert.ok(sentence.includes('batch-norm statistics'), sentence);
    const [agreeing] = trainedWeightsSentences(model, [verdict('flip', 3e-7, true, 1e-4)], lineOf);
    assert.equal(agreeing, 'static: exact; trained weights: 3e-7 relative error under flip (exact)');
  });

  it('names the batch-norm layers and the saved layers the static graph lacks when training lost an exact symmetry', () => {
    const withNorm = CNN('/** @symmetry invariant flip */').replace('kernelSize: 3', 'kernelSize: 1').replace("  model.add(tf.layers.globalAveragePooling2d({}));", "  model.add(tf.layers.batchNormalization({}));\n  model.add(tf.layers.globalAveragePooling2d({}));");
    const { model, lineOf } = modelOf(withNorm);
    const [sentence] = trainedWeightsSentences(model, [verdict('flip', 0.02, false, 1e-4)], lineOf, ['Conv2D', 'BatchNormalization', 'Lambda', 'GlobalAveragePooling2D']);
    assert.ok(sentence.includes('exact at initialisation but the trained model is not'), sentence);
    assert.ok(sentence.includes('batch-norm statistics (batchNormalization line 6)'), sentence);
    assert.ok(sentence.includes('layers of the saved model the static plan could not see (Lambda)'), sentence);
  });
});
