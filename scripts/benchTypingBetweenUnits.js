#!/usr/bin/env node
// Typing outside the models: the engine's CPU time per key while `const zz = 1;` is typed on a
// new line between two builders of the 3,000-line bench file, and after its first import, with
// the document's analysis cache, as the server runs it. `--build <root>` runs another
// checkout's built engine on the same keys, alternating, for a before/after in one process.
'use strict';
const path = require('node:path');
const { ts } = require('ts-morph');
const { generateModelFile } = require('./benchModelFile');

const args = process.argv.slice(2);
const otherRoot = args.includes('--build') ? path.resolve(args[args.indexOf('--build') + 1]) : undefined;
const engines = [['this build', require('../server/dist/engine.js')]];
if (otherRoot) engines.push([otherRoot, require(path.join(otherRoot, 'server', 'dist', 'engine.js'))]);

const original = generateModelFile(3000);
const typed = '\nconst zz = 1;';
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** A document in one engine, with its cache, that types `typed` at `at`, again and again. */
function typist(engine, at) {
  let text, sourceFile, cache, typedSoFar;
  const files = { getSourceFile: (fileName) => (fileName === '/bench/models.ts' ? sourceFile : undefined) };
  const reset = () => {
    text = original;
    sourceFile = ts.createSourceFile('/bench/models.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    cache = new engine.AnalysisCache();
    engine.analyzeFile(sourceFile, files, { cache });
    typedSoFar = 0;
  };
  reset();
  return () => {
    if (typedSoFar === typed.length) reset();
    const offset = at + typedSoFar;
    text = text.slice(0, offset) + typed[typedSoFar] + text.slice(offset);
    sourceFile = ts.updateSourceFile(sourceFile, text, { span: { start: offset, length: 0 }, newLength: 1 });
    typedSoFar++;
    const before = process.cpuUsage();
    engine.analyzeFile(sourceFile, files, { cache });
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  };
}

const places = [
  ['a new line between two builders', original.indexOf('\n\nfunction ', original.length >> 1) + 1],
  ['a new line after the first import', original.indexOf('\n')],
];
console.log(`Command: \`node scripts/benchTypingBetweenUnits.js${args.length ? ' ' + args.join(' ') : ''}\` (node ${process.version}, ${new Date().toISOString().replace(/\..*/, 'Z')}); ${original.split('\n').length}-line file; CPU ms per key of analyzeFile with the cache, median of ${4 * typed.length} keys`);
console.log('');
console.log(`| where | ${engines.map(([name]) => name).join(' | ')} |`);
console.log(`|---|${engines.map(() => '---|').join('')}`);
for (const [label, at] of places) {
  const typists = engines.map(([, engine]) => typist(engine, at));
  const times = engines.map(() => []);
  for (let key = 0; key < 4 * typed.length; key++) {
    // Alternate which engine goes first.
    const order = key % 2 === 0 ? typists.map((_, i) => i) : typists.map((_, i) => i).reverse();
    for (const i of order) times[i].push(typists[i]());
  }
  console.log(`| ${label} | ${times.map((series) => `${median(series).toFixed(1)} ms`).join(' | ')} |`);
}
