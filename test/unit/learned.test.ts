// `learned` (SPEC 2): a symmetry training supplies. The tag needs an approximate tol, and the
// static breaks of it are info that says so, where an architectural declaration gets errors.
import { strict as assert } from 'node:assert';
import { parseDeclarations } from '../../server/src/analysis/declarations';
import { analyzeText } from '../../server/src/engine';
import { LEARNED_NOTE } from '../../server/src/rules/runner';

function parse(tag: string) {
  return parseDeclarations({ text: `/**\n * ${tag}\n */`, span: { file: 'f.ts', start: 0, end: 0 } });
}

const CNN = (tags: string) => `import * as tf from '@tensorflow/tfjs';
/**
${tags}
 */
export function buildCnn() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
`;

describe('learned declarations', () => {
  it('reads the flag after the options', () => {
    const { declarations, problems } = parse('@symmetry invariant flip tol=0.05 learned');
    assert.deepEqual(problems, []);
    assert.equal(declarations.length, 1);
    assert.equal(declarations[0].learned, true);
    assert.equal(declarations[0].text, 'invariant flip tol=0.05 learned');
    assert.equal(parse('@symmetry invariant flip tol=0.05').declarations[0].learned, undefined);
  });

  it('needs a tol of 1e-2 or more, and suggests one when it is missing', () => {
    const missing = parse('@symmetry invariant flip learned');
    assert.equal(missing.declarations.length, 0);
    assert.match(missing.problems[0].expected, /tol of 1e-2 or more with learned/);
    assert.equal(missing.problems[0].suggestion, '@symmetry invariant flip tol=0.05 learned');
    const tight = parse('@symmetry invariant flip tol=1e-3 learned');
    assert.equal(tight.declarations.length, 0);
    assert.equal(tight.problems[0].found, 'tol=0.001');
  });

  it('suggests the spelling of a near miss', () => {
    const { problems } = parse('@symmetry invariant flip tol=0.05 learnt');
    assert.equal(problems[0].found, 'learnt');
    assert.equal(problems[0].suggestion, '@symmetry invariant flip tol=0.05 learned');
  });

  it('turns the error a CNN gets under flip into info that says training must teach it', () => {
    const architectural = analyzeText('/v/cnn.ts', CNN(' * @symmetry invariant flip tol=0.05\n * @symmetry invariant translation')).findings;
    const kernel = architectural.find((finding) => finding.ruleId === 'kernel-breaks-rotation');
    assert.equal(kernel?.severity, 'error');
    const learned = analyzeText('/v/cnn.ts', CNN(' * @symmetry invariant flip tol=0.05 learned\n * @symmetry invariant translation')).findings;
    const info = learned.find((finding) => finding.ruleId === 'kernel-breaks-rotation');
    assert.equal(info?.severity, 'info');
    assert.ok(info?.message.endsWith(LEARNED_NOTE), info?.message);
    assert.equal(info?.line, kernel?.line);
    // The other declaration of the same model keeps its own severity.
    assert.equal(learned.find((finding) => finding.ruleId === 'padding-boundary')?.severity, 'warning');
  });
});
