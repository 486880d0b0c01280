#!/usr/bin/env node
// Measures the analysis on real public tfjs model code (issue 8): for every model labelled in
// bench/realcode/labels-*.json, runs the built CLI over the corpus file with the labelled
// symmetry and reports, per idiom, how many labelled layers the CLI found and whether it named
// the right first breaking layer. The corpus itself (third-party code) lives outside the repo;
// bench/realcode/README.md says how to rebuild it.
//
//   node scripts/benchRealCode.js --corpus /work/corpus/files \
//     --labels bench/realcode/labels-a.json [--labels bench/realcode/labels-b.json] [--json]
//     [--jobs 2] [--timeout 60000]
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseRealCodeArgs } = require('./realCodeBenchArgs');
const { execFile } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..');
const CLI = path.join(REPO_ROOT, 'server', 'bin', 'symmetry-lint.js');

// Findings that never name the first break: approximate or subgroup falls, gaps and probe output.
const NON_BREAKING_RULES = new Set([
  'padding-boundary',
  'strided-aliasing',
  'rotation-grid-mismatch',
  'analysis-gap',
  'probe-violation',
  'probe-disagrees',
  'augmentation-not-declared',
]);

// tfjs exports some factories under two names; labels keep the name the code uses.
const FACTORY_ALIASES = {
  maxpool1d: 'maxpooling1d',
  maxpool2d: 'maxpooling2d',
  maxpool3d: 'maxpooling3d',
  avgpool1d: 'averagepooling1d',
  avgpool2d: 'averagepooling2d',
  avgpool3d: 'averagepooling3d',
  avgpooling1d: 'averagepooling1d',
  avgpooling2d: 'averagepooling2d',
  avgpooling3d: 'averagepooling3d',
  globalmaxpool1d: 'globalmaxpooling1d',
  globalmaxpool2d: 'globalmaxpooling2d',
  globalavgpool1d: 'globalaveragepooling1d',
  globalavgpool2d: 'globalaveragepooling2d',
};

function canonicalKind(kind) {
  const lower = String(kind).toLowerCase();
  return FACTORY_ALIASES[lower] ?? lower;
}

function parseArgs(argv) {
  const options = parseRealCodeArgs(argv, { jobs: 2, timeout: 60000, batch: 12 });
  options.jobs = Math.max(1, options.jobs);
  options.batch = Math.max(1, options.batch);
  return options;
}

function setNameOf(labelsPath) {
  const match = /labels-([^/\\]+)\.json$/.exec(labelsPath);
  return match ? match[1] : path.basename(labelsPath, '.json');
}

function corpusPathOf(corpus, entry) {
  return path.join(corpus, entry.repo.replace('/', '+'), entry.path);
}

/** One CLI run over several files under one declaration; resolves to {byFile, error}. */
function runCli(files, symmetry, timeout) {
  return new Promise((resolve) => {
    const args = [CLI, 'check', ...files, '--symmetry', symmetry, '--format', 'json'];
    execFile(process.execPath, args, { cwd: REPO_ROOT, timeout, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? error.code : 0;
      if (error && (error.killed || typeof exitCode !== 'number')) {
        resolve({ byFile: null, error: `CLI did not finish (${error.killed ? `timeout ${timeout} ms` : error.message})` });
        return;
      }
      if (exitCode !== 0 && exitCode !== 1) {
        resolve({ byFile: null, error: `CLI exit ${exitCode}: ${String(stderr).trim().split('\n')[0] ?? ''}` });
        return;
      }
      let report;
      try {
        report = JSON.parse(stdout);
      } catch (parseError) {
        resolve({ byFile: null, error: `CLI output is not JSON (${parseError.message})` });
        return;
      }
      const byFile = new Map();
      for (const file of report.files ?? []) byFile.set(path.resolve(REPO_ROOT, file.path), file);
      resolve({ byFile, error: null });
    });
  });
}

async function runPool(tasks, jobs) {
  const results = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * CLI reports for every (file, symmetry) pair. Files sharing a symmetry go through one process
 * (startup dominates the cost); a batch that fails is retried file by file so one bad file
 * cannot hide the others.
 */
async function collectReports(pairs, options) {
  const bySymmetry = new Map();
  for (const pair of pairs) {
    if (!bySymmetry.has(pair.symmetry)) bySymmetry.set(pair.symmetry, []);
    bySymmetry.get(pair.symmetry).push(pair.file);
  }
  const batches = [];
  for (const [symmetry, files] of [...bySymmetry.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const unique = [...new Set(files)].sort();
    for (let i = 0; i < unique.length; i += options.batch) batches.push({ symmetry, files: unique.slice(i, i + options.batch) });
  }
  const reports = new Map();
  const key = (file, symmetry) => `${symmetry}\u0000${file}`;
  const batchResults = await runPool(batches.map((batch) => () => runCli(batch.files, batch.symmetry, options.timeout)), options.jobs);
  const retries = [];
  batches.forEach((batch, index) => {
    const result = batchResults[index];
    for (const file of batch.files) {
      if (result.byFile && result.byFile.has(file)) reports.set(key(file, batch.symmetry), { file: result.byFile.get(file), error: null });
      else if (batch.files.length > 1 || !result.byFile) retries.push({ file, symmetry: batch.symmetry, batchError: result.error });
      else reports.set(key(file, batch.symmetry), { file: null, error: 'CLI report has no entry for this file' });
    }
  });
  const retryResults = await runPool(retries.map((retry) => () => runCli([retry.file], retry.symmetry, options.timeout)), options.jobs);
  retries.forEach((retry, index) => {
    const result = retryResults[index];
    const file = result.byFile?.get(retry.file) ?? null;
    reports.set(key(retry.file, retry.symmetry), { file, error: file ? null : result.error ?? 'CLI report has no entry for this file' });
  });
  return (file, symmetry) => reports.get(key(file, symmetry));
}

function normaliseVariant(variant) {
  return String(variant ?? '').replace(/["'`\s]/g, '');
}

function layerKey(kind, line) {
  return `${canonicalKind(kind)}@${line}`;
}

/**
 * Lines that stand for a labelled call. Labels give the line where the call expression starts;
 * in a chain split over lines (`layers` then `.conv2d({...})` below it) the line of the member
 * name is the same call, so it counts too.
 */
function callLines(sourceLines, line) {
  const lines = [line];
  for (let next = line + 1; next <= line + 3 && next <= sourceLines.length; next++) {
    if (!sourceLines[next - 1].trim().startsWith('.')) break;
    lines.push(next);
  }
  return lines;
}

function layersFound(labelled, cliModel, sourceLines) {
  const cliKeys = new Set((cliModel?.layers ?? []).map((layer) => layerKey(layer.kind, layer.line)));
  return labelled.map((layer) => callLines(sourceLines, layer.line).some((line) => cliKeys.has(layerKey(layer.kind, line))));
}

/**
 * The CLI model a label describes: by name (and variant), else by the holder's line, else by the
 * most shared layers. Matches other than by name are reported, since users see the name.
 */
function matchModel(label, cliModels, sourceLines) {
  const score = (model) => layersFound(label.layers, model, sourceLines).filter(Boolean).length;
  const best = (candidates) => candidates.reduce((a, b) => (score(b) > score(a) ? b : a));
  // The CLI names methods `Class.method`; a label may name either the class or the method.
  const sameName = (model) => model.name === label.name || model.name.startsWith(`${label.name}.`) || model.name.endsWith(`.${label.name}`);
  const named = cliModels.filter((model) => model.name === label.name).length > 0
    ? cliModels.filter((model) => model.name === label.name)
    : cliModels.filter(sameName);
  if (named.length > 0) {
    if (label.variant) {
      const sameVariant = named.filter((model) => normaliseVariant(model.variant) === normaliseVariant(label.variant));
      if (sameVariant.length > 0) return { model: best(sameVariant), matchedBy: 'name+variant' };
      return { model: best(named), matchedBy: named.some((model) => model.variant) ? 'name, other variant string' : 'name (no variants)' };
    }
    return { model: best(named), matchedBy: 'name' };
  }
  const sameLine = cliModels.filter((model) => model.line === label.line);
  if (sameLine.length > 0) return { model: best(sameLine), matchedBy: 'line' };
  const sharing = cliModels.filter((model) => score(model) > 0);
  if (sharing.length > 0) return { model: best(sharing), matchedBy: 'layers' };
  return { model: null, matchedBy: null };
}

function declarationOf(symmetry) {
  const [mode, group] = symmetry.trim().split(/\s+/);
  return { mode, group };
}

/** The line the CLI blames for the first break of this declaration, or null when it reports none. */
function firstBreakLine(cliModel, symmetry) {
  const { group } = declarationOf(symmetry);
  const breaks = (cliModel.findings ?? []).filter(
    (finding) => finding.severity === 'error' && !NON_BREAKING_RULES.has(finding.ruleId) && (!finding.group || finding.group === group),
  );
  if (breaks.length === 0) return { line: null, ruleId: null };
  // Data-flow order decides which error is first; lines break ties and place findings off the graph.
  const order = new Map();
  (cliModel.layers ?? []).forEach((layer, index) => {
    if (!order.has(layer.line)) order.set(layer.line, index);
  });
  const rank = (finding) => [order.has(finding.line) ? order.get(finding.line) : Number.MAX_SAFE_INTEGER, finding.line];
  breaks.sort((a, b) => {
    const [ra, la] = rank(a);
    const [rb, lb] = rank(b);
    return ra - rb || la - lb;
  });
  return { line: breaks[0].line, ruleId: breaks[0].ruleId };
}

function measureModel(entry, label, set, report, relativeFile, sourceLines) {
  const result = {
    set,
    file: relativeFile,
    repo: entry.repo,
    name: label.name,
    line: label.line,
    variant: label.variant ?? null,
    idioms: label.idioms ?? [],
    symmetry: label.symmetry,
    layersLabelled: label.layers.length,
    layersFound: 0,
    breakRight: false,
    matchedBy: null,
    cliName: null,
    misses: [],
  };
  const miss = (cause, line, detail) => result.misses.push({ cause, file: relativeFile, line, model: label.name, variant: label.variant ?? null, symmetry: label.symmetry, detail });
  if (report.error || !report.file) {
    miss('CLI failed', label.line, report.error ?? 'no report');
    return result;
  }
  const { model, matchedBy } = matchModel(label, report.file.models ?? [], sourceLines);
  if (!model) {
    const names = (report.file.models ?? []).map((m) => `${m.name}:${m.line}`).join(', ') || 'none';
    miss('model not found', label.line, `CLI models: ${names}`);
    return result;
  }
  result.matchedBy = matchedBy;
  result.cliName = model.variant ? `${model.name} [${model.variant}]` : model.name;
  if (!matchedBy.startsWith('name')) miss('model named differently', label.line, `CLI calls it ${result.cliName} (line ${model.line}), matched by ${matchedBy}`);
  else if (matchedBy !== 'name' && matchedBy !== 'name+variant') miss('variant not matched', label.line, `label variant "${label.variant}", CLI gave ${result.cliName}`);

  const found = layersFound(label.layers, model, sourceLines);
  result.layersFound = found.filter(Boolean).length;
  label.layers.forEach((layer, index) => {
    if (!found[index]) {
      const atLine = (model.layers ?? []).filter((l) => l.line === layer.line).map((l) => l.kind);
      miss('layer missing', layer.line, `${layer.kind}${atLine.length ? ` (CLI has ${atLine.join(', ')} there)` : ''}`);
    }
  });

  const expected = label.firstBreak ? label.firstBreak.line : null;
  const actual = firstBreakLine(model, label.symmetry);
  result.cliBreak = actual.line === null ? null : { line: actual.line, ruleId: actual.ruleId };
  result.breakRight = expected === null ? actual.line === null : callLines(sourceLines, expected).includes(actual.line);
  if (!result.breakRight) {
    if (expected === null) miss('false break', actual.line, `${actual.ruleId} at line ${actual.line}, label says the symmetry holds`);
    else if (actual.line === null) miss('break missed', expected, `expected ${label.firstBreak.kind} at line ${expected}, CLI reports no breaking error`);
    else miss('wrong break line', expected, `expected ${label.firstBreak.kind} at line ${expected}, CLI blames line ${actual.line} (${actual.ruleId})`);
  }
  return result;
}

function summarise(results) {
  const sum = (list) => {
    const layersLabelled = list.reduce((n, r) => n + r.layersLabelled, 0);
    const layersFound = list.reduce((n, r) => n + r.layersFound, 0);
    const breaksRight = list.filter((r) => r.breakRight).length;
    const matchedByName = list.filter((r) => r.matchedBy && r.matchedBy.startsWith('name'));
    const strictLayersFound = matchedByName.reduce((n, r) => n + r.layersFound, 0);
    const strictBreaksRight = matchedByName.filter((r) => r.breakRight).length;
    const percent = (a, b) => (b === 0 ? null : Math.round((1000 * a) / b) / 10);
    return {
      models: list.length,
      layersLabelled,
      layersFound,
      layersFoundPercent: percent(layersFound, layersLabelled),
      breaksRight,
      breaksRightPercent: percent(breaksRight, list.length),
      strictLayersFoundPercent: percent(strictLayersFound, layersLabelled),
      strictBreaksRightPercent: percent(strictBreaksRight, list.length),
    };
  };
  const idioms = [...new Set(results.flatMap((r) => r.idioms))].sort();
  const sets = [...new Set(results.map((r) => r.set))].sort();
  return {
    totals: sum(results),
    perSet: Object.fromEntries(sets.map((set) => [set, sum(results.filter((r) => r.set === set))])),
    perIdiom: Object.fromEntries(idioms.map((idiom) => [idiom, sum(results.filter((r) => r.idioms.includes(idiom)))])),
  };
}

function formatTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  ')).join('\n');
}

function printText(summary, results) {
  const pct = (value) => (value === null ? '-' : `${value.toFixed(1)}%`);
  const row = (label, s) => [label, s.models, `${s.layersFound}/${s.layersLabelled}`, pct(s.layersFoundPercent), `${s.breaksRight}/${s.models}`, pct(s.breaksRightPercent)];
  const header = ['idiom', 'models', 'layers', 'found', 'breaks', 'right'];
  const lines = [];
  lines.push('Per idiom (a model counts under each of its idioms):');
  lines.push(formatTable([header, ...Object.entries(summary.perIdiom).map(([idiom, s]) => row(idiom, s))]));
  lines.push('');
  lines.push(formatTable([['set', ...header.slice(1)], ...Object.entries(summary.perSet).map(([set, s]) => row(set, s)), row('total', summary.totals)]));
  lines.push(`strict (models the CLI names as labelled): layers found ${pct(summary.totals.strictLayersFoundPercent)}, first breaks right ${pct(summary.totals.strictBreaksRightPercent)}`);
  const misses = results.flatMap((r) => r.misses);
  const causes = [...new Set(misses.map((m) => m.cause))].sort();
  lines.push('');
  lines.push(`Misses (${misses.length}):`);
  for (const cause of causes) {
    const list = misses.filter((m) => m.cause === cause);
    lines.push(`- ${cause} (${list.length})`);
    for (const m of list) {
      const where = m.line === null || m.line === undefined ? m.file : `${m.file}:${m.line}`;
      lines.push(`    ${where}  ${m.model}${m.variant ? ` [${m.variant}]` : ''} (${m.symmetry}): ${m.detail}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`benchRealCode: ${error.message}\n`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'server', 'dist', 'cli.js'))) {
    process.stderr.write('benchRealCode: server/dist/cli.js is missing; run `node scripts/build.js` first\n');
    process.exit(2);
  }
  const labelled = [];
  for (const labelsPath of options.labels) {
    const set = setNameOf(labelsPath);
    for (const entry of JSON.parse(fs.readFileSync(labelsPath, 'utf8'))) {
      const file = corpusPathOf(options.corpus, entry);
      for (const label of entry.models) labelled.push({ set, entry, label, file });
    }
  }
  const present = labelled.filter((item) => fs.existsSync(item.file));
  const reportFor = await collectReports(present.map((item) => ({ file: item.file, symmetry: item.label.symmetry })), options);
  const results = labelled.map((item) => {
    const relativeFile = path.relative(options.corpus, item.file);
    const exists = fs.existsSync(item.file);
    const report = exists ? reportFor(item.file, item.label.symmetry) : { file: null, error: 'corpus file missing' };
    const sourceLines = exists ? fs.readFileSync(item.file, 'utf8').split(/\r?\n/) : [];
    return measureModel(item.entry, item.label, item.set, report, relativeFile, sourceLines);
  });
  results.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || String(a.variant).localeCompare(String(b.variant)));
  const summary = summarise(results);
  if (options.json) process.stdout.write(`${JSON.stringify({ ...summary, models: results, misses: results.flatMap((r) => r.misses) }, null, 2)}\n`);
  else printText(summary, results);
}

main().catch((error) => {
  process.stderr.write(`benchRealCode: ${error.stack ?? error}\n`);
  process.exit(2);
});
