// eslint-plugin-symmetry-lint under ESLint's own RuleTester: for every rule of the plugin, code
// it accepts and code it reports, with the message, the exact position, the fix `--fix` applies
// and the suggestions. The models are small and written for these tests.
import * as os from 'node:os';
import * as path from 'node:path';
import { RuleTester } from 'eslint';
import * as typescriptParser from '@typescript-eslint/parser';
import plugin from '../../../eslint-plugin/src/index';
import { RULES } from '../../../server/src/rules/registry';

const TFJS = "import * as tf from '@tensorflow/tfjs';\n";
const LAYERS = "import * as sl from 'symmetry-lint-layers';\n";

/** A declared sequential model, one `model.add` per layer: layer i is on line 8 + i. */
function modelSource(declaration: string, layers: string[], imports = TFJS): string {
  const adds = layers.map((layer) => `  model.add(${layer});\n`).join('');
  return `${imports}\n/**\n * @symmetry ${declaration}\n */\nexport function buildModel(): tf.Sequential {\n  const model = tf.sequential();\n${adds}  return model;\n}\n`;
}

const CONV_32 = 'tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 })';
const AVERAGE = 'tf.layers.globalAveragePooling2d({})';

const ruleTester = new RuleTester({ languageOptions: { parser: typescriptParser } });
// Helpers are looked up beside the file, so the file is placed in a folder that holds none.
const filename = path.join(os.tmpdir(), 'symmetry-lint-rule-tester', 'model.ts');

describe('eslint-plugin-symmetry-lint: RuleTester', () => {
  it('has one rule per static rule id, with docs links, and no probe rules', () => {
    const ids = Object.keys(plugin.rules).sort();
    if (ids.includes('probe-violation') || ids.includes('probe-disagrees')) throw new Error('probe rules are in the plugin');
    const staticIds = RULES.map((rule) => rule.id).filter((id) => !id.startsWith('probe-')).sort();
    if (ids.join() !== staticIds.join()) throw new Error(`expected the static rules ${staticIds.join(', ')}, found ${ids.join(', ')}`);
    for (const id of ids) {
      const url = plugin.rules[id].meta?.docs?.url ?? '';
      if (!url.endsWith(`/docs/rules/${id}.md`)) throw new Error(`${id}: docs url ${url}`);
    }
  });
});

ruleTester.run('invalid-declaration', plugin.rules['invalid-declaration'], {
  valid: [{ filename, code: modelSource('invariant translation', [CONV_32, AVERAGE]) }],
  invalid: [
    {
      filename,
      code: modelSource('invarient translation', [CONV_32, AVERAGE]),
      output: modelSource('invariant translation', [CONV_32, AVERAGE]),
      errors: [
        {
          message: 'The @symmetry tag has "invarient" where a mode (invariant or equivariant) is expected; did you mean "@symmetry invariant translation"?',
          line: 4,
          column: 14,
          endLine: 4,
          endColumn: 23,
        },
      ],
    },
    {
      // `settings.symmetryLint.symmetry` is the plugin's `--symmetry`: a malformed one is
      // reported at the top of the file, as the engine does for the command line.
      filename,
      settings: { symmetryLint: { symmetry: ['invariant rotation'] } },
      code: `${TFJS}export const model = tf.sequential();\n`,
      errors: [
        {
          message:
            'The --symmetry "invariant rotation" has "rotation" where a group (translation, rotation90, flip, dihedral, permutation, sign) is expected, so it was not applied.',
          line: 1,
          column: 1,
        },
      ],
    },
  ],
});

ruleTester.run('declaration-mismatch', plugin.rules['declaration-mismatch'], {
  valid: [{ filename, code: modelSource('invariant rotation90', [CONV_32, AVERAGE]) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant rotation90', ['tf.layers.conv2d({ inputShape: [28, 32, 3], filters: 8, kernelSize: 1 })', AVERAGE]),
      errors: [
        {
          message: "rotation90 needs a square input, but this model's input is 28x32, so @symmetry invariant rotation90 is not checked.",
          line: 4,
          column: 4,
          endLine: 4,
          endColumn: 34,
        },
      ],
    },
  ],
});

ruleTester.run('flatten-breaks-invariance', plugin.rules['flatten-breaks-invariance'], {
  valid: [{ filename, code: modelSource('invariant translation', [CONV_32, AVERAGE, 'tf.layers.dense({ units: 10 })']) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant translation', [CONV_32, 'tf.layers.flatten()', 'tf.layers.dense({ units: 10 })']),
      output: modelSource('invariant translation', [CONV_32, AVERAGE, 'tf.layers.dense({ units: 10 })']),
      errors: [
        {
          message: 'flatten turns positions into features that dense at line 10 mixes, so translation invariance is lost; use global pooling instead of flatten.',
          line: 9,
          column: 23,
          endLine: 9,
          endColumn: 30,
          suggestions: [
            {
              desc: 'Use global max pooling instead of flatten',
              output: modelSource('invariant translation', [CONV_32, 'tf.layers.globalMaxPooling2d({})', 'tf.layers.dense({ units: 10 })']),
            },
          ],
        },
      ],
    },
    {
      // No tag in the file: the setting declares the symmetry for every model.
      filename,
      settings: { symmetryLint: { symmetry: ['invariant translation'] } },
      code: `${TFJS}export function buildModel(): tf.Sequential {\n  const model = tf.sequential();\n  model.add(${CONV_32});\n  model.add(tf.layers.flatten());\n  model.add(tf.layers.dense({ units: 10 }));\n  return model;\n}\n`,
      output: `${TFJS}export function buildModel(): tf.Sequential {\n  const model = tf.sequential();\n  model.add(${CONV_32});\n  model.add(${AVERAGE});\n  model.add(tf.layers.dense({ units: 10 }));\n  return model;\n}\n`,
      errors: [
        {
          message: 'flatten turns positions into features that dense at line 6 mixes, so translation invariance is lost; use global pooling instead of flatten.',
          line: 5,
          column: 23,
          suggestions: [
            {
              desc: 'Use global max pooling instead of flatten',
              output: `${TFJS}export function buildModel(): tf.Sequential {\n  const model = tf.sequential();\n  model.add(${CONV_32});\n  model.add(tf.layers.globalMaxPooling2d({}));\n  model.add(tf.layers.dense({ units: 10 }));\n  return model;\n}\n`,
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('output-not-invariant', plugin.rules['output-not-invariant'], {
  valid: [{ filename, code: modelSource('invariant translation', [CONV_32, AVERAGE]) }, { filename, code: modelSource('equivariant translation', [CONV_32]) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant translation', [CONV_32]),
      output: modelSource('invariant translation', [CONV_32, AVERAGE]),
      errors: [
        {
          message: 'The output still carries the spatial axes, so translation invariance cannot hold; add global pooling before the output, or declare equivariant.',
          line: 8,
          column: 23,
          endLine: 8,
          endColumn: 29,
          suggestions: [{ desc: 'Add global max pooling at the output', output: modelSource('invariant translation', [CONV_32, 'tf.layers.globalMaxPooling2d({})']) }],
        },
      ],
    },
  ],
});

ruleTester.run('strided-aliasing', plugin.rules['strided-aliasing'], {
  valid: [{ filename, code: modelSource('invariant translation', [CONV_32, AVERAGE]) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant translation', ['tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1, strides: 2 })', AVERAGE]),
      output: modelSource(
        'invariant translation',
        ['tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1, strides: 1 })', 'new sl.PolyphasePool2D({ stride: 2 })', AVERAGE],
        TFJS + LAYERS,
      ),
      errors: [
        {
          message: 'conv2d downsamples, so translation invariance holds only for shifts by multiples of 2; use BlurPool2D (anti-aliased) or PolyphasePool2D (exact) instead.',
          line: 8,
          column: 23,
          endLine: 8,
          endColumn: 29,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('padding-boundary', plugin.rules['padding-boundary'], {
  valid: [{ filename, code: modelSource('invariant translation', ["tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1, padding: 'same' })", AVERAGE]) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant translation', ["tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' })", AVERAGE]),
      output: modelSource(
        'invariant translation',
        ['new sl.CircularPad2D({ padding: 1, inputShape: [32, 32, 3] })', "tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'valid' })", AVERAGE],
        TFJS + LAYERS,
      ),
      errors: [
        {
          message: "conv2d pads with zeros, so translation invariance holds only approximately, at the borders; pad with CircularPad2D and use padding 'valid'.",
          line: 8,
          column: 23,
          endLine: 8,
          endColumn: 29,
        },
      ],
    },
  ],
});

ruleTester.run('kernel-breaks-rotation', plugin.rules['kernel-breaks-rotation'], {
  valid: [{ filename, code: modelSource('invariant rotation90', [CONV_32, AVERAGE]) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant rotation90', ['tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3 })', AVERAGE]),
      output: modelSource(
        'invariant rotation90',
        ['new sl.P4ConvLifting2D({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3 })', 'new sl.P4GroupPool()', AVERAGE],
        TFJS + LAYERS,
      ),
      errors: [
        {
          message: 'conv2d has a learned kernel that rotation90 does not map onto itself, so rotation90 invariance is lost; use P4 group convolutions or GroupAveraging.',
          line: 8,
          column: 23,
          endLine: 8,
          endColumn: 29,
          suggestions: [],
        },
      ],
    },
  ],
});

ruleTester.run('rotation-grid-mismatch', plugin.rules['rotation-grid-mismatch'], {
  valid: [
    {
      filename,
      code: modelSource('invariant rotation90', ["tf.layers.conv2d({ inputShape: [25, 25, 3], filters: 8, kernelSize: 1, strides: 2, padding: 'same' })", 'tf.layers.globalMaxPooling2d({})']),
    },
  ],
  invalid: [
    {
      filename,
      code: modelSource('invariant rotation90', ["tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1, strides: 2, padding: 'same' })", 'tf.layers.globalMaxPooling2d({})']),
      errors: [
        {
          message: 'conv2d samples a grid whose centre rotation90 moves, so rotation90 invariance holds only for a subgroup; choose an input size that keeps the grid centred.',
          line: 8,
          column: 23,
          endLine: 8,
          endColumn: 29,
        },
      ],
    },
  ],
});

ruleTester.run('order-dependent-layer', plugin.rules['order-dependent-layer'], {
  valid: [{ filename, code: modelSource('invariant permutation', ['tf.layers.dense({ inputShape: [20, 8], units: 16 })', 'tf.layers.globalAveragePooling1d({})']) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant permutation', ['tf.layers.dense({ inputShape: [20, 8], units: 16 })', 'tf.layers.lstm({ units: 32 })']),
      output: modelSource(
        'invariant permutation',
        ['tf.layers.dense({ inputShape: [20, 8], units: 16 })', "new sl.SetDense({ units: 32, activation: 'tanh' })", 'new sl.SetPool({})'],
        TFJS + LAYERS,
      ),
      errors: [
        {
          message: 'lstm reads its input in order, so permutation invariance is lost; for a set, use SetDense and SetPool.',
          line: 9,
          column: 23,
          endLine: 9,
          endColumn: 27,
          suggestions: [
            {
              desc: 'Use self-attention over the set (SetAttention with a learned-query pooling) instead of lstm',
              output: modelSource('invariant permutation', ['tf.layers.dense({ inputShape: [20, 8], units: 16 })', 'new sl.SetAttention({ units: 32, pooling: true })'], TFJS + LAYERS),
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('position-dependent-weights', plugin.rules['position-dependent-weights'], {
  valid: [{ filename, code: modelSource('invariant translation', [CONV_32, 'tf.layers.prelu({ sharedAxes: [1, 2] })', AVERAGE]) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant translation', [CONV_32, 'tf.layers.prelu()', AVERAGE]),
      output: modelSource('invariant translation', [CONV_32, 'tf.layers.prelu({ sharedAxes: [1, 2] })', AVERAGE]),
      errors: [
        {
          message:
            'prelu has a separate weight for each position, so a transformed input meets other weights and translation invariance is lost; share them over the spatial axes with sharedAxes.',
          line: 9,
          column: 23,
          endLine: 9,
          endColumn: 28,
        },
      ],
    },
  ],
});

ruleTester.run('non-odd-layer', plugin.rules['non-odd-layer'], {
  valid: [{ filename, code: modelSource('equivariant sign', ['tf.layers.dense({ inputShape: [6], units: 3, useBias: false })']) }],
  invalid: [
    {
      filename,
      code: modelSource('equivariant sign', ['tf.layers.dense({ inputShape: [6], units: 3 })']),
      output: modelSource('equivariant sign', ['tf.layers.dense({ inputShape: [6], units: 3, useBias: false })']),
      errors: [
        {
          message: 'dense adds an offset, which does not change sign with its input, so sign equivariance (oddness) is lost; set useBias: false.',
          line: 8,
          column: 23,
          endLine: 8,
          endColumn: 28,
        },
      ],
    },
  ],
});

ruleTester.run('analysis-gap', plugin.rules['analysis-gap'], {
  valid: [{ filename, code: modelSource('invariant translation', [CONV_32, AVERAGE]) }],
  invalid: [
    {
      filename,
      code: modelSource('invariant translation', [CONV_32, 'new ChannelShuffle()', AVERAGE], `${TFJS}import { ChannelShuffle } from './customLayers';\n`),
      errors: [
        {
          message: 'ChannelShuffle is a custom layer the analysis cannot see into, so the effect on translation invariance is unknown; only a probe that runs the code can measure it.',
          line: 10,
          column: 17,
          endLine: 10,
          endColumn: 31,
        },
      ],
    },
    {
      filename,
      code: `${TFJS}\n/** @symmetry invariant translation */\nexport function loadPretrained(): Promise<tf.LayersModel> {\n  return tf.loadLayersModel('indexeddb://my-model');\n}\n`,
      errors: [
        {
          message: 'loadPretrained declares @symmetry invariant translation but builds no tfjs model, so there is nothing to check.',
          line: 3,
          column: 5,
          endLine: 3,
          endColumn: 36,
        },
      ],
    },
  ],
});

/** A set of 10 tokens through the custom layer TokenMixer (line 8) with the given call() body, then a mean. */
function tokenMixerSource(callBody: string): string {
  return `${TFJS}
/**
 * @symmetry invariant permutation
 */
export function buildModel() {
  const tokens = tf.input({ shape: [10, 16] });
  const mixed = new TokenMixer({}).apply(tokens) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling1d({}).apply(mixed) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: pooled });
}

class TokenMixer extends tf.layers.Layer {
  private pos!: tf.LayerVariable;
  constructor(config: object) {
    super({});
  }
  build(inputShape: tf.Shape) {
    this.pos = this.addWeight('pos', [10, 16], 'float32', tf.initializers.randomNormal({}));
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    ${callBody}
  }
}
`;
}

ruleTester.run('positional-encoding', plugin.rules['positional-encoding'], {
  valid: [{ filename, code: tokenMixerSource('return tf.matMul(tf.softmax(tf.matMul(x, x, false, true)), x);') }],
  invalid: [
    {
      filename,
      code: tokenMixerSource('return tf.add(x, this.pos.read());'),
      output: tokenMixerSource('return x;'),
      errors: [
        {
          message:
            "TokenMixer depends on positions along the set axis (axis 1), so permutation invariance is lost; drop the positional term (relations between the elements' values keep the symmetry).",
          line: 8,
          column: 21,
          endLine: 8,
          endColumn: 31,
        },
      ],
    },
  ],
});

/** A CNN built in the file (its 3x3 convolution breaks flips), trained on `trainingInput`. */
function trainedCnnSource(trainingInput: string, doc = ''): string {
  return `${TFJS}${doc}function buildCnn() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  return model;
}
async function train(xs, ys) {
  const model = buildCnn();
  await model.fit(${trainingInput}, ys);
}
`;
}

ruleTester.run('augmentation-not-declared', plugin.rules['augmentation-not-declared'], {
  valid: [
    { filename, code: trainedCnnSource('xs') },
    { filename, code: trainedCnnSource('tf.image.flipLeftRight(xs)', '/** @symmetry invariant flip tol=0.05 learned */\n') },
  ],
  invalid: [
    {
      filename,
      code: trainedCnnSource('tf.image.flipLeftRight(xs)'),
      output: trainedCnnSource('tf.image.flipLeftRight(xs)', '/**\n * @symmetry invariant flip tol=0.05 learned\n */\n'),
      errors: [
        {
          message: 'Training flips the inputs horizontally, so the task is flip invariant, but conv2d at line 4 breaks it in buildCnn; declare it learned or build it in with GroupAveraging.',
          line: 11,
          column: 19,
          endLine: 11,
          endColumn: 45,
          suggestions: [
            {
              desc: 'Make buildCnn exactly flip invariant (wrap it in GroupAveraging) and declare it',
              output: trainedCnnSource('tf.image.flipLeftRight(xs)', '/**\n * @symmetry invariant flip\n */\n')
                .replace(TFJS, `${TFJS.replace(/\n$/, '')}\nimport * as sl from 'symmetry-lint-layers';\n`)
                .replace('  return model;', "  return tf.sequential({ layers: [new sl.GroupAveraging({ layer: model, group: 'flip', inputShape: [16, 16, 3] })] });"),
            },
          ],
        },
      ],
    },
  ],
});
