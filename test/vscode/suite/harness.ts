// Helpers for the real-editor suite: find the extension and its API, open workspace files,
// and wait for editor state through VS Code events (never by sleeping), with a deadline that
// turns a missing result into a failure that says what was last seen.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SymmetryLintApi } from '../../../client/src/extension';

export const EXTENSION_ID = 'symmetry-lint.vscode-symmetry-lint';
export const DIAGNOSTIC_SOURCE = 'symmetry-lint';

export async function activatedExtension(): Promise<{ extension: vscode.Extension<SymmetryLintApi>; api: SymmetryLintApi }> {
  const extension = vscode.extensions.getExtension<SymmetryLintApi>(EXTENSION_ID);
  if (!extension) throw new Error(`Extension ${EXTENSION_ID} is not installed in this editor.`);
  const api = await extension.activate();
  await api.whenReady();
  return { extension, api };
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('The suite needs a workspace folder (the samples copy).');
  return folder.uri;
}

export async function openWorkspaceFile(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), relativePath));
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Resolves with `compute()` once it is defined, re-checking whenever `event` fires. */
export function waitFor<T>(
  event: vscode.Event<unknown>,
  compute: () => T | undefined,
  describe: () => string,
  timeoutMs = 30000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = (): boolean => {
      const value = compute();
      if (value === undefined) return false;
      cleanup();
      resolve(value);
      return true;
    };
    const subscription = event(() => void check());
    const deadline = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${describe()}`));
    }, timeoutMs);
    const cleanup = (): void => {
      subscription.dispose();
      clearTimeout(deadline);
    };
    check();
  });
}

export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
}

export function ruleOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

/** Waits until this file's Symmetry Lint diagnostics satisfy `accept`. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = 30000,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    vscode.languages.onDidChangeDiagnostics,
    () => {
      const diagnostics = ourDiagnostics(uri);
      return accept(diagnostics) ? diagnostics : undefined;
    },
    () => `${what} in ${uri.path}; last seen: [${ourDiagnostics(uri).map((d) => `${ruleOf(d)}@${d.range.start.line + 1}`).join(', ')}]`,
    timeoutMs,
  );
}

/** The `// expect: <rule-id>` markers of a sample: rule id and 0-based line. */
export function expectedFindings(document: vscode.TextDocument): { ruleId: string; line: number }[] {
  const expected: { ruleId: string; line: number }[] = [];
  for (let line = 0; line < document.lineCount; line++) {
    const match = /\/\/\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/.exec(document.lineAt(line).text);
    if (!match) continue;
    for (const ruleId of match[1]!.split(',')) expected.push({ ruleId: ruleId.trim(), line });
  }
  return expected;
}

/**
 * Asks the code-server runner for a screenshot of the page as it is now and waits until it
 * is written. Under @vscode/test-electron (no runner listening) this does nothing.
 */
export async function screenshot(name: string): Promise<void> {
  const folder = process.env.SYMMETRY_LINT_SCREENSHOT_DIR;
  if (!folder) return;
  const file = path.join(folder, `${name}.png`);
  fs.mkdirSync(folder, { recursive: true });
  if (fs.existsSync(file)) fs.rmSync(file);
  const written = new Promise<void>((resolve, reject) => {
    const watcher = fs.watch(folder, () => {
      if (fs.existsSync(file)) finish();
    });
    const deadline = setTimeout(() => {
      watcher.close();
      reject(new Error(`The runner did not write the screenshot ${file}`));
    }, 20000);
    const finish = (): void => {
      watcher.close();
      clearTimeout(deadline);
      resolve();
    };
  });
  // The runner watches the extension host's log for this line (see scripts/vscode/runVscodeTests.js).
  console.log(`[symmetry-lint-screenshot] ${name}`);
  await written;
}

/**
 * Resolves with the text of the file at `uri` (on this machine's disk) once `accept` takes it,
 * re-reading whenever the file's folder changes: the output channel's log is written a little
 * after the line is logged.
 */
export function waitForFileText(uri: vscode.Uri, accept: (text: string) => boolean, what: string, timeoutMs = 30000): Promise<string> {
  const file = uri.fsPath;
  const read = (): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  return new Promise<string>((resolve, reject) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const check = (): void => {
      const text = read();
      if (!accept(text)) return;
      cleanup();
      resolve(text);
    };
    const watcher = fs.watch(path.dirname(file), () => check());
    const deadline = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what} in ${file}; its last lines:\n${read().split('\n').slice(-15).join('\n')}`));
    }, timeoutMs);
    const cleanup = (): void => {
      watcher.close();
      clearTimeout(deadline);
    };
    check();
  });
}
