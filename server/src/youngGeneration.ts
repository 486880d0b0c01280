// How big V8's young generation may grow (issue 13). Analysing allocates fast enough, with enough
// survivors, that V8 doubles the young generation up to its 32 MB maximum and keeps it committed.
// The maximum (--max-semi-space-size) is read once, when a heap is set up, so a process cannot
// lower it for itself; the growth factor is read each time V8 grows the space, so a factor of 1
// keeps the space where it is when the factor is set. Where V8 refuses the value (newer V8s
// enforce a factor of at least 2), nothing changes.
// - `check --probe` sets it at start-up: the space stays at its initial size (1 MB per
//   semi-space) in both heaps, the analysis' and the tfjs worker's, part of what grew with the
//   number of files.
// - The language server stops the growth once the space has reached 16 MB (docs/decisions.md):
//   from the start, the extra scavenges cost 10-15% of each keystroke's CPU; at 16 MB none was
//   measurable, and it saves the 16 MB that the last doubling would commit.
import * as v8 from 'node:v8';

/** The V8 flag that keeps the young generation where it is. */
export const YOUNG_GENERATION_FLAGS = '--semi-space-growth-factor=1';

/** The young generation's size (both semi-spaces) past which the language server stops its growth. */
export const SERVER_YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;

export function keepYoungGenerationAtInitialSize(): void {
  v8.setFlagsFromString(YOUNG_GENERATION_FLAGS);
}

let growthStopped = false;

/**
 * Stops the young generation's growth if it now holds at least `bytes`; does nothing otherwise,
 * or once stopped. Cheap enough to call after every analysis. Returns whether growth is stopped.
 * Process-wide: a probe worker started afterwards keeps its young generation at its initial size,
 * as `check --probe`'s does.
 */
export function stopYoungGenerationGrowthOnceAt(bytes: number): boolean {
  if (growthStopped) return true;
  const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  if (!young || young.space_size < bytes) return false;
  v8.setFlagsFromString(YOUNG_GENERATION_FLAGS);
  growthStopped = true;
  return true;
}
