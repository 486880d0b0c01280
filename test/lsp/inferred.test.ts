// Discovered symmetries in the editor (issue 9), over stdio against the built server: the
// hover on a model's name, the opt-in CodeLens above undeclared models (titled on resolve),
// and "Declare the symmetries this model has", whose edit is checked by analysing its result.
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CodeLensRequest,
  CodeLensResolveRequest,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  TextDocumentEdit,
  type MarkupContent,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { analyzeText } from '../../server/src/engine';
import { applyTextEdits } from '../../server/src/fixes/types';
import { spawnServer } from './serverProcess';
import { ensureServerBuilt } from '../unit/probeTestSupport';

const ROOT = path.resolve(__dirname, '../..');

const UNDECLARED = `import * as tf from '@tensorflow/tfjs';

export function buildClassifier() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 2 }));
  return model;
}

/** Statistics of each pixel, pooled. */
export function buildPixelModel() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 1, useBias: false }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}

/**
 * @symmetry invariant translation
 */
export function buildDeclared() {
  return tf.sequential({ layers: [tf.layers.globalAveragePooling2d({ inputShape: [8, 8, 1] })] });
}
`;
const CLASSIFIER_LINE = 2;
const PIXEL_LINE = 11;

function uriOf(name: string): string {
  return pathToFileURL(path.join(ROOT, 'test/lsp/virtual', name)).href;
}

describe('lsp: discovered symmetries', function () {
  this.timeout(60000);
  let child: ChildProcess;
  let connection: ProtocolConnection;
  const settings = { enable: true, codeLens: { enable: true, inferred: true } };

  before(async () => {
    ensureServerBuilt();
    ({ child, connection } = spawnServer({ settings: () => settings }));
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      capabilities: { workspace: { configuration: true } },
    });
    assert.deepEqual(result.capabilities.codeLensProvider, { resolveProvider: true });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    if (child.exitCode === null) child.kill();
  });

  const open = (uri: string, text: string) =>
    connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });

  it('shows the table of what the model has on a hover over its name', async () => {
    const uri = uriOf('inferred-hover.ts');
    await open(uri, UNDECLARED);
    const character = UNDECLARED.split('\n')[CLASSIFIER_LINE].indexOf('buildClassifier') + 3;
    const hover = await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: CLASSIFIER_LINE, character } });
    assert.ok(hover, 'a hover on the model name');
    const value = (hover.contents as MarkupContent).value;
    assert.match(value, /\*\*buildClassifier\*\*/);
    assert.match(value, /\| translation \| \u2248 approx \(zero padding\) \|/);
    assert.match(value, /\| flip \| \u2717 broken \(conv2d line 5\) \|/);
    assert.doesNotMatch(value, /permutation/, 'permutation does not act on an image');
    assert.equal(hover.range?.start.line, CLASSIFIER_LINE);
  });

  it('gives undeclared models a lens titled on resolve, and none to declared ones or when off', async () => {
    const uri = uriOf('inferred-lens.ts');
    await open(uri, UNDECLARED);
    const lenses = (await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const inferred = lenses.filter((lens) => (lens.data as { kind?: string } | undefined)?.kind === 'inferred');
    assert.deepEqual(inferred.map((lens) => lens.range.start.line), [CLASSIFIER_LINE, PIXEL_LINE]);
    assert.ok(inferred.every((lens) => lens.command === undefined), 'titles wait for resolve');
    const resolved = await connection.sendRequest(CodeLensResolveRequest.type, inferred[0]);
    assert.match(resolved.command?.title ?? '', /^Symmetries: translation \u2248 \(zero padding\), rotation90 \u2717 \(conv2d line 5\)/);
    const pixel = await connection.sendRequest(CodeLensResolveRequest.type, inferred[1]);
    assert.match(pixel.command?.title ?? '', /translation \u2713, rotation90 \u2713, flip \u2713, dihedral \u2713, sign \(equivariant\) \u2713/);

    settings.codeLens.inferred = false;
    try {
      const off = uriOf('inferred-lens-off.ts');
      await open(off, UNDECLARED);
      const none = (await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: off } })) ?? [];
      assert.equal(none.filter((lens) => (lens.data as { kind?: string } | undefined)?.kind === 'inferred').length, 0);
    } finally {
      settings.codeLens.inferred = true;
    }
  });

  it('declares what the model has, creating the JSDoc or adding to it', async () => {
    const uri = uriOf('inferred-declare.ts');
    await open(uri, UNDECLARED);
    const declare = async (line: number, name: string) => {
      const character = UNDECLARED.split('\n')[line].indexOf(name) + 1;
      const actions = (await connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: { start: { line, character }, end: { line, character } },
        context: { diagnostics: [] },
      })) ?? [];
      const action = actions.find((item) => 'title' in item && item.title === 'Declare the symmetries this model has');
      assert.ok(action && 'edit' in action && action.edit, `an action on ${name}`);
      const change = action.edit.documentChanges?.[0];
      assert.ok(change && TextDocumentEdit.is(change));
      assert.equal(change.textDocument.version, 1);
      const lines = UNDECLARED.split('\n');
      const offsetOf = (position: { line: number; character: number }) => lines.slice(0, position.line).reduce((sum, text) => sum + text.length + 1, 0) + position.character;
      return applyTextEdits(UNDECLARED, change.edits.map((edit) => ({ start: offsetOf(edit.range.start), end: offsetOf(edit.range.end), newText: 'newText' in edit ? edit.newText : '' })));
    };

    const classifier = await declare(CLASSIFIER_LINE, 'buildClassifier');
    assert.ok(classifier.includes('/**\n * @symmetry invariant translation tol=0.05\n */\nexport function buildClassifier()'), classifier);
    const reanalysed = analyzeText('/virtual/declared.ts', classifier).models.find((model) => model.graph.name === 'buildClassifier');
    assert.deepEqual(reanalysed?.declarations.map((declaration) => declaration.text), ['invariant translation tol=0.05']);

    const pixel = await declare(PIXEL_LINE, 'buildPixelModel');
    assert.ok(pixel.includes('/**\n * Statistics of each pixel, pooled.\n * @symmetry invariant translation\n * @symmetry invariant dihedral\n * @symmetry equivariant sign\n */'), pixel);
    // What it declares holds: no finding but for approximate borders.
    const findings = analyzeText('/virtual/pixel.ts', pixel).findings.filter((finding) => finding.modelName === 'buildPixelModel');
    assert.deepEqual(findings.map((finding) => finding.ruleId), []);
  });
});
