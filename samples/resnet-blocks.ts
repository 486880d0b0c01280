// A small ResNet for 32x32 images built from helpers in another file. The findings land on
// the helper calls here, with the layer in helpers/blocks.ts as related information.
import * as tf from '@tensorflow/tfjs';
import { downsample, residualBlock } from './helpers/blocks';

const STAGES = [16, 32, 64];

/**
 * @symmetry invariant translation tol=0.05
 */
export function buildResNet(): tf.LayersModel {
  const image = tf.input({ shape: [32, 32, 3] });
  let x = tf.layers.conv2d({ filters: STAGES[0], kernelSize: 1 }).apply(image) as tf.SymbolicTensor;
  x = residualBlock(x, STAGES[0]); // expect: padding-boundary
  for (let stage = 1; stage < STAGES.length; stage++) {
    x = downsample(x, STAGES[stage]); // expect: strided-aliasing
    x = residualBlock(x, STAGES[stage]);
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: logits });
}
