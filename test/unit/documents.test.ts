// Tests of the document store: incremental updates must give the same text and syntax tree
// as a fresh parse, positions clamp as LSP asks, and the provider prefers open buffers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import {
  applyContentChanges,
  documentLineStarts,
  DocumentStore,
  fileNameForUri,
  lineStarts,
  parseSourceFile,
  scriptKindForFile,
  uriForFileName,
  type ContentChange,
} from '../../server/src/workspace/documents';
import { DiskSourceFiles, WorkspaceSourceProvider } from '../../server/src/workspace/fileSources';
import { scratchFolder } from './scratchFolders';

/** A deterministic generator, so a failing edit sequence can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The tree as kinds and positions, which is what a reparse would have to reproduce. */
function treeSignature(sourceFile: ts.SourceFile): string {
  const parts: string[] = [];
  const visit = (node: ts.Node, depth: number): void => {
    parts.push(`${depth}:${ts.SyntaxKind[node.kind]}@${node.pos}-${node.end}`);
    ts.forEachChild(node, (child) => visit(child, depth + 1));
  };
  visit(sourceFile, 0);
  return parts.join('\n');
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length - 1, character: before[before.length - 1].length };
}

const MODEL_SOURCE = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildClassifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}
`;

const SNIPPETS = ['x', ')', '(', '{', '}', '\n', '\r\n', ' ', 'tf.layers.dense({units: 4})', '/*', '*/', "'", '`', '//', ';', 'é', '😀', ''];

describe('document store', () => {
  it('gives the same text and tree as a fresh parse after random incremental edits', () => {
    const random = seededRandom(12345);
    const fileName = '/virtual/model.ts';
    let sourceFile = parseSourceFile(fileName, MODEL_SOURCE);
    let expected = MODEL_SOURCE;
    for (let step = 0; step < 400; step++) {
      const a = Math.floor(random() * (expected.length + 1));
      const b = Math.min(expected.length, a + Math.floor(random() * 12));
      const text = SNIPPETS[Math.floor(random() * SNIPPETS.length)];
      const change: ContentChange = { range: { start: positionOf(expected, a), end: positionOf(expected, b) }, text };
      // Positions inside a CRLF are not valid LSP positions; skip edits that would need them.
      if (expected[a - 1] === '\r' && expected[a] === '\n') continue;
      if (expected[b - 1] === '\r' && expected[b] === '\n') continue;
      sourceFile = applyContentChanges(sourceFile, [change]);
      expected = expected.slice(0, a) + text + expected.slice(b);
      assert.equal(sourceFile.text, expected, `text after step ${step}`);
      if (step % 20 === 0) assert.equal(treeSignature(sourceFile), treeSignature(parseSourceFile(fileName, expected)), `tree after step ${step}`);
    }
    assert.equal(treeSignature(sourceFile), treeSignature(parseSourceFile(fileName, expected)));
  });

  it('clamps positions past the end of a line or the text, as LSP specifies', () => {
    const sourceFile = parseSourceFile('/virtual/a.ts', 'ab\ncd\n');
    const updated = applyContentChanges(sourceFile, [
      { range: { start: { line: 0, character: 99 }, end: { line: 0, character: 99 } }, text: 'X' },
      { range: { start: { line: 50, character: 0 }, end: { line: 60, character: 3 } }, text: 'END' },
    ]);
    assert.equal(updated.text, 'abX\ncd\nEND');
  });

  it('applies several changes in order and a whole-text change as a reparse', () => {
    const sourceFile = parseSourceFile('/virtual/a.ts', 'const a = 1;\n');
    const updated = applyContentChanges(sourceFile, [
      { range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }, text: 'bb' },
      { range: { start: { line: 0, character: 11 }, end: { line: 0, character: 12 } }, text: '22' },
    ]);
    assert.equal(updated.text, 'const bb = 22;\n');
    const replaced = applyContentChanges(updated, [{ text: 'let z;' }]);
    assert.equal(replaced.text, 'let z;');
    assert.equal(treeSignature(replaced), treeSignature(parseSourceFile('/virtual/a.ts', 'let z;')));
  });

  it('tracks versions and file names of open documents', () => {
    const store = new DocumentStore();
    const uri = uriForFileName(path.join(os.tmpdir(), 'dir with space', 'm.ts'));
    const opened = store.open(uri, 'typescript', 1, 'let a;');
    assert.equal(opened.fileName, path.join(os.tmpdir(), 'dir with space', 'm.ts'));
    store.change(uri, 2, [{ range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, text: 'b' }]);
    assert.equal(store.get(uri)?.version, 2);
    assert.equal(store.getByFileName(opened.fileName)?.sourceFile.text, 'let b;');
    assert.equal(store.change('file:///not/open.ts', 3, [{ text: '' }]), undefined);
    store.close(uri);
    assert.equal(store.get(uri), undefined);
    assert.equal(store.getByFileName(opened.fileName), undefined);
  });

  it('chooses the script kind from the extension, and from the language for untitled buffers', () => {
    assert.equal(scriptKindForFile('/a/b.ts'), ts.ScriptKind.TS);
    assert.equal(scriptKindForFile('/a/b.tsx'), ts.ScriptKind.TSX);
    assert.equal(scriptKindForFile('/a/b.mjs'), ts.ScriptKind.JS);
    assert.equal(scriptKindForFile('/a/b.cjs'), ts.ScriptKind.JS);
    assert.equal(scriptKindForFile('/a/b.jsx'), ts.ScriptKind.JSX);
    assert.equal(scriptKindForFile('untitled:Untitled-1', 'javascriptreact'), ts.ScriptKind.JSX);
    assert.equal(fileNameForUri('untitled:Untitled-1'), 'untitled:Untitled-1');
  });

  it('serves open buffers before the disk, and re-reads the disk when a file changes', () => {
    const folder = scratchFolder('symlint-docs-');
    try {
      const file = path.join(folder, 'helper.ts');
      fs.writeFileSync(file, 'export const a = 1;\n');
      const store = new DocumentStore();
      const disk = new DiskSourceFiles();
      const provider = new WorkspaceSourceProvider(store, disk);
      const first = provider.getSourceFile(file);
      assert.equal(first?.text, 'export const a = 1;\n');
      assert.equal(provider.getSourceFile(file), first, 'cached while unchanged');
      fs.writeFileSync(file, 'export const a = 22;\n');
      const mtime = new Date(Date.now() + 5000);
      fs.utimesSync(file, mtime, mtime);
      assert.equal(provider.getSourceFile(file)?.text, 'export const a = 22;\n');
      store.open(uriForFileName(file), 'typescript', 1, 'export const a = 3; // unsaved');
      assert.equal(provider.getSourceFile(file)?.text, 'export const a = 3; // unsaved');
      assert.equal(provider.getSourceFile(path.join(folder, 'missing.ts')), undefined);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('keeps LSP and TypeScript line starts right across random edits that add and remove line breaks', () => {
    const random = seededRandom(2028);
    const breaks = ['\n', '\r', '\r\n', '\n\n', '\u2028', '\u2029', 'a\rb', 'x\r\ny\n', '', 'z', 'é'];
    const fileName = '/virtual/lines.ts';
    let expected = MODEL_SOURCE.replace(/\n/g, (_, at: number) => (at % 3 === 0 ? '\r\n' : at % 3 === 1 ? '\r' : '\n'));
    let sourceFile = parseSourceFile(fileName, expected);
    sourceFile.getLineStarts();
    let checked = 0;
    for (let step = 0; step < 600; step++) {
      const a = Math.floor(random() * (expected.length + 1));
      const b = Math.min(expected.length, a + Math.floor(random() * 6));
      if (expected[a - 1] === '\r' && expected[a] === '\n') continue;
      if (expected[b - 1] === '\r' && expected[b] === '\n') continue;
      const text = breaks[Math.floor(random() * breaks.length)];
      sourceFile = applyContentChanges(sourceFile, [{ range: { start: positionOf(expected, a), end: positionOf(expected, b) }, text }]);
      expected = expected.slice(0, a) + text + expected.slice(b);
      assert.deepEqual(documentLineStarts(sourceFile), lineStarts(expected), `LSP line starts after step ${step}`);
      // TypeScript's map (also breaking at U+2028/9), carried from edit to edit; now and then
      // a tree whose map was never asked for, which TypeScript then computes itself.
      if (step % 7 !== 3) {
        assert.deepEqual(sourceFile.getLineStarts(), parseSourceFile(fileName, expected).getLineStarts(), `TypeScript line starts after step ${step}`);
        checked++;
      }
    }
    assert.ok(checked > 300);
  });

  it('hands TypeScript the updated line map, so a keystroke does not scan the whole text for it', () => {
    let sourceFile = parseSourceFile('/virtual/model.ts', MODEL_SOURCE);
    const lineMapOf = (file: ts.SourceFile) => (file as unknown as { lineMap?: readonly number[] }).lineMap;
    sourceFile = applyContentChanges(sourceFile, [{ range: { start: { line: 6, character: 2 }, end: { line: 6, character: 2 } }, text: 'x' }]);
    // Never asked for: none to carry over.
    assert.equal(lineMapOf(sourceFile), undefined);
    sourceFile.getLineStarts();
    sourceFile = applyContentChanges(sourceFile, [{ range: { start: { line: 6, character: 2 }, end: { line: 6, character: 3 } }, text: '\n' }]);
    assert.deepEqual(lineMapOf(sourceFile), parseSourceFile('/virtual/model.ts', sourceFile.text).getLineStarts());
  });

  it('updates a 3,000-line file incrementally for less than a full parse costs', () => {
    const lines: string[] = [];
    for (let i = 0; i < 250; i++) lines.push(MODEL_SOURCE.replace('buildClassifier', `build${i}`));
    const text = lines.join('\n');
    assert.ok(text.split('\n').length >= 3000);
    const fileName = '/virtual/big.ts';
    const timeFull = (): number => {
      const start = process.hrtime.bigint();
      parseSourceFile(fileName, text);
      return Number(process.hrtime.bigint() - start);
    };
    let sourceFile = parseSourceFile(fileName, text);
    const middle = Math.floor(sourceFile.getLineStarts().length / 2);
    const timeIncremental = (): number => {
      const start = process.hrtime.bigint();
      sourceFile = applyContentChanges(sourceFile, [{ range: { start: { line: middle, character: 2 }, end: { line: middle, character: 2 } }, text: 'x' }]);
      return Number(process.hrtime.bigint() - start);
    };
    // Warm both paths up, then compare medians so one GC pause cannot decide the outcome.
    const median = (samples: number[]): number => samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    for (let i = 0; i < 3; i++) {
      timeFull();
      timeIncremental();
    }
    const full = median(Array.from({ length: 7 }, timeFull));
    const incremental = median(Array.from({ length: 7 }, timeIncremental));
    assert.ok(incremental < full, `incremental ${incremental / 1e6} ms vs full ${full / 1e6} ms`);
  });
});
