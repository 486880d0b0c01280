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
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's channel to the extension; absent when the page is opened in a plain browser. */
const vscodeApi: VsCodeApi | undefined = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;

/** What the page drew, for tests and for anyone debugging the page in devtools. */
export interface RenderedChart {
  model: string;
  series: { label: string; points: (number | null)[] }[];
  canvas: HTMLCanvasElement | null;
  /** Where the plot area ends and how far right of its tick the last x label reaches, in CSS px. */
  plotRight: number;
  width: number;
  lastLabelReach: number;
}

/** The slant of the x-axis labels (30°, down to the right). */
const SLANT = Math.PI / 6;
/** uPlot's default axis font. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
let measuringContext: CanvasRenderingContext2D | null = null;

function textWidth(text: string): number {
  measuringContext ??= document.createElement('canvas').getContext('2d');
  if (!measuringContext) return text.length * 7;
  measuringContext.font = AXIS_FONT;
  return measuringContext.measureText(text).width;
}

/** The chart fills its section, down to the width of a narrow side panel. */
function chartWidth(container: HTMLElement): number {
  const available = (container.parentElement?.clientWidth || document.documentElement.clientWidth || 800) - 8;
  return Math.max(200, Math.min(1100, available));
}

const plots: { plot: uPlot; container: HTMLElement }[] = [];

// A panel moved or resized (side panel, split) redraws the charts at the new width only: the
// page is not rebuilt, so the tables keep their state.
window.addEventListener('resize', () => {
  for (const { plot, container } of plots) plot.setSize({ width: chartWidth(container), height: plot.height });
  vscodeApi?.postMessage({ type: 'layout', layout: pageLayout() });
});

/** What a reader sees of the layout, for the extension's real-editor tests. */
export interface PageLayout {
  /** Column headers of the verdict tables, in order. */
  headers: string[];
  pageWidth: number;
  viewportWidth: number;
  /** Charts whose last x label would reach past their canvas. */
  clippedLabels: string[];
}

function pageLayout(): PageLayout {
  return {
    headers: Array.from(document.querySelectorAll('table.verdicts th'), (th) => (th.textContent ?? '').trim()),
    pageWidth: document.documentElement.scrollWidth,
    viewportWidth: window.innerWidth,
    clippedLabels: plots.filter(({ plot }) => {
      const chart = rendered.find((item) => item.canvas && plot.root.contains(item.canvas));
      return chart !== undefined && plot.bbox.left / devicePixelRatio + plot.bbox.width / devicePixelRatio + chart.lastLabelReach > plot.width;
    }).map(({ plot }) => rendered.find((item) => item.canvas && plot.root.contains(item.canvas))?.model ?? '?'),
  };
}

/** Which per-layer tables the user opened, by model: kept across re-renders and webview reloads. */
const openTables = new Set<string>((vscodeApi?.getState() as { openTables?: string[] } | undefined)?.openTables ?? []);

function rememberOpenTables(): void {
  vscodeApi?.setState({ openTables: [...openTables] });
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
  // "output": these are the model output's errors; the per-layer table has each layer's own.
  for (const title of ['declaration', 'tol', 'output rel. error', 'output max-abs error', 'worst element', 'probe', 'static analysis', 'probe vs static']) head.append(element('th', undefined, title));
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
        : verdict.agrees
          ? element('td', 'agrees', 'agrees')
          : element('td', 'disagrees', verdict.difference ? `differs: ${verdict.difference}` : 'DISAGREES'),
    );
    table.tBodies[0].append(row);
  }
  return table;
}

function layerTable(model: ModelProbeReport): HTMLTableElement {
  const table = element('table', 'layers');
  const head = element('tr');
  head.append(element('th', undefined, '#'), element('th', undefined, 'layer'), element('th', undefined, 'line'));
  model.verdicts.forEach((verdict) => head.append(element('th', undefined, `${verdict.mode} ${verdict.group}: rel. error at this layer's output (interior where the border cannot reach) / static state`)));
  table.append(element('thead'), element('tbody'));
  table.tHead!.append(head);
  model.layers.forEach((layer, index) => {
    const row = element('tr');
    row.append(element('td', undefined, String(index + 1)), element('td', undefined, layer.kind), element('td', undefined, layer.line > 0 ? String(layer.line) : ''));
    model.verdicts.forEach((_, d) => {
      const error = layer.relError[d];
      const interior = layer.interiorRelError?.[d];
      const interiorText = error !== null && interior !== undefined ? `, interior ${interior === null ? 'n/a' : formatError(interior)}` : '';
      row.append(element('td', undefined, `${formatError(error)} (${error === null ? 'not measured' : layer.measured[d]}${interiorText}) / ${layer.staticState[d] ?? ''}`));
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
  // Long layer names are shortened on the axis (the legend and the table give them whole), so a
  // slanted label never needs more room than a narrow panel has.
  const short = (kind: string) => (kind.length > 14 ? `${kind.slice(0, 13)}…` : kind);
  const labels = model.layers.map((layer) => `${short(layer.kind)}${layer.line > 0 ? ` :${layer.line}` : ''}`);
  const fullLabels = model.layers.map((layer) => `${layer.kind}${layer.line > 0 ? ` :${layer.line}` : ''}`);
  const width = chartWidth(container);
  // Labels slant down to the right from their tick: uPlot may label any tick, so the plot leaves
  // room past its right edge for the widest.
  const labelWidths = labels.map(textWidth);
  const lastLabel = Math.max(0, ...labelWidths);
  const rightPadding = Math.max(16, Math.ceil(lastLabel * Math.cos(SLANT)) + 8);
  const axisHeight = Math.max(40, Math.ceil(Math.max(0, ...labelWidths) * Math.sin(SLANT)) + 24);
  const options: uPlot.Options = {
    title: `${model.name}${model.variant !== undefined ? ` (when ${model.variant})` : ''}: relative error per layer (log scale)`,
    width,
    height: 320,
    scales: { x: { time: false }, y: { distr: 3, log: 10 } },
    padding: [8, rightPadding, 0, 8],
    axes: [
      // uPlot passes null for ticks it skips (log scales do): label only the real ones.
      { values: (_u, ticks) => ticks.map((tick) => (tick != null && Number.isInteger(tick) ? (labels[tick - 1] ?? '') : '')), rotate: -(SLANT * 180) / Math.PI, size: axisHeight, stroke: 'currentColor' } as uPlot.Axis,
      { values: (_u, ticks) => ticks.map((tick) => (tick == null ? '' : tick.toExponential(0))), size: 60, stroke: 'currentColor' },
    ],
    series: [
      { label: 'layer', value: (_u, value) => (value === null ? '' : (fullLabels[value - 1] ?? '')) },
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
  plots.push({ plot, container });
  return { model: model.name, series, canvas: plot.root.querySelector('canvas'), plotRight: plot.bbox.left / devicePixelRatio + plot.bbox.width / devicePixelRatio, width, lastLabelReach: Math.ceil(lastLabel * Math.cos(SLANT)) };
}

/** Wide tables scroll inside their own box in a narrow panel, instead of widening the page. */
function scrolling(table: HTMLTableElement): HTMLDivElement {
  const box = element('div', 'table-scroll');
  box.append(table);
  return box;
}

let lastRendered = '';

function render(result: ProbeResult): void {
  // The extension posts the result again whenever the panel becomes visible: the same result
  // keeps the page as it is (open tables, scroll position) and only fits the charts.
  const text = JSON.stringify(result);
  if (text === lastRendered && rendered.length > 0) {
    window.dispatchEvent(new Event('resize'));
    (window as unknown as { symmetryReport: { renders: number } }).symmetryReport.renders++;
    vscodeApi?.postMessage({ type: 'rendered', charts: rendered.length, layout: pageLayout() });
    return;
  }
  lastRendered = text;
  const root = document.getElementById('root') ?? document.body;
  root.replaceChildren();
  rendered.length = 0;
  for (const { plot } of plots.splice(0)) plot.destroy();
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
      // What the probe measured is only clear with the values it chose where the code has none.
      if (model.assumptions && model.assumptions.length > 0) section.append(element('p', 'note', `Values the probe chose: ${model.assumptions.join('; ')}.`));
      // A saved model of a known source model: the static verdict beside the trained weights' error.
      if (model.trainedWeightsSource) section.append(element('p', 'note', `Trained weights of the ${model.trainedWeightsSource}.`));
      for (const sentence of model.trainedWeights ?? []) section.append(element('p', 'trained-weights', sentence));
      root.append(section);
      if (model.verdicts.length === 0) continue;
      section.append(scrolling(verdictTable(model)));
      const chartBox = element('div', 'chart');
      section.append(chartBox);
      rendered.push(chart(model, chartBox));
      section.append(element('p', 'note', `Tolerances: ${model.verdicts.map((v) => `${v.group} ${v.tol}`).join(', ')}. An error of exactly 0 is drawn at ${LOG_FLOOR.toExponential(0)}; gaps are layers whose output has no action the probe knows (not measured).`));
      const details = element('details');
      const key = `${file.uri}#${model.name}`;
      details.open = openTables.has(key);
      details.addEventListener('toggle', () => {
        if (details.open) openTables.add(key);
        else openTables.delete(key);
        rememberOpenTables();
      });
      details.append(element('summary', undefined, 'Per-layer errors and static states'), scrolling(layerTable(model)));
      section.append(details);
    }
  }
  if (models === 0) root.append(element('p', 'message', 'The probe found no declared model.'));
  (window as unknown as { symmetryReport: { renders: number } }).symmetryReport.renders++;
  // Lets the extension (and its real-editor tests) know the charts are drawn, not just posted.
  vscodeApi?.postMessage({ type: 'rendered', charts: rendered.length, layout: pageLayout() });
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
