// What the analysis cannot see, it says: a custom layer class and a kernel size that is only
// known at run time are analysis gaps (info), never a silent pass. The probe that runs this
// file's own code (trusted workspaces, `--probe-execute`) settles them.
import * as tf from '@tensorflow/tfjs';

/** Read at run time, as a real app reads its config: the analysis cannot know the values. */
const RUNTIME_CONFIG: { kernelSize: number } = JSON.parse('{"kernelSize": 3}');

/** Zeroes values at random while training: tf.dropout is an op the custom-layer table has no rule for. */
class ChannelDrop extends tf.layers.Layer {
  static className = 'ChannelDrop';
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.dropout(x, 0.1);
  }
}

/**
 * @symmetry invariant translation tol=1e-2
 */
export function buildGappyModel(kernelSize: number = RUNTIME_CONFIG.kernelSize): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 1 }));
  model.add(new ChannelDrop()); // expect: analysis-gap
  model.add(tf.layers.conv2d({ filters: 8, kernelSize, padding: 'same' })); // expect: analysis-gap
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

/**
 * // expect: analysis-gap
 * @symmetry invariant translation
 */
export function loadPretrained(): Promise<tf.LayersModel> {
  return tf.loadLayersModel('indexeddb://my-model');
}
