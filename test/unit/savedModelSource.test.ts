// Linking a saved model.json to the analysed model it was trained from (issue 9): a save call in
// the workspace's code that names its place, followed to the model it saves, else a unique
// match of the saved layer classes to an analysed model's layers.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/engine';
import { savedTopology, sourceBySaveCall, sourceByTopology } from '../../server/src/probe/savedModelSource';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { scratchFolder } from './scratchFolders';

const MODELS = `import * as tf from '@tensorflow/tfjs';
export function buildFlipNet() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}
export function buildDenseNet() {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [8, 8, 1] }));
  model.add(tf.layers.dense({ units: 4 }));
  return model;
}
`;

describe('saved model source', () => {
  let folder: string;
  before(() => {
    folder = scratchFolder('saved-source-');
    fs.writeFileSync(path.join(folder, 'models.ts'), MODELS);
    fs.writeFileSync(
      path.join(folder, 'train.ts'),
      `import * as tf from '@tensorflow/tfjs';
import { buildFlipNet, buildDenseNet } from './models';
export async function train(xs: tf.Tensor4D, ys: tf.Tensor2D) {
  const net = buildFlipNet();
  await net.fit(tf.image.flipLeftRight(xs), ys);
  await net.save('file://./out/flip');
  const dense = buildDenseNet();
  await dense.save(tf.io.fileSystem('/tmp/elsewhere/dense'));
  await dense.save('downloads://dense-net');
}
`,
    );
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  const files = () => ['models.ts', 'train.ts'].map((name) => path.join(folder, name));

  it('follows a relative file:// save from the workspace folder to the builder of the saved model', () => {
    const found = sourceBySaveCall(path.join(folder, 'out/flip/model.json'), files(), new DiskSourceFiles(), [folder]);
    assert.deepEqual(found, { fileName: path.join(folder, 'models.ts'), modelName: 'buildFlipNet', detail: "net.save('file://./out/flip') at train.ts line 6" });
  });

  it('reads tf.io.fileSystem and downloads:// targets', () => {
    assert.equal(sourceBySaveCall('/tmp/elsewhere/dense/model.json', files(), new DiskSourceFiles(), [folder])?.modelName, 'buildDenseNet');
    assert.equal(sourceBySaveCall('/home/user/Downloads/dense-net.json', files(), new DiskSourceFiles(), [folder])?.modelName, 'buildDenseNet');
    assert.equal(sourceBySaveCall(path.join(folder, 'out/other/model.json'), files(), new DiskSourceFiles(), [folder]), undefined);
  });

  it('matches a saved topology to the one model with the same layers, and to none when two have them', () => {
    const saved = { modelTopology: { class_name: 'Sequential', config: { name: 'sequential_1', layers: [{ class_name: 'Conv2D', config: { filters: 2, batch_input_shape: [null, 8, 8, 1] } }, { class_name: 'GlobalAveragePooling2D', config: {} }] } } };
    const topology = savedTopology(saved);
    assert.deepEqual(topology, { classes: ['conv2d', 'globalaveragepooling2d'], widths: [2, undefined], inputShape: [8, 8, 1] });
    const models = analyzeText(path.join(folder, 'models.ts'), MODELS).models;
    const linked = sourceByTopology(topology!, models);
    assert.equal(linked?.modelName, 'buildFlipNet');
    assert.match(linked!.detail, /its 2 layers \(conv2d, globalaveragepooling2d\) are those of buildFlipNet in models\.ts/);
    const twice = [...models, ...analyzeText(path.join(folder, 'copy.ts'), MODELS).models];
    assert.equal(sourceByTopology(topology!, twice), undefined);
    // The same classes with other widths or another input shape are another model.
    const wider = analyzeText(path.join(folder, 'wider.ts'), MODELS.replace('filters: 2', 'filters: 6')).models;
    assert.equal(sourceByTopology(topology!, [...models, ...wider])?.fileName, path.join(folder, 'models.ts'));
    const larger = analyzeText(path.join(folder, 'larger.ts'), MODELS.replace('[8, 8, 1], filters', '[9, 9, 1], filters')).models;
    assert.equal(sourceByTopology(topology!, [...models, ...larger])?.fileName, path.join(folder, 'models.ts'));
    // A Keras-style functional topology nests its config and starts with an input layer.
    const functional = { modelTopology: { model_config: { class_name: 'Functional', config: { layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 8, 8, 1] } }, { class_name: 'Flatten' }, { class_name: 'Dense', config: { units: 4 } }] } } } };
    assert.equal(sourceByTopology(savedTopology(functional)!, models)?.modelName, 'buildDenseNet');
  });
});
