// The edit between two texts of a document (findEdit) and the line starts carried over it
// (carryLineStarts), against brute force and TypeScript's own line map, over random edits made
// with ts.updateSourceFile as the language server makes them, and over fresh parses.
import { strict as assert } from 'node:assert';
import { ts } from 'ts-morph';
import { carryLineStarts, editBetween, findEdit, LineIndex, snapshotOf } from '../../server/src/engineEdit';

const FILE = '/virtual/edits.ts';

const BASE = [
  "import * as tf from '@tensorflow/tfjs';",
  'const FILTERS = 16;',
  '/** @symmetry invariant translation */',
  'export function buildA() {',
  '  const model = tf.sequential();',
  '  model.add(tf.layers.conv2d({ filters: FILTERS, kernelSize: 3, inputShape: [8, 8, 1] }));',
  '  return model;',
  '}',
  'const buildB = () => {',
  '  const inner = tf.sequential();\r',
  '  inner.add(tf.layers.dense({ units: 4, inputShape: [4] }));\r',
  '  return inner;\r',
  '};',
  'const sep = 1;\u2028const other = 2;',
  '// the end',
  '',
].join('\n');

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function parse(text: string): ts.SourceFile {
  return ts.createSourceFile(FILE, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** A random replacement, with line breaks of every kind among what it inserts. */
function randomChange(next: () => number, text: string): { start: number; end: number; text: string } {
  const start = Math.floor(next() * (text.length + 1));
  const end = Math.min(text.length, start + (next() < 0.5 ? 0 : Math.floor(next() * 40)));
  const pieces = ['7', 'x', ' ', '\n', '\r', '\r\n', '\u2028', '{', '}', '/**', '*/', 'model', '(', ')'];
  let inserted = '';
  const count = next() < 0.3 ? 0 : 1 + Math.floor(next() * 3);
  for (let i = 0; i < count; i++) inserted += pieces[Math.floor(next() * pieces.length)];
  return { start, end, text: inserted };
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

describe('document edits on the keystroke path', () => {
  for (const seed of [11, 2026, 99]) {
    it(`finds the smallest edit and carries the line starts over 300 random edits (seed ${seed})`, () => {
      const next = random(seed);
      let sourceFile = parse(BASE);
      let snapshot = snapshotOf(sourceFile);
      let lineStarts: readonly number[] = sourceFile.getLineStarts();
      for (let step = 0; step < 300; step++) {
        const oldText = sourceFile.text;
        let newText: string;
        if (next() < 0.1) {
          // A fresh parse (no kept nodes), as after a whole-text change.
          newText = next() < 0.5 ? BASE : oldText.slice(0, 40) + 'x' + oldText.slice(40);
          sourceFile = parse(newText);
        } else {
          const change = randomChange(next, oldText);
          newText = oldText.slice(0, change.start) + change.text + oldText.slice(change.end);
          sourceFile = ts.updateSourceFile(sourceFile, newText, { span: { start: change.start, length: change.end - change.start }, newLength: change.text.length });
        }
        const edit = findEdit(snapshot, sourceFile);
        const label = `seed ${seed} step ${step}`;
        // Comparing the whole texts finds the same edit as the kept statements do.
        assert.deepEqual(editBetween(oldText, newText), edit, `${label}: compared whole`);
        if (oldText === newText) {
          assert.equal(edit, undefined, label);
        } else {
          assert.ok(edit, label);
          // The edit rebuilds the new text, and no shorter one does.
          assert.equal(oldText.slice(0, edit.start) + newText.slice(edit.start, edit.newEnd) + oldText.slice(edit.oldEnd), newText, label);
          assert.equal(edit.start, commonPrefix(oldText, newText), label);
          const suffix = oldText.length - edit.oldEnd;
          const room = Math.min(oldText.length, newText.length) - edit.start;
          assert.equal(suffix, Math.min(room, commonPrefix([...oldText].reverse().join(''), [...newText].reverse().join(''))), label);
          lineStarts = carryLineStarts(lineStarts, edit, newText);
        }
        // TypeScript's own line map of the new text, from a parse of its own.
        const fresh = parse(newText);
        const expected = fresh.getLineStarts();
        assert.deepEqual(lineStarts, expected, `${label}: line starts`);
        const lines = new LineIndex(lineStarts, newText.length);
        for (let probe = 0; probe < 5; probe++) {
          const offset = Math.floor(next() * (newText.length + 1));
          assert.deepEqual(lines.position(offset), ts.getLineAndCharacterOfPosition(fresh, offset), `${label}: offset ${offset}`);
        }
        snapshot = snapshotOf(sourceFile);
      }
    });
  }

  it('joins a carriage return and a line feed typed after it into one line break', () => {
    const before = parse('a\rb');
    const after = ts.updateSourceFile(before, 'a\r\nb', { span: { start: 2, length: 0 }, newLength: 1 });
    const edit = findEdit(snapshotOf(parse('a\rb')), after)!;
    assert.deepEqual(carryLineStarts([0, 2], edit, 'a\r\nb'), [0, 3]);
  });
});
