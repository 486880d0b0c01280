// Tests of the one-statement reparse a keystroke takes: wherever it gives a tree, that tree must
// be the one a full parse of the new text gives, node for node (kinds, positions, flags, parents,
// syntax errors, comment directives); and it must decline the edits it cannot prove that for.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { parseSourceText } from '../../server/src/analysis/sourceProvider';
import { reparseEditedStatement, STATEMENT_REPARSE_SUPPORTED } from '../../server/src/workspace/statementReparse';

const ROOT = path.resolve(__dirname, '..', '..');

/** Flags TypeScript computes lazily when asked: set or not depending on who asked before. */
const AGGREGATED = ts.NodeFlags.HasAggregatedChildData | ts.NodeFlags.ThisNodeOrAnySubNodesHasError;

interface Internals {
  transformFlags: number;
  escapedText?: string;
  text?: string;
  parseDiagnostics: ts.DiagnosticWithLocation[];
  commentDirectives?: unknown[];
  externalModuleIndicator?: ts.Node | true;
}

/** Everything about a tree a full parse decides, one line per node or node list. */
function treeDump(sourceFile: ts.SourceFile): string {
  const lines: string[] = [];
  const visit = (node: ts.Node, parent: ts.Node | undefined): void => {
    const inner = node as unknown as Internals;
    const parentNote = parent && node.parent !== parent ? ' WRONG PARENT' : '';
    lines.push(`${ts.SyntaxKind[node.kind]} ${node.pos}-${node.end} flags ${node.flags & ~AGGREGATED} transform ${inner.transformFlags} ${inner.escapedText ?? inner.text ?? ''}${parentNote}`);
    ts.forEachChild(
      node,
      (child) => visit(child, node),
      (children) => {
        lines.push(`[ ${children.pos}-${children.end} trailing comma ${children.hasTrailingComma} transform ${(children as unknown as Internals).transformFlags}`);
        for (const child of children) visit(child, node);
        lines.push(']');
      },
    );
  };
  visit(sourceFile, undefined);
  const file = sourceFile as unknown as Internals;
  lines.push(`text ${sourceFile.text.length} ${sourceFile.text === sourceFile.getFullText()}`);
  lines.push(`errors ${JSON.stringify(file.parseDiagnostics.map((d) => [d.start, d.length, d.code, d.file === sourceFile]))}`);
  lines.push(`directives ${JSON.stringify(file.commentDirectives ?? [])}`);
  const indicator = file.externalModuleIndicator;
  lines.push(`module ${indicator === undefined ? 'no' : indicator === true ? 'yes' : `${ts.SyntaxKind[indicator.kind]}@${indicator.pos}`}`);
  return lines.join('\n');
}

/** A deterministic generator, so a failing edit sequence can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function modelFiles(): string[] {
  const found: string[] = [];
  for (const dir of ['samples', path.join('test', 'fixtures')]) {
    const walk = (at: string): void => {
      for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
        const full = path.join(at, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|js|mjs)$/.test(entry.name)) found.push(full);
      }
    };
    walk(path.join(ROOT, dir));
  }
  return found.sort();
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function applied(text: string, edit: Edit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

/** The reparse of one edit, checked against a full parse when it gives a tree. */
function reparseChecked(fileName: string, tree: ts.SourceFile, edit: Edit, label: string): ts.SourceFile | undefined {
  const newText = applied(tree.text, edit);
  const full = parseSourceText(fileName, newText);
  const reparsed = reparseEditedStatement(tree, newText, edit.start, edit.end, edit.text.length);
  if (reparsed) assert.equal(treeDump(reparsed), treeDump(full), label);
  return reparsed;
}

const TYPED = ['x', 'e', '7', '0', '_', '.', ' ', '\n', ', 2', 'tf.layers.dense({ units: 4 })', ''];
const BREAKING = ['{', '}', '(', ')', '[', ']', ';', '"', "'", '`', '${', '/*', '*/', '//', '\\', '<', '=>', 'await ', 'import(', 'import.meta', 'export ', 'function ', '@', '\n}\n'];

describe('statement reparse', () => {
  it('relies on TypeScript internals this TypeScript has', () => {
    assert.equal(STATEMENT_REPARSE_SUPPORTED, true);
  });

  /** Random edits of files, each checked against a full parse; counts for the caller's floor. */
  function randomEdits(files: { fileName: string; text: string }[], seed: number, steps: number) {
    const next = seededRandom(seed);
    const counts = { typedTried: 0, typedReparsed: 0, breakingReparsed: 0, reparsed: 0 };
    for (const { fileName, text: original } of files) {
      let tree = parseSourceText(fileName, original);
      for (let step = 0; step < steps; step++) {
        // Back to the file as written now and then, so edits keep landing in working code.
        if (next() < 0.3) tree = parseSourceText(fileName, original);
        const text = tree.text;
        const start = Math.floor(next() * text.length);
        const typing = next() < 0.6;
        const end = typing ? start + (next() < 0.2 ? 1 : 0) : Math.min(text.length, start + Math.floor(next() * 12));
        const pool = typing ? TYPED : BREAKING;
        const edit = { start, end, text: pool[Math.floor(next() * pool.length)] };
        const label = `${path.relative(ROOT, fileName)} step ${step}: [${start}, ${end}) -> ${JSON.stringify(edit.text)}`;
        // A letter or digit typed inside a word, past the file's first statement.
        const inWord = /^[\w]$/.test(edit.text) && end === start && /\w\w/.test(text.slice(start - 1, start + 1)) && start > (tree.statements[0]?.end ?? 0);
        const reparsed = reparseChecked(fileName, tree, edit, label);
        if (inWord) counts.typedTried++;
        if (reparsed && inWord) counts.typedReparsed++;
        if (reparsed && !typing) counts.breakingReparsed++;
        if (reparsed) counts.reparsed++;
        // Chained: the next edit starts from the reparsed tree, as in the server.
        tree = reparsed ?? parseSourceText(fileName, applied(text, edit));
      }
    }
    return counts;
  }

  it('gives the tree of a full parse after random edits of every sample and fixture, typing and breaking ones', function () {
    this.timeout(120000);
    const { typedTried, typedReparsed, breakingReparsed } = randomEdits(modelFiles().map((fileName) => ({ fileName, text: fs.readFileSync(fileName, 'utf8') })), 20261202, 60);
    // Not vacuous: most typing inside a word is reparsed (not all: keywords break, files degrade
    // along the chain), and some breaking edits stay inside one statement.
    assert.ok(typedReparsed > typedTried / 2, `${typedReparsed} of ${typedTried} typed edits reparsed one statement`);
    assert.ok(breakingReparsed > 20, `${breakingReparsed} breaking edits reparsed one statement`);
  });

  it('gives the tree of a full parse in JSX, templates and regular expressions, whose tokens depend on the parser', function () {
    this.timeout(60000);
    const view = `import * as React from 'react';

export function View(props: { n: number }) {
  const items = [1, 2, 3].map((i) => <li key={i}>{i * props.n} items</li>);
  return <div className="x">{items} <span>{\`t \${props.n}\`}</span></div>;
}
const tpl = \`a \${1 + 2} b\`;
const re = /ab+c/g.test('abbc');
export default View;
`;
    const files = [
      { fileName: '/virtual/view.tsx', text: view },
      { fileName: '/virtual/view.jsx', text: view.replace(': { n: number }', '') },
    ];
    const { reparsed } = randomEdits(files, 20261203, 300);
    assert.ok(reparsed > 60, `${reparsed} of 600 edits reparsed one statement`);
  });

  const SOURCE = `import * as tf from '@tensorflow/tfjs';

/** @symmetry invariant translation */
export function buildA(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3 }));
  return model;
}

// @ts-expect-error kept across edits
const broken: number = 'text';

export function buildB(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4] })] });
}
`;
  const FILE = '/virtual/models.ts';
  const at = (needle: string, after = 0): number => {
    const index = SOURCE.indexOf(needle);
    assert.ok(index >= 0, needle);
    return index + after;
  };

  it('reparses a digit changed, a character typed and a line broken inside a builder, and moves what follows', () => {
    for (const edit of [
      { start: at('filters: 16', 10), end: at('filters: 16', 11), text: '7' },
      { start: at('filters: 16', 11), end: at('filters: 16', 11), text: '0' },
      { start: at('const model', 13), end: at('const model', 13), text: '\n  ' },
    ]) {
      const tree = parseSourceText(FILE, SOURCE);
      const [, , , buildB] = tree.statements;
      const buildBPos = buildB.pos;
      const reparsed = reparseChecked(FILE, tree, edit, JSON.stringify(edit));
      assert.ok(reparsed, `reparsed ${JSON.stringify(edit)}`);
      // The statements after the edit are the old nodes, moved (the engine's caches key on them).
      assert.equal(reparsed.statements[3], buildB);
      assert.equal(buildB.pos, buildBPos + edit.text.length - (edit.end - edit.start));
      assert.equal(buildB.parent, reparsed);
    }
  });

  it('declines what it cannot prove: edits across statements, of a first token, that open a block, or near an error', () => {
    const declined: [string, string, Edit][] = [
      ['between two statements', SOURCE, { start: at('\nexport function buildB'), end: at('\nexport function buildB'), text: 'x' }],
      ['the first token of a statement', SOURCE, { start: at('const broken', 2), end: at('const broken', 2), text: 'x' }],
      ['right after the first token', SOURCE, { start: at('const broken', 5), end: at('const broken', 5), text: 'x' }],
      ['a brace that swallows the next statement', SOURCE, { start: at('const model', 0), end: at('const model', 0), text: '{' }],
      ['the last character of a statement', SOURCE, { start: at('}\n\n//') , end: at('}\n\n//') + 1, text: '' }],
      ['a statement that held the dynamic import of a file', SOURCE.replace('return model;', 'import("x"); return model;'), { start: at('filters: 16', 10), end: at('filters: 16', 11), text: '7' }],
      ['an edit spanning two statements', SOURCE, { start: at('return model'), end: at('export function buildB'), text: '' }],
      ['a statement with a syntax error', SOURCE.replace('filters: 16', 'filters: 16,,'), { start: at('kernelSize: 3', 12), end: at('kernelSize: 3', 13), text: '5' }],
      ['a statement after skipped tokens', SOURCE.replace('\nexport function buildB', ')\nexport function buildB'), { start: at('flatten(', 4), end: at('flatten(', 4), text: 'x' }],
      // A top-level `await` TypeScript reads as a name at first; a module parses its statement again.
      ['top-level await read as a name, in a module', SOURCE, { start: at("'text'"), end: at("'text'", 6), text: 'await' }],
    ];
    for (const [label, text, edit] of declined) {
      const tree = parseSourceText(FILE, text);
      assert.equal(reparseEditedStatement(tree, applied(text, edit), edit.start, edit.end, edit.text.length), undefined, label);
    }
  });

  it('keeps comment directives and the syntax errors of other statements, moved', () => {
    const text = SOURCE.replace('export function buildB', 'export function buildB(,');
    const tree = parseSourceText(FILE, text);
    assert.ok((tree as unknown as Internals).parseDiagnostics.length > 0);
    const edit = { start: at('filters: 16', 10), end: at('filters: 16', 10), text: '00' };
    const reparsed = reparseChecked(FILE, tree, edit, 'an edit before a broken statement');
    assert.ok(reparsed);
    assert.equal((reparsed as unknown as Internals).commentDirectives?.length, 1);
  });

  it('does not take JSDoc-parsed trees, whose JSDoc it would have to carry over', () => {
    const tree = ts.createSourceFile(FILE, SOURCE, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const edit = { start: at('filters: 16', 10), end: at('filters: 16', 11), text: '7' };
    assert.equal(reparseEditedStatement(tree, applied(SOURCE, edit), edit.start, edit.end, 1), undefined);
  });
});
