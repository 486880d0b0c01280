// Probes of graph and attention models (issue 11): two-input functional models [X, A] under the
// joint action X -> P·X, A -> P·A·Pᵀ, in the literal and the execute mode; the adjacency input's
// random symmetric 0/1 values; custom layers (built from their static op graph in literal mode, by their own
// class in execute mode); and tf.einsum, which tfjs-wasm has no kernel for.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeFile, analyzeText, parseSource, type FileAnalysis } from '../../server/src/engine';
import { evaluateEinsum } from '../../server/src/probe/einsumFallback';
import { fillRandomAdjacency } from '../../server/src/probe/pairedInputs';
import { declaredAdjacencyInput } from '../../server/src/probe/plan';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile, type FileProbeOutcome, type ProbeLimits } from '../../server/src/probe/runProbes';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { ensureServerBuilt } from './probeTestSupport';
import { scratchFolder } from './scratchFolders';

const LIMITS: ProbeLimits = { timeoutMs: 60000, maxParameters: 20_000_000 };
const EXACT = 1e-4;

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `no line contains ${needle}`);
  return index + 1;
}

/**
 * What the declaration parser of the static branch gives for `adjacency=<input>`: the parsed
 * declaration carries the 0-based input index in `adjacency`.
 */
function declareAdjacency(analysis: FileAnalysis, input: number): FileAnalysis {
  for (const model of analysis.models) for (const declaration of model.declarations) Object.assign(declaration, { adjacency: input });
  return analysis;
}

const LIBRARY_GRAPH_MODEL = `import * as tf from '@tensorflow/tfjs';
import * as sl from 'symmetry-lint-layers';

/** @symmetry invariant permutation */
export function buildMoleculeReader() {
  const atoms = tf.input({ shape: [6, 3] });
  const bonds = tf.input({ shape: [6, 6] });
  const mixed = new sl.SetAttention({ numHeads: 2, keyDim: 4 }).apply(atoms) as tf.SymbolicTensor;
  const messages = new sl.GraphConv({ units: 4, activation: 'relu' }).apply([mixed, bonds]) as tf.SymbolicTensor;
  const again = new sl.GraphConv({ units: 4, selfLoops: false, normalization: 'none' }).apply([messages, bonds]) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: new sl.SetPool({ reduction: 'sum' }).apply(again) as tf.SymbolicTensor });
}

/** @symmetry invariant permutation */
export function buildNodeIndexedReader() {
  const atoms = tf.input({ shape: [6, 3] });
  const bonds = tf.input({ shape: [6, 6] });
  const messages = new sl.GraphConv({ units: 4 }).apply([atoms, bonds]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({}).apply(messages) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: tf.layers.dense({ units: 2 }).apply(flat) as tf.SymbolicTensor });
}
`;

/** Message passing with plain tfjs layers: A·X by a dot layer, then a per-node dense and a mean. */
const DOT_GRAPH_MODEL = `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant permutation */
export function buildDotMessages() {
  const adjacency = tf.input({ shape: [7, 7] });
  const nodes = tf.input({ shape: [7, 3] });
  const gathered = tf.layers.dot({ axes: [2, 1] }).apply([adjacency, nodes]) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 5, activation: 'tanh' }).apply(gathered) as tf.SymbolicTensor;
  return tf.model({ inputs: [adjacency, nodes], outputs: tf.layers.globalAveragePooling1d({}).apply(hidden) as tf.SymbolicTensor });
}
`;

/** Custom layers: message passing by matMul, attention by einsum, and a learned per-node scale. */
const CUSTOM_GRAPH_MODEL = `import * as tf from '@tensorflow/tfjs';

/** A·X·W on [X, A]. */
class NeighbourSum extends tf.layers.Layer {
  static className = 'NeighbourSum';
  private readonly units: number;
  private kernel!: tf.LayerVariable;
  constructor(config: { units: number }) {
    super({});
    this.units = config.units;
  }
  build(inputShape: tf.Shape | tf.Shape[]) {
    const features = (inputShape as tf.Shape[])[0][2] as number;
    this.kernel = this.addWeight('kernel', [features, this.units], 'float32', tf.initializers.glorotNormal({}));
  }
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    const [nodes] = inputShape as tf.Shape[];
    return [nodes[0], nodes[1], this.units];
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const [x, a] = inputs as tf.Tensor[];
      const [n, t, f] = x.shape;
      const projected = tf.reshape(tf.matMul(tf.reshape(x, [n * t, f]) as tf.Tensor2D, this.kernel.read() as tf.Tensor2D), [n, t, this.units]);
      return tf.relu(tf.matMul(a as tf.Tensor3D, projected as tf.Tensor3D));
    });
  }
}

/** Self-attention written with tf.einsum, no positions. */
class EinsumAttention extends tf.layers.Layer {
  static className = 'EinsumAttention';
  private query!: tf.LayerVariable;
  private key!: tf.LayerVariable;
  build(inputShape: tf.Shape | tf.Shape[]) {
    const features = (inputShape as tf.Shape)[2] as number;
    this.query = this.addWeight('query', [features, 4], 'float32', tf.initializers.glorotNormal({}));
    this.key = this.addWeight('key', [features, 4], 'float32', tf.initializers.glorotNormal({}));
  }
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]) {
    return inputShape;
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const q = tf.einsum('btf,fw->btw', x, this.query.read());
      const k = tf.einsum('btf,fw->btw', x, this.key.read());
      const weights = tf.softmax(tf.div(tf.einsum('bsw,btw->bst', q, k), 2));
      return tf.einsum('bst,btf->bsf', weights, x);
    });
  }
}

/** A learned scale per node index: tied to positions (an offset would average out). */
class NodeScale extends tf.layers.Layer {
  static className = 'NodeScale';
  private scale!: tf.LayerVariable;
  build(inputShape: tf.Shape | tf.Shape[]) {
    const shape = inputShape as tf.Shape;
    this.scale = this.addWeight('scale', [shape[1] as number, shape[2] as number], 'float32', tf.initializers.randomNormal({}));
  }
  call(inputs: tf.Tensor | tf.Tensor[]) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.mul(x, this.scale.read());
  }
}

/** @symmetry invariant permutation */
export function buildCustomGraph() {
  const atoms = tf.input({ shape: [8, 5] });
  const bonds = tf.input({ shape: [8, 8] });
  const attended = new EinsumAttention({}).apply(atoms) as tf.SymbolicTensor;
  const messages = new NeighbourSum({ units: 6 }).apply([attended, bonds]) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: tf.layers.globalAveragePooling1d({}).apply(messages) as tf.SymbolicTensor });
}

/** @symmetry invariant permutation */
export function buildScaledGraph() {
  const atoms = tf.input({ shape: [8, 5] });
  const bonds = tf.input({ shape: [8, 8] });
  const messages = new NeighbourSum({ units: 6 }).apply([atoms, bonds]) as tf.SymbolicTensor;
  const scaled = new NodeScale({}).apply(messages) as tf.SymbolicTensor;
  return tf.model({ inputs: [atoms, bonds], outputs: tf.layers.globalAveragePooling1d({}).apply(scaled) as tf.SymbolicTensor });
}
`;

describe('probe: graphs, attention and custom layers', function () {
  this.timeout(90000);
  const host = new ProbeHost();
  const folder = scratchFolder('probe-graph-');
  const write = (name: string, text: string) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const probeText = (name: string, text: string, limits: ProbeLimits, adjacency?: number): Promise<FileProbeOutcome> => {
    const file = write(name, text);
    const disk = new DiskSourceFiles();
    const sourceFile = disk.getSourceFile(file);
    assert.ok(sourceFile);
    const analysis = analyzeFile(sourceFile, disk);
    return probeFile(host, adjacency === undefined ? analysis : declareAdjacency(analysis, adjacency), sourceFile, limits);
  };

  before(() => ensureServerBuilt());
  after(() => {
    host.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  for (const mode of ['literal', 'execute'] as const) {
    it(`measures library GraphConv and SetAttention on [X, A] under the joint action (${mode} mode)`, async () => {
      const limits = mode === 'execute' ? { ...LIMITS, execute: true } : LIMITS;
      const { reports } = await probeText(`library-${mode}.ts`, LIBRARY_GRAPH_MODEL, limits);
      const exact = reports.find((report) => report.name === 'buildMoleculeReader');
      assert.ok(exact);
      assert.equal(exact.status, 'ok', exact.message);
      const verdict = exact.verdicts[0];
      assert.ok(verdict.maxRelError < EXACT && verdict.passed, JSON.stringify(verdict));
      // Each GraphConv output is measured as equivariant (rows follow the nodes), not skipped.
      const graphLayers = exact.layers.filter((layer) => layer.kind === 'GraphConv');
      assert.equal(graphLayers.length, 2);
      for (const layer of graphLayers) {
        assert.equal(layer.measured[0], 'equivariance');
        assert.ok((layer.relError[0] ?? 1) < EXACT, JSON.stringify(layer));
      }
      const broken = reports.find((report) => report.name === 'buildNodeIndexedReader');
      assert.ok(broken);
      assert.equal(broken.status, 'ok', broken.message);
      assert.ok(broken.verdicts[0].maxRelError > 1e-2 && !broken.verdicts[0].passed, JSON.stringify(broken.verdicts[0]));
      assert.equal(broken.verdicts[0].breakingLayerLine, lineOf(LIBRARY_GRAPH_MODEL, 'tf.layers.flatten'));
    });
  }

  it('applies P·A·Pᵀ to the input adjacency= names, and only then (a dot layer is A·X)', async () => {
    const declared = await probeText('dot-declared.ts', DOT_GRAPH_MODEL, LIMITS, 0);
    assert.equal(declared.reports[0].status, 'ok', declared.reports[0].message);
    assert.ok(declared.reports[0].verdicts[0].maxRelError < EXACT, JSON.stringify(declared.reports[0].verdicts[0]));
    // Control: without the option the adjacency is one more set, permuted along its rows only.
    const undeclared = await probeText('dot-undeclared.ts', DOT_GRAPH_MODEL, LIMITS);
    assert.equal(undeclared.reports[0].status, 'ok', undeclared.reports[0].message);
    assert.ok(undeclared.reports[0].verdicts[0].maxRelError > 1e-2, JSON.stringify(undeclared.reports[0].verdicts[0]));
  });

  it('says which inputs there are when adjacency= names none', async () => {
    const { reports } = await probeText('dot-out-of-range.ts', DOT_GRAPH_MODEL, LIMITS, 2);
    assert.equal(reports[0].status, 'error');
    assert.match(reports[0].message ?? '', /adjacency=2 names no input of this model: it has 2 inputs, counted from 0/);
  });

  it('reads adjacency= from the parsed declaration, and nothing else', () => {
    const analysis = analyzeText(path.join(folder, 'accessor.ts'), DOT_GRAPH_MODEL);
    const declaration = analysis.models[0].declarations[0];
    assert.equal(declaredAdjacencyInput(declaration), undefined);
    assert.equal(declaredAdjacencyInput({ ...declaration, adjacency: 1 } as typeof declaration), 1);
    for (const wrong of [-1, 1.5, '1', null]) assert.equal(declaredAdjacencyInput({ ...declaration, adjacency: wrong } as unknown as typeof declaration), undefined);
  });

  it('feeds the adjacency random symmetric 0/1 matrices with self-loops (SPEC 5)', () => {
    const batch = 3;
    const nodes = 9;
    const values = new Float32Array(batch * nodes * nodes).fill(-1);
    fillRandomAdjacency(values, batch, nodes, 77);
    let links = 0;
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < nodes; i++) {
        assert.equal(values[n * nodes * nodes + i * nodes + i], 1, 'self-loop');
        for (let j = 0; j < nodes; j++) {
          const value = values[n * nodes * nodes + i * nodes + j];
          assert.ok(value === 0 || value === 1, String(value));
          assert.equal(value, values[n * nodes * nodes + j * nodes + i], 'symmetric');
          if (i !== j) links += value;
        }
      }
    }
    const pairs = batch * nodes * (nodes - 1);
    assert.ok(links > 0 && links < pairs, `${links} of ${pairs} off-diagonal entries are links`);
    const again = new Float32Array(values.length);
    fillRandomAdjacency(again, batch, nodes, 77);
    assert.deepEqual(again, values, 'the same seed gives the same graphs');
  });

  it('builds custom layers from their static op graph in literal mode, einsum included, and blames a per-node weight', async () => {
    const { reports } = await probeText('custom-literal.ts', CUSTOM_GRAPH_MODEL, LIMITS, 1);
    const exact = reports.find((report) => report.name === 'buildCustomGraph');
    assert.ok(exact);
    assert.equal(exact.status, 'ok', exact.message);
    assert.equal(exact.mode, undefined);
    assert.ok(exact.verdicts[0].maxRelError < EXACT && exact.verdicts[0].passed, JSON.stringify(exact.verdicts[0]));
    const scaled = reports.find((report) => report.name === 'buildScaledGraph');
    assert.ok(scaled);
    assert.equal(scaled.status, 'ok', scaled.message);
    assert.ok(scaled.verdicts[0].maxRelError > 1e-2, JSON.stringify(scaled.verdicts[0]));
    assert.equal(scaled.verdicts[0].breakingLayerLine, lineOf(CUSTOM_GRAPH_MODEL, 'new NodeScale'));
  });

  it('builds custom layers by running their class in execute mode, einsum included, and blames a per-node weight', async () => {
    const { reports } = await probeText('custom-execute.ts', CUSTOM_GRAPH_MODEL, { ...LIMITS, execute: true }, 1);
    const exact = reports.find((report) => report.name === 'buildCustomGraph');
    assert.ok(exact);
    assert.equal(exact.status, 'ok', exact.message);
    assert.ok(exact.verdicts[0].maxRelError < EXACT && exact.verdicts[0].passed, JSON.stringify(exact.verdicts[0]));
    const scaled = reports.find((report) => report.name === 'buildScaledGraph');
    assert.ok(scaled);
    assert.equal(scaled.status, 'ok', scaled.message);
    assert.ok(scaled.verdicts[0].maxRelError > 1e-2, JSON.stringify(scaled.verdicts[0]));
    const blamed = scaled.layers.find((layer) => layer.line === scaled.verdicts[0].breakingLayerLine);
    assert.equal(blamed?.kind.toLowerCase(), 'nodescale', JSON.stringify(scaled.layers));
  });

  describe('einsum without a backend kernel', () => {
    before(async () => {
      await tf.setBackend('cpu');
    });

    // [equation, operand shapes, the reference where tfjs' einsum cannot take the equation]
    const cases: [string, number[][], ((operands: tf.Tensor[]) => tf.Tensor)?][] = [
      ['ij,jk->ik', [[3, 4], [4, 5]]],
      ['bij,bjk->bik', [[2, 3, 4], [2, 4, 2]]],
      ['btf,fw->btw', [[2, 5, 3], [3, 4]]],
      ['bsw,btw->bst', [[2, 5, 3], [2, 6, 3]]],
      ['ij->ji', [[3, 5]]],
      ['ij->', [[3, 5]]],
      ['i,j->ij', [[4], [3]]],
      ['ij,jk', [[2, 3], [3, 4]], ([a, b]) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)],
      ['ii->i', [[4, 4]], ([a]) => tf.sum(tf.mul(a, tf.eye(4)), 1)],
      [' bhqd , bhkd -> bhqk ', [[1, 2, 3, 4], [1, 2, 5, 4]]],
    ];
    for (const [equation, shapes, referenceOf] of cases) {
      it(`"${equation.trim()}" agrees with the cpu backend's einsum`, () => {
        const operands = shapes.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', 11 + i));
        const reference = referenceOf ? referenceOf(operands) : tf.einsum(equation.replace(/\s+/g, ''), ...operands);
        const ours = evaluateEinsum(equation, operands.map((tensor) => ({ values: tensor.dataSync(), shape: tensor.shape })));
        assert.deepEqual(ours.shape, reference.shape);
        const expected = reference.dataSync();
        for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(ours.values[i] - expected[i]) < 1e-5, `${equation} at ${i}: ${ours.values[i]} vs ${expected[i]}`);
        tf.dispose([...operands, reference]);
      });
    }

    it('refuses what it does not evaluate with a clear message', () => {
      const operand = { values: new Float32Array(6), shape: [2, 3] };
      assert.throws(() => evaluateEinsum('...ij->ij', [operand]), /ellipsis is not supported/);
      assert.throws(() => evaluateEinsum('ijk->i', [operand]), /rank 2, its subscripts "ijk" say 3/);
      assert.throws(() => evaluateEinsum('ij,jk->ik', [operand, operand]), /j is 3 in one place and 2 in another/);
    });
  });
});
