// Attention pooling of a point cloud: a learned query scores every point, a softmax over the
// points turns the scores into weights, and the weighted sum is the cloud's descriptor. The
// query is one vector for all points, so no point is favoured for its index: invariant. A
// variant that keeps the first point's features as a "class token" reads by position.
import * as tf from '@tensorflow/tfjs';

/** Pools [N, T, F] to [N, F] with weights softmax_t(x_t · q). */
export class QueryPooling extends tf.layers.Layer {
  static className = 'QueryPooling';
  private query!: tf.LayerVariable;

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.query = this.addWeight('query', [shape[shape.length - 1] as number], 'float32', tf.initializers.glorotNormal({}));
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShape as tf.Shape;
    return [shape[0], shape[2]];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const points = Array.isArray(inputs) ? inputs[0] : inputs;
      const scores = tf.sum(tf.mul(points, this.query.read()), -1, true);
      const weights = tf.softmax(tf.transpose(scores, [0, 2, 1]), -1);
      return tf.squeeze(tf.matMul(weights, points), [1]);
    });
  }
}

/** Keeps the features of the first point only. */
export class FirstPoint extends tf.layers.Layer {
  static className = 'FirstPoint';

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShape as tf.Shape;
    return [shape[0], shape[2]];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const points = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.squeeze(tf.slice(points, [0, 0, 0], [-1, 1, -1]), [1]);
  }
}

/**
 * Classifies scanned objects from 256 points (x, y, z, intensity).
 *
 * @symmetry invariant permutation
 */
export function buildPointCloudClassifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [256, 4], units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(new QueryPooling({}));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** @symmetry invariant permutation */
export function buildFirstPointClassifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [256, 4], units: 64, activation: 'relu' }));
  model.add(new FirstPoint({})); // expect: positional-encoding
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}
