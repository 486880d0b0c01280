// Issue 11, "Measured by": unseen attention and graph models (test/fixtures/customModels, not
// the samples), and custom layers on images and under sign, get the right static verdict, and
// the probe in execute mode (it runs the classes' own code) measures the exact models below
// 1e-4 and blames the planted line of the broken ones; window ops in call() and a class token
// read back across layers too. One worker, small sizes (6 nodes or
// tokens, 8x8 images).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, parseSource } from '../../server/src/engine';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile } from '../../server/src/probe/runProbes';
import type { ModelProbeReport } from '../../server/src/protocol';
import { expectedFindings } from './expectMarkers';
import { ensureServerBuilt } from './probeTestSupport';

const FIXTURES = path.resolve(__dirname, '../fixtures/customModels');
const FILES = ['attentionModels.js', 'graphModels.ts', 'imageAndSignModels.ts', 'windowModels.ts', 'classTokenModels.ts'];

function read(name: string): { fileName: string; text: string } {
  const fileName = path.join(FIXTURES, name);
  return { fileName, text: fs.readFileSync(fileName, 'utf8') };
}

/** Each declared model and the 1-based lines of its `// expect:` markers (its planted breaks). */
function plantedLines(name: string): Map<string, number[]> {
  const { fileName, text } = read(name);
  const analysis = analyzeText(fileName, text);
  const marked = new Set(expectedFindings(text).map((key) => Number(key.split(':')[0])));
  const source = parseSource(fileName, text);
  const planted = new Map<string, number[]>();
  for (const model of analysis.models) {
    if (model.declarations.length === 0) continue;
    const lines = new Set(model.graph.layers.map((layer) => source.getLineAndCharacterOfPosition(layer.span.start).line + 1));
    planted.set(model.graph.name, [...marked].filter((line) => lines.has(line)));
  }
  return planted;
}

describe('unseen custom-layer models: static verdicts', () => {
  for (const name of FILES) {
    it(`${name}: every finding is a marker and every marker a finding`, () => {
      const { fileName, text } = read(name);
      const analysis = analyzeText(fileName, text);
      const actual = analysis.findings.map((finding) => `${finding.line + 1}:${finding.ruleId}`).sort();
      assert.deepEqual(actual, expectedFindings(text), analysis.findings.map((f) => `${f.line + 1}:${f.ruleId} ${f.message}`).join('\n'));
    });

    it(`${name}: the models without a marker are exact, and every custom layer in them is followed`, () => {
      const { fileName, text } = read(name);
      const analysis = analyzeText(fileName, text);
      const planted = plantedLines(name);
      let exact = 0;
      for (const model of analysis.models) {
        if (model.declarations.length === 0 || (planted.get(model.graph.name) ?? []).length > 0) continue;
        exact++;
        for (const inference of model.inferences) {
          for (const layer of model.graph.layers.filter((l) => l.origin === 'custom')) {
            assert.doesNotMatch(JSON.stringify(inference.layerStates[layer.id]), /unknown|broken/, `${model.graph.name}: ${layer.kind}`);
          }
          const expected = inference.declaration.mode === 'invariant' ? 'invariant' : 'acting';
          assert.deepEqual(
            inference.outputStates.map((state) => state.kind),
            [expected],
            model.graph.name,
          );
        }
      }
      assert.ok(exact >= 2, `${name}: ${exact} exact models`);
    });
  }
});

describe('unseen custom-layer models: the probe runs them (execute mode)', function () {
  // One execute job per file, each in a fresh worker: about a minute per file on a loaded machine.
  this.timeout(90000 * FILES.length);
  const host = new ProbeHost();
  const reports = new Map<string, ModelProbeReport>();

  before(async () => {
    ensureServerBuilt();
    for (const name of FILES) {
      const { fileName, text } = read(name);
      const outcome = await probeFile(host, analyzeText(fileName, text), parseSource(fileName, text), { timeoutMs: 120000, maxParameters: 1_000_000, execute: true });
      for (const report of outcome.reports) reports.set(`${name}:${report.name}`, report);
    }
  });
  after(() => host.dispose());

  for (const name of FILES) {
    it(`${name}: exact models measure below 1e-4; broken ones fail at their planted line`, () => {
      for (const [model, lines] of plantedLines(name)) {
        const key = `${name}:${model}`;
        const report = reports.get(key);
        assert.ok(report, `${key} was not probed`);
        assert.equal(report.status, 'ok', `${key}: ${report.message}`);
        assert.equal(report.mode, 'execute', key);
        assert.ok(report.verdicts.length > 0, key);
        for (const verdict of report.verdicts) {
          const id = `${key} ${verdict.mode} ${verdict.group}`;
          if (lines.length === 0) {
            assert.ok(verdict.passed && verdict.maxRelError < 1e-4, `${id}: ${verdict.maxRelError}`);
          } else {
            assert.equal(verdict.passed, false, `${id}: ${verdict.maxRelError}`);
            assert.ok(lines.includes(verdict.breakingLayerLine ?? -1), `${id}: blamed line ${verdict.breakingLayerLine}, planted ${lines.join(', ')}`);
          }
          assert.ok(verdict.agrees, `${id}: the probe and the static analysis disagree (${verdict.staticVerdict})`);
        }
      }
    });
  }
});
