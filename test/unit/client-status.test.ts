// The client's status state machine (client/src/statusModel.ts): transitions between
// starting, ready, analysing, probing, error and disabled, the timings, and the severity.
import { strict as assert } from 'node:assert';
import { describeStatus, SLOW_ANALYSIS_MS, StatusModel } from '../../client/src/statusModel';

describe('client status model', () => {
  it('walks starting -> ready -> analysing -> ready and records the analysis time', () => {
    const model = new StatusModel();
    assert.equal(model.apply({ kind: 'serverStarting' }).state, 'starting');
    assert.equal(model.apply({ kind: 'serverReady' }).state, 'ready');
    assert.equal(model.apply({ kind: 'analysisStarted' }).state, 'analysing');
    model.apply({ kind: 'analysisReported', state: 'ok', lastAnalysisMs: 42 });
    const done = model.apply({ kind: 'analysisFinished' });
    assert.equal(done.state, 'ready');
    assert.equal(done.lastAnalysisMs, 42);
    assert.equal(done.severity, 'information');
    assert.match(describeStatus(done).detail, /last analysis 42 ms/);
  });

  it('shows probing over analysing, and the probe time afterwards', () => {
    const model = new StatusModel(() => 10000);
    model.apply({ kind: 'serverReady' });
    model.apply({ kind: 'analysisStarted' });
    assert.equal(model.apply({ kind: 'probeStarted' }).state, 'probing');
    assert.equal(model.apply({ kind: 'probeFinished', durationMs: 1500 }).state, 'analysing');
    const after = model.apply({ kind: 'analysisFinished' });
    assert.equal(after.state, 'ready');
    assert.match(describeStatus(after).detail, /last probe 1\.5 s/);
  });

  it('raises the severity when an analysis or a probe is slow', () => {
    const model = new StatusModel(() => 1000);
    model.apply({ kind: 'serverReady' });
    assert.equal(model.apply({ kind: 'analysisReported', state: 'ok', lastAnalysisMs: SLOW_ANALYSIS_MS + 1 }).severity, 'warning');
    assert.equal(model.apply({ kind: 'analysisReported', state: 'ok', lastAnalysisMs: 5 }).severity, 'information');
    model.apply({ kind: 'probeStarted' });
    assert.equal(model.apply({ kind: 'probeFinished', durationMs: 900 }).severity, 'warning');
  });

  it('goes to error on a crash or a failed analysis, and back on recovery', () => {
    const model = new StatusModel();
    model.apply({ kind: 'serverReady' });
    const failed = model.apply({ kind: 'analysisReported', state: 'failed', lastAnalysisMs: 3, message: 'boom' });
    assert.equal(failed.state, 'error');
    assert.equal(failed.severity, 'error');
    assert.equal(failed.message, 'boom');
    assert.equal(model.apply({ kind: 'analysisReported', state: 'ok', lastAnalysisMs: 3 }).state, 'ready');
    assert.equal(model.apply({ kind: 'serverFailed', message: 'crashed 5 times' }).state, 'error');
    model.apply({ kind: 'serverStarting' });
    assert.equal(model.apply({ kind: 'serverReady' }).state, 'ready');
  });

  it('is disabled while symmetryLint.enable is false, whatever else happens', () => {
    const model = new StatusModel();
    model.apply({ kind: 'serverReady' });
    assert.equal(model.apply({ kind: 'enablementChanged', enabled: false }).state, 'disabled');
    assert.equal(model.apply({ kind: 'analysisStarted' }).state, 'disabled');
    assert.equal(model.apply({ kind: 'enablementChanged', enabled: true }).state, 'analysing');
  });

  it('shows the progress of a whole-workspace pass until it completes', () => {
    const model = new StatusModel();
    model.apply({ kind: 'serverReady' });
    const during = model.apply({ kind: 'workspaceProgress', done: 120, total: 400 });
    assert.deepEqual(during.workspace, { done: 120, total: 400 });
    assert.match(describeStatus(during).detail, /^linting workspace 120\/400/);
    const done = model.apply({ kind: 'workspaceProgress', done: 400, total: 400 });
    assert.equal(done.workspace, undefined);
    assert.doesNotMatch(describeStatus(done).detail, /linting workspace/);
  });
});
