// `--concurrency <n|auto|off>` with ESLint's meaning (ESLint 9.34+): `off` checks on the main
// thread, a number starts that many worker threads, `auto` picks from the CPU count and the
// number of files. As in ESLint, a count that comes to one thread means the main thread, and
// the default is `off`.
import * as os from 'node:os';

export type ConcurrencySetting = number | 'auto' | 'off';

/** ESLint's `auto`: one thread per this many files, at most half the CPUs (ESLint 9.35+ value). */
export const FILES_PER_AUTO_THREAD = 50;

/** Parses the flag's value; undefined when it is not `off`, `auto` or a positive integer. */
export function parseConcurrency(value: string): ConcurrencySetting | undefined {
  if (value === 'off' || value === 'auto') return value;
  if (!/^[1-9]\d*$/.test(value)) return undefined;
  return Number(value);
}

/** Worker threads to start for `fileCount` files; 0 means the main thread. */
export function threadCount(setting: ConcurrencySetting, fileCount: number, cpus: number = os.availableParallelism()): number {
  if (setting === 'off') return 0;
  let threads: number;
  if (setting === 'auto') {
    threads = Math.min(Math.ceil(fileCount / FILES_PER_AUTO_THREAD), cpus >> 1);
  } else {
    threads = Math.min(setting, fileCount);
  }
  return threads > 1 ? threads : 0;
}
