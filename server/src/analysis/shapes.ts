// Static output shapes (without the batch axis) of every tensor of a layer graph, from the
// declared input shapes and each layer's configuration, with tfjs' size formulas.
import type { ModelGraph } from './graph';
import type { ShapeTable } from './symmetry';
import { ConfigReader } from './layerRules/config';
import { ruleForLayer } from './layerRules';
import type { Shape } from './layerRules/types';

/**
 * A declared shape, or one assumed for the input (the structure a declaration implies), or a
 * shape of unknown sizes with the rank that the first consumer requires.
 */
function inputShape(model: ModelGraph, tensor: number, declared: Shape, assumed: Shape): Shape {
  if (declared) return declared;
  if (assumed) return assumed;
  const rank = rankFixedDownstream(model, tensor);
  return rank === undefined ? undefined : new Array<null>(rank).fill(null);
}

/** How many layers a rank may be carried through before the search gives up. */
const MAX_RANK_SEARCH = 16;

/**
 * The rank the first layer that fixes one expects, looking through layers that keep whatever
 * rank they get (dropout, activations, noise, dense): `dropout({inputShape})` then `conv1d`
 * takes a rank-3 input, which the dropout alone does not say.
 */
function rankFixedDownstream(model: ModelGraph, tensor: number): number | undefined {
  let current = tensor;
  for (let step = 0; step < MAX_RANK_SEARCH; step++) {
    const consumer = model.layers.find((layer) => layer.inputs.includes(current));
    if (!consumer) return undefined;
    const rule = ruleForLayer(consumer);
    if (!rule) return undefined;
    if (rule.inputRank !== undefined) return rule.inputRank;
    if (consumer.inputs.length !== 1 || !keepsAnyRank(consumer)) return undefined;
    current = consumer.output;
  }
  return undefined;
}

function keepsAnyRank(layer: ModelGraph['layers'][number]): boolean {
  const rule = ruleForLayer(layer);
  if (!rule) return false;
  for (let rank = 2; rank <= 5; rank++) {
    try {
      const shape = rule.outputShape({ node: layer, inputShapes: [new Array<null>(rank).fill(null)], config: new ConfigReader(layer.config, false) });
      if (shape?.length !== rank) return false;
    } catch {
      return false;
    }
  }
  return true;
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
    const rule = ruleForLayer(layer);
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
