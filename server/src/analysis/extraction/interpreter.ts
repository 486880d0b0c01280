// The abstract interpreter of model-building code: evaluates expressions and statements of a
// unit over abstract values, following helpers across files, and records layers and models.
// This class holds the per-interpreter and per-unit state and is the one entry other modules
// use; the work is done by its rooms, each a class holding a back-reference to it:
// statements.ts, expressions.ts, calls.ts, builtins.ts, tfjsCalls.ts, classes.ts and
// moduleBindings.ts (interpreterShared.ts holds what they share).
import type { ts } from 'ts-morph';
import type { ExtractionGap, LayerOrigin, SourceSpan } from '../graph';
import type { SourceProvider } from '../sourceProvider';
import { Builtins } from './builtins';
import { Calls } from './calls';
import { Classes } from './classes';
import { CustomLayerReader } from './customLayers';
import { Expressions } from './expressions';
import { FileContext } from './fileContext';
import { ModuleBindings } from './moduleBindings';
import { type Completion, Statements } from './statements';
import { TfjsCalls } from './tfjsCalls';
import {
  type AbstractValue,
  type ClassValue,
  type FunctionValue,
  type LayerInstance,
  type ModelUnderConstruction,
  type ObjectValue,
  Scope,
} from './values';

// Names other modules have imported from here since before the split.
export { calleeName, clip, truthiness } from './interpreterShared';
export { LIBRARY_LAYER_CLASSES, reachableApplications, toConstValue } from './tfjsCalls';

/** Thrown when a unit used up its step budget; caught per unit. */
export class StepBudgetExhausted extends Error {
  constructor(readonly span: SourceSpan) {
    super('step budget exhausted');
  }
}

/**
 * A decision a run took where the path depends on a value not known statically (an unknown
 * `if`, switch, ternary or `&&`): which option, out of which, in the user's words.
 */
export interface ChoiceMade {
  /** The decision's identity within a run: a condition met twice is decided once. */
  key: string;
  option: number;
  /** Each option's label (`rnnType === 'lstm'`, `!useDropout`), as the variant names it. */
  labels: string[];
  /** The tested expression, where a gap about an option not followed goes. */
  span: SourceSpan;
  /** `Interpreter.progress()` when the decision was taken. */
  progress: number;
}

/** What a test of an unknown value has settled for the rest of a run (`rnnType === 'lstm'`). */
export interface EqualityFact {
  equal?: AbstractValue & { kind: 'primitive' };
  notEqual: unknown[];
}

/** Per-unit mutable state; reset by `beginUnit`. */
export interface UnitState {
  unitNode: ts.Node;
  steps: number;
  budget: number;
  unrolled: number;
  gaps: ExtractionGap[];
  /** Every model created while running the unit whose creation site is lexically in the unit. */
  directModels: ModelUnderConstruction[];
  /**
   * Function and class declarations whose text the run read (invoked, constructed, looked up
   * members of), in any file: a unit's result depends on these beyond its own text.
   */
  touched: Set<ts.Node>;
  /** Every `provider.getSourceFile` answer the run relied on, misses included. */
  filesRead: Map<string, ts.SourceFile | undefined>;
  /**
   * Names the run looked up at the top level of the unit's own file, found or not: a
   * declaration of one that appears, goes or moves changes the result though no text the run
   * read changed (a helper renamed and renamed back).
   */
  topLevelNames: Set<string>;
  /** The file the unit is in (the one whose top-level lookups `topLevelNames` records). */
  unitFile: ts.SourceFile;
  /** The options to take at the first decisions met (0 beyond): which path this run follows. */
  schedule: readonly number[];
  /** The decisions met, in order. */
  choices: ChoiceMade[];
  /** Decisions by key, so that a condition tested twice is taken the same way both times. */
  decided: Map<string, number>;
  /** Equalities the path has assumed, by the text of the unknown side. */
  facts: Map<string, EqualityFact>;
  /** A `throw` outside any `try` was reached: the path does not build a model. */
  threw: boolean;
}

const NO_SCHEDULE: readonly number[] = [];

export class Interpreter {
  // The rooms. They are stateless; the state below is shared with them, so it is not
  // private, but nothing outside the interpreter and its rooms should touch it.
  readonly statements = new Statements(this);
  readonly expressions = new Expressions(this);
  readonly calls = new Calls(this);
  readonly builtins = new Builtins(this);
  readonly tfjs = new TfjsCalls(this);
  readonly classes = new Classes(this);
  readonly modules = new ModuleBindings(this);
  readonly customLayers = new CustomLayerReader(this);

  private readonly files = new Map<string, FileContext>();
  private readonly moduleScopes = new Map<FileContext, Scope>();
  /** The running top-level unit's scope per file, so helpers see its variables. */
  readonly topLevelScopes = new Map<FileContext, Scope>();
  callStack: SourceSpan[] = [];
  readonly activeCalls = new Map<ts.Node, number>();
  /** Counts model additions and layer applications, to tell whether a branch built anything. */
  layerEvents = 0;
  /** Variable holders (`@symmetry` on a variable) whose values the unit wants to read back. */
  watchedDeclarations?: Map<ts.VariableDeclaration, AbstractValue | undefined>;
  tensorIds = 0;
  applicationSeq = 0;
  unit!: UnitState;
  /** Loops whose bound is unknown, waiting to learn whether their body built any layers. */
  readonly unknownLoopBounds = new Map<ts.Node, ExtractionGap>();
  /** How many `try` blocks the run is inside (a throw there is caught, not the path's end). */
  tryDepth = 0;

  /** The caller's provider, with every answer recorded in the running unit's `filesRead`. */
  readonly provider: SourceProvider;

  constructor(
    provider: SourceProvider,
    /** Creation site -> unit node, from discovery. */
    readonly creationSiteUnits: Map<ts.Node, ts.Node>,
    private readonly defaultBudget: number,
  ) {
    this.provider = {
      getSourceFile: (fileName: string) => {
        const sourceFile = provider.getSourceFile(fileName);
        this.unit?.filesRead.set(fileName, sourceFile);
        return sourceFile;
      },
    };
  }

  fileContext(sourceFile: ts.SourceFile): FileContext {
    let context = this.files.get(sourceFile.fileName);
    if (!context || context.sourceFile !== sourceFile) {
      context = new FileContext(sourceFile);
      this.files.set(sourceFile.fileName, context);
    }
    return context;
  }

  moduleScope(file: FileContext): Scope {
    let scope = this.moduleScopes.get(file);
    if (!scope) {
      scope = new Scope(undefined, file);
      this.moduleScopes.set(file, scope);
    }
    return scope;
  }

  /**
   * Starts a unit from a clean module state: module-level values are evaluated afresh for
   * each unit, so a unit's result never depends on which units ran before it (what lets the
   * engine re-run only the units an edit touched and reuse the others).
   */
  beginUnit(unitNode: ts.Node, schedule: readonly number[] = NO_SCHEDULE): UnitState {
    this.unit = {
      unitNode,
      steps: 0,
      budget: this.defaultBudget,
      unrolled: 0,
      gaps: [],
      directModels: [],
      touched: new Set(),
      filesRead: new Map(),
      topLevelNames: new Set(),
      unitFile: unitNode.getSourceFile(),
      schedule,
      choices: [],
      decided: new Map(),
      facts: new Map(),
      threw: false,
    };
    this.tryDepth = 0;
    this.callStack = [];
    this.activeCalls.clear();
    this.unknownLoopBounds.clear();
    this.moduleScopes.clear();
    for (const file of this.files.values()) {
      file.valueCache.clear();
      file.evaluating.clear();
    }
    return this.unit;
  }

  /** Notes that the running unit read a function's or class's text. */
  touch(node: ts.Node): void {
    this.unit?.touched.add(node);
  }

  setTopLevelScope(file: FileContext, scope: Scope | undefined): void {
    if (scope) this.topLevelScopes.set(file, scope);
    else this.topLevelScopes.delete(file);
  }

  gap(message: string, span: SourceSpan, chosenPath = false): void {
    if (!this.unit.gaps.some((g) => g.message === message && g.span.start === span.start && g.span.file === span.file)) {
      this.unit.gaps.push({ message, span, ...(chosenPath ? { chosenPath } : {}) });
    }
  }

  /**
   * Takes a decision the code makes on a value not known statically: the option the run's
   * schedule says for the n-th decision met (0 past its end), or the one taken before for
   * the same key. The unit runner re-runs the unit with other schedules to cover the others.
   */
  choose(key: string, labels: string[], span: SourceSpan): number {
    const unit = this.unit;
    const known = unit.decided.get(key);
    if (known !== undefined) return known;
    const index = unit.choices.length;
    const option = index < unit.schedule.length ? Math.min(unit.schedule[index], labels.length - 1) : 0;
    unit.choices.push({ key, option, labels, span, progress: this.progress() });
    unit.decided.set(key, option);
    return option;
  }

  /**
   * Grows with each layer added or applied and each model created: a decision after which a
   * run made no progress cannot have changed the models it built (only its other options can).
   */
  progress(): number {
    return this.layerEvents + this.unit.directModels.length;
  }

  /** Records that the path assumes `subject` (source text, unknown value) equals or differs from `value`. */
  assumeEquality(subject: string, value: AbstractValue & { kind: 'primitive' }, equal: boolean): void {
    let fact = this.unit.facts.get(subject);
    if (!fact) {
      fact = { notEqual: [] };
      this.unit.facts.set(subject, fact);
    }
    if (equal) fact.equal = value;
    else if (!fact.notEqual.includes(value.value)) fact.notEqual.push(value.value);
  }

  /** Whether the path has assumed `subject === value`: true, false, or undefined when it has not. */
  assumedEqual(subject: string, value: unknown): boolean | undefined {
    const fact = this.unit.facts.get(subject);
    if (!fact) return undefined;
    if (fact.equal) return fact.equal.value === value;
    return fact.notEqual.includes(value) ? false : undefined;
  }

  step(node: ts.Node, scope: Scope): void {
    if (++this.unit.steps > this.unit.budget) throw new StepBudgetExhausted(scope.file.span(node));
  }

  // ---------------------------------------------------------------- the rooms' entries

  runStatements(statements: readonly ts.Statement[], scope: Scope, skipDeclarations = false): Completion {
    return this.statements.runStatements(statements, scope, skipDeclarations);
  }

  runStatement(node: ts.Statement, scope: Scope): Completion {
    return this.statements.runStatement(node, scope);
  }

  /** Binds a name or destructuring pattern in `target`; defaults are evaluated in `scope`. */
  bindPattern(name: ts.BindingName, value: AbstractValue, target: Scope, scope: Scope): void {
    this.statements.bindPattern(name, value, target, scope);
  }

  evaluate(node: ts.Expression, scope: Scope): AbstractValue {
    return this.expressions.evaluate(node, scope);
  }

  getProperty(object: AbstractValue, name: string, node: ts.Node, scope: Scope): AbstractValue {
    return this.expressions.getProperty(object, name, node, scope);
  }

  assignTo(target: ts.Expression, value: AbstractValue, scope: Scope): void {
    this.expressions.assignTo(target, value, scope);
  }

  /** A module-level binding of `file`: imports, consts (evaluated lazily, cached), functions. */
  staticLookup(file: FileContext, name: string): AbstractValue | undefined {
    return this.modules.staticLookup(file, name);
  }

  importValue(file: FileContext, specifier: string, imported: string, node: ts.Node): AbstractValue {
    return this.modules.importValue(file, specifier, imported, node);
  }

  exportedValue(file: FileContext, name: string, node: ts.Node, fromFile: FileContext, depth: number): AbstractValue {
    return this.modules.exportedValue(file, name, node, fromFile, depth);
  }

  /** The base class when it is itself a user class. */
  userBaseClass(classValue: ClassValue): ClassValue | undefined {
    return this.classes.userBaseClass(classValue);
  }

  baseClassValue(classValue: ClassValue): AbstractValue | undefined {
    return this.classes.baseClassValue(classValue);
  }

  /** What a class is, by walking its `extends` chain: a model, a layer or a plain class. */
  classCategory(classValue: ClassValue): 'model' | 'layer' | 'plain' {
    return this.classes.classCategory(classValue);
  }

  instantiate(classValue: ClassValue, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    return this.classes.instantiate(classValue, args, node, scope);
  }

  /** Runs field initialisers and the constructor (of the class and its user base classes). */
  construct(classValue: ClassValue, args: AbstractValue[], thisValue: AbstractValue, node: ts.Node, scope: Scope): void {
    this.classes.construct(classValue, args, thisValue, node, scope);
  }

  /** Calls a user function: binds parameters (defaults for missing ones), runs the body. */
  invoke(fn: FunctionValue, args: AbstractValue[], thisValue: AbstractValue | undefined, callNode: ts.Node, callerScope: Scope, pushCallSite: boolean): AbstractValue {
    return this.calls.invoke(fn, args, thisValue, callNode, callerScope, pushCallSite);
  }

  createModel(construction: ModelUnderConstruction['construction'], node: ts.Node, scope: Scope): ModelUnderConstruction {
    return this.tfjs.createModel(construction, node, scope);
  }

  makeLayer(kind: string, origin: LayerOrigin, configArg: AbstractValue | undefined, node: ts.Node, nameNode: ts.Node, scope: Scope, unknownCallee?: AbstractValue): LayerInstance {
    return this.tfjs.makeLayer(kind, origin, configArg, node, nameNode, scope, unknownCallee);
  }

  applyLayer(layer: LayerInstance, arg: AbstractValue | undefined, node: ts.Node, scope: Scope): AbstractValue {
    return this.tfjs.applyLayer(layer, arg, node, scope);
  }
}
