// CircularPad2D: pads an image by wrapping it around (a torus), so a following 'valid'
// convolution that uses at most the padded margin commutes exactly with circular shifts.
import * as tf from '@tensorflow/tfjs';
import { expectRank, singleShape, singleTensor, type BaseLayerArgs, type LayerShape } from './layerBase';
import { pairOf, wrapAxis } from './planeTransforms';

export interface CircularPad2DArgs extends BaseLayerArgs {
  /** Rows and columns added on each side: one number, or [rows, columns]. Default 1. */
  padding?: number | [number, number];
}

/**
 * Circular (wrap-around) padding of the H and W axes of an `[N, H, W, C]` tensor.
 *
 * Guarantee: `CircularPad2D({padding: p})` followed by a `'valid'` convolution with a kernel
 * of at most `2p + 1` gives an output of the input's size that is exactly equivariant to
 * circular shifts (to float32 rounding): shifting the input shifts the output by the same
 * amount. Zero padding (`'same'`) is only approximately equivariant, because shifted content
 * meets zeros at the borders. This is the periodic boundary condition of classical signal
 * processing; see e.g. Schubert et al., "Circular Convolutional Neural Networks" (2019).
 */
export class CircularPad2D extends tf.layers.Layer {
  static className = 'CircularPad2D';
  readonly padding: [number, number];

  constructor(args: CircularPad2DArgs = {}) {
    super(args);
    this.padding = pairOf(args.padding, 1, 'CircularPad2D padding');
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(inputShape);
    expectRank(shape, 4, 'CircularPad2D', '[N, H, W, C]');
    const grow = (size: number | null, pad: number) => (size === null ? null : size + 2 * pad);
    return [shape[0], grow(shape[1], this.padding[0]), grow(shape[2], this.padding[1]), shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs);
      expectRank(x.shape, 4, 'CircularPad2D', '[N, H, W, C]');
      return wrapAxis(wrapAxis(x, 1, this.padding[0], this.padding[0]), 2, this.padding[1], this.padding[1]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: [...this.padding] };
  }
}
