// Code actions through the handler the language server registers: versioned edits, preferred
// fix first, disable and docs actions, no edit for a stale diagnostic, and fix-all.
import * as assert from 'node:assert/strict';
import { CodeActionKind, TextDocumentEdit, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { analyzeText, parseSource } from '../../server/src/engine';
import { computeCodeActions, FIX_ALL_KIND, type CodeActionHost } from '../../server/src/lsp/codeActions';
import { toDiagnostic } from '../../server/src/lsp/diagnostics';

const URI = 'file:///virtual/model.ts';
const FILE = '/virtual/model.ts';
const TEXT = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function build(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2 }));
  return model;
}
`;

function hostFor(text: string, version: number): { host: CodeActionHost; diagnostics: Diagnostic[]; setVersion(v: number): void } {
  let current = version;
  const sourceFile = parseSource(FILE, text);
  const analysis = analyzeText(FILE, text);
  const provider = { getSourceFile: (name: string) => (name === FILE ? sourceFile : undefined) };
  const diagnostics = analysis.findings.map((finding) => toDiagnostic(finding, { uri: URI, version, sourceFile, provider, uriOf: () => undefined }));
  const host: CodeActionHost = {
    document: () => ({ uri: URI, version: current, sourceFile }),
    analysis: async () => ({ analysis, options: {} }),
    provider,
    log: () => undefined,
  };
  return { host, diagnostics, setVersion: (v) => (current = v) };
}

const params = (diagnostics: Diagnostic[], only?: string[]): CodeActionParams => ({
  textDocument: { uri: URI },
  range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } },
  context: { diagnostics, ...(only ? { only } : {}) },
});

describe('lsp: code actions', () => {
  it('offers the preferred fix first, alternatives, disable and docs, as versioned edits', async () => {
    const { host, diagnostics } = hostFor(TEXT, 7);
    const flatten = diagnostics.filter((d) => d.code === 'flatten-breaks-invariance');
    assert.equal(flatten.length, 1);
    const actions = await computeCodeActions(host, params(flatten));
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred ?? false]),
      [
        ['Use global average pooling instead of flatten', true],
        ['Use global max pooling instead of flatten', false],
        ['Disable flatten-breaks-invariance for this line', false],
        ['Show documentation for flatten-breaks-invariance', false],
      ],
    );
    const change = actions[0].edit?.documentChanges?.[0];
    assert.ok(change && TextDocumentEdit.is(change));
    assert.equal(change.textDocument.version, 7);
    assert.deepEqual(change.edits, [{ range: { start: { line: 5, character: 12 }, end: { line: 5, character: 31 } }, newText: 'tf.layers.globalAveragePooling2d({})' }]);
    assert.equal(actions[3].command?.command, 'vscode.open');
    assert.match(String(actions[3].command?.arguments?.[0]), /docs\/rules\/flatten-breaks-invariance\.md$/);
    assert.ok(actions.every((a) => a.kind === CodeActionKind.QuickFix));
  });

  it('acts once on the one diagnostic of a layer two models share, editing its one place', async () => {
    const shared = `import * as tf from '@tensorflow/tfjs';
const features = tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 1 });
const flatten = tf.layers.flatten();
const scores = tf.layers.dense({ units: 10 });
/** @symmetry invariant translation */
export const modelA = tf.sequential({ layers: [features, flatten, scores] });
/** @symmetry invariant translation */
export const modelB = tf.sequential({ layers: [features, flatten, scores] });
`;
    const { host, diagnostics } = hostFor(shared, 4);
    const flatten = diagnostics.filter((d) => d.code === 'flatten-breaks-invariance');
    assert.equal(flatten.length, 1, JSON.stringify(diagnostics));
    assert.deepEqual(
      (flatten[0].relatedInformation ?? []).filter((item) => /^in model[AB]: declared here/.test(item.message)).map((item) => item.location.range.start.line),
      [4, 6],
    );
    const actions = await computeCodeActions(host, params(flatten));
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Use global average pooling instead of flatten',
        'Use global max pooling instead of flatten',
        'Disable flatten-breaks-invariance for this line',
        'Show documentation for flatten-breaks-invariance',
      ],
    );
    const change = actions[0].edit?.documentChanges?.[0];
    assert.ok(change && TextDocumentEdit.is(change));
    assert.deepEqual(change.edits, [{ range: { start: { line: 2, character: 16 }, end: { line: 2, character: 35 } }, newText: 'tf.layers.globalAveragePooling2d({})' }]);
    // The one edit fixes both models.
    const fixed = shared.replace('tf.layers.flatten()', 'tf.layers.globalAveragePooling2d({})');
    assert.deepEqual(analyzeText(FILE, fixed).findings.filter((f) => f.ruleId === 'flatten-breaks-invariance'), []);
  });

  it('makes no edit for a stale diagnostic or a document that changed', async () => {
    // The diagnostics of version 6; version 7 has a line more above the model, so the flatten
    // finding is a line lower: the old diagnostic describes text that is not there any more.
    const { diagnostics: ofVersion6 } = hostFor(TEXT, 6);
    const { host, diagnostics, setVersion } = hostFor(`// a comment\n${TEXT}`, 7);
    const stale = ofVersion6.filter((d) => d.code === 'flatten-breaks-invariance');
    assert.equal(stale.length, 1);
    assert.deepEqual(await computeCodeActions(host, params(stale)), []);
    // The same finding as version 7 has it gets its fixes.
    assert.ok((await computeCodeActions(host, params(diagnostics))).length > 0);
    // The document changes while the request waits for its analysis: no edit at all.
    const analysisOf7 = host.analysis;
    host.analysis = async (uri) => {
      const result = await analysisOf7(uri);
      setVersion(8);
      return result;
    };
    assert.deepEqual(await computeCodeActions(host, params(diagnostics)), []);
  });

  it('fixes a diagnostic of an older version that the edits did not move, with an edit naming the current version', async () => {
    // A pull may answer `unchanged`: the editor then keeps the diagnostics of an older version.
    const { diagnostics: ofVersion6 } = hostFor(TEXT, 6);
    const { host } = hostFor(TEXT, 9);
    const actions = await computeCodeActions(host, params(ofVersion6.filter((d) => d.code === 'flatten-breaks-invariance')));
    const change = actions[0].edit?.documentChanges?.[0];
    assert.ok(change && TextDocumentEdit.is(change));
    assert.equal(change.textDocument.version, 9);
  });

  it('source.fixAll.symmetryLint applies the preferred fixes in one versioned edit', async () => {
    const { host } = hostFor(TEXT, 3);
    const actions = await computeCodeActions(host, params([], [FIX_ALL_KIND]));
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, FIX_ALL_KIND);
    const change = actions[0].edit?.documentChanges?.[0];
    assert.ok(change && TextDocumentEdit.is(change));
    assert.equal(change.textDocument.version, 3);
    assert.equal(change.edits.length, 1);
    assert.match((change.edits[0] as { newText: string }).newText, /globalAveragePooling2d/);
    // Asked only for quick fixes, no fix-all; asked for source.fixAll, no quick fixes.
    assert.ok((await computeCodeActions(host, params([], [CodeActionKind.QuickFix]))).every((a) => a.kind !== FIX_ALL_KIND));
  });
});
