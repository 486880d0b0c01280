// The probe's execute mode, inside the probe worker only: loads the user's model file as a
// module (TS/JS and ES modules transpiled to CommonJS, tfjs mapped to the worker's instance,
// modules a builder does not need stubbed), runs the holder with the arguments the main thread
// chose to obtain its tf.LayersModel, and measures it with weights re-drawn like a literal probe.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import type * as tfjs from '@tensorflow/tfjs';
import type { ts as typescript } from 'ts-morph';
import { measureModel, redrawWeights, refuseEmptyOutputs, ProbeFailure, type MeasuredModel } from './measurement';
import type { PlanDeclaration, PlanInput, PlanLayer } from './plan';
import { installBrowserGlobals, installUndeclaredGlobals, isNeedlessPackage, isStub, tolerantStub } from './executeStubs';
import { ExecuteRecorder, ProbeSkip } from './executeRecorder';
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
  /**
   * Arguments for the callables on the way to the model, by their name in the holder's path
   * (`buildNet`, `Trainer` for its constructor, `Trainer.build`); missing ones get none.
   */
  argumentsFor?: Record<string, unknown[]>;
  /** The values the main thread chose for those arguments, in words, by callable (listed with the verdict when it is called). */
  argumentNotes?: Record<string, string>;
  /** The callable whose local variable holds the model (`default`, `buildNet`, `tasks.getModel`): its result is measured. */
  enclosing?: string;
  /** The holder's path from the file's top level when it differs from its name (`Lstm.model` for `model` of the object `Lstm`). */
  holderPath?: string;
  /** Names the file reads but never declares, with the value chosen for each (undefined: a stub). */
  undeclared?: Record<string, unknown>;
  /** The input shape (no batch axis) the literal probe chose, for a model the code leaves without one. */
  fallbackInputShape?: number[];
}

/** Specifiers the model code gets the worker's own tfjs for (one engine, one backend, one class registry). */
const TFJS_SPECIFIERS = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);
const LAYERS_LIBRARY = 'symmetry-lint-layers';
const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** The wrapper parameter through which the model file hands out its top-level bindings. */
const TOP_LEVEL_HOOK = '__symmetryLintTopLevel';
/** The wrapper parameter that stands for `import.meta` (CommonJS has none). */
const IMPORT_META = '__symmetryLintImportMeta';
/**
 * Names the CommonJS wrapper binds. An ES module may declare its own (`const __dirname =
 * dirname(fileURLToPath(import.meta.url))`, `const require = createRequire(import.meta.url)`):
 * there they are renamed to `__symmetryLintUser_<name>` so they neither clash with the wrapper's
 * parameters nor shadow the `require` calls the transpiler emits.
 */
const WRAPPER_NAMES = ['exports', 'require', 'module', '__filename', '__dirname'];
const USER_PREFIX = '__symmetryLintUser_';

interface LoadedModule {
  exports: unknown;
  /** Getters for the file's top-level functions, classes and variables (model file only). */
  topLevel?: Record<string, unknown>;
  /** What the file's top-level code threw, when it did: its functions may still be reachable. */
  failure?: unknown;
  /** Settles when a module with top-level `await` has finished running. */
  settled?: Promise<void>;
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
  return names.filter(({ name }) => !WRAPPER_NAMES.includes(name));
}

/**
 * The file as CommonJS. `.mjs`/`.mts` (and `.js` in a `"type": "module"` package) are ES
 * modules to TypeScript too, and it would keep their `import` statements: they are transpiled
 * under the matching `.js`/`.ts` name. `import.meta` becomes the wrapper's stand-in; in an ES
 * module the user's own `require`, `__dirname`, ... are renamed (see WRAPPER_NAMES).
 */
function transpileToCommonJs(ts: typeof typescript, fileName: string, text: string): { code: string; isModule: boolean } {
  const asCommonJs = fileName.replace(/\.m([jt]sx?)$|\.c([jt]sx?)$/i, (_, esm?: string, cjs?: string) => `.${esm ?? cjs}`);
  let isModule = false;
  const rewrite: typescript.TransformerFactory<typescript.SourceFile> = (context) => (root) => {
    isModule = ts.isExternalModule(root);
    const visit = (node: typescript.Node): typescript.Node => {
      if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) return ts.factory.createIdentifier(IMPORT_META);
      if (isModule && ts.isIdentifier(node) && WRAPPER_NAMES.includes(node.text) && !isPropertyName(ts, node)) return ts.factory.createIdentifier(USER_PREFIX + node.text);
      return ts.visitEachChild(node, visit, context);
    };
    const visited = ts.visitNode(root, visit) as typescript.SourceFile;
    return ts.factory.updateSourceFile(visited, visited.statements.flatMap((statement) => guardedStatement(ts, statement, root)));
  };
  const output = ts.transpileModule(text, {
    fileName: asCommonJs,
    reportDiagnostics: false,
    transformers: { before: [rewrite] },
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2020,
      esModuleInterop: true,
      allowJs: true,
      jsx: ts.JsxEmit.React,
      inlineSourceMap: false,
    },
  }).outputText;
  // A script (a file for a <script> tag) is sloppy code: `model = tf.sequential()` without a
  // declaration makes a global there, and would throw under the "use strict" TS adds.
  const code = isModule ? output : output.replace(/^"use strict";\s*/, '');
  return { code, isModule };
}

/** The wrapper parameter the guarded top-level statements report a throw to. */
const STATEMENT_THREW = '__symmetryLintStatementThrew';

/**
 * A top-level statement wrapped so that its throw is reported and the next statement still
 * runs: a script's page code (`document.getElementById('plot').getContext('2d')`, data loading
 * on stubs) usually sits between the definitions the probe needs. Declarations stay as they
 * are; a `const`/`let` of plain names becomes a `var` declared outside the guard, so the names
 * stay visible to the rest of the file.
 */
function guardedStatement(ts: typeof typescript, statement: typescript.Statement, source: typescript.SourceFile): typescript.Statement[] {
  const factory = ts.factory;
  const original = ts.getOriginalNode(statement);
  const line = original.pos >= 0 ? source.getLineAndCharacterOfPosition(original.getStart(source)).line + 1 : 0;
  const guard = (inner: typescript.Statement[]) =>
    factory.createTryStatement(
      factory.createBlock(inner, true),
      factory.createCatchClause(
        factory.createVariableDeclaration('__symmetryLintError'),
        factory.createBlock([factory.createExpressionStatement(factory.createCallExpression(factory.createIdentifier(STATEMENT_THREW), undefined, [factory.createIdentifier('__symmetryLintError'), factory.createNumericLiteral(line)]))]),
      ),
      undefined,
    );
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  if (ts.isVariableStatement(statement)) {
    const declarations = statement.declarationList.declarations;
    const exported = modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword);
    if (exported || !declarations.every((declaration) => ts.isIdentifier(declaration.name))) return [statement];
    const names = declarations.map((declaration) => declaration.name as typescript.Identifier);
    const hoisted = factory.createVariableStatement(undefined, factory.createVariableDeclarationList(names.map((name) => factory.createVariableDeclaration(name.text)), ts.NodeFlags.None));
    const assignments = declarations
      .filter((declaration) => declaration.initializer)
      .map((declaration) => guard([factory.createExpressionStatement(factory.createAssignment(factory.createIdentifier((declaration.name as typescript.Identifier).text), declaration.initializer!))]));
    return [hoisted, ...assignments];
  }
  const isPrologue = ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
  if (
    !isPrologue &&
    (ts.isExpressionStatement(statement) ||
      ts.isIfStatement(statement) ||
      ts.isIterationStatement(statement, false) ||
      ts.isSwitchStatement(statement) ||
      ts.isBlock(statement) ||
      ts.isTryStatement(statement) ||
      ts.isLabeledStatement(statement))
  ) {
    return [guard([statement])];
  }
  return [statement];
}

/** An identifier that names a property (`a.require`, `{ module: 1 }`), not a variable. */
function isPropertyName(ts: typeof typescript, node: typescript.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node) return true;
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && (parent.propertyName === node || parent.name === node)) return true;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return true;
  return false;
}

/** Compiles the wrapper; an ES module with top-level `await` gets an async one. */
function compileWrapper(params: string[], prologue: string, body: string, fileName: string): { run: (...args: unknown[]) => unknown } {
  // The body sits in a block so that the module's own `const __dirname` may shadow a parameter.
  const source = (async: boolean) => `(${async ? 'async ' : ''}function (${params.join(', ')}) {${prologue}{${body}\n}})`;
  try {
    return { run: vm.runInThisContext(source(false), { filename: fileName }) as (...args: unknown[]) => unknown };
  } catch (error) {
    if (!(error instanceof SyntaxError) || !/await/.test(error.message)) throw error;
    return { run: vm.runInThisContext(source(true), { filename: fileName }) as (...args: unknown[]) => unknown };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message.split('\n')[0] : String(error)).slice(0, 200);
}

/**
 * Loads the model file and, on demand, its relative imports, each transpiled to CommonJS and
 * run in this worker. tfjs specifiers get the worker's instance, `symmetry-lint-layers` the
 * layers library, other packages a normal `require` from the importing file's folder. Packages
 * a model builder does not need, and any import that fails to load, become tolerant stubs;
 * `notes` says which.
 */
export class ModelModuleLoader {
  private readonly cache = new Map<string, LoadedModule>();
  /** What had to be stubbed or tolerated to load the code, in words, once each. */
  readonly notes: string[] = [];
  /** The tfjs the user's code sees: the worker's, with `setBackend` made harmless. */
  private readonly userTf: TF;

  constructor(
    private readonly tf: TF,
    /** Texts to use instead of the disk (the open document). */
    private readonly overrides: ReadonlyMap<string, string>,
  ) {
    const notes = this.notes;
    // A copy of the namespace's own properties (`import * as tf` copies own keys), where
    // `setBackend` is harmless: the probe's backend is fixed, and code that asks for webgl keeps it.
    const descriptors = Object.getOwnPropertyDescriptors(tf) as Record<string, PropertyDescriptor>;
    for (const descriptor of Object.values(descriptors)) descriptor.configurable = true;
    this.userTf = Object.defineProperties({}, descriptors) as TF;
    Object.defineProperty(this.userTf, 'setBackend', {
      enumerable: true,
      value: (name: string) => {
        note(notes, `tf.setBackend('${name}') ignored: the probe keeps its own backend`);
        return Promise.resolve(true);
      },
    });
  }

  /** The tfjs given to the user's code (also as the global `tf` of script-tag code). */
  get tfForUserCode(): TF {
    return this.userTf;
  }

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
    const { code } = transpileToCommonJs(ts, fileName, text);
    // The hook runs first (its getters are lazy), so the bindings stay reachable even when the
    // top-level code throws halfway through.
    let hook = '';
    if (withTopLevel) {
      const getters = topLevelNames(ts, fileName, text).map(({ name, exported }) => `get ${JSON.stringify(name)}() { return ${exported ? `exports.${name}` : name}; }`);
      hook = `${TOP_LEVEL_HOOK}({ ${getters.join(', ')} });\n`;
    }
    const strict = /^"use strict";/.exec(code);
    const prologue = strict ? strict[0] : '';
    const body = hook + code.slice(prologue.length);
    const userNames = WRAPPER_NAMES.map((name) => USER_PREFIX + name);
    const { run } = compileWrapper([...WRAPPER_NAMES, TOP_LEVEL_HOOK, IMPORT_META, STATEMENT_THREW, ...userNames], prologue, body, fileName);
    const module = { exports: record.exports as object, id: fileName, filename: fileName, loaded: false };
    const localRequire = Object.assign((specifier: string) => this.require(fileName, specifier), {
      resolve: (specifier: string) => this.resolveRelative(fileName, specifier) ?? createRequire(fileName).resolve(specifier),
    });
    const importMeta = {
      url: pathToFileURL(fileName).href,
      filename: fileName,
      dirname: path.dirname(fileName),
      resolve: (specifier: string) => pathToFileURL(localRequire.resolve(specifier)).href,
      // Bundlers' `import.meta.env.MODE` and the like.
      env: {},
    };
    const values = [module.exports, localRequire, module, fileName, path.dirname(fileName)];
    // Lines of top-level statements that threw and were skipped (page code, data loading).
    const skippedLines: number[] = [];
    const finish = () => {
      module.loaded = true;
      record.exports = module.exports;
      if (skippedLines.length > 0) {
        const lines = skippedLines.length === 1 ? `line ${skippedLines[0]}` : `lines ${skippedLines.slice(0, 5).join(', ')}${skippedLines.length > 5 ? ', ...' : ''}`;
        note(this.notes, `${path.basename(fileName)}: the top-level code at ${lines} threw and was skipped (first: ${firstLine(record.failure).slice(0, 80)})`);
        skippedLines.length = 0;
      }
    };
    try {
      const result = run(
        ...values,
        (topLevel: Record<string, unknown>) => {
          record.topLevel = topLevel;
        },
        importMeta,
        (error: unknown, line: number) => {
          record.failure ??= error;
          skippedLines.push(line);
        },
        ...values,
      );
      if (isThenable(result)) {
        record.settled = Promise.resolve(result).then(finish, (error: unknown) => {
          record.failure = error;
          finish();
        });
      }
    } catch (error) {
      record.failure = error;
    }
    finish();
    return record;
  }

  require(fromFile: string, specifier: string): unknown {
    if (TFJS_SPECIFIERS.has(specifier)) return this.userTf;
    if (specifier === LAYERS_LIBRARY) return loadLayersLibrary(fromFile);
    if (specifier === 'module' || specifier === 'node:module') return this.moduleShim(fromFile);
    if (isNeedlessPackage(specifier)) return this.stub(specifier, 'not needed to build a model');
    if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
      const resolved = this.resolveRelative(fromFile, specifier);
      if (!resolved) return this.stub(specifier, `not found beside ${path.basename(fromFile)}`);
      // Assets a bundler would handle (`import './style.css'`).
      if (!/\.(json|[cm]?[jt]sx?)$/i.test(resolved)) return this.stub(specifier, 'not code');
      const loaded = this.load(resolved);
      if (loaded.failure !== undefined) note(this.notes, `${specifier} threw while loading (${firstLine(loaded.failure)}): what it defined before that is used`);
      return loaded.exports;
    }
    try {
      return createRequire(fromFile)(specifier);
    } catch (error) {
      return this.stub(specifier, /Cannot find module|MODULE_NOT_FOUND/.test(String(error)) ? 'not installed' : `failed to load: ${firstLine(error)}`);
    }
  }

  private stub(specifier: string, why: string): unknown {
    note(this.notes, `module ${specifier} stubbed (${why})`);
    return tolerantStub();
  }

  /** `createRequire(import.meta.url)` in an ES module gets this loader's `require`, so tfjs stays the worker's. */
  private moduleShim(fromFile: string): unknown {
    return { ...(require('node:module') as object), createRequire: () => Object.assign((specifier: string) => this.require(fromFile, specifier), { resolve: (specifier: string) => createRequire(fromFile).resolve(specifier) }) };
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

function note(notes: string[], text: string): void {
  if (!notes.includes(text)) notes.push(text);
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
  if (isStub(value)) return 'a stub (a module that could not be loaded, or a browser global)';
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
    throw new ProbeFailure(`${what} threw: ${firstLine(error)}`);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Methods a class-builder may keep its model construction in, tried in this order on an instance that holds no model yet. */
const BUILDER_METHOD = /^(build|create|make|define|init|initialize|setup|get|generate|construct|load|reset)(model|network|net|graph)?$|^(build|create|make|define|get|generate|construct)\w*(model|network|net|graph)$/i;

/** The models an object holds in its own properties: one, or the one called `model`. */
function heldModel(tf: TF, current: object, what: string): tfjs.LayersModel | undefined {
  const found = Object.entries(current).filter(([, item]) => item instanceof tf.LayersModel);
  const model = found.length === 1 ? found[0] : found.find(([key]) => key === 'model');
  if (model) return model[1] as tfjs.LayersModel;
  if (found.length > 1) throw new ProbeFailure(`${what} holds several models (${found.map(([key]) => key).join(', ')}): declare the symmetry on the one to probe`);
  return undefined;
}

interface Obtaining {
  tf: TF;
  plan: ExecutePlan;
  notes: string[];
  /** The tfjs the user's code sees, for a builder that takes tfjs as a parameter. */
  userTf: TF;
}

/** The arguments chosen for the callable `what`, with tfjs put in where a parameter takes it. */
function argumentsOf(context: Obtaining, what: string): unknown[] {
  const chosen = context.plan.argumentNotes?.[what];
  if (chosen) note(context.notes, chosen);
  const marker = (value: unknown) => (value !== null && typeof value === 'object' ? (value as { symmetryLintArgument?: unknown }).symmetryLintArgument : undefined);
  return (context.plan.argumentsFor?.[what] ?? []).map((value) => {
    if (marker(value) === 'tfjs') return context.userTf;
    // A base model the head is built on: a pass-through of the shape the head is fed.
    if (marker(value) === 'model') return context.tf.sequential({ layers: [context.tf.layers.activation({ activation: 'linear', inputShape: (value as { outputShape: number[] }).outputShape })] });
    return value;
  });
}

/**
 * From the holder's value to a model: a model as it is, a function called (awaited) with the
 * arguments chosen for it, a class constructed, an object searched for its one model property
 * (and, when it holds none yet, its builder method called).
 */
async function materialise(context: Obtaining, value: unknown, owner: unknown, what: string): Promise<tfjs.LayersModel> {
  const { tf, plan } = context;
  const args = argumentsOf(context, what);
  let current = value;
  if (isStub(current)) throw new ProbeFailure(`${what} is ${describeValue(current)}, not a tf.LayersModel`);
  if (isClass(current)) {
    const Constructor = current as new (...parameters: unknown[]) => unknown;
    current = await userCode(`constructing ${what}`, () => new Constructor(...args), plan.timeoutMs);
  } else if (typeof current === 'function' && !(current instanceof tf.LayersModel)) {
    const fn = current as (this: unknown, ...parameters: unknown[]) => unknown;
    current = await userCode(`calling ${what}()`, () => fn.apply(owner, args), plan.timeoutMs);
    // A method may store the model on `this` and return nothing.
    if (current === undefined && owner !== null && typeof owner === 'object') current = owner;
  } else if (isThenable(current)) {
    const pending = current;
    current = await userCode(`awaiting ${what}`, () => Promise.resolve(pending), plan.timeoutMs);
  }
  if (current instanceof tf.LayersModel && current.layers.length === 0 && owner !== null && typeof owner === 'object') {
    // An empty model an object fills in one of its methods (`model: tf.sequential()` beside `create() { this.model.add(...) }`).
    const ownerName = what.split('.').slice(0, -1).join('.') || what;
    const empty = current;
    for (const name of methodNames(owner).filter((method) => BUILDER_METHOD.test(method))) {
      const method = (owner as Record<string, unknown>)[name] as (...parameters: unknown[]) => unknown;
      await userCode(`calling ${ownerName}.${name}()`, () => method.apply(owner, argumentsOf(context, `${ownerName}.${name}`)), plan.timeoutMs);
      const now = (owner as Record<string, unknown>)[what.split('.').pop()!];
      const filled = now instanceof tf.LayersModel && now.layers.length > 0 ? now : empty.layers.length > 0 ? empty : undefined;
      if (filled) {
        note(context.notes, `${ownerName}.${name}() called to add the model's layers`);
        return filled;
      }
    }
  }
  if (current instanceof tf.LayersModel) return current;
  if (current !== null && typeof current === 'object' && !isStub(current)) {
    const held = heldModel(tf, current, what);
    if (held) return held;
    // A class-builder: the constructor stores the configuration, a method builds the model.
    const instance = current as Record<string, unknown>;
    const methods = methodNames(instance).filter((name) => BUILDER_METHOD.test(name));
    for (const name of methods) {
      const method = instance[name] as (...parameters: unknown[]) => unknown;
      const built = await userCode(`calling ${what}.${name}()`, () => method.apply(instance, argumentsOf(context, `${what}.${name}`)), plan.timeoutMs);
      const model = built instanceof tf.LayersModel ? built : heldModel(tf, current, what);
      if (model) {
        note(context.notes, `${what}.${name}() called to build the model`);
        return model;
      }
    }
    const foreign = current as { predict?: unknown; layers?: unknown };
    if (typeof foreign.predict === 'function' && Array.isArray(foreign.layers)) {
      throw new ProbeFailure(`${what} gave a model from another copy of tfjs than the probe's (a package outside the model's folder imports its own @tensorflow/tfjs): the probe cannot measure it`);
    }
  }
  throw new ProbeFailure(`${what} gave ${describeValue(current)}, not a tf.LayersModel`);
}

/** The methods of an object: its own (an object literal's), then its classes' (not Object's), own class first. */
function methodNames(instance: object): string[] {
  const names: string[] = Object.keys(instance).filter((name) => typeof (instance as Record<string, unknown>)[name] === 'function' && !isClass((instance as Record<string, unknown>)[name]));
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || names.includes(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (descriptor && typeof descriptor.value === 'function') names.push(name);
    }
  }
  return names;
}

/**
 * A model held by a local variable of a function (`const model = ...; return model`): the
 * function is called (`export default`, a top-level function, a method of a top-level object)
 * and the model it returns, or the one the returned object holds, is measured.
 */
async function fromEnclosing(context: Obtaining, loaded: LoadedModule, outer: string, members: string[]): Promise<tfjs.LayersModel> {
  const { plan } = context;
  const topLevel = loaded.topLevel ?? {};
  let owner: unknown;
  let value: unknown = outer in topLevel ? topLevel[outer] : (loaded.exports as Record<string, unknown>)[outer];
  for (const member of members) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) break;
    owner = value;
    value = (value as Record<string, unknown>)[member];
  }
  const what = plan.enclosing!;
  if (typeof value !== 'function') throw new ProbeFailure(`cannot reach ${plan.modelName}: it is local to ${what}, which is ${describeValue(value)} once ${path.basename(plan.fileName)} has run`);
  const model = await materialise(context, value, owner, what);
  note(context.notes, `${plan.modelName} is local to ${what === 'default' ? 'the default export' : what}: the model it returns is measured`);
  return model;
}

/** Finds the holder among the file's top-level bindings (or the globals a script made) and follows `Class.method` names. */
async function obtainModel(context: Obtaining, loaded: LoadedModule): Promise<tfjs.LayersModel> {
  const { plan } = context;
  const [head, ...rest] = (plan.holderPath ?? plan.modelName).split('.');
  // `exports.getModel = ...`, `module.exports.build = ...` in a CommonJS file: its exports object.
  const commonJsExports = (head === 'exports' || (head === 'module' && rest[0] === 'exports')) && !(head in (loaded.topLevel ?? {}));
  if (commonJsExports && head === 'module') rest.shift();
  const file = path.basename(plan.fileName);
  const topLevel = loaded.topLevel ?? {};
  const scope = globalThis as Record<string, unknown>;
  const thrown = loaded.failure !== undefined ? `; its top-level code threw: ${firstLine(loaded.failure)}` : '';
  let value: unknown;
  if (plan.enclosing) {
    const [outer, ...members] = plan.enclosing.split('.');
    const reachable = outer in topLevel || (loaded.exports as Record<string, unknown> | undefined)?.[outer] !== undefined;
    if (reachable && !(head in topLevel)) {
      try {
        return await fromEnclosing(context, loaded, outer, members);
      } catch (error) {
        // The call may have set the holder up (`self.build = ...` inside it): try the path itself.
        if (!(error instanceof ProbeFailure) || scope[head] === undefined) throw error;
      }
    }
  }
  try {
    value = commonJsExports ? loaded.exports : head in topLevel ? topLevel[head] : ((loaded.exports as Record<string, unknown> | undefined)?.[head] ?? scope[head]);
  } catch (error) {
    throw new ProbeFailure(`${head} in ${file} could not be read after the module ran: ${firstLine(error)}${thrown}`);
  }
  if (value === undefined) {
    throw new ProbeFailure(
      loaded.failure !== undefined
        ? `running ${file} threw before ${head} was set: ${firstLine(loaded.failure)}`
        : `${file} has no top-level ${head} once it has run: execute mode obtains models from top-level functions, classes, variables and class methods`,
    );
  }
  let owner: unknown;
  let what = head;
  for (const key of rest) {
    if (isClass(value) && !(key in value)) {
      const Constructor = value as new (...parameters: unknown[]) => unknown;
      const args = argumentsOf(context, what);
      value = await userCode(`constructing ${what}`, () => new Constructor(...args), plan.timeoutMs);
    } else if (typeof value === 'function' && !isClass(value) && !(key in value)) {
      // `outer.inner`: a model held by a local variable of `outer`; calling `outer` is the
      // only way to reach it, and works when `outer` returns it (or an object holding it).
      const fn = value as (this: unknown, ...parameters: unknown[]) => unknown;
      const args = argumentsOf(context, what);
      const result = await userCode(`calling ${what}()`, () => fn.apply(owner, args), plan.timeoutMs);
      if (result instanceof context.tf.LayersModel) {
        note(context.notes, `${plan.modelName} is local to ${what}: the model ${what}() returns is measured`);
        return result;
      }
      if (result !== null && typeof result === 'object' && key in result) {
        value = result;
      } else {
        const held = result !== null && typeof result === 'object' && !isStub(result) ? heldModel(context.tf, result, what) : undefined;
        if (held) {
          note(context.notes, `${plan.modelName} is local to ${what}: the model ${what}() returns is measured`);
          return held;
        }
        throw new ProbeFailure(`cannot reach ${plan.modelName} by running ${file}: ${key} is a local variable of ${what}, and ${what}() gives ${describeValue(result)}, not the model (return the model from ${what}, or declare the symmetry on a function that returns it)`);
      }
    }
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || !(key in (value as object))) {
      throw new ProbeFailure(`cannot reach ${plan.modelName} by running ${file}: ${what} has no member ${key} (a model held by a local variable inside a function cannot be obtained; declare the symmetry on the function)${thrown}`);
    }
    owner = value;
    value = (value as Record<string, unknown>)[key];
    what = `${what}.${key}`;
  }
  return materialise(context, value, owner, what);
}

/**
 * The holder's model, or, when its path does not lead to one (the builder wraps the model in
 * something else, keeps it on a component, or throws after building it), the model the code
 * built whose layers match the source's, said so. A code that asked for a pretrained model
 * and got none is skipped: it cannot be measured offline.
 */
async function obtainOrRecorded(context: Obtaining, loaded: LoadedModule, recorder: ExecuteRecorder): Promise<tfjs.LayersModel> {
  try {
    return await obtainModel(context, loaded);
  } catch (error) {
    if (error instanceof ProbeSkip) throw error;
    const sourceCount = context.plan.sourceLayers.length;
    const score = (model: tfjs.LayersModel) => alignLayers(model.layers.filter((layer) => layer.getClassName() !== 'InputLayer').map((layer) => ({ kind: layer.getClassName() })), context.plan.sourceLayers, 0).matched;
    const recorded = recorder.bestMatch(context.tf, sourceCount, score);
    if (recorded) {
      const matched = score(recorded);
      note(context.notes, `${error instanceof Error ? error.message.split('\n')[0] : String(error)}; the model the code built that matches the source (${matched} of ${sourceCount} layers by kind) is measured instead`);
      return recorded;
    }
    if (recorder.refusedDownloads.length > 0) {
      throw new ProbeSkip(`the code loads a pretrained model (${recorder.refusedDownloads[0]}), which the probe does not download: not measured offline (${firstLine(error)})`);
    }
    throw error;
  }
}

/**
 * Gives each executed layer the line of the extracted layer it corresponds to: an in-order
 * match by kind (the executed model is what the source builds, so the order agrees where the
 * analysis could follow it); layers without a match get the holder's line and an id that no
 * extracted layer has.
 */
export function alignLayers<L extends { kind: string }>(executed: L[], source: ExecutePlan['sourceLayers'], holderLine: number): { layers: (L & { id: number; line: number })[]; matched: number } {
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

/**
 * Keeps the worker alive through what real files do besides building a model: a promise of the
 * file's own (`main().then(train)`) that rejects, a timer callback that throws, `process.exit()`
 * after training. Each is noted; the worker is replaced after an execute job anyway.
 */
function guardWorker(notes: string[]): void {
  const noteBackground = (error: unknown) => note(notes, `the code threw in the background, ignored: ${firstLine(error)}`);
  // tfjs-wasm's Emscripten glue registers listeners that rethrow (`unhandledRejection` ->
  // `throw reason`): they ran before ours and turned a page's rejected `init()` into a worker
  // crash. This worker serves one execute job and is then replaced, so they are dropped.
  process.removeAllListeners('uncaughtException');
  process.removeAllListeners('unhandledRejection');
  process.on('uncaughtException', noteBackground);
  process.on('unhandledRejection', noteBackground);
  process.exit = ((code?: number) => {
    throw new Error(`the code called process.exit(${code ?? ''})`);
  }) as typeof process.exit;
}

/** An error that carries what had been stubbed or chosen when it happened. */
export function withNotes(error: unknown, notes: readonly string[]): unknown {
  if (notes.length > 0 && error !== null && typeof error === 'object') (error as { notes?: string[] }).notes = [...notes];
  return error;
}

/**
 * A Sequential model whose first layer declares no input shape has no inputs until it sees
 * data: it is applied to an input of the shape the probe chose for it.
 */
function withInput(tf: TF, model: tfjs.LayersModel, plan: ExecutePlan, notes: string[]): tfjs.LayersModel | undefined {
  const shape = plan.fallbackInputShape;
  if (!shape || !(model instanceof tf.Sequential) || model.layers.length === 0) return undefined;
  try {
    const input = tf.input({ shape });
    let output = input;
    for (const layer of model.layers) output = layer.apply(output) as tfjs.SymbolicTensor;
    note(notes, `input shape [${shape.join(', ')}] chosen: the model the code built declares none`);
    return tf.model({ inputs: input, outputs: output });
  } catch {
    return undefined;
  }
}

/**
 * A stateful RNN (`stateful: true` with a fixed `batchInputShape`) only takes its own batch size;
 * the probe feeds others. One predict from a fresh state is what the stateless layer computes,
 * so the model is rebuilt from its configuration without state and with a free batch axis.
 */
async function withoutState(tf: TF, model: tfjs.LayersModel, notes: string[]): Promise<tfjs.LayersModel> {
  if (!model.layers.some((layer) => (layer.getConfig() as { stateful?: unknown }).stateful === true)) return model;
  const topology = model.toJSON(null, false) as { config?: unknown };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.stateful === true) record.stateful = false;
      if (Array.isArray(record.batch_input_shape)) record.batch_input_shape = [null, ...(record.batch_input_shape as unknown[]).slice(1)];
      if (Array.isArray(record.batch_shape)) record.batch_shape = [null, ...(record.batch_shape as unknown[]).slice(1)];
      Object.values(record).forEach(visit);
    }
  };
  visit(topology);
  try {
    const rebuilt = await tf.models.modelFromJSON({ modelTopology: topology as tfjs.io.ModelJSON['modelTopology'] });
    note(notes, 'stateful recurrent layers rebuilt stateless with a free batch size: one predict from a fresh state computes the same');
    return rebuilt;
  } catch (error) {
    throw new ProbeFailure(`the model has stateful recurrent layers with a fixed batch size, and rebuilding it stateless failed: ${firstLine(error)}`);
  }
}

/**
 * Sizes for the axes a model leaves free (`shape: [null, null, 3]`): the literal plan's, which
 * the static analysis chose so that every layer's output stays non-empty (valid convolutions and
 * pools shrink a map), instead of one default size that may shrink it to nothing.
 */
function withPlannedSizes(model: tfjs.LayersModel, inputs: PlanInput[], plan: ExecutePlan, notes: string[]): PlanInput[] {
  const planned = plan.fallbackInputShape;
  if (!planned || inputs.length !== 1 || model.inputs.length !== 1) return inputs;
  const declared = model.inputs[0].shape.slice(1);
  if (declared.length !== planned.length || declared.every((dim) => typeof dim === 'number')) return inputs;
  const shape = declared.map((dim, axis) => (typeof dim === 'number' && dim > 0 ? dim : planned[axis]));
  note(notes, `input shape [${shape.join(', ')}] chosen for the free axes of [${declared.map((dim) => dim ?? 'null').join(', ')}], from the static analysis (every layer's output stays non-empty)`);
  return [{ ...inputs[0], shape }];
}

/** Layers of classes tfjs does not know (defined by the code, not registered): their call() is the code's. */
function customLayerNames(tf: TF, model: tfjs.LayersModel): string[] {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  return [...new Set(model.layers.filter((layer) => known[layer.getClassName()]?.[0] !== layer.constructor).map((layer) => layer.getClassName()))];
}

/** Whether the first layer that has a data format reads channels first (then the input is laid out so). */
function readsChannelsFirst(model: tfjs.LayersModel): boolean {
  for (const layer of model.layers) {
    const format = (layer.getConfig() as { dataFormat?: unknown }).dataFormat;
    if (typeof format === 'string') return format === 'channelsFirst';
  }
  return false;
}

/** Runs the model code, obtains the model and measures it; the model is disposed afterwards. */
export async function runExecutePlan(tf: TF, plan: ExecutePlan): Promise<MeasuredModel> {
  const started = performance.now();
  const loader = new ModelModuleLoader(tf, new Map([[plan.fileName, plan.sourceText]]));
  const notes = loader.notes;
  const recorder = new ExecuteRecorder(notes);
  recorder.install(tf, loader.tfForUserCode);
  guardWorker(notes);
  const browserGlobals = new Set<string>();
  const removePageGlobals = installBrowserGlobals(loader.tfForUserCode, browserGlobals);
  const undeclaredRead = new Set<string>();
  const removeUndeclared = installUndeclaredGlobals(plan.undeclared ?? {}, undeclaredRead);
  const removeBrowserGlobals = () => {
    removeUndeclared();
    removePageGlobals();
  };
  const noteBrowserGlobals = () => {
    if (browserGlobals.size > 0) note(notes, `browser globals stubbed (no page exists here): ${[...browserGlobals].join(', ')}`);
    const read = [...undeclaredRead];
    const valued = read.filter((name) => plan.undeclared?.[name] !== undefined).map((name) => `${name} = ${JSON.stringify(plan.undeclared![name])}`);
    const stubbed = read.filter((name) => plan.undeclared?.[name] === undefined);
    if (valued.length > 0) note(notes, `names the file reads but never defines given values the probe chose: ${valued.join(', ')}`);
    if (stubbed.length > 0) note(notes, `names the file reads but never defines (globals of the page's other scripts) stubbed: ${stubbed.join(', ')}`);
  };
  let model: tfjs.LayersModel;
  try {
    let loaded: LoadedModule;
    try {
      loaded = loader.load(plan.fileName, true);
    } catch (error) {
      if (error instanceof ProbeFailure) throw error;
      throw new ProbeFailure(`running ${path.basename(plan.fileName)} threw: ${firstLine(error)}`);
    }
    if (loaded.settled) await userCode(`running ${path.basename(plan.fileName)} (top-level await)`, () => loaded.settled, plan.timeoutMs);
    model = await obtainOrRecorded({ tf, plan, notes, userTf: loader.tfForUserCode }, loaded, recorder);
  } catch (error) {
    noteBrowserGlobals();
    throw withNotes(error, notes);
  } finally {
    removeBrowserGlobals();
  }
  noteBrowserGlobals();
  try {
    let inputs: tfjs.SymbolicTensor[] | undefined;
    try {
      inputs = model.inputs;
    } catch {
      inputs = undefined;
    }
    if (!inputs || inputs.length === 0) {
      const applied = withInput(tf, model, plan, notes);
      if (!applied) throw new ProbeFailure(`the model ${plan.modelName} built by the code has no inputs yet: give its first layer an inputShape (or call model.build)`);
      model = applied;
    }
    const stateless = await withoutState(tf, model, notes);
    if (stateless !== model) {
      model.dispose();
      model = stateless;
    }
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
      throw new ProbeFailure(`the model built by the code cannot be measured layer by layer: ${firstLine(error)}`);
    }
    structure = { ...structure, inputs: withPlannedSizes(model, structure.inputs, plan, notes) };
    if (readsChannelsFirst(model)) {
      // The group acts on the spatial axes, which follow the channels here ([1, 19, 19] is one 19x19 plane).
      structure = { ...structure, inputs: structure.inputs.map((input) => ({ ...input, channelsFirst: true })) };
      note(notes, 'the model reads its input channels first (dataFormat: channelsFirst): the group acts on the axes after the channels');
    }
    const { layers } = alignLayers(structure.layers, plan.sourceLayers, plan.line);
    // The probe tests the architecture: whatever weights the code set are re-drawn.
    redrawWeights(tf, model, plan.seed);
    let measured: MeasuredModel;
    try {
      measured = measureModel(tf, { model: everyOutput, plan: { inputs: structure.inputs, layers, outputs: structure.outputs, declarations: plan.declarations, seed: plan.seed }, buildMs: performance.now() - started });
    } catch (error) {
      const custom = customLayerNames(tf, model);
      if (error instanceof ProbeFailure || custom.length === 0) throw error;
      // tfjs runs the code's own call() there: the likeliest cause, and the one the user can act on.
      // Not a ProbeFailure: the worker is replaced, as after any error from inside tfjs.
      throw new Error(`running the model failed (${firstLine(error)}); it has custom layers whose call() is the code's own (${custom.join(', ')}): the error most likely comes from one of them, e.g. a call() that takes its input as one tensor where tfjs passes a list`);
    }
    return notes.length > 0 ? { ...measured, notes: [...notes] } : measured;
  } catch (error) {
    throw withNotes(error, notes);
  } finally {
    model.dispose();
  }
}
