// The probe report page in a real browser (Debian's Chromium through playwright-core): served
// under the same strict CSP as the webview, fed a ProbeResult measured by the real probe, it
// must draw one chart per probed model with a line for each declared symmetry. Saves a
// screenshot to test-results/report.png.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { analyzeText, parseSource } from '../../server/src/engine';
import { ProbeHost } from '../../server/src/probe/probeHost';
import { probeFile } from '../../server/src/probe/runProbes';
import type { ProbeResult } from '../../server/src/protocol';
import { ensureServerBuilt } from '../unit/probeTestSupport';

const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SERVED: Record<string, string> = {
  '/': 'client/media/report/index.html',
  '/client/dist/report.js': 'client/dist/report.js',
  '/client/dist/report.css': 'client/dist/report.css',
};
const COLOURS = ['#e6194b', '#3cb44b', '#4363d8'];

// The page's globals as the callbacks below see them in the browser (this project's type
// check has no DOM library: only what the test touches is declared).
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface PageWindow {
  postMessage(message: unknown, target: string): void;
  symmetryReport?: {
    renders: number;
    charts: { model: string; series: { label: string; points: (number | null)[] }[]; canvas: PageCanvas | null; plotRight: number; width: number; lastLabelReach: number }[];
  };
  innerWidth: number;
}
interface PageDocument {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null; open?: boolean; clientWidth?: number }>;
}

let measured: Promise<ProbeResult> | undefined;
/** Probed once for every test of this file. */
function sharedResult(): Promise<ProbeResult> {
  measured ??= measuredResult();
  return measured;
}

async function measuredResult(): Promise<ProbeResult> {
  const host = new ProbeHost();
  try {
    const result: ProbeResult = { files: [] };
    for (const name of ['pointwise-global-pool.ts', 'mnist-cnn.ts', 'analysis-gaps.ts']) {
      const fileName = path.join(ROOT, 'samples', name);
      const text = fs.readFileSync(fileName, 'utf8');
      const outcome = await probeFile(host, analyzeText(fileName, text), parseSource(fileName, text), { timeoutMs: 60000, maxParameters: 2e7 });
      result.files.push({ uri: pathToFileURL(fileName).href, version: null, models: outcome.reports });
    }
    return result;
  } finally {
    await host.dispose();
  }
}

describe('probe report page in Chromium', function () {
  this.timeout(60000);
  let server: http.Server;
  let browser: Browser;
  let base: string;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    ensureServerBuilt();
    assert.ok(fs.existsSync(path.join(ROOT, 'client/dist/report.js')), 'client/dist/report.js is not built: node scripts/build.js');
    server = http.createServer((request, response) => {
      const file = SERVED[(request.url ?? '/').split('?')[0]];
      if (request.url === '/favicon.ico') {
        response.writeHead(204).end();
        return;
      }
      if (!file) {
        response.writeHead(404).end();
        return;
      }
      const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.css') ? 'text/css' : 'text/javascript';
      response.writeHead(200, { 'content-type': type }).end(fs.readFileSync(path.join(ROOT, file)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('draws a log-scale chart per model with a series per declaration, verdicts and static predictions', async () => {
    const result = await sharedResult();
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(base + '/');
    await page.evaluate((probeResult) => (globalThis as unknown as PageWindow).postMessage({ type: 'probeResult', result: probeResult }, '*'), result);
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).symmetryReport?.renders === 1);

    const charts = await page.evaluate(() =>
      (globalThis as unknown as PageWindow).symmetryReport!.charts.map((chart) => {
        const canvas = chart.canvas!;
        const context = canvas.getContext('2d')!;
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
        // Counts pixels near each series colour: the line was really drawn.
        const colours = ['#e6194b', '#3cb44b', '#4363d8'].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
        const counts = colours.map(() => 0);
        for (let i = 0; i < pixels.length; i += 4) {
          colours.forEach((rgb, c) => {
            if (Math.abs(pixels[i] - rgb[0]) < 30 && Math.abs(pixels[i + 1] - rgb[1]) < 30 && Math.abs(pixels[i + 2] - rgb[2]) < 30 && pixels[i + 3] > 200) counts[c]++;
          });
        }
        return { model: chart.model, series: chart.series, width: canvas.width, counts };
      }),
    );
    const probed = result.files.flatMap((file) => file.models).filter((model) => model.verdicts.length > 0);
    assert.deepEqual(charts.map((chart) => chart.model), probed.map((model) => model.name));
    charts.forEach((chart, index) => {
      const model = probed[index];
      assert.deepEqual(chart.series.map((series) => series.label), model.verdicts.map((v) => `${v.mode} ${v.group}`));
      chart.series.forEach((series, s) => {
        assert.equal(series.points.length, model.layers.length);
        assert.ok(series.points.filter((p) => p !== null && p > 0).length >= 2, `${chart.model} ${series.label}: no data`);
        assert.ok(chart.counts[s] > 20, `${chart.model} ${series.label}: only ${chart.counts[s]} pixels of ${COLOURS[s]} on the canvas`);
      });
    });
    // Verdicts, static predictions and the skipped model's reason are on the page.
    const text = await page.locator('#root').innerText();
    assert.match(text, /invariant rotation90/);
    assert.match(text, /breaks at line \d+/);
    assert.match(text, /static analysis/);
    assert.match(text, /cannot build layer ChannelDrop/);
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-results/report.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });

  it('fits a side panel: every column has a header, no x label is clipped, and the layer table stays open when the layout changes', async () => {
    const result = await sharedResult();
    // About the width of VS Code's secondary side bar.
    const page = await browser.newPage({ viewport: { width: 360, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(base + '/');
    const post = () => page.evaluate((probeResult) => (globalThis as unknown as PageWindow).postMessage({ type: 'probeResult', result: probeResult }, '*'), result);
    await post();
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).symmetryReport?.renders === 1);

    const headers = await page.evaluate(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('table.verdicts th'), (th) => (th.textContent ?? '').trim()));
    assert.ok(headers.length >= 8, headers.join('|'));
    assert.deepEqual(headers.filter((header) => header === ''), [], `a column without a header: ${headers.join('|')}`);
    assert.ok(headers.includes('probe vs static'), headers.join('|'));
    assert.ok(headers.includes('output rel. error'), headers.join('|'));
    const layerHeaders = await page.evaluate(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('table.layers th'), (th) => (th.textContent ?? '').trim()));
    assert.ok(layerHeaders.some((header) => /at this layer's output/.test(header)), layerHeaders.join('|'));

    const layout = await page.evaluate(() => {
      const win = globalThis as unknown as PageWindow & { document: PageDocument };
      return { pageWidth: win.document.documentElement.scrollWidth, viewport: win.innerWidth, charts: win.symmetryReport!.charts.map((c) => ({ model: c.model, width: c.width, plotRight: c.plotRight, reach: c.lastLabelReach })) };
    });
    assert.ok(layout.pageWidth <= layout.viewport, `the page is ${layout.pageWidth} px wide in a ${layout.viewport} px panel`);
    for (const chart of layout.charts) {
      assert.ok(chart.width <= layout.viewport, `${chart.model}: chart ${chart.width} px in a ${layout.viewport} px panel`);
      assert.ok(chart.plotRight + chart.reach <= chart.width, `${chart.model}: the last x label reaches ${chart.plotRight + chart.reach} px, past the chart's ${chart.width} px`);
    }

    // The user opens a per-layer table; the panel is then resized and the extension posts the
    // result again (it does so whenever the panel becomes visible).
    await page.locator('details summary').first().click();
    await page.setViewportSize({ width: 300, height: 900 });
    await post();
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).symmetryReport?.renders === 2);
    const open = await page.evaluate(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('details'), (d) => d.open === true));
    assert.equal(open[0], true, 'the per-layer table collapsed when the layout changed');
    const narrow = await page.evaluate(() => {
      const win = globalThis as unknown as PageWindow & { document: PageDocument };
      const canvases = Array.from(win.document.querySelectorAll('.chart canvas') as unknown as ArrayLike<{ getBoundingClientRect(): { right: number } }>, (c) => c.getBoundingClientRect().right);
      return { pageWidth: win.document.documentElement.scrollWidth, viewport: win.innerWidth, canvasRights: canvases };
    });
    assert.ok(narrow.pageWidth <= narrow.viewport, `after the resize the page is ${narrow.pageWidth} px wide in a ${narrow.viewport} px panel`);
    for (const right of narrow.canvasRights) assert.ok(right <= narrow.viewport, `a chart ends at ${right} px in a ${narrow.viewport} px panel`);
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-results/report-side-panel.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
