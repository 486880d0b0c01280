// Construction styles of real tfjs code (issue 8, SPEC section 4 "Extraction must follow real
// code"): model fragments, class-based builders, super(layers) into a base in another file,
// layers made long before they are applied, configs changed between calls, sub-models applied
// in a loop, arrays of tensors, channelsFirst configs, and the ways scripts reach `tf`. Each
// idiom is written here in our own words, in CommonJS JS and in TS where both occur, and most
// are also checked end to end through the engine with a command-line declaration.
import { strict as assert } from 'node:assert';
import { analyzeFile } from '../../server/src/engine';
import { MemoryProvider, extract, kinds, layer, model } from '../fixtures/extraction/harness';

/** `rule@line` (1-based) of every finding the engine reports under `--symmetry <declaration>`. */
function findings(source: string, options: { fileName?: string; files?: Record<string, string>; symmetry?: string } = {}): string[] {
  const fileName = options.fileName ?? '/project/src/model.ts';
  const provider = new MemoryProvider({ ...(options.files ?? {}), [fileName]: source });
  const analysis = analyzeFile(provider.getSourceFile(fileName)!, provider, {
    commandLineDeclarations: [options.symmetry ?? 'invariant translation'],
    timeBudgetMs: 60000,
  });
  return analysis.findings.map((finding) => `${finding.ruleId}@${finding.line + 1}`);
}

function modelNames(source: string, options: { fileName?: string; files?: Record<string, string> } = {}): string[] {
  return extract(source, options).result.models.map((m) => m.name);
}

describe('construction: model fragments', () => {
  it('makes an arrow function that adds layers to the model it receives a fragment model, with its declaration (JS)', () => {
    const { result } = extract(
      `const tf = require('@tensorflow/tfjs');

/** @symmetry invariant translation */
const addConvLayers = (model) => {
  model.add(tf.layers.conv2d({filters: 16, kernelSize: 3, activation: 'relu'}));
  model.add(tf.layers.maxPooling2d({poolSize: 2}));
};
module.exports = { addConvLayers };`,
      { fileName: '/project/src/blocks.js' },
    );
    const fragment = model(result, 'addConvLayers');
    assert.equal(fragment.construction, 'fragment');
    assert.deepEqual(kinds(fragment), ['conv2d', 'maxPooling2d']);
    assert.equal(fragment.inputs.length, 1);
    assert.equal(fragment.inputs[0].shape, undefined, 'the input a fragment receives has no declared shape');
    assert.match(fragment.docComments[0].text, /@symmetry invariant translation/);
    assert.deepEqual(result.orphans, []);
  });

  it('makes a function declaration with more parameters a fragment too, and --symmetry counts it (TS)', () => {
    const source = `import * as tf from '@tensorflow/tfjs';
export function addFeatureBlock(model: tf.Sequential, filters: number) {
  model.add(tf.layers.conv2d({filters, kernelSize: 3, padding: 'same'}));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({units: 4}));
}`;
    const { result } = extract(source);
    const fragment = model(result, 'addFeatureBlock');
    assert.equal(fragment.construction, 'fragment');
    assert.deepEqual(kinds(fragment), ['conv2d', 'flatten', 'dense']);
    assert.equal(layer(fragment, 'conv2d').config.values.padding, 'same');
    const found = findings(source);
    assert.ok(found.includes('padding-boundary@3'), found.join(', '));
    assert.ok(!found.some((f) => f.startsWith('output-not-invariant')), `a fragment's output is not the model's: ${found.join(', ')}`);
  });

  it('gives the builder that calls an undeclared fragment its layers and reports no fragment of its own', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
function addBlock(model: tf.Sequential, filters: number) {
  model.add(tf.layers.conv2d({filters, kernelSize: 3, padding: 'same'}));
  model.add(tf.layers.batchNormalization());
}
/** @symmetry invariant translation */
export function build() {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({inputShape: [32, 32, 3]}));
  addBlock(model, 16);
  addBlock(model, 32);
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}`);
    assert.deepEqual(result.models.map((m) => m.name), ['build']);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['conv2d', 'batchNormalization', 'conv2d', 'batchNormalization', 'globalAveragePooling2d']);
    assert.deepEqual(graph.layers.filter((l) => l.kind === 'conv2d').map((l) => l.config.values.filters), [16, 32]);
  });

  it('takes no function that adds keys to a Set parameter for a fragment', () => {
    const { result } = extract(`function remember(seen, key) {
  seen.add(key.toString());
  seen.add(key);
}
function addLayerTo(model, layer) {
  model.add(layer);
}
module.exports = { remember, addLayerTo };`, { fileName: '/project/src/util.js' });
    assert.deepEqual(result.models, []);
  });

  it('keeps a declared fragment as its own model even when a builder calls it', () => {
    const names = modelNames(`const tf = require('@tensorflow/tfjs');
/** @symmetry equivariant translation */
function addBlock(model) {
  model.add(tf.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same'}));
}
function build() {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({inputShape: [16, 16, 1]}));
  addBlock(model);
  return model;
}`, { fileName: '/project/src/model.js' });
    assert.deepEqual(names, ['addBlock', 'build']);
  });
});

describe('construction: class-based builders', () => {
  it('names a model stored on this.model by a method the constructor calls after the class, once, with methods that add to it (TS)', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export class Classifier {
  model!: tf.Sequential;
  constructor() {
    this.buildModel();
  }
  buildModel() {
    this.model = tf.sequential();
    this.model.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters: 8, kernelSize: 3}));
    this.addHead();
  }
  addHead() {
    this.model.add(tf.layers.flatten());
    this.model.add(tf.layers.dense({units: 10}));
  }
}`);
    assert.deepEqual(result.models.map((m) => m.name), ['Classifier']);
    const graph = model(result, 'Classifier');
    assert.deepEqual(kinds(graph), ['conv2d', 'flatten', 'dense']);
    assert.match(graph.docComments.map((d) => d.text).join('\n'), /@symmetry invariant translation/);
  });

  it('follows init() that creates this.model and addLayers() that adds to it (CommonJS)', () => {
    const source = `const tf = require('@tensorflow/tfjs');
class Agent {
  init() {
    this.model = tf.sequential();
  }
  addLayers() {
    this.model.add(tf.layers.conv2d({inputShape: [16, 16, 2], filters: 8, kernelSize: 3}));
    this.model.add(tf.layers.flatten());
    this.model.add(tf.layers.dense({units: 4}));
  }
}
module.exports = { Agent };`;
    const { result } = extract(source, { fileName: '/project/src/agent.js' });
    assert.deepEqual(result.models.map((m) => m.name), ['Agent']);
    assert.deepEqual(kinds(model(result, 'Agent')), ['conv2d', 'flatten', 'dense']);
    assert.ok(findings(source, { fileName: '/project/src/agent.js' }).includes('flatten-breaks-invariance@8'));
  });

  it('follows a method that adds to the model the constructor stored on this.model (JS)', () => {
    const { result } = extract(`const tf = require('@tensorflow/tfjs');
class Agent {
  constructor(actions) {
    this.model = tf.sequential();
    this.model.add(tf.layers.conv2d({inputShape: [16, 16, 2], filters: 8, kernelSize: 3}));
  }
  addHead() {
    this.model.add(tf.layers.flatten());
    this.model.add(tf.layers.dense({units: 4}));
  }
}`, { fileName: '/project/src/agent.js' });
    assert.deepEqual(result.models.map((m) => m.name), ['Agent']);
    assert.deepEqual(kinds(model(result, 'Agent')), ['conv2d', 'flatten', 'dense']);
  });

  it('keeps what a prototype method stores on this (ES5 JS)', () => {
    const { result } = extract(`var tf = require('@tensorflow/tfjs');
function Agent(size) { this.size = size; }
Agent.prototype.build = function () {
  this.model = tf.sequential();
  this.model.add(tf.layers.conv2d({inputShape: [9, 9, 2], filters: 8, kernelSize: 3}));
  this.model.add(tf.layers.flatten());
  this.model.add(tf.layers.dense({units: 4}));
};
module.exports = Agent;`, { fileName: '/project/src/agent.js' });
    assert.deepEqual(kinds(model(result, 'Agent.prototype.build')), ['conv2d', 'flatten', 'dense']);
  });

  it('names a model a method returns Class.method', () => {
    const names = modelNames(`import * as tf from '@tensorflow/tfjs';
export class Trainer {
  createModel() {
    const m = tf.sequential();
    m.add(tf.layers.dense({inputShape: [4], units: 2}));
    return m;
  }
}`);
    assert.deepEqual(names, ['Trainer.createModel']);
  });

  it('follows this.add in a subclass of a local base that extends tf.Sequential, and the base is no model of its own', () => {
    const source = `import * as tf from '@tensorflow/tfjs';
class BaseNet extends tf.Sequential {
  addConv(filters: number) {
    this.add(tf.layers.conv2d({filters, kernelSize: 3, padding: 'same'}));
  }
}
export class SmallNet extends BaseNet {
  constructor() {
    super();
    this.add(tf.layers.inputLayer({inputShape: [24, 24, 1]}));
    this.addConv(8);
    this.add(tf.layers.flatten());
    this.add(tf.layers.dense({units: 3}));
  }
}`;
    const { result } = extract(source);
    assert.deepEqual(result.models.map((m) => m.name), ['SmallNet']);
    const graph = model(result, 'SmallNet');
    assert.equal(graph.construction, 'subclass');
    assert.deepEqual(kinds(graph), ['conv2d', 'flatten', 'dense']);
    assert.deepEqual(graph.inputs[0].shape, [24, 24, 1]);
    assert.ok(findings(source).includes('flatten-breaks-invariance@12'));
  });

  it('follows super.add(...) in a tf.Sequential subclass and super({layers}) with a named Sequential import', () => {
    const { result } = extract(`import { layers, Sequential } from '@tensorflow/tfjs';
export default class ShapeNet extends Sequential {
  constructor(size: { rows: number; cols: number }) {
    super();
    const { rows, cols } = size;
    super.add(layers.conv2d({inputShape: [rows, cols, 1], kernelSize: 5, filters: 4}));
    super.add(layers.flatten());
    super.add(layers.dense({units: 2}));
  }
  compile(): void {
    super.compile({loss: 'meanSquaredError', optimizer: 'sgd'});
  }
}
export class Regressor extends Sequential {
  constructor() {
    super({name: 'regressor', layers: [layers.dense({units: 16, inputShape: [1]}), layers.dense({units: 1})]});
  }
}`);
    assert.deepEqual(result.models.map((m) => m.name), ['ShapeNet', 'Regressor']);
    const shapes = model(result, 'ShapeNet');
    assert.deepEqual(kinds(shapes), ['conv2d', 'flatten', 'dense']);
    assert.equal(shapes.inputs[0].shape?.length, 3, 'the rank of an input shape from parameters');
    assert.deepEqual(kinds(model(result, 'Regressor')), ['dense', 'dense']);
  });

  it('finds a model a static factory builds with new on its own class, and forEach over a parameter in a constructor', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
class Head extends tf.Sequential {
  private constructor(args: tf.SequentialArgs) {
    super(args);
  }
  static async create(units: number) {
    return new Head({
      layers: [
        tf.layers.conv2d({inputShape: [7, 7, 64], filters: 8, kernelSize: 1}),
        tf.layers.flatten(),
        tf.layers.dense({units}),
      ],
    });
  }
}
export class Policy extends tf.Sequential {
  constructor(states: number, hidden: number[]) {
    super();
    hidden.forEach((size, i) => {
      this.add(tf.layers.dense({units: size, activation: 'relu', inputShape: i === 0 ? [states] : undefined}));
    });
    this.add(tf.layers.dense({units: 2}));
  }
}`);
    assert.deepEqual(result.models.map((m) => m.name), ['Head.create', 'Policy']);
    assert.deepEqual(kinds(model(result, 'Head.create')), ['conv2d', 'flatten', 'dense']);
    const policy = model(result, 'Policy');
    assert.deepEqual(kinds(policy), ['dense', 'dense']);
    assert.equal(policy.inputs[0].shape?.length, 1);
  });

  it('runs the method a subclass implements when the abstract base constructor calls it', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
abstract class AbstractModel extends tf.Sequential {
  constructor() {
    super();
    this.build();
  }
  abstract build(): void;
}
/** @symmetry invariant translation */
export class ConcreteModel extends AbstractModel {
  build() {
    this.add(tf.layers.conv2d({inputShape: [20, 20, 3], filters: 4, kernelSize: 3}));
    this.add(tf.layers.globalAveragePooling2d({}));
  }
}`);
    assert.deepEqual(result.models.map((m) => m.name), ['ConcreteModel']);
    assert.deepEqual(kinds(model(result, 'ConcreteModel')), ['conv2d', 'globalAveragePooling2d']);
  });

  const BASES = `import * as tf from '@tensorflow/tfjs';
export abstract class LayeredModel {
  model: tf.Sequential;
  constructor(layers: tf.layers.Layer[], name: string) {
    this.model = tf.sequential({name, layers});
    this.model.compile({optimizer: 'adam', loss: 'categoricalCrossentropy'});
  }
}
export class SequentialBase extends tf.Sequential {
  constructor(layers: tf.layers.Layer[]) {
    super({layers});
  }
}`;

  it('follows super(layers) into a base in another file that builds tf.sequential({layers}) (TS)', () => {
    const source = `import * as tf from '@tensorflow/tfjs';
import { LayeredModel } from '../base';

/** Small digits classifier. */
export class TinyNet extends LayeredModel {
  constructor() {
    const layers = [
      tf.layers.conv2d({inputShape: [10, 10, 1], filters: 4, kernelSize: 3}),
      tf.layers.flatten(),
      tf.layers.dense({units: 2}),
    ];
    super(layers, 'tiny');
  }
}`;
    const files = { '/project/base.ts': BASES };
    const { result } = extract(source, { files });
    assert.deepEqual(result.models.map((m) => m.name), ['TinyNet']);
    const graph = model(result, 'TinyNet');
    assert.deepEqual(kinds(graph), ['conv2d', 'flatten', 'dense']);
    assert.deepEqual(graph.inputs[0].shape, [10, 10, 1]);
    assert.ok(findings(source, { files }).includes('flatten-breaks-invariance@9'));
  });

  it('follows super(layers) into a tf.Sequential base that calls super({layers}) (CommonJS)', () => {
    const { result } = extract(
      `const tf = require('@tensorflow/tfjs');
const { SequentialBase } = require('./base');
class Convs extends SequentialBase {
  constructor() {
    super([
      tf.layers.conv2d({inputShape: [10, 10, 1], filters: 4, kernelSize: 3}),
      tf.layers.globalAveragePooling2d({}),
    ]);
  }
}
module.exports = Convs;`,
      {
        fileName: '/project/src/convs.js',
        files: {
          '/project/src/base.js': `const tf = require('@tensorflow/tfjs');
class SequentialBase extends tf.Sequential {
  constructor(layers) {
    super({layers});
  }
}
module.exports = { SequentialBase };`,
        },
      },
    );
    assert.deepEqual(result.models.map((m) => m.name), ['Convs']);
    assert.deepEqual(kinds(model(result, 'Convs')), ['conv2d', 'globalAveragePooling2d']);
  });

  it('still finds the model a constructor builds when the imported base class cannot be read', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
import { Base } from './missing';
export class Agent extends Base {
  constructor() {
    super();
    this.model = tf.sequential();
    this.model.add(tf.layers.dense({inputShape: [4], units: 2}));
  }
}`);
    assert.deepEqual(result.models.map((m) => m.name), ['Agent']);
    assert.deepEqual(kinds(model(result, 'Agent')), ['dense']);
  });

  it('reports no orphan for a declared class with an imported base whose model a method builds', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
import { BaseTrainer } from './trainer';
/** @symmetry invariant translation */
export class Trainer extends BaseTrainer {
  build() {
    const m = tf.sequential();
    m.add(tf.layers.dense({inputShape: [4], units: 2}));
    return m;
  }
}`, { files: { '/project/src/trainer.ts': 'export class BaseTrainer { epochs = 3; }' } });
    assert.deepEqual(result.models.map((m) => m.name), ['Trainer.build']);
    assert.deepEqual(result.orphans, []);
  });

  it('runs an object literal method that adds to the model another property created', () => {
    const { result } = extract(`const tf = require('@tensorflow/tfjs');
const Net = {
  model: tf.sequential(),
  create(units, steps) {
    this.model.add(tf.layers.lstm({units, inputShape: [steps, 4]}));
    this.model.add(tf.layers.dense({units: 4}));
    return this.model;
  },
};
module.exports = Net;`, { fileName: '/project/src/net.js' });
    assert.deepEqual(kinds(model(result, 'create')), ['lstm', 'dense']);
  });
});

describe('construction: layers, configs and tensors', () => {
  it('follows layers created long before they are applied: module constants and this.conv1 from a constructor (JS)', () => {
    const { result } = extract(`const tf = require('@tensorflow/tfjs');
const c1 = tf.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same'});
const pool = tf.layers.globalAveragePooling2d({});
function buildEarly() {
  const input = tf.input({shape: [32, 32, 3]});
  let x = c1.apply(input);
  x = pool.apply(x);
  return tf.model({inputs: input, outputs: x});
}
class Classifier {
  constructor(classes) {
    this.conv1 = tf.layers.conv2d({filters: 8, kernelSize: 5});
    this.flat = tf.layers.flatten();
    this.out = tf.layers.dense({units: classes});
  }
  call(x) {
    return this.out.apply(this.flat.apply(this.conv1.apply(x)));
  }
  build() {
    const input = tf.input({shape: [32, 32, 3]});
    return tf.model({inputs: input, outputs: this.call(input)});
  }
}
module.exports = { buildEarly, Classifier };`, { fileName: '/project/src/early.js' });
    assert.deepEqual(kinds(model(result, 'buildEarly')), ['conv2d', 'globalAveragePooling2d']);
    const graph = model(result, 'Classifier.build');
    assert.deepEqual(kinds(graph), ['conv2d', 'flatten', 'dense']);
    assert.equal(layer(graph, 'conv2d').config.values.kernelSize, 5);
  });

  it('gives each layer the config values at its call when one object is changed between calls', () => {
    const { result } = extract(`const tf = require('@tensorflow/tfjs');
function build() {
  const model = tf.sequential();
  const cfg = {inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same'};
  model.add(tf.layers.conv2d(cfg));
  delete cfg.inputShape;
  cfg.filters = 64;
  cfg.kernelSize = 5;
  cfg.strides = 2;
  model.add(tf.layers.conv2d(cfg));
  return model;
}`, { fileName: '/project/src/cfg.js' });
    const graph = model(result, 'build');
    const [first, second] = graph.layers;
    assert.deepEqual(first.config.values, { inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same' });
    assert.deepEqual(second.config.values, { filters: 64, kernelSize: 5, padding: 'same', strides: 2 });
  });

  it('inlines sub-models applied in a loop', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
function block(filters: number) {
  return tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [null, null, filters], filters, kernelSize: 3, padding: 'same'}),
    tf.layers.reLU(),
  ]});
}
export function build() {
  const input = tf.input({shape: [32, 32, 8]});
  const blocks = [block(8), block(8), block(8)];
  let x = input;
  for (const b of blocks) x = b.apply(x) as tf.SymbolicTensor;
  const out = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({inputs: input, outputs: out});
}`);
    const graph = model(result, 'build');
    assert.deepEqual(kinds(graph), ['conv2d', 'reLU', 'conv2d', 'reLU', 'conv2d', 'reLU', 'globalAveragePooling2d']);
    // A chain: each layer reads the previous layer's output.
    graph.layers.slice(1).forEach((node, i) => assert.deepEqual(node.inputs, [graph.layers[i].output]));
  });

  it('links a U-net built through arrays of tensors: push of the last, skips.pop(), concatenate', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
export function unet(depth = 2) {
  const input = tf.input({shape: [64, 64, 1]});
  const downs: tf.SymbolicTensor[] = [input];
  for (let i = 0; i < depth; i++) {
    const conv = tf.layers.conv2d({filters: 8 * 2 ** i, kernelSize: 3, padding: 'same'});
    downs.push(conv.apply(downs[downs.length - 1]) as tf.SymbolicTensor);
  }
  const skips: tf.SymbolicTensor[] = [];
  let x = downs[downs.length - 1];
  for (let i = 0; i < 2; i++) {
    skips.push(x);
    x = tf.layers.maxPooling2d({poolSize: 2}).apply(x) as tf.SymbolicTensor;
  }
  for (let i = 0; i < 2; i++) {
    x = tf.layers.upSampling2d({size: [2, 2]}).apply(x) as tf.SymbolicTensor;
    x = tf.layers.concatenate().apply([x, skips.pop()!]) as tf.SymbolicTensor;
  }
  return tf.model({inputs: input, outputs: x});
}`);
    const graph = model(result, 'unet');
    assert.deepEqual(kinds(graph), ['conv2d', 'conv2d', 'maxPooling2d', 'maxPooling2d', 'upSampling2d', 'concatenate', 'upSampling2d', 'concatenate']);
    const [conv1, conv2, pool1, pool2, up1, cat1, up2, cat2] = graph.layers;
    assert.deepEqual(conv2.inputs, [conv1.output]);
    assert.deepEqual(conv2.config.values.filters, 16);
    // The first concatenate joins the deepest skip (pool1's output), the second the shallowest.
    assert.deepEqual(cat1.inputs, [up1.output, pool1.output]);
    assert.deepEqual(cat2.inputs, [up2.output, conv2.output]);
    assert.deepEqual(pool2.inputs, [pool1.output]);
  });

  it("keeps dataFormat: 'channelsFirst' in every layer config and the input shape as written (JS)", () => {
    const { result } = extract(`const tf = require('@tensorflow/tfjs');
function build() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({inputShape: [3, 19, 19], dataFormat: 'channelsFirst', filters: 8, kernelSize: 3, padding: 'same'}));
  model.add(tf.layers.maxPooling2d({poolSize: 2, dataFormat: 'channelsFirst'}));
  model.add(tf.layers.globalAveragePooling2d({dataFormat: 'channelsFirst'}));
  return model;
}`, { fileName: '/project/src/go.js' });
    const graph = model(result, 'build');
    assert.deepEqual(graph.inputs[0].shape, [3, 19, 19]);
    assert.deepEqual(graph.layers.map((l) => l.config.values.dataFormat), ['channelsFirst', 'channelsFirst', 'channelsFirst']);
  });
});

describe('construction: how scripts reach tf and name their models', () => {
  it('takes a builder parameter named tf as the tfjs namespace (TS)', () => {
    const { result } = extract(`import type { LayersModel } from '@tensorflow/tfjs';
export const createModel = function createModel(tf: any, inputShape: number[], layers = 2): LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv1d({inputShape, filters: 8, kernelSize: 5, padding: 'same'}));
  model.add(tf.layers.globalAveragePooling1d());
  return model;
};`);
    assert.deepEqual(kinds(model(result, 'createModel')), ['conv1d', 'globalAveragePooling1d']);
  });

  it('reads tf from a ternary of two tfjs requires, and models kept on self in a worker (JS)', () => {
    const { result } = extract(`const tf = process.env.GPU ? require('@tensorflow/tfjs-node-gpu') : require('@tensorflow/tfjs-node');
class DigitsModel {
  generate(outputs) {
    this.model = tf.sequential();
    this.model.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters: 4, kernelSize: 3}));
    this.model.add(tf.layers.dense({units: outputs}));
  }
}
self.createModel = (steps) => {
  self.model = tf.sequential();
  self.model.add(tf.layers.lstm({units: 8, inputShape: [steps, 1]}));
  self.model.add(tf.layers.dense({units: 1}));
  return self.model;
};
export default DigitsModel;`, { fileName: '/project/src/worker.js' });
    assert.deepEqual(kinds(model(result, 'DigitsModel')), ['conv2d', 'dense']);
    assert.deepEqual(kinds(model(result, 'self.createModel')), ['lstm', 'dense']);
  });

  it('runs forEach and reduce callbacks over a parameter once, with a gap', () => {
    const { result } = extract(`const tf = require('@tensorflow/tfjs');
const stacked = (sizes, steps) => {
  const model = sizes.reduce((m, units, i) => {
    m.add(tf.layers.lstm({units, returnSequences: true, inputShape: i === 0 ? [steps, 3] : undefined}));
    return m;
  }, tf.sequential());
  model.add(tf.layers.dense({units: 3}));
  return model;
};
function head(hidden) {
  const model = tf.sequential();
  model.add(tf.layers.flatten({inputShape: [8, 8, 1]}));
  hidden.forEach((h) => model.add(tf.layers.dense({units: h.units})));
  return model;
}
module.exports = { stacked, head };`, { fileName: '/project/src/iterate.js' });
    const stacked = model(result, 'stacked');
    assert.deepEqual(kinds(stacked), ['lstm', 'dense']);
    assert.equal(stacked.inputs[0].shape?.length, 2, 'the callback runs as the first iteration (index 0)');
    assert.ok(stacked.gaps.some((g) => /`sizes` is not known statically, so the callback is analysed once/.test(g.message)));
    assert.deepEqual(kinds(model(result, 'head')), ['flatten', 'dense']);
  });

  it("names a script's model and an anonymous default export's model after their variables", () => {
    assert.deepEqual(
      modelNames(`import * as tf from '@tensorflow/tfjs';
async function train(data: any) {
  const model = tf.sequential({layers: [tf.layers.dense({inputShape: [4], units: 2})]});
  model.compile({optimizer: 'adam', loss: 'meanSquaredError'});
  await model.fit(data.xs, data.ys);
}`),
      ['train.model'],
    );
    assert.deepEqual(
      modelNames(`import * as tf from '@tensorflow/tfjs';
export default (steps: number, features: number) => {
  const forecaster = tf.sequential({layers: [tf.layers.lstm({inputShape: [steps, features], units: 8})]});
  return forecaster;
};`),
      ['forecaster'],
    );
  });
});

describe('construction: a sequential\'s layers as tensors', () => {
  it('follows `tf.model({inputs: seq.layers[0].input, outputs: seq.layers[k].output})` into the first k + 1 layers (JS)', () => {
    const source = `const tf = require('@tensorflow/tfjs');
class FeatureTrunk {
  /** @symmetry equivariant translation */
  build() {
    this.net = tf.sequential();
    this.net.add(tf.layers.conv2d({inputShape: [20, 20, 3], filters: 6, kernelSize: 3, padding: 'same'}));
    this.net.add(tf.layers.conv2d({filters: 6, kernelSize: 3, padding: 'same'}));
    this.net.add(tf.layers.flatten());
    this.net.add(tf.layers.dense({units: 4}));
    return tf.model({inputs: this.net.layers[0].input, outputs: this.net.layers[1].output});
  }
}
module.exports = { FeatureTrunk };`;
    const { result } = extract(source, { fileName: '/project/src/trunk.js' });
    const trunk = result.models.find((m) => m.construction === 'functional');
    assert.ok(trunk, result.models.map((m) => `${m.name}:${m.construction}`).join(', '));
    assert.deepEqual(kinds(trunk), ['conv2d', 'conv2d']);
    assert.deepEqual(trunk.inputs.map((input) => input.shape), [[20, 20, 3]]);
    assert.deepEqual(trunk.outputs, [trunk.layers[1].output]);
    assert.deepEqual(trunk.gaps, []);
  });

  it('reads a later layer\'s input as the previous layer\'s output (TS)', () => {
    const { result } = extract(`import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function buildHead() {
  const seq = tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [12, 12, 1], filters: 4, kernelSize: 3}),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({units: 2}),
  ]});
  return tf.model({inputs: seq.layers[0].input, outputs: seq.layers[2].input});
}`);
    const head = result.models.find((m) => m.construction === 'functional');
    assert.ok(head);
    assert.deepEqual(kinds(head), ['conv2d', 'globalAveragePooling2d']);
  });
});
