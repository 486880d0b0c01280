// Fixtures of the execute-mode probe tests: a model whose configuration is only known at run
// time (sizes from a sibling module that parses JSON), with a side effect that proves whether
// its code ran (it writes `executed.marker` beside itself).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchFolder } from './scratchFolders';

export const MARKER = 'executed.marker';

/** Read by the model through a relative import: JSON parsed at run time is no constant. */
export const RUNTIME_SIZES = `// Sizes known only at run time.
export const sizes = JSON.parse('{"kernel": 3, "pointwise": 1, "filters": 4}') as { kernel: number; pointwise: number; filters: number };
export function kernelFor(kind: 'spatial' | 'pointwise'): number {
  return kind === 'spatial' ? sizes.kernel : sizes.pointwise;
}
`;

export const RUNTIME_MODEL = `import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernelFor, sizes } from './runtimeSizes';

declare const __dirname: string;
// Proof of execution for the tests: this file exists only if the module ran.
fs.writeFileSync(path.join(__dirname, '${MARKER}'), 'executed\\n');

/** @symmetry invariant rotation90 */
export function buildBroken() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 1], filters: sizes.filters, kernelSize: kernelFor('pointwise') }),
    tf.layers.conv2d({ filters: sizes.filters, kernelSize: kernelFor('spatial'), padding: 'same', activation: 'relu' }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}

/** @symmetry invariant dihedral */
export function buildExact() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [12, 12, 3], filters: sizes.filters, kernelSize: kernelFor('pointwise'), activation: 'relu' }),
    tf.layers.globalMaxPooling2d({}),
    tf.layers.dense({ units: sizes.filters }),
  ] });
}
`;

/** 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

/** A fresh folder holding the model and its sibling module; returns the model's path. */
export function writeRuntimeModel(prefix: string, modelText = RUNTIME_MODEL): { folder: string; modelFile: string; marker: string } {
  const folder = scratchFolder(prefix);
  fs.writeFileSync(path.join(folder, 'runtimeSizes.ts'), RUNTIME_SIZES);
  const modelFile = path.join(folder, 'runtimeModel.ts');
  fs.writeFileSync(modelFile, modelText);
  return { folder, modelFile, marker: path.join(folder, MARKER) };
}
