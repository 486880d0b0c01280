// Tests of the young generation's cap (youngGeneration.ts), each in a process of its own since V8's
// flags are the whole process': once stopped, the young generation keeps its size under an
// allocation that grows it to V8's maximum otherwise.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Young-generation sizes in a fresh process before and after a churn of surviving objects. */
function youngSizes(stopAtBytes: number, setUp = ''): { before: number; after: number; stopped: boolean } {
  const program = `
    const v8 = require('node:v8');
    const { keepYoungGenerationAtInitialSize, resumeYoungGenerationGrowth, stopYoungGenerationGrowthOnceAt } = require(${JSON.stringify(path.join(ROOT, 'server/src/youngGeneration.ts'))});
    ${setUp}
    const size = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    let kept = [];
    const churn = (count) => {
      for (let i = 0; i < count; i++) {
        kept.push({ index: i, pair: [i, i + 1] });
        if (kept.length > 200000) kept = kept.slice(100000);
      }
    };
    churn(20000);
    const before = size();
    const stopped = stopYoungGenerationGrowthOnceAt(${stopAtBytes});
    churn(3000000);
    process.stdout.write(JSON.stringify({ before, after: size(), stopped }));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

describe('young generation cap', function () {
  this.timeout(60000);

  it('keeps the young generation at its size once it holds the cap', () => {
    const { before, after, stopped } = youngSizes(1);
    assert.equal(stopped, true);
    assert.equal(after, before);
  });

  // `check` on one thread: held at its initial size while TypeScript loads, then let grow to its cap.
  it('grows again after resumeYoungGenerationGrowth, until the cap stops it', () => {
    const { before, after, stopped } = youngSizes(1024 * 1024 * 1024, 'keepYoungGenerationAtInitialSize(); resumeYoungGenerationGrowth();');
    assert.equal(stopped, false);
    assert.ok(after > before, `grew from ${before} to ${after} bytes`);
    const held = youngSizes(1024 * 1024 * 1024, 'keepYoungGenerationAtInitialSize();');
    assert.equal(held.stopped, true);
    assert.equal(held.after, held.before);
  });

  // Also the control: the churn does grow the young generation when nothing stops it.
  it('lets it grow while it holds less than the cap', () => {
    const { before, after, stopped } = youngSizes(1024 * 1024 * 1024);
    assert.equal(stopped, false);
    assert.ok(after > before, `grew from ${before} to ${after} bytes`);
  });
});
