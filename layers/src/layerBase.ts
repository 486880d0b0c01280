// What every layer of the library shares: the constructor arguments tfjs layers take, and the
// conversion between one input and tfjs' tensor-or-list calling convention.
import * as tf from '@tensorflow/tfjs';

/** A shape without the batch axis; `null` for an unknown size. */
export type LayerShape = (number | null)[];

/** The arguments every tfjs layer accepts (a structural copy of tfjs' LayerArgs). */
export interface BaseLayerArgs {
  inputShape?: LayerShape;
  batchInputShape?: LayerShape;
  batchSize?: number;
  name?: string;
  trainable?: boolean;
  dtype?: tf.DataType;
}

export function singleTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

export function singleShape(inputShape: LayerShape | LayerShape[]): LayerShape {
  return Array.isArray(inputShape[0]) || inputShape.length === 0 ? ((inputShape as LayerShape[])[0] ?? []) : (inputShape as LayerShape);
}

export function expectRank(shape: LayerShape, rank: number, layer: string, layout: string): void {
  if (shape.length !== rank) {
    throw new Error(`${layer} expects a rank-${rank} input ${layout}, got shape [${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`);
  }
}
