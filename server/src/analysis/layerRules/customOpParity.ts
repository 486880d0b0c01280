// The op table of custom layers under the sign group (x -> -x): whether each tf op keeps its
// operands odd or even functions of the layer's input, as the built-in layer rules judge
// activations and biases (sign.ts). The table has an entry for every op customOps.ts
// classifies, so no op is judged under the other groups and skipped under sign.
import type { SourceSpan } from '../graph';
import { OpFall } from './customOps';
import { ODD_ACTIVATIONS } from './sign';

/**
 * What a value inside call() is as a function of the input x: `odd` (f(-x) = -f(x)), `even`
 * (f(-x) = f(x)), or `fixed` (weights and constants: not a function of x at all, so even, but an
 * added fixed term is what breaks oddness: a bias).
 */
export type Parity = 'odd' | 'even' | 'fixed';

export interface ParityCall {
  name: string;
  /** Per operand: its parity, a list of parities (concat), or a constant argument. */
  operands: ({ parity: Parity; source?: string; sourceSpan?: SourceSpan } | { parities: Parity[] } | { constant: unknown })[];
  options?: Record<string, unknown>;
  span: SourceSpan;
  /** For a `part` (one output of an op with several): the op it is taken from. */
  source?: string;
}

type ParityRule = (call: ParityCall) => Parity;

function paritiesOf(call: ParityCall, indices?: number[]): Parity[] {
  const chosen = indices ? indices.map((i) => call.operands[i]).filter((operand) => operand !== undefined) : call.operands;
  return chosen.flatMap((operand) => ('parity' in operand ? [operand.parity] : 'parities' in operand ? operand.parities : []));
}

function constantAt(call: ParityCall, index: number): unknown {
  const operand = call.operands[index];
  return operand && 'constant' in operand ? operand.constant : undefined;
}

/** Any function of even or fixed operands is even (fixed when all are fixed). */
function withoutOdd(parities: Parity[]): Parity | undefined {
  if (parities.includes('odd')) return undefined;
  return parities.every((parity) => parity === 'fixed') ? 'fixed' : 'even';
}

function nonOdd(call: ParityCall, why: string): never {
  throw new OpFall('non-odd', `tf.${call.name} ${why}`, call.span);
}

/** f with f(-x) = -f(x): odd stays odd. */
const oddFunction: ParityRule = (call) => withoutOdd(paritiesOf(call, [0])) ?? 'odd';
/** f with f(-x) = f(x): odd becomes even. */
const evenFunction: ParityRule = (call) => withoutOdd(paritiesOf(call, [0])) ?? 'even';
/** Neither: an odd operand breaks it. */
function neither(why: string): ParityRule {
  return (call) => withoutOdd(paritiesOf(call, [0])) ?? nonOdd(call, why);
}

/** Sums: odd + odd is odd, even + even is even; an odd term plus an even or fixed one is neither. */
function additive(indices?: number[], verb = 'adds'): ParityRule {
  return (call) => {
    const parities = paritiesOf(call, indices);
    const plain = withoutOdd(parities);
    if (plain) return plain;
    if (parities.every((parity) => parity === 'odd')) return 'odd';
    const fixed = call.operands.find((operand, i) => (!indices || indices.includes(i)) && 'parity' in operand && operand.parity === 'fixed');
    if (parities.includes('fixed')) {
      const source = fixed && 'parity' in fixed ? fixed : undefined;
      throw new OpFall('bias', `tf.${call.name} ${verb} ${source?.source ?? 'a constant term'} to an odd function of the input`, call.span, source?.sourceSpan);
    }
    return nonOdd(call, `${verb} an odd and an even function of the input`);
  };
}

/** Products (mul, div, matMul, einsum): the result is odd when an odd number of factors are. */
function multiplicative(indices?: number[]): ParityRule {
  return (call) => {
    const parities = paritiesOf(call, indices);
    const plain = withoutOdd(parities);
    if (plain) return plain;
    return parities.filter((parity) => parity === 'odd').length % 2 === 1 ? 'odd' : 'even';
  };
}

/** Axis moves and cuts, linear masks, running sums: the parity of the first operand. */
const carried: ParityRule = (call) => paritiesOf(call, [0])[0] ?? 'fixed';

/** clipByValue(x, lo, hi) is odd when the interval is symmetric about 0. */
const clip: ParityRule = (call) => {
  const plain = withoutOdd(paritiesOf(call, [0]));
  if (plain) return plain;
  const lo = constantAt(call, 1);
  const hi = constantAt(call, 2);
  if (typeof lo === 'number' && typeof hi === 'number' && lo === -hi) return 'odd';
  return nonOdd(call, 'clips to an interval that is not symmetric about 0');
};

/** pow(x, k): even for an even integer k, odd for an odd one. */
const power: ParityRule = (call) => {
  const [base, exponent] = paritiesOf(call, [0, 1]);
  const plain = withoutOdd([base, exponent ?? 'fixed']);
  if (plain) return plain;
  const k = constantAt(call, 1);
  if (exponent === 'odd' || typeof k !== 'number' || !Number.isInteger(k)) return nonOdd(call, 'raises to a power that is not a known integer');
  return k % 2 === 0 ? 'even' : 'odd';
};

/** where(condition, a, b): an even condition chooses between a and b as a sum would combine them. */
const choice: ParityRule = (call) => {
  const [condition] = paritiesOf(call, [0]);
  if (condition === 'odd') return nonOdd(call, 'chooses by a condition on an odd function of the input');
  return additive([1, 2])(call);
};

/** pad(x, paddings, constantValue = 0): padding with a non-zero constant is a bias. */
const padding: ParityRule = (call) => {
  const parity = carried(call);
  const value = constantAt(call, 2);
  if (parity === 'odd' && value !== undefined && value !== 0) throw new OpFall('bias', `tf.${call.name} pads with the constant ${String(value)}`, call.span);
  return parity;
};

/** squaredDifference(a, b) is even when both are odd ((−a+b)² = (a−b)²). */
const squaredDifference: ParityRule = (call) => {
  const parities = paritiesOf(call, [0, 1]);
  const plain = withoutOdd(parities);
  if (plain) return plain;
  if (parities.every((parity) => parity === 'odd')) return 'even';
  return nonOdd(call, 'squares the difference of an odd and an even function of the input');
};

/**
 * Ops of two operands with a parity only when both are odd: floorDiv(−a, −b) = floorDiv(a, b),
 * mod(−a, −b) = −mod(a, b) (tfjs takes the divisor's sign); one odd operand alone breaks them.
 */
function bothOdd(result: Parity, what: string): ParityRule {
  return (call) => {
    const parities = paritiesOf(call, [0, 1]);
    const plain = withoutOdd(parities);
    if (plain) return plain;
    if (parities.every((parity) => parity === 'odd')) return result;
    return nonOdd(call, `${what} of an odd and an even function of the input`);
  };
}

/** equal(a, b) of two odd operands is even (−a = −b exactly when a = b). */
const equality: ParityRule = (call) => {
  const parities = paritiesOf(call, [0, 1]);
  const plain = withoutOdd(parities);
  if (plain) return plain;
  if (parities.every((parity) => parity === 'odd')) return 'even';
  return nonOdd(call, 'compares an odd function of the input with an even one');
};

function sublayer(judge: (call: ParityCall) => void): ParityRule {
  return (call) => {
    const plain = withoutOdd(paritiesOf(call, [0]));
    if (plain) return plain;
    judge(call);
    return 'odd';
  };
}

/** A dense sublayer: odd iff it adds no bias and its activation is odd (as the dense layer rule). */
const denseSublayer = sublayer((call) => {
  if (call.options?.useBias !== false) {
    throw new OpFall('bias', `the dense applied in call() adds a bias${call.options?.useBias === undefined ? ' (useBias defaults to true)' : ''}`, call.span);
  }
  const activation = typeof call.options?.activation === 'string' ? call.options.activation : 'linear';
  if (!ODD_ACTIVATIONS.has(activation)) throw new OpFall('non-odd', `the dense applied in call() uses the ${activation} activation, which is not odd`, call.span);
});

/** layerNormalization: (x − mean)/std is odd; the learned offset beta (center) is a bias. */
const layerNormalizationSublayer = sublayer((call) => {
  if (call.options?.center !== false) {
    throw new OpFall('bias', `the layerNormalization applied in call() adds a learned offset${call.options?.center === undefined ? ' (center defaults to true)' : ''}`, call.span);
  }
});

const activationSublayer = sublayer((call) => {
  const activation = typeof call.options?.activation === 'string' ? call.options.activation : 'linear';
  if (!ODD_ACTIVATIONS.has(activation)) throw new OpFall('non-odd', `the activation applied in call() is ${activation}, which is not odd`, call.span);
});

function nonOddSublayer(what: string): ParityRule {
  return sublayer((call) => {
    throw new OpFall('non-odd', `the ${what} applied in call() is not an odd function`, call.span);
  });
}

const ODD_UNARY = ['neg', 'tanh', 'sin', 'sinh', 'asin', 'asinh', 'atan', 'atanh', 'tan', 'erf', 'sign', 'round', 'reciprocal', 'cast', 'toFloat', 'toInt', 'asType'];
const EVEN_UNARY = ['abs', 'square', 'cos', 'cosh', 'isFinite', 'isInf', 'isNaN'];
const NON_ODD_UNARY = [
  'acos', 'acosh', 'ceil', 'floor', 'elu', 'exp', 'expm1', 'leakyRelu', 'log', 'log1p', 'logicalNot', 'logSigmoid', 'relu', 'relu6', 'rsqrt', 'selu',
  'sigmoid', 'softplus', 'sqrt', 'step',
];
const NON_ODD_BINARY = ['maximum', 'minimum', 'atan2', 'prelu', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor'];
const CARRIED = [
  'transpose', 'reshape', 'expandDims', 'squeeze', 'slice', 'stridedSlice', 'tile', 'broadcastTo', 'reverse', 'cumsum', 'linalg.bandPart', 'split', 'unstack',
  'layer:dropout', 'layer:gaussianNoise', 'layer:gaussianDropout', 'layer:alphaDropout',
];
const SOURCES = ['range', 'ones', 'zeros', 'fill', 'eye', 'randomNormal', 'randomUniform', 'truncatedNormal', 'scalar', 'tensor', 'tensor1d', 'tensor2d', 'tensor3d', 'onesLike', 'zerosLike'];

/** The parity table: one entry per op of CUSTOM_OP_RULES (a test keeps the two in step). */
export const CUSTOM_OP_PARITY: ReadonlyMap<string, ParityRule> = new Map<string, ParityRule>([
  ...ODD_UNARY.map((name): [string, ParityRule] => [name, oddFunction]),
  ...EVEN_UNARY.map((name): [string, ParityRule] => [name, evenFunction]),
  ...NON_ODD_UNARY.map((name): [string, ParityRule] => [name, neither('is not an odd function')]),
  ...NON_ODD_BINARY.map((name): [string, ParityRule] => [name, (call: ParityCall) => withoutOdd(paritiesOf(call, [0, 1])) ?? nonOdd(call, 'is not odd in its operands')]),
  ...CARRIED.map((name): [string, ParityRule] => [name, carried]),
  ...SOURCES.map((name): [string, ParityRule] => [name, () => 'fixed']),
  ['clipByValue', clip],
  ['add', additive()],
  ['sub', additive()],
  ['addN', additive()],
  ['mul', multiplicative()],
  ['div', multiplicative()],
  ['divNoNan', multiplicative()],
  ['matMul', multiplicative([0, 1])],
  ['dot', multiplicative([0, 1])],
  ['einsum', multiplicative()],
  ['pow', power],
  ['squaredDifference', squaredDifference],
  ['floorDiv', bothOdd('even', 'rounds a quotient down')],
  ['mod', bothOdd('odd', 'takes a remainder')],
  ['equal', equality],
  ['notEqual', equality],
  ['where', choice],
  ['mean', carried],
  // Both outputs carry the operand's parity here; the variance part is even (below).
  ['moments', carried],
  ['part', (call) => (call.source === 'moments' && call.options?.index === 1 ? evenFunction(call) : carried(call))],
  ['sum', carried],
  ['norm', evenFunction],
  ['max', neither('takes a maximum (max(−x) = −min(x))')],
  ['min', neither('takes a minimum (min(−x) = −max(x))')],
  ['prod', neither('multiplies a number of odd factors that depends on the shape')],
  ['logSumExp', neither('is not an odd function')],
  ['all', neither('is a logical reduction')],
  ['any', neither('is a logical reduction')],
  ['argMax', neither('picks the largest entry, which the flip of sign turns into the smallest')],
  ['argMin', neither('picks the smallest entry, which the flip of sign turns into the largest')],
  ['softmax', neither('is not an odd function')],
  ['logSoftmax', neither('is not an odd function')],
  ['gather', (call) => (paritiesOf(call, [1])[0] === 'odd' ? nonOdd(call, 'gathers by indices computed from the input') : carried(call))],
  ['concat', additive(undefined, 'joins')],
  ['stack', additive(undefined, 'joins')],
  ['pad', padding],
  ['cumprod', neither('multiplies a running number of odd factors')],
  ['oneHot', neither('encodes indices computed from the input')],
  // Convolutions (no bias in the tf ops) are linear in the input; average pooling and resizing are
  // weighted sums; max pooling is not odd.
  ['conv1d', multiplicative([0, 1])],
  ['conv2d', multiplicative([0, 1])],
  ['depthwiseConv2d', multiplicative([0, 1])],
  ['separableConv2d', multiplicative([0, 1, 2])],
  ['conv2dTranspose', multiplicative([0, 1])],
  ['avgPool', carried],
  ['maxPool', neither('takes a maximum, and max(−x) = −min(x)')],
  ['pool', (call) => (constantAt(call, 2) === 'avg' ? carried(call) : neither('takes a maximum, and max(−x) = −min(x)')(call))],
  ['image.resizeBilinear', carried],
  ['image.resizeNearestNeighbor', carried],
  ['layer:dense', denseSublayer],
  ['layer:layerNormalization', layerNormalizationSublayer],
  ['layer:activation', activationSublayer],
  ['layer:reLU', nonOddSublayer('reLU')],
  ['layer:leakyReLU', nonOddSublayer('leakyReLU')],
  ['layer:elu', nonOddSublayer('elu')],
  ['layer:softmax', nonOddSublayer('softmax')],
  ['layer:embedding', nonOddSublayer('embedding lookup')],
]);
