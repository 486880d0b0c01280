import * as fs from 'node:fs';
import { analyzeText, parseSource } from '/work/wt-probes/server/src/engine';
import { buildProbePlan } from '/work/wt-probes/server/src/probe/planBuilder';
import { ProbeHost } from '/work/wt-probes/server/src/probe/probeHost';
const file = process.argv[2];
const text = fs.readFileSync(file, 'utf8');
const analysis = analyzeText(file, text, { commandLineDeclarations: [process.argv[3]] } as never);
(async () => {
  const host = new ProbeHost();
  const t0 = performance.now();
  await host.warmUp();
  console.log('warm', performance.now() - t0);
  for (const model of analysis.models) {
    const { plan, flops } = buildProbePlan(model, parseSource(file, text));
    if (plan.unbuildable) { console.log(model.graph.name, plan.unbuildable); continue; }
    const t = performance.now();
    const measured = await host.run({ type: 'probe', plan }, { timeoutMs: 120000 });
    console.log(model.graph.name, plan.inputs.map((i) => i.shape), (flops / 1e9).toFixed(2), 'GFLOP', measured.timings, measured.batch, 'total', performance.now() - t);
  }
  await host.dispose();
})();
