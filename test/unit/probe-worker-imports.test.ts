// The probe worker must start fast: it loads tfjs, the wasm backend and the measurement code,
// never TypeScript or ts-morph (about 400 ms of module loading) nor the static analysis that
// pulls them in. The other way round from no-tfjs-in-static-analysis.test.ts. Two proofs: the
// worker's import graph as esbuild bundles it, and the modules a real worker has loaded after
// it initialised and ran a probe.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { analyzeText, parseSource } from '../../server/src/engine';
import { buildProbePlan } from '../../server/src/probe/planBuilder';
import { ensureServerBuilt } from './probeTestSupport';

const ROOT = path.resolve(__dirname, '../..');
const TYPESCRIPT = /^(typescript|ts-morph)(\/|$)/;
/** Execute mode transpiles the user's code: it loads TypeScript on its first job, never at start. */
const LAZY_TYPESCRIPT_LOADERS = ['server/src/probe/executeModel.ts'];

interface BundleImport {
  from: string;
  path: string;
  kind: string;
}

async function workerImportGraph(): Promise<{ modules: string[]; imports: BundleImport[] }> {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['server/src/probe/probeWorker.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    write: false,
    metafile: true,
    outdir: 'unused',
    logLevel: 'silent',
  });
  const inputs = result.metafile.inputs;
  return {
    modules: Object.keys(inputs),
    imports: Object.entries(inputs).flatMap(([from, input]) => input.imports.map((item) => ({ from, path: item.path, kind: item.kind }))),
  };
}

/** Modules loaded by the worker script after it answered `init` and one literal probe. */
function modulesLoadedByWorker(plan: unknown): Promise<{ loaded: string[]; probed: string }> {
  const script = `
    const { parentPort, workerData } = require('node:worker_threads');
    const send = parentPort.postMessage.bind(parentPort);
    // Every reply carries the worker's module list as it is then.
    parentPort.postMessage = (reply) => send({ ...reply, loaded: Object.keys(require.cache) });
    require(workerData.script);
  `;
  const worker = new Worker(script, { eval: true, workerData: { script: path.join(ROOT, 'server/dist/probeWorker.js') }, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (reply: { type: string; loaded: string[]; message?: string }) => {
      if (reply.type === 'ready') {
        worker.postMessage({ type: 'probe', id: 1, plan });
        return;
      }
      void worker.terminate();
      resolve({ loaded: reply.loaded, probed: reply.type === 'result' ? 'result' : `${reply.type}: ${reply.message}` });
    });
    worker.postMessage({ type: 'init', backend: 'wasm' });
  });
}

describe('the probe worker does not load TypeScript', () => {
  it('imports neither typescript nor ts-morph nor the static analysis when it loads', async () => {
    const { modules, imports } = await workerImportGraph();
    const atLoad = imports.filter((item) => TYPESCRIPT.test(item.path) && !(item.kind === 'require-call' && LAZY_TYPESCRIPT_LOADERS.includes(item.from)));
    assert.deepEqual(atLoad, [], 'a module of the probe worker imports TypeScript');
    // graph.ts holds the plain data types and NotConstant the plan shares; it imports nothing.
    const analysis = modules.filter((module) => /^server\/src\/(analysis|rules|engine|engineCache|workspace|lsp|cli)\b/.test(module) && module !== 'server/src/analysis/graph.ts');
    assert.deepEqual(analysis, [], 'the probe worker bundles static analysis modules');
    assert.ok(modules.includes('server/src/probe/measurement.ts'), `expected the measurement code in the worker, got ${modules.join(', ')}`);
  });

  it('has loaded no TypeScript after initialising tfjs and running a probe', async function () {
    this.timeout(60000);
    ensureServerBuilt();
    const fileName = path.join(ROOT, 'worker-imports.ts');
    const text = `import * as tf from '@tensorflow/tfjs';
/** @symmetry invariant translation */
export function buildTiny() {
  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same' }), tf.layers.globalAveragePooling2d({})] });
}
`;
    const analysis = analyzeText(fileName, text);
    const { plan } = buildProbePlan(analysis.models[0], parseSource(fileName, text));
    const { loaded, probed } = await modulesLoadedByWorker(plan);
    assert.equal(probed, 'result');
    assert.ok(loaded.some((module) => module.includes(`${path.sep}@tensorflow${path.sep}tfjs-backend-wasm${path.sep}`)), 'expected the worker to have loaded the wasm backend');
    const typescript = loaded.filter((module) => /[\\/]node_modules[\\/](typescript|ts-morph|@ts-morph)[\\/]/.test(module));
    assert.deepEqual(typescript, []);
  });
});
