// Tests that `check --probe` keeps no file's report or probe reports once the file is formatted
// (issue 13: memory must not grow with the number of files, probes or not), by the method of
// cliRetention.test.ts: every report is registered with a FinalizationRegistry and must be
// collected after a forced GC while the output being built is still alive.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { checkFileWithProbes, ProbeCheckOutput, runCheckWithProbes } from '../../server/src/cli/probeCheck';
import type { OutputFormat } from '../../server/src/cli/check';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';

const ROOT = path.resolve(__dirname, '../..');
const TOOL = { name: 'symmetry-lint', version: '0.0.0', informationUri: 'https://example.invalid/rules/' };
const CATALOG = [{ id: 'invalid-declaration', description: 'invalid declaration', defaultSeverity: 'error' as const }];
// A measured model, a broken declaration, a model the probe skips or measures under assumed
// sizes, a file-level declaration problem: every kind of line the probe output prints. In the
// order a run discovers them.
const FILES = ['invalid-declarations.ts', 'mnist-cnn.ts', 'rotation-odd-size.ts', 'set-order-dependent.ts', 'sign-broken.ts'].map((name) =>
  path.join(ROOT, 'samples', name),
);

/** `gc()` without starting mocha with --expose-gc. */
function exposedGc(): () => void {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('check --probe keeps no file report once the file is formatted', function () {
  this.timeout(180000);
  let host: ProbeHost;

  before(() => {
    host = new ProbeHost();
  });
  after(async () => {
    await host.dispose();
  });

  for (const format of ['text', 'json', 'sarif'] as OutputFormat[]) {
    it(`lets every file's report and probe reports go as the ${format} output is built, and the output is the whole run's`, async () => {
      const gc = exposedGc();
      const collected = new Set<string>();
      const registry = new FinalizationRegistry<string>((label) => collected.add(label));
      const registered: string[] = [];
      const chunks: string[] = [];
      const settings = { inputs: FILES, symmetry: [], format, cwd: ROOT, tool: TOOL, catalog: CATALOG };
      // The output stays alive until the end, so a report it kept would not be collected.
      const output = new ProbeCheckOutput(settings, (chunk) => chunks.push(chunk));
      // In its own function, so that no local of this test holds the last file's reports.
      const checkAll = async (): Promise<void> => {
        const disk = new DiskSourceFiles(4);
        for (const fileName of FILES) {
          const { report, probes } = await checkFileWithProbes(fileName, disk, host, settings);
          const name = path.basename(fileName);
          registry.register(report, `${name} report`);
          registered.push(`${name} report`);
          probes.forEach((probe, index) => {
            registry.register(probe, `${name} probe ${index}`);
            registered.push(`${name} probe ${index}`);
          });
          output.add(report, probes);
        }
      };
      await checkAll();
      assert.ok(registered.some((label) => label.includes(' probe ')), 'the files have probed models');
      // Finalizers run after a collection, on a later turn of the event loop.
      for (let round = 0; round < 20 && collected.size < registered.length; round++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const kept = registered.filter((label) => !collected.has(label));
      assert.deepEqual(kept, [], `still reachable from the output being built: ${kept.join(', ')}`);
      output.finish();
      const whole = await runCheckWithProbes(settings);
      assert.equal(chunks.join(''), whole.output);
      if (format === 'text') assert.match(whole.output, /\nProbe: \d+ models? measured/);
      if (format === 'json') assert.match(whole.output, /"probe": \{/);
    });
  }
});
