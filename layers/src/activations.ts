// The activations the library's layers accept by name. tfjs keeps its own activation lookup
// private, so the few that matter for symmetry (odd ones for the sign group) are listed here.
import * as tf from '@tensorflow/tfjs';

export type ActivationName = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softsign' | 'elu' | 'softplus' | 'selu' | 'relu6';

const ACTIVATIONS: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  elu: (x) => tf.elu(x),
  softplus: (x) => tf.softplus(x),
  selu: (x) => tf.selu(x),
  relu6: (x) => tf.clipByValue(x, 0, 6),
};

/** Checks an activation name at construction, so a typo fails where the layer is written. */
export function resolveActivation(name: string | undefined, layer: string): ActivationName {
  const value = name ?? 'linear';
  if (!(value in ACTIVATIONS)) {
    throw new Error(`${layer}: unknown activation "${value}" (expected one of ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  return value as ActivationName;
}

export function applyActivation(name: ActivationName, x: tf.Tensor): tf.Tensor {
  return ACTIVATIONS[name](x);
}
