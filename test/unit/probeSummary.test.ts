// The probe's one-line summary (notification and CLI): measured, skipped and failed models are
// counted apart, and "holds" is said only of declarations that were measured within tol.
import { strict as assert } from 'node:assert';
import { countProbeOutcomes, summarizeProbe } from '../../server/src/probe/probeSummary';
import type { ModelProbeReport, ProbeVerdict } from '../../server/src/protocol';

function verdict(passed: boolean, measured = true): ProbeVerdict {
  return { mode: 'invariant', group: 'translation', tol: 1e-4, maxRelError: passed ? 0 : 1, maxAbsError: 0, worstElement: '', breakingLayerLine: null, passed, staticVerdict: 'holds', agrees: true, measured };
}

function model(name: string, status: ModelProbeReport['status'], verdicts: ProbeVerdict[] = [], message?: string): ModelProbeReport {
  return { name, line: 1, status, ...(message ? { message } : {}), verdicts, layers: [], durationMs: 1 };
}

describe('probe summary', () => {
  it('never says "holds" when the only model was skipped or failed', () => {
    const skipped = summarizeProbe([model('buildA', 'skipped', [], 'cannot build layer X')]);
    assert.equal(skipped, 'no model measured. 1 model skipped.');
    const failed = summarizeProbe([model('buildA', 'error', [], "cannot find module './train'")]);
    assert.equal(failed, "no model measured. 1 model failed. The probe of buildA failed: cannot find module './train'.");
    for (const text of [skipped, failed]) assert.doesNotMatch(text, /hold/);
  });

  it('says what holds, what is broken and what could not be measured among measured models', () => {
    assert.equal(summarizeProbe([model('a', 'ok', [verdict(true)])]), '1 model measured, the declared symmetry holds.');
    assert.equal(summarizeProbe([model('a', 'ok', [verdict(true), verdict(true)]), model('b', 'ok', [verdict(true)])]), '2 models measured, every declared symmetry holds.');
    assert.equal(summarizeProbe([model('a', 'ok', [verdict(false), verdict(true)])]), '1 model measured, 1 declared symmetry broken, 1 holds.');
    assert.equal(summarizeProbe([model('a', 'ok', [verdict(true), verdict(false, false)])]), '1 model measured, 1 holds, 1 not measurable at the output.');
    assert.equal(
      summarizeProbe([model('a', 'ok', [verdict(true)]), model('b', 'skipped'), model('c', 'error', [], 'timed out')]),
      '1 model measured, the declared symmetry holds. 1 model skipped and 1 failed. The probe of c failed: timed out.',
    );
    assert.equal(summarizeProbe([]), 'no declared model found.');
  });

  it('counts each outcome apart', () => {
    const counts = countProbeOutcomes([model('a', 'ok', [verdict(true), verdict(false), verdict(false, false)]), model('b', 'skipped'), model('c', 'error'), model('d', 'error')]);
    assert.deepEqual(counts, { measured: 1, skipped: 1, failed: 2, holding: 1, broken: 1, unmeasured: 1 });
  });

  it('writes plain sentences: no parentheses of its own around a failure that has some', () => {
    const text = summarizeProbe([model('buildA', 'error', [], 'cannot build layer conv2d (line 41).'), model('buildB', 'skipped', [], 'no input (line 3)')]);
    assert.equal(text, 'no model measured. 1 model skipped and 1 failed. The probe of buildA failed: cannot build layer conv2d (line 41).');
    assert.doesNotMatch(text, /\([^)]*\(/, 'no nested parentheses');
    assert.doesNotMatch(text, /;/);
  });
});
