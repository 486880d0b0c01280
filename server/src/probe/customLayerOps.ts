// The allow-list of tf ops the literal probe evaluates when it builds a custom layer from its
// static op graph (issue 12): each op name extraction records in a custom layer's call() maps
// to one tfjs call written out here. Nothing else runs: an op that is not a key of this table
// stops the plan with a plain sentence, and the worker never looks a name up on `tf` itself.
// The plan builder (main thread) reads only the names; tfjs is a type import here.
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;
type Tensor = tfjs.Tensor;
/** An evaluated operand: a tensor, a list holding tensors, or a plain constant (numbers, shapes, flags). */
export type OpArgument = Tensor | unknown;
/** Ops with several outputs (`split`, `unstack`, `moments`) return them as a list; `part` picks one. */
type OpEvaluator = (tf: TF, args: OpArgument[]) => Tensor | Tensor[];

/* eslint-disable @typescript-eslint/no-explicit-any -- operands are checked by tfjs itself */
const t = (value: OpArgument) => value as any;

/** A list operand (`tf.concat([a, b])`), or the method form (`a.concat(b)`, `a.concat([b, c])`) made one. */
function listOf(args: OpArgument[]): { list: any[]; rest: OpArgument[] } {
  const [first, ...rest] = args;
  if (Array.isArray(first)) return { list: first, rest };
  const [second, ...after] = rest;
  return { list: [first, ...(Array.isArray(second) ? second : [second])], rest: after };
}

export const CUSTOM_LAYER_OPS: Readonly<Record<string, OpEvaluator>> = Object.freeze({
  // Elementwise, one operand.
  abs: (tf, [x]) => tf.abs(t(x)),
  acos: (tf, [x]) => tf.acos(t(x)),
  asin: (tf, [x]) => tf.asin(t(x)),
  atan: (tf, [x]) => tf.atan(t(x)),
  ceil: (tf, [x]) => tf.ceil(t(x)),
  clipByValue: (tf, [x, low, high]) => tf.clipByValue(t(x), t(low), t(high)),
  cos: (tf, [x]) => tf.cos(t(x)),
  cosh: (tf, [x]) => tf.cosh(t(x)),
  elu: (tf, [x]) => tf.elu(t(x)),
  erf: (tf, [x]) => tf.erf(t(x)),
  exp: (tf, [x]) => tf.exp(t(x)),
  expm1: (tf, [x]) => tf.expm1(t(x)),
  floor: (tf, [x]) => tf.floor(t(x)),
  leakyRelu: (tf, [x, alpha]) => tf.leakyRelu(t(x), t(alpha)),
  log: (tf, [x]) => tf.log(t(x)),
  log1p: (tf, [x]) => tf.log1p(t(x)),
  logSigmoid: (tf, [x]) => tf.logSigmoid(t(x)),
  logicalNot: (tf, [x]) => tf.logicalNot(t(x)),
  neg: (tf, [x]) => tf.neg(t(x)),
  onesLike: (tf, [x]) => tf.onesLike(t(x)),
  reciprocal: (tf, [x]) => tf.reciprocal(t(x)),
  relu: (tf, [x]) => tf.relu(t(x)),
  relu6: (tf, [x]) => tf.relu6(t(x)),
  round: (tf, [x]) => tf.round(t(x)),
  rsqrt: (tf, [x]) => tf.rsqrt(t(x)),
  selu: (tf, [x]) => tf.selu(t(x)),
  sigmoid: (tf, [x]) => tf.sigmoid(t(x)),
  sign: (tf, [x]) => tf.sign(t(x)),
  sin: (tf, [x]) => tf.sin(t(x)),
  sinh: (tf, [x]) => tf.sinh(t(x)),
  softplus: (tf, [x]) => tf.softplus(t(x)),
  sqrt: (tf, [x]) => tf.sqrt(t(x)),
  square: (tf, [x]) => tf.square(t(x)),
  step: (tf, [x, alpha]) => tf.step(t(x), t(alpha)),
  tan: (tf, [x]) => tf.tan(t(x)),
  tanh: (tf, [x]) => tf.tanh(t(x)),
  zerosLike: (tf, [x]) => tf.zerosLike(t(x)),
  cast: (tf, [x, dtype]) => tf.cast(t(x), t(dtype)),
  asType: (tf, [x, dtype]) => tf.cast(t(x), t(dtype)),
  toFloat: (tf, [x]) => tf.cast(t(x), 'float32'),
  toInt: (tf, [x]) => tf.cast(t(x), 'int32'),
  // Elementwise, two or three operands (broadcasting).
  add: (tf, [a, b]) => tf.add(t(a), t(b)),
  sub: (tf, [a, b]) => tf.sub(t(a), t(b)),
  mul: (tf, [a, b]) => tf.mul(t(a), t(b)),
  div: (tf, [a, b]) => tf.div(t(a), t(b)),
  divNoNan: (tf, [a, b]) => tf.divNoNan(t(a), t(b)),
  floorDiv: (tf, [a, b]) => tf.floorDiv(t(a), t(b)),
  mod: (tf, [a, b]) => tf.mod(t(a), t(b)),
  pow: (tf, [a, b]) => tf.pow(t(a), t(b)),
  maximum: (tf, [a, b]) => tf.maximum(t(a), t(b)),
  minimum: (tf, [a, b]) => tf.minimum(t(a), t(b)),
  squaredDifference: (tf, [a, b]) => tf.squaredDifference(t(a), t(b)),
  atan2: (tf, [a, b]) => tf.atan2(t(a), t(b)),
  prelu: (tf, [x, alpha]) => tf.prelu(t(x), t(alpha)),
  equal: (tf, [a, b]) => tf.equal(t(a), t(b)),
  notEqual: (tf, [a, b]) => tf.notEqual(t(a), t(b)),
  less: (tf, [a, b]) => tf.less(t(a), t(b)),
  lessEqual: (tf, [a, b]) => tf.lessEqual(t(a), t(b)),
  greater: (tf, [a, b]) => tf.greater(t(a), t(b)),
  greaterEqual: (tf, [a, b]) => tf.greaterEqual(t(a), t(b)),
  logicalAnd: (tf, [a, b]) => tf.logicalAnd(t(a), t(b)),
  logicalOr: (tf, [a, b]) => tf.logicalOr(t(a), t(b)),
  logicalXor: (tf, [a, b]) => tf.logicalXor(t(a), t(b)),
  where: (tf, [condition, a, b]) => tf.where(t(condition), t(a), t(b)),
  addN: (tf, args) => tf.addN(listOf(args).list),
  // Reductions.
  sum: (tf, [x, axis, keepDims]) => tf.sum(t(x), t(axis), t(keepDims)),
  mean: (tf, [x, axis, keepDims]) => tf.mean(t(x), t(axis), t(keepDims)),
  max: (tf, [x, axis, keepDims]) => tf.max(t(x), t(axis), t(keepDims)),
  min: (tf, [x, axis, keepDims]) => tf.min(t(x), t(axis), t(keepDims)),
  prod: (tf, [x, axis, keepDims]) => tf.prod(t(x), t(axis), t(keepDims)),
  logSumExp: (tf, [x, axis, keepDims]) => tf.logSumExp(t(x), t(axis), t(keepDims)),
  all: (tf, [x, axis, keepDims]) => tf.all(t(x), t(axis), t(keepDims)),
  any: (tf, [x, axis, keepDims]) => tf.any(t(x), t(axis), t(keepDims)),
  argMax: (tf, [x, axis]) => tf.argMax(t(x), t(axis)),
  argMin: (tf, [x, axis]) => tf.argMin(t(x), t(axis)),
  norm: (tf, [x, ord, axis, keepDims]) => tf.norm(t(x), t(ord), t(axis), t(keepDims)),
  cumsum: (tf, [x, axis, exclusive, reverse]) => tf.cumsum(t(x), t(axis), t(exclusive), t(reverse)),
  cumprod: (tf, [x, axis, exclusive, reverse]) => tf.cumprod(t(x), t(axis), t(exclusive), t(reverse)),
  softmax: (tf, [x, axis]) => tf.softmax(t(x), t(axis)),
  logSoftmax: (tf, [x, axis]) => tf.logSoftmax(t(x), t(axis)),
  // Contractions: tf.einsum reaches the probe's own kernel on tfjs-wasm (einsumFallback.ts).
  matMul: (tf, [a, b, transposeA, transposeB]) => tf.matMul(t(a), t(b), t(transposeA), t(transposeB)),
  dot: (tf, [a, b]) => tf.dot(t(a), t(b)),
  einsum: (tf, [equation, ...operands]) => tf.einsum(t(equation), ...operands.map(t)),
  // Axis moves and cuts.
  transpose: (tf, [x, perm]) => tf.transpose(t(x), t(perm)),
  reshape: (tf, [x, shape]) => tf.reshape(t(x), t(shape)),
  expandDims: (tf, [x, axis]) => tf.expandDims(t(x), t(axis)),
  squeeze: (tf, [x, axis]) => tf.squeeze(t(x), t(axis)),
  slice: (tf, [x, begin, size]) => tf.slice(t(x), t(begin), t(size)),
  stridedSlice: (tf, [x, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask]) =>
    tf.stridedSlice(t(x), t(begin), t(end), t(strides), t(beginMask), t(endMask), t(ellipsisMask), t(newAxisMask), t(shrinkAxisMask)),
  gather: (tf, [x, indices, axis, batchDims]) => tf.gather(t(x), t(indices), t(axis), t(batchDims)),
  concat: (tf, args) => {
    const { list, rest } = listOf(args);
    return tf.concat(list, t(rest[0]));
  },
  stack: (tf, args) => {
    const { list, rest } = listOf(args);
    return tf.stack(list, t(rest[0]));
  },
  tile: (tf, [x, reps]) => tf.tile(t(x), t(reps)),
  split: (tf, [x, numOrSizeSplits, axis]) => tf.split(t(x), t(numOrSizeSplits), t(axis)),
  unstack: (tf, [x, axis]) => tf.unstack(t(x), t(axis)),
  // In the order of the `part` indices extraction gives them: 0 the mean, 1 the variance.
  moments: (tf, [x, axes, keepDims]) => {
    const { mean, variance } = tf.moments(t(x), t(axes), t(keepDims));
    return [mean, variance];
  },
  pad: (tf, [x, paddings, value]) => tf.pad(t(x), t(paddings), t(value)),
  broadcastTo: (tf, [x, shape]) => tf.broadcastTo(t(x), t(shape)),
  reverse: (tf, [x, axis]) => tf.reverse(t(x), t(axis)),
  oneHot: (tf, [indices, depth, on, off]) => tf.oneHot(t(indices), t(depth), t(on), t(off)),
  'linalg.bandPart': (tf, [x, lower, upper]) => tf.linalg.bandPart(t(x), t(lower), t(upper)),
  // Windows: convolutions with a filter from the layer's weights, pooling (issue 11).
  conv1d: (tf, [x, filter, stride, pad, dataFormat, dilation, rounding]) => tf.conv1d(t(x), t(filter), t(stride), t(pad), t(dataFormat), t(dilation), t(rounding)),
  conv2d: (tf, [x, filter, strides, pad, dataFormat, dilations, rounding]) => tf.conv2d(t(x), t(filter), t(strides), t(pad), t(dataFormat), t(dilations), t(rounding)),
  depthwiseConv2d: (tf, [x, filter, strides, pad, dataFormat, dilations, rounding]) => tf.depthwiseConv2d(t(x), t(filter), t(strides), t(pad), t(dataFormat), t(dilations), t(rounding)),
  separableConv2d: (tf, [x, depthwise, pointwise, strides, pad, dilation, dataFormat]) => tf.separableConv2d(t(x), t(depthwise), t(pointwise), t(strides), t(pad), t(dilation), t(dataFormat)),
  conv2dTranspose: (tf, [x, filter, outputShape, strides, pad, rounding]) => tf.conv2dTranspose(t(x), t(filter), t(outputShape), t(strides), t(pad), t(rounding)),
  avgPool: (tf, [x, filterSize, strides, pad, rounding]) => tf.avgPool(t(x), t(filterSize), t(strides), t(pad), t(rounding)),
  maxPool: (tf, [x, filterSize, strides, pad, rounding]) => tf.maxPool(t(x), t(filterSize), t(strides), t(pad), t(rounding)),
  pool: (tf, [x, windowShape, poolingType, pad, dilations, strides, rounding]) => tf.pool(t(x), t(windowShape), t(poolingType), t(pad), t(dilations), t(strides), t(rounding)),
  // Resampling to a size given in the code (a U-Net's skip connection matched to the decoder's map).
  'image.resizeBilinear': (tf, [x, size, alignCorners, halfPixelCenters]) => tf.image.resizeBilinear(t(x), t(size), t(alignCorners), t(halfPixelCenters)),
  'image.resizeNearestNeighbor': (tf, [x, size, alignCorners, halfPixelCenters]) => tf.image.resizeNearestNeighbor(t(x), t(size), t(alignCorners), t(halfPixelCenters)),
  // Constants. Random sources are left out on purpose: drawn anew per call, they are not a function of the input.
  range: (tf, [start, stop, step, dtype]) => tf.range(t(start), t(stop), t(step), t(dtype)),
  ones: (tf, [shape, dtype]) => tf.ones(t(shape), t(dtype)),
  zeros: (tf, [shape, dtype]) => tf.zeros(t(shape), t(dtype)),
  fill: (tf, [shape, value, dtype]) => tf.fill(t(shape), t(value), t(dtype)),
  eye: (tf, [rows, columns, batchShape, dtype]) => tf.eye(t(rows), t(columns), t(batchShape), t(dtype)),
  scalar: (tf, [value, dtype]) => tf.scalar(t(value), t(dtype)),
  tensor: (tf, [values, shape, dtype]) => tf.tensor(t(values), t(shape), t(dtype)),
  tensor1d: (tf, [values, dtype]) => tf.tensor1d(t(values), t(dtype)),
  tensor2d: (tf, [values, shape, dtype]) => tf.tensor2d(t(values), t(shape), t(dtype)),
  tensor3d: (tf, [values, shape, dtype]) => tf.tensor3d(t(values), t(shape), t(dtype)),
});
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Operand positions that hold a shape or a list of axes: a size read from an input there stays a
 * list even when it has one entry (`tf.reshape(x, [f])`); elsewhere one size is a number
 * (`tf.div(x, f)`, `tf.range(0, t)`).
 */
export const SHAPE_OPERANDS: Readonly<Record<string, readonly number[]>> = {
  reshape: [1],
  broadcastTo: [1],
  tile: [1],
  ones: [0],
  zeros: [0],
  fill: [0],
  slice: [1, 2],
  stridedSlice: [1, 2, 3],
  transpose: [1],
  tensor: [0, 1],
  tensor1d: [0],
  conv2dTranspose: [2],
  'image.resizeBilinear': [1],
  'image.resizeNearestNeighbor': [1],
};

/** Whether `op` is evaluated by the literal probe (a tf op of the table, or a tf.layers sublayer). */
export function isAllowedCustomLayerOp(op: string): boolean {
  return op === 'part' || Object.prototype.hasOwnProperty.call(CUSTOM_LAYER_OPS, op);
}
