// Tests of `--format sarif`: the log must pass Microsoft's SARIF validator (no errors) and
// carry the rule table, rule indexes, relative locations and related locations.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { RULE_IDS } from '../../server/src/rules/ruleIds';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'server/bin/symmetry-lint.js');
const MULTITOOL_BINARY = path.join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');

const MODEL = `import * as tf from '@tensorflow/tfjs';

/**
 * @symmetry invariant translation
 */
export function buildBroken() {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10 }),
  ] });
}
`;

/** npm skips the package's postinstall (`chmod u+x`), so make the validator executable here. */
function ensureMultitoolExecutable(): void {
  const mode = fs.statSync(MULTITOOL_BINARY).mode;
  if ((mode & 0o100) === 0) fs.chmodSync(MULTITOOL_BINARY, mode | 0o100);
}

describe('SARIF output', function () {
  this.timeout(120000);
  let folder: string;
  let log: Sarif.Log;
  let status: number | null;

  before(() => {
    if (!fs.existsSync(path.join(ROOT, 'server/dist/cli.js'))) {
      const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    ensureMultitoolExecutable();
    folder = scratchFolder('symlint-sarif-');
    fs.mkdirSync(path.join(folder, 'src dir'));
    fs.writeFileSync(path.join(folder, 'src dir', 'model.ts'), MODEL);
    const result = spawnSync(process.execPath, [BIN, 'check', '.', '--format', 'sarif'], { cwd: folder, encoding: 'utf8' });
    status = result.status;
    assert.ok(result.status === 0 || result.status === 1, result.stderr);
    fs.writeFileSync(path.join(folder, 'out.sarif'), result.stdout);
    log = JSON.parse(result.stdout) as Sarif.Log;
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it("passes Microsoft's SARIF Multitool validation without errors", () => {
    // The project's own copy (npx from the temp folder would look it up in the registry).
    const multitool = path.join(ROOT, 'node_modules/.bin/sarif-multitool');
    const validation = spawnSync(multitool, ['validate', 'out.sarif', '-o', 'report.sarif'], { cwd: folder, encoding: 'utf8' });
    assert.equal(validation.status, 0, validation.stdout + validation.stderr);
    const report = JSON.parse(fs.readFileSync(path.join(folder, 'report.sarif'), 'utf8')) as Sarif.Log;
    const errors = (report.runs[0].results ?? []).filter((result) => result.level === 'error');
    assert.deepEqual(
      errors.map((result) => `${result.ruleId}: ${JSON.stringify(result.message)}`),
      [],
    );
  });

  it('lists every rule with description, help link and default level', () => {
    const rules = log.runs[0].tool.driver.rules ?? [];
    for (const id of RULE_IDS) {
      const rule = rules.find((candidate) => candidate.id === id);
      assert.ok(rule, `rule ${id} is in tool.driver.rules`);
      assert.ok(rule.shortDescription?.text);
      // The page shipped with the CLI (server/dist/docs/rules): it exists and matches this version.
      assert.equal(rule.helpUri, pathToFileURL(path.join(ROOT, 'server/dist/docs/rules', `${id}.md`)).href);
      assert.ok(fs.existsSync(fileURLToPath(rule.helpUri!)), rule.helpUri);
      assert.ok(['error', 'warning', 'note'].includes(String(rule.defaultConfiguration?.level)));
    }
  });

  it('links to the published pages under --docs-base-url', () => {
    const result = spawnSync(process.execPath, [BIN, 'check', '.', '--format', 'sarif', '--docs-base-url', 'https://example.org/rules'], { cwd: folder, encoding: 'utf8' });
    const published = JSON.parse(result.stdout) as Sarif.Log;
    const rule = published.runs[0].tool.driver.rules?.find((candidate) => candidate.id === 'padding-boundary');
    assert.equal(rule?.helpUri, 'https://example.org/rules/padding-boundary.md');
  });

  it('reports the flatten finding with a relative location, its rule index and the exit code', () => {
    assert.equal(status, 1);
    const run = log.runs[0];
    const result = (run.results ?? []).find((candidate) => candidate.ruleId === 'flatten-breaks-invariance');
    assert.ok(result, JSON.stringify(run.results));
    assert.equal(run.tool.driver.rules?.[result.ruleIndex ?? -1]?.id, 'flatten-breaks-invariance');
    assert.equal(result.level, 'error');
    const location = result.locations?.[0]?.physicalLocation;
    assert.equal(location?.artifactLocation?.uri, 'src%20dir/model.ts');
    assert.equal(location?.artifactLocation?.uriBaseId, '%SRCROOT%');
    assert.equal(location?.region?.startLine, 9);
    // The flatten call starts at column 5, its factory name at 15: either is on the layer.
    assert.ok([5, 15].includes(location?.region?.startColumn ?? 0), JSON.stringify(location?.region));
    assert.equal(location?.region?.endLine, 9);
    assert.ok(run.originalUriBaseIds?.['%SRCROOT%']?.uri?.endsWith('/'));
    for (const any of run.results ?? []) {
      for (const related of any.relatedLocations ?? []) {
        assert.ok((related.physicalLocation?.region?.startLine ?? 0) >= 1);
      }
    }
  });
});
