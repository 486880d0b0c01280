// Reusable building blocks imported by resnet-blocks.ts: the helper-in-another-file idiom.
// Layers created here are reported at the call site in the model's file.
import * as tf from '@tensorflow/tfjs';

export const BLOCK_DEFAULTS = { kernelSize: 3, padding: 'same', useBias: false } as const;

/** A residual block: two 3x3 convolutions and an identity shortcut. */
export function residualBlock(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ ...BLOCK_DEFAULTS, filters }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({}).apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ ...BLOCK_DEFAULTS, filters }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({}).apply(y) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([x, y]) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(sum) as tf.SymbolicTensor;
}

/** Halves the resolution with a strided convolution. */
export function downsample(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  return tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
}
