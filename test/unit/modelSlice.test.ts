// The file cut down to one model for fixes that analyse their own result: what the model reaches
// by name stays, other builders become blanks of the same length and lines.
import assert from 'node:assert/strict';
import { parseSource } from '../../server/src/engine';
import { sliceForModelAt } from '../../server/src/fixes/modelSlice';

const TEXT = `import * as tf from '@tensorflow/tfjs';
const WIDTH = 8;
function conv(filters) {
  return tf.layers.conv2d({ filters, kernelSize: 3 });
}
const pool = () => pooling();
function pooling() { return tf.layers.globalAveragePooling2d({}); }
/** @symmetry invariant translation */
function buildTarget() {
  const model = tf.sequential();
  model.add(conv(WIDTH));
  model.add(pool());
  return model;
}
function buildOther() {
  return tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4] })] });
}
class Unrelated extends tf.layers.Layer {}
export const other = buildOther;
`;

describe('model slice for self-checking fixes', () => {
  it('keeps the model, what it reaches by name and the top-level code; blanks the rest in place', () => {
    const sliced = sliceForModelAt(parseSource('/virtual/slice.ts', TEXT), TEXT.indexOf('buildTarget'));
    assert.equal(sliced.length, TEXT.length);
    assert.equal(sliced.split('\n').length, TEXT.split('\n').length);
    for (const kept of ['const WIDTH = 8;', 'function conv(filters)', 'const pool = () => pooling();', 'function pooling()', 'function buildTarget()', 'export const other = buildOther;']) {
      assert.ok(sliced.includes(kept), `keeps ${kept}`);
    }
    // buildOther is named by top-level code, which stays; the class is named by nothing kept.
    assert.ok(sliced.includes('function buildOther()'));
    assert.ok(!sliced.includes('class Unrelated'));
    assert.equal(sliced.indexOf('buildTarget'), TEXT.indexOf('buildTarget'));
  });

  it('returns the text itself when everything is reached', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nfunction build() { return tf.sequential(); }\n";
    assert.equal(sliceForModelAt(parseSource('/virtual/all.ts', text), text.indexOf('build')), text);
  });
});
