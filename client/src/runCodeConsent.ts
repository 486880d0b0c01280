// The consent a probe needs before it runs the workspace's own model code: asked once per
// workspace, in a modal that says what will run. Kept free of `vscode` so tier-1 tests drive it
// with a fake store and a fake modal; probeCommands.ts passes the workspaceState and VS Code's
// modal warning.

/** workspaceState key: the user agreed to let probes run this workspace's code. */
export const RUN_CODE_CONFIRMED_KEY = 'symmetryLint.runWorkspaceCodeConfirmed';

export const RUN_CODE_QUESTION = "Run this workspace's code to probe the model?";
export const RUN_CODE_DETAIL =
  "Symmetry Lint will run the workspace's own model-building code (and whatever it imports) in a worker to obtain the model. " +
  'Only do this for code you trust. You will not be asked again in this workspace.';
export const RUN_CODE_CONFIRM = 'Run Workspace Code';

/** The part of `vscode.Memento` the consent needs. */
export interface ConsentStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/** Shows a modal with one confirming button; resolves with the button chosen, if any. */
export type AskInModal = (question: string, detail: string, confirm: string) => Thenable<string | undefined>;

/** True once the user has agreed in this workspace; asks (and remembers a yes) otherwise. */
export async function confirmRunningWorkspaceCode(store: ConsentStore, ask: AskInModal): Promise<boolean> {
  if (store.get<boolean>(RUN_CODE_CONFIRMED_KEY) === true) return true;
  const choice = await ask(RUN_CODE_QUESTION, RUN_CODE_DETAIL, RUN_CODE_CONFIRM);
  if (choice !== RUN_CODE_CONFIRM) return false;
  await store.update(RUN_CODE_CONFIRMED_KEY, true);
  return true;
}
