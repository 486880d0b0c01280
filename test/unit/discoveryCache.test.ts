// The per-document discovery cache (DiscoveryCache) against a full `discover` of the same tree,
// after random edits made with ts.updateSourceFile as the language server makes them.
import * as assert from 'node:assert/strict';
import { ts } from 'ts-morph';
import { type Discovery, DiscoveryCache, discover } from '../../server/src/analysis/extraction/discovery';
import { parseSourceText } from '../../server/src/analysis/sourceProvider';
import { findEdit, snapshotOf } from '../../server/src/engineEdit';

const FILE = '/virtual/discovery.ts';

/** Every kind of thing discovery finds: units of each kind, holders, aliases, declared classes. */
const BASE = `import * as tf from '@tensorflow/tfjs';
import { sequential as seq, Sequential as Seq } from '@tensorflow/tfjs';

const FILTERS = 16;

/** @symmetry invariant translation */
export function buildA() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: FILTERS, kernelSize: 3, inputShape: [8, 8, 1] }));
  return model;
}

/** @symmetry invariant translation */
const buildB = () => {
  const inner = seq();
  inner.add(tf.layers.dense({ units: 4, inputShape: [4] }));
  return inner;
};

/** @symmetry equivariant translation */
const holder = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });

const topLevel = tf.model({ inputs: [], outputs: [] });

/** @symmetry invariant permutation */
class Net extends tf.Sequential {
  constructor() {
    super();
    this.add(tf.layers.dense({ units: 3, inputShape: [3] }));
  }
}

class Aliased extends Seq {}

/** @symmetry invariant rotation */
class Trainer {
  build() {
    const m = new tf.Sequential();
    return m;
  }
  /** @symmetry invariant sign */
  make = () => tf.sequential();
}

export default /** @symmetry invariant flip */ () => tf.sequential();

module.exports.later = /** @symmetry invariant translation */ function () {
  return tf.sequential();
};
`;

/** A small deterministic generator, so a failure names the seed and step that broke. */
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

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

/** A comparable picture of a discovery: node objects themselves, in the order given. */
function shape(discovery: Discovery) {
  return {
    units: discovery.units.map((unit) => ({
      node: unit.node,
      kind: unit.kind,
      hasDeclaration: unit.hasDeclaration,
      creationSites: unit.creationSites,
      variableHolders: unit.variableHolders,
    })),
    creationSiteUnits: [...discovery.creationSiteUnits.entries()],
    declaredClasses: discovery.declaredClasses,
  };
}

/** Node-identity equality of two pictures, with the first difference named. */
function assertSameDiscovery(actual: Discovery, expected: Discovery, label: string): void {
  const a = shape(actual);
  const b = shape(expected);
  assert.equal(a.units.length, b.units.length, `${label}: unit count`);
  a.units.forEach((unit, i) => {
    const other = b.units[i];
    assert.ok(unit.node === other.node, `${label}: unit ${i} node`);
    assert.equal(unit.kind, other.kind, `${label}: unit ${i} kind`);
    assert.equal(unit.hasDeclaration, other.hasDeclaration, `${label}: unit ${i} declaration`);
    assert.equal(unit.creationSites.length, other.creationSites.length, `${label}: unit ${i} sites`);
    unit.creationSites.forEach((site, j) => assert.ok(site === other.creationSites[j], `${label}: unit ${i} site ${j}`));
    assert.equal(unit.variableHolders.length, other.variableHolders.length, `${label}: unit ${i} holders`);
    unit.variableHolders.forEach((holder, j) => assert.ok(holder === other.variableHolders[j], `${label}: unit ${i} holder ${j}`));
  });
  assert.equal(a.creationSiteUnits.length, b.creationSiteUnits.length, `${label}: creation sites`);
  a.creationSiteUnits.forEach(([site, unit], i) => {
    assert.ok(site === b.creationSiteUnits[i][0] && unit === b.creationSiteUnits[i][1], `${label}: creation site ${i}`);
  });
  assert.equal(a.declaredClasses.length, b.declaredClasses.length, `${label}: declared classes`);
  a.declaredClasses.forEach((cls, i) => assert.ok(cls === b.declaredClasses[i], `${label}: declared class ${i}`));
}

type Edit = { start: number; end: number; text: string; label: string };

/** A random edit, aimed at the things a per-statement cache can get wrong. */
function randomEdit(next: () => number, text: string): Edit {
  const near = (needle: string) => {
    const hits = [...text.matchAll(new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))].map((m) => m.index!);
    return hits.length > 0 ? pick(next, hits) + Math.floor(next() * (needle.length + 1)) : Math.floor(next() * (text.length + 1));
  };
  const offset = Math.min(
    text.length,
    pick(next, [
      () => near('sequential'),
      () => near('@symmetry'),
      () => near('/**'),
      () => near('units: '),
      () => near('import {'),
      () => near('extends'),
      () => near('\n\n'),
      () => near('class'),
      () => Math.floor(next() * (text.length + 1)),
    ])(),
  );
  const kind = pick(next, ['insert', 'insert', 'delete', 'deleteRange'] as const);
  if (kind === 'delete') return { start: offset, end: Math.min(text.length, offset + 1), text: '', label: `delete@${offset}` };
  if (kind === 'deleteRange') {
    return { start: offset, end: Math.min(text.length, offset + 1 + Math.floor(next() * 40)), text: '', label: `deleteRange@${offset}` };
  }
  const inserted = pick(next, [
    'x', ';', '{', '}', '(', ')', '\n', ' ', '*/', '/**', '`', "'",
    ' model', 'model ', 'sequential', 'tf.sequential()', 'seq()', 'new Seq()', 'new Sequential()',
    '@sym', '/** @symmetry invariant translation */\n', ' extends tf.Sequential', ' extends Seq',
    '\nconst v = tf.sequential();\n', '\n/** @symmetry invariant flip */\nconst w = 3;\n',
    '\nimport { model as mk } from "@tensorflow/tfjs";\n', '\nmk();\n', 'Sequential as ', 'seq',
  ]);
  return { start: offset, end: offset, text: inserted, label: `insert ${JSON.stringify(inserted)}@${offset}` };
}

function update(sourceFile: ts.SourceFile, edit: Edit): ts.SourceFile {
  const text = sourceFile.text;
  const newText = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return ts.updateSourceFile(sourceFile, newText, { span: { start: edit.start, length: edit.end - edit.start }, newLength: edit.text.length });
}

describe('discovery cache', () => {
  it('rests on updateSourceFile keeping untouched statements, re-parented to the new file', () => {
    const before = parseSourceText(FILE, BASE);
    const statements = [...before.statements];
    const offset = BASE.indexOf('units: 4');
    const after = update(before, { start: offset + 7, end: offset + 8, text: '5', label: 'digit' });
    const kept = after.statements.filter((statement) => statements.includes(statement));
    assert.equal(kept.length, after.statements.length - 1, 'all statements but the edited one are the same objects');
    for (const statement of kept) assert.ok(statement.parent === after);
  });

  it('walks only the edited statement and equals a full discovery', () => {
    const cache = new DiscoveryCache();
    let sourceFile = parseSourceText(FILE, BASE);
    assertSameDiscovery(cache.discover(sourceFile), discover(sourceFile), 'first');
    assert.deepEqual(cache.lastStats, { reused: 0, walked: sourceFile.statements.length });
    const offset = BASE.indexOf('units: 3');
    sourceFile = update(sourceFile, { start: offset + 7, end: offset + 8, text: '9', label: 'digit' });
    assertSameDiscovery(cache.discover(sourceFile), discover(sourceFile), 'digit');
    assert.deepEqual(cache.lastStats, { reused: sourceFile.statements.length - 1, walked: 1 });
    // A top-level creation site added: the module unit (a new node per parse) gains it.
    sourceFile = update(sourceFile, { start: sourceFile.text.length, end: sourceFile.text.length, text: 'const late = seq();\n', label: 'append' });
    const appended = cache.discover(sourceFile);
    assertSameDiscovery(appended, discover(sourceFile), 'append');
    const module = appended.units.find((unit) => unit.kind === 'module');
    assert.ok(module?.node === sourceFile);
    assert.equal(module?.creationSites.length, 3, 'topLevel, holder and late');
  });

  it('walks everything again when the creation-name aliases change', () => {
    const cache = new DiscoveryCache();
    let sourceFile = parseSourceText(FILE, BASE);
    cache.discover(sourceFile);
    const offset = BASE.indexOf('sequential as seq') + 'sequential as '.length;
    // `seq` is no longer an alias of `sequential`: buildB's call is not a creation site now.
    sourceFile = update(sourceFile, { start: offset, end: offset + 3, text: 'other', label: 'alias' });
    const cached = cache.discover(sourceFile);
    assert.equal(cache.lastStats.reused, 0);
    assertSameDiscovery(cached, discover(sourceFile), 'alias');
    const buildB = cached.units.find((unit) => unit.kind === 'function' && sourceFile.text.slice(unit.node.pos, unit.node.end).includes('inner = seq()'));
    assert.equal(buildB?.creationSites.length, 0);
  });

  it('keeps a unit at offset 0 before the module unit, in the order the walk meets them', () => {
    const text = 'function first() {\n  return tf.sequential();\n}\nconst top = tf.sequential();\n';
    const cache = new DiscoveryCache();
    let sourceFile = parseSourceText(FILE, text);
    assert.deepEqual(cache.discover(sourceFile).units.map((unit) => unit.kind), ['function', 'module']);
    const offset = text.indexOf('= tf.sequential') + 1;
    sourceFile = update(sourceFile, { start: offset, end: offset, text: '  ', label: 'spaces' });
    const cached = cache.discover(sourceFile);
    assert.equal(cache.lastStats.reused, 1);
    assert.deepEqual(cached.units.map((unit) => unit.kind), ['function', 'module']);
    assertSameDiscovery(cached, discover(sourceFile), 'spaces');
  });

  for (const seed of [20261128, 7, 4242]) {
    it(`equals a full discovery after each of 400 random edits (seed ${seed})`, () => {
      const next = random(seed);
      const cache = new DiscoveryCache();
      // The same, told the edit (as the engine's unit cache tells it): statements outside the
      // edit are kept without comparing their text.
      const told = new DiscoveryCache();
      let sourceFile = parseSourceText(FILE, BASE);
      cache.discover(sourceFile);
      told.discover(sourceFile);
      let reused = 0;
      let walked = 0;
      let keptWithEdit = 0;
      for (let step = 0; step < 400; step++) {
        const snapshot = snapshotOf(sourceFile);
        let label: string;
        if (sourceFile.text !== BASE && next() < 0.05) {
          // Back to the base text now and then, so edits keep landing in working code; a
          // ranged whole-text change, as an editor's "replace all" sends it.
          sourceFile = update(sourceFile, { start: 0, end: sourceFile.text.length, text: BASE, label: 'reset' });
          label = 'reset';
        } else {
          const edit = randomEdit(next, sourceFile.text);
          sourceFile = update(sourceFile, edit);
          label = edit.label;
        }
        const cached = cache.discover(sourceFile);
        reused += cache.lastStats.reused;
        walked += cache.lastStats.walked;
        const full = discover(sourceFile);
        assertSameDiscovery(cached, full, `seed ${seed} step ${step}: ${label}`);
        assertSameDiscovery(told.discover(sourceFile, { from: snapshot.text, edit: findEdit(snapshot, sourceFile) }), full, `seed ${seed} step ${step}: ${label}, edit told`);
        keptWithEdit += told.lastStats.reused;
      }
      assert.equal(keptWithEdit, reused, 'the edit changes what is compared, not what is kept');
      // Many edits leave most statements alone (others break the file or its imports): the
      // cache must have been used, not bypassed.
      assert.ok(reused > walked / 2, `reused ${reused}, walked ${walked}`);
    });
  }
});
