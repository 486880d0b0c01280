// A cell classifier for microscope slides, which have no "up". Ordinary 3x3 kernels are
// learned, not symmetric, so the first one breaks rotation invariance; the later ones are
// listed with it rather than reported one by one.
import * as tf from '@tensorflow/tfjs';

const FILTERS = [16, 32, 64];

/**
 * @symmetry invariant rotation90
 */
export function buildCellClassifier(numClasses = 3): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: [48, 48, 1] }));
  for (const filters of FILTERS) {
    model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' })); // expect: kernel-breaks-rotation
    model.add(tf.layers.batchNormalization());
  }
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}
