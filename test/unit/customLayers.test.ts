// Custom layer classes (SPEC 4): extraction reads build() and call(), the op table judges the
// ops per declaration. Attention, graphs, positional terms, configuration per instance, gaps
// that name the op, the op table against the installed tfjs, and the hover.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, parseSource } from '../../server/src/engine';
import { CLASSIFIED_TF_OPS, CUSTOM_OP_RULES } from '../../server/src/analysis/layerRules/customOps';
import { customLayerReads } from '../../server/src/analysis/extraction/customLayers';
import { describeState } from '../../server/src/analysis/symmetry';
import { layerHover } from '../../server/src/lsp/hover';
import { scratchFolder } from './scratchFolders';

const HEADER = `import * as tf from '@tensorflow/tfjs';\n`;

/** A class `Probe` with the given build() and call() bodies, and `inputs` as the layer's input variable. */
function layerClass(build: string, call: string, extra = ''): string {
  return `
class Probe extends tf.layers.Layer {
  ${extra}
  build(inputShape) {
    ${build}
  }
  call(inputs) {
    ${call}
  }
}
`;
}

/** A functional model on a set [10, 8] applying Probe, optionally pooled over the set. */
function setModel(declaration: string, body: string, pooled = false): string {
  return `${HEADER}${body}
/** @symmetry ${declaration} */
export function buildModel() {
  const tokens = tf.input({ shape: [10, 8] });
  const mixed = new Probe({}).apply(tokens);
  const out = ${pooled ? 'tf.layers.globalAveragePooling1d({}).apply(mixed)' : 'mixed'};
  return tf.model({ inputs: tokens, outputs: out });
}
`;
}

function analyse(code: string) {
  return analyzeText('/virtual/custom.ts', code);
}

/** The state after the Probe layer and at the output, and the rule ids found. */
function verdict(code: string) {
  const analysis = analyse(code);
  const model = analysis.models[0];
  const probe = model.graph.layers.find((layer) => layer.kind === 'Probe');
  assert.ok(probe, 'the Probe layer is in the graph');
  const inference = model.inferences[0];
  return {
    after: describeState(inference.layerStates[probe!.id]),
    output: inference.outputStates.map((state) => state.kind),
    rules: analysis.findings.map((finding) => finding.ruleId),
    messages: analysis.findings.map((finding) => finding.message),
  };
}

const MULTI_HEAD = layerClass(
  `const width = inputShape[inputShape.length - 1];
    this.wq = this.addWeight('wq', [width, width], 'float32', tf.initializers.glorotUniform({}));
    this.wk = this.addWeight('wk', [width, width], 'float32', tf.initializers.glorotUniform({}));
    this.wv = this.addWeight('wv', [width, width], 'float32', tf.initializers.glorotUniform({}));`,
  `const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [batch, length, width] = x.shape;
    const heads = (t) => tf.transpose(tf.reshape(tf.reshape(tf.matMul(tf.reshape(x, [-1, width]), t), [batch, length, width]), [batch, length, 2, 4]), [0, 2, 1, 3]);
    const q = heads(this.wq.read());
    const k = heads(this.wk.read());
    const v = heads(this.wv.read());
    const weights = tf.softmax(tf.matMul(q, k, false, true).div(2), -1);
    return tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [batch, length, width]);`,
);

describe('custom layers: attention', () => {
  it('multi-head self-attention through reshape and transpose is permutation equivariant', () => {
    const result = verdict(setModel('equivariant permutation', MULTI_HEAD));
    assert.equal(result.after, 'exact');
    assert.deepEqual(result.output, ['acting']);
    assert.deepEqual(result.rules, []);
  });

  it('followed by a mean over the set it is invariant', () => {
    const result = verdict(setModel('invariant permutation', MULTI_HEAD, true));
    assert.deepEqual(result.output, ['invariant']);
    assert.deepEqual(result.rules, []);
  });

  it('attention pooling with a learned query is invariant by itself', () => {
    const code = setModel(
      'invariant permutation',
      layerClass(
        `this.q = this.addWeight('q', [1, inputShape[2]], 'float32', tf.initializers.glorotUniform({}));`,
        `const x = inputs;
    const scores = tf.softmax(tf.matMul(this.q.read(), x, false, true), -1);
    return tf.squeeze(tf.matMul(scores, x), [1]);`,
      ),
    );
    const result = verdict(code);
    assert.match(result.after, /^invariant/);
    assert.deepEqual(result.rules, []);
  });

  it('a dense over the set axis inside call() breaks it, at the layer with the op as related information', () => {
    const code = setModel(
      'equivariant permutation',
      layerClass(`this.mix = this.addWeight('mix', [inputShape[1], inputShape[1]], 'float32', tf.initializers.glorotUniform({}));`, 'return tf.matMul(tf.transpose(inputs, [0, 2, 1]), this.mix.read());'),
    );
    const analysis = analyse(code);
    const [finding] = analysis.findings;
    assert.equal(finding?.ruleId, 'order-dependent-layer', analysis.findings.map((f) => f.message).join('\n'));
    assert.equal(code.slice(finding.span.start, finding.span.end), 'Probe');
    const related = finding.related.map((r) => code.slice(r.span.start, r.span.end));
    assert.ok(related.some((text) => text.startsWith('tf.matMul(tf.transpose(inputs')), related.join(' | '));
  });
});

describe('custom layers: einsum, judged by the axes it contracts', () => {
  const einsumLayer = (call: string) =>
    layerClass(`this.w = this.addWeight('w', [inputShape[2], inputShape[2]], 'float32', tf.initializers.glorotUniform({}));`, call);

  it('Q·Kᵀ then the weights on V, all by einsum, is equivariant', () => {
    const code = setModel(
      'equivariant permutation',
      einsumLayer(`const q = tf.einsum('ntf,fg->ntg', inputs, this.w.read());
    const scores = tf.softmax(tf.einsum('ntg,nsg->nts', q, inputs), -1);
    return tf.einsum('nts,nsf->ntf', scores, inputs);`),
    );
    assert.deepEqual(verdict(code).rules, []);
    assert.equal(verdict(code).after, 'exact');
  });

  it('an einsum that sums the set axis against a weight breaks it', () => {
    const code = setModel(
      'equivariant permutation',
      layerClass(`this.w = this.addWeight('w', [inputShape[1], 4], 'float32', tf.initializers.glorotUniform({}));`, "return tf.einsum('ntf,tk->nkf', inputs, this.w.read());"),
    );
    assert.deepEqual(verdict(code).rules, ['order-dependent-layer']);
  });
});

describe('custom layers: positions, by alignment', () => {
  const addWeight = (shape: string) => layerClass(`this.w = this.addWeight('w', ${shape}, 'float32', tf.initializers.zeros());`, 'return tf.add(inputs, this.w.read());');

  it('a [T, F] weight added to [N, T, F] breaks, reported as positional-encoding', () => {
    assert.deepEqual(verdict(setModel('equivariant permutation', addWeight('[inputShape[1], inputShape[2]]'))).rules, ['positional-encoding']);
  });

  it('an [F] weight added does not', () => {
    assert.deepEqual(verdict(setModel('equivariant permutation', addWeight('[inputShape[2]]'))).rules, []);
  });

  it('under translation the same [T, F] weight is a per-position weight', () => {
    assert.deepEqual(verdict(setModel('equivariant translation', addWeight('[inputShape[1], inputShape[2]]'))).rules, ['position-dependent-weights']);
  });

  it('a weight whose size is unknown, lined up with the set axis, still breaks: the axis decides', () => {
    assert.deepEqual(verdict(setModel('equivariant permutation', addWeight('[this.maxLength, inputShape[2]]'))).rules, ['positional-encoding']);
  });
});

describe('custom layers: graphs', () => {
  function graphModel(declaration: string, call: string, readout = 'globalAveragePooling1d', build = `this.w = this.addWeight('w', [inputShape[0][2], 6], 'float32', tf.initializers.glorotUniform({}));`): string {
    return `${HEADER}
class MessagePassing extends tf.layers.Layer {
  build(inputShape) {
    ${build}
  }
  call(inputs) {
    const [x, a] = inputs;
    ${call}
  }
}
/** @symmetry ${declaration} */
export function buildGraphModel() {
  const nodes = tf.input({ shape: [7, 5] });
  const adjacency = tf.input({ shape: [7, 7] });
  const h = new MessagePassing({}).apply([nodes, adjacency]);
  const out = ${readout ? `tf.layers.${readout}({}).apply(h)` : 'h'};
  return tf.model({ inputs: [nodes, adjacency], outputs: out });
}
`;
  }
  const MESSAGES = `const degree = tf.sum(a, -1, true);
    return tf.relu(tf.matMul(tf.matMul(tf.div(a, degree), x), this.w.read()));`;

  it('A·X·W with a degree normalisation is equivariant under the joint permutation, and a mean readout invariant', () => {
    const analysis = analyse(graphModel('invariant permutation adjacency=1', MESSAGES));
    assert.deepEqual(analysis.findings.map((f) => f.message), []);
    assert.deepEqual(analysis.models[0].inferences[0].outputStates.map((s) => s.kind), ['invariant']);
    const equivariant = analyse(graphModel('equivariant permutation adjacency=1', MESSAGES, ''));
    assert.deepEqual(equivariant.findings.map((f) => f.message), []);
  });

  it('without adjacency= the pairing is not declared: A·X is a gap, not a pass', () => {
    const analysis = analyse(graphModel('invariant permutation', MESSAGES));
    assert.deepEqual(analysis.findings.map((f) => f.ruleId), ['analysis-gap']);
  });

  it('a per-node weight breaks it', () => {
    const analysis = analyse(
      graphModel('invariant permutation adjacency=1', 'return tf.mul(tf.matMul(a, x), this.perNode.read());', 'globalAveragePooling1d', `this.perNode = this.addWeight('perNode', [inputShape[0][1], 1], 'float32', tf.initializers.ones());`),
    );
    assert.deepEqual(analysis.findings.map((f) => f.ruleId), ['positional-encoding']);
  });

  it('indexing a fixed node breaks it', () => {
    const analysis = analyse(graphModel('invariant permutation adjacency=1', 'return tf.gather(tf.matMul(a, x), [0], 1);', 'flatten'));
    assert.deepEqual(analysis.findings.map((f) => f.ruleId), ['positional-encoding']);
  });

  it('a dense across the nodes after a flatten breaks it where the flatten is', () => {
    const code = graphModel('invariant permutation adjacency=1', 'return tf.matMul(a, x);', 'flatten').replace('return tf.model', 'const dense = tf.layers.dense({ units: 1 }).apply(out);\n  return tf.model').replace('outputs: out', 'outputs: dense');
    assert.deepEqual(analyse(code).findings.map((f) => f.ruleId), ['order-dependent-layer']);
  });
});

describe('custom layers: instances, gaps and the op table', () => {
  const MASKED = `${HEADER}
class Masked extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.causal = config.causal;
  }
  call(inputs) {
    let scores = tf.matMul(inputs, inputs, false, true);
    if (this.causal) scores = tf.linalg.bandPart(scores, -1, 0);
    return tf.matMul(tf.softmax(scores), inputs);
  }
}
function block(x, causal) {
  return new Masked({ causal }).apply(x);
}
/** @symmetry equivariant permutation */
export function buildPlain() {
  const x = tf.input({ shape: [6, 4] });
  return tf.model({ inputs: x, outputs: block(x, false) });
}
/** @symmetry equivariant permutation */
export function buildCausal() {
  const x = tf.input({ shape: [6, 4] });
  return tf.model({ inputs: x, outputs: block(x, true) });
}
`;

  it('judges a layer whose behaviour depends on its config per instance', () => {
    const analysis = analyse(MASKED);
    const byModel = new Map(analysis.models.map((model) => [model.graph.name, model.findings.map((f) => f.ruleId)]));
    assert.deepEqual(byModel.get('buildPlain'), []);
    assert.deepEqual(byModel.get('buildCausal'), ['positional-encoding']);
  });

  it('names the op it has no rule for, as an analysis gap', () => {
    const result = verdict(setModel('equivariant permutation', layerClass('', 'return tf.spectral.rfft(inputs);')));
    assert.deepEqual(result.rules, ['analysis-gap']);
    assert.match(result.messages[0], /tf\.spectral\.rfft/);
    assert.match(result.after, /^unknown/);
  });

  it('names code it cannot follow in call()', () => {
    const result = verdict(setModel('equivariant permutation', layerClass('', 'while (true) { break; }\n    return inputs;')));
    assert.deepEqual(result.rules, ['analysis-gap']);
    assert.match(result.messages[0], /Probe/);
  });

  it('reads a custom layer class imported from another file', () => {
    const dir = scratchFolder('custom-layers-');
    try {
      fs.writeFileSync(path.join(dir, 'layers.ts'), `${HEADER}export ${layerClass(`this.w = this.addWeight('w', [inputShape[1], inputShape[2]], 'float32', tf.initializers.zeros());`, 'return tf.add(inputs, this.w.read());').trim()}\n`);
      const code = setModel('equivariant permutation', '').replace(HEADER, `${HEADER}import { Probe } from './layers';\n`);
      const file = path.join(dir, 'model.ts');
      fs.writeFileSync(file, code);
      const analysis = analyzeText(file, code);
      assert.deepEqual(analysis.findings.map((f) => f.ruleId), ['positional-encoding']);
      const related = analysis.findings[0].related.map((r) => r.span.file);
      assert.ok(related.includes(path.join(dir, 'layers.ts')), related.join(' | '));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('classifies only ops the installed @tensorflow/tfjs has', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const tf = require('@tensorflow/tfjs') as Record<string, unknown>;
    const tensorMethods = Object.getPrototypeOf(tf.zeros instanceof Function ? (tf.zeros as (shape: number[]) => object)([1]) : {}) as Record<string, unknown>;
    const missing = CLASSIFIED_TF_OPS.filter((name) => {
      const parts = name.split('.');
      let target: unknown = tf;
      for (const part of parts) target = (target as Record<string, unknown> | undefined)?.[part];
      return typeof target !== 'function' && typeof tensorMethods[name] !== 'function';
    });
    assert.deepEqual(missing, []);
    assert.ok(CLASSIFIED_TF_OPS.length >= 80, `${CLASSIFIED_TF_OPS.length} ops classified`);
  });

  it('has a rule for every op the custom layers of the samples use, except the one left as a gap on purpose', () => {
    const samples = path.resolve(__dirname, '../../samples');
    const unclassified: string[] = [];
    for (const name of fs.readdirSync(samples).filter((f) => /\.(ts|js|mjs)$/.test(f))) {
      const text = fs.readFileSync(path.join(samples, name), 'utf8');
      for (const model of analyzeText(path.join(samples, name), text).models) {
        for (const layer of model.graph.layers) {
          for (const op of layer.body?.ops ?? []) {
            if (op.op !== 'input' && op.op !== 'weight' && !CUSTOM_OP_RULES.has(op.op) && !op.op.startsWith('initializers.')) unclassified.push(`${name}: ${op.op}`);
          }
        }
      }
    }
    assert.deepEqual([...new Set(unclassified)], ['analysis-gaps.ts: dropout']);
  });

  it('reads a class once for instances with the same config, and again when the class changes', () => {
    // A class text no other test reads, so the cache starts without it.
    const code = MASKED.replace('block(x, true)', 'block(x, false)').replace('let scores', '// read once\n    let scores');
    const before = customLayerReads();
    const analysis = analyse(code);
    const [first, second] = analysis.models.map((model) => model.graph.layers.find((layer) => layer.kind === 'Masked')!.body);
    assert.ok(first && second && first !== second, 'each layer has its own copy');
    assert.deepEqual(first, second);
    assert.equal(customLayerReads() - before, 1);
    analyse(code);
    assert.equal(customLayerReads() - before, 1, 'the same text again is read from the cache');
    analyse(code.replace('tf.softmax(scores)', 'tf.softmax(scores, -1)'));
    assert.equal(customLayerReads() - before, 2);
  });
});

describe('custom layers: hover', () => {
  it('shows the state after a custom layer, as for built-in layers', () => {
    const code = setModel('invariant permutation', MULTI_HEAD, true);
    const analysis = analyse(code);
    const hover = layerHover(analysis, parseSource('/virtual/custom.ts', code), code.indexOf('new Probe') + 5);
    assert.ok(hover);
    const value = (hover!.contents as { value: string }).value;
    assert.match(value, /\*\*Probe\*\*/);
    assert.match(value, /\| invariant permutation \| exact \|/);
    assert.match(value, /Output shape: `\[batch, 10, 8\]`/);
  });
});
