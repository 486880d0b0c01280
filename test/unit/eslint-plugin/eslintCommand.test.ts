// The `eslint` command with the plugin's recommended config, against the `symmetry-lint`
// command on the same files: the same findings (file, line, column, rule id, severity, message) on samples/, and
// the same files after `--fix`. Both run as users run them, from the built packages.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchFolder } from '../scratchFolders';

const ROOT = path.resolve(__dirname, '../../..');
const SYMMETRY_LINT = path.join(ROOT, 'server/bin/symmetry-lint.js');
const ESLINT = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const PLUGIN = path.join(ROOT, 'eslint-plugin/dist/index.js');

function ensureBuilt(): void {
  if (fs.existsSync(PLUGIN) && fs.existsSync(path.join(ROOT, 'server/dist/cli.js'))) return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
}

/** A flat config file outside the linted folder: the README's three lines, with the built plugin. */
function writeRecommendedConfig(): string {
  const dir = scratchFolder('symmetry-lint-eslint-config-');
  const file = path.join(dir, 'eslint.config.mjs');
  fs.writeFileSync(file, `import symmetryLint from ${JSON.stringify(PLUGIN)};\nexport default [symmetryLint.configs.recommended];\n`);
  return file;
}

function run(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface EslintResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; column: number; severity: number; message: string; fatal?: boolean }[];
}

/** The CLI's SARIF: one result per finding of each file's list, as its text output prints them. */
interface CliSarif {
  runs: {
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
    }[];
  }[];
}

/** ESLint has no info level: the recommended config warns for warning and info (`note`) rules. */
const ESLINT_SEVERITY: Record<string, number> = { error: 2, warning: 1, note: 1 };

function copyOf(folder: string): string {
  const copy = scratchFolder('symmetry-lint-eslint-fix-');
  fs.cpSync(folder, copy, { recursive: true });
  return copy;
}

function readTree(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of fs.readdirSync(folder, { recursive: true }) as string[]) {
    const full = path.join(folder, name);
    if (fs.statSync(full).isFile()) files.set(name, fs.readFileSync(full, 'utf8'));
  }
  return files;
}

describe('eslint-plugin-symmetry-lint: the eslint command', function () {
  this.timeout(180000);
  let config: string;

  before(() => {
    ensureBuilt();
    config = writeRecommendedConfig();
  });

  it('finds on samples/ what `symmetry-lint check samples` finds', () => {
    const cli = run([SYMMETRY_LINT, 'check', 'samples', '--format', 'sarif'], ROOT);
    assert.equal(cli.status, 1, cli.stderr);
    const cliResults = (JSON.parse(cli.stdout) as CliSarif).runs[0].results;
    const expected = cliResults
      .map((result) => {
        const { artifactLocation, region } = result.locations[0].physicalLocation;
        return `${artifactLocation.uri}:${region.startLine}:${region.startColumn} symmetry-lint/${result.ruleId} ${ESLINT_SEVERITY[result.level]} ${result.message.text}`;
      })
      .sort();

    const eslint = run([ESLINT, '--no-config-lookup', '--config', config, '--format', 'json', 'samples'], ROOT);
    assert.equal(eslint.status, 1, eslint.stderr);
    const results = JSON.parse(eslint.stdout) as EslintResult[];
    const fatal = results.flatMap((result) => result.messages.filter((m) => m.fatal || m.ruleId === null).map((m) => `${result.filePath}: ${m.message}`));
    assert.deepEqual(fatal, [], 'every sample parses under the recommended config');
    const actual = results
      .flatMap((result) =>
        result.messages.map((m) => `${path.relative(ROOT, result.filePath).split(path.sep).join('/')}:${m.line}:${m.column} ${m.ruleId} ${m.severity} ${m.message}`),
      )
      .sort();

    assert.ok(expected.length >= 20, `the samples have findings (${expected.length})`);
    assert.deepEqual(actual, expected);
    // The samples' extensions: ESLint lints the .js and .mjs ones too.
    const linted = new Set(results.map((result) => path.extname(result.filePath)));
    assert.deepEqual([...linted].sort(), ['.js', '.mjs', '.ts']);
  });

  it('--fix leaves the same files as `symmetry-lint check --fix`', () => {
    const withEslint = copyOf(path.join(ROOT, 'samples'));
    const withCli = copyOf(path.join(ROOT, 'samples'));
    const before = readTree(withEslint);

    run([ESLINT, '--no-config-lookup', '--config', config, '--fix', '.'], withEslint);
    run([SYMMETRY_LINT, 'check', '--fix', '.'], withCli);

    const afterEslint = readTree(withEslint);
    const afterCli = readTree(withCli);
    const changed = [...afterEslint].filter(([name, text]) => before.get(name) !== text).map(([name]) => name);
    assert.ok(changed.length >= 5, `eslint --fix changed files: ${changed.join(', ')}`);
    assert.deepEqual([...afterEslint.keys()].sort(), [...afterCli.keys()].sort());
    for (const [name, text] of afterEslint) assert.equal(text, afterCli.get(name), `${name} after --fix`);
    fs.rmSync(withEslint, { recursive: true, force: true });
    fs.rmSync(withCli, { recursive: true, force: true });
  });
});
