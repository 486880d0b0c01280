// The "Show Report" webview: loads the report page bundled to client/dist/report.js under a
// strict Content-Security-Policy (no inline script, nothing from the network) and posts it the
// last ProbeResult. Without that bundle it shows the verdicts as a plain table instead.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ProbeResult } from '../../server/src/protocol';

/** The message the report page receives; it renders `result` as it is. */
export interface ReportMessage {
  type: 'probeResult';
  result: ProbeResult;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function nonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let value = '';
  for (let i = 0; i < 32; i++) value += alphabet.charAt(Math.floor(Math.random() * alphabet.length));
  return value;
}

/** A readable table of verdicts, for when the chart page is not built. */
function fallbackTable(result: ProbeResult | undefined): string {
  if (!result) return '<p>No probe has run yet. Run <b>Symmetry: Probe Models in File</b> first.</p>';
  const rows: string[] = [];
  for (const file of result.files) {
    for (const model of file.models) {
      const name = model.variant !== undefined ? `${model.name} (when ${model.variant})` : model.name;
      if (model.verdicts.length === 0) {
        rows.push(`<tr><td>${escapeHtml(name)}</td><td colspan="4">${escapeHtml(model.status)}: ${escapeHtml(model.message ?? '')}</td></tr>`);
      }
      if (model.trainedWeightsSource) rows.push(`<tr><td>${escapeHtml(name)}</td><td colspan="4">trained weights of the ${escapeHtml(model.trainedWeightsSource)}</td></tr>`);
      for (const sentence of model.trainedWeights ?? []) {
        rows.push(`<tr><td>${escapeHtml(name)}</td><td colspan="4">${escapeHtml(sentence)}</td></tr>`);
      }
      if (model.assumptions && model.assumptions.length > 0) {
        rows.push(`<tr><td>${escapeHtml(model.name)}</td><td colspan="4">values the probe chose: ${escapeHtml(model.assumptions.join('; '))}</td></tr>`);
      }
      for (const verdict of model.verdicts) {
        rows.push(
          `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(`${verdict.mode} ${verdict.group}`)}</td>` +
            // NaN crosses JSON as null: an unmeasured verdict has no number to format.
            `<td>${typeof verdict.maxRelError === 'number' && Number.isFinite(verdict.maxRelError) ? verdict.maxRelError.toExponential(2) : 'n/a'}</td><td>${escapeHtml(verdict.worstElement)}</td>` +
            `<td>${verdict.measured === false ? 'nothing measured' : verdict.passed ? 'holds' : `breaks at line ${verdict.breakingLayerLine ?? '?'}`}</td></tr>`,
        );
      }
    }
  }
  return `<table><thead><tr><th>model</th><th>declaration</th><th>max rel. error</th><th>worst element</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The page's own account of its layout (client/media/report/report.ts `pageLayout`). */
export interface ReportLayout {
  headers: string[];
  pageWidth: number;
  viewportWidth: number;
  clippedLabels: string[];
}

function isLayout(value: unknown): value is ReportLayout {
  const layout = value as Partial<ReportLayout> | null | undefined;
  return !!layout && Array.isArray(layout.headers) && typeof layout.pageWidth === 'number' && typeof layout.viewportWidth === 'number' && Array.isArray(layout.clippedLabels);
}

export class ReportPanel {
  private panel: vscode.WebviewPanel | undefined;
  private lastResult: ProbeResult | undefined;
  /** How many charts the page reported drawn for the last result it rendered. */
  chartsDrawn = 0;
  private readonly renderedEmitter = new vscode.EventEmitter<number>();
  /** Fires with the chart count each time the page reports it has drawn a result. */
  readonly onDidRender = this.renderedEmitter.event;
  /** What the page last reported of its layout (headers, widths), for the real-editor tests. */
  layout: ReportLayout | undefined;
  private readonly layoutEmitter = new vscode.EventEmitter<ReportLayout>();
  readonly onDidLayout = this.layoutEmitter.event;

  constructor(private readonly extensionUri: vscode.Uri) {}

  private get distUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'client', 'dist');
  }

  get result(): ProbeResult | undefined {
    return this.lastResult;
  }

  /** Records a probe result; an open panel shows it at once. */
  update(result: ProbeResult): void {
    this.lastResult = result;
    if (this.panel) this.post();
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      this.post();
      return;
    }
    this.panel = vscode.window.createWebviewPanel('symmetryLint.report', 'Symmetry Report', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [this.distUri],
      // The page rebuilds itself from the posted result, so it need not stay alive when hidden.
      retainContextWhenHidden: false,
    });
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      this.chartsDrawn = 0;
    });
    // The page asks for the result once its script has loaded (a message posted earlier is lost).
    this.panel.webview.onDidReceiveMessage((message: unknown) => {
      const received = message as { type?: unknown; charts?: unknown; layout?: unknown } | null;
      if (received?.type === 'ready') this.post();
      if ((received?.type === 'rendered' || received?.type === 'layout') && isLayout(received.layout)) {
        this.layout = received.layout;
        this.layoutEmitter.fire(received.layout);
      }
      if (received?.type === 'rendered' && typeof received.charts === 'number') {
        this.chartsDrawn = received.charts;
        this.renderedEmitter.fire(received.charts);
      }
    });
    this.panel.onDidChangeViewState(({ webviewPanel }) => {
      if (webviewPanel.visible) this.post();
    });
    this.panel.webview.html = this.html(this.panel.webview);
    this.post();
  }

  private post(): void {
    if (!this.panel || !this.lastResult) return;
    if (!fs.existsSync(vscode.Uri.joinPath(this.distUri, 'report.js').fsPath)) {
      // The fallback table is static HTML: re-render it with the new result.
      this.panel.webview.html = this.html(this.panel.webview);
      return;
    }
    const message: ReportMessage = { type: 'probeResult', result: this.lastResult };
    void this.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const script = vscode.Uri.joinPath(this.distUri, 'report.js');
    const style = vscode.Uri.joinPath(this.distUri, 'report.css');
    const hasPage = fs.existsSync(script.fsPath);
    const hasStyle = fs.existsSync(style.fsPath);
    const scriptNonce = nonce();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}${hasPage ? '' : " 'unsafe-inline'"}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${scriptNonce}'`,
    ].join('; ');
    const head = `<meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">` +
      '<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>Symmetry Report</title>' +
      (hasStyle ? `<link rel="stylesheet" href="${webview.asWebviewUri(style).toString()}">` : '');
    if (hasPage) {
      return `<!DOCTYPE html><html lang="en"><head>${head}</head><body><div id="root"></div>` +
        `<script nonce="${scriptNonce}" src="${webview.asWebviewUri(script).toString()}"></script></body></html>`;
    }
    return `<!DOCTYPE html><html lang="en"><head>${head}<style>td,th{padding:2px 8px;text-align:left}</style></head>` +
      `<body><h2>Symmetry Report</h2><p><i>The chart page (client/dist/report.js) is not built; verdicts only.</i></p>${fallbackTable(this.lastResult)}</body></html>`;
  }
}
