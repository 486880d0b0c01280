// Static analysis must never load tfjs (it costs ~110 ms and 30 MB, and the server stays small):
// analyse every sample in a fresh process and check which modules it required.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

describe('static analysis does not load tfjs', () => {
  it('analyses all samples without requiring @tensorflow/*', () => {
    const root = path.resolve(__dirname, '../..');
    const script = `
      const fs = require('fs'), path = require('path');
      const { analyzeText } = require(${JSON.stringify(path.join(root, 'server/dist/engine.js'))});
      const dir = ${JSON.stringify(path.join(root, 'samples'))};
      let models = 0;
      for (const f of fs.readdirSync(dir)) {
        if (!/\\.(ts|js|mjs)$/.test(f)) continue;
        models += analyzeText(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8')).models.length;
      }
      const loaded = Object.keys(require.cache).filter((m) => m.includes('@tensorflow'));
      process.stdout.write(JSON.stringify({ models, loaded }));
    `;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    assert.ok(result.models > 10, `expected the samples to yield models, got ${result.models}`);
    assert.deepEqual(result.loaded, []);
  });
});
