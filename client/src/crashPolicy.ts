// What the client does when the language server dies: restart it, tell the user once per
// session (not once per crash), and give up with a clear error after repeated crashes in a
// short window, so a server that crashes on start does not loop forever.
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult } from 'vscode-languageclient/node';

/** More crashes than this within CRASH_WINDOW_MS and the client stops restarting. */
export const MAX_RESTARTS = 4;
export const CRASH_WINDOW_MS = 3 * 60 * 1000;

export class CrashPolicy implements ErrorHandler {
  private readonly crashTimes: number[] = [];
  /** How many times the server was restarted after a crash (tests read it). */
  restarts = 0;
  /** How many crash messages the user was shown: at most one per session (tests read it). */
  userNotices = 0;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly onGaveUp: (message: string) => void,
  ) {}

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    // A few bad messages on the wire are survivable; a stream of them means the pipe is gone.
    return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashTimes.push(now);
    while (this.crashTimes.length > 0 && now - this.crashTimes[0]! > CRASH_WINDOW_MS) this.crashTimes.shift();
    if (this.crashTimes.length > MAX_RESTARTS) {
      const message = `The Symmetry Lint server crashed ${this.crashTimes.length} times in ${CRASH_WINDOW_MS / 60000} minutes and will not be restarted. Fix the cause (see the output), then run "Symmetry: Restart Server".`;
      this.output.error(message);
      this.onGaveUp(message);
      void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
        if (choice) this.output.show(true);
      });
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.restarts++;
    this.output.warn('The Symmetry Lint server stopped unexpectedly; restarting it.');
    if (this.userNotices === 0) {
      this.userNotices++;
      void vscode.window
        .showWarningMessage('The Symmetry Lint server stopped unexpectedly and was restarted. Details are in the output.', 'Show Output')
        .then((choice) => {
          if (choice) this.output.show(true);
        });
    }
    return { action: CloseAction.Restart, handled: true };
  }

  /** After a manual restart the user has acted: start counting afresh. */
  reset(): void {
    this.crashTimes.length = 0;
  }
}
