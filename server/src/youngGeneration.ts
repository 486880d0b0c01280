// How big V8's young generation may grow (issue 13). Analysing allocates fast enough, with enough
// survivors, that V8 doubles the young generation up to its 32 MB maximum and keeps it committed.
// The maximum (--max-semi-space-size) is read once, when a heap is set up, so a process cannot
// lower it for itself; the growth factor is read each time V8 grows the space, so a factor of 1
// keeps the space where it is when the factor is set. Where V8 refuses the value (newer V8s
// enforce a factor of at least 2), nothing changes.
// - `check --probe` sets it at start-up: the space stays at its initial size (1 MB per
//   semi-space) in both heaps, the analysis' and the tfjs worker's, part of what grew with the
//   number of files.
// - A plain `check` on one thread holds it at its initial size while TypeScript loads (which
//   grew it to 16 MB), then lets it grow to 8 MB and stops it there (docs/decisions.md): with
//   V8's 32 MB, old space also ran 16 MB further ahead of what it holds before a collection, and
//   the peak grew with the run. Its `--concurrency` workers get 8 MB as a limit of their heaps.
// - The language server stops the growth once the space has reached 16 MB (docs/decisions.md):
//   from the start, the extra scavenges cost 10-15% of each keystroke's CPU; at 16 MB none was
//   measurable, and it saves the 16 MB that the last doubling would commit.
// Starting a worker thread undoes the setting for the whole process (measured on Node 20: with
// the factor set, the main thread's young generation grew to 32 MB again once a worker had
// started), so it is set again after each probe or workspace worker starts, in the language server
// and in `check --probe`: keepYoungGenerationSettingAcross.
import * as v8 from 'node:v8';
import type { ResourceLimits, Worker } from 'node:worker_threads';

/** The V8 flag that keeps the young generation where it is. */
export const YOUNG_GENERATION_FLAGS = '--semi-space-growth-factor=1';

/** The young generation's size (both semi-spaces) past which the language server stops its growth. */
export const SERVER_YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;

/** The same for `check` on one thread, which holds it at its initial size while TypeScript loads. */
export const CHECK_YOUNG_GENERATION_CAP_BYTES = 8 * 1024 * 1024;

/** V8's own growth factor (Node 20's V8), which lets the young generation double again. */
const DEFAULT_GROWTH_FLAGS = '--semi-space-growth-factor=2';

/**
 * The young generation of a `check --concurrency` worker: 8 MB of semi-spaces, as
 * CHECK_YOUNG_GENERATION_CAP_BYTES on one thread (V8 gives each of the two semi-spaces a third of
 * the limit; measured: 8 MB). V8 reads it when the worker's heap is set up, so no flag changes
 * while threads load code.
 */
export const CHECK_WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 12 };

let growthStopped = false;

/** Stops the growth now; `setFlags` sets V8 flags (the CLI's records them for its code cache). */
export function keepYoungGenerationAtInitialSize(setFlags: (flags: string) => void = v8.setFlagsFromString): void {
  setFlags(YOUNG_GENERATION_FLAGS);
  growthStopped = true;
}

/**
 * Sets the growth factor again after `worker` has started, if this process had set it: once it is
 * online, or for a worker that loads TypeScript through the CLI's code cache, once it has sent its
 * first message (its code is loaded by then). V8 refuses cached data made under other flags, so
 * the factor must not change while the worker loads (decisions.md).
 */
export function keepYoungGenerationSettingAcross(worker: Worker, after: 'online' | 'first message' = 'online'): void {
  worker.once(after === 'online' ? 'online' : 'message', () => {
    if (growthStopped) v8.setFlagsFromString(YOUNG_GENERATION_FLAGS);
  });
}

/** Lets the young generation grow again, until stopYoungGenerationGrowthOnceAt stops it. */
export function resumeYoungGenerationGrowth(): void {
  v8.setFlagsFromString(DEFAULT_GROWTH_FLAGS);
  growthStopped = false;
}

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
