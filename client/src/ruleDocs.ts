// Opens a rule's page: the copy shipped with the extension, in VS Code's Markdown preview, so
// the page exists offline and matches the installed version; or the published page when
// `symmetryLint.docs.baseUrl` names one. Settings descriptions and the "Show documentation"
// quick fix both lead here.
import * as vscode from 'vscode';
import { CONFIGURATION_SECTION } from '../../server/src/protocol';

export class RuleDocs {
  constructor(private readonly extensionUri: vscode.Uri) {}

  /** The folder of the shipped pages: client/dist/docs/rules in the .vsix, docs/rules in a checkout. */
  async folder(): Promise<vscode.Uri | undefined> {
    for (const candidate of [vscode.Uri.joinPath(this.extensionUri, 'client', 'dist', 'docs', 'rules'), vscode.Uri.joinPath(this.extensionUri, 'docs', 'rules')]) {
      try {
        await vscode.workspace.fs.stat(candidate);
        return candidate;
      } catch {
        // not in this layout: try the next
      }
    }
    return undefined;
  }

  /** The page of `ruleId` (asked for when absent); resolves with the URI it opened. */
  async show(ruleId?: unknown): Promise<vscode.Uri | undefined> {
    const folder = await this.folder();
    let id = typeof ruleId === 'string' ? ruleId : Array.isArray(ruleId) && typeof ruleId[0] === 'string' ? (ruleId[0] as string) : undefined;
    if (!id) {
      const names = folder ? (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name).filter((name) => name.endsWith('.md')).map((name) => name.slice(0, -3)).sort() : [];
      id = await vscode.window.showQuickPick(names, { title: 'Symmetry: rule documentation', placeHolder: 'Pick a rule' });
      if (!id) return undefined;
    }
    if (!/^[a-z0-9-]+$/.test(id)) return undefined;
    const base = vscode.workspace.getConfiguration(CONFIGURATION_SECTION).get<string>('docs.baseUrl')?.trim();
    if (base) {
      const published = vscode.Uri.parse(`${base.endsWith('/') ? base : `${base}/`}${id}.md`);
      await vscode.env.openExternal(published);
      return published;
    }
    if (!folder) {
      void vscode.window.showErrorMessage('Symmetry Lint: the rule pages are missing from this installation.');
      return undefined;
    }
    const page = vscode.Uri.joinPath(folder, `${id}.md`);
    await vscode.commands.executeCommand('markdown.showPreview', page);
    return page;
  }
}

/** The rule id of a shipped page's file URI (`…/docs/rules/padding-boundary.md`), if it is one. */
export function ruleOfDocsUri(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : value instanceof vscode.Uri ? value.toString() : undefined;
  const match = text ? /^file:.*\/docs\/rules\/([a-z0-9-]+)\.md$/.exec(text) : null;
  return match?.[1];
}

/**
 * The link a diagnostic's code should carry in VS Code: for a shipped page, a command link that
 * opens it in the Markdown preview (the hover, the peek view and the Problems panel all open
 * code links with commands allowed); a published page's link is kept, so it opens in the browser.
 */
export function previewLinkOf(target: vscode.Uri): vscode.Uri | undefined {
  const rule = ruleOfDocsUri(target);
  return rule ? vscode.Uri.parse(`command:symmetryLint.showRuleDocs?${encodeURIComponent(JSON.stringify([rule]))}`) : undefined;
}

/** Rewrites the docs link of each diagnostic from a shipped page's file to previewLinkOf's command. */
export function linkDiagnosticsToPreview(diagnostics: readonly vscode.Diagnostic[]): void {
  for (const diagnostic of diagnostics) {
    const code = diagnostic.code;
    if (typeof code !== 'object' || !code.target) continue;
    const preview = previewLinkOf(code.target);
    if (preview) diagnostic.code = { value: code.value, target: preview };
  }
}
