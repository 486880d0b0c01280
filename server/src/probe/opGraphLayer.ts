// The layer the literal probe puts where the source has a custom layer class (issue 12): a
// tf.layers.Layer of our own that evaluates the custom layer's static op graph (a PlanCustomBody,
// plain data from the plan) with tf ops of the allow-list (customLayerOps.ts). build() adds the
// weights with their shapes resolved from the input shapes; call() evaluates the ops in order;
// `layer:<kind>` ops are tf.layers sublayers built from their literal configuration. None of the
// user's code runs. Worker side (tfjs).
import type * as tfjs from '@tensorflow/tfjs';
import { CUSTOM_LAYER_OPS, SHAPE_OPERANDS, type OpArgument } from './customLayerOps';
import type { PlanBodyDim, PlanBodyOp, PlanBodyOperand, PlanCustomBody, PlanLayer, PlanValue } from './plan';

type TF = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

/** The batch the build-time dry run feeds, to learn the output shape: 2, so that no axis of size 1 is squeezed by chance. */
const DRY_RUN_BATCH = 2;

/** A weight name tfjs accepts (letters, digits, `._-/`, not starting with a punctuation mark). */
function weightName(name: string, index: number): string {
  const cleaned = name.replace(/[^A-Za-z0-9._/-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return `${cleaned || 'weight'}_${index}`;
}

function isShapeList(shape: Shape | Shape[]): shape is Shape[] {
  return Array.isArray(shape[0]);
}

/** One size of a body: a number, or an axis of one of the input shapes (negative from the end). */
function resolveDim(dim: PlanBodyDim, shapes: readonly (readonly (number | null)[])[]): number {
  if (dim === null) return -1;
  if (typeof dim === 'number') return dim;
  const shape = shapes[dim.input];
  const axis = dim.axis < 0 ? shape.length + dim.axis : dim.axis;
  const size = shape[axis];
  if (typeof size !== 'number') throw new Error(`axis ${dim.axis} of input ${dim.input + 1} has no size`);
  return size;
}

type LayerClass = new (body: PlanCustomBody, createSublayer: (layer: PlanLayer) => tfjs.layers.Layer) => tfjs.layers.Layer;
const CLASSES = new WeakMap<object, LayerClass>();

/** The op-graph layer class for this tfjs (the class must extend the loaded tfjs' own Layer). */
function opGraphLayerClass(tf: TF): LayerClass {
  const known = CLASSES.get(tf.layers);
  if (known) return known;
  class OpGraphLayer extends tf.layers.Layer {
    static className = 'OpGraphLayer';
    private readonly weightOf = new Map<number, tfjs.LayerVariable>();
    private readonly sublayerOf = new Map<number, tfjs.layers.Layer>();
    private dryRunShape: Shape = [];

    constructor(
      private readonly body: PlanCustomBody,
      private readonly createSublayer: (layer: PlanLayer) => tfjs.layers.Layer,
    ) {
      super({});
    }

    // The sublayers' weights are this layer's too, so that the probe redraws them from its seed.
    override get trainableWeights(): tfjs.LayerVariable[] {
      return [...super.trainableWeights, ...[...(this.sublayerOf?.values() ?? [])].flatMap((layer) => layer.trainableWeights)];
    }
    override set trainableWeights(weights: tfjs.LayerVariable[]) {
      super.trainableWeights = weights;
    }
    override get nonTrainableWeights(): tfjs.LayerVariable[] {
      return [...super.nonTrainableWeights, ...[...(this.sublayerOf?.values() ?? [])].flatMap((layer) => layer.nonTrainableWeights)];
    }
    override set nonTrainableWeights(weights: tfjs.LayerVariable[]) {
      super.nonTrainableWeights = weights;
    }

    override build(inputShape: Shape | Shape[]): void {
      const shapes = isShapeList(inputShape) ? inputShape : [inputShape];
      this.body.ops.forEach((op, index) => {
        if (op?.op !== 'weight') return;
        const dims = (op.operands[0] as { dims: PlanBodyDim[] }).dims.map((dim) => resolveDim(dim, shapes));
        // Zeros: the probe redraws every weight from its seed after the build (measurement.ts).
        this.weightOf.set(index, this.addWeight(weightName(String(op.options?.name ?? 'weight'), index), dims, 'float32', tf.initializers.zeros()));
      });
      for (const [index, op] of this.body.ops.entries()) {
        if (op?.sublayer) this.sublayerOf.set(index, this.createSublayer(op.sublayer));
      }
      this.built = true;
      // One run on zeros builds the sublayers (their input shapes are those of the values they
      // take) and gives the output shape, which no static rule of ours could.
      const outputShape = tf.tidy(() => this.evaluate(shapes.map((shape) => tf.zeros([DRY_RUN_BATCH, ...shape.slice(1).map((size) => size ?? 1)]))).shape.slice(1));
      this.dryRunShape = [null, ...outputShape];
    }

    override computeOutputShape(): Shape {
      return this.dryRunShape;
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => this.evaluate(Array.isArray(inputs) ? inputs : [inputs]));
    }

    /** Evaluates the body's live ops in order on `inputs` and returns call()'s output. */
    private evaluate(inputs: Tensor[]): Tensor {
      const values: (Tensor | Tensor[] | undefined)[] = [];
      const shapes = inputs.map((input) => input.shape);
      this.body.ops.forEach((op, index) => {
        if (!op) return;
        values[index] = this.evaluateOp(op, index, inputs, shapes, values);
      });
      const output = values[this.body.output];
      if (!output || Array.isArray(output)) throw new Error(`${this.body.className}: call() returns no value`);
      return output;
    }

    private evaluateOp(op: PlanBodyOp, index: number, inputs: Tensor[], shapes: number[][], values: (Tensor | Tensor[] | undefined)[]): Tensor | Tensor[] {
      if (op.op === 'input') return inputs[Number(op.options?.index ?? 0)];
      if (op.op === 'weight') return this.weightOf.get(index)!.read();
      if (op.op === 'part') {
        const whole = values[(op.operands[0] as { value: number }).value];
        const part = Array.isArray(whole) ? whole[Number(op.options?.index ?? 0)] : undefined;
        if (!part) throw new Error(`${this.body.className}: output ${Number(op.options?.index ?? 0) + 1} of an op with several outputs is missing`);
        return part;
      }
      const args = op.operands.map((operand, position) => argumentOf(operand, op.op, position, shapes, values));
      const sublayer = this.sublayerOf.get(index);
      if (sublayer) return sublayer.apply(args[0] as Tensor) as Tensor;
      const evaluator = Object.prototype.hasOwnProperty.call(CUSTOM_LAYER_OPS, op.op) ? CUSTOM_LAYER_OPS[op.op] : undefined;
      if (!evaluator) throw new Error(`${this.body.className}: tf.${op.op} is not among the ops the probe evaluates`);
      return evaluator(tf, args);
    }
  }
  CLASSES.set(tf.layers, OpGraphLayer as unknown as LayerClass);
  return OpGraphLayer as unknown as LayerClass;
}

/** An operand's value: an earlier op's tensor, a constant with its `{$tensor}` entries resolved, or sizes. */
function argumentOf(operand: PlanBodyOperand, op: string, position: number, shapes: number[][], values: (Tensor | Tensor[] | undefined)[]): OpArgument {
  if ('value' in operand) return values[operand.value];
  if ('dims' in operand) {
    const dims = operand.dims.map((dim) => resolveDim(dim, shapes));
    return dims.length === 1 && !(SHAPE_OPERANDS[op] ?? []).includes(position) ? dims[0] : dims;
  }
  return withTensors(operand.constant, values);
}

function withTensors(value: PlanValue | undefined, values: (Tensor | Tensor[] | undefined)[]): unknown {
  if (Array.isArray(value)) return value.map((item) => withTensors(item, values));
  if (value !== null && typeof value === 'object') {
    if (typeof value.$tensor === 'number') return values[value.$tensor];
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withTensors(item, values)]));
  }
  return value;
}

/** A layer that evaluates `layer.body`, a custom layer's static op graph. */
export function createOpGraphLayer(tf: TF, body: PlanCustomBody, createSublayer: (layer: PlanLayer) => tfjs.layers.Layer): tfjs.layers.Layer {
  const OpGraphLayer = opGraphLayerClass(tf);
  return new OpGraphLayer(body, createSublayer);
}
