// Extraction entry: discovers model units in a file, runs each with the abstract interpreter
// and assembles the layer graphs of the models they build, named after their holders.
import { ts } from 'ts-morph';
import type { ExtractionGap, ExtractionResult, ModelGraph, OrphanHolder, SourceSpan } from '../graph';
import type { SourceProvider } from '../sourceProvider';
import { type Discovery, type Unit, discover, jsDocBlocks } from './discovery';
export type { Discovery, Unit } from './discovery';
import type { FileContext } from './fileContext';
import { assembleModel, type HolderInfo } from './graphAssembly';
import { Interpreter, StepBudgetExhausted, type UnitState } from './interpreter';
import { type AbstractValue, type ClassValue, type ModelUnderConstruction, Scope } from './values';
import { exploreVariants, holderKey, type PathRun } from './variants';

export interface ExtractionOptions {
  /** Evaluation steps one unit may take before it is stopped (default 200,000). */
  stepBudget?: number;
  /** The file's discovery when the caller already ran it (the engine's unit cache does). */
  discovery?: Discovery;
  /**
   * Asked before each unit runs: a result returned here is used as the unit's outcome and the
   * unit is not run. Lets the engine reuse units an edit did not touch.
   */
  reuse?: (unit: Unit) => UnitResult | undefined;
  /** Told about each unit that ran, with what its result depends on. */
  onUnitRun?: (unit: Unit, result: UnitResult, dependencies: UnitDependencies) => void;
}

/** The models (assembled) and orphan holders one unit yields. */
export interface UnitResult {
  models: ModelGraph[];
  orphans: OrphanHolder[];
}

/** What a unit's result depends on besides its own text and the file's top-level text. */
export interface UnitDependencies {
  /** Function and class declarations (in any file) the run read. */
  touched: ReadonlySet<ts.Node>;
  /** The source provider's answers the run relied on, by file name. */
  filesRead: ReadonlyMap<string, ts.SourceFile | undefined>;
  /** Names looked up at the top level of the unit's own file, found or not. */
  topLevelNames: ReadonlySet<string>;
}

const DEFAULT_STEP_BUDGET = 200_000;

/** A script's training calls. */
const TRAINS = /\.\s*(?:fit|fitDataset|compile)\s*\(/;

type DocComment = { text: string; span: SourceSpan };

function docsOf(node: ts.Node | undefined, file: FileContext): DocComment[] {
  if (!node) return [];
  return jsDocBlocks(node, file.sourceFile).map((block) => ({
    text: block.text,
    span: { file: file.fileName, start: block.start, end: block.end },
  }));
}

function unwrapParent(node: ts.Node): ts.Node {
  let parent = node.parent;
  while (
    parent &&
    (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isAwaitExpression(parent) ||
      ts.isNonNullExpression(parent) || ts.isSatisfiesExpression(parent))
  ) {
    parent = parent.parent;
  }
  return parent;
}

function defaultKeyword(node: ts.Node): ts.Node | undefined {
  return ts.canHaveModifiers(node) ? ts.getModifiers(node)?.find((m) => m.kind === ts.SyntaxKind.DefaultKeyword) : undefined;
}

function classNameNode(node: ts.ClassLikeDeclaration): { name: string; nameNode: ts.Node; statement: ts.Node } {
  if (node.name) return { name: node.name.text, nameNode: node.name, statement: node };
  const parent = unwrapParent(node);
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return { name: parent.name.text, nameNode: parent.name, statement: parent.parent.parent };
  }
  return { name: 'default', nameNode: defaultKeyword(node) ?? node, statement: node };
}

/** The holder of a function unit: its name, name span and JSDoc, or undefined for callbacks. */
function functionHolder(fn: ts.FunctionLikeDeclaration, file: FileContext): HolderInfo | undefined {
  const span = (node: ts.Node) => file.span(node);
  if (ts.isFunctionDeclaration(fn)) {
    const nameNode = fn.name ?? defaultKeyword(fn) ?? fn;
    return { name: fn.name?.text ?? 'default', nameSpan: span(nameNode), docComments: docsOf(fn, file) };
  }
  if (ts.isMethodDeclaration(fn) || ts.isConstructorDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    const owner = fn.parent;
    if (ts.isClassLike(owner)) {
      const cls = classNameNode(owner);
      const classDocs = docsOf(cls.statement, file);
      if (ts.isConstructorDeclaration(fn)) {
        return { name: cls.name, nameSpan: span(cls.nameNode), docComments: [...docsOf(fn, file), ...classDocs] };
      }
      return { name: `${cls.name}.${fn.name.getText(file.sourceFile)}`, nameSpan: span(fn.name), docComments: [...docsOf(fn, file), ...classDocs] };
    }
    if (ts.isObjectLiteralExpression(owner) && !ts.isConstructorDeclaration(fn)) {
      return { name: fn.name.getText(file.sourceFile), nameSpan: span(fn.name), docComments: docsOf(fn, file) };
    }
    return undefined;
  }
  const parent = unwrapParent(fn);
  if (!parent) return undefined;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return { name: parent.name.text, nameSpan: span(parent.name), docComments: docsOf(parent.parent.parent, file) };
  }
  if (ts.isPropertyAssignment(parent)) {
    return { name: parent.name.getText(file.sourceFile), nameSpan: span(parent.name), docComments: docsOf(parent, file) };
  }
  if (ts.isPropertyDeclaration(parent) && ts.isClassLike(parent.parent)) {
    const cls = classNameNode(parent.parent);
    return {
      name: `${cls.name}.${parent.name.getText(file.sourceFile)}`,
      nameSpan: span(parent.name),
      docComments: [...docsOf(parent, file), ...docsOf(cls.statement, file)],
    };
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return { name: parent.left.getText(file.sourceFile), nameSpan: span(parent.left), docComments: docsOf(parent.parent, file) };
  }
  if (ts.isExportAssignment(parent)) {
    return { name: 'default', nameSpan: span(fn), docComments: docsOf(parent, file) };
  }
  if (ts.isFunctionExpression(fn) && fn.name) {
    return { name: fn.name.text, nameSpan: span(fn.name), docComments: [] };
  }
  return undefined;
}

/** Names a model after the variable (or property, or export) its creation is assigned to. */
function variableHolder(model: ModelUnderConstruction, file: FileContext, scope: Scope | undefined): HolderInfo | undefined {
  const node = model.creationNode;
  if (node.getSourceFile() !== file.sourceFile) return undefined;
  const parent = unwrapParent(node);
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return { name: parent.name.text, nameSpan: file.span(parent.name), docComments: docsOf(parent.parent.parent, file) };
  }
  if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = parent.left;
    const name = ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword ? left.name.text : left.getText(file.sourceFile);
    return { name, nameSpan: file.span(left), docComments: docsOf(parent.parent, file) };
  }
  if (parent && ts.isPropertyAssignment(parent)) {
    return { name: parent.name.getText(file.sourceFile), nameSpan: file.span(parent.name), docComments: docsOf(parent, file) };
  }
  if (parent && ts.isExportAssignment(parent)) {
    return { name: 'default', nameSpan: file.span(node), docComments: docsOf(parent, file) };
  }
  if (scope) {
    for (const [name, value] of scope.vars) {
      if (value.kind === 'model' && value.model === model) {
        const binding = file.binding(name);
        const nameNode = binding?.kind === 'variable' ? binding.declaration.name : node;
        const statement = binding?.kind === 'variable' ? binding.declaration.parent.parent : undefined;
        return { name, nameSpan: file.span(nameNode), docComments: docsOf(statement, file) };
      }
    }
  }
  return undefined;
}

function classHolder(node: ts.ClassLikeDeclaration, file: FileContext): HolderInfo {
  const cls = classNameNode(node);
  return { name: cls.name, nameSpan: file.span(cls.nameNode), docComments: docsOf(cls.statement, file) };
}

function superCall(node: ts.ClassLikeDeclaration): ts.Node | undefined {
  const ctor = node.members.find(ts.isConstructorDeclaration);
  let found: ts.Node | undefined;
  const visit = (child: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(child) && child.expression.kind === ts.SyntaxKind.SuperKeyword) found = child;
    else if (!ts.isFunctionLike(child)) ts.forEachChild(child, visit);
  };
  if (ctor?.body) ts.forEachChild(ctor.body, visit);
  return found;
}

interface UnitOutcome {
  models: { model: ModelUnderConstruction; holder: HolderInfo }[];
  orphans: OrphanHolder[];
  gaps: ExtractionGap[];
}

/** Creates `this` for a method unit: an instance of its class, constructed with unknown args. */
function methodReceiver(interpreter: Interpreter, fn: ts.FunctionLikeDeclaration, file: FileContext): AbstractValue | undefined {
  const owner = ts.isPropertyDeclaration(fn.parent) ? fn.parent.parent : fn.parent;
  if (owner && ts.isObjectLiteralExpression(owner) && ts.isMethodDeclaration(fn)) return objectLiteralReceiver(interpreter, owner, file);
  if (!owner || !ts.isClassLike(owner)) return undefined;
  const scope = interpreter.moduleScope(file);
  const classValue: ClassValue = { kind: 'class', node: owner, scope, file, name: classNameNode(owner).name };
  if (ts.isConstructorDeclaration(fn)) {
    return interpreter.classCategory(classValue) === 'model'
      ? { kind: 'model', model: interpreter.createModel('subclass', owner, scope) }
      : { kind: 'object', props: new Map(), classValue };
  }
  return interpreter.instantiate(classValue, [], owner, scope);
}

/**
 * `this` for a method of an object literal (`const Net = { model: tf.sequential(), create() {
 * this.model.add(...) } }`): the object, the module's own value when a top-level variable holds
 * it, so the model its other properties created is the one the method adds to.
 */
function objectLiteralReceiver(interpreter: Interpreter, literal: ts.ObjectLiteralExpression, file: FileContext): AbstractValue | undefined {
  const holder = unwrapParent(literal);
  if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) && file.binding(holder.name.text)?.kind === 'variable') {
    return interpreter.staticLookup(file, holder.name.text);
  }
  return undefined;
}

/** A model of its own for each parameter a model fragment adds layers to. */
function fragmentArguments(interpreter: Interpreter, unit: Unit, fn: ts.FunctionLikeDeclaration, scope: Scope, state: UnitState): AbstractValue[] {
  const args: AbstractValue[] = [];
  for (const index of unit.fragmentParameters ?? []) {
    const parameter = fn.parameters[index];
    if (!parameter) continue;
    const model = interpreter.createModel('fragment', parameter, scope);
    model.creationSpan = scope.file.span(parameter.name);
    if (!state.directModels.includes(model)) state.directModels.push(model);
    args[index] = { kind: 'model', model };
  }
  return args;
}

/**
 * Whether a fragment's function is called outside its own body in this file: then the builder
 * that calls it has its layers, and the fragment needs no model of its own unless it is
 * declared itself.
 */
function calledElsewhere(fn: ts.Node, sourceFile: ts.SourceFile): boolean {
  const name = simpleName(fn);
  if (!name) return false;
  const text = sourceFile.text;
  const pattern = new RegExp(`(?<![\\w$])${name.replace(/[$]/g, '\\$&')}\\s*\\(`, 'g');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index < fn.getStart(sourceFile) || match.index >= fn.end) return true;
  }
  return false;
}

function simpleName(fn: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) return fn.name.text;
  const parent = unwrapParent(fn);
  if (!parent) return undefined;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(parent.left)) return parent.left.name.text;
  if (ts.isBinaryExpression(parent) && ts.isIdentifier(parent.left)) return parent.left.text;
  return undefined;
}

/**
 * After a method or the constructor stored a model on the instance (`init() { this.model =
 * tf.sequential(); }`), runs the class's other methods that add to it (`addLayers() {
 * this.model.add(...) }`), in source order, the order such classes are mostly called in.
 */
function runMethodsThatExtend(interpreter: Interpreter, method: ts.MethodDeclaration | ts.ConstructorDeclaration, instance: AbstractValue, state: UnitState): void {
  const owner = method.parent;
  if (!ts.isClassLike(owner)) return;
  const props = storedModels(instance)
    .filter(([, model]) => state.directModels.includes(model))
    .map(([prop]) => prop);
  if (props.length === 0) return;
  const file = interpreter.fileContext(method.getSourceFile());
  const text = file.sourceFile.text;
  for (const member of owner.members) {
    if (!ts.isMethodDeclaration(member) || !member.body || member === method || state.touched.has(member)) continue;
    const body = text.slice(member.body.pos, member.body.end);
    if (!props.some((prop) => new RegExp(`this\\.${prop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\.\\s*add\\s*\\(`).test(body))) continue;
    const scope = new Scope(interpreter.moduleScope(file), file);
    interpreter.invoke({ kind: 'function', node: member, scope, file, thisValue: instance }, [], instance, member, scope, false);
  }
}

/** The models an instance keeps in its properties (`this.model = ...`), by property. */
function storedModels(instance: AbstractValue): [string, ModelUnderConstruction][] {
  const props = instance.kind === 'object' ? instance.props : instance.kind === 'model' ? instance.model.props : undefined;
  const found: [string, ModelUnderConstruction][] = [];
  for (const [prop, value] of props ?? []) if (value.kind === 'model') found.push([prop, value.model]);
  return found;
}

function runUnit(interpreter: Interpreter, unit: Unit, file: FileContext, schedule: readonly number[]): { outcome: UnitOutcome; state: UnitState } {
  const state = interpreter.beginUnit(unit.node, schedule);
  const outcome: UnitOutcome = { models: [], orphans: [], gaps: state.gaps };
  let returned: AbstractValue | undefined;
  let topScope: Scope | undefined;
  let receiver: AbstractValue | undefined;
  const watched = new Map<ts.VariableDeclaration, AbstractValue | undefined>();
  for (const declaration of unit.variableHolders) watched.set(declaration, undefined);
  interpreter.watchedDeclarations = watched;
  try {
    if (unit.kind === 'module') {
      topScope = new Scope(undefined, file);
      interpreter.setTopLevelScope(file, topScope);
      interpreter.runStatements(file.sourceFile.statements, topScope, true);
    } else if (unit.kind === 'class') {
      const node = unit.node as ts.ClassLikeDeclaration;
      const scope = interpreter.moduleScope(file);
      const classValue: ClassValue = { kind: 'class', node, scope, file, name: classNameNode(node).name };
      const category = interpreter.classCategory(classValue);
      if (category === 'model') {
        const model = interpreter.createModel('subclass', node, scope);
        const site = superCall(node);
        model.creationSpan = file.span(site ?? classNameNode(node).nameNode);
        model.classValue = classValue;
        interpreter.construct(classValue, [], { kind: 'model', model }, node, scope);
        // A base class that only prepares (`constructor() { super(); this.build(); }`) and adds
        // no layers itself is no model of its own: its subclasses are.
        const direct = state.directModels.indexOf(model);
        if (model.items.length === 0 && !unit.hasDeclaration && direct >= 0) state.directModels.splice(direct, 1);
      } else if (category === 'plain' || interpreter.baseClassValue(classValue)?.kind === 'unknown') {
        // A class whose base (maybe in another file, maybe not found) builds the model from what
        // the subclass passes to `super(layers)`, or whose constructor builds one: the models
        // it stores on the instance are the class's.
        const instance: AbstractValue = { kind: 'object', props: new Map(), classValue };
        interpreter.construct(classValue, [], instance, node, scope);
        returned = instance;
      }
    } else {
      const fn = unit.node as ts.FunctionLikeDeclaration;
      let thisValue = ts.isArrowFunction(fn) && !ts.isPropertyDeclaration(fn.parent) ? undefined : methodReceiver(interpreter, fn, file);
      // A function whose `this` is not known (`Agent.prototype.build = function () {...}`)
      // still keeps what it stores on it (`this.model = tf.sequential()`) within the run.
      if (!thisValue && !ts.isArrowFunction(fn)) thisValue = { kind: 'object', props: new Map() };
      receiver = thisValue;
      const scope = new Scope(interpreter.moduleScope(file), file, ts.isArrowFunction(fn) ? thisValue : undefined);
      if (ts.isConstructorDeclaration(fn) && thisValue) {
        const owner = fn.parent as ts.ClassLikeDeclaration;
        interpreter.construct({ kind: 'class', node: owner, scope: interpreter.moduleScope(file), file, name: classNameNode(owner).name }, [], thisValue, fn, scope);
        returned = thisValue;
        runMethodsThatExtend(interpreter, fn, thisValue, state);
      } else if (!(ts.isMethodDeclaration(fn) && state.touched.has(fn))) {
        // A method the constructor already ran (`constructor() { this.buildModel(); }`) is not
        // run again: that would build its model twice.
        const args = fragmentArguments(interpreter, unit, fn, scope, state);
        returned = interpreter.invoke({ kind: 'function', node: fn, scope, file, thisValue }, args, thisValue, fn, scope, false);
      }
      if (thisValue && ts.isMethodDeclaration(fn)) runMethodsThatExtend(interpreter, fn, thisValue, state);
    }
  } catch (error) {
    const span = error instanceof StepBudgetExhausted ? error.span : file.span(unit.node);
    const message =
      error instanceof StepBudgetExhausted
        ? 'the analysis step budget ran out here, so the model may be incomplete'
        : `extraction stopped on an internal error, "${error instanceof Error ? error.message : String(error)}"`;
    state.gaps.push({ message, span });
  } finally {
    interpreter.setTopLevelScope(file, undefined);
    interpreter.watchedDeclarations = undefined;
  }

  const reported = new Set<ModelUnderConstruction>();
  const ownHolder =
    unit.kind === 'function'
      ? functionHolder(unit.node as ts.FunctionLikeDeclaration, file)
      : unit.kind === 'class'
        ? classHolder(unit.node as ts.ClassLikeDeclaration, file)
        : undefined;
  const holderFor = (model: ModelUnderConstruction): HolderInfo => {
    const fromVariable = variableHolder(model, file, topScope);
    if (ownHolder) {
      // A JSDoc on the variable inside the function applies too.
      const extra = fromVariable?.docComments.filter((doc) => !ownHolder.docComments.some((own) => own.span.start === doc.span.start)) ?? [];
      return { ...ownHolder, docComments: [...ownHolder.docComments, ...extra] };
    }
    return fromVariable ?? { name: 'model', nameSpan: model.creationSpan, docComments: [] };
  };
  // When a unit builds several models (a backbone and the model that wraps it, a GAN's two
  // halves) and returns one, the holder's name and declaration belong to the returned one.
  const returnedModel = returned?.kind === 'model' && state.directModels.includes(returned.model) ? returned.model : undefined;
  for (const model of state.directModels) {
    if (reported.has(model)) continue;
    reported.add(model);
    let holder = holderFor(model);
    if (ownHolder && returnedModel && model !== returnedModel) {
      const fromVariable = variableHolder(model, file, topScope);
      if (fromVariable) holder = { ...fromVariable, name: `${ownHolder.name}.${fromVariable.name}` };
    } else if (ownHolder && !returnedModel && state.directModels.length > 1) {
      // Several models and none returned (an encoder and a decoder built side by side): the
      // holder's declarations apply to each, and the variable tells them apart.
      const fromVariable = variableHolder(model, file, topScope);
      if (fromVariable) holder = { ...holder, name: `${ownHolder.name}.${fromVariable.name}` };
    } else if (ownHolder && unit.kind === 'function' && !unit.hasDeclaration && !returnedModel && model.construction !== 'fragment' && !ts.isClassLike(unit.node.parent) && TRAINS.test(unit.node.getText(file.sourceFile))) {
      // A function that builds and trains a model and does not return it (`async function
      // train() { const model = ...; await model.fit(...) }`) is a script, not a builder: the
      // variable names the model, within the function. (A builder being typed, with no
      // `return` yet, keeps its name.)
      const fromVariable = variableHolder(model, file, topScope);
      if (fromVariable) holder = { ...holder, name: ownHolder.name === 'default' ? fromVariable.name : `${ownHolder.name}.${fromVariable.name}` };
    } else if (ownHolder?.name === 'default' && unit.kind === 'function') {
      // An anonymous default export (`export default (shape) => { const model = ...`): its
      // variable names the model better than `default`.
      const fromVariable = variableHolder(model, file, topScope);
      if (fromVariable) holder = { ...holder, name: fromVariable.name };
    }
    const owner = unit.node.parent;
    if (ownHolder && receiver && owner && ts.isClassLike(owner) && model !== returnedModel && storedModels(receiver).some(([prop, stored]) => prop === 'model' && stored === model)) {
      // `this.model = tf.sequential()` in a method: the class's model, named after the class.
      const cls = classHolder(owner, file);
      holder = { ...holder, name: cls.name, nameSpan: cls.nameSpan };
    }
    outcome.models.push({ model, holder });
  }
  const literalOwner = unit.node.parent;
  if (
    ownHolder && returned?.kind === 'model' && !reported.has(returned.model) && receiver && literalOwner && ts.isObjectLiteralExpression(literalOwner) &&
    storedModels(receiver).some(([, stored]) => stored === returned.model)
  ) {
    // An object literal's method that adds layers to the model another property created and
    // returns it: the method builds that model.
    reported.add(returned.model);
    outcome.models.push({ model: returned.model, holder: ownHolder });
  }
  if (unit.kind === 'class' && ownHolder && returned?.kind === 'object') {
    const stored = storedModels(returned).filter(([, model]) => !reported.has(model));
    for (const [prop, model] of stored) {
      reported.add(model);
      outcome.models.push({ model, holder: stored.length === 1 ? ownHolder : { ...ownHolder, name: `${ownHolder.name}.${prop}` } });
    }
  }
  if (ownHolder && unit.hasDeclaration && outcome.models.length === 0) {
    if (returned?.kind === 'model') outcome.models.push({ model: returned.model, holder: ownHolder });
    else if (returned?.kind === 'object') {
      // A class whose method stored the model on `this` (`this.model = build()`).
      const stored = [...returned.props.values()].find((value) => value.kind === 'model');
      if (stored?.kind === 'model') outcome.models.push({ model: stored.model, holder: ownHolder });
    }
    if (outcome.models.length === 0) outcome.orphans.push(ownHolder);
  }
  for (const [declaration, value] of watched) {
    if (!ts.isIdentifier(declaration.name)) continue;
    const holder: HolderInfo = {
      name: declaration.name.text,
      nameSpan: file.span(declaration.name),
      docComments: docsOf(declaration.parent.parent, file),
    };
    if (value?.kind === 'model') {
      if (!reported.has(value.model)) {
        reported.add(value.model);
        outcome.models.push({ model: value.model, holder });
      }
    } else {
      outcome.orphans.push(holder);
    }
  }
  return { outcome, state };
}

export function extractModels(sourceFile: ts.SourceFile, provider: SourceProvider, options?: ExtractionOptions): ExtractionResult {
  const result: ExtractionResult = { models: [], orphans: [] };
  let discovery: Discovery;
  try {
    discovery = options?.discovery ?? discover(sourceFile);
  } catch {
    return result;
  }
  const stepBudget = options?.stepBudget ?? DEFAULT_STEP_BUDGET;
  const interpreter = new Interpreter(provider, discovery.creationSiteUnits, stepBudget);
  const file = interpreter.fileContext(sourceFile);
  const classesWithModels = new Set<ts.Node>();
  const classOrphans: { cls: ts.Node; orphans: OrphanHolder[] }[] = [];
  for (const unit of discovery.units) {
    let unitResult = options?.reuse?.(unit);
    if (!unitResult) {
      const touched = new Set<ts.Node>();
      const filesRead = new Map<string, ts.SourceFile | undefined>();
      const topLevelNames = new Set<string>();
      // One run per path the unit's decisions open (variants.ts); one run when it meets none.
      const runPath = (schedule: readonly number[]): PathRun => {
        const { outcome, state } = runUnit(interpreter, unit, file, schedule);
        for (const node of state.touched) touched.add(node);
        for (const [fileName, sourceFile] of state.filesRead) filesRead.set(fileName, sourceFile);
        for (const name of state.topLevelNames) topLevelNames.add(name);
        const models: PathRun['models'] = [];
        const seen = new Map<string, number>();
        for (const { model, holder } of outcome.models) {
          try {
            const graph = assembleModel(model, holder, outcome.gaps);
            const key = holderKey(holder.name, holder.nameSpan);
            const rank = seen.get(key) ?? 0;
            seen.set(key, rank + 1);
            models.push({ key: key + rank, graph });
          } catch {
            continue;
          }
        }
        return { models, orphans: outcome.orphans, choices: state.choices, threw: state.threw, steps: state.steps, progress: interpreter.progress() };
      };
      try {
        unitResult = exploreVariants(runPath, stepBudget);
      } catch {
        continue;
      }
      options?.onUnitRun?.(unit, unitResult, { touched, filesRead, topLevelNames });
    }
    if (unit.fragmentParameters && !unit.hasDeclaration && unitResult.models.some((m) => m.construction === 'fragment') && calledElsewhere(unit.node, sourceFile)) {
      unitResult = { ...unitResult, models: unitResult.models.filter((m) => m.construction !== 'fragment') };
    }
    if (unitResult.models.length > 0) {
      const owner = unit.node.parent;
      if (owner && ts.isClassLike(owner)) classesWithModels.add(owner);
      if (owner && ts.isPropertyDeclaration(owner) && ts.isClassLike(owner.parent)) classesWithModels.add(owner.parent);
    }
    result.models.push(...unitResult.models);
    // A declared class unit that built nothing itself may hold a model in a method's unit.
    if (unit.kind === 'class' && unitResult.models.length === 0) classOrphans.push({ cls: unit.node, orphans: unitResult.orphans });
    else result.orphans.push(...unitResult.orphans);
  }
  // Report in source order of the holders, whatever order the units ran in.
  result.models.sort((a, b) => a.nameSpan.start - b.nameSpan.start);
  for (const { cls, orphans } of classOrphans) {
    if (!classesWithModels.has(cls)) result.orphans.push(...orphans);
  }
  for (const cls of discovery.declaredClasses) {
    if (!classesWithModels.has(cls)) result.orphans.push(classHolder(cls, file));
  }
  return result;
}
