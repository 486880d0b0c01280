// The `positional-encoding` quick fix (SPEC 7: drop the term), on hand-made findings shaped as
// the rule reports them: a span on the term or on the sum it enters, related locations inside a
// custom layer's call(), and `data.term` naming the term. Each fixed file must parse and keep
// the other operand; where the term cannot be told apart, no fix is offered.
import { strict as assert } from 'node:assert';
import { analyzeText, parseSource, spanToLspRange, type LocatedFinding } from '../../server/src/engine';
import { applyTextEdits, fixesForFinding } from '../../server/src/fixes/index';

const FILE = '/virtual/positional.ts';

function syntaxErrors(text: string): number {
  return (parseSource(FILE, text) as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0;
}

/** A finding of the rule on the first `needle` of `text`, with a related location on `related`. */
function findingAt(text: string, needle: string, options: { related?: string; term?: string } = {}): LocatedFinding {
  const spanOf = (what: string) => {
    const start = text.indexOf(what);
    assert.ok(start >= 0, `no ${what}`);
    return { file: FILE, start, end: start + what.length };
  };
  const span = spanOf(needle);
  const range = spanToLspRange(parseSource(FILE, text), span);
  return {
    ruleId: 'positional-encoding',
    severity: 'error',
    message: 'a term tied to positions breaks permutation invariance',
    messageId: 'positional',
    span,
    related: options.related ? [{ span: spanOf(options.related), message: 'the term is added here' }] : [],
    group: 'permutation',
    mode: 'invariant',
    modelName: 'build',
    data: options.term ? { term: options.term } : {},
    line: range.start.line,
    character: range.start.character,
    endLine: range.end.line,
    endCharacter: range.end.character,
  };
}

function fixed(text: string, finding: LocatedFinding): string | undefined {
  const fixes = fixesForFinding(parseSource(FILE, text), analyzeText(FILE, text), finding);
  if (fixes.length === 0) return undefined;
  assert.equal(fixes.length, 1);
  assert.equal(fixes[0].isPreferred, true);
  assert.match(fixes[0].title, /^Remove the positional term /);
  const result = applyTextEdits(text, fixes[0].edits);
  assert.equal(syntaxErrors(result), 0, result);
  return result;
}

const CUSTOM_LAYER = `import * as tf from '@tensorflow/tfjs';

class LearnedPositions extends tf.layers.Layer {
  static className = 'LearnedPositions';
  private table!: tf.LayerVariable;
  build(inputShape: tf.Shape | tf.Shape[]) {
    const shape = inputShape as number[];
    this.table = this.addWeight('table', [shape[1], shape[2]], 'float32', tf.initializers.randomNormal({}));
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.add(x, this.table.read());
  }
}

/** @symmetry invariant permutation */
export function build() {
  const tokens = tf.input({ shape: [10, 4] });
  const placed = new LearnedPositions({}).apply(tokens) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.globalAveragePooling1d({}).apply(placed) as tf.SymbolicTensor });
}
`;

describe('positional-encoding quick fix', () => {
  it('drops a learned positional weight inside call(), found through the related location', () => {
    const result = fixed(CUSTOM_LAYER, findingAt(CUSTOM_LAYER, 'new LearnedPositions({}).apply(tokens)', { related: 'this.table.read()' }));
    assert.ok(result);
    assert.match(result, /\n {4}return x;\n/);
    assert.doesNotMatch(result, /tf\.add\(x, this\.table\.read\(\)\)/);
  });

  it('drops an add layer input the finding names, keeping the cast', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant permutation */
export function build() {
  const tokens = tf.input({ shape: [12], dtype: 'int32' });
  const embedded = tf.layers.embedding({ inputDim: 50, outputDim: 8 }).apply(tokens) as tf.SymbolicTensor;
  const positions = tf.layers.embedding({ inputDim: 12, outputDim: 8 }).apply(tokens) as tf.SymbolicTensor;
  const summed = tf.layers.add({}).apply([embedded, positions]) as tf.SymbolicTensor;
  const extra = tf.layers.add({}).apply([embedded, positions, summed]) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: tf.layers.globalAveragePooling1d({}).apply(extra) as tf.SymbolicTensor });
}
`;
    const two = fixed(text, findingAt(text, 'tf.layers.add({}).apply([embedded, positions])', { term: 'positions' }));
    assert.ok(two);
    assert.match(two, /const summed = embedded as tf\.SymbolicTensor;/);
    const three = fixed(text, findingAt(text, 'tf.layers.add({}).apply([embedded, positions, summed])', { term: 'positions' }));
    assert.ok(three);
    assert.match(three, /tf\.layers\.add\(\{\}\)\.apply\(\[embedded, summed\]\)/);
  });

  it('removes a statement that only added the term, and a causal mask multiplied in', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
export function attend(q: tf.Tensor3D, k: tf.Tensor3D, encoding: tf.Tensor) {
  let scores = tf.matMul(q, k, false, true);
  scores = scores.add(encoding);
  const masked = scores.mul(tf.linalg.bandPart(tf.onesLike(scores), -1, 0));
  return tf.softmax(masked);
}
`;
    const statement = fixed(text, findingAt(text, 'scores.add(encoding)', { term: 'encoding' }));
    assert.ok(statement);
    assert.doesNotMatch(statement, /encoding\)/);
    assert.match(statement, /let scores = tf\.matMul\(q, k, false, true\);\n {2}const masked/);
    const mask = fixed(text, findingAt(text, 'tf.linalg.bandPart(tf.onesLike(scores), -1, 0)'));
    assert.ok(mask);
    assert.match(mask, /const masked = scores;/);
  });

  it('keeps precedence: a kept sum inside a larger expression gets parentheses', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
export function mix(a: tf.Tensor, b: tf.Tensor, sinusoid: tf.Tensor) {
  return tf.add(a.add(b), sinusoid).mul(2);
}
export function plain(a: number, b: number, pos: number) {
  return (a + b + pos) * 2;
}
`;
    const call = fixed(text, findingAt(text, 'tf.add(a.add(b), sinusoid)', { term: 'sinusoid' }));
    assert.ok(call);
    assert.match(call, /return a\.add\(b\)\.mul\(2\);/);
    const sum = fixed(text, findingAt(text, 'a + b + pos', { term: 'pos' }));
    assert.ok(sum);
    assert.match(sum, /return \(a \+ b\) \* 2;/);
  });

  it('offers nothing where the term cannot be told apart or is not added', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
export function f(a: tf.Tensor, b: tf.Tensor, table: tf.Tensor) {
  const both = tf.add(a, b);
  const first = table.sub(a);
  const running = tf.cumsum(a, 1);
  return [both, first, running];
}
`;
    assert.equal(fixed(text, findingAt(text, 'tf.add(a, b)')), undefined);
    // Removing the minuend would negate the value: only a subtracted term can go.
    assert.equal(fixed(text, findingAt(text, 'table.sub(a)', { term: 'table' })), undefined);
    assert.equal(fixed(text, findingAt(text, 'tf.cumsum(a, 1)')), undefined);
  });
});
