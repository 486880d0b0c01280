// Extraction on whole files from disk: a tfjs-examples style MNIST CNN and functional ResNet,
// and a helper reached through a tsconfig `paths` alias (the lazy non-relative fallback).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { extractModels } from '../../server/src/analysis/extraction/index';
import type { SourceProvider } from '../../server/src/analysis/sourceProvider';
import { kinds, layer, model, outputChain, parse, spanText } from '../fixtures/extraction/harness';

const FIXTURES = path.resolve(__dirname, '../fixtures/extraction');

class DiskProvider implements SourceProvider {
  getSourceFile(fileName: string): ts.SourceFile | undefined {
    if (!fs.existsSync(fileName) || !fs.statSync(fileName).isFile()) return undefined;
    return parse(fileName, fs.readFileSync(fileName, 'utf8'));
  }
}

describe('extraction: realistic files', () => {
  it('extracts the MNIST CNN and the functional ResNet with its block helper', () => {
    const fileName = path.join(FIXTURES, 'realistic/mnist-resnet.ts');
    const provider = new DiskProvider();
    const sourceFile = provider.getSourceFile(fileName)!;
    const text = sourceFile.text;
    const result = extractModels(sourceFile, provider);
    assert.deepEqual(result.models.map((m) => m.name), ['createConvModel', 'createResNet']);
    assert.deepEqual(result.orphans, []);

    const cnn = model(result, 'createConvModel');
    assert.equal(cnn.construction, 'sequential');
    assert.deepEqual(kinds(cnn), ['conv2d', 'maxPooling2d', 'conv2d', 'maxPooling2d', 'conv2d', 'flatten', 'dense', 'dense']);
    assert.deepEqual(cnn.inputs[0].shape, [28, 28, 1]);
    assert.equal(layer(cnn, 'dense', 1).config.values.units, 10);
    assert.match(cnn.docComments[0].text, /@symmetry invariant translation tol=1e-2/);
    assert.deepEqual(cnn.gaps, []);

    const resnet = model(result, 'createResNet');
    assert.equal(resnet.construction, 'functional');
    assert.deepEqual(resnet.inputs[0].shape, [32, 32, 3]);
    // stem, block(16, stride 1) without projection, block(32, stride 2) with a 1x1 projection
    assert.deepEqual(kinds(resnet), [
      'conv2d',
      'conv2d', 'batchNormalization', 'activation', 'conv2d', 'batchNormalization', 'add', 'activation',
      'conv2d', 'batchNormalization', 'activation', 'conv2d', 'batchNormalization', 'conv2d', 'add', 'activation',
      'globalAveragePooling2d', 'dense',
    ]);
    const projection = layer(resnet, 'conv2d', 5);
    assert.equal(projection.config.values.kernelSize, 1);
    assert.equal(projection.config.values.strides, 2);
    const secondAdd = layer(resnet, 'add', 1);
    assert.deepEqual(secondAdd.inputs, [layer(resnet, 'batchNormalization', 3).output, projection.output]);
    const firstAdd = layer(resnet, 'add', 0);
    assert.deepEqual(firstAdd.inputs[1], layer(resnet, 'conv2d', 0).output, 'identity shortcut from the stem');
    assert.equal(layer(resnet, 'conv2d', 1).config.values.useBias, false);
    assert.deepEqual(layer(resnet, 'conv2d', 1).callStack.map((s) => spanText(text, s)), ['residualBlock(x, filters, i === 0 ? 1 : 2)']);
    assert.equal(outputChain(resnet).at(-1), 'dense');
    // `if (stride !== 1)` is a constant in each call, so no gap.
    assert.deepEqual(resnet.gaps, []);
  });

  it('follows a tsconfig paths alias lazily', () => {
    const fileName = path.join(FIXTURES, 'paths/src/model.ts');
    const provider = new DiskProvider();
    const result = extractModels(provider.getSourceFile(fileName)!, provider);
    assert.deepEqual(kinds(model(result, 'build')), ['conv2d', 'globalAveragePooling2d', 'dense']);
    assert.equal(layer(model(result, 'build'), 'dense').span.file, path.join(FIXTURES, 'paths/src/lib/blocks.ts'));
  });
});
