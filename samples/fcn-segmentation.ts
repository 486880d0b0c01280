// A small fully convolutional segmentation network (functional API, named imports). A mask
// should move with the image: translation equivariance. Zero padding makes that hold only
// away from the borders, which the approximate declaration accepts (so the finding is info),
// but the max pooling and upsampling pair only commutes with even shifts.
import { input, layers, model, LayersModel, SymbolicTensor } from '@tensorflow/tfjs';

const CONV = { kernelSize: 3, padding: 'same', activation: 'relu' } as const;

function convBlock(x: SymbolicTensor, filters: number): SymbolicTensor {
  x = layers.conv2d({ ...CONV, filters }).apply(x) as SymbolicTensor; // expect: padding-boundary
  return layers.conv2d({ ...CONV, filters }).apply(x) as SymbolicTensor;
}

/**
 * @symmetry equivariant translation tol=1e-2
 */
export function buildSegmenter(): LayersModel {
  const image = input({ shape: [64, 64, 3] });
  const encoded = convBlock(image, 16);
  const pooled = layers.maxPooling2d({ poolSize: 2 }).apply(encoded) as SymbolicTensor; // expect: strided-aliasing
  const deep = convBlock(pooled, 32);
  const up = layers.upSampling2d({ size: [2, 2] }).apply(deep) as SymbolicTensor;
  const merged = layers.concatenate({ axis: -1 }).apply([encoded, up]) as SymbolicTensor;
  const mask = layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }).apply(merged) as SymbolicTensor;
  return model({ inputs: image, outputs: mask });
}
