// Malformed declarations are findings themselves, each naming what was expected and the
// closest valid spelling; nothing is silently ignored.
import * as tf from '@tensorflow/tfjs';

/**
 * // expect: invalid-declaration
 * @symmetry invarient translation
 * // expect: invalid-declaration
 * @symmetry invariant rotation
 * // expect: invalid-declaration
 * @symmetry equivariant flip tol=small
 * // expect: invalid-declaration
 * @symetry invariant flip
 */
export function buildTypoModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [16, 16, 1], units: 4 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
