// tfjs-backend-wasm has no Einsum kernel, and custom attention layers write their contractions
// with tf.einsum: without a fallback, an execute-mode probe of such a model fails with "Kernel
// 'Einsum' not registered for backend 'wasm'". This evaluates an einsum in plain JS on the
// operands' values and registers it as the missing kernel of the active backend. Inference only.
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;

export interface EinsumOperand {
  values: ArrayLike<number>;
  shape: readonly number[];
}

interface ParsedEquation {
  inputs: string[];
  output: string;
}

/** `'bij, bjk -> bik'` into its subscripts; an implicit output is the letters seen once, sorted (numpy's rule). */
export function parseEinsumEquation(equation: string, operandCount: number): ParsedEquation {
  const compact = equation.replace(/\s+/g, '');
  if (compact.includes('...')) throw new Error(`einsum "${equation}": an ellipsis is not supported by the probe's einsum`);
  const [left, right] = compact.split('->');
  const inputs = left.split(',');
  if (inputs.length !== operandCount) throw new Error(`einsum "${equation}" names ${inputs.length} operands, got ${operandCount}`);
  for (const subscripts of [...inputs, right ?? '']) {
    if (!/^[a-zA-Z]*$/.test(subscripts)) throw new Error(`einsum "${equation}": subscripts must be letters`);
  }
  if (right !== undefined) return { inputs, output: right };
  const counts = new Map<string, number>();
  for (const letter of inputs.join('')) counts.set(letter, (counts.get(letter) ?? 0) + 1);
  const output = [...counts].filter(([, count]) => count === 1).map(([letter]) => letter).sort().join('');
  return { inputs, output };
}

/** Evaluates `equation` on the operands: every output position sums the product over the contracted letters. */
export function evaluateEinsum(equation: string, operands: readonly EinsumOperand[]): { values: Float32Array; shape: number[] } {
  const { inputs, output } = parseEinsumEquation(equation, operands.length);
  const sizeOf = new Map<string, number>();
  inputs.forEach((subscripts, o) => {
    const shape = operands[o].shape;
    if (subscripts.length !== shape.length) throw new Error(`einsum "${equation}": operand ${o + 1} has rank ${shape.length}, its subscripts "${subscripts}" say ${subscripts.length}`);
    [...subscripts].forEach((letter, axis) => {
      const known = sizeOf.get(letter);
      if (known !== undefined && known !== shape[axis]) throw new Error(`einsum "${equation}": ${letter} is ${known} in one place and ${shape[axis]} in another`);
      sizeOf.set(letter, shape[axis]);
    });
  });
  for (const letter of output) if (!sizeOf.has(letter)) throw new Error(`einsum "${equation}": output letter ${letter} is in no operand`);
  const summed = [...sizeOf.keys()].filter((letter) => !output.includes(letter));
  // Output letters first (the slowest), contracted letters last: one output value per run of the sum.
  const letters = [...output, ...summed];
  const sizes = letters.map((letter) => sizeOf.get(letter)!);
  // Per operand, how far its flat index moves per step of each letter (a letter repeated in one
  // operand, `ii`, adds its strides: that walks the diagonal).
  const steps = inputs.map((subscripts, o) => {
    const shape = operands[o].shape;
    const strides = new Array<number>(shape.length).fill(1);
    for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1] * shape[axis + 1];
    return letters.map((letter) => [...subscripts].reduce((sum, l, axis) => (l === letter ? sum + strides[axis] : sum), 0));
  });
  const outputShape = [...output].map((letter) => sizeOf.get(letter)!);
  const outputSize = outputShape.reduce((a, b) => a * b, 1);
  const sumSize = summed.reduce((product, letter) => product * sizeOf.get(letter)!, 1);
  const result = new Float32Array(outputSize);
  if (outputSize === 0 || sumSize === 0) return { values: result, shape: outputShape };
  const counter = new Array<number>(letters.length).fill(0);
  const offsets = new Array<number>(operands.length).fill(0);
  for (let position = 0; position < outputSize; position++) {
    let total = 0;
    for (let term = 0; term < sumSize; term++) {
      let product = 1;
      for (let o = 0; o < operands.length; o++) product *= operands[o].values[offsets[o]];
      total += product;
      // Odometer over all letters, moving every operand's offset with it.
      for (let k = letters.length - 1; k >= 0; k--) {
        if (++counter[k] < sizes[k]) {
          for (let o = 0; o < operands.length; o++) offsets[o] += steps[o][k];
          break;
        }
        counter[k] = 0;
        for (let o = 0; o < operands.length; o++) offsets[o] -= steps[o][k] * (sizes[k] - 1);
      }
    }
    result[position] = total;
  }
  return { values: result, shape: outputShape };
}

interface ReadableBackend {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput?(shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>): tfjs.TensorInfo;
  write(values: ArrayLike<number>, shape: number[], dtype: string): unknown;
}

/**
 * Registers the JS einsum as the active backend's Einsum kernel when that backend has none
 * (tfjs-backend-wasm). Returns whether it registered one.
 */
export function registerEinsumFallback(tf: TF): boolean {
  const backendName = tf.getBackend();
  if (tf.getKernel('Einsum', backendName)) return false;
  tf.registerKernel({
    kernelName: 'Einsum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const readable = backend as unknown as ReadableBackend;
      const tensors = (Array.isArray(inputs) ? inputs : Object.values(inputs)) as tfjs.TensorInfo[];
      const operands = tensors.map((tensor) => ({ values: readable.readSync(tensor.dataId), shape: tensor.shape }));
      const { values, shape } = evaluateEinsum(String((attrs as { equation?: unknown }).equation), operands);
      if (readable.makeOutput) return readable.makeOutput(shape, 'float32', undefined, values);
      return { dataId: readable.write(values, shape, 'float32'), shape, dtype: 'float32' } as tfjs.TensorInfo;
    },
  });
  return true;
}
