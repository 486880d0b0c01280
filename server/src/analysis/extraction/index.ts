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
}

const DEFAULT_STEP_BUDGET = 200_000;

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

function runUnit(interpreter: Interpreter, unit: Unit, file: FileContext, schedule: readonly number[]): { outcome: UnitOutcome; state: UnitState } {
  const state = interpreter.beginUnit(unit.node, schedule);
  const outcome: UnitOutcome = { models: [], orphans: [], gaps: state.gaps };
  let returned: AbstractValue | undefined;
  let topScope: Scope | undefined;
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
      const model = interpreter.createModel('subclass', node, scope);
      const site = superCall(node);
      model.creationSpan = file.span(site ?? classNameNode(node).nameNode);
      model.classValue = classValue;
      interpreter.construct(classValue, [], { kind: 'model', model }, node, scope);
    } else {
      const fn = unit.node as ts.FunctionLikeDeclaration;
      const thisValue = ts.isArrowFunction(fn) && !ts.isPropertyDeclaration(fn.parent) ? undefined : methodReceiver(interpreter, fn, file);
      const scope = new Scope(interpreter.moduleScope(file), file, ts.isArrowFunction(fn) ? thisValue : undefined);
      if (ts.isConstructorDeclaration(fn) && thisValue) {
        const owner = fn.parent as ts.ClassLikeDeclaration;
        interpreter.construct({ kind: 'class', node: owner, scope: interpreter.moduleScope(file), file, name: classNameNode(owner).name }, [], thisValue, fn, scope);
        returned = thisValue;
      } else {
        returned = interpreter.invoke({ kind: 'function', node: fn, scope, file, thisValue }, [], thisValue, fn, scope, false);
      }
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
    }
    outcome.models.push({ model, holder });
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
  for (const unit of discovery.units) {
    let unitResult = options?.reuse?.(unit);
    if (!unitResult) {
      const touched = new Set<ts.Node>();
      const filesRead = new Map<string, ts.SourceFile | undefined>();
      // One run per path the unit's decisions open (variants.ts); one run when it meets none.
      const runPath = (schedule: readonly number[]): PathRun => {
        const { outcome, state } = runUnit(interpreter, unit, file, schedule);
        for (const node of state.touched) touched.add(node);
        for (const [fileName, sourceFile] of state.filesRead) filesRead.set(fileName, sourceFile);
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
      options?.onUnitRun?.(unit, unitResult, { touched, filesRead });
    }
    if (unitResult.models.length > 0) {
      const owner = unit.node.parent;
      if (owner && ts.isClassLike(owner)) classesWithModels.add(owner);
      if (owner && ts.isPropertyDeclaration(owner) && ts.isClassLike(owner.parent)) classesWithModels.add(owner.parent);
    }
    result.models.push(...unitResult.models);
    result.orphans.push(...unitResult.orphans);
  }
  // Report in source order of the holders, whatever order the units ran in.
  result.models.sort((a, b) => a.nameSpan.start - b.nameSpan.start);
  for (const cls of discovery.declaredClasses) {
    if (!classesWithModels.has(cls)) result.orphans.push(classHolder(cls, file));
  }
  return result;
}
