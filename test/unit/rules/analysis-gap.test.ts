// analysis-gap: unmodelled layers and non-constant configuration (one finding per span over all
// declarations), extraction gaps, and declarations on holders with no model.
import { strict as assert } from 'node:assert';
import { NotConstant } from '../../../server/src/analysis/graph';
import { parseDeclarations } from '../../../server/src/analysis/declarations';
import { runFileRules } from '../../../server/src/rules/runner';
import { RuleTester, assertErrors, causeAt, FIXTURE_FILE, handBuiltModel, inferenceOf, positionOf, runOnHandBuilt } from '../ruleTester';
import { analysisGap } from '../../../server/src/rules/analysis-gap';

const m = handBuiltModel(
  `/**
 * @symmetry invariant translation
 * @symmetry invariant flip
 */
function buildGappyModel(kernelSize) {
  const model = tf.sequential();
  model.add(new ChannelShuffle());
  model.add(tf.layers.conv2d({ filters: 8, kernelSize, padding: 'same' }));
  return model;
}`,
  ['ChannelShuffle', 'conv2d'],
);

describe('analysis-gap (hand-built)', () => {
  it('reports each gap once, listing every declaration it affects', () => {
    const gaps = () => [causeAt(m, 'unmodelled-layer', 0, 'custom layer class ChannelShuffle'), causeAt(m, 'non-constant-config', 1, 'kernelSize is a parameter')];
    const inferences = m.declarations.map((declaration) => inferenceOf(declaration, { gaps: gaps() }));
    const findings = runOnHandBuilt(m, inferences, 'analysis-gap');
    assertErrors(m.text, findings, [
      { messageId: 'unmodelledLayer', line: 7, column: 17, endLine: 7, endColumn: 31, severity: 'info', messageIncludes: ['custom layer class ChannelShuffle, so the effect on translation invariance and flip invariance is unknown', 'probe'] },
      { messageId: 'nonConstantConfig', line: 8, column: 23, endLine: 8, endColumn: 29, messageIncludes: ['kernelSize is a parameter'] },
    ]);
    assert.deepEqual(findings[0].related.map((r) => r.message), ['declared here: @symmetry invariant translation', 'declared here: @symmetry invariant flip']);
  });

  it('reports extraction gaps of a declared model, and nothing for an undeclared one', () => {
    const at = m.text.indexOf('model.add(new');
    const graph = { ...m.graph, gaps: [{ message: 'a loop with a bound that is not constant.', span: { file: FIXTURE_FILE, start: at, end: at + 9 } }] };
    const model = { ...m, graph };
    const findings = runOnHandBuilt(model, [inferenceOf(m.declarations[0])], 'analysis-gap');
    assertErrors(m.text, findings, [{ messageId: 'extractionGap', line: 7, column: 3, endLine: 7, endColumn: 12, messageIncludes: ['a loop with a bound that is not constant; only a probe that runs the code can check buildGappyModel.'] }]);
    assert.deepEqual(runOnHandBuilt(model, [], 'analysis-gap'), []);
  });

  it('suggests the probe only where it can build the model, and names the mode that can otherwise', () => {
    const gaps = () => [causeAt(m, 'unmodelled-layer', 0, 'custom layer class ChannelShuffle')];
    const hintOf = (graph: typeof m.graph, mismatch?: { message: string }) =>
      runOnHandBuilt({ ...m, graph }, [inferenceOf(m.declarations[0], { gaps: gaps(), ...(mismatch ? { mismatch } : {}) })], 'analysis-gap')[0].message.replace(/^.*unknown; /, '');
    // Every layer a built-in with constant configuration: the literal probe builds it.
    assert.equal(hintOf(m.graph), 'run the probe to measure it.');
    // A custom layer or a configuration that is not constant stops the literal probe, not the one that runs the code.
    const custom = { ...m.graph, layers: m.graph.layers.map((layer, i) => (i === 0 ? { ...layer, origin: 'custom' as const } : layer)) };
    assert.equal(hintOf(custom), 'only a probe that runs the code can measure it.');
    const parameterised = { ...m.graph, layers: m.graph.layers.map((layer, i) => (i === 1 ? { ...layer, config: { values: { kernelSize: new NotConstant('a parameter') } } } : layer)) };
    assert.equal(hintOf(parameterised), 'only a probe that runs the code can measure it.');
    // A declaration that does not fit stops every probe.
    assert.equal(hintOf(m.graph, { message: 'the input is not square' }), 'no probe can measure it while the declaration does not fit the model.');
  });

  it('reports a declared holder without a model at its tag', () => {
    const text = '/**\n * @symmetry invariant translation\n */\nexport function loadPretrained() {}';
    const comment = { text: text.slice(0, text.indexOf('*/') + 2), span: { file: FIXTURE_FILE, start: 0, end: text.indexOf('*/') + 2 } };
    const nameStart = text.indexOf('loadPretrained');
    const holder = { name: 'loadPretrained', nameSpan: { file: FIXTURE_FILE, start: nameStart, end: nameStart + 14 }, docComments: [comment] };
    const findings = runFileRules({
      fileName: FIXTURE_FILE,
      declarationProblems: [],
      orphans: [{ holder, declarations: parseDeclarations(comment).declarations }],
      lineOf: (span) => positionOf(text, span.start).line,
    });
    assertErrors(text, findings, [
      { messageId: 'orphan', line: 2, column: 4, endLine: 2, endColumn: 35, messageIncludes: ['loadPretrained declares @symmetry invariant translation but builds no tfjs model'] },
    ]);
    const off = runFileRules({ fileName: FIXTURE_FILE, declarationProblems: [], orphans: [{ holder, declarations: parseDeclarations(comment).declarations }], lineOf: () => 1, severities: { 'analysis-gap': 'off' } });
    assert.deepEqual(off, []);
  });
});

// Source code through the real engine: extraction, inference and this rule, at exact positions.
RuleTester.run(analysisGap, {
  valid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
` },
    { code: `import * as tf from '@tensorflow/tfjs';

export function buildUndeclared(): tf.Sequential {
  const model = tf.sequential();
  model.add(new Unknown());
  return model;
}
` },
  ],
  invalid: [
    { code: `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function loadPretrained(): Promise<tf.LayersModel> {
  return tf.loadLayersModel('indexeddb://my-model');
}
`, errors: [{ messageId: 'orphan', line: 4, column: 4, endLine: 4, endColumn: 35 }] },
    { code: `import * as tf from '@tensorflow/tfjs';

class ChannelShuffle extends tf.layers.Layer {
  static className = 'ChannelShuffle';
}

/**
 * @symmetry invariant translation
 * @symmetry invariant flip
 */
export function buildGappy(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(new ChannelShuffle());
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`, errors: [{ messageId: 'unmodelledLayer', line: 14, column: 17, endLine: 14, endColumn: 31, messageIncludes: ['translation invariance and flip invariance'] }] },
    {
      name: 'a model past the time budget is an analysis gap, not a silent pass',
      code: `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant translation */
export function buildModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [8, 8, 1], units: 4 }));
  return model;
}
`,
      options: { timeBudgetMs: -1 },
      errors: [{ messageId: 'timeBudget', line: 4, column: 17, endLine: 4, endColumn: 27, messageIncludes: ['buildModel was not checked'] }],
    },
  ],
});
