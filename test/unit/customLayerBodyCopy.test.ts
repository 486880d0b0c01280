// Tests of the per-layer copy of a custom layer body: it must be the copy structuredClone made
// (same data, shared parts still shared, NotConstant as structuredClone leaves it), and share
// nothing with the cached body, so shifting one layer's spans leaves the cache and the others be.
import { strict as assert } from 'node:assert';
import * as util from 'node:util';
import { analyzeText } from '../../server/src/engine';
import { copyPlainData } from '../../server/src/analysis/extraction/customLayers';
import { NotConstant } from '../../server/src/analysis/graph';

function sameAsStructuredClone(value: unknown): void {
  const ours = copyPlainData(value, new Map());
  const theirs = structuredClone(value);
  assert.equal(util.inspect(ours, { depth: null, showHidden: true }), util.inspect(theirs, { depth: null, showHidden: true }));
  assert.deepStrictEqual(ours, theirs);
}

describe('copyPlainData', () => {
  it('copies a body as structuredClone does, sharing and holes included', () => {
    const span = { file: 'a.ts', start: 3, end: 9 };
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , 3];
    const options = JSON.parse('{"__proto__": {"x": 1}, "axis": -1}');
    const body = {
      className: 'Gate',
      classSpan: span,
      ops: [
        { op: 'input', operands: [], options: { index: 0 }, span },
        { op: 'mul', operands: [{ value: 0 }, { constant: [2, holey, null, 'same', true] }], options, span: { ...span, start: 5 } },
        { op: 'add', operands: [{ value: 1 }, { constant: new NotConstant('a value read at run time') }], span },
      ],
      output: 2,
      outputs: [2, undefined],
    };
    sameAsStructuredClone(body);
    const copy = copyPlainData(body, new Map());
    assert.equal(copy.ops[0].span, copy.classSpan, 'a span shared in the body stays shared in the copy');
    assert.notEqual(copy.classSpan, body.classSpan);
    assert.equal(Object.getPrototypeOf(copy.ops[1].options), Object.prototype);
    const copiedHoley = (copy.ops[1].operands[1] as { constant: unknown[][] }).constant[1];
    assert.equal(copiedHoley.length, 3);
    assert.ok(!(1 in copiedHoley), 'the hole stays a hole');
    assert.ok(!((copy.ops[2].operands[1] as { constant: unknown }).constant instanceof NotConstant), 'structuredClone leaves a plain object');
  });

  it('shares nothing with the original: shifting a copy leaves the original where it was', () => {
    const body = { classSpan: { file: 'a.ts', start: 3, end: 9 }, ops: [{ op: 'input', operands: [], span: { file: 'a.ts', start: 4, end: 5 } }] };
    const copy = copyPlainData(body, new Map());
    copy.classSpan.start += 10;
    copy.ops[0].span.start += 10;
    assert.equal(body.classSpan.start, 3);
    assert.equal(body.ops[0].span.start, 4);
  });

  it('gives two layers of one cached body their own copies', () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'class Scale extends tf.layers.Layer {',
      '  call(inputs) { return tf.mul(inputs, 2); }',
      "  static get className() { return 'Scale'; }",
      '}',
      '/** @symmetry invariant translation */',
      'export function build() {',
      '  const model = tf.sequential();',
      "  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same' }));",
      '  model.add(new Scale());',
      '  model.add(new Scale());',
      '  model.add(tf.layers.globalAveragePooling2d({}));',
      '  return model;',
      '}',
    ].join('\n');
    const analysis = analyzeText('copies.ts', text);
    const bodies = analysis.models[0].graph.layers.flatMap((layer) => (layer.body ? [layer.body] : []));
    assert.equal(bodies.length, 2);
    assert.deepStrictEqual(bodies[0], bodies[1]);
    assert.notEqual(bodies[0], bodies[1]);
    assert.notEqual(bodies[0].ops[0].span, bodies[1].ops[0].span);
  });
});
