// The server's side of VS Code workspace trust: whether this workspace may run its own code.
// The client also refuses, but the server must not rely on that: any LSP client can send
// `mode: "execute"`, so the probe handler asks `refusal()` before running workspace code.
import { ResponseError } from 'vscode-languageserver/node';
import { UNTRUSTED_WORKSPACE_ERROR_CODE, type ProbeMode, type SymmetryLintInitializationOptions } from '../protocol';

export class WorkspaceTrustState {
  private trusted = true;

  /** From `initializationOptions`; a client that says nothing (Neovim, the CLI) is trusted. */
  initialize(options: unknown): void {
    const value = (options as SymmetryLintInitializationOptions | null | undefined)?.workspaceTrusted;
    this.trusted = value !== false;
  }

  /** Trust is only ever granted during a session; VS Code restarts extensions to revoke it. */
  grant(): void {
    this.trusted = true;
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  /** An error to answer with when `mode` would run workspace code here, else undefined. */
  refusal(mode: ProbeMode | undefined): ResponseError<void> | undefined {
    if (mode !== 'execute' || this.trusted) return undefined;
    return new ResponseError(
      UNTRUSTED_WORKSPACE_ERROR_CODE,
      'Symmetry Lint: this workspace is not trusted, so probes may not run its model-building code. ' +
        'Trust the workspace, or probe from the literal configuration (the default).',
    );
  }
}
