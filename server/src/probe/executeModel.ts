// The probe's execute mode, inside the probe worker only: loads the user's model file as a
// module (TS/JS transpiled to CommonJS, tfjs mapped to the worker's instance), runs the holder
// to obtain its tf.LayersModel, and measures it with weights re-drawn like a literal probe.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type * as tfjs from '@tensorflow/tfjs';
import type { ts as typescript } from 'ts-morph';
import { measureModel, redrawWeights, refuseEmptyOutputs, ProbeFailure, type MeasuredModel } from './measurement';
import type { PlanDeclaration, PlanLayer } from './plan';
import { planOfLoadedModel } from './savedModel';

type TF = typeof tfjs;

/** What the main thread sends for one execute-mode probe (plain data). */
export interface ExecutePlan {
  /** The holder's name as the analysis found it: `buildNet`, `Net`, `Trainer.build`, `model`. */
  modelName: string;
  /** Absolute path of the model file; siblings are read from disk beside it. */
  fileName: string;
  /** The text the analysis saw (an open document may differ from the disk). */
  sourceText: string;
  /** 1-based line of the holder: where layers that cannot be matched to the source are shown. */
  line: number;
  /** The statically extracted layers, in data-flow order, to map executed layers back to lines. */
  sourceLayers: { id: number; kind: string; line: number }[];
  declarations: PlanDeclaration[];
  seed: number;
  maxParameters: number;
  /** How long a promise the holder returns may take, in ms. */
  timeoutMs: number;
}

/** Specifiers the model code gets the worker's own tfjs for (one engine, one backend, one class registry). */
const TFJS_SPECIFIERS = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);
const LAYERS_LIBRARY = 'symmetry-lint-layers';
const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** The wrapper parameter through which the model file hands out its top-level bindings. */
const TOP_LEVEL_HOOK = '__symmetryLintTopLevel';

interface LoadedModule {
  exports: unknown;
  /** Getters for the file's top-level functions, classes and variables (model file only). */
  topLevel?: Record<string, unknown>;
}

let typescriptModule: typeof typescript | undefined;

/** TypeScript's compiler, loaded only when a probe executes code (it costs ~200 ms). */
function compiler(): typeof typescript {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  typescriptModule ??= (require('ts-morph') as typeof import('ts-morph')).ts;
  return typescriptModule;
}

/** The names a file declares at top level, and whether TS exports them (then the local is `exports.x`). */
function topLevelNames(ts: typeof typescript, fileName: string, text: string): { name: string; exported: boolean }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const names: { name: string; exported: boolean }[] = [];
  const isExported = (node: typescript.Node) => (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (node: typescript.Node) => (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  const bindingNames = (binding: typescript.BindingName, exported: boolean): void => {
    if (ts.isIdentifier(binding)) names.push({ name: binding.text, exported });
    else for (const element of binding.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, exported);
  };
  for (const statement of source.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      // `export function f` keeps a local `f`; only exported variables live on `exports` alone.
      names.push({ name: statement.name.text, exported: false });
    } else if (ts.isVariableStatement(statement)) {
      const exported = isExported(statement) && !isDefault(statement);
      for (const declaration of statement.declarationList.declarations) bindingNames(declaration.name, exported);
    } else if (ts.isEnumDeclaration(statement)) {
      names.push({ name: statement.name.text, exported: isExported(statement) });
    }
  }
  return names;
}

/**
 * Loads the model file and, on demand, its relative imports, each transpiled to CommonJS and
 * run in this worker. tfjs specifiers get the worker's instance, `symmetry-lint-layers` the
 * layers library, other packages a normal `require` from the importing file's folder.
 */
export class ModelModuleLoader {
  private readonly cache = new Map<string, LoadedModule>();

  constructor(
    private readonly tf: TF,
    /** Texts to use instead of the disk (the open document). */
    private readonly overrides: ReadonlyMap<string, string>,
  ) {}

  load(fileName: string, withTopLevel = false): LoadedModule {
    const cached = this.cache.get(fileName);
    if (cached) return cached;
    const record: LoadedModule = { exports: {} };
    // Cached before it runs, as Node does, so import cycles see a partial module, not a loop.
    this.cache.set(fileName, record);
    if (/\.json$/i.test(fileName)) {
      record.exports = JSON.parse(this.read(fileName));
      return record;
    }
    const text = this.read(fileName);
    const ts = compiler();
    const transpiled = ts.transpileModule(text, {
      fileName,
      reportDiagnostics: false,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2020,
        esModuleInterop: true,
        allowJs: true,
        jsx: ts.JsxEmit.React,
        inlineSourceMap: false,
      },
    }).outputText;
    let appendix = '';
    if (withTopLevel) {
      const getters = topLevelNames(ts, fileName, text).map(({ name, exported }) => `get ${JSON.stringify(name)}() { return ${exported ? `exports.${name}` : name}; }`);
      appendix = `\n;${TOP_LEVEL_HOOK}({ ${getters.join(', ')} });`;
    }
    const wrapper = `(function (exports, require, module, __filename, __dirname, ${TOP_LEVEL_HOOK}) {${transpiled}${appendix}\n})`;
    const run = vm.runInThisContext(wrapper, { filename: fileName }) as (...args: unknown[]) => void;
    const module = { exports: record.exports as object, id: fileName, filename: fileName, loaded: false };
    const localRequire = Object.assign((specifier: string) => this.require(fileName, specifier), {
      resolve: (specifier: string) => this.resolveRelative(fileName, specifier) ?? createRequire(fileName).resolve(specifier),
    });
    run(module.exports, localRequire, module, fileName, path.dirname(fileName), (topLevel: Record<string, unknown>) => {
      record.topLevel = topLevel;
    });
    module.loaded = true;
    record.exports = module.exports;
    return record;
  }

  require(fromFile: string, specifier: string): unknown {
    if (TFJS_SPECIFIERS.has(specifier)) return this.tf;
    if (specifier === LAYERS_LIBRARY) return loadLayersLibrary(fromFile);
    if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
      const resolved = this.resolveRelative(fromFile, specifier);
      if (!resolved) throw new Error(`cannot find module "${specifier}" imported by ${path.basename(fromFile)}`);
      return this.load(resolved).exports;
    }
    return createRequire(fromFile)(specifier);
  }

  /** `./x`, `./x.js` written for `./x.ts`, `./dir` with an index file. */
  private resolveRelative(fromFile: string, specifier: string): string | undefined {
    if (!specifier.startsWith('.') && !path.isAbsolute(specifier)) return undefined;
    const target = path.resolve(path.dirname(fromFile), specifier);
    const candidates = [target, ...CODE_EXTENSIONS.map((ext) => target + ext), target + '.json'];
    const jsStyle = /\.(m|c)?jsx?$/.exec(target);
    if (jsStyle) {
      const stem = target.slice(0, -jsStyle[0].length);
      candidates.push(...['.ts', '.tsx', '.mts', '.cts'].map((ext) => stem + ext));
    }
    candidates.push(...CODE_EXTENSIONS.map((ext) => path.join(target, 'index' + ext)));
    return candidates.find((candidate) => this.overrides.has(candidate) || isFile(candidate));
  }

  private read(fileName: string): string {
    const override = this.overrides.get(fileName);
    if (override !== undefined) return override;
    return fs.readFileSync(fileName, 'utf8');
  }
}

function isFile(fileName: string): boolean {
  try {
    return fs.statSync(fileName).isFile();
  } catch {
    return false;
  }
}

function loadLayersLibrary(fromFile: string): unknown {
  // The worker's own copy first (it shares the worker's tfjs), then the user's.
  for (const load of [() => require(LAYERS_LIBRARY) as unknown, () => createRequire(fromFile)(LAYERS_LIBRARY) as unknown]) {
    try {
      return load();
    } catch {
      // try the next place
    }
  }
  throw new Error(`cannot find module "${LAYERS_LIBRARY}" (the equivariant layers library) from ${path.dirname(fromFile)}`);
}

function isClass(value: unknown): value is new () => unknown {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object of class ${(value as object).constructor?.name ?? 'Object'}`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

/** Runs `step` and turns an exception from the user's code into a message naming what ran. */
async function userCode<T>(what: string, step: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = step();
    if (!isThenable(result)) return result;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProbeFailure(`${what} did not settle within ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([result, timeout]);
  } catch (error) {
    if (error instanceof ProbeFailure) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ProbeFailure(`${what} threw: ${message.slice(0, 300)}`);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * From the holder's value to a model: a model as it is, a function called (awaited), a class
 * constructed, an object searched for its one model property.
 */
async function materialise(tf: TF, value: unknown, owner: unknown, what: string, timeoutMs: number): Promise<tfjs.LayersModel> {
  let current = value;
  if (isClass(current)) {
    const Constructor = current;
    current = await userCode(`constructing ${what}`, () => new Constructor(), timeoutMs);
  } else if (typeof current === 'function' && !(current instanceof tf.LayersModel)) {
    const fn = current as (this: unknown) => unknown;
    current = await userCode(`calling ${what}()`, () => fn.call(owner), timeoutMs);
    // A method may store the model on `this` and return nothing.
    if (current === undefined && owner !== null && typeof owner === 'object') current = owner;
  } else if (isThenable(current)) {
    const pending = current;
    current = await userCode(`awaiting ${what}`, () => Promise.resolve(pending), timeoutMs);
  }
  if (current instanceof tf.LayersModel) return current;
  if (current !== null && typeof current === 'object') {
    const found = Object.entries(current).filter(([, item]) => item instanceof tf.LayersModel);
    const model = found.length === 1 ? found[0] : found.find(([key]) => key === 'model');
    if (model) return model[1] as tfjs.LayersModel;
    const foreign = current as { predict?: unknown; layers?: unknown };
    if (typeof foreign.predict === 'function' && Array.isArray(foreign.layers)) {
      throw new ProbeFailure(`${what} gave a model from another copy of tfjs than the probe's (a package outside the model's folder imports its own @tensorflow/tfjs): the probe cannot measure it`);
    }
    if (found.length > 1) throw new ProbeFailure(`${what} holds several models (${found.map(([key]) => key).join(', ')}): declare the symmetry on the one to probe`);
  }
  throw new ProbeFailure(`${what} gave ${describeValue(current)}, not a tf.LayersModel`);
}

/** Finds the holder among the file's top-level bindings and follows `Class.method` names. */
async function obtainModel(tf: TF, loaded: LoadedModule, plan: ExecutePlan): Promise<tfjs.LayersModel> {
  const [head, ...rest] = plan.modelName.split('.');
  const file = path.basename(plan.fileName);
  const topLevel = loaded.topLevel ?? {};
  let value: unknown;
  try {
    value = head in topLevel ? topLevel[head] : (loaded.exports as Record<string, unknown> | undefined)?.[head];
  } catch (error) {
    throw new ProbeFailure(`${head} in ${file} could not be read after the module ran: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value === undefined) {
    throw new ProbeFailure(`${file} has no top-level ${head} once it has run: execute mode obtains models from top-level functions, classes, variables and class methods`);
  }
  let owner: unknown;
  let what = head;
  for (const key of rest) {
    if (isClass(value) && !(key in value)) {
      const Constructor = value;
      value = await userCode(`constructing ${what}`, () => new Constructor(), plan.timeoutMs);
    }
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || !(key in (value as object))) {
      throw new ProbeFailure(`cannot reach ${plan.modelName} by running ${file}: ${what} has no member ${key} (a model held by a local variable inside a function cannot be obtained; declare the symmetry on the function)`);
    }
    owner = value;
    value = (value as Record<string, unknown>)[key];
    what = `${what}.${key}`;
  }
  return materialise(tf, value, owner, what, plan.timeoutMs);
}

/**
 * Gives each executed layer the line of the extracted layer it corresponds to: an in-order
 * match by kind (the executed model is what the source builds, so the order agrees where the
 * analysis could follow it); layers without a match get the holder's line and an id that no
 * extracted layer has.
 */
export function alignLayers(executed: PlanLayer[], source: ExecutePlan['sourceLayers'], holderLine: number): { layers: PlanLayer[]; matched: number } {
  const normalise = (kind: string) => kind.toLowerCase();
  let next = 0;
  let matched = 0;
  const spare = Math.max(0, ...source.map((layer) => layer.id + 1));
  const layers = executed.map((layer, index) => {
    let found = -1;
    for (let j = next; j < source.length; j++) {
      if (normalise(source[j].kind) === normalise(layer.kind)) {
        found = j;
        break;
      }
    }
    if (found < 0) return { ...layer, id: spare + index, line: holderLine };
    next = found + 1;
    matched++;
    return { ...layer, id: source[found].id, line: source[found].line };
  });
  return { layers, matched };
}

/** Runs the model code, obtains the model and measures it; the model is disposed afterwards. */
export async function runExecutePlan(tf: TF, plan: ExecutePlan): Promise<MeasuredModel> {
  const started = performance.now();
  const loader = new ModelModuleLoader(tf, new Map([[plan.fileName, plan.sourceText]]));
  let loaded: LoadedModule;
  try {
    loaded = loader.load(plan.fileName, true);
  } catch (error) {
    if (error instanceof ProbeFailure) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ProbeFailure(`running ${path.basename(plan.fileName)} threw: ${message.slice(0, 300)}`);
  }
  const model = await obtainModel(tf, loaded, plan);
  try {
    let inputs: tfjs.SymbolicTensor[] | undefined;
    try {
      inputs = model.inputs;
    } catch {
      inputs = undefined;
    }
    if (!inputs || inputs.length === 0) throw new ProbeFailure(`the model ${plan.modelName} built by the code has no inputs yet: give its first layer an inputShape (or call model.build)`);
    const parameters = model.countParams();
    if (parameters > plan.maxParameters) {
      throw new ProbeFailure(`the model has ${parameters.toExponential(2)} parameters, more than the probe limit of ${plan.maxParameters.toExponential(2)} (symmetryLint.probe.maxParameters): not probed`);
    }
    refuseEmptyOutputs(model);
    let structure: ReturnType<typeof planOfLoadedModel>;
    let everyOutput: tfjs.LayersModel;
    try {
      structure = planOfLoadedModel(model);
      everyOutput = tf.model({ inputs: model.inputs, outputs: model.layers.filter((layer) => layer.getClassName() !== 'InputLayer').map((layer) => layer.output as tfjs.SymbolicTensor) });
    } catch (error) {
      throw new ProbeFailure(`the model built by the code cannot be measured layer by layer: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    const { layers } = alignLayers(structure.layers, plan.sourceLayers, plan.line);
    // The probe tests the architecture: whatever weights the code set are re-drawn.
    redrawWeights(tf, model, plan.seed);
    return measureModel(tf, { model: everyOutput, plan: { inputs: structure.inputs, layers, outputs: structure.outputs, declarations: plan.declarations, seed: plan.seed }, buildMs: performance.now() - started });
  } finally {
    model.dispose();
  }
}
