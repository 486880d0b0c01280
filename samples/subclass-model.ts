// A model written as a subclass of tf.Sequential, with its configuration in a constants
// object. Flip invariance (left-right mirror) holds through 1x1 convolutions and global
// pooling, even after a zero column on one side only (it is the same for every input). A
// pooling window that mixes that column into the image moves the mirror axis.
import * as tf from '@tensorflow/tfjs';

const CONFIG = { size: 28, channels: 1, width: 12 };

/**
 * A left-right mirror does not change which hand a sign shows.
 *
 * @symmetry invariant flip
 */
export class MirrorBlindNet extends tf.Sequential {
  constructor() {
    super();
    this.add(tf.layers.conv2d({ inputShape: [CONFIG.size, CONFIG.size, CONFIG.channels], filters: CONFIG.width, kernelSize: 1 }));
    this.add(tf.layers.zeroPadding2d({ padding: [[0, 0], [1, 0]] })); // expect: rotation-grid-mismatch
    this.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }));
    this.add(tf.layers.conv2d({ filters: CONFIG.width, kernelSize: 1, activation: 'relu' }));
    this.add(tf.layers.globalAveragePooling2d({}));
    this.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  }
}
