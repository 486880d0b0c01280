// `symmetry-lint check --probe` end to end through the built CLI: SPEC 8's probe.verdicts in
// JSON, probe findings in text and SARIF, and the exit code an error-severity probe finding sets.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureServerBuilt } from './probeTestSupport';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'server/bin/symmetry-lint.js');

function check(...args: string[]) {
  return spawnSync(process.execPath, [CLI, 'check', ...args], { cwd: path.join(ROOT, 'samples'), encoding: 'utf8', timeout: 60000 });
}

describe('check --probe (CLI)', function () {
  this.timeout(60000);
  before(() => ensureServerBuilt());

  it('adds probe.verdicts per model to the JSON report', () => {
    const result = check('mnist-cnn.ts', 'odd-mlp.ts', '--probe', '--format', 'json');
    assert.equal(result.status, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    const mnist = report.files.find((f: { path: string }) => f.path === 'mnist-cnn.ts').models[0];
    const verdict = mnist.probe.verdicts[0];
    assert.deepEqual(Object.keys(verdict).slice(0, 5), ['mode', 'group', 'maxRelError', 'worstElement', 'breakingLayerLine']);
    assert.equal(verdict.group, 'translation');
    assert.ok(verdict.maxRelError > 1e-4);
    // Judged on the interior the zero padding cannot reach, the first break is the stride's
    // aliasing (a 1-pixel shift has no match after it), not the first convolution.
    assert.equal(verdict.breakingLayerLine, mnist.layers.find((layer: { kind: string }) => layer.kind === 'maxPooling2d').line);
    assert.ok(mnist.findings.some((f: { ruleId: string; line: number }) => f.ruleId === 'probe-violation' && f.line === verdict.breakingLayerLine));
    const odd = report.files.find((f: { path: string }) => f.path === 'odd-mlp.ts').models[0];
    assert.ok(odd.probe.verdicts[0].maxRelError < 1e-5);
    assert.equal(odd.probe.verdicts[0].breakingLayerLine, null);
  });

  it('prints probe findings in text and SARIF, and exits 0 when the probe finds nothing', () => {
    const text = check('sign-broken.ts', '--probe');
    assert.equal(text.status, 1);
    assert.match(text.stdout, /probe-violation/);
    const sarif = JSON.parse(check('sign-broken.ts', '--probe', '--format', 'sarif').stdout);
    assert.ok(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'probe-violation'));
    const clean = check('odd-mlp.ts', '--probe');
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /^Probe: 1 model measured, the declared symmetry holds\.$/m);
    // A model the probe skips is counted as skipped, never as one that holds.
    const gappy = check('analysis-gaps.ts', '--probe');
    assert.match(gappy.stdout, /^Probe: no model measured\. 1 model skipped\.$/m);
    assert.equal(check('odd-mlp.ts', '--probe=yes').status, 2);
  });

  it('exits 2 on a missing input, with the probe worker already started, instead of hanging', () => {
    // The worker starts when --probe is parsed; a usage error found after that once left its
    // piped output holding the process open. spawnSync's timeout turns a hang into a failure.
    const result = spawnSync(process.execPath, [CLI, 'check', 'no-such-model.ts', '--probe'], { cwd: path.join(ROOT, 'samples'), encoding: 'utf8', timeout: 20000 });
    assert.equal(result.signal, null, 'the process had to be killed: it hung after the usage error');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no such file or folder: no-such-model\.ts/);
  });

  it('honours a disable comment above the layer the probe blames', () => {
    const folder = scratchFolder('symmetry-lint-probe-suppress-');
    try {
      const lines = fs.readFileSync(path.join(ROOT, 'samples', 'sign-broken.ts'), 'utf8').split('\n');
      const blamed = lines.findIndex((line) => line.includes('tf.layers.dense'));
      const indent = /^\s*/.exec(lines[blamed])![0];
      const probeFindings = (source: string) => {
        fs.writeFileSync(path.join(folder, 'model.ts'), source);
        const result = spawnSync(process.execPath, [CLI, 'check', 'model.ts', '--probe', '--format', 'json'], { cwd: folder, encoding: 'utf8', timeout: 60000 });
        const model = JSON.parse(result.stdout).files[0].models[0];
        return { verdict: model.probe.verdicts[0], rules: model.findings.map((f: { ruleId: string; line: number }) => `${f.ruleId}@${f.line}`) };
      };
      const plain = probeFindings(lines.join('\n'));
      assert.ok(plain.rules.includes(`probe-violation@${blamed + 1}`), plain.rules.join(', '));
      const disabled = [...lines.slice(0, blamed), `${indent}// symmetry-lint-disable-next-line probe-violation`, ...lines.slice(blamed)];
      const quiet = probeFindings(disabled.join('\n'));
      assert.deepEqual(quiet.rules.filter((rule: string) => rule.startsWith('probe-')), []);
      // The measurement itself is still reported: only the finding is suppressed.
      assert.equal(quiet.verdict.passed, false);
      assert.equal(quiet.verdict.breakingLayerLine, blamed + 2);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
