// Custom layers under groups other than permutation (translation, flip, rotation90, sign) and
// the axis ops that used to be gaps (split, concat along the set axis, general reshape): each
// case is a small model whose verdict a user can check by hand (SPEC 3 and 4).
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../server/src/engine';
import { CUSTOM_OP_RULES } from '../../server/src/analysis/layerRules/customOps';
import { CUSTOM_OP_PARITY } from '../../server/src/analysis/layerRules/customOpParity';
import { describeState } from '../../server/src/analysis/symmetry';

const HEADER = `import * as tf from '@tensorflow/tfjs';\n`;

/** A class `Custom` with the given build() and call() bodies (`inputs` is call()'s parameter). */
function customClass(build: string, call: string): string {
  return `
class Custom extends tf.layers.Layer {
  build(inputShape) {
    ${build}
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    ${call}
  }
}
`;
}

/** A model on an input of `shape` applying Custom, then `after` (a layer factory call or ''). */
function model(declaration: string, shape: string, body: string, after = ''): string {
  return `${HEADER}${body}
/** @symmetry ${declaration} */
export function buildModel() {
  const input = tf.input({ shape: ${shape} });
  const mixed = new Custom({}).apply(input);
  const out = ${after ? `${after}.apply(mixed)` : 'mixed'};
  return tf.model({ inputs: input, outputs: out });
}
`;
}

/** The state after Custom, the rule ids, and the text of each finding's related sites. */
function verdict(code: string) {
  const analysis = analyzeText('/virtual/groups.ts', code);
  const built = analysis.models[0];
  const layer = built.graph.layers.find((l) => l.kind === 'Custom');
  assert.ok(layer, 'the Custom layer is in the graph');
  return {
    after: describeState(built.inferences[0].layerStates[layer!.id]),
    rules: analysis.findings.map((finding) => finding.ruleId),
    messages: analysis.findings.map((finding) => finding.message).join('\n'),
    related: analysis.findings.flatMap((finding) => finding.related.map((r) => code.slice(r.span.start, r.span.end))),
  };
}

const IMAGE = '[12, 12, 3]';
const SET = '[10, 8]';
const PIXEL_WEIGHT = `this.w = this.addWeight('w', [inputShape[3], 4], 'float32', tf.initializers.glorotUniform({}));`;

describe('custom layers on images: translation, flip, rotation90', () => {
  const perPixelRows = customClass(PIXEL_WEIGHT, `const rows = tf.matMul(tf.reshape(x, [-1, x.shape[3]]), this.w.read());
    return tf.reshape(tf.relu(rows), [-1, x.shape[1], x.shape[2], 4]);`);
  const perPixelDot = customClass(PIXEL_WEIGHT, 'return tf.tanh(tf.dot(x, this.w.read()));');

  for (const group of ['translation', 'flip', 'rotation90', 'dihedral']) {
    it(`a per-pixel matMul over the channels (rows of [-1, C] and back) keeps ${group}`, () => {
      const result = verdict(model(`equivariant ${group}`, IMAGE, perPixelRows));
      assert.deepEqual(result.rules, [], result.messages);
      assert.equal(result.after, 'exact');
    });
  }

  it('tf.dot on the channel axis keeps translation, and a channel mean then global pooling is invariant', () => {
    assert.deepEqual(verdict(model('equivariant translation', IMAGE, perPixelDot)).rules, []);
    const pooled = customClass('', 'return tf.mean(x, -1, true);');
    const result = verdict(model('invariant translation', IMAGE, pooled, 'tf.layers.globalAveragePooling2d({})'));
    assert.deepEqual(result.rules, [], result.messages);
  });

  it('a weight of the image size added to every pixel is a per-position weight, blamed at the addWeight', () => {
    const code = model(
      'equivariant translation',
      IMAGE,
      customClass(`this.bias = this.addWeight('bias', [inputShape[1], inputShape[2], 1], 'float32', tf.initializers.zeros());`, 'return tf.add(x, this.bias.read());'),
    );
    const result = verdict(code);
    assert.deepEqual(result.rules, ['position-dependent-weights']);
    assert.ok(result.related.some((text) => text.startsWith('tf.add(x')), result.related.join(' | '));
    assert.ok(result.related.some((text) => text.startsWith("this.addWeight('bias'")), result.related.join(' | '));
  });

  it('a flatten of the pixels inside call() followed by a weight breaks translation where the matMul is', () => {
    const code = model(
      'invariant translation',
      IMAGE,
      customClass(`this.w = this.addWeight('w', [432, 4], 'float32', tf.initializers.glorotUniform({}));`, 'return tf.matMul(tf.reshape(x, [-1, 432]), this.w.read());'),
    );
    const result = verdict(code);
    assert.deepEqual(result.rules, ['flatten-breaks-invariance'], result.messages);
  });

  it('a slice of the top rows breaks translation and flip of rows, but flip (W only) keeps it', () => {
    const crop = customClass('', 'return tf.slice(x, [0, 0, 0, 0], [-1, 6, -1, -1]);');
    assert.deepEqual(verdict(model('equivariant translation', IMAGE, crop)).rules, ['position-dependent-weights']);
    assert.deepEqual(verdict(model('equivariant flip', IMAGE, crop)).rules, []);
  });

  it('a reduction over one spatial axis is a gap under rotation90, which moves both at once', () => {
    const rowMean = customClass('', 'return tf.mean(x, 1, true);');
    assert.deepEqual(verdict(model('equivariant rotation90', IMAGE, rowMean)).rules, ['analysis-gap']);
    assert.deepEqual(verdict(model('equivariant translation', IMAGE, rowMean)).rules, []);
  });
});

describe('custom layers under sign: odd and even ops', () => {
  const SIGN_INPUT = '[6]';
  const weight = `this.w = this.addWeight('w', [inputShape[1], 4], 'float32', tf.initializers.glorotUniform({}));`;
  const bias = `this.b = this.addWeight('b', [4], 'float32', tf.initializers.zeros());`;

  it('tanh of a matMul without bias is odd', () => {
    const result = verdict(model('equivariant sign', SIGN_INPUT, customClass(weight, 'return tf.tanh(tf.matMul(x, this.w.read()));')));
    assert.deepEqual(result.rules, [], result.messages);
    assert.equal(result.after, 'exact');
  });

  it('a bias added breaks it, blamed at the add and at the addWeight of the bias', () => {
    const code = model('equivariant sign', SIGN_INPUT, customClass(`${weight}\n    ${bias}`, 'return tf.add(tf.matMul(x, this.w.read()), this.b.read());'));
    const result = verdict(code);
    assert.deepEqual(result.rules, ['non-odd-layer']);
    assert.match(result.messages, /the weight b/);
    assert.ok(result.related.some((text) => text.startsWith("this.addWeight('b'")), result.related.join(' | '));
  });

  it('relu breaks it; a dense sublayer with the default bias breaks it; without bias and tanh it keeps', () => {
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, customClass(weight, 'return tf.relu(tf.matMul(x, this.w.read()));'))).rules, ['non-odd-layer']);
    const sublayer = (config: string) => `
class Custom extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.inner = tf.layers.dense(${config});
  }
  call(inputs) {
    return this.inner.apply(inputs);
  }
}
`;
    const biased = verdict(model('equivariant sign', SIGN_INPUT, sublayer('{ units: 4 }')));
    assert.deepEqual(biased.rules, ['non-odd-layer']);
    assert.match(biased.messages, /useBias defaults to true/);
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, sublayer("{ units: 4, useBias: false, activation: 'tanh' }"))).rules, []);
  });

  it('a square or an abs makes the output even: invariant holds, equivariant does not', () => {
    const squared = customClass(weight, 'return tf.square(tf.matMul(x, this.w.read()));');
    assert.deepEqual(verdict(model('invariant sign', SIGN_INPUT, squared)).rules, []);
    assert.match(verdict(model('invariant sign', SIGN_INPUT, squared)).after, /^invariant/);
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, squared)).rules, ['non-odd-layer']);
    const product = customClass(weight, 'const h = tf.matMul(x, this.w.read());\n    return tf.mul(h, tf.abs(h));');
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, product)).rules, [], 'odd times even is odd');
  });

  it('an odd layer written with a max is not odd (max(−x) = −min(x)), and an unknown op stays a gap', () => {
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, customClass('', 'return tf.max(x, -1, true);'))).rules, ['non-odd-layer']);
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, customClass('', 'return tf.spectral.rfft(x);'))).rules, ['analysis-gap']);
  });

  it('a norm by tf.moments is odd without a shift, and its variance alone is even', () => {
    const norm = customClass('', 'const { mean, variance } = tf.moments(x, -1, true);\n    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));');
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, norm)).rules, []);
    assert.deepEqual(verdict(model('equivariant permutation', SET, norm)).rules, []);
    const spread = customClass('', 'const { variance } = tf.moments(x, -1, true);\n    return variance;');
    assert.match(verdict(model('invariant sign', SIGN_INPUT, spread)).after, /^invariant/);
    assert.deepEqual(verdict(model('equivariant sign', SIGN_INPUT, spread)).rules, ['non-odd-layer']);
    const setMean = customClass('', 'const { mean } = tf.moments(x, 1);\n    return mean;');
    assert.match(verdict(model('invariant permutation', SET, setMean)).after, /^invariant/);
  });

  it('has a parity rule for every op of the table, and none for an op the table lacks', () => {
    assert.deepEqual([...CUSTOM_OP_RULES.keys()].filter((name) => !CUSTOM_OP_PARITY.has(name)), []);
    assert.deepEqual([...CUSTOM_OP_PARITY.keys()].filter((name) => !CUSTOM_OP_RULES.has(name)), []);
  });
});

describe('custom layers: split, concat along the set axis, reshape', () => {
  it('split along the features and a concat of the halves keeps the set; split along the set breaks it', () => {
    const features = customClass('', 'const [a, b] = tf.split(x, 2, -1);\n    return tf.concat([tf.tanh(b), a], -1);');
    const result = verdict(model('equivariant permutation', SET, features));
    assert.deepEqual(result.rules, [], result.messages);
    assert.equal(result.after, 'exact');
    const halves = customClass('', 'const [first, second] = tf.split(x, 2, 1);\n    return tf.add(first, second);');
    const broken = verdict(model('equivariant permutation', SET, halves));
    assert.deepEqual(broken.rules, ['positional-encoding']);
    assert.ok(broken.related.some((text) => text.startsWith('tf.split(x, 2, 1)')), broken.related.join(' | '));
  });

  it('concat of two sets along the set axis keeps the joint permutation: pooled, it is invariant', () => {
    const joined = customClass(
      `this.w = this.addWeight('w', [inputShape[2], inputShape[2]], 'float32', tf.initializers.glorotUniform({}));`,
      'const both = tf.concat([x, tf.matMul(x, this.w.read())], 1);\n    return tf.matMul(tf.softmax(tf.matMul(both, both, false, true)), both);',
    );
    const result = verdict(model('invariant permutation', SET, joined, 'tf.layers.globalAveragePooling1d({})'));
    assert.deepEqual(result.rules, [], result.messages);
  });

  it('a learned token concatenated along the set axis stays put and keeps the permutation of the others', () => {
    const token = customClass(
      `this.cls = this.addWeight('cls', [1, 1, inputShape[2]], 'float32', tf.initializers.zeros());`,
      'const withToken = tf.concat([tf.tile(this.cls.read(), [x.shape[0], 1, 1]), x], 1);\n    return tf.sum(withToken, 1);',
    );
    assert.deepEqual(verdict(model('invariant permutation', SET, token)).rules, []);
  });

  it('the class token is read back by a slice of the positions the group leaves alone: invariant; a slice of the first set element is not', () => {
    const readBack = (begin: number) =>
      customClass(
        `this.cls = this.addWeight('cls', [1, 1, inputShape[2]], 'float32', tf.initializers.zeros());`,
        `const h = tf.concat([tf.tile(this.cls.read(), [x.shape[0], 1, 1]), x], 1);
    const mixed = tf.matMul(tf.softmax(tf.matMul(h, h, false, true)), h);
    return tf.squeeze(tf.slice(mixed, [0, ${begin}, 0], [-1, 1, -1]), [1]);`,
      );
    const token = verdict(model('invariant permutation', SET, readBack(0)));
    assert.deepEqual(token.rules, [], token.messages);
    assert.match(token.after, /^invariant/);
    assert.deepEqual(verdict(model('invariant permutation', SET, readBack(1))).rules, ['positional-encoding']);
    const gathered = readBack(0).replace('tf.squeeze(tf.slice(mixed, [0, 0, 0], [-1, 1, -1]), [1])', 'tf.squeeze(tf.gather(mixed, [0], 1), [1])');
    assert.deepEqual(verdict(model('invariant permutation', SET, gathered)).rules, []);
    assert.deepEqual(verdict(model('invariant permutation', SET, gathered.replace('[0], 1)', '[0, 1], 1)'))).rules, ['positional-encoding']);
  });

  it('a multi-head reshape [N, T, H·D] -> [N, T, H, D] of a computed tensor keeps the set axis', () => {
    const heads = customClass(
      `this.w = this.addWeight('w', [inputShape[2], 8], 'float32', tf.initializers.glorotUniform({}));`,
      `const q = tf.matMul(x, this.w.read());
    const split = tf.transpose(tf.reshape(q, [-1, x.shape[1], 2, 4]), [0, 2, 1, 3]);
    const mixed = tf.matMul(tf.softmax(tf.matMul(split, split, false, true)), split);
    return tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [-1, x.shape[1], 8]);`,
    );
    const result = verdict(model('equivariant permutation', SET, heads));
    assert.deepEqual(result.rules, [], result.messages);
    assert.equal(result.after, 'exact');
  });

  it('a reshape that splits the set axis merges it with features: a weight after it breaks', () => {
    const folded = customClass(
      `this.w = this.addWeight('w', [16, 8], 'float32', tf.initializers.glorotUniform({}));`,
      'return tf.matMul(tf.reshape(x, [-1, 5, 16]), this.w.read());',
    );
    assert.deepEqual(verdict(model('equivariant permutation', SET, folded)).rules, ['order-dependent-layer']);
  });
});

describe('custom layers: the parity table against the installed tfjs', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const span = { file: '/virtual/parity.ts', start: 0, end: 0 };
  const x = tf.tensor1d([-0.9, -0.7, -0.45, -0.2, 0.15, 0.35, 0.5, 0.8]);

  /** What tfjs computes: 'odd' if f(-x) = -f(x), 'even' if f(-x) = f(x), else 'breaks'. */
  function measured(apply: (t: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Tensor): string {
    const plus = Array.from(apply(x).dataSync());
    const minus = Array.from(apply(tf.neg(x)).dataSync());
    const close = (a: number[], b: number[]) => a.every((value, i) => Math.abs(value - b[i]) < 1e-6);
    const odd = close(minus, plus.map((value) => -value));
    const even = close(minus, plus);
    // All zeros is both: any answer of the table is right.
    if (odd && even) return 'zero';
    return odd ? 'odd' : even ? 'even' : 'breaks';
  }

  const BINARY = ['add', 'sub', 'mul', 'div', 'divNoNan', 'floorDiv', 'mod', 'pow', 'maximum', 'minimum', 'squaredDifference', 'atan2', 'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'];
  /** Boolean-only ops, and ops whose other operands are not tensors of x. */
  const SKIPPED = ['logicalNot', 'logicalAnd', 'logicalOr', 'logicalXor', 'where', 'addN', 'prelu', 'cast', 'asType', 'onesLike', 'zerosLike'];

  it('judges every elementwise op as tfjs computes it (a break only where tfjs is neither odd nor even)', () => {
    const ops = tf as unknown as Record<string, ((...args: unknown[]) => import('@tensorflow/tfjs').Tensor) | undefined>;
    const wrong: string[] = [];
    let checked = 0;
    for (const [name, rule] of CUSTOM_OP_RULES) {
      if (rule.family !== 'elementwise' || SKIPPED.includes(name)) continue;
      const binary = BINARY.includes(name);
      const extra = name === 'clipByValue' ? [-0.5, 0.5] : [];
      const call = (t: import('@tensorflow/tfjs').Tensor) => {
        // Binary ops get two odd operands, x and x³ + x/3 (not a multiple of x).
        const args: unknown[] = binary ? [t, tf.add(tf.pow(t, 3), tf.div(t, 3))] : [t, ...extra];
        const fn = ops[name];
        if (fn) return fn(...args);
        return (t as unknown as Record<string, (...rest: unknown[]) => import('@tensorflow/tfjs').Tensor>)[name](...args.slice(1));
      };
      let said: string;
      try {
        said = CUSTOM_OP_PARITY.get(name)!({ name, operands: [{ parity: 'odd' }, ...(binary ? [{ parity: 'odd' as const }] : extra.map((constant) => ({ constant })))], span });
      } catch {
        said = 'breaks';
      }
      const actual = measured(call);
      checked++;
      if (said !== actual && actual !== 'zero') wrong.push(`${name}: table ${said}, tfjs ${actual}`);
    }
    assert.deepEqual(wrong, []);
    assert.ok(checked >= 50, `${checked} ops checked`);
  });

  it('judges reductions, softmax and running products as tfjs computes them', () => {
    const ops = tf as unknown as Record<string, (...args: unknown[]) => import('@tensorflow/tfjs').Tensor>;
    const wrong: string[] = [];
    for (const [name, rule] of CUSTOM_OP_RULES) {
      // prod is odd or even by the number of factors, which the parity table does not see: it breaks, the safe answer.
      // moments has two outputs, checked through a layer in 'custom layers under sign'.
      if (!['reduction', 'softmax', 'scan'].includes(rule.family) || ['all', 'any', 'prod', 'moments'].includes(name)) continue;
      let said: string;
      try {
        said = CUSTOM_OP_PARITY.get(name)!({ name, operands: [{ parity: 'odd' }, { constant: -1 }], span });
      } catch {
        said = 'breaks';
      }
      // norm(x, ord, axis): its axis is the third argument.
      const actual = measured((t) => (name === 'norm' ? ops[name](tf.reshape(t, [2, 4]), 'euclidean', -1) : ops[name](tf.reshape(t, [2, 4]), -1)));
      if (said !== actual && actual !== 'zero') wrong.push(`${name}: table ${said}, tfjs ${actual}`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe('custom layers: values the evaluator cannot read are gaps, not scalars', () => {
  const table = `
class Custom extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.table = tf.variable(tf.randomNormal([10, 8]));
  }
  call(inputs) {
    return tf.add(inputs, this.table);
  }
}
`;

  for (const declaration of ['equivariant permutation', 'equivariant sign']) {
    it(`a tensor made in the constructor by tf.variable, added in call(), is an analysis gap under ${declaration}`, () => {
      const result = verdict(model(declaration, SET, table));
      assert.deepEqual(result.rules, ['analysis-gap']);
      assert.match(result.messages, /tf\.variable/);
    });
  }

  it('a number computed from sizes still broadcasts as a scalar', () => {
    const scaled = customClass('', 'return tf.mul(x, 1 / Math.sqrt(x.shape[2]));');
    assert.deepEqual(verdict(model('equivariant permutation', SET, scaled)).rules, []);
  });
});

