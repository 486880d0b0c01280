// Rotation invariance with group convolutions (CommonJS, plain JS). The P4 layers are
// exactly rotation-equivariant, but a stride-2 'same' convolution on an even-sized input
// samples a grid whose centre is not a pixel centre, so 90-degree rotations no longer map
// it onto itself (measured: 0.125 relative error at 24x24, 2e-7 at 25x25).
const tf = require('@tensorflow/tfjs');
const { P4ConvLifting2D, P4Conv2D, P4GroupPool } = require('symmetry-lint-layers');

/**
 * Galaxy morphology classifier.
 *
 * @symmetry invariant rotation90
 */
function buildGalaxyModel() {
  const model = tf.sequential();
  model.add(new P4ConvLifting2D({ inputShape: [24, 24, 1], filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(new P4Conv2D({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' })); // expect: rotation-grid-mismatch
  model.add(new P4GroupPool());
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  return model;
}

module.exports = { buildGalaxyModel };
