// Stand-ins that let real model files load in the execute-mode probe (issue 12): modules a model
// builder does not need (visualisation, argument parsing, logging) and any import that fails to
// load become tolerant stubs, and browser globals used at a script's top level (`document`,
// `window`, `Image`) get stubs that do nothing. Every stand-in the code touched is recorded, so
// the verdict can say what was stubbed. Runs inside the probe worker only.

/** Packages whose exports never decide a model's architecture: stubbed without trying to load them. */
const NEEDLESS_PACKAGES = /^(@tensorflow\/tfjs-vis|argparse|yargs|yargs\/.*|commander|minimist|debug|chalk|ora|cli-progress|progress|inquirer|readline-sync|prompt-sync|dotenv|dotenv\/.*|winston|pino|log4js)$/;

/** Whether `specifier` is a package the probe stubs without loading it. */
export function isNeedlessPackage(specifier: string): boolean {
  return NEEDLESS_PACKAGES.test(specifier);
}

const stubs = new WeakSet<object>();

/** Whether `value` is one of the stand-ins made here (the verdict says so rather than "not a model"). */
export function isStub(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && stubs.has(value);
}

/**
 * A value that tolerates anything: reading any property gives another stub, calling or
 * constructing it gives a stub, assigning is ignored. It is not a promise (`then` is absent, so
 * `await stub` gives the stub), iterates as empty, and turns into '' (NaN as a number).
 */
export function tolerantStub(): unknown {
  const children = new Map<PropertyKey, unknown>();
  // A plain function target: callable and constructible.
  const target = function stub() {
    return undefined;
  };
  const proxy: object = new Proxy(target, {
    get(own, key) {
      if (key === 'then' || key === '__esModule') return undefined;
      if (key === 'prototype') return own.prototype;
      if (key === Symbol.toPrimitive) return (hint: string) => (hint === 'number' ? NaN : '');
      if (key === Symbol.iterator) return function* empty() {};
      if (key === Symbol.asyncIterator) return async function* empty() {};
      if (key === 'toString' || key === 'toJSON') return () => '';
      if (key === 'valueOf') return () => proxy;
      if (typeof key === 'symbol') return undefined;
      if (!children.has(key)) children.set(key, tolerantStub());
      return children.get(key);
    },
    set: () => true,
    // A decorator from a stubbed package (`@Component({...})` of a missing @angular/core) keeps
    // what it decorates: returning a stub would replace the class itself.
    apply: (_own, _this, args: unknown[]) => (isDecoratorContext(args[1]) ? undefined : tolerantStub()),
    construct: () => tolerantStub() as object,
  });
  stubs.add(proxy);
  return proxy;
}

const DECORATOR_KINDS = new Set(['class', 'method', 'getter', 'setter', 'field', 'accessor']);

/** The context object an ES decorator gets as its second argument. */
function isDecoratorContext(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !isStub(value) && DECORATOR_KINDS.has((value as { kind?: unknown }).kind as string) && 'name' in value;
}

/** Browser globals that script-tag model code reads at its top level; stubbed only when Node lacks them. */
const BROWSER_GLOBALS = [
  'window',
  'self',
  'document',
  'navigator',
  'location',
  'Image',
  'HTMLImageElement',
  'HTMLCanvasElement',
  'HTMLVideoElement',
  'ImageData',
  'FileReader',
  'localStorage',
  'sessionStorage',
  'alert',
  'requestAnimationFrame',
  'cancelAnimationFrame',
] as const;

/**
 * Puts `value` at `scope[name]`, noting in `used` each read of it; code that assigns the name
 * replaces it with a plain property.
 */
function installRecordedGlobal(scope: Record<string, unknown>, name: string, value: unknown, used: Set<string>): void {
  Object.defineProperty(scope, name, {
    configurable: true,
    get() {
      used.add(name);
      return value;
    },
    set(replacement: unknown) {
      Object.defineProperty(scope, name, { configurable: true, writable: true, value: replacement });
    },
  });
}

/**
 * Installs `tf` as a global (script-tag code uses the page's `tf`) and stubs for the browser
 * globals Node lacks; `used` collects the browser globals the code read. Returns the function
 * that removes the browser stubs again, before tfjs itself runs the measurement.
 */
export function installBrowserGlobals(tf: unknown, used: Set<string>): () => void {
  const scope = globalThis as Record<string, unknown>;
  const installed: string[] = [];
  if (scope.tf === undefined) scope.tf = tf;
  for (const name of BROWSER_GLOBALS) {
    if (name in scope) continue;
    // `window` (and a web worker's `self`) forwards to the real globals (`window.tf`,
    // `self.buildModel = …`), stubs the rest.
    const value =
      name === 'window' || name === 'self'
        ? new Proxy(scope, {
            get: (own, key) => (key in own ? own[key as string] : tolerantStub()),
            set: (own, key, assigned) => {
              own[key as string] = assigned;
              return true;
            },
          })
        : // Callbacks handed to the page (animation frames) never run: nothing of the page exists.
          tolerantStub();
    installRecordedGlobal(scope, name, value, used);
    installed.push(name);
  }
  return () => {
    for (const name of installed) delete scope[name];
  };
}

/**
 * Globals for the names the file reads but never declares (`tfvis` of another script tag, a size
 * `timesteps` defined nowhere): the value the main thread chose, else a stub. Names that exist
 * (Node's, the browser stubs) are left alone. `used` collects the names the code read. Returns
 * the function that removes them.
 */
export function installUndeclaredGlobals(values: Record<string, unknown>, used: Set<string>): () => void {
  const scope = globalThis as Record<string, unknown>;
  const installed: string[] = [];
  for (const [name, chosen] of Object.entries(values)) {
    if (name in scope) continue;
    const value = chosen === undefined ? tolerantStub() : chosen;
    installRecordedGlobal(scope, name, value, used);
    installed.push(name);
  }
  return () => {
    for (const name of installed) delete scope[name];
  };
}
