// The engine's per-unit analysis cache: after random edits (inside units, between them, in the
// imports and consts, in a helper several units call, in another file), the cached analysis
// must equal a fresh analysis of the same text, and untouched units must really be reused.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { AnalysisCache, analyzeFile, disabledLines, type FileAnalysis, type SourceProvider } from '../../server/src/engine';
import { parseSourceText } from '../../server/src/analysis/sourceProvider';
import { editSourceFile } from '../../server/src/workspace/documents';
import { statementReparseStats } from '../../server/src/workspace/statementReparse';

const MAIN = '/virtual/project/models.ts';
const HELPERS = '/virtual/project/helpers.ts';

const HELPERS_TEXT = `import * as tf from '@tensorflow/tfjs';
export const HELPER_FILTERS = 12;
export function helperConv(kernelSize: number) {
  return tf.layers.conv2d({ filters: HELPER_FILTERS, kernelSize, padding: 'same' });
}
`;

const PREFIX = `import * as tf from '@tensorflow/tfjs';
import { helperConv } from './helpers';

const FILTERS = 16;
const SIZE = [32, 32, 3];

function convBlock(filters: number, kernelSize = 3) {
  return tf.layers.conv2d({ filters, kernelSize, padding: 'valid', activation: 'relu' });
}

/** A backbone other models call: a unit of its own, since it creates a model. */
function backbone(filters: number) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: SIZE, filters, kernelSize: 3, padding: 'same' }));
  return model;
}

/**
 * @symmetry invariant translation
 */
export function buildA() {
  const model = tf.sequential();
  model.add(backbone(FILTERS));
  model.add(convBlock(FILTERS));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  return model;
}

/**
 * @symmetry invariant translation tol=1e-3
 */
export function buildB() {
  const input = tf.input({ shape: [28, 28, 1] });
  let x = convBlock(8).apply(input) as tf.SymbolicTensor;
  x = helperConv(5).apply(x) as tf.SymbolicTensor;
  // symmetry-lint-disable-next-line strided-aliasing
  x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: pooled });
}

/** @symmetry invariant translation */
const buildC = () => {
  const model = tf.sequential();
  model.add(backbone(6));
  for (let i = 0; i < 3; i++) model.add(convBlock(FILTERS + i, i + 2));
  model.add(tf.layers.globalMaxPooling2d({}));
  return model;
};

class Trainer {
  /** @symmetry invariant translation */
  build() {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 4, padding: 'same' }));
    model.add(tf.layers.flatten());
    return model;
  }
}

/** @symmetry invariant translation */
class Net extends tf.LayersModel {
  constructor() {
    const input = tf.input({ shape: [24, 24, 3] });
    const output = tf.layers.conv2d({ filters: 3, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    super({ inputs: input, outputs: output });
  }
}

const settings = { filters: 8 };

/** @symmetry invariant translation */
function buildD() {
  // A unit that mutates module state: no other unit may see it, whichever ran first.
  settings.filters = 32;
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: settings.filters, kernelSize: 3 }));
  return model;
}

/** @symmetry invariant translation */
function buildE() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: settings.filters, kernelSize: 3 }));
  return model;
}

/** @symmetry invariant translation */
const topLevel = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
`;

/** A unit with variants, for the test of its reuse (kept out of the random-edit text). */
const VARIANT_UNIT = `
/**
 * Variants (a switch and a flag): several models of one unit share the name.
 * @symmetry invariant translation
 */
export function buildF(kind: string, pooled: boolean) {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, padding: pooled ? 'same' : 'valid' }));
  switch (kind) {
    case 'flat':
      model.add(tf.layers.flatten());
      break;
    case 'global':
      model.add(tf.layers.globalAveragePooling2d({}));
      break;
    default:
      throw new Error('kind ' + kind);
  }
  model.add(tf.layers.dense({ units: 2 }));
  return model;
}
`;

/** Sample models appended after the designed part, for breadth. */
function sampleTail(): string {
  const dir = path.join(__dirname, '..', '..', 'samples');
  return ['mnist-cnn.ts', 'invalid-declarations.ts', 'augmented-training.ts']
    .filter((name) => fs.existsSync(path.join(dir, name)))
    .map((name) => fs.readFileSync(path.join(dir, name), 'utf8').replace(/^import .*$/gm, ''))
    .join('\n');
}

/** A small deterministic generator, so a failure names the seed and edit that broke. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class VirtualFiles implements SourceProvider {
  readonly files = new Map<string, ts.SourceFile>();
  getSourceFile(fileName: string): ts.SourceFile | undefined {
    return this.files.get(fileName);
  }
}

/** A whole parse as the server and the CLI make it. */
function parse(fileName: string, text: string): ts.SourceFile {
  return parseSourceText(fileName, text);
}

/** What must agree between a cached and a fresh analysis. */
function summary(analysis: FileAnalysis) {
  return {
    findings: analysis.findings.map((f) => ({
      ruleId: f.ruleId,
      message: f.message,
      severity: f.severity,
      at: [f.line, f.character, f.endLine, f.endCharacter],
      span: [f.span.file, f.span.start, f.span.end],
      related: f.related.map((r) => [r.span.file, r.span.start, r.span.end, r.message]),
      // buildA and buildC share backbone's conv2d: one finding naming both.
      models: f.models,
    })),
    models: analysis.models.map((m) => ({
      name: m.graph.name,
      variant: m.graph.variant,
      // The whole graph: layer kinds, configs, spans, call stacks, gaps, doc comments.
      graph: JSON.stringify(m.graph),
      declarations: JSON.stringify(m.declarations),
      inferences: JSON.stringify(m.inferences),
      findings: m.findings.map((f) => `${f.ruleId}@${f.line}:${f.character} ${f.message}`),
    })),
  };
}

type Edit = { start: number; end: number; text: string; label: string };

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

/** A random edit of `text`, aimed at one of the places a cache can go wrong. */
function randomEdit(next: () => number, text: string): Edit {
  const at = (needle: string) => {
    const index = text.indexOf(needle);
    return index >= 0 ? index : Math.floor(next() * text.length);
  };
  const anywhere = () => Math.floor(next() * text.length);
  const insideUnit = () => {
    const starts = [...text.matchAll(/function (build|backbone)\w*|=> \{|constructor\(\)|build\(\) \{/g)].map((m) => m.index!);
    const start = pick(next, starts.length ? starts : [0]);
    return Math.min(text.length, start + Math.floor(next() * 300));
  };
  const place = pick(next, ['unit', 'unit', 'unit', 'backbone', 'between', 'consts', 'helper', 'anywhere'] as const);
  let offset: number;
  switch (place) {
    case 'unit':
      offset = insideUnit();
      break;
    case 'backbone':
      offset = at('function backbone') + Math.floor(next() * 160);
      break;
    case 'between':
      offset = at('\n\n/**');
      break;
    case 'consts':
      offset = at('const FILTERS = 16') + Math.floor(next() * 40);
      break;
    case 'helper':
      offset = at('function convBlock') + Math.floor(next() * 120);
      break;
    default:
      offset = anywhere();
  }
  offset = Math.max(0, Math.min(offset, text.length));
  const kind = pick(next, ['digit', 'digit', 'char', 'delete', 'newline', 'space', 'word', 'comment', 'deleteRange'] as const);
  switch (kind) {
    case 'digit': {
      const digit = text.slice(offset).search(/\d/);
      if (digit >= 0) {
        const position = offset + digit;
        return { start: position, end: position + 1, text: String(1 + Math.floor(next() * 9)), label: `digit@${position}` };
      }
      return { start: offset, end: offset, text: '7', label: `insert7@${offset}` };
    }
    case 'char':
      return { start: offset, end: offset, text: pick(next, ['x', ';', '{', '}', '(', ')', ',', '"', '/']), label: `char@${offset}` };
    case 'delete':
      return { start: offset, end: Math.min(text.length, offset + 1), text: '', label: `delete@${offset}` };
    case 'newline':
      return { start: offset, end: offset, text: '\n', label: `newline@${offset}` };
    case 'space':
      return { start: offset, end: offset, text: '  ', label: `space@${offset}` };
    case 'word':
      return { start: offset, end: offset, text: pick(next, ['const q = 1;', 'tf.layers.flatten()', 'FILTERS', 'kernelSize: 2, ']), label: `word@${offset}` };
    case 'comment':
      return { start: offset, end: offset, text: pick(next, ['// symmetry-lint-disable-next-line\n', '/* c */', '/** @symmetry invariant translation */\n']), label: `comment@${offset}` };
    case 'deleteRange':
      return { start: offset, end: Math.min(text.length, offset + 1 + Math.floor(next() * 30)), text: '', label: `deleteRange@${offset}` };
  }
}

/**
 * A document analysed with a cache, edited as the server edits it (an incremental parse, or a
 * fresh one for a reset), each analysis checked against a fresh analysis of the same text.
 */
class CachedDocument {
  readonly cache = new AnalysisCache();
  readonly first: FileAnalysis;
  private sourceFile: ts.SourceFile;
  /** Outermost units reused over all the edits so far. */
  reused = 0;

  constructor(private readonly files: VirtualFiles, public text: string) {
    this.sourceFile = parse(MAIN, text);
    files.files.set(MAIN, this.sourceFile);
    this.first = analyzeFile(this.sourceFile, files, { cache: this.cache });
  }

  apply(edit: Edit, message: string): void {
    const newText = this.text.slice(0, edit.start) + edit.text + this.text.slice(edit.end);
    if (edit.label === 'reset') this.sourceFile = parse(MAIN, newText);
    else if (newText !== this.text) {
      // As the server does: the edited statement alone reparsed where it can be, or TypeScript's incremental parse.
      this.sourceFile = editSourceFile(this.sourceFile, edit.start, edit.end, edit.text);
    }
    this.text = newText;
    this.files.files.set(MAIN, this.sourceFile);
    const cached = analyzeFile(this.sourceFile, this.files, { cache: this.cache });
    this.reused += this.cache.lastStats?.reusedUnits ?? 0;
    assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, newText), this.files)), message);
  }
}

describe('unit analysis cache', () => {
  const baseText = PREFIX + sampleTail();

  it('reuses untouched units and re-analyses the edited one', () => {
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let sourceFile = parse(MAIN, baseText);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    assert.equal(cache.lastStats?.reusedUnits, 0);
    const offset = baseText.indexOf('filters: 4, kernelSize: 4');
    const text = baseText.slice(0, offset) + 'filters: 5' + baseText.slice(offset + 'filters: 4'.length);
    sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: offset, length: 10 }, newLength: 10 });
    files.files.set(MAIN, sourceFile);
    const cached = analyzeFile(sourceFile, files, { cache });
    assert.equal(cache.lastStats?.ranUnits, 1, 'only Trainer.build runs again');
    assert.ok((cache.lastStats?.reusedUnits ?? 0) >= 5);
    assert.equal(cache.lastStats?.module, 'reused', 'the top-level models are not built and inferred again');
    assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, text), files)));
  });

  it('reuses the units an edit between them leaves alone: a new top-level statement, a renamed arrow, a new import', () => {
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let text = baseText;
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    const units = (cache.lastStats?.ranUnits ?? 0) + (cache.lastStats?.reusedUnits ?? 0);
    // [where, what is replaced, by what, how many outermost units may run again, what must hold]
    const edits: [string, string, string, number, (analysis: FileAnalysis) => void][] = [
      // typed between two units: no unit reads `zz` (the unit after it may run again: its
      // leading blank lines are where the insertion is)
      ['\n\nclass Trainer', '', '\nconst zz = 1;', 1, () => undefined],
      ['const zz = 1;', 'const zz = 1;', 'const zz = 12;', 0, () => undefined],
      // a top-level const the units read: those that look it up run again, the others do not
      ['const FILTERS = 16;', 'FILTERS = 16', 'FILTERS = 17', 3, (a) => assert.ok(a.models.some((m) => JSON.stringify(m.graph).includes('"filters":17')))],
      // the name a `const ... = () =>` gives its unit is outside the unit's own text
      ['const buildC = () =>', 'buildC', 'buildCC', 1, (a) => assert.ok(a.models.some((m) => m.graph.name === 'buildCC') && !a.models.some((m) => m.graph.name === 'buildC'))],
      ['const buildCC = () =>', 'buildCC', 'buildC', 1, (a) => assert.ok(a.models.some((m) => m.graph.name === 'buildC'))],
      // a new import at the top moves every position: units are shifted, not run (but buildB:
      // the new line starts as the old one did, so the edit reaches into the import it uses)
      ["import { helperConv } from './helpers';", '', "import { unused } from './unused';\n", 1, () => undefined],
      // a new function between units that declares a name others call runs those callers again
      ['\n\nclass Trainer', '', '\nfunction convBlock2() { return 1; }', 1, () => undefined],
    ];
    for (const [anchor, from, to, mostRan, check] of edits) {
      const at = text.indexOf(anchor);
      assert.ok(at >= 0, anchor);
      const offset = from === '' ? at : text.indexOf(from, at);
      const before = text;
      text = before.slice(0, offset) + to + before.slice(offset + from.length);
      sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: offset, length: from.length }, newLength: to.length });
      files.files.set(MAIN, sourceFile);
      const cached = analyzeFile(sourceFile, files, { cache });
      const ran = cache.lastStats?.ranUnits ?? 0;
      assert.ok(ran <= mostRan, `${anchor} -> ${to}: ${ran} of ${units} units ran, at most ${mostRan} expected`);
      assert.ok((cache.lastStats?.reusedUnits ?? 0) >= units - mostRan - 1, `${anchor} -> ${to}: units reused`);
      assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, text), files)), `${anchor} -> ${to}`);
      check(cached);
    }
  });

  it('runs every unit again when an edit turns the file from a script into a module', () => {
    const files = new VirtualFiles();
    const cache = new AnalysisCache();
    let text = PREFIX.replace(/^import .*$/gm, '').replace(/export /g, '');
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    const added = "import * as tf from '@tensorflow/tfjs';\n";
    text = added + text;
    sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: 0, length: 0 }, newLength: added.length });
    files.files.set(MAIN, sourceFile);
    const cached = analyzeFile(sourceFile, files, { cache });
    assert.equal(cache.lastStats?.reusedUnits, 0);
    assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, text), files)));
  });

  it('equals a fresh analysis after each of 200 random edits between the units', function () {
    this.timeout(60000);
    const next = random(20261201);
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const document = new CachedDocument(files, baseText);
    for (let step = 0; step < 200; step++) {
      const text = document.text;
      let edit: Edit;
      if (text !== baseText && next() < 0.25) {
        edit = { start: 0, end: text.length, text: baseText, label: 'reset' };
      } else {
        // A blank line between two top-level statements, or the start of a top-level const.
        const gaps = [...text.matchAll(/\n\n|\nconst |\nlet |\nimport /g)].map((m) => m.index! + 1);
        const offset = gaps.length ? pick(next, gaps) : 0;
        const names = ['FILTERS', 'SIZE', 'settings', 'buildC', 'convBlock', 'backbone', 'helperConv'];
        const rename = pick(next, names);
        const where = text.indexOf(rename);
        edit = next() < 0.2 && where >= 0
          ? { start: where, end: where + rename.length, text: rename + 'X', label: `rename ${rename}@${where}` }
          : {
              start: offset,
              end: next() < 0.15 ? Math.min(text.length, offset + 1 + Math.floor(next() * 40)) : offset,
              text: pick(next, ['const zz = 1;\n', 'FILTERS', '{', '}', '/*', '*/', '`', 'export ', 'function convBlock() { return tf.layers.flatten(); }\n', '// x\n', 'let settings = { filters: 2 };\n', "import { q } from './q';\n", 'const SIZE = [8, 8, 1];\n', 'x', '']),
              label: `gap@${offset}`,
            };
      }
      document.apply(edit, `step ${step}: ${edit.label} ${JSON.stringify(edit.text)}`);
    }
    assert.ok(document.reused > 400, `reused ${document.reused} units over 200 edits between units`);
  });

  it('keeps the variants of a unit apart when it is reused and when it runs again', () => {
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    const baseText = PREFIX + VARIANT_UNIT;
    let sourceFile = parse(MAIN, baseText);
    files.files.set(MAIN, sourceFile);
    const first = analyzeFile(sourceFile, files, { cache });
    const variantsOf = (analysis: FileAnalysis) => analysis.models.filter((m) => m.graph.name === 'buildF').map((m) => m.graph.variant);
    assert.deepEqual(variantsOf(first), ["pooled && kind === 'flat'", "pooled && kind === 'global'", "!pooled && kind === 'flat'", "!pooled && kind === 'global'"]);
    // An edit elsewhere: buildF is reused, its four variants with it.
    const elsewhere = baseText.indexOf('filters: 4, kernelSize: 4');
    let text = baseText.slice(0, elsewhere) + 'filters: 5' + baseText.slice(elsewhere + 'filters: 4'.length);
    sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: elsewhere, length: 10 }, newLength: 10 });
    files.files.set(MAIN, sourceFile);
    const reused = analyzeFile(sourceFile, files, { cache });
    assert.equal(cache.lastStats?.ranUnits, 1);
    assert.deepEqual(summary(reused), summary(analyzeFile(parse(MAIN, text), files)));
    // An edit inside buildF: it runs again, along every path.
    const inside = text.indexOf('units: 2 }));\n  return model;\n}\n');
    assert.ok(inside > text.indexOf('function buildF'));
    const before = text;
    text = before.slice(0, inside) + 'units: 3' + before.slice(inside + 'units: 2'.length);
    sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: inside, length: 8 }, newLength: 8 });
    files.files.set(MAIN, sourceFile);
    const rerun = analyzeFile(sourceFile, files, { cache });
    assert.equal(cache.lastStats?.ranUnits, 1);
    assert.deepEqual(variantsOf(rerun), variantsOf(first));
    assert.deepEqual(summary(rerun), summary(analyzeFile(parse(MAIN, text), files)));
  });

  it('re-analyses the callers of an edited helper and of an edited file', () => {
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    const sourceFile = parse(MAIN, baseText);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    // Same main file, new helper file object: buildB (the only importer) runs again.
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT.replace('HELPER_FILTERS = 12', 'HELPER_FILTERS = 13')));
    const cached = analyzeFile(sourceFile, files, { cache });
    assert.equal(cache.lastStats?.ranUnits, 1);
    assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, baseText), files)));
  });

  it('runs a caller again when a helper it looks up is renamed and renamed back', () => {
    // While `backbone` is misnamed, buildA finds no such function and reads no helper's text; the
    // rename back changes no text buildA read, yet buildA must find backbone again.
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let sourceFile = parse(MAIN, baseText);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    const at = baseText.indexOf('function backbone(') + 'function '.length;
    const renamed = baseText.slice(0, at) + 'e' + baseText.slice(at + 'backbone'.length);
    sourceFile = ts.updateSourceFile(sourceFile, renamed, { span: { start: at, length: 'backbone'.length }, newLength: 1 });
    files.files.set(MAIN, sourceFile);
    const broken = analyzeFile(sourceFile, files, { cache });
    assert.deepEqual(summary(broken), summary(analyzeFile(parse(MAIN, renamed), files)));
    sourceFile = ts.updateSourceFile(sourceFile, baseText, { span: { start: at, length: 1 }, newLength: 'backbone'.length });
    files.files.set(MAIN, sourceFile);
    const restored = analyzeFile(sourceFile, files, { cache });
    assert.deepEqual(summary(restored), summary(analyzeFile(parse(MAIN, baseText), files)));
    assert.ok(cache.lastStats!.ranUnits >= 3, 'backbone and its two callers run again');
  });

  it('runs the module unit again when its top-level code or a function it calls is edited, and only then', () => {
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let text = baseText + `
/** @symmetry invariant translation */
export const fromBackbone = backbone(4);
`;
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    const edits: [string, string, string, 'reused' | 'ran'][] = [
      ['filters: 4, kernelSize: 4', 'filters: 4', 'filters: 5', 'reused'],
      // backbone: fromBackbone's layers come from it
      ["filters, kernelSize: 3, padding: 'same'", "padding: 'same'", "padding: 'valid'", 'ran'],
      ['export const fromBackbone = backbone(4)', 'backbone(4)', 'backbone(5)', 'ran'],
      ['const settings = { filters: 8 };', 'filters: 8', 'filters: 9', 'ran'],
      ['filters: 5, kernelSize: 4', 'kernelSize: 4', 'kernelSize: 2', 'reused'],
    ];
    for (const [anchor, from, to, expected] of edits) {
      const offset = text.indexOf(from, text.indexOf(anchor));
      assert.ok(offset >= 0, anchor);
      const before = text;
      text = before.slice(0, offset) + to + before.slice(offset + from.length);
      sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: offset, length: from.length }, newLength: to.length });
      files.files.set(MAIN, sourceFile);
      const cached = analyzeFile(sourceFile, files, { cache });
      assert.equal(cache.lastStats?.module, expected, anchor);
      const fresh = analyzeFile(parse(MAIN, text), files);
      assert.deepEqual(summary(cached), summary(fresh), anchor);
      assert.ok(cached.models.some((m) => m.graph.name === 'fromBackbone'));
    }
  });

  it('keeps the augmentation findings equal to a fresh analysis: a trained model edited or not, the augmenting helper edited', () => {
    const training = fs.readFileSync(path.join(__dirname, '..', '..', 'samples', 'augmented-training.ts'), 'utf8').replace(/^import .*$/gm, '');
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let text = baseText + training;
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    const augmentationMessages = (analysis: FileAnalysis) => analysis.findings.filter((f) => f.ruleId === 'augmentation-not-declared').map((f) => `${f.line}:${f.character} ${f.message}`);
    // The tracing of the training calls is kept while an edit touches nothing it read.
    const edits: [string, string, string, 'reused' | 'ran'][] = [
      // elsewhere: Trainer.build, far from the training code
      ['filters: 4, kernelSize: 4', 'filters: 4, kernelSize: 4', 'filters: 5, kernelSize: 4', 'reused'],
      // a line added above the training code (in buildD's leading trivia): every position below it moves
      ['const settings = { filters: 8 };', 'const settings = { filters: 8 };', 'const settings = { filters: 8 };\n', 'reused'],
      // a top-level statement the tracing did not read changed: the tracing is kept
      ['const SIZE = [32, 32, 3];', '[32, 32, 3]', '[32, 32, 4]', 'reused'],
      // a unit above the training code grows by a line: the kept spans move
      ['filters: 5, kernelSize: 4', 'kernelSize: 4', 'kernelSize: 4,\n', 'reused'],
      // the trained model: a 1x1 convolution keeps the flip, the message changes
      ['filters: 16, kernelSize: 3', 'kernelSize: 3', 'kernelSize: 1', 'ran'],
      // the augmenting helper: the flip is gone, the shift stays
      ['tf.image.flipLeftRight(images)', 'tf.image.flipLeftRight(images)', 'images', 'ran'],
      // elsewhere again, after the helper's edit
      ['filters: 5, kernelSize: 4', 'filters: 5', 'filters: 6', 'reused'],
    ];
    const seen: string[][] = [];
    for (const [anchor, from, to, tracing] of edits) {
      const offset = text.indexOf(from, text.indexOf(anchor));
      assert.ok(offset >= 0, anchor);
      const before = text;
      text = before.slice(0, offset) + to + before.slice(offset + from.length);
      sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: offset, length: from.length }, newLength: to.length });
      files.files.set(MAIN, sourceFile);
      const cached = analyzeFile(sourceFile, files, { cache });
      assert.equal(cache.lastStats?.fileResults?.augmentations, tracing, anchor);
      const fresh = analyzeFile(parse(MAIN, text), files);
      assert.deepEqual(summary(cached), summary(fresh), anchor);
      seen.push(augmentationMessages(cached));
    }
    // Not vacuous: the findings are there, and follow the model's and the helper's edits.
    assert.equal(seen[0].length, 2);
    assert.notDeepEqual(seen[4], seen[3], 'the 1x1 convolution changes what the flip finding says');
    assert.equal(seen[5].length, 1, 'without the flip only the shift is left');
    assert.deepEqual(seen[6], seen[5]);
  });

  it('equals a fresh analysis after each of 300 random edits', function () {
    this.timeout(60000);
    const next = random(20261128);
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const document = new CachedDocument(files, baseText);
    // The merge of findings models share runs after the cache: the edits must keep it right.
    assert.ok(document.first.findings.some((f) => f.models?.join() === 'buildA,buildC'), 'the fixture has a finding two models share');
    const reparsedBefore = statementReparseStats.reparsed;
    for (let step = 0; step < 300; step++) {
      const text = document.text;
      // Drift back to the base text now and then, so edits keep landing in working code.
      let edit: Edit;
      if (text !== baseText && next() < 0.3) {
        edit = { start: 0, end: text.length, text: baseText, label: 'reset' };
      } else if (next() < 0.05) {
        const value = 10 + Math.floor(next() * 5);
        files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT.replace('HELPER_FILTERS = 12', `HELPER_FILTERS = ${value}`)));
        edit = { start: 0, end: 0, text: '', label: `helpers file ${value}` };
      } else {
        edit = randomEdit(next, text);
      }
      document.apply(edit, `step ${step}: ${edit.label}`);
    }
    // Most edits leave most units alone: the cache must have been used, not bypassed.
    assert.ok(document.reused > 300, `reused ${document.reused} units over 300 edits`);
    // The trees the cache saw came from both incremental parses, the statement reparse among them.
    const reparsed = statementReparseStats.reparsed - reparsedBefore;
    assert.ok(reparsed > 50, `${reparsed} of 300 edits reparsed one statement`);
  });

  it('traces again when an edit lands in a helper the tracing followed, though no name it looked up is there', () => {
    // The helper is an arrow function (no name of its own) and a unit (it builds a model).
    const training = `
const augmentWithPreview = (images: tf.Tensor4D) => {
  const preview = tf.sequential();
  preview.add(tf.layers.dense({ inputShape: [4], units: 2 }));
  return tf.image.flipLeftRight(images);
};

/** @symmetry invariant translation */
function buildSmallCnn() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

export async function trainSmallCnn(xs: tf.Tensor4D, ys: tf.Tensor2D) {
  const model = buildSmallCnn();
  await model.fit(augmentWithPreview(xs), ys);
}
`;
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let text = baseText + training;
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    const first = analyzeFile(sourceFile, files, { cache });
    // The base text's samples train models too: count the findings of the code appended here.
    const appendedAt = baseText.length;
    const ownFindings = (analysis: FileAnalysis) => analysis.findings.filter((f) => f.ruleId === 'augmentation-not-declared' && f.span.start >= appendedAt);
    assert.equal(ownFindings(first).length, 1);
    const edit = (from: string, to: string, after = appendedAt) => {
      const offset = text.indexOf(from, after);
      text = text.slice(0, offset) + to + text.slice(offset + from.length);
      sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: offset, length: from.length }, newLength: to.length });
      files.files.set(MAIN, sourceFile);
      const cached = analyzeFile(sourceFile, files, { cache });
      assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, text), files)), to);
      return cached;
    };
    // Without the flip the tracing finds nothing, and keeps no span in the helper: only what it
    // read of the helper (its returns) says that putting the flip back must trace again.
    const unflipped = edit('return tf.image.flipLeftRight(images);', 'return images;');
    assert.equal(cache.lastStats?.fileResults?.augmentations, 'ran');
    assert.ok((cache.lastStats?.reusedUnits ?? 0) > 5, 'the edit is inside a unit: the others are kept');
    assert.equal(ownFindings(unflipped).length, 0);
    const flippedAgain = edit('return images;', 'return tf.image.flipLeftRight(images);');
    assert.equal(cache.lastStats?.fileResults?.augmentations, 'ran');
    assert.equal(ownFindings(flippedAgain).length, 1);
    // An edit in a unit the tracing never read keeps it.
    edit('filters: 4, kernelSize: 4', 'filters: 5, kernelSize: 4', 0);
    assert.equal(cache.lastStats?.fileResults?.augmentations, 'reused');
  });

  it('keeps the augmentation tracing only while it equals a fresh one, over 150 random edits of a training script', function () {
    this.timeout(60000);
    const next = random(20261201);
    const sample = (name: string) => fs.readFileSync(path.join(__dirname, '..', '..', 'samples', name), 'utf8').replace(/^import .*$/gm, '');
    // The training code in the middle, a model unit on each side, a top-level model after it.
    const baseText = PREFIX.split('/**\n * @symmetry invariant translation\n */\nexport function buildA')[0] + sample('augmented-training.ts') + sample('mnist-cnn.ts') + "\n/** @symmetry invariant translation */\nconst late = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });\n";
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let text = baseText;
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    const kept = { reused: 0, ran: 0 };
    for (let step = 0; step < 150; step++) {
      // Edits aimed at the training code half of the time; now and then back to the start, as
      // an unbalanced bracket breaks the file's skeleton for every later edit.
      const edit: Edit = text !== baseText && next() < 0.2 ? { start: 0, end: text.length, text: baseText, label: 'reset' } : next() < 0.5 ? randomEdit(next, text) : (() => {
        const from = text.indexOf('function augmentBatch');
        const offset = (from >= 0 ? from : 0) + Math.floor(next() * 900);
        const inserted = pick(next, ['x', ';', ')', '\n', '  ', 'images', 'flipLeftRight(', '.fit(', '// ', 'tf.reverse(images, 2)', 'return images;', 'const q = 1;']);
        const removed = next() < 0.3 ? Math.floor(next() * 20) : 0;
        return { start: offset, end: Math.min(text.length, offset + removed), text: inserted, label: `training@${offset}: ${JSON.stringify(inserted)} for ${removed}` };
      })();
      const newText = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
      if (edit.label === 'reset') sourceFile = parse(MAIN, newText);
      else if (newText !== text) sourceFile = ts.updateSourceFile(sourceFile, newText, { span: { start: edit.start, length: edit.end - edit.start }, newLength: edit.text.length });
      text = newText;
      files.files.set(MAIN, sourceFile);
      const cached = analyzeFile(sourceFile, files, { cache });
      const tracing = cache.lastStats?.fileResults?.augmentations;
      if (tracing) kept[tracing]++;
      const fresh = analyzeFile(parse(MAIN, text), files);
      assert.deepEqual(summary(cached), summary(fresh), `step ${step}: ${edit.label}`);
    }
    // The training code is outside every unit (no function there builds a model): edits there
    // change the text between units, and nothing is kept then.
    assert.ok(kept.reused > 5 && kept.ran > 20, `tracing kept ${kept.reused} times, run ${kept.ran} times`);
  });

  it('runs a reused model\'s rules again on moved lines only when its messages quote a line, and moves an orphan\'s declaration problems', () => {
    const text = `import * as tf from '@tensorflow/tfjs';

export function above() {
  const model = tf.sequential();
  return model;
}

/** @symmetry invariant translation */
export function quoting() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3 }));
  model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

/** @symmetry invariant translation */
export function quiet() {
  const model = tf.sequential();
  model.add(tf.layers.globalAveragePooling2d({ inputShape: [16, 16, 3] }));
  return model;
}

/**
 * @symmetry invariant translaton
 */
const notAModel = 3;
`;
    const files = new VirtualFiles();
    const cache = new AnalysisCache();
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    const first = analyzeFile(sourceFile, files, { cache });
    const findingOf = (analysis: FileAnalysis, model: string) => analysis.models.find((m) => m.graph.name === model)!.findings[0];
    assert.match(findingOf(first, 'quoting').related.map((r) => r.message).join(), /line 12/);
    assert.equal(findingOf(first, 'quiet'), undefined, 'an exact model: its rules quote no line');
    assert.ok(first.findings.some((f) => f.ruleId === 'invalid-declaration' && f.line === 24));
    // Lines typed in the first unit: it runs again, the others are reused, their lines moved.
    let current = text;
    for (const [step, typed] of ['\n', '\n// note\n'].entries()) {
      const at = current.indexOf('\n  return model;\n}\n\n/** @symmetry invariant translation */\nexport function quoting');
      const next = current.slice(0, at) + typed + current.slice(at);
      sourceFile = ts.updateSourceFile(sourceFile, next, { span: { start: at, length: 0 }, newLength: typed.length });
      files.files.set(MAIN, sourceFile);
      const cached = analyzeFile(sourceFile, files, { cache });
      assert.equal(cache.lastStats?.ranUnits, 1, `step ${step}`);
      assert.ok((cache.lastStats?.reusedUnits ?? 0) >= 2, `step ${step}`);
      // Equal to a fresh analysis: the quoted line moved with the text, and so did the
      // problem of the orphan declaration.
      assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, next), files)), `step ${step}`);
      // The rules of the model that quotes a line ran again; those of the exact one did not.
      assert.equal(cache.lastStats?.rulesRunAgain, 1, `step ${step}`);
      current = next;
    }
  });

  it('finds a suppression comment typed one character at a time in a file that had none', () => {
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    let text = PREFIX.replace(/ *\/\/ symmetry-lint-disable[^\n]*\n/g, '');
    assert.ok(!text.includes('symmetry-lint-disable'));
    let sourceFile = parse(MAIN, text);
    files.files.set(MAIN, sourceFile);
    const first = analyzeFile(sourceFile, files, { cache });
    // Above the line of the first finding: the comment must take it away once complete.
    const target = first.findings[0];
    const lineStart = text.split('\n').slice(0, target.line).join('\n').length + (target.line > 0 ? 1 : 0);
    const comment = '// symmetry-lint-disable-next-line\n';
    for (let typed = 1; typed <= comment.length; typed++) {
      const at = lineStart + typed - 1;
      text = text.slice(0, at) + comment[typed - 1] + text.slice(at);
      sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: at, length: 0 }, newLength: 1 });
      files.files.set(MAIN, sourceFile);
      const cached = analyzeFile(sourceFile, files, { cache });
      assert.deepEqual(summary(cached), summary(analyzeFile(parse(MAIN, text), files)), `${typed} characters typed`);
    }
    const last = analyzeFile(sourceFile, files, { cache });
    assert.ok(last.findings.length < first.findings.length, 'the complete comment suppresses the finding');
  });

  it('drops everything when the options change', () => {
    const files = new VirtualFiles();
    files.files.set(HELPERS, parse(HELPERS, HELPERS_TEXT));
    const cache = new AnalysisCache();
    const sourceFile = parse(MAIN, baseText);
    files.files.set(MAIN, sourceFile);
    analyzeFile(sourceFile, files, { cache });
    const options = { cache, ruleSeverities: { 'analysis-gap': 'off' as const } };
    const cached = analyzeFile(sourceFile, files, options);
    assert.equal(cache.lastStats?.reusedUnits, 0);
    assert.deepEqual(summary(cached), summary(analyzeFile(sourceFile, files, { ruleSeverities: options.ruleSeverities })));
  });
});

describe('disabledLines', () => {
  it('finds disable comments of every form and ignores the text in strings and templates', () => {
    const text = [
      'const a = 1; // symmetry-lint-disable-next-line',
      'f(a, /* symmetry-lint-disable-next-line padding-boundary */ b);',
      "const s = '// symmetry-lint-disable-next-line';",
      'const t = `',
      '// symmetry-lint-disable-next-line',
      '`;',
      '  // symmetry-lint-disable-next-line rule-a, rule-b -- a reason',
      'g();',
      '// see symmetry-lint-disable-next-line',
      'function h() {',
      '  // symmetry-lint-disable-next-line',
      '}',
    ].join('\n');
    const lines = disabledLines(parse('/virtual/d.ts', text));
    assert.deepEqual(
      [...lines.entries()].map(([line, ids]) => [line, ids === 'all' ? 'all' : [...ids].sort()]),
      [
        [1, 'all'],
        [2, ['padding-boundary']],
        [7, ['rule-a', 'rule-b']],
        [11, 'all'],
      ],
    );
  });
});
