// Keeps V8's young generation at its initial size in long-lived processes: the language server
// and `check --probe` (issue 13). Analysing a large file allocates fast enough, with enough
// survivors, that V8 doubles the young generation up to its 32 MB maximum and keeps it
// committed: the largest item of the server's resident set after typing, and in a probe run
// (two heaps: the analysis' and the tfjs worker's) part of what grew with the number of files.
// The maximum (--max-semi-space-size) is read once, when a heap is set up, so a process cannot
// lower it for itself; the growth factor is read each time V8 grows the space, so a factor of 1
// set at start-up keeps the space where it starts (1 MB per semi-space). It works whoever starts
// the server (`node server.js --stdio`, `symmetry-lint lsp`, VS Code) and applies to worker
// threads started later too. Where V8 refuses the value (newer V8s enforce a factor of at least
// 2), nothing changes: the heap keeps V8's default sizing.
import * as v8 from 'node:v8';

/** The V8 flag that keeps the young generation where it starts. */
export const YOUNG_GENERATION_FLAGS = '--semi-space-growth-factor=1';

export function keepYoungGenerationAtInitialSize(): void {
  v8.setFlagsFromString(YOUNG_GENERATION_FLAGS);
}
