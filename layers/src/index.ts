// symmetry-lint-layers: equivariant TensorFlow.js layers (SPEC section 6). Importing this
// module registers every layer with tf.serialization, so saved models that use them load.
import * as tf from '@tensorflow/tfjs';
import { CircularPad2D } from './circularPad2d';
import { CircularPad1D, CircularPad3D } from './circularPad1d3d';
import { BlurPool1D, BlurPool3D } from './blurPool1d3d';
import { BlurPool2D, PolyphasePool2D } from './downsampling';
import { GroupAveraging } from './groupAveraging';
import { P4Conv2D, P4ConvLifting2D, P4GroupPool } from './p4Convolution';
import { SetDense, SetPool } from './setLayers';

export { CircularPad2D, type CircularPad2DArgs } from './circularPad2d';
export { CircularPad1D, CircularPad3D, type CircularPad1DArgs, type CircularPad3DArgs } from './circularPad1d3d';
export { BlurPool1D, BlurPool3D, type BlurPoolArgs } from './blurPool1d3d';
export { BlurPool2D, PolyphasePool2D, type BlurPool2DArgs, type PolyphasePool2DArgs } from './downsampling';
export { GroupAveraging, type AveragedGroup, type GroupAveragingArgs } from './groupAveraging';
export { P4Conv2D, P4ConvLifting2D, P4GroupPool, type P4ConvArgs, type P4GroupPoolArgs } from './p4Convolution';
export { SetDense, SetPool, type SetDenseArgs, type SetPoolArgs, type SetReduction } from './setLayers';
export { rotate90, flipPlane, wrapAxis } from './planeTransforms';
export type { ActivationName } from './activations';

/** Every layer class of the library, by its serialized class name. */
export const LAYER_CLASSES = [
  CircularPad1D,
  CircularPad2D,
  CircularPad3D,
  BlurPool1D,
  BlurPool2D,
  BlurPool3D,
  PolyphasePool2D,
  P4ConvLifting2D,
  P4Conv2D,
  P4GroupPool,
  GroupAveraging,
  SetDense,
  SetPool,
] as const;

for (const layerClass of LAYER_CLASSES) tf.serialization.registerClass(layerClass);
