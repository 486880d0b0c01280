// What extraction reads from a custom layer class (`class X extends tf.layers.Layer`): the tf
// ops of its `call()` on its inputs, the weights of its `build()` and the sublayers it applies,
// as a small data-flow program with source positions. Inference judges the program per
// declaration with the op table (layerRules/customOps.ts). Plain data, like the layer graph.
import type { ConstValue, SourceSpan } from './graph';

/**
 * A size along one axis, as far as extraction knows it: a number, the size of axis `axis` of
 * input `input` (axis counted with the batch axis 0; negative from the end, as
 * `inputShape[inputShape.length - 1]` says), the size of axis `axis` of the value of op `op`
 * (`const [B, T, C] = k.shape` for a `k` computed in call(); known once inference has that
 * value's sizes), or null when not known.
 */
export type BodyDim = number | { input: number; axis: number } | { op: number; axis: number } | null;

/** An operand of an op: an earlier value of the program, or a constant argument. */
export type BodyOperand = { value: number } | { constant: ConstValue | undefined } | { dims: BodyDim[] };

/**
 * One step of the program. `op` is the tf function or tensor method (`matMul`, `add`,
 * `linalg.bandPart`), or one of the sources: `input` (the layer's input `index`), `weight`
 * (an `addWeight` of `shape`), `layer:<kind>` (a sublayer applied, e.g. `layer:dense`), or
 * `part`: output `index` of an op with several outputs (`tf.split`, `tf.unstack`; `tf.moments`:
 * 0 the mean, 1 the variance), its operand.
 */
export interface BodyOp {
  op: string;
  operands: BodyOperand[];
  /** Named options (`{axis}` objects of some ops, a sublayer's config, a weight's name). */
  options?: Record<string, ConstValue>;
  span: SourceSpan;
}

export interface CustomLayerBody {
  className: string;
  /** The class declaration's name, for related information. */
  classSpan: SourceSpan;
  ops: BodyOp[];
  /** Index into `ops` of the value `call()` returns. */
  output?: number;
  /**
   * When call() returns a list of tensors (`[embedded, this.table.read()]`): each one's op, in
   * order (undefined for one the reading could not follow); `output` is then the first. Each
   * output taken from `apply(...)[k]` is its own application of the layer, with `output` set
   * to item k.
   */
  outputs?: (number | undefined)[];
  /**
   * The first construct extraction could not follow (an unknown helper, a loop with an unknown
   * bound, several outputs): the layer is then an analysis gap naming it.
   */
  unfollowed?: { what: string; span: SourceSpan };
}
