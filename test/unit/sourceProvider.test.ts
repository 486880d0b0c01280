// Tests of the parse every face shares: its own parent pass must give each node the parent that
// TypeScript's setParentNodes gives it, JSDoc and all, so the analysis sees the same tree.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { parseSourceText, scriptKindForFile } from '../../server/src/analysis/sourceProvider';

/** Every node in a fixed order, JSDoc nodes after their host's children. */
function nodesInOrder(root: ts.Node): ts.Node[] {
  const nodes: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    nodes.push(node);
    ts.forEachChild(node, visit);
    for (const doc of (node as { jsDoc?: ts.Node[] }).jsDoc ?? []) visit(doc);
  };
  visit(root);
  return nodes;
}

/** Each node's parent as its index in `nodesInOrder` (-1: none). */
function parentIndexes(root: ts.Node): number[] {
  const nodes = nodesInOrder(root);
  const index = new Map(nodes.map((node, at) => [node, at]));
  return nodes.map((node) => (node.parent ? (index.get(node.parent) ?? -2) : -1));
}

function assertSameParents(fileName: string, text: string): void {
  const ours = parseSourceText(fileName, text);
  const reference = ts.createSourceFile(
    fileName,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    true,
    scriptKindForFile(fileName),
  );
  assert.deepEqual(nodesInOrder(ours).map((node) => node.kind), nodesInOrder(reference).map((node) => node.kind));
  assert.deepEqual(parentIndexes(ours), parentIndexes(reference), fileName);
}

describe('parseSourceText', () => {
  it('gives every node of every sample the parent TypeScript gives it', () => {
    const samples = path.resolve(__dirname, '../../samples');
    const files = fs.readdirSync(samples).filter((name) => /\.(ts|js|mjs)$/.test(name));
    assert.ok(files.length > 10);
    for (const name of files) assertSameParents(name, fs.readFileSync(path.join(samples, name), 'utf8'));
  });

  it('sets parents in JSX, decorators, and nested functions, and none on the file', () => {
    const text = [
      '/** @symmetry invariant translation */',
      '@sealed class A { @field() x = <div a={() => [1, [2, { b: function () { return 3; } }]]}>t</div>; }',
      'export const f = async <T,>(p: T): Promise<T> => { for (const q of [p]) { label: if (q) break label; } return p; };',
    ].join('\n');
    assertSameParents('mixed.tsx', text);
    const file = parseSourceText('mixed.tsx', text);
    assert.equal(file.parent, undefined);
    assert.equal(file.statements[0].parent, file);
  });
});
