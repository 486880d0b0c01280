// One walk over a file's AST that finds model-creation sites and `@symmetry` holders, and
// groups them by unit (function body, subclass-model class, or module top level). The walk goes
// statement by statement, so a document's DiscoveryCache walks only the statements an edit replaced.
import { ts } from 'ts-morph';
import { TFJS_MODULES } from './moduleResolution';

export type UnitNode = ts.SourceFile | ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration;

export interface Unit {
  node: UnitNode;
  kind: 'module' | 'function' | 'class';
  creationSites: ts.Node[];
  /** The unit's own holder (function, method, class) carries a JSDoc block with `@sym`. */
  hasDeclaration: boolean;
  /** Variables with a `@sym` JSDoc whose initialiser is not a function, declared in this unit. */
  variableHolders: ts.VariableDeclaration[];
  /**
   * Indices of parameters the function adds layers to (`(model) => { model.add(...) }`): the
   * function is a model fragment, run with a model of its own in those parameters.
   */
  fragmentParameters?: number[];
}

export interface Discovery {
  units: Unit[];
  creationSiteUnits: Map<ts.Node, ts.Node>;
  /** Classes with a `@sym` JSDoc that are not subclass models (their methods may build one). */
  declaredClasses: ts.ClassLikeDeclaration[];
}

// The SyntaxKind enum read once: property reads through the ts-morph namespace on every node
// made the walk several times slower than a bare traversal.
const K = ts.SyntaxKind;

const FUNCTION_KINDS = new Set<ts.SyntaxKind>([
  K.FunctionDeclaration,
  K.MethodDeclaration,
  K.Constructor,
  K.GetAccessor,
  K.SetAccessor,
  K.ArrowFunction,
  K.FunctionExpression,
]);

/** Nodes that can carry a holder's JSDoc; only these have their leading comments read. */
export const HOLDER_KINDS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.PropertyAssignment,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.ExpressionStatement,
]);

const CREATION_CALLS = new Set(['sequential', 'model']);
const CREATION_CLASSES = new Set(['Sequential', 'LayersModel']);
/** The method a model fragment calls on the model it receives. */
const FRAGMENT_CALL = 'add';
const BUILDS_MODEL = /\b(?:sequential|model)\s*\(|\bnew\s+(?:\w+\.)*Sequential\b/;

/** The JSDoc blocks (`/** ... *\/`) that lead a node, with their offsets. */
export function jsDocBlocks(node: ts.Node, sourceFile: ts.SourceFile): { text: string; start: number; end: number }[] {
  const ranges = ts.getLeadingCommentRanges(sourceFile.text, node.pos) ?? [];
  const blocks: { text: string; start: number; end: number }[] = [];
  for (const range of ranges) {
    if (range.kind !== ts.SyntaxKind.MultiLineCommentTrivia) continue;
    const text = sourceFile.text.slice(range.pos, range.end);
    if (text.startsWith('/**') && text !== '/**/') blocks.push({ text, start: range.pos, end: range.end });
  }
  return blocks;
}

function hasSymmetryDoc(node: ts.Node, sourceFile: ts.SourceFile): boolean {
  return jsDocBlocks(node, sourceFile).some((block) => block.text.includes('@sym'));
}

function unwrap(expression: ts.Expression | undefined): ts.Expression | undefined {
  let current = expression;
  while (current && (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current))) {
    current = current.expression;
  }
  return current;
}


function finalName(expression: ts.Expression): string | undefined {
  const kind = expression.kind;
  if (kind === K.Identifier) return (expression as ts.Identifier).text;
  if (kind === K.PropertyAccessExpression) return (expression as ts.PropertyAccessExpression).name.text;
  if (kind !== K.ParenthesizedExpression && kind !== K.AsExpression) return undefined;
  const current = unwrap(expression);
  return current && current !== expression ? finalName(current) : undefined;
}

/** What one top-level statement contributes to the file's creation aliases (see `creationAliases`). */
interface StatementAliases {
  /** Local names of tfjs `sequential`/`model`, and of `Sequential`/`LayersModel`, it imports. */
  calls: string[];
  classes: string[];
  /** Names it brings in that a class may extend to be a class unit (imports of the project's modules, tfjs `Sequential`). */
  bases: string[];
  /** Classes it declares that extend something: [name, base]. */
  localBases: [string, string][];
  /** The class declaration it is, for `buildsModel`. */
  classDeclaration?: ts.ClassDeclaration;
  /** Whether the class's text builds a model (asked only of extended classes; kept once asked). */
  buildsModel?: boolean;
}

const NO_ALIASES: StatementAliases = { calls: [], classes: [], bases: [], localBases: [] };

function statementAliases(statement: ts.Statement): StatementAliases {
  if (ts.isClassDeclaration(statement) && statement.name) {
    const base = extendsName(statement);
    return { calls: [], classes: [], bases: [], localBases: base ? [[statement.name.text, base]] : [], classDeclaration: statement };
  }
  if (ts.isVariableStatement(statement)) {
    const found: StatementAliases = { calls: [], classes: [], bases: [], localBases: [] };
    const noteImported = (name: string | undefined): void => {
      if (name && /^[A-Z]/.test(name)) found.bases.push(name);
    };
    for (const declaration of statement.declarationList.declarations) {
      const initializer = unwrap(declaration.initializer);
      if (!ts.isIdentifier(declaration.name) || !initializer) continue;
      if (ts.isClassExpression(initializer)) {
        const base = extendsName(initializer);
        if (base) found.localBases.push([declaration.name.text, base]);
      } else if (isRelativeRequire(initializer)) {
        noteImported(declaration.name.text);
      }
    }
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isObjectBindingPattern(declaration.name) && declaration.initializer && isRelativeRequire(unwrap(declaration.initializer)!)) {
        for (const element of declaration.name.elements) if (ts.isIdentifier(element.name)) noteImported(element.name.text);
      }
    }
    return found.bases.length > 0 || found.localBases.length > 0 ? found : NO_ALIASES;
  }
  if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return NO_ALIASES;
  const found: StatementAliases = { calls: [], classes: [], bases: [], localBases: [] };
  const specifier = statement.moduleSpecifier.text;
  if (!TFJS_MODULES.has(specifier)) {
    if (specifier.startsWith('.') && !statement.importClause?.isTypeOnly) {
      const noteImported = (name: string | undefined): void => {
        if (name && /^[A-Z]/.test(name)) found.bases.push(name);
      };
      noteImported(statement.importClause?.name?.text);
      const named = statement.importClause?.namedBindings;
      if (named && ts.isNamedImports(named)) for (const element of named.elements) if (!element.isTypeOnly) noteImported(element.name.text);
    }
    return found;
  }
  const named = statement.importClause?.namedBindings;
  if (!named || !ts.isNamedImports(named)) return found;
  for (const element of named.elements) {
    const imported = (element.propertyName ?? element.name).text;
    if (CREATION_CALLS.has(imported)) found.calls.push(element.name.text);
    if (CREATION_CLASSES.has(imported)) found.classes.push(element.name.text);
    if (imported === 'Sequential') found.bases.push(element.name.text);
  }
  return found;
}

/**
 * Local names bound to tfjs `sequential`/`model`/`Sequential` by aliased named imports, and
 * `bases`: the names a class may extend to be run as a class unit. Those are the tfjs model
 * classes, local classes that extend one (through any chain of local classes), and classes
 * imported from the project's own modules, whose kind only the interpreter can tell (a base
 * class that builds `tf.sequential({layers})` from what subclasses pass to `super`). Made of
 * each statement's own part (`statementAliases`), which a document's cache keeps per statement.
 */
function creationAliases(sourceFile: ts.SourceFile, parts: readonly StatementAliases[] = sourceFile.statements.map(statementAliases)): { calls: Set<string>; classes: Set<string>; bases: Set<string> } {
  const calls = new Set(CREATION_CALLS);
  const classes = new Set(CREATION_CLASSES);
  const bases = new Set<string>();
  const localBases = new Map<string, string>();
  for (const part of parts) {
    if (part === NO_ALIASES) continue;
    for (const name of part.calls) calls.add(name);
    for (const name of part.classes) classes.add(name);
    for (const name of part.bases) bases.add(name);
    for (const [name, base] of part.localBases) localBases.set(name, base);
  }
  bases.add('Sequential');
  // A local base class that builds a model itself (`this.model = tf.sequential({layers})` in
  // its constructor) makes its subclasses class units, like an imported one.
  const extended = new Set(localBases.values());
  if (extended.size > 0) {
    for (const part of parts) {
      const declaration = part.classDeclaration;
      if (!declaration || !extended.has(declaration.name!.text)) continue;
      part.buildsModel ??= BUILDS_MODEL.test(declaration.getText(sourceFile));
      if (part.buildsModel) bases.add(declaration.name!.text);
    }
  }
  // Local classes down any chain from a base are bases too (a fixed point over the chains).
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, base] of localBases) {
      if (!bases.has(name) && bases.has(base)) {
        bases.add(name);
        changed = true;
      }
    }
  }
  return { calls, classes, bases };
}

/** The identifier a property chain starts from (`key` in `key.toString`). */
function rootIdentifier(expression: ts.Expression): string | undefined {
  let current = expression;
  while (current.kind === K.PropertyAccessExpression || current.kind === K.ElementAccessExpression || current.kind === K.CallExpression) {
    current = (current as ts.PropertyAccessExpression).expression;
  }
  return current.kind === K.Identifier ? (current as ts.Identifier).text : undefined;
}

/**
 * `new Model({layers})` inside class `Model` itself (a static `build()` factory whose private
 * constructor passes its arguments to `super`): the factory creates the model.
 */
function constructsEnclosingClass(node: ts.Node, name: string): boolean {
  for (let parent = node.parent; parent && parent.kind !== K.SourceFile; parent = parent.parent) {
    if ((parent.kind === K.ClassDeclaration || parent.kind === K.ClassExpression) && (parent as ts.ClassLikeDeclaration).name?.text === name) return true;
  }
  return false;
}

/** Whether a function has a name to report a model under (not an inline callback). */
function hasHolderName(fn: ts.FunctionLikeDeclaration): boolean {
  if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) return true;
  let parent = fn.parent;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent))) parent = parent.parent;
  return (
    !!parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) ||
      (ts.isBinaryExpression(parent) && parent.operatorToken.kind === K.EqualsToken))
  );
}

function extendsName(node: ts.ClassLikeDeclaration): string | undefined {
  const clause = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const base = clause?.types[0]?.expression;
  return base ? finalName(base) : undefined;
}

function isRelativeRequire(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || !ts.isIdentifier(expression.expression) || expression.expression.text !== 'require') return false;
  const specifier = expression.arguments[0];
  return !!specifier && ts.isStringLiteralLike(specifier) && specifier.text.startsWith('.');
}

/**
 * Whether a class is run as a class unit: it extends `tf.Sequential` (directly or through local
 * classes), or a class of the project's own modules that may be a model or build one.
 */
export function isSubclassModel(node: ts.ClassLikeDeclaration, bases: Set<string>): boolean {
  const name = extendsName(node);
  return name !== undefined && bases.has(name);
}

/** Characters after a name that rule out its being a called or constructed callee. */
const NOT_A_CALLEE = new Set(['.', ':', ',', ';', '=', ']', '}']);

/**
 * Sorted offsets, within `[start, end)`, of every `@sym` and of every word that may be the
 * final name of a creation call (`sequential`, `model`, aliases) or class (`Sequential`,
 * `LayersModel`): a creation site's callee or a subclass model's `extends` holds one.
 * `model.add` and `const model =` are left out by the character after the word; anything
 * unclear stays in. The text is read one character past the range (and past blanks after a
 * word), so a range's offsets are those a scan of the whole text would find in it.
 */
function interestingOffsets(text: string, start: number, end: number, pattern: RegExp, calls: Set<string>, classes: Set<string>): { interesting: number[]; tags: number[] } {
  const tags: number[] = [];
  const tagText = text.slice(start, Math.min(text.length, end + 3));
  for (let at = tagText.indexOf('@sym'); at >= 0 && start + at < end; at = tagText.indexOf('@sym', at + 4)) tags.push(start + at);
  // One character of context on each side, for the pattern's look-behind and look-ahead.
  const from = Math.max(0, start - 1);
  const window = text.slice(from, Math.min(text.length, end + 1));
  const offsets: number[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(window); match; match = pattern.exec(window)) {
    const index = from + match.index;
    if (index < start) continue;
    if (index >= end) break;
    const word = match[0];
    let after = index + word.length;
    while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
    if (calls.has(word) && !classes.has(word) && NOT_A_CALLEE.has(text[after])) continue;
    offsets.push(index);
  }
  const interesting = tags.length === 0 ? offsets : offsets.concat(tags).sort((a, b) => a - b);
  return { interesting, tags };
}

/** What the walk of a file's statements needs from the whole file. */
interface DiscoveryContext {
  sourceFile: ts.SourceFile;
  calls: Set<string>;
  classes: Set<string>;
  /** What a class may extend to be a class unit (see `creationAliases`). */
  bases: Set<string>;
  /** Matches the names in `calls`, `classes` and `bases` as whole words. */
  pattern: RegExp;
}

function discoveryContext(sourceFile: ts.SourceFile, aliases = creationAliases(sourceFile)): DiscoveryContext {
  const { calls, classes, bases } = aliases;
  const names = [...new Set([...calls, ...classes, ...bases, FRAGMENT_CALL])].map((name) => name.replace(/[$]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\w$])(?:${names.join('|')})(?![\\w$])`, 'g');
  return { sourceFile, calls, classes, bases, pattern };
}

/**
 * What one top-level statement contributes to its file's discovery. The module unit (the
 * SourceFile, a new node on each parse) is kept apart as its creation sites and holders, so a
 * statement's record stays valid for the next tree that reuses the statement node.
 */
interface StatementDiscovery {
  /** The statement's units in the order the walk first met them; `undefined` is the module. */
  unitOrder: (Unit | undefined)[];
  moduleSites: ts.Node[];
  moduleHolders: ts.VariableDeclaration[];
  /** Creation sites in walk order, with their unit node (`undefined`: the module). */
  sites: ts.Node[];
  siteUnits: (UnitNode | undefined)[];
  declaredClasses: ts.ClassLikeDeclaration[];
}

/** The offsets of `interestingOffsets` over a range: scanned, or cut from a scan of more. */
type RangeOffsets = { interesting: number[]; tags: number[] };

/** The part of sorted `offsets` within `[start, end)`, from index `from` on. */
function offsetsWithin(offsets: number[], from: number, start: number, end: number): { within: number[]; next: number } {
  let first = from;
  while (first < offsets.length && offsets[first] < start) first++;
  let last = first;
  while (last < offsets.length && offsets[last] < end) last++;
  return { within: offsets.slice(first, last), next: last };
}

/** Whether sorted `offsets` hold one within the node's range. */
function anyWithin(offsets: number[], node: ts.Node): boolean {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (offsets[middle] < node.pos) low = middle + 1;
    else high = middle;
  }
  return low < offsets.length && offsets[low] < node.end;
}

type InnerUnitNode = Exclude<UnitNode, ts.SourceFile>;

/**
 * Walks top-level statements one at a time, skipping subtrees without a `@sym` or a creation
 * name. One walker serves a whole file: its state is reset per statement, so no closures are
 * made per statement.
 */
class StatementWalker {
  private interesting: number[] = [];
  private tagOffsets: number[] = [];
  private part!: StatementDiscovery;
  private readonly units = new Map<ts.Node, Unit>();
  private moduleTouched = false;
  private walkUnit: UnitNode;
  private readonly visitChild = (child: ts.Node): void => this.visit(child, this.walkUnit);

  constructor(private readonly context: DiscoveryContext) {
    this.walkUnit = context.sourceFile;
  }

  /** The statement's record; `offsets` are its own (scanned from its range when not given). */
  walk(statement: ts.Statement, offsets?: RangeOffsets): StatementDiscovery {
    const { sourceFile, calls, classes, pattern } = this.context;
    const { interesting, tags } = offsets ?? interestingOffsets(sourceFile.text, statement.pos, statement.end, pattern, calls, classes);
    const part: StatementDiscovery = { unitOrder: [], moduleSites: [], moduleHolders: [], sites: [], siteUnits: [], declaredClasses: [] };
    if (interesting.length === 0) return part;
    this.interesting = interesting;
    this.tagOffsets = tags;
    this.part = part;
    this.units.clear();
    this.moduleTouched = false;
    this.walkUnit = sourceFile;
    this.visit(statement, sourceFile);
    return part;
  }

  private unitFor(node: InnerUnitNode): Unit {
    let unit = this.units.get(node);
    if (!unit) {
      unit = { node, kind: ts.isClassLike(node) ? 'class' : 'function', creationSites: [], hasDeclaration: false, variableHolders: [] };
      this.units.set(node, unit);
      this.part.unitOrder.push(unit);
    }
    return unit;
  }

  private touchModule(): void {
    if (this.moduleTouched) return;
    this.moduleTouched = true;
    this.part.unitOrder.push(undefined);
  }

  private addSite(site: ts.Node, current: UnitNode): void {
    const part = this.part;
    if (current.kind === K.SourceFile) {
      this.touchModule();
      part.moduleSites.push(site);
      part.siteUnits.push(undefined);
    } else {
      this.unitFor(current as InnerUnitNode).creationSites.push(site);
      part.siteUnits.push(current);
    }
    part.sites.push(site);
  }

  /** `model.add(...)` where `model` is a parameter of an enclosing function with a holder. */
  private noteFragment(call: ts.CallExpression): void {
    const callee = call.expression;
    if (callee.kind !== K.PropertyAccessExpression) return;
    const receiver = (callee as ts.PropertyAccessExpression).expression;
    if (receiver.kind === K.PropertyAccessExpression && (receiver as ts.PropertyAccessExpression).expression.kind === K.ThisKeyword) {
      // `this.model.add(...)` in a method of an object literal: the object's model, built by
      // the method (in a class, the method that creates the model runs the others).
      let fn: ts.Node | undefined = call.parent;
      while (fn && fn.kind !== K.SourceFile && (!FUNCTION_KINDS.has(fn.kind) || fn.kind === K.ArrowFunction)) fn = fn.parent;
      if (fn && fn.kind === K.MethodDeclaration && fn.parent.kind === K.ObjectLiteralExpression && (fn as ts.MethodDeclaration).body) {
        this.unitFor(fn as ts.MethodDeclaration);
      }
      return;
    }
    if (receiver.kind !== K.Identifier) return;
    // What a fragment adds is made there (`model.add(tf.layers.dense(...))`); `seen.add(key)`
    // on a Set parameter is not a model being built.
    const added = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    if (!added || (added.kind !== K.CallExpression && added.kind !== K.NewExpression)) return;
    const name = (receiver as ts.Identifier).text;
    for (let node: ts.Node | undefined = call.parent; node && node.kind !== K.SourceFile; node = node.parent) {
      if (!FUNCTION_KINDS.has(node.kind)) continue;
      const fn = node as ts.FunctionLikeDeclaration;
      const index = fn.parameters.findIndex((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === name);
      if (index < 0) continue;
      if (!fn.body || !hasHolderName(fn)) return;
      // `seen.add(key.toString())`: what is added comes from another parameter, not a factory.
      const root = rootIdentifier((added as ts.CallExpression).expression);
      if (root && root !== 'tf' && fn.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === root) && added.kind === K.CallExpression && (added as ts.CallExpression).expression.kind !== K.Identifier) return;
      const unit = this.unitFor(fn);
      unit.fragmentParameters ??= [];
      if (!unit.fragmentParameters.includes(index)) unit.fragmentParameters.push(index);
      return;
    }
  }

  private declareFunction(expression: ts.Expression | undefined): boolean {
    const fn = unwrap(expression);
    if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
      this.unitFor(fn).hasDeclaration = true;
      return true;
    }
    return false;
  }

  private noteDeclaration(node: ts.Node, current: UnitNode): void {
    // A holder's comments are read only when a `@sym` lies inside the node's range, which
    // keeps the walk close to a bare traversal.
    if (!anyWithin(this.tagOffsets, node) || !hasSymmetryDoc(node, this.context.sourceFile)) return;
    const classes = this.context.bases;
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node)) {
      if (node.body) this.unitFor(node).hasDeclaration = true;
    } else if (ts.isClassDeclaration(node)) {
      if (isSubclassModel(node, classes)) this.unitFor(node).hasDeclaration = true;
      else this.part.declaredClasses.push(node);
    } else if (ts.isVariableStatement(node)) {
      for (const declaration of node.declarationList.declarations) {
        const initializer = unwrap(declaration.initializer);
        if (this.declareFunction(initializer)) continue;
        if (initializer && ts.isClassExpression(initializer)) {
          if (isSubclassModel(initializer, classes)) this.unitFor(initializer).hasDeclaration = true;
          else this.part.declaredClasses.push(initializer);
          continue;
        }
        if (current.kind === K.SourceFile) {
          this.touchModule();
          this.part.moduleHolders.push(declaration);
        } else {
          this.unitFor(current as InnerUnitNode).variableHolders.push(declaration);
        }
      }
    } else if (ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) {
      this.declareFunction(node.initializer);
    } else if (ts.isExportAssignment(node)) {
      this.declareFunction(node.expression);
    } else if (ts.isExpressionStatement(node) && ts.isBinaryExpression(node.expression)) {
      this.declareFunction(node.expression.right);
    }
  }

  private visit(node: ts.Node, current: UnitNode): void {
    if (!anyWithin(this.interesting, node)) return;
    let inner: UnitNode = current;
    const kind = node.kind;
    if (this.tagOffsets.length > 0 && HOLDER_KINDS.has(kind)) this.noteDeclaration(node, current);
    if (kind === K.CallExpression || kind === K.NewExpression) {
      const name = finalName((node as ts.CallExpression).expression);
      if (name && (kind === K.CallExpression ? this.context.calls : this.context.classes).has(name)) this.addSite(node, current);
      else if (name && kind === K.NewExpression && this.context.bases.has(name) && constructsEnclosingClass(node, name)) this.addSite(node, current);
      else if (name === FRAGMENT_CALL && kind === K.CallExpression) this.noteFragment(node as ts.CallExpression);
    } else if (kind === K.ClassDeclaration || kind === K.ClassExpression) {
      const cls = node as ts.ClassLikeDeclaration;
      if (isSubclassModel(cls, this.context.bases)) {
        this.addSite(cls, cls);
        // The constructor of a subclass model runs as part of the class unit.
        for (const member of cls.members) {
          if (ts.isConstructorDeclaration(member)) {
            member.body?.statements.forEach((statement) => this.visit(statement, cls));
          } else {
            this.visit(member, cls);
          }
        }
        cls.heritageClauses?.forEach((clause) => this.visit(clause, current));
        return;
      }
    } else if (FUNCTION_KINDS.has(kind) && (node as ts.FunctionLikeDeclaration).body) {
      inner = node as ts.FunctionLikeDeclaration;
    }
    const saved = this.walkUnit;
    this.walkUnit = inner;
    ts.forEachChild(node, this.visitChild);
    this.walkUnit = saved;
  }
}

/** The file's discovery from its statements' records, in statement order. */
function mergeStatements(sourceFile: ts.SourceFile, parts: readonly StatementDiscovery[]): Discovery {
  const module: Unit = { node: sourceFile, kind: 'module', creationSites: [], hasDeclaration: false, variableHolders: [] };
  let moduleAdded = false;
  const units: Unit[] = [];
  const creationSiteUnits = new Map<ts.Node, ts.Node>();
  const declaredClasses: ts.ClassLikeDeclaration[] = [];
  for (const part of parts) {
    for (const unit of part.unitOrder) {
      if (unit) units.push(unit);
      else if (!moduleAdded) {
        moduleAdded = true;
        units.push(module);
      }
    }
    for (const site of part.moduleSites) module.creationSites.push(site);
    for (const holder of part.moduleHolders) module.variableHolders.push(holder);
    for (let i = 0; i < part.sites.length; i++) creationSiteUnits.set(part.sites[i], part.siteUnits[i] ?? sourceFile);
    for (const cls of part.declaredClasses) declaredClasses.push(cls);
  }
  // Stable: units at one offset keep the order the walk first met them in.
  units.sort((a, b) => a.node.pos - b.node.pos);
  return { units, creationSiteUnits, declaredClasses };
}

/** Walks every statement, with one scan of the whole text for their offsets. */
function discoverAll(sourceFile: ts.SourceFile, context: DiscoveryContext): StatementDiscovery[] {
  const whole = interestingOffsets(sourceFile.text, 0, sourceFile.text.length, context.pattern, context.calls, context.classes);
  let nextInteresting = 0;
  let nextTag = 0;
  const walker = new StatementWalker(context);
  return sourceFile.statements.map((statement) => {
    const interesting = offsetsWithin(whole.interesting, nextInteresting, statement.pos, statement.end);
    const tags = offsetsWithin(whole.tags, nextTag, statement.pos, statement.end);
    nextInteresting = interesting.next;
    nextTag = tags.next;
    return walker.walk(statement, { interesting: interesting.within, tags: tags.within });
  });
}

export function discover(sourceFile: ts.SourceFile): Discovery {
  return mergeStatements(sourceFile, discoverAll(sourceFile, discoveryContext(sourceFile)));
}

/** A statement's record and what it was computed from. */
interface CachedStatement {
  part: StatementDiscovery;
  /** Its part of the file's creation aliases (depends on its text alone). */
  aliases: StatementAliases;
  /** The statement's range in the text it was walked or last checked against. */
  pos: number;
  end: number;
  /** The text just outside the range that the offset scan reads (see `scanContext`). */
  context: string;
}

/**
 * The characters next to a statement that its offset scan reads: the one before it (the
 * names' look-behind) and those after it up to the first non-blank (the look-ahead and the
 * callee test), at least three (a `@sym` starting in the range).
 */
function scanContext(text: string, pos: number, end: number): string {
  let after = end;
  while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
  return (pos > 0 ? text[pos - 1] : '') + '|' + text.slice(end, Math.max(end + 3, after + 1));
}

/**
 * Whether the text a kept statement's scan context was read from (the character before it and
 * `context` after its end) lies wholly before the edit at the same place, or wholly after it,
 * moved by its length change. Strictly before: a context cut short by the end of the text
 * reaches the edit when text is added there.
 */
function contextUntouched(cached: CachedStatement, pos: number, edit: DiscoveryTextChange['edit']): boolean {
  if (!edit) return cached.pos === pos;
  const from = cached.pos > 0 ? cached.pos - 1 : 0;
  const to = cached.end + cached.context.length - 1 - (cached.pos > 0 ? 1 : 0);
  if (to < edit.start) return cached.pos === pos;
  return from >= edit.oldEnd && cached.pos + edit.newEnd - edit.oldEnd === pos;
}

/** How a document's text changed since the previous call (the engine's unit cache knows). */
export interface DiscoveryTextChange {
  /** The text the edit applies to. */
  from: string;
  /** Old `[start, oldEnd)` became new `[start, newEnd)`; undefined when the texts are equal. */
  edit: { start: number; oldEnd: number; newEnd: number } | undefined;
}

/**
 * Discovery across edits of one document. `ts.updateSourceFile` keeps the node objects of the
 * top-level statements an edit did not touch (their positions shifted in place), so only new
 * statement nodes are walked; the others give back their previous record. A record is reused
 * only against the previous run's text, the same creation-name aliases (imports) and the same
 * text in and around the statement, so the result equals `discover` on the same tree. With the
 * edit known, a statement wholly outside it needs no text comparison.
 */
export class DiscoveryCache {
  private previous?: {
    text: string;
    aliasKey: string;
    statements: Map<ts.Node, CachedStatement>;
    /** Each statement's alias part, in order, and what they made. */
    aliasParts: StatementAliases[];
    aliases: ReturnType<typeof creationAliases>;
  };
  private pattern?: { aliasKey: string; context: Omit<DiscoveryContext, 'sourceFile'> };
  /** Top-level statements reused and walked by the last call (for tests and tuning). */
  lastStats = { reused: 0, walked: 0 };

  discover(sourceFile: ts.SourceFile, change?: DiscoveryTextChange): Discovery {
    const text = sourceFile.text;
    const previous = this.previous;
    const edit = previous && change && change.from === previous.text ? change : undefined;
    const delta = edit?.edit ? edit.edit.newEnd - edit.edit.oldEnd : 0;
    // Which statements hold the same text as when their record was made (and where).
    const statements = sourceFile.statements;
    const kept: (CachedStatement | undefined)[] = new Array(statements.length);
    const aliasParts: StatementAliases[] = new Array(statements.length);
    for (let index = 0; index < statements.length; index++) {
      const statement = statements[index];
      const { pos, end } = statement;
      const cached = previous?.statements.get(statement);
      let same = false;
      if (cached && cached.end - cached.pos === end - pos) {
        if (edit && (!edit.edit ? cached.pos === pos : cached.end <= edit.edit.start ? cached.pos === pos : cached.pos >= edit.edit.oldEnd && cached.pos + delta === pos)) same = true;
        else same = previous!.text.slice(cached.pos, cached.end) === text.slice(pos, end);
      }
      kept[index] = same ? cached : undefined;
      aliasParts[index] = same ? cached!.aliases : statementAliases(statement);
    }
    // The very same parts in the same order make the same aliases.
    const sameParts = previous !== undefined && previous.aliasParts.length === aliasParts.length && aliasParts.every((part, index) => part === previous.aliasParts[index]);
    const aliases = sameParts ? previous.aliases : creationAliases(sourceFile, aliasParts);
    const aliasKey = sameParts ? previous.aliasKey : [...aliases.calls].join(',') + ';' + [...aliases.classes].join(',') + ';' + [...aliases.bases].join(',');
    const contextOf = (): DiscoveryContext => {
      if (this.pattern?.aliasKey !== aliasKey) {
        const { pattern, calls, classes, bases } = discoveryContext(sourceFile, aliases);
        this.pattern = { aliasKey, context: { pattern, calls, classes, bases } };
      }
      return { sourceFile, ...this.pattern.context };
    };
    // Kept only for the previous run's statements: a record's range is only known against
    // the text it was last checked in (positions of reused nodes move with every edit).
    const records = new Map<ts.Node, CachedStatement>();
    if (!previous || previous.aliasKey !== aliasKey) {
      // Nothing to reuse: one scan of the whole text is cheaper than one per statement.
      const parts = discoverAll(sourceFile, contextOf());
      statements.forEach((statement, index) => {
        records.set(statement, { part: parts[index], aliases: aliasParts[index], pos: statement.pos, end: statement.end, context: scanContext(text, statement.pos, statement.end) });
      });
      this.previous = { text, aliasKey, statements: records, aliasParts, aliases };
      this.lastStats = { reused: 0, walked: parts.length };
      return mergeStatements(sourceFile, parts);
    }
    const parts: StatementDiscovery[] = [];
    let walker: StatementWalker | undefined;
    let reused = 0;
    for (let index = 0; index < statements.length; index++) {
      const statement = statements[index];
      const { pos, end } = statement;
      let cached = kept[index];
      // The scan context is read again only where the edit may have reached it.
      let scan: string | undefined;
      if (cached && !(edit && contextUntouched(cached, pos, edit.edit))) scan = scanContext(text, pos, end);
      if (cached && (scan === undefined || cached.context === scan)) {
        cached.pos = pos;
        cached.end = end;
        reused++;
      } else {
        walker ??= new StatementWalker(contextOf());
        cached = { part: walker.walk(statement), aliases: aliasParts[index], pos, end, context: scan ?? scanContext(text, pos, end) };
      }
      records.set(statement, cached);
      parts.push(cached.part);
    }
    this.previous = { text, aliasKey, statements: records, aliasParts, aliases };
    this.lastStats = { reused, walked: parts.length - reused };
    return mergeStatements(sourceFile, parts);
  }

  clear(): void {
    this.previous = undefined;
  }
}
