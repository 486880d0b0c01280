// The probe through the built language server over stdio: the "Probe symmetry" CodeLens (and
// its setting), symmetryLint/probe with progress, probe findings in pulled diagnostics, bad
// input with clear messages (2e9 parameters, missing weight files), cancellation mid-probe,
// results dropped for a changed document, and a server that keeps answering throughout.
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  CodeLensRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  WorkDoneProgress,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { ProbeRequest, ProbeSavedModelRequest } from '../../server/src/protocol';
import { spawnServer } from './serverProcess';
import { ensureServerBuilt } from '../unit/probeTestSupport';
import { scratchFolder } from '../unit/scratchFolders';

const ROOT = path.resolve(__dirname, '../..');

const ROTATION_MODEL = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant rotation90
 */
export function buildRotationModel() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 3, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}
`;
const CONV_LINE = 7;

const HUGE_MODEL = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant permutation */
export function buildHuge() {
  // The reshape counts the declared width, so the probe cannot take a smaller one instead.
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [16, 40000], units: 50000 }), tf.layers.reshape({ targetShape: [16, 50000] }), tf.layers.globalAveragePooling1d({})] });
}
`;

const SLOW_MODEL = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function buildSlow() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [96, 96, 16], filters: 64, kernelSize: 5, padding: 'same' }),
    tf.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}
`;

function uriOf(name: string): string {
  return pathToFileURL(path.join(ROOT, 'test/lsp/virtual', name)).href;
}

describe('language server probes (stdio)', function () {
  this.timeout(60000);
  let child: ChildProcess;
  let connection: ProtocolConnection;
  const settings = { enable: true, run: 'onType', rules: {}, codeLens: { enable: true }, probe: { onSave: false, timeoutMs: 30000, backend: 'wasm', maxParameters: 20000000 } };
  let progressCount = 0;

  const open = (uri: string, text: string, version = 1) =>
    connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version, text } });
  const pullCodes = async (uri: string) => {
    const report = await connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    return report.kind === 'full' ? report.items : [];
  };
  /** A progress token whose `begin` resolves the returned promise. */
  const progressToken = () => {
    const token = `probe-${++progressCount}`;
    const began = new Promise<void>((resolve) => {
      connection.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === 'begin') resolve();
      });
    });
    return { token, began };
  };

  before(async () => {
    ensureServerBuilt();
    ({ child, connection } = spawnServer({ settings: () => settings }));
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      initializationOptions: { workspaceTrusted: false },
      capabilities: { workspace: { configuration: true, diagnostics: { refreshSupport: true } }, window: { workDoneProgress: true } },
    });
    assert.ok(result.capabilities.codeLensProvider);
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    if (child.exitCode === null) child.kill();
  });

  it('offers a "Probe symmetry" CodeLens above each declared model, unless turned off', async () => {
    const uri = uriOf('probe-lens.ts');
    await open(uri, ROTATION_MODEL);
    const lenses = await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    assert.equal(lenses?.length, 1);
    assert.equal(lenses![0].command?.title, 'Probe symmetry');
    assert.equal(lenses![0].command?.command, 'symmetryLint.probeModel');
    assert.deepEqual(lenses![0].command?.arguments, [{ uri, modelName: 'buildRotationModel' }]);
    assert.equal(lenses![0].range.start.line, 5);
    settings.codeLens.enable = false;
    const uri2 = uriOf('probe-lens-off.ts');
    await open(uri2, ROTATION_MODEL);
    assert.deepEqual(await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uri2 } }), []);
    settings.codeLens.enable = true;
  });

  it('probes the model at the cursor and adds probe-violation to the pulled diagnostics', async () => {
    const uri = uriOf('probe-rotation.ts');
    await open(uri, ROTATION_MODEL);
    const { token, began } = progressToken();
    const result = await connection.sendRequest(ProbeRequest, { scope: 'model', uri, position: { line: 7, character: 4 }, workDoneToken: token });
    await began;
    const model = result.files[0].models[0];
    assert.equal(model.status, 'ok', model.message);
    assert.equal(model.verdicts[0].passed, false);
    assert.equal(model.verdicts[0].breakingLayerLine, CONV_LINE + 1);
    assert.equal(model.layers.length, 2);
    const items = await pullCodes(uri);
    const violation = items.find((item) => item.code === 'probe-violation');
    assert.ok(violation, JSON.stringify(items.map((i) => i.code)));
    assert.equal(violation.range.start.line, CONV_LINE);
    assert.match(String(violation.message), /rotation by \d+°, k=\d/);
    assert.ok(items.some((item) => item.code === 'kernel-breaks-rotation'));
  });

  it('leaves out a probe finding a disable comment covers, and keeps its verdict in the result', async () => {
    const uri = uriOf('probe-rotation-disabled.ts');
    const lines = ROTATION_MODEL.split('\n');
    const text = [...lines.slice(0, CONV_LINE), '    // symmetry-lint-disable-next-line probe-violation kernel-breaks-rotation', ...lines.slice(CONV_LINE)].join('\n');
    await open(uri, text);
    const result = await connection.sendRequest(ProbeRequest, { scope: 'model', uri, position: { line: CONV_LINE + 1, character: 4 } });
    const verdict = result.files[0].models[0].verdicts[0];
    assert.equal(verdict.passed, false);
    assert.equal(verdict.breakingLayerLine, CONV_LINE + 2);
    const codes = (await pullCodes(uri)).map((item) => item.code);
    assert.ok(!codes.includes('probe-violation') && !codes.includes('kernel-breaks-rotation'), codes.join(', '));
  });

  it('answers a 2e9-parameter model and a saved model with missing weights with clear messages', async () => {
    const uri = uriOf('probe-huge.ts');
    await open(uri, HUGE_MODEL);
    const started = performance.now();
    const huge = await connection.sendRequest(ProbeRequest, { scope: 'file', uri });
    assert.ok(performance.now() - started < 1000);
    assert.equal(huge.files[0].models[0].status, 'skipped');
    assert.match(huge.files[0].models[0].message ?? '', /parameters, more than the probe limit/);
    const folder = scratchFolder('lsp-saved-');
    fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] }));
    const saved = await connection.sendRequest(ProbeSavedModelRequest, { modelJsonUri: pathToFileURL(path.join(folder, 'model.json')).href, declarations: ['invariant rotation90'] });
    assert.equal(saved.files[0].models[0].status, 'error');
    assert.match(saved.files[0].models[0].message ?? '', /missing beside it: group1-shard1of1\.bin/);
    // No declarations and nothing in the workspace saved these (no) layers: a plain refusal.
    await assert.rejects(
      connection.sendRequest(ProbeSavedModelRequest, { modelJsonUri: pathToFileURL(path.join(folder, 'model.json')).href, declarations: [] }),
      /no declarations given, and no source model in the workspace is linked to this model\.json/,
    );
  });

  it('shows the trained weights of a saved model beside the static verdict of its source model', async () => {
    const tf = await import('@tensorflow/tfjs');
    const folder = scratchFolder('lsp-trained-');
    const trained = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same' }), tf.layers.globalAveragePooling2d({})] });
    await trained.save(
      tf.io.withSaveHandler(async (artifacts) => {
        fs.writeFileSync(path.join(folder, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
        fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    trained.dispose();
    const sourceUri = uriOf('probe-trained.ts');
    await open(sourceUri, `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant flip tol=0.05 learned */
export function buildFlipped() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same' }),
    tf.layers.globalAveragePooling2d({}),
  ] });
}
`);
    const modelJsonUri = pathToFileURL(path.join(folder, 'model.json')).href;
    const declarations = ['invariant flip tol=0.05 learned'];
    const result = await connection.sendRequest(ProbeSavedModelRequest, { modelJsonUri, declarations, sourceUri, modelName: 'buildFlipped' });
    const report = result.files[0].models[0];
    assert.equal(report.status, 'ok', report.message);
    assert.equal(report.trainedWeights?.length, 1);
    assert.match(report.trainedWeights[0], /^static: broken at conv2d line 5; trained weights: [\d.e+-]+ relative error under flip \(learned, (approximate|exact|above tol=0\.05)\)$/);
    assert.equal(report.trainedWeightsSource, 'source model buildFlipped (probe-trained.ts), named by the request');
    // Without a source model named, the one open model with the saved layers is linked, and the report says how.
    const linked = await connection.sendRequest(ProbeSavedModelRequest, { modelJsonUri, declarations });
    assert.match(linked.files[0].models[0].trainedWeightsSource ?? '', /^source model buildFlipped \(probe-trained\.ts\), linked by topology: its 2 layers \(conv2d, globalaveragepooling2d\)/);
    assert.deepEqual(linked.files[0].models[0].trainedWeights, report.trainedWeights);
    // A save call naming the model.json's folder is the stronger link, and comes first.
    await open(uriOf('probe-save.ts'), `import { buildFlipped } from './probe-trained';\nexport async function trainAndSave() {\n  const flipped = buildFlipped();\n  await flipped.save('file://${folder}');\n}\n`);
    const saved = await connection.sendRequest(ProbeSavedModelRequest, { modelJsonUri, declarations });
    assert.equal(saved.files[0].models[0].trainedWeightsSource, `source model buildFlipped (probe-trained.ts), linked by a save call: flipped.save('file://${folder}') at probe-save.ts line 4`);
    // No declarations given: the linked source model's own, as its JSDoc writes them.
    const undeclared = await connection.sendRequest(ProbeSavedModelRequest, { modelJsonUri, declarations: [] });
    assert.deepEqual(undeclared.files[0].models[0].verdicts.map((verdict) => [verdict.mode, verdict.group]), [['invariant', 'flip']]);
    assert.deepEqual(undeclared.files[0].models[0].trainedWeights, report.trainedWeights);
  });

  it('cancels a probe mid-run and keeps answering', async () => {
    const uri = uriOf('probe-slow.ts');
    await open(uri, SLOW_MODEL);
    const source = new CancellationTokenSource();
    const { token, began } = progressToken();
    const pending = connection.sendRequest(ProbeRequest, { scope: 'file', uri, workDoneToken: token }, source.token);
    await began;
    source.cancel();
    await assert.rejects(pending, /cancel/i);
    const hover = await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 20 } });
    assert.ok(hover === null || typeof hover === 'object');
    const again = await connection.sendRequest(ProbeRequest, { scope: 'file', uri: uriOf('probe-rotation.ts') });
    assert.equal(again.files[0].models[0].status, 'ok');
  });

  it('drops a result when the document changed during the probe', async () => {
    const uri = uriOf('probe-changing.ts');
    await open(uri, SLOW_MODEL);
    const { token, began } = progressToken();
    const pending = connection.sendRequest(ProbeRequest, { scope: 'file', uri, workDoneToken: token });
    await began;
    await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: SLOW_MODEL + '\n// edited\n' }] });
    const result = await pending;
    assert.equal(result.files[0].models[0].status, 'skipped');
    assert.match(result.files[0].models[0].message ?? '', /document changed while the probe ran/);
    const items = await pullCodes(uri);
    assert.ok(!items.some((item) => item.code === 'probe-violation'));
  });

  it('drops a result when the document was closed and reopened at the same version during the probe', async () => {
    const uri = uriOf('probe-reopened.ts');
    await open(uri, SLOW_MODEL);
    const { token, began } = progressToken();
    const pending = connection.sendRequest(ProbeRequest, { scope: 'file', uri, workDoneToken: token });
    await began;
    await connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    await open(uri, SLOW_MODEL);
    const result = await pending;
    assert.equal(result.files[0].models[0].status, 'skipped');
    const items = await pullCodes(uri);
    assert.ok(!items.some((item) => item.code === 'probe-violation'), 'a probe of the closed document leaked into the reopened one');
  });
});
