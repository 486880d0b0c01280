// The probe report page (bundled to client/dist/report.js): renders a ProbeResult posted by
// the extension as, per model, a chart of the per-layer relative error on a log scale (one
// series per declaration), the verdicts, and what the static analysis predicted. Runs under a
// strict CSP: no inline script or style, nothing from the network, no eval (uPlot draws on a
// canvas and sets styles through the DOM).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './report.css';
import type { ModelProbeReport, ProbeResult } from '../../../server/src/protocol';

/** Errors of exactly 0 (or below) are drawn at this floor: a log scale has no zero. */
const LOG_FLOOR = 1e-9;
const COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's channel to the extension; absent when the page is opened in a plain browser. */
const vscodeApi: VsCodeApi | undefined = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;

/** What the page drew, for tests and for anyone debugging the page in devtools. */
export interface RenderedChart {
  model: string;
  series: { label: string; points: (number | null)[] }[];
  canvas: HTMLCanvasElement | null;
}
const rendered: RenderedChart[] = [];
(window as unknown as { symmetryReport: { charts: RenderedChart[]; renders: number } }).symmetryReport = { charts: rendered, renders: 0 };

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatError(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value === 0 ? '0' : value.toExponential(2);
}

function staticPrediction(verdict: ModelProbeReport['verdicts'][number]): string {
  switch (verdict.staticVerdict) {
    case 'holds':
      return 'holds exactly';
    case 'approximate':
      return 'holds approximately (borders)';
    case 'subgroup':
      return 'holds for a subgroup only';
    case 'breaks':
      return 'breaks';
    case 'unknown':
      return 'unknown (analysis gap)';
  }
}

function verdictTable(model: ModelProbeReport): HTMLTableElement {
  const table = element('table', 'verdicts');
  const head = element('tr');
  for (const title of ['declaration', 'tol', 'max rel. error', 'max-abs error', 'worst element', 'probe', 'static analysis', '']) head.append(element('th', undefined, title));
  table.append(element('thead'), element('tbody'));
  table.tHead!.append(head);
  for (const verdict of model.verdicts) {
    const row = element('tr', verdict.passed ? 'passed' : 'failed');
    row.append(
      element('td', undefined, `${verdict.mode} ${verdict.group}`),
      element('td', undefined, String(verdict.tol)),
      element('td', 'number', formatError(verdict.maxRelError)),
      element('td', 'number', formatError(verdict.maxAbsError)),
      element('td', undefined, verdict.worstElement),
      element('td', undefined, verdict.measured === false ? 'nothing measured' : verdict.passed ? 'holds' : `breaks at line ${verdict.breakingLayerLine ?? '?'}`),
      element('td', undefined, staticPrediction(verdict)),
      verdict.measured === false
        ? element('td', 'unmeasured', 'not measured')
        : element('td', verdict.agrees ? 'agrees' : 'disagrees', verdict.agrees ? 'agrees' : 'DISAGREES'),
    );
    table.tBodies[0].append(row);
  }
  return table;
}

function layerTable(model: ModelProbeReport): HTMLTableElement {
  const table = element('table', 'layers');
  const head = element('tr');
  head.append(element('th', undefined, '#'), element('th', undefined, 'layer'), element('th', undefined, 'line'));
  model.verdicts.forEach((verdict) => head.append(element('th', undefined, `${verdict.mode} ${verdict.group}: rel. error (measured) / static state`)));
  table.append(element('thead'), element('tbody'));
  table.tHead!.append(head);
  model.layers.forEach((layer, index) => {
    const row = element('tr');
    row.append(element('td', undefined, String(index + 1)), element('td', undefined, layer.kind), element('td', undefined, layer.line > 0 ? String(layer.line) : ''));
    model.verdicts.forEach((_, d) => {
      const error = layer.relError[d];
      row.append(element('td', undefined, `${formatError(error)} (${error === null ? 'not measured' : layer.measured[d]}) / ${layer.staticState[d] ?? ''}`));
    });
    table.tBodies[0].append(row);
  });
  return table;
}

function chart(model: ModelProbeReport, container: HTMLElement): RenderedChart {
  const xs = model.layers.map((_, index) => index + 1);
  const series = model.verdicts.map((verdict, d) => ({
    label: `${verdict.mode} ${verdict.group}`,
    points: model.layers.map((layer) => {
      const value = layer.relError[d];
      return value === null || !Number.isFinite(value) ? null : Math.max(value, LOG_FLOOR);
    }),
  }));
  const labels = model.layers.map((layer) => `${layer.kind}${layer.line > 0 ? ` :${layer.line}` : ''}`);
  const width = Math.max(360, Math.min(1100, (container.clientWidth || 800) - 16));
  const options: uPlot.Options = {
    title: `${model.name}${model.variant !== undefined ? ` (when ${model.variant})` : ''}: relative error per layer (log scale)`,
    width,
    height: 320,
    scales: { x: { time: false }, y: { distr: 3, log: 10 } },
    padding: [8, 40, 0, 8],
    axes: [
      // uPlot passes null for ticks it skips (log scales do): label only the real ones.
      { values: (_u, ticks) => ticks.map((tick) => (tick != null && Number.isInteger(tick) ? (labels[tick - 1] ?? '') : '')), rotate: -30, size: 90, stroke: 'currentColor' } as uPlot.Axis,
      { values: (_u, ticks) => ticks.map((tick) => (tick == null ? '' : tick.toExponential(0))), size: 60, stroke: 'currentColor' },
    ],
    series: [
      { label: 'layer', value: (_u, value) => (value === null ? '' : (labels[value - 1] ?? '')) },
      ...series.map((item, d) => ({
        label: item.label,
        stroke: COLOURS[d % COLOURS.length],
        width: 2,
        points: { show: true, size: 6 },
        spanGaps: false,
        value: (_u: uPlot, value: number | null) => formatError(value),
      })),
    ],
  };
  const plot = new uPlot(options, [xs, ...series.map((item) => item.points)] as uPlot.AlignedData, container);
  return { model: model.name, series, canvas: plot.root.querySelector('canvas') };
}

function render(result: ProbeResult): void {
  const root = document.getElementById('root') ?? document.body;
  root.replaceChildren();
  rendered.length = 0;
  root.append(element('h1', undefined, 'Symmetry Report'));
  let models = 0;
  for (const file of result.files) {
    for (const model of file.models) {
      models++;
      const section = element('section', `model status-${model.status}`);
      const where = file.uri.split('/').pop() ?? file.uri;
      const variant = model.variant !== undefined ? ` when ${model.variant}` : '';
      section.append(element('h2', undefined, `${model.name}${variant}${model.line > 0 ? ` (${decodeURIComponent(where)}:${model.line})` : ''}`));
      if (model.message) section.append(element('p', 'message', `${model.status}: ${model.message}`));
      root.append(section);
      if (model.verdicts.length === 0) continue;
      section.append(verdictTable(model));
      const chartBox = element('div', 'chart');
      section.append(chartBox);
      rendered.push(chart(model, chartBox));
      section.append(element('p', 'note', `Tolerances: ${model.verdicts.map((v) => `${v.group} ${v.tol}`).join(', ')}. An error of exactly 0 is drawn at ${LOG_FLOOR.toExponential(0)}; gaps are layers whose output has no action the probe knows (not measured).`));
      const details = element('details');
      details.append(element('summary', undefined, 'Per-layer errors and static states'), layerTable(model));
      section.append(details);
    }
  }
  if (models === 0) root.append(element('p', 'message', 'The probe found no declared model.'));
  (window as unknown as { symmetryReport: { renders: number } }).symmetryReport.renders++;
  // Lets the extension (and its real-editor tests) know the charts are drawn, not just posted.
  vscodeApi?.postMessage({ type: 'rendered', charts: rendered.length });
}

function isProbeMessage(data: unknown): data is { type: 'probeResult'; result: ProbeResult } {
  const message = data as { type?: unknown; result?: { files?: unknown } } | null;
  return message?.type === 'probeResult' && Array.isArray(message.result?.files);
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isProbeMessage(event.data)) render(event.data.result);
});

// Tell the extension the page can receive the result (a message posted before now is lost).
vscodeApi?.postMessage({ type: 'ready' });
