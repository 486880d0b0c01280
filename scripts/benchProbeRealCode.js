#!/usr/bin/env node
// Counts how often the literal probe (`check --probe`, which runs no user code) measures the
// models of the real-code corpus (issue 12): for every labelled file and each symmetry its
// labels declare, runs the built CLI with `--probe` and sorts every model that has layers into
// measured / skipped / failed, with the probe's message reduced to a cause (line numbers and
// sizes removed). The corpus itself (third-party code) lives outside the repo; see
// bench/realcode/README.md.
//
//   node scripts/benchProbeRealCode.js --corpus /work/corpus/files \
//     --labels bench/realcode/labels-a.json [--labels bench/realcode/labels-b.json]
//     [--timeout 180000] [--json] [--execute]
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseRealCodeArgs } = require('./realCodeBenchArgs');
const { execFile } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..');
const CLI = path.join(REPO_ROOT, 'server', 'bin', 'symmetry-lint.js');

function parseArgs(argv) {
  const options = parseRealCodeArgs(argv, { timeout: 180000, execute: false });
  return options;
}

/** The cause of a skip or failure: the message without lines, layer names and numbers. */
function causeOf(message) {
  return String(message ?? 'no message')
    .replace(/layer [\w.$]+ \(line \d+\)/g, 'layer L')
    .replace(/\(line \d+\)/g, '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N')
    .replace(/\[[N, ]*\]/g, '[…]')
    .slice(0, 160);
}

function runCli(files, symmetry, options) {
  return new Promise((resolve) => {
    const args = [CLI, 'check', ...files, options.execute ? '--probe-execute' : '--probe', '--symmetry', symmetry, '--format', 'json'];
    execFile(process.execPath, args, { cwd: REPO_ROOT, timeout: options.timeout, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        resolve({ report: JSON.parse(stdout) });
      } catch {
        resolve({ failure: (error && error.killed ? 'the CLI run timed out' : `the CLI failed: ${String(stderr).split('\n')[0]}`).slice(0, 200) });
      }
    });
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const rows = [];
  for (const labelsPath of options.labels) {
    const set = path.basename(labelsPath, '.json');
    const entries = JSON.parse(fs.readFileSync(labelsPath, 'utf8'));
    for (const entry of entries) {
      const file = path.join(options.corpus, entry.repo.replace('/', '+'), entry.path);
      const symmetries = [...new Set(entry.models.map((model) => model.symmetry))];
      for (const symmetry of symmetries) {
        const runStart = Date.now();
        const { report, failure } = await runCli([file], symmetry, options);
        const seconds = (Date.now() - runStart) / 1000;
        if (failure) {
          rows.push({ set, file: `${entry.repo}/${entry.path}`, model: '(whole file)', symmetry, outcome: 'failed', cause: failure, seconds });
          continue;
        }
        for (const fileReport of report.files) {
          for (const model of fileReport.models) {
            if (!model.layers || model.layers.length === 0 || !model.probe) continue;
            const status = model.probe.status;
            const outcome = status === 'ok' ? 'measured' : status === 'skipped' ? 'skipped' : 'failed';
            rows.push({
              set,
              file: `${entry.repo}/${entry.path}`,
              model: model.name,
              symmetry,
              outcome,
              cause: outcome === 'measured' ? '' : causeOf(model.probe.message),
              message: model.probe.message ?? '',
              assumptions: model.probe.assumptions ?? [],
              seconds,
            });
          }
        }
        process.stderr.write('.');
      }
    }
  }
  process.stderr.write('\n');
  if (options.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  for (const set of [...new Set(rows.map((row) => row.set))]) {
    const ofSet = rows.filter((row) => row.set === set);
    const count = (outcome) => ofSet.filter((row) => row.outcome === outcome).length;
    console.log(`${set}: ${ofSet.length} models with layers: ${count('measured')} measured, ${count('skipped')} skipped, ${count('failed')} failed`);
    const causes = new Map();
    for (const row of ofSet.filter((r) => r.outcome !== 'measured')) {
      const key = `${row.outcome}: ${row.cause}`;
      causes.set(key, [...(causes.get(key) ?? []), `${row.file} ${row.model}`]);
    }
    for (const [cause, models] of [...causes].sort((a, b) => b[1].length - a[1].length)) {
      console.log(`  ${String(models.length).padStart(3)}  ${cause}`);
      for (const model of models) console.log(`         ${model}`);
    }
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
