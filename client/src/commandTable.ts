// Every command the extension contributes, as data: id, palette title, and whether it needs a
// running server. package.json's `contributes.commands` must match this table (a unit test
// checks it), and `commands.ts` binds one handler per id, so the two cannot drift apart.

export interface CommandSpec {
  id: string;
  title: string;
  /** Greyed out (`enablement`) until the language server is ready. */
  needsServer: boolean;
  /** Runs workspace code: also greyed out in Restricted Mode. */
  needsTrust?: boolean;
  /** Called by other UI (CodeLens) with arguments; hidden from the command palette. */
  internal?: boolean;
}

export const COMMAND_CATEGORY = 'Symmetry';
/** Context key set while the language server is running and initialised. */
export const SERVER_READY_CONTEXT = 'symmetryLint.serverReady';

export const COMMANDS = [
  { id: 'symmetryLint.probeModelAtCursor', title: 'Probe Model at Cursor', needsServer: true },
  { id: 'symmetryLint.probeFile', title: 'Probe Models in File', needsServer: true },
  { id: 'symmetryLint.probeWorkspace', title: 'Probe Workspace', needsServer: true },
  { id: 'symmetryLint.probeSavedModel', title: 'Probe Saved Model…', needsServer: true },
  {
    id: 'symmetryLint.probeModelAtCursorRunningCode',
    // Cannot be mistaken for a literal probe: it says it runs code, and asks once per workspace.
    title: 'Run Workspace Code to Probe Model…',
    needsServer: true,
    needsTrust: true,
  },
  { id: 'symmetryLint.probeModel', title: 'Probe Model', needsServer: true, internal: true },
  { id: 'symmetryLint.showReport', title: 'Show Report', needsServer: false },
  { id: 'symmetryLint.restartServer', title: 'Restart Server', needsServer: false },
  { id: 'symmetryLint.showOutput', title: 'Show Output', needsServer: false },
  { id: 'symmetryLint.showRuleDocs', title: 'Show Rule Documentation…', needsServer: false },
] as const satisfies readonly CommandSpec[];

export type CommandId = (typeof COMMANDS)[number]['id'];

/** The `enablement` clause package.json carries for a command. */
export function enablementOf(spec: CommandSpec): string | undefined {
  const clauses: string[] = [];
  if (spec.needsServer) clauses.push(SERVER_READY_CONTEXT);
  if (spec.needsTrust) clauses.push('isWorkspaceTrusted');
  return clauses.length > 0 ? clauses.join(' && ') : undefined;
}
