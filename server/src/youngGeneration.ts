// Keeps V8's young generation at its initial size in `check --probe` (issue 13): analysing many
// files allocates fast enough, with enough survivors, that V8 doubles the young generation up to
// its 32 MB maximum and keeps it committed, in two heaps (the analysis' and the tfjs worker's),
// part of what grew with the number of files. The maximum (--max-semi-space-size) is read once,
// when a heap is set up, so a process cannot lower it for itself; the growth factor is read each
// time V8 grows the space, so a factor of 1 set at start-up keeps the space where it starts (1 MB
// per semi-space). The language server does not use it: there the extra scavenges cost 10-15% of
// each keystroke's CPU (docs/decisions.md). Where V8 refuses the value (newer V8s enforce a factor
// of at least 2), nothing changes.
import * as v8 from 'node:v8';

/** The V8 flag that keeps the young generation where it starts. */
export const YOUNG_GENERATION_FLAGS = '--semi-space-growth-factor=1';

export function keepYoungGenerationAtInitialSize(): void {
  v8.setFlagsFromString(YOUNG_GENERATION_FLAGS);
}
