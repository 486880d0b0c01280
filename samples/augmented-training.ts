// A training script that augments: flips and shifts the images of each batch, but the model
// declares no symmetry. The augmentations say what the task is; the findings say what the
// model does with it (its 3x3 convolution breaks the flip; its zero padding makes shifts
// approximate). The labels and the validation images are transformed too: that is no
// augmentation of the training input.
import * as tf from '@tensorflow/tfjs';

export function buildLeafClassifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 5, activation: 'softmax' }));
  return model;
}

function augmentBatch(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const mirrored = tf.image.flipLeftRight(images); // expect: augmentation-not-declared
    const dy = tf.randomUniform([], 0, 8, 'int32').arraySync() as number;
    const dx = tf.randomUniform([], 0, 8, 'int32').arraySync() as number;
    const padded = tf.pad(mirrored, [[0, 0], [4, 4], [4, 4], [0, 0]]);
    return tf.slice(padded, [0, dy, dx, 0], [-1, 64, 64, 3]); // expect: augmentation-not-declared
  });
}

export async function trainLeafClassifier(images: tf.Tensor4D, labels: tf.Tensor2D, valImages: tf.Tensor4D, valLabels: tf.Tensor2D) {
  const model = buildLeafClassifier();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const mirroredValidation = tf.image.flipLeftRight(valImages);
  for (let epoch = 0; epoch < 20; epoch++) {
    await model.fit(augmentBatch(images), tf.reverse(labels, 1), { epochs: 1, validationData: [mirroredValidation, valLabels] });
  }
}
