// Over LSP: an augmentation in a helper of another file is a finding of the helper's file
// (SPEC 7), as an open document and in the whole-workspace pass, with related information at the
// trained model and the training call; the training script keeps only its own augmentations.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  InitializedNotification,
  InitializeRequest,
  WorkspaceDiagnosticRequest,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { SERVER, spawnServer, type ServerProcess } from './serverProcess';
import { ensureServerBuilt } from '../unit/probeTestSupport';
import { scratchFolder } from '../unit/scratchFolders';

const ROOT = path.resolve(__dirname, '../..');

describe('augmentation findings in the helper file (stdio)', function () {
  this.timeout(120000);
  let folder: string;
  let server: ServerProcess;
  let indexed: Promise<void>;

  before(async () => {
    ensureServerBuilt();
    folder = scratchFolder('symmetry-lint-augment-');
    fs.cpSync(path.join(ROOT, 'test/fixtures/augmentation'), folder, { recursive: true });
    let refreshed: () => void = () => undefined;
    // The server asks for a refresh once its training-script index is built.
    indexed = new Promise((resolve) => (refreshed = resolve));
    server = spawnServer({ settings: () => ({ lintWorkspace: true }), onRefresh: () => refreshed() });
    await server.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'training' }],
      capabilities: {
        workspace: { configuration: true, diagnostics: { refreshSupport: true }, didChangeWatchedFiles: { dynamicRegistration: false } },
        textDocument: { diagnostic: { dynamicRegistration: false } },
      },
    });
    await server.connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    if (server.child.exitCode === null) server.child.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const uriOf = (relative: string) => pathToFileURL(path.join(folder, relative)).href;
  const augmentationPlaces = (items: Diagnostic[]) =>
    items.filter((item) => item.code === 'augmentation-not-declared').map((item) => `${item.range.start.line + 1}:${item.range.start.character + 1} ${(typeof item.message === 'string' ? item.message : item.message.value).split(',')[0]}`);

  it('the workspace pass reports the helper\'s flip and crop in the helper, and the training script\'s own flip there', async () => {
    const result = await server.connection.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds: [] });
    const byUri = new Map(result.items.map((report) => [report.uri, report.kind === 'full' ? report.items : []]));
    assert.deepEqual(augmentationPlaces(byUri.get(uriOf('helper/augment.ts')) ?? []), ['6:42 Training flips the inputs horizontally', '9:18 Training shifts or crops the inputs']);
    assert.deepEqual(augmentationPlaces(byUri.get(uriOf('helper/train-with-helper.ts')) ?? []), ['10:64 Training flips the inputs vertically']);
  });

  it('an open helper gets its findings, with related information at the model and the training call', async () => {
    await indexed;
    const uri = uriOf('helper/augment.ts');
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: fs.readFileSync(path.join(folder, 'helper/augment.ts'), 'utf8') } });
    const report = await server.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    assert.equal(report.kind, 'full');
    const items = report.kind === 'full' ? report.items : [];
    assert.deepEqual(augmentationPlaces(items), ['6:42 Training flips the inputs horizontally', '9:18 Training shifts or crops the inputs']);
    const related = items[0].relatedInformation?.map((item) => `${path.basename(new URL(item.location.uri).pathname)}:${item.location.range.start.line + 1} ${item.message}`);
    assert.deepEqual(related, ['classifier.ts:5 the trained model, buildClassifier', 'train-with-helper.ts:13 trained here, on buildClassifier', 'classifier.ts:7 conv2d breaks flip invariant']);
  });

  it('an open training script keeps only the augmentation it makes itself', async () => {
    const uri = uriOf('helper/train-with-helper.ts');
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: fs.readFileSync(path.join(folder, 'helper/train-with-helper.ts'), 'utf8') } });
    const report = await server.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    assert.deepEqual(augmentationPlaces(report.kind === 'full' ? report.items : []), ['10:64 Training flips the inputs vertically']);
  });

  it('the helper follows the unsaved text of the open training script: without the map, no finding', async () => {
    const training = uriOf('helper/train-with-helper.ts');
    const text = fs.readFileSync(path.join(folder, 'helper/train-with-helper.ts'), 'utf8').replace('.map(augment)', '');
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: training, version: 2 }, contentChanges: [{ text }] });
    const report = await server.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri: uriOf('helper/augment.ts') } });
    assert.deepEqual(augmentationPlaces(report.kind === 'full' ? report.items : []), []);
  });

  it('learns of a helper and a training script created on disk from didChangeWatchedFiles', async () => {
    fs.writeFileSync(path.join(folder, 'helper/noise.ts'), `import * as tf from '@tensorflow/tfjs';\nexport function randomSign(batch: tf.Tensor4D) {\n  const sign = Math.random() < 0.5 ? -1 : 1;\n  return batch.mul(tf.scalar(sign));\n}\n`);
    fs.writeFileSync(path.join(folder, 'helper/train-noise.ts'), `import { buildClassifier } from '../classifier';\nimport { randomSign } from './noise';\nexport async function trainNoisy(xs, ys) {\n  const model = buildClassifier();\n  await model.fit(randomSign(xs), ys);\n}\n`);
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: ['helper/noise.ts', 'helper/train-noise.ts'].map((name) => ({ uri: uriOf(name), type: FileChangeType.Created as FileChangeType })),
    });
    const uri = uriOf('helper/noise.ts');
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text: fs.readFileSync(path.join(folder, 'helper/noise.ts'), 'utf8') } });
    const report = await server.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    assert.deepEqual(augmentationPlaces(report.kind === 'full' ? report.items : []), ['4:10 Training negates the inputs at random']);
  });
});
