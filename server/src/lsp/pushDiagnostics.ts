// Push diagnostics (textDocument/publishDiagnostics) for LSP clients without pull diagnostics,
// such as Neovim 0.7-0.9: the same reports the pull handler gives, sent after a short quiet
// period following each open, change or save, and cleared when a document closes. The quiet
// period follows what the document's analysis costs: a cheap file is answered almost at once,
// an expensive one is not analysed again on every key while the user types.
import type { Connection, Diagnostic } from 'vscode-languageserver/node';

/** The longest quiet time after the last change before analysing. */
export const PUSH_DELAY_MS = 150;
/** The shortest: consecutive changes sent in one burst (a paste, a multi-cursor edit) share one analysis. */
export const PUSH_MIN_DELAY_MS = 10;

/**
 * The quiet period before a document's next push: twice what its last analysis took, so that
 * typing faster than that is answered once it pauses and the analysis never takes more than
 * about a third of the time, between the two bounds. Unknown cost (first open): the longest.
 */
export function pushDelayMs(lastAnalysisMs: number | undefined): number {
  if (lastAnalysisMs === undefined) return PUSH_DELAY_MS;
  return Math.min(PUSH_DELAY_MS, Math.max(PUSH_MIN_DELAY_MS, Math.ceil(2 * lastAnalysisMs)));
}

export class DiagnosticsPusher {
  /** True when the client did not announce `textDocument.diagnostic` (pull) support. */
  enabled = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** How long each document's last push took to compute, in ms. */
  private readonly costs = new Map<string, number>();

  constructor(
    private readonly connection: Connection,
    /** The diagnostics to publish now, or undefined to try again after the next change. */
    private readonly compute: (uri: string) => Promise<Diagnostic[] | undefined>,
    private readonly log: (message: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The quiet period the next change of `uri` waits for. */
  delayFor(uri: string): number {
    return pushDelayMs(this.costs.get(uri));
  }

  schedule(uri: string): void {
    if (!this.enabled) return;
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.publish(uri);
      }, this.delayFor(uri)),
    );
  }

  scheduleAll(uris: Iterable<string>): void {
    for (const uri of uris) this.schedule(uri);
  }

  clear(uri: string): void {
    if (!this.enabled) return;
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.delete(uri);
    this.costs.delete(uri);
    this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
  }

  private async publish(uri: string): Promise<void> {
    try {
      const started = this.now();
      const diagnostics = await this.compute(uri);
      this.costs.set(uri, this.now() - started);
      if (diagnostics) await this.connection.sendDiagnostics({ uri, diagnostics });
    } catch (error) {
      // A superseded analysis (the document moved on) is retried by the change that moved it.
      this.log(`push diagnostics for ${uri}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
