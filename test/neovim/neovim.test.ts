// The language server from a second LSP client: headless Neovim 0.7 (Debian 12) starts
// `symmetry-lint lsp --stdio` on a sample and reads the diagnostics back with
// vim.diagnostic.get(). Neovim 0.7 has no pull diagnostics, so this also covers push mode.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scratchFolder } from '../unit/scratchFolders';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'server', 'bin', 'symmetry-lint.js');
const SAMPLE = path.join(ROOT, 'samples', 'mnist-cnn.ts');

interface NeovimDiagnostic {
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  severity: number;
  message: string;
  source: string;
  code: string | null;
}

/** The `// expect: <rule-id>` markers of a sample: rule id and 0-based line. */
function expectedFindings(text: string): { ruleId: string; line: number }[] {
  return text.split('\n').flatMap((line, index) => {
    const match = /\/\/\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/.exec(line);
    return match ? match[1]!.split(',').map((ruleId) => ({ ruleId: ruleId.trim(), line: index })) : [];
  });
}

function runNeovim(sample: string): Promise<{ arrived: boolean; diagnostics: NeovimDiagnostic[]; error?: string }> {
  const out = path.join(scratchFolder('symmetry-lint-nvim-'), 'diagnostics.json');
  return new Promise((resolve, reject) => {
    const nvim = spawn('nvim', ['--headless', '--clean', '-S', path.join(__dirname, 'readDiagnostics.lua')], {
      env: { ...process.env, SYMMETRY_LINT_SAMPLE: sample, SYMMETRY_LINT_SERVER: SERVER, SYMMETRY_LINT_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    nvim.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    nvim.on('error', reject);
    nvim.on('exit', (code) => {
      if (!fs.existsSync(out)) {
        reject(new Error(`nvim exited ${code} without writing ${out}: ${stderr}`));
        return;
      }
      resolve(JSON.parse(fs.readFileSync(out, 'utf8')));
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    });
  });
}

describe('Neovim as an LSP client', function () {
  this.timeout(60000);

  before(function () {
    const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      // CI installs it (.ci/run); a developer machine without Neovim skips, loudly.
      console.warn('    nvim is not installed: skipping (apt-get install -y neovim)');
      this.skip();
    }
    assert.ok(fs.existsSync(path.join(ROOT, 'server', 'dist', 'cli.js')), 'the server is built (node scripts/build.js)');
  });

  it('gets the sample\'s findings through vim.diagnostic.get()', async () => {
    const result = await runNeovim(SAMPLE);
    assert.equal(result.error, undefined);
    assert.ok(result.arrived, 'the server published before the deadline');
    const expected = expectedFindings(fs.readFileSync(SAMPLE, 'utf8'));
    const seen = result.diagnostics.map((d) => `${d.code}@${d.lnum}`).sort();
    assert.deepEqual(seen, expected.map((e) => `${e.ruleId}@${e.line}`).sort());
    for (const diagnostic of result.diagnostics) {
      assert.equal(diagnostic.source, 'symmetry-lint');
      assert.ok(diagnostic.message.length > 20);
      assert.ok(diagnostic.end_col > diagnostic.col, 'a non-empty range');
    }
  });

  it('publishes nothing for a file without declared models', async () => {
    const dir = scratchFolder('symmetry-lint-nvim-plain-');
    const plain = path.join(dir, 'plain.ts');
    fs.writeFileSync(plain, "import * as tf from '@tensorflow/tfjs';\nexport const model = tf.sequential();\n");
    try {
      const result = await runNeovim(plain);
      assert.ok(result.arrived, 'the server published for the file');
      assert.deepEqual(result.diagnostics, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
