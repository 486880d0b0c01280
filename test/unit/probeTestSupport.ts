// Shared by the tests that run the built server or probe worker from server/dist: build them when missing.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export function ensureServerBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'server/dist/server.js')) && fs.existsSync(path.join(ROOT, 'server/dist/probeWorker.js'))) return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
}
