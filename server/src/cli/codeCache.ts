// A V8 code cache for the big CommonJS scripts the CLI loads (TypeScript's compiler: compiling
// its 9 MB is most of a one-file check's start-up, in every worker thread again). Node 20 has no
// module.enableCompileCache, so the CLI compiles the script itself with vm.Script and keeps
// V8's cached data in a folder of its own. A cache is used only when its name matches the
// script's content hash, the node version, the architecture and the V8 flags, and its own bytes
// match the hash stored with them; anything else (stale, corrupt, refused by V8, a folder that
// cannot be read or written) falls back to a plain compile and never fails the load.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { bytesOf } from './bufferBytes';

/** Bumped when the file layout below changes, so older files are never read as this one. */
const FORMAT = 'symmetry-lint-code-cache-1';
const HASH_BYTES = 32;
const CACHE_EXTENSION = '.v8cache';

/**
 * V8 refuses cached data made under other flags; the label names the flags the CLI set, so runs
 * that set different flags (`check` on one thread and with `--concurrency 2`) each keep their own
 * cache instead of overwriting each other's. In the environment, because worker
 * threads start with a copy of it and V8's flags are the whole process'.
 */
const FLAGS_LABEL_VARIABLE = 'SYMMETRY_LINT_V8_FLAGS';

/** Sets V8 flags for the whole process and records them for the code cache's key. */
export function setV8FlagsForProcess(flags: string): void {
  v8.setFlagsFromString(flags);
  process.env[FLAGS_LABEL_VARIABLE] = [process.env[FLAGS_LABEL_VARIABLE], flags].filter(Boolean).join(' ');
}

/**
 * Where the cache lives: SYMMETRY_LINT_CODE_CACHE (a folder, or `off`), else the user's cache
 * folder. A folder of the user's, not a shared temporary one: cached data is code V8 runs
 * without checking it against the source, so no other user may be able to write it.
 */
export function codeCacheDirectory(): string | undefined {
  const chosen = process.env.SYMMETRY_LINT_CODE_CACHE;
  if (chosen === 'off') return undefined;
  if (chosen) return path.resolve(chosen);
  const home = os.homedir();
  const base =
    process.platform === 'win32'
      ? (process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Caches')
        : (process.env.XDG_CACHE_HOME ?? path.join(home, '.cache'));
  return path.join(base, 'symmetry-lint', 'v8-code-cache');
}

/** What became of a script's cache on load: for tests and for deciding whether to save. */
export type CodeCacheUse = 'used' | 'missing' | 'corrupt' | 'rejected' | 'off';

interface LoadedScript {
  fileName: string;
  cacheFile: string;
  script: vm.Script;
}

const sha256 = (data: Buffer | string): Buffer => crypto.createHash('sha256').update(typeof data === 'string' ? data : bytesOf(data)).digest();

export class CodeCache {
  /** Scripts whose cache was missing or unusable: `save` writes theirs. */
  private readonly toSave: LoadedScript[] = [];

  constructor(private readonly directory: string | undefined) {}

  /** Runs a CommonJS file as `require` would, compiled from the cache when one is usable. */
  load(fileName: string): { exports: unknown; use: CodeCacheUse } {
    // Read as bytes: node 20's own UTF-8 read of a 9 MB file is slower than reading and decoding.
    const bytes = fs.readFileSync(fileName);
    const cacheFile = this.directory === undefined ? undefined : path.join(this.directory, cacheFileName(fileName, bytes));
    let use: CodeCacheUse = this.directory === undefined ? 'off' : 'missing';
    let cachedData: Buffer | undefined;
    if (cacheFile !== undefined) {
      const stored = readIfPresent(cacheFile);
      if (stored !== undefined) {
        const payload = stored.subarray(HASH_BYTES);
        if (stored.length > HASH_BYTES && sha256(payload).equals(bytesOf(stored.subarray(0, HASH_BYTES)))) cachedData = payload;
        else use = 'corrupt';
      }
    }
    const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: fileName, cachedData });
    if (cachedData !== undefined) use = script.cachedDataRejected ? 'rejected' : 'used';
    const module = { exports: {} as unknown };
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
    wrapper.call(module.exports, module.exports, Module.createRequire(fileName), module, fileName, path.dirname(fileName));
    if (cacheFile !== undefined && use !== 'used') this.toSave.push({ fileName, cacheFile, script });
    return { exports: module.exports, use };
  }

  /**
   * Writes the caches that were missing or unusable. Best called late: V8's cached data then
   * holds every function the run compiled, not only the script's top level.
   */
  save(): void {
    for (const { fileName, cacheFile, script } of this.toSave.splice(0)) {
      try {
        const payload = script.createCachedData();
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
        // Whole or not at all: another run may be reading or writing the same file.
        const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        fs.writeFileSync(temporary, bytesOf(Buffer.concat([bytesOf(sha256(payload)), bytesOf(payload)])), { mode: 0o600 });
        fs.renameSync(temporary, cacheFile);
        removeOlderCaches(fileName, cacheFile);
      } catch {
        // A cache that cannot be written costs the next run its speed, nothing else.
      }
    }
  }
}

/** The script's name, then a hash of everything the cached data depends on. */
export function cacheFileName(fileName: string, bytes: Buffer): string {
  const key = sha256([FORMAT, sha256(bytes).toString('hex'), process.version, process.arch, process.env[FLAGS_LABEL_VARIABLE] ?? ''].join('\u0000'));
  return `${path.basename(fileName)}-${key.toString('hex').slice(0, 32)}${CACHE_EXTENSION}`;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Caches of an earlier version of the same script (an upgrade leaves them unused). */
function removeOlderCaches(fileName: string, keep: string): void {
  const prefix = `${path.basename(fileName)}-`;
  const directory = path.dirname(keep);
  for (const name of fs.readdirSync(directory)) {
    if (name.startsWith(prefix) && name.endsWith(CACHE_EXTENSION) && path.join(directory, name) !== keep) {
      // Only caches a week old: a run under other flags or another node may still use a newer one.
      const file = path.join(directory, name);
      try {
        if (Date.now() - fs.statSync(file).mtimeMs > 7 * 24 * 3600 * 1000) fs.rmSync(file, { force: true });
      } catch {
        // Another run removed it first.
      }
    }
  }
}

/** The process' cache: loads through it, and saves what it compiled when the process exits. */
let processCache: CodeCache | undefined;

/**
 * `require(fileName)` through the process' code cache. Only the main thread writes the cache,
 * once, at exit (worker threads are stopped, not exited, and the main thread checks files too).
 */
export function requireWithCodeCache(fileName: string): unknown {
  if (!processCache) {
    processCache = new CodeCache(codeCacheDirectory());
    if (isMainThread) process.once('exit', () => processCache?.save());
  }
  return processCache.load(fileName).exports;
}
