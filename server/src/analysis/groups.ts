// Where each group acts (SPEC section 3): the acting axes of an input of a given rank, and
// whether a declaration fits the model's inputs at all (rank, square images, token ids).
import type { CustomLayerBody } from './customLayerBody';
import { configValue, type ModelGraph, type ModelInput } from './graph';
import type { DeclarationMismatch, GroupName, SymmetryDeclaration } from './symmetry';
import { formatShape } from './layerRules/types';

/** Layers that read integer token ids, whose positions a group may move. */
const TOKEN_CONSUMERS: ReadonlySet<string> = new Set(['embedding', 'categoryEncoding']);

/**
 * Positions (in a shape without the batch axis) of the axes the group acts on, for an input
 * of `rank`; `undefined` when the group cannot act on such an input. Sign acts on values: [].
 */
export function actingAxesForRank(group: GroupName, rank: number, declaredAxis = 1, tokenIds = false, channelsFirst = false): number[] | undefined {
  if (channelsFirst && rank >= 3 && group !== 'permutation' && group !== 'sign') {
    // [C, H, W]: the same spatial axes, one place further on.
    return actingAxesForRank(group, rank, declaredAxis, tokenIds)?.map((axis) => axis + 1);
  }
  switch (group) {
    case 'sign':
      return [];
    case 'translation':
      if (rank >= 2 && rank <= 4) return Array.from({ length: rank - 1 }, (_, axis) => axis);
      return rank === 1 && tokenIds ? [0] : undefined;
    case 'rotation90':
    case 'dihedral':
      return rank === 3 ? [0, 1] : undefined;
    case 'flip':
      if (rank === 3) return [1];
      return rank === 2 ? [0] : undefined;
    case 'permutation':
      if (rank === 2 && declaredAxis >= 1 && declaredAxis <= 2) return [declaredAxis - 1];
      return rank === 1 && tokenIds && declaredAxis === 1 ? [0] : undefined;
  }
}

/**
 * The input's layout, from the first layer along its path that says (`dataFormat`): image
 * layers in tfjs default to channels last, and a model keeps one layout throughout.
 */
export function feedsChannelsFirst(model: ModelGraph, tensor: number): boolean {
  let current = tensor;
  for (let step = 0; step < model.layers.length; step++) {
    const consumer = model.layers.find((layer) => layer.inputs.includes(current));
    if (!consumer) return false;
    const format = configValue(consumer.config, 'dataFormat') ?? (consumer.inner ? configValue(consumer.inner.config, 'dataFormat') : undefined);
    if (typeof format === 'string') return format === 'channelsFirst';
    current = consumer.output;
  }
  return false;
}

/**
 * The input feeds a layer that reads token ids: an embedding, or a custom layer whose call()
 * looks its input up in an embedding sublayer.
 */
export function feedsTokenIds(model: ModelGraph, tensor: number): boolean {
  return model.layers.some((layer) => layer.inputs.includes(tensor) && (TOKEN_CONSUMERS.has(layer.kind) || looksUpItsInput(layer.body)));
}

function looksUpItsInput(body: CustomLayerBody | undefined): boolean {
  return !!body?.ops.some((op) => op.op.startsWith('layer:') && TOKEN_CONSUMERS.has(op.op.slice(6)) && op.operands.some((operand) => 'value' in operand && body.ops[operand.value]?.op === 'input'));
}

function inputMismatch(model: ModelGraph, input: ModelInput, declaration: SymmetryDeclaration): string | undefined {
  const shape = input.shape;
  if (!shape) return undefined;
  const { group } = declaration;
  const tokenIds = feedsTokenIds(model, input.tensor);
  const described = formatShape(shape);
  if (actingAxesForRank(group, shape.length, declaration.axis, tokenIds) === undefined) {
    switch (group) {
      case 'translation':
        return `translation needs an input [N, T, F], [N, H, W, C], [N, D, H, W, C] or token ids, but this model's input is ${described}`;
      case 'rotation90':
      case 'dihedral':
        return `${group} needs an image input [N, H, W, C], but this model's input is ${described}`;
      case 'flip':
        return `flip needs an image [N, H, W, C] or a sequence [N, T, F], but this model's input is ${described}`;
      case 'permutation':
        if (shape.length === 1 && !tokenIds) {
          return `permutation needs a set input [N, T, F] or token ids, but this model's input ${described} is a plain feature vector`;
        }
        if (shape.length === 2 || (shape.length === 1 && tokenIds)) {
          return `permutation axis=${declaration.axis} is not an axis of this model's input ${described}, whose axis 0 is the batch`;
        }
        return `permutation needs a set input [N, T, F], but this model's input is ${described}`;
      case 'sign':
        return undefined;
    }
  }
  const [height, width] = feedsChannelsFirst(model, input.tensor) && shape.length === 3 ? shape.slice(1) : shape;
  if ((group === 'rotation90' || group === 'dihedral') && height !== null && width !== null && height !== width) {
    return `${group} needs a square input, but this model's input is ${height}x${width}`;
  }
  return undefined;
}

/** A message when the declaration does not fit one of the model's inputs; unknown shapes fit. */
export function declarationMismatch(model: ModelGraph, declaration: SymmetryDeclaration): DeclarationMismatch | undefined {
  if (declaration.adjacency !== undefined) {
    const paired = model.inputs[declaration.adjacency];
    if (!paired) {
      return { message: `adjacency=${declaration.adjacency} names no input: this model has ${model.inputs.length} input${model.inputs.length === 1 ? '' : 's'} (0-based)` };
    }
    const shape = paired.shape;
    if (shape && (shape.length !== 2 || (shape[0] !== null && shape[1] !== null && shape[0] !== shape[1]))) {
      return { message: `adjacency=${declaration.adjacency} needs an input [N, T, T] pairing the set's elements, but that input is ${formatShape(shape)}`, input: paired.span };
    }
  }
  for (const input of model.inputs) {
    const message = inputMismatch(model, input, declaration);
    if (message) return { message, input: input.span };
  }
  return undefined;
}
