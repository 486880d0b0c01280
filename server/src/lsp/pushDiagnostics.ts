// Push diagnostics (textDocument/publishDiagnostics) for LSP clients without pull diagnostics,
// such as Neovim 0.7-0.9: the same reports the pull handler gives, sent after a short quiet
// period following each open, change or save, and cleared when a document closes.
import type { Connection, Diagnostic } from 'vscode-languageserver/node';

/** Quiet time after the last change before analysing, so typing is not analysed per key. */
export const PUSH_DELAY_MS = 150;

export class DiagnosticsPusher {
  /** True when the client did not announce `textDocument.diagnostic` (pull) support. */
  enabled = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    /** The diagnostics to publish now, or undefined to try again after the next change. */
    private readonly compute: (uri: string) => Promise<Diagnostic[] | undefined>,
    private readonly log: (message: string) => void,
  ) {}

  schedule(uri: string): void {
    if (!this.enabled) return;
    const pending = this.timers.get(uri);
    if (pending) clearTimeout(pending);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.publish(uri);
      }, PUSH_DELAY_MS),
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
    this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
  }

  private async publish(uri: string): Promise<void> {
    try {
      const diagnostics = await this.compute(uri);
      if (diagnostics) await this.connection.sendDiagnostics({ uri, diagnostics });
    } catch (error) {
      // A superseded analysis (the document moved on) is retried by the change that moved it.
      this.log(`push diagnostics for ${uri}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
