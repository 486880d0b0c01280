#!/usr/bin/env node
// In-process keystroke benchmark of the engine alone: analyzeFile with the document's unit
// cache after each edit of the 3,021-line bench file (no LSP, no JSON), this build's
// server/dist/engine.js against another checkout's (--build <root>), edits interleaved, medians
// of wall clock and CPU per edit. --edit digit|insert|line: a digit swapped (the server bench's
// edit), a character typed and deleted, or a line typed and deleted above the edited code.
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { generateModelFile } = require('./benchModelFile');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const ts = require('@ts-morph/common/dist/typescript.js');
const editKind = option('--edit', 'digit');
const edits = Number(option('--edits', '200'));
const builds = [root, ...(option('--build') ? [path.resolve(option('--build'))] : [])];

const text = generateModelFile(3000);
const fileName = '/tmp/symmetry-lint-bench-3000.ts';
const digitAt = text.indexOf('filters: 16', Math.floor(text.length / 2)) + 'filters: 1'.length;
const lineStart = text.lastIndexOf('\n', digitAt) + 1;
const NOTE = '    // note\n';
const parse = (source) => ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

/** The i-th edit of the series: each one undone by the next. */
function editOf(i) {
  if (editKind === 'digit') return { start: digitAt, end: digitAt + 1, text: i % 2 ? '6' : '7' };
  if (editKind === 'insert') return i % 2 === 0 ? { start: digitAt, end: digitAt, text: '1' } : { start: digitAt, end: digitAt + 1, text: '' };
  return i % 2 === 0 ? { start: lineStart, end: lineStart, text: NOTE } : { start: lineStart, end: lineStart + NOTE.length, text: '' };
}

const sides = builds.map((build) => {
  const engine = require(path.join(build, 'server', 'dist', 'engine.js'));
  const side = { build, engine, cache: new engine.AnalysisCache(), sourceFile: parse(text), wall: [], cpu: [] };
  side.provider = { getSourceFile: (name) => (path.resolve(name) === fileName ? side.sourceFile : undefined) };
  side.analysis = engine.analyzeFile(side.sourceFile, side.provider, { cache: side.cache });
  return side;
});
for (let i = 0; i < edits; i++) {
  // Builds take turns going first.
  for (const side of i % 2 ? [...sides].reverse() : sides) {
    const current = side.sourceFile.text;
    const edit = editOf(i);
    const next = current.slice(0, edit.start) + edit.text + current.slice(edit.end);
    side.sourceFile = ts.updateSourceFile(side.sourceFile, next, { span: { start: edit.start, length: edit.end - edit.start }, newLength: edit.text.length });
    const cpu = process.cpuUsage();
    const started = performance.now();
    side.analysis = side.engine.analyzeFile(side.sourceFile, side.provider, { cache: side.cache });
    side.wall.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    side.cpu.push((used.user + used.system) / 1000);
  }
}
// Warm edits only; the findings must be those of a fresh analysis of the same text.
const median = (xs) => [...xs.slice(10)].sort((a, b) => a - b)[Math.floor((xs.length - 10) / 2)];
const findingsOf = (analysis) => JSON.stringify(analysis.findings.map((f) => [f.ruleId, f.line, f.character, f.endLine, f.endCharacter, f.message, f.related.map((r) => r.message)]));
for (const side of sides) {
  const fresh = side.engine.analyzeFile(parse(side.sourceFile.text), side.provider);
  console.log(`${side.build}: ${editKind} edits, wall ${median(side.wall).toFixed(2)} ms, CPU ${median(side.cpu).toFixed(2)} ms per analyzeFile; ${side.analysis.findings.length} findings, same as a fresh analysis: ${findingsOf(fresh) === findingsOf(side.analysis)}`);
}
if (sides.length === 2) console.log(`ratio (this build / the other): wall ${(median(sides[0].wall) / median(sides[1].wall)).toFixed(2)}, CPU ${(median(sides[0].cpu) / median(sides[1].cpu)).toFixed(2)}`);
