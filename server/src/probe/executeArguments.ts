// Arguments for the execute-mode probe's calls (issue 12): real builders take parameters
// (`createCNN(inputShape, numClasses)`, `new Net(config)`) that nobody supplies when the probe
// calls them. On the main thread, from the source alone (no user code runs here), each parameter
// gets the value the static analysis resolved for the model's variant (`type === 'lstm'`), else
// a representative value read off how the code uses it (`units: numClasses` -> 8, `inputShape:
// [size, size, 1]` -> the probe's input size), else one its name suggests. A parameter with a
// default keeps it. Every choice is listed with the verdict.
import { ts } from 'ts-morph';
import type { ModelAnalysis } from '../engine';
import { DEFAULT_DIMENSION, type ProbePlan } from './plan';

export interface ChosenArguments {
  /** By the callable's name in the holder's path (`buildNet`, `Trainer`, `Trainer.build`). */
  argumentsFor: Record<string, unknown[]>;
  /** One sentence per callable that got arguments, by the same key: listed when it is called. */
  notes: Record<string, string>;
  /**
   * The callable whose local variable holds the model (`buildNet`, `default` for `export
   * default () => {...}`, `tasks.getModel` for a method of an object literal): the model is
   * what calling it returns.
   */
  enclosing?: string;
  /**
   * Names the file reads but never declares (a page's other scripts: `tfvis`, `Webcam`, or a
   * size nobody defined: `inputShape: [timesteps, features]`): a representative value where the
   * uses suggest one (numbers, strings, lists of numbers), else undefined (the worker stubs it).
   */
  undeclared?: Record<string, unknown>;
  /** The holder's path from the top level when its name does not say it (`Lstm.model` for a property `model` of `let Lstm = {...}`). */
  holderPath?: string;
}

type FunctionLike = ts.FunctionLikeDeclaration;

/** Stands for the worker's tfjs in an argument list (plain data until the worker swaps it). */
export const TFJS_ARGUMENT = { symmetryLintArgument: 'tfjs' } as const;

/**
 * Stands for a model the builder takes as an argument (a transfer head over `truncatedMobileNet`):
 * the worker passes a pass-through model whose output has `outputShape`, the input the probe
 * feeds the head.
 */
export interface ModelArgument {
  symmetryLintArgument: 'model';
  outputShape: number[];
}

/** Property reads that only a model answers (a tfjs namespace reads `layers`, `sequential`). */
const MODEL_MEMBERS = /^(outputs|inputs|getLayer|predict|outputShape|inputShape)$/;

/** Representative values by configuration key: the widths the literal probe uses, safe structural values. */
function valueForKey(key: string, inputShape: number[]): unknown {
  switch (key) {
    case 'units':
    case 'filters':
    case 'outputDim':
    case 'numClasses':
      return 8;
    case 'inputDim':
      return 16;
    case 'depthMultiplier':
    case 'dilationRate':
    case 'strides':
      return 1;
    case 'kernelSize':
      return 3;
    case 'poolSize':
    case 'size':
      return 2;
    case 'padding':
      return 'same';
    case 'activation':
      return 'relu';
    case 'rate':
      return 0.5;
    case 'dropout':
    case 'recurrentDropout':
      return 0;
    case 'inputShape':
    case 'shape':
      return [...inputShape];
    case 'batchInputShape':
      return [null, ...inputShape];
    default:
      return undefined;
  }
}

/** A value a parameter's name suggests when its uses say nothing. */
function valueForName(name: string, inputShape: number[]): unknown {
  if (/shape/i.test(name)) return [...inputShape];
  if (/channels?$/i.test(name)) return inputShape[inputShape.length - 1] ?? 1;
  if (/(height|width|size|length|rows|cols|steps)$/i.test(name)) return inputShape[0] ?? DEFAULT_DIMENSION;
  if (/(layers|depth|blocks|count)$/i.test(name)) return 2;
  if (/(rate|^lr)$/i.test(name)) return 0.001;
  if (/(classes|labels|outputs?|units|filters|hidden|neurons|dim|features|categories)$/i.test(name)) return 8;
  return undefined;
}

/** The value of a literal expression, or undefined. */
function literalValue(node: ts.Expression): { value: unknown } | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { value: node.text };
  if (ts.isNumericLiteral(node)) return { value: Number(node.text) };
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (node.kind === ts.SyntaxKind.NullKeyword) return { value: null };
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) return { value: -Number(node.operand.text) };
  return undefined;
}

/**
 * The decisions a variant's label states (`type === 'lstm' && !useBn`), as values by the
 * expression they constrain (`type`, `config.useBn`). Only the first alternative of an `||`.
 */
export function variantValues(label: string | undefined, excluded = new Map<string, unknown>()): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (!label) return values;
  const first = label.split(' || ')[0].replace(/^\((.*)\)$/, '$1');
  for (const term of first.split(' && ').map((t) => t.trim())) {
    const inequality = /^([\w$.]+) !==? (.+)$/.exec(term);
    const equality = inequality ?? /^([\w$.]+) ===? (.+)$/.exec(term);
    if (equality) {
      const parsed = ts.createSourceFile('term.ts', `(${equality[2]})`, ts.ScriptTarget.Latest);
      const statement = parsed.statements[0];
      const expression = statement && ts.isExpressionStatement(statement) && ts.isParenthesizedExpression(statement.expression) ? statement.expression.expression : undefined;
      const literal = expression ? literalValue(expression) : undefined;
      if (literal) (inequality ? excluded : values).set(equality[1], literal.value);
      continue;
    }
    // `labels > 1`: the nearest whole number on the variant's side of the bound.
    const bound = /^([\w$.]+) (>=?|<=?) (-?\d+(?:\.\d+)?)$/.exec(term);
    if (bound) {
      const limit = Number(bound[3]);
      values.set(bound[1], bound[2] === '>' ? Math.floor(limit) + 1 : bound[2] === '<' ? Math.ceil(limit) - 1 : limit);
      continue;
    }
    const negated = /^!([\w$.]+)$/.exec(term);
    if (negated) values.set(negated[1], false);
    else if (/^[\w$.]+$/.test(term)) values.set(term, true);
  }
  return values;
}

function isPropertyNamePosition(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) return true;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return true;
  return false;
}

/** Every reference to `name` inside `root` (no scope analysis: a shadowing local counts too). */
function usesOf(name: string, root: ts.Node): ts.Identifier[] {
  const uses: ts.Identifier[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && node.text === name && !isPropertyNamePosition(node) && !(ts.isParameter(node.parent) && node.parent.name === node)) uses.push(node);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return uses;
}

function propertyKey(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

const SHAPE_KEYS = new Set(['inputShape', 'shape', 'batchInputShape', 'targetShape']);

class ArgumentChooser {
  constructor(
    private readonly inputShape: number[],
    private readonly variant: Map<string, unknown>,
    /** Values the variant rules out (`type !== 'lstm'`): a comparison with them is not a hint. */
    private readonly excluded: Map<string, unknown>,
  ) {}

  /** A value other than the one the variant rules out, of the same type. */
  private otherThan(path: string): unknown {
    if (!this.excluded.has(path)) return undefined;
    const ruledOut = this.excluded.get(path);
    if (typeof ruledOut === 'number') return ruledOut + 1;
    if (typeof ruledOut === 'boolean') return !ruledOut;
    if (typeof ruledOut === 'string') return `not-${ruledOut}`;
    return 0;
  }

  /** A stand-in model whose output is a map the head can take: the probe's input when it has a spatial rank. */
  modelArgument(): ModelArgument {
    return { symmetryLintArgument: 'model', outputShape: this.inputShape.length >= 2 ? [...this.inputShape] : [DEFAULT_DIMENSION, DEFAULT_DIMENSION, 8] };
  }

  /** What the code's use of `expression` (a parameter, or a property of one) says it should be. */
  private valueAt(expression: ts.Expression, path: string, body: ts.Node): unknown {
    if (this.variant.has(path)) return this.variant.get(path);
    const parent = expression.parent;
    if (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) return this.valueAt(parent, path, body);
    if (ts.isPropertyAssignment(parent) && parent.initializer === expression) {
      const key = propertyKey(parent.name);
      return key === undefined ? undefined : valueForKey(key, this.inputShape);
    }
    if (ts.isShorthandPropertyAssignment(parent)) return valueForKey(parent.name.text, this.inputShape);
    // `inputShape: [steps, vocab]`, also behind a condition (`i === 0 ? [steps, vocab] : undefined`).
    let holder: ts.Node | undefined = ts.isArrayLiteralExpression(parent) ? parent.parent : undefined;
    while (holder && (ts.isConditionalExpression(holder) || ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder))) holder = holder.parent;
    if (ts.isArrayLiteralExpression(parent) && holder && ts.isPropertyAssignment(holder)) {
      const key = propertyKey(holder.name);
      if (key && SHAPE_KEYS.has(key)) return this.inputShape[parent.elements.indexOf(expression)] ?? DEFAULT_DIMENSION;
      if (key === 'kernelSize') return 3;
      if (key === 'poolSize' || key === 'size') return 2;
      if (key === 'strides') return 1;
      return undefined;
    }
    if (ts.isBinaryExpression(parent)) {
      const other = parent.left === expression ? parent.right : parent.left;
      const operator = parent.operatorToken.kind;
      if (operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken) {
        const literal = literalValue(other);
        return literal && !(this.excluded.has(path) && this.excluded.get(path) === literal.value) ? literal.value : undefined;
      }
      if (operator === ts.SyntaxKind.LessThanToken || operator === ts.SyntaxKind.LessThanEqualsToken) return 2;
      if ([ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken].includes(operator) && literalValue(other) && typeof literalValue(other)!.value === 'number') {
        return 8;
      }
    }
    return undefined;
  }

  /**
   * A parameter the code iterates (`layers.forEach((layer) => ...)`, `sizes.map(...)`,
   * `for (const size of sizes)`): a one-element list, the element read off the callback's uses.
   */
  private asList(use: ts.Identifier, body: ts.Node): unknown[] | undefined {
    const parent = use.parent;
    if (ts.isForOfStatement(parent) && parent.expression === use) {
      const declared = ts.isVariableDeclarationList(parent.initializer) ? parent.initializer.declarations[0]?.name : undefined;
      const element = declared && ts.isIdentifier(declared) ? this.valueOf(declared.text, parent.statement) : undefined;
      return element === undefined ? [] : [element];
    }
    if (!ts.isPropertyAccessExpression(parent) || parent.expression !== use) return undefined;
    const method = parent.name.text;
    if (!/^(forEach|map|reduce|filter|some|every|slice|length|flatMap)$/.test(method)) return undefined;
    const call = parent.parent;
    const callback = ts.isCallExpression(call) && call.expression === parent ? call.arguments[0] : undefined;
    const itemParameter = callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) ? callback.parameters[method === 'reduce' ? 1 : 0] : undefined;
    if (!itemParameter || !ts.isIdentifier(itemParameter.name)) return method === 'length' ? [DEFAULT_DIMENSION] : [];
    const element = this.valueOf(itemParameter.name.text, (callback as FunctionLike).body ?? body);
    return element === undefined ? [] : [element];
  }

  /** The value for a parameter (or destructured name) `name` from all its uses in `body`. */
  valueOf(name: string, body: ts.Node): unknown {
    if (this.variant.has(name)) return this.variant.get(name);
    // tfjs handed in as a parameter (`function build(tf, inputShape)`): the worker gives its own.
    const uses = usesOf(name, body);
    if (name === 'tf' || uses.some((use) => ts.isPropertyAccessExpression(use.parent) && use.parent.expression === use && /^(sequential|layers)$/.test(use.parent.name.text))) return { ...TFJS_ARGUMENT };
    if (uses.some((use) => ts.isPropertyAccessExpression(use.parent) && use.parent.expression === use && MODEL_MEMBERS.test(use.parent.name.text))) return this.modelArgument();
    const object: Record<string, unknown> = {};
    let asObject = false;
    for (const use of uses) {
      const parent = use.parent;
      const list = this.asList(use, body);
      if (list) return list;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === use) {
        asObject = true;
        const key = parent.name.text;
        if (object[key] !== undefined) continue;
        const value = this.valueAt(parent, `${name}.${key}`, body);
        object[key] = value !== undefined ? value : (this.otherThan(`${name}.${key}`) ?? valueForKey(key, this.inputShape) ?? valueForName(key, this.inputShape));
        continue;
      }
      const value = this.valueAt(use, name, body);
      if (value !== undefined) return value;
    }
    // Keys a variant sets on an object parameter (`config.type === 'lstm'`).
    for (const [path, value] of this.variant) {
      const [head, key, ...deeper] = path.split('.');
      if (head === name && key && deeper.length === 0) {
        asObject = true;
        object[key] = value;
      }
    }
    if (asObject) return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
    return this.otherThan(name) ?? valueForName(name, this.inputShape);
  }

  /** Arguments for `fn`, and their description (`inputShape = [28, 28, 1], numClasses = 8`); none when nothing was chosen. */
  argumentsOf(fn: FunctionLike): { args: unknown[]; words: string[] } {
    const args: unknown[] = [];
    const words: string[] = [];
    const body = fn.body ?? fn;
    for (const parameter of fn.parameters) {
      if (parameter.dotDotDotToken) break;
      let value: unknown;
      if (parameter.initializer) {
        // The default applies, unless the variant says otherwise.
        value = ts.isIdentifier(parameter.name) && this.variant.has(parameter.name.text) ? this.variant.get(parameter.name.text) : undefined;
      } else if (ts.isIdentifier(parameter.name)) {
        const typed = parameter.type && /\b(LayersModel|Sequential|GraphModel)\b/.test(parameter.type.getText());
        value = typed ? this.modelArgument() : this.valueOf(parameter.name.text, body);
      } else if (ts.isObjectBindingPattern(parameter.name)) {
        const object: Record<string, unknown> = {};
        for (const element of parameter.name.elements) {
          if (element.initializer || element.dotDotDotToken || !ts.isIdentifier(element.name)) continue;
          const key = element.propertyName ? propertyKey(element.propertyName) : element.name.text;
          if (key === undefined) continue;
          const chosen = this.valueOf(element.name.text, body) ?? valueForKey(key, this.inputShape);
          if (chosen !== undefined) object[key] = chosen;
        }
        value = object;
      }
      args.push(value);
      if (value !== undefined) words.push(`${parameter.name.getText().replace(/\s+/g, ' ')} = ${describeArgument(value)}`);
    }
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return { args, words };
  }
}

function describeArgument(value: unknown): string {
  const marker = value !== null && typeof value === 'object' ? (value as { symmetryLintArgument?: unknown }).symmetryLintArgument : undefined;
  if (marker === 'tfjs') return "the probe's tfjs";
  if (marker === 'model') return `a stand-in model with output shape [${(value as ModelArgument).outputShape.join(', ')}] (a base model the probe does not build)`;
  return JSON.stringify(value);
}

/** The deepest node whose span holds `position`. */
function nodeAt(sourceFile: ts.SourceFile, position: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node) => {
    if (position >= node.getStart(sourceFile) && position < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  ts.forEachChild(sourceFile, visit);
  return found;
}

function isFunctionLike(node: ts.Node | undefined): node is FunctionLike {
  return node !== undefined && (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node));
}

/** The function a holder name stands for: the declaration it names, or the function its variable or property holds. */
function functionOfHolder(name: ts.Node): FunctionLike | undefined {
  const parent = name.parent;
  if (isFunctionLike(parent)) return parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === name) return functionOfHolder(parent.name);
  // `self.build = function (...) {...}`
  const assigned = ts.isPropertyAccessExpression(parent) && parent.name === name && ts.isBinaryExpression(parent.parent) && parent.parent.left === parent ? parent.parent.right : undefined;
  if (assigned && isFunctionLike(assigned)) return assigned;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer) {
    let initializer: ts.Expression = parent.initializer;
    while (ts.isParenthesizedExpression(initializer) || ts.isAsExpression(initializer)) initializer = initializer.expression;
    if (isFunctionLike(initializer)) return initializer;
  }
  return undefined;
}

function enclosingFunction(node: ts.Node): FunctionLike | undefined {
  for (let current = node.parent; current; current = current.parent) if (isFunctionLike(current)) return current;
  return undefined;
}

/** The arguments for every call the worker may make on the way from the holder to the model. */
export function chooseArguments(model: ModelAnalysis, sourceFile: ts.SourceFile, plan: ProbePlan): ChosenArguments {
  const result: ChosenArguments = { argumentsFor: {}, notes: {} };
  const graph = model.graph;
  if (graph.nameSpan.file !== sourceFile.fileName) return result;
  const name = nodeAt(sourceFile, graph.nameSpan.start);
  if (!name) return result;
  const inputShape = plan.inputs[0]?.shape ?? [DEFAULT_DIMENSION, DEFAULT_DIMENSION, 1];
  const excluded = new Map<string, unknown>();
  const chooser = new ArgumentChooser(inputShape, variantValues(graph.variant, excluded), excluded);
  const undeclared = undeclaredValues(chooser, sourceFile);
  if (Object.keys(undeclared).length > 0) result.undeclared = undeclared;
  const give = (key: string, fn: FunctionLike | undefined) => {
    if (!fn || fn.parameters.length === 0 || key in result.argumentsFor) return;
    const { args, words } = chooser.argumentsOf(fn);
    if (args.length === 0) return;
    result.argumentsFor[key] = args;
    result.notes[key] = `${key}(${words.join(', ')}) called with arguments the probe chose${graph.variant ? ` for the variant ${graph.variant}` : ''}`;
  };
  const parts = graph.name.split('.');
  // An anonymous builder (`export default (rows, cols) => {...}`): the span is the function itself.
  const anonymous = ts.findAncestor(name, (node) => (ts.isArrowFunction(node) || (ts.isFunctionExpression(node) && !node.name)) && node.getStart(sourceFile) === graph.nameSpan.start) as FunctionLike | undefined;
  const anonymousName = anonymous ? callableName(anonymous) : undefined;
  if (anonymous && anonymousName) {
    result.enclosing = anonymousName;
    give(anonymousName, anonymous);
    return result;
  }
  const own = functionOfHolder(name);
  give(graph.name, own);
  // A property of a top-level object literal (`let Lstm = { model: tf.sequential(), create(...) {...} }`).
  const property = name.parent;
  // Or one of its methods that builds into `this.model`.
  const literal = (ts.isPropertyAssignment(property) || ts.isMethodDeclaration(property)) && property.name === name ? property.parent : undefined;
  if (literal && ts.isObjectLiteralExpression(literal) && ts.isVariableDeclaration(literal.parent) && ts.isIdentifier(literal.parent.name) && parts.length === 1) {
    const objectName = literal.parent.name.text;
    result.holderPath = `${objectName}.${graph.name}`;
    for (const member of literal.properties) {
      const method = ts.isMethodDeclaration(member) ? member : ts.isPropertyAssignment(member) && isFunctionLike(member.initializer) ? (member.initializer as FunctionLike) : undefined;
      if (method && member.name && ts.isIdentifier(member.name)) give(`${objectName}.${member.name.text}`, method);
    }
  }
  const declaringClass = ts.findAncestor(name, ts.isClassLike);
  if (declaringClass) {
    const className = declaringClass === name.parent ? graph.name : parts[0];
    give(className, declaringClass.members.find(ts.isConstructorDeclaration));
    // A class-builder's build method may take parameters too.
    for (const member of declaringClass.members) {
      if (ts.isMethodDeclaration(member) && member.name && ts.isIdentifier(member.name)) give(`${className}.${member.name.text}`, member);
    }
  }
  // A model held by a local variable: its function is called to reach it. The holder's name may
  // point at that function itself (`getModel.model`: the local `model` of the method `getModel`).
  const localOfOwn = own !== undefined && own === name.parent && parts.length > 1 && ts.isIdentifier(name) && parts[parts.length - 1] !== name.text && !declaringClass;
  const enclosing = localOfOwn ? own : own && !ts.isPropertyAccessExpression(name.parent) ? undefined : enclosingFunction(own ?? name);
  const enclosingName = enclosing ? callableName(enclosing) : undefined;
  if (enclosing && enclosingName && !(declaringClass && parts.length > 1)) {
    result.enclosing = enclosingName;
    give(enclosingName, enclosing);
  }
  return result;
}

/** Names that are never free variables of a file: the language's own and CommonJS's. */
const NOT_GLOBALS = new Set(['arguments', 'undefined', 'require', 'module', 'exports', '__dirname', '__filename', 'this', 'tf']);

/**
 * The identifiers `sourceFile` reads as values without declaring them anywhere (no scope
 * analysis: a name declared anywhere in the file counts as declared). Type positions are not reads.
 */
export function undeclaredNames(sourceFile: ts.SourceFile): string[] {
  const declared = new Set<string>();
  const read = new Set<string>();
  const declare = (name: ts.Node | undefined) => {
    if (!name) return;
    if (ts.isIdentifier(name)) declared.add(name.text);
    else if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)) for (const element of name.elements) if (!ts.isOmittedExpression(element)) declare(element.name);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) return;
    if (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node)) declare(node.name);
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassLike(node) || ts.isEnumDeclaration(node) || ts.isModuleDeclaration(node)) && node.name) declare(node.name);
    if (ts.isImportClause(node) || ts.isNamespaceImport(node) || ts.isImportSpecifier(node) || ts.isImportEqualsDeclaration(node)) declare(node.name);
    if (ts.isIdentifier(node) && !isPropertyNamePosition(node) && !ts.isLabeledStatement(node.parent) && !ts.isBreakOrContinueStatement(node.parent) && !ts.isDeclarationStatement(node.parent)) read.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return [...read].filter((name) => !declared.has(name) && !NOT_GLOBALS.has(name) && !(name in globalThis));
}

/** The representative value of an undeclared name: only plain data, never an object the code would call into. */
function undeclaredValues(chooser: ArgumentChooser, sourceFile: ts.SourceFile): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of undeclaredNames(sourceFile)) {
    const value = chooser.valueOf(name, sourceFile);
    const plain = typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || (Array.isArray(value) && value.every((item) => typeof item === 'number'));
    values[name] = plain ? value : undefined;
  }
  return values;
}

/** How the worker reaches a function from the file's top level, if it can. */
function callableName(fn: FunctionLike): string | undefined {
  const parent = fn.parent;
  const isDefault = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  if (ts.isFunctionDeclaration(fn)) return isDefault(fn) ? 'default' : fn.name?.text;
  if (ts.isExportAssignment(parent)) return 'default';
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  const member = ts.isMethodDeclaration(fn) ? fn : ts.isPropertyAssignment(parent) ? parent : undefined;
  if (member && member.name && ts.isIdentifier(member.name)) {
    const owner = member.parent;
    if (ts.isClassDeclaration(owner) && owner.name) return `${owner.name.text}.${member.name.text}`;
    if (ts.isObjectLiteralExpression(owner) && ts.isVariableDeclaration(owner.parent) && ts.isIdentifier(owner.parent.name)) return `${owner.parent.name.text}.${member.name.text}`;
  }
  return undefined;
}
