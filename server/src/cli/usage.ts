// What the command line itself needs: the output formats and the usage error. Kept apart from
// check.ts so that main.ts can parse the arguments (and start the probe worker for --probe)
// before it loads the static analysis and TypeScript.
export type OutputFormat = 'text' | 'json' | 'sarif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];

/** A mistake in the command line or in what it names (exit code 2). */
export class UsageError extends Error {}
