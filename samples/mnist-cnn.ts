// MNIST digit classifier in the style of the tfjs-examples repository: the classic
// conv/pool/flatten/dense stack. A digit is a digit wherever it sits, so the task is
// translation invariant, and the sample shows the three ways this architecture falls short.
import * as tf from '@tensorflow/tfjs';

const IMAGE_SIZE = 28;
const NUM_CLASSES = 10;

/**
 * Builds the convolutional classifier used by the training page.
 *
 * @symmetry invariant translation
 */
export function createConvModel(): tf.Sequential {
  const model = tf.sequential();

  model.add(tf.layers.conv2d({ // expect: padding-boundary
    inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
    kernelSize: 3,
    filters: 16,
    activation: 'relu',
  }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 })); // expect: strided-aliasing
  model.add(tf.layers.conv2d({ kernelSize: 3, filters: 32, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ kernelSize: 3, filters: 32, activation: 'relu' }));

  model.add(tf.layers.flatten({})); // expect: flatten-breaks-invariance
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }));
  return model;
}

export function compileModel(model: tf.Sequential): void {
  model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
}
