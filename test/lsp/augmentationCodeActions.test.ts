// The make-exact fix of augmentation-not-declared through the code-action handler: worked out
// once per document version however often the editor asks (it analyses the fixed file again),
// edits tied to that version, and nothing for a diagnostic an edit has moved.
import * as assert from 'node:assert/strict';
import { TextDocumentEdit, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { analyzeText, parseSource } from '../../server/src/engine';
import { exactFixWork } from '../../server/src/fixes/augmentationExactFix';
import { computeCodeActions, type CodeActionHost } from '../../server/src/lsp/codeActions';
import { toDiagnostic } from '../../server/src/lsp/diagnostics';

const URI = 'file:///virtual/train.ts';
const FILE = '/virtual/train.ts';
const TEXT = `import * as tf from '@tensorflow/tfjs';
function buildCnn() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}
async function train(xs, ys) {
  const model = buildCnn();
  const dy = Math.floor(Math.random() * 4);
  await model.fit(tf.slice(tf.pad(xs, [[0, 0], [2, 2], [2, 2], [0, 0]]), [0, dy, dy, 0], [-1, 16, 16, 3]), ys);
}
`;

describe('lsp: the make-exact fix of an augmentation finding', () => {
  it('is worked out once per version, as a versioned edit, and not for a stale diagnostic', async () => {
    let version = 3;
    let sourceFile = parseSource(FILE, TEXT);
    let analysis = analyzeText(FILE, TEXT);
    const provider = { getSourceFile: (name: string) => (name === FILE ? sourceFile : undefined) };
    const diagnostics: Diagnostic[] = analysis.findings
      .filter((finding) => finding.ruleId === 'augmentation-not-declared')
      .map((finding) => toDiagnostic(finding, { uri: URI, version, sourceFile, provider, uriOf: () => undefined }));
    assert.equal(diagnostics.length, 1);
    const host: CodeActionHost = {
      document: () => ({ uri: URI, version, sourceFile }),
      analysis: async () => ({ analysis, options: {} }),
      provider,
      log: () => undefined,
    };
    const params: CodeActionParams = { textDocument: { uri: URI }, range: diagnostics[0].range, context: { diagnostics } };
    const before = exactFixWork.computed;
    const first = await computeCodeActions(host, params);
    const again = await computeCodeActions(host, params);
    assert.equal(exactFixWork.computed - before, 1, 'the second request reuses the first one\'s fix');
    assert.deepEqual(again, first);
    const exact = first.find((action) => action.title.startsWith('Make buildCnn exactly translation invariant'));
    assert.ok(exact, first.map((action) => action.title).join('\n'));
    const change = exact.edit?.documentChanges?.[0];
    assert.ok(change && TextDocumentEdit.is(change));
    assert.equal(change.textDocument.version, 3);
    // The editor moved on, a line added above: the old diagnostic gets no edit.
    version = 4;
    sourceFile = parseSource(FILE, `// edited\n${TEXT}`);
    analysis = analyzeText(FILE, sourceFile.text);
    assert.deepEqual(await computeCodeActions(host, params), []);
  });
});
