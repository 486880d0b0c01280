// positional-encoding: terms tied to positions inside custom layers under permutation, found by
// the custom layer rule (extraction reads call(), the op table judges it), at exact positions.
import { strict as assert } from 'node:assert';
import { RuleTester } from '../ruleTester';
import { positionalEncoding } from '../../../server/src/rules/positional-encoding';
import { AT_READ_TOKEN, tokenModel } from '../customLayerFixtures';
import { analyzeText } from '../../../server/src/engine';

/**
 * A model applying the custom layer TokenMixer (line 8, columns 21-31) to a set of 10 tokens
 * with `features` features, then a mean over the set; the class comes after, with the given
 * build() and call() bodies.
 */
function mixerModel(build: string, call: string, options: { features?: number; config?: string } = {}): string {
  return `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant permutation
 */
export function buildModel() {
  const tokens = tf.input({ shape: [10, ${options.features ?? 16}] });
  const mixed = new TokenMixer(${options.config ?? '{}'}).apply(tokens) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling1d({}).apply(mixed) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: pooled });
}

class TokenMixer extends tf.layers.Layer {
  private causal: boolean;
  private pos!: tf.LayerVariable;
  constructor(config: { causal?: boolean }) {
    super({});
    this.causal = config.causal ?? false;
  }
  build(inputShape: tf.Shape) {
    ${build}
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    ${call}
  }
}
`;
}

const AT_MIXER = { line: 8, column: 21, endLine: 8, endColumn: 31 };
const ATTENTION = `const scores = tf.softmax(tf.matMul(x, x, false, true).div(4), -1);
    return tf.matMul(scores, x);`;

RuleTester.run(positionalEncoding, {
  valid: [
    { name: 'self-attention on the values only', code: mixerModel('', ATTENTION) },
    {
      name: 'a weight per feature, with T = F: it lines up with the feature axis',
      code: mixerModel("this.pos = this.addWeight('scale', [inputShape[2]], 'float32', tf.initializers.ones());", 'return tf.mul(x, this.pos.read());', { features: 10 }),
    },
    {
      name: 'a tf.range of frequencies on the feature axis',
      code: mixerModel('', 'const freqs = tf.exp(tf.range(0, 16).mul(-0.1));\n    return tf.sin(tf.mul(x, freqs));'),
    },
    {
      name: 'the causal mask switched off by the instance config',
      code: mixerModel('', `let scores = tf.matMul(x, x, false, true);
    if (this.causal) scores = tf.linalg.bandPart(scores, -1, 0);
    return tf.matMul(tf.softmax(scores), x);`, { config: '{ causal: false }' }),
    },
  ],
  invalid: [
    {
      name: 'a learned positional weight [T, F] added to the tokens',
      code: mixerModel("this.pos = this.addWeight('pos', [inputShape[1], inputShape[2]], 'float32', tf.initializers.randomNormal({}));", 'return tf.add(x, this.pos.read());'),
      errors: [{ messageId: 'positionalTerm', ...AT_MIXER, messageIncludes: ['TokenMixer', 'permutation invariance is lost'] }],
    },
    {
      name: 'a learned weight [T, F] with T = F: the axes decide, not the sizes',
      code: mixerModel("this.pos = this.addWeight('pos', [10, 10], 'float32', tf.initializers.randomNormal({}));", 'return x.add(this.pos.read());', { features: 10 }),
      errors: [{ messageId: 'positionalTerm', ...AT_MIXER }],
    },
    {
      name: 'an embedding of tf.range(T)',
      code: mixerModel(
        "this.pos = this.addWeight('table', [64, inputShape[2]], 'float32', tf.initializers.randomNormal({}));",
        'const positions = tf.gather(this.pos.read(), tf.range(0, x.shape[1] as number, 1, "int32"));\n    return tf.add(x, positions);',
      ),
      errors: [{ messageId: 'positionalTerm', ...AT_MIXER }],
    },
    {
      name: 'a sinusoidal encoding',
      code: mixerModel('', `const positions = tf.range(0, 10).expandDims(1);
    const freqs = tf.range(0, 16).mul(-0.5).exp().expandDims(0);
    return x.add(tf.sin(tf.mul(positions, freqs)));`),
      errors: [{ messageId: 'positionalTerm', ...AT_MIXER }],
    },
    {
      name: 'a causal mask, switched on by the instance config',
      code: mixerModel('', `let scores = tf.matMul(x, x, false, true);
    if (this.causal) scores = tf.linalg.bandPart(scores, -1, 0);
    return tf.matMul(tf.softmax(scores), x);`, { config: '{ causal: true }' }),
      errors: [{ messageId: 'positionalTerm', ...AT_MIXER }],
    },
    {
      name: 'a slice of the first token',
      code: mixerModel('', 'return tf.slice(x, [0, 0, 0], [-1, 1, -1]);'),
      errors: [{ messageId: 'positionalTerm', ...AT_MIXER }],
    },
    {
      name: 'a cumsum along the set',
      code: mixerModel('', 'return tf.cumsum(x, 1);'),
      errors: [{ messageId: 'positionalTerm', ...AT_MIXER }],
    },
  ],
});

describe('positional-encoding: related information', () => {
  it('points at the op in call() and at the addWeight in build()', () => {
    const code = mixerModel("this.pos = this.addWeight('pos', [inputShape[1], inputShape[2]], 'float32', tf.initializers.randomNormal({}));", 'return tf.add(x, this.pos.read());');
    const [finding] = analyzeText('/virtual/mixer.ts', code).findings.filter((f) => f.ruleId === 'positional-encoding');
    assert.ok(finding);
    const texts = finding.related.map((related) => code.slice(related.span.start, related.span.end));
    assert.ok(texts.includes('tf.add(x, this.pos.read())'), texts.join(' | '));
    assert.ok(texts.some((text) => text.startsWith("this.addWeight('pos'")), texts.join(' | '));
  });
});

// A class token prepended in one custom layer and read back in another (issue 11): the state
// between the layers says where the token is, so reading it back is invariant and reading any
// other fixed position is not.
const TOKEN = 'tf.squeeze(tf.slice(x, [0, 0, 0], [-1, 1, -1]), [1])';

RuleTester.run(positionalEncoding, {
  valid: [
    { name: 'the token read back by a slice of position 0', code: tokenModel('invariant permutation', TOKEN) },
    { name: 'the token read back by a gather of index 0', code: tokenModel('invariant permutation', 'tf.gather(x, 0, 1)') },
    {
      name: 'with a layer norm, a dense and a 1x1 convolution between the layers',
      code: tokenModel('invariant permutation', TOKEN, 'h = tf.layers.conv1d({ filters: 8, kernelSize: 1 }).apply(tf.layers.dense({ units: 8 }).apply(tf.layers.layerNormalization({}).apply(h))) as tf.SymbolicTensor;'),
    },
  ],
  invalid: [
    {
      name: 'a slice of position 1, the first set element',
      code: tokenModel('invariant permutation', 'tf.squeeze(tf.slice(x, [0, 1, 0], [-1, 1, -1]), [1])'),
      errors: [{ messageId: 'positionalTerm', ...AT_READ_TOKEN, messageIncludes: ['ReadToken', 'permutation invariance is lost'] }],
    },
    {
      name: 'a gather of the token and the first set element',
      code: tokenModel('invariant permutation', 'tf.mean(tf.gather(x, [0, 1], 1), 1)'),
      errors: [{ messageId: 'positionalTerm', ...AT_READ_TOKEN }],
    },
    {
      name: 'position 0 when the token was put after the set, not in front',
      code: tokenModel('invariant permutation', TOKEN).replace('tf.concat([tf.tile(this.cls.read(), [x.shape[0], 1, 1]), x], 1)', 'tf.concat([x, tf.tile(this.cls.read(), [x.shape[0], 1, 1])], 1)'),
      errors: [{ messageId: 'positionalTerm', ...AT_READ_TOKEN }],
    },
  ],
});
