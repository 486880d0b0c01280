// Static output shapes (without the batch axis) of every tensor of a layer graph, from the
// declared input shapes and each layer's configuration, with tfjs' size formulas.
import type { ModelGraph } from './graph';
import type { ShapeTable } from './symmetry';
import { ConfigReader } from './layerRules/config';
import { layerRuleFor } from './layerRules';
import type { Shape } from './layerRules/types';

/**
 * A declared shape, or one assumed for the input (the structure a declaration implies), or a
 * shape of unknown sizes with the rank that the first consumer requires.
 */
function inputShape(model: ModelGraph, tensor: number, declared: Shape, assumed: Shape): Shape {
  if (declared) return declared;
  if (assumed) return assumed;
  const consumer = model.layers.find((layer) => layer.inputs.includes(tensor));
  const rank = consumer ? layerRuleFor(consumer.kind, consumer.origin)?.inputRank : undefined;
  return rank === undefined ? undefined : new Array<null>(rank).fill(null);
}

function clean(shape: Shape): Shape {
  if (!shape) return undefined;
  return shape.map((dim) => (dim === null || !Number.isFinite(dim) || dim < 0 ? null : dim));
}

/** The rank of an input's shape when neither the code nor its first layer fixes it. */
export function undeclaredInputRank(model: ModelGraph, tensor: number): number | undefined {
  const input = model.inputs.find((candidate) => candidate.tensor === tensor);
  return input ? inputShape(model, tensor, input.shape, undefined)?.length : undefined;
}

/** `assumed`: shapes to take for inputs that declare none (by tensor id). */
export function inferShapes(model: ModelGraph, assumed?: ReadonlyMap<number, (number | null)[]>): ShapeTable {
  const count = Math.max(model.tensors.length, ...model.layers.map((layer) => layer.output + 1), ...model.inputs.map((input) => input.tensor + 1));
  const shapes: ShapeTable = new Array<Shape>(count).fill(undefined);
  for (const input of model.inputs) shapes[input.tensor] = clean(inputShape(model, input.tensor, input.shape, assumed?.get(input.tensor)));
  for (const layer of model.layers) {
    const rule = layerRuleFor(layer.kind, layer.origin);
    if (!rule) continue;
    const inputShapes = layer.inputs.map((tensor) => shapes[tensor]);
    try {
      shapes[layer.output] = clean(rule.outputShape({ node: layer, inputShapes, config: new ConfigReader(layer.config, false) }));
    } catch {
      // A configuration of an unexpected form: the shape is simply unknown.
      shapes[layer.output] = undefined;
    }
  }
  return shapes;
}
