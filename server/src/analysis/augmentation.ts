// Data augmentation in training code (issue 9, SPEC 7 `augmentation-not-declared`): follows the
// inputs that reach `model.fit`, `model.fitDataset` and `model.trainOnBatch` back through
// variables, helpers (in this file or imported), `tf.tidy`, `tf.data` pipelines (`.map(fn)`,
// generators, `tf.data.array`, `zip`) to the ops that transform them at random: flips,
// rotations, shifts and crops, shuffles of a set axis, sign flips. Labels, validation data and
// tensors that never reach training are not followed. Syntax only: which model is trained is
// named (its holder and file), and the caller matches it to the analysed model.
import { ts } from 'ts-morph';
import type { ModelGraph, SourceSpan } from './graph';
import type { InferredSymmetry } from './discoveredSymmetries';
import { resolveSpecifier } from './extraction/moduleResolution';
import type { SourceProvider } from './sourceProvider';
import type { GroupName, Mode } from './symmetry';

/** What an augmenting op does, before the model's input says which group that is. */
export type AugmentationAction =
  /** reverses `axes` (counted in the tensor the op sees) */
  | { kind: 'reverse'; axes: number[] }
  /** rotates (by 90° steps, or by any angle) */
  | { kind: 'rotate' }
  /** shifts or crops at random offsets */
  | { kind: 'shift' }
  /** permutes positions along `axis` at random */
  | { kind: 'permute'; axis: number }
  /** multiplies by a random sign */
  | { kind: 'sign' };

export interface TrainingAugmentation {
  action: AugmentationAction;
  /** The tf call that transforms the training input (`tf.image.flipLeftRight(x)`). */
  span: SourceSpan;
  /** The op's name as written (`tf.image.flipLeftRight`). */
  op: string;
  /** Inside a `tf.data` map (or generator) before `.batch()`: the tensor has no batch axis. */
  unbatched: boolean;
  /** The model the input trains: its holder's name and the file that builds it. */
  model: { name: string; file: string };
  /** The training call (`model.fit(...)`). */
  training: SourceSpan;
}

const TRAINING_METHODS = new Set(['fit', 'fitDataset', 'trainOnBatch']);
const DATASET_PASS_THROUGH = new Set(['batch', 'shuffle', 'repeat', 'prefetch', 'take', 'skip', 'filter', 'concatenate']);
const RANDOM_CALLS = /^(random|randomUniform|randomNormal|randomStandardNormal|truncatedNormal|randInt|randomInt|shuffle|createShuffledIndices|multinomial)$/;
/** A quick look before any walk: a file without a training call has no augmentation to find. */
export const TRAINING_TEXT = /\.\s*(?:fit|fitDataset|trainOnBatch)\s*\(/;
const MAX_DEPTH = 40;

interface TraceContext {
  file: ts.SourceFile;
  /** Parameters bound to the caller's arguments while following a helper. */
  bindings: Map<ts.Node, { expression: ts.Expression; context: TraceContext }>;
  unbatched: boolean;
  /** Select the `xs` part of a dataset element (`{xs, ys}` or `[xs, ys]`). */
  element: boolean;
  /** The augmentation is applied per example (a map callback, a generator): shuffles count. */
  perExample: boolean;
}

interface Found {
  action: AugmentationAction;
  node: ts.CallExpression;
  file: ts.SourceFile;
  op: string;
  unbatched: boolean;
}

function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isAwaitExpression(current) || ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)) {
    current = current.expression;
  }
  return current;
}

/** `tf.image.flipLeftRight` for a call's callee, and its last name. */
function calleeNames(call: ts.CallExpression): { path: string; name: string } {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) return { path: callee.text, name: callee.text };
  if (ts.isPropertyAccessExpression(callee)) return { path: callee.getText(), name: callee.name.text };
  return { path: '', name: '' };
}

/** A literal integer or array of integers (`2`, `[1, 2]`, `-2`). */
function literalAxes(expression: ts.Expression | undefined): number[] | undefined {
  if (!expression) return undefined;
  const node = unwrap(expression);
  if (ts.isNumericLiteral(node)) return [Number(node.text)];
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) return [-Number(node.operand.text)];
  if (ts.isArrayLiteralExpression(node)) {
    const axes = node.elements.map((element) => literalAxes(element as ts.Expression));
    return axes.every((axis) => axis && axis.length === 1) ? axes.map((axis) => axis![0]) : undefined;
  }
  return undefined;
}

/**
 * What tracing read of the analysed file, so that a caller may keep the result across edits that
 * touch none of it (engineCache.ts).
 */
export interface TracerReads {
  /** Ranges it followed or walked. */
  ranges: { start: number; end: number }[];
  /**
   * Words it searched the whole file for, function bodies included: callers of a function,
   * assignments to a top-level variable, the training methods.
   */
  names: Set<string>;
  /**
   * Names it looked up in scopes: from outside a function, only the function's own name (and
   * the body of a class, outside its methods) can hold the declaration found.
   */
  declared: Set<string>;
  /** The other files it opened. */
  files: Map<string, ts.SourceFile | undefined>;
}

const TRAINING_NAME = /\b(?:fit|fitDataset|trainOnBatch)\b/g;

/**
 * The file's training calls (`model.fit(...)`), in the order of a walk of the tree. Found from
 * the text's occurrences of the method names rather than by walking every node: on the
 * keystroke path the walk of a 3,000-line file cost more than the tracing itself.
 */
function trainingCallsOf(sourceFile: ts.SourceFile): (ts.CallExpression & { expression: ts.PropertyAccessExpression })[] {
  const calls: (ts.CallExpression & { expression: ts.PropertyAccessExpression })[] = [];
  const text = sourceFile.text;
  TRAINING_NAME.lastIndex = 0;
  for (let match = TRAINING_NAME.exec(text); match; match = TRAINING_NAME.exec(text)) {
    const name = innermostNodeAt(sourceFile, match.index);
    const access = name?.parent;
    const call = access?.parent;
    if (name && ts.isIdentifier(name) && name.getStart(sourceFile) === match.index && access && ts.isPropertyAccessExpression(access) && access.name === name && call && ts.isCallExpression(call) && call.expression === access && TRAINING_METHODS.has(name.text)) {
      calls.push(call as ts.CallExpression & { expression: ts.PropertyAccessExpression });
    }
  }
  // A walk meets an outer call before the calls inside it (`a.fit(x).fit(y)`): by start, the
  // longer first.
  return calls.sort((a, b) => a.pos - b.pos || b.end - a.end);
}

/** The innermost node (of those `ts.forEachChild` visits) whose range holds `offset`. */
function innermostNodeAt(sourceFile: ts.SourceFile, offset: number): ts.Node | undefined {
  let node: ts.Node = sourceFile;
  for (;;) {
    const inner: ts.Node | undefined = ts.forEachChild(node, (child) => (child.pos <= offset && offset < child.end ? child : undefined));
    if (!inner) return node === sourceFile ? undefined : node;
    node = inner;
  }
}

export class AugmentationTracer {
  private readonly found: Found[] = [];
  private readonly visited = new Set<string>();
  private depth = 0;

  constructor(
    private readonly provider: SourceProvider,
    private readonly reads?: TracerReads,
    private readonly root?: ts.SourceFile,
  ) {}

  /**
   * Every training call of the file, and what augments the inputs each trains on; with `reads`,
   * also what the tracing read.
   */
  static inFile(sourceFile: ts.SourceFile, provider: SourceProvider, reads?: TracerReads): TrainingAugmentation[] {
    for (const method of TRAINING_METHODS) reads?.names.add(method);
    if (!TRAINING_TEXT.test(sourceFile.text)) return [];
    const result: TrainingAugmentation[] = [];
    // The analysed file is read through its tree; other files are recorded as they are opened.
    const opened: SourceProvider = reads
      ? {
          getSourceFile: (fileName) => {
            const file = provider.getSourceFile(fileName);
            if (fileName !== sourceFile.fileName) reads.files.set(fileName, file);
            return file;
          },
        }
      : provider;
    for (const node of trainingCallsOf(sourceFile)) {
      reads?.ranges.push({ start: node.pos, end: node.end });
      const tracer = new AugmentationTracer(opened, reads, sourceFile);
      const model = tracer.modelOf(node.expression.expression, sourceFile, 0);
      if (model) {
        const method = node.expression.name.text;
        const input = node.arguments[0];
        const context: TraceContext = { file: sourceFile, bindings: new Map(), unbatched: false, element: method === 'fitDataset', perExample: false };
        if (input) tracer.trace(input, context);
        for (const found of tracer.found) {
          result.push({
            action: found.action,
            span: { file: found.file.fileName, start: found.node.getStart(found.file), end: found.node.end },
            op: found.op,
            unbatched: found.unbatched,
            model,
            training: { file: sourceFile.fileName, start: node.getStart(sourceFile), end: node.end },
          });
        }
      }
    }
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Which model a training call trains

  /** The holder that builds the model `expression` holds: a builder's name, or the variable's. */
  modelOf(expression: ts.Expression, file: ts.SourceFile, depth = 0): { name: string; file: string } | undefined {
    if (depth > 6) return undefined;
    const node = unwrap(expression);
    if (ts.isCallExpression(node)) {
      const { name } = calleeNames(node);
      if (name === 'sequential' || name === 'model') return undefined;
      const callee = unwrap(node.expression);
      if (ts.isIdentifier(callee)) {
        const imported = this.importedBinding(callee, file);
        if (imported) return { name: imported.name, file: imported.file.fileName };
        return { name: callee.text, file: file.fileName };
      }
      return undefined;
    }
    if (!ts.isIdentifier(node)) return undefined;
    const declaration = this.declarationOf(node, file);
    if (!declaration) {
      const imported = this.importedBinding(node, file);
      return imported ? { name: imported.name, file: imported.file.fileName } : undefined;
    }
    if (ts.isParameter(declaration)) {
      // `train(model, ...)`: the model the callers of the enclosing function pass.
      const fn = declaration.parent;
      const index = fn.parameters.indexOf(declaration);
      for (const call of this.callsOf(fn, file)) {
        const argument = call.arguments[index];
        const model = argument ? this.modelOf(argument, file, depth + 1) : undefined;
        if (model) return model;
      }
      return undefined;
    }
    if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const initializer = unwrap(declaration.initializer);
      if (ts.isCallExpression(initializer) && ['sequential', 'model'].includes(calleeNames(initializer).name) && ts.isIdentifier(declaration.name)) {
        return { name: declaration.name.text, file: file.fileName };
      }
      return this.modelOf(declaration.initializer, file, depth + 1);
    }
    return undefined;
  }

  /** Calls of a function declared in this file, by its name. */
  private callsOf(fn: ts.SignatureDeclaration, file: ts.SourceFile): ts.CallExpression[] {
    let name: string | undefined;
    if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) name = fn.name.text;
    else if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
    if (!name) return [];
    this.reads?.names.add(name);
    const calls: ts.CallExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name) calls.push(node);
      ts.forEachChild(node, visit);
    };
    visit(file);
    return calls;
  }

  // -------------------------------------------------------------------------------------------
  // Names: declarations in scope, imports

  /** The declaration an identifier refers to: the nearest enclosing scope that declares it. */
  private declarationOf(identifier: ts.Identifier, file: ts.SourceFile): ts.VariableDeclaration | ts.ParameterDeclaration | ts.FunctionDeclaration | undefined {
    const name = identifier.text;
    this.reads?.declared.add(name);
    for (let scope: ts.Node | undefined = identifier.parent; scope; scope = scope.parent) {
      if (ts.isFunctionLike(scope)) {
        const parameter = scope.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
        if (parameter) return parameter;
      }
      if (ts.isBlock(scope) || ts.isSourceFile(scope) || ts.isForOfStatement(scope) || ts.isForStatement(scope)) {
        const found = this.declaredIn(scope, name);
        if (found) return found;
      }
    }
    return undefined;
  }

  private declaredIn(scope: ts.Node, name: string): ts.VariableDeclaration | ts.FunctionDeclaration | undefined {
    let found: ts.VariableDeclaration | ts.FunctionDeclaration | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) {
        found = node;
        return;
      }
      if (ts.isFunctionDeclaration(node) && node.name?.text === name) {
        found = node;
        return;
      }
      // Declarations inside nested functions are theirs, not this scope's.
      if (node !== scope && ts.isFunctionLike(node)) return;
      if (node !== scope && ts.isBlock(node) && !ts.isSourceFile(scope)) return;
      ts.forEachChild(node, visit);
    };
    if (ts.isForOfStatement(scope) || ts.isForStatement(scope)) {
      if (scope.initializer) visit(scope.initializer);
      return found;
    }
    for (const statement of (scope as ts.Block | ts.SourceFile).statements) {
      visit(statement);
      if (found) break;
    }
    return found;
  }

  /** The name and file an imported (ESM or CommonJS) identifier comes from. */
  private importedBinding(identifier: ts.Identifier, file: ts.SourceFile): { name: string; file: ts.SourceFile } | undefined {
    const name = identifier.text;
    this.reads?.declared.add(name);
    for (const statement of file.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const bindings = statement.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          const element = bindings.elements.find((item) => item.name.text === name);
          if (element) {
            const target = resolveSpecifier(statement.moduleSpecifier.text, file.fileName, this.provider);
            return target ? { name: (element.propertyName ?? element.name).text, file: target } : undefined;
          }
        }
        if (statement.importClause?.name?.text === name) {
          const target = resolveSpecifier(statement.moduleSpecifier.text, file.fileName, this.provider);
          return target ? { name: 'default', file: target } : undefined;
        }
      }
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const initializer = declaration.initializer && unwrap(declaration.initializer);
          const required = initializer && ts.isCallExpression(initializer) && ts.isIdentifier(initializer.expression) && initializer.expression.text === 'require' && ts.isStringLiteral(initializer.arguments[0] ?? ({} as ts.Node))
            ? (initializer.arguments[0] as ts.StringLiteral).text
            : undefined;
          if (!required || !ts.isObjectBindingPattern(declaration.name)) continue;
          const element = declaration.name.elements.find((item) => ts.isIdentifier(item.name) && item.name.text === name);
          if (!element) continue;
          const target = resolveSpecifier(required, file.fileName, this.provider);
          const original = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : name;
          return target ? { name: original, file: target } : undefined;
        }
      }
    }
    return undefined;
  }

  /** A function declared (or assigned to a variable) under `name` at the top of `file`. */
  private functionNamed(name: string, file: ts.SourceFile): ts.FunctionLikeDeclaration | undefined {
    this.reads?.declared.add(name);
    for (const statement of file.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name?.text === name && statement.body) return statement;
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const initializer = declaration.initializer && unwrap(declaration.initializer);
          if (ts.isIdentifier(declaration.name) && declaration.name.text === name && initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer))) return initializer;
        }
      }
    }
    return undefined;
  }

  /** The function a callee names: local, or imported from the project's files. */
  private functionOf(callee: ts.Expression, file: ts.SourceFile): { fn: ts.FunctionLikeDeclaration; file: ts.SourceFile } | undefined {
    const node = unwrap(callee);
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return { fn: node, file };
    if (!ts.isIdentifier(node)) return undefined;
    const declaration = this.declarationOf(node, file);
    if (declaration && ts.isFunctionDeclaration(declaration) && declaration.body) return { fn: declaration, file };
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const initializer = unwrap(declaration.initializer);
      if (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) return { fn: initializer, file };
      return undefined;
    }
    if (declaration) return undefined;
    const imported = this.importedBinding(node, file);
    if (!imported) return undefined;
    const fn = this.functionNamed(imported.name, imported.file);
    return fn ? { fn, file: imported.file } : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Following values back

  private trace(expression: ts.Expression, context: TraceContext): void {
    const key = `${context.file.fileName}:${expression.pos}:${expression.end}:${context.element}:${context.unbatched}`;
    if (this.visited.has(key) || this.depth > MAX_DEPTH) return;
    this.visited.add(key);
    this.noteRead(expression, context.file);
    this.depth++;
    try {
      this.traceNode(unwrap(expression), context);
    } finally {
      this.depth--;
    }
  }

  /** Records a node of the analysed file whose text the tracing reads. */
  private noteRead(node: ts.Node, file: ts.SourceFile): void {
    if (this.reads && file === this.root) this.reads.ranges.push({ start: node.pos, end: node.end });
  }

  private traceNode(node: ts.Expression, context: TraceContext): void {
    if (ts.isIdentifier(node)) return this.traceIdentifier(node, context);
    if (ts.isConditionalExpression(node)) {
      this.trace(node.whenTrue, context);
      this.trace(node.whenFalse, context);
      return;
    }
    if (ts.isBinaryExpression(node)) {
      this.trace(node.left, context);
      this.trace(node.right, context);
      return;
    }
    if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        const name = property.name && ts.isIdentifier(property.name) ? property.name.text : undefined;
        if (context.element && name !== 'xs') continue;
        const inner = { ...context, element: false };
        if (ts.isPropertyAssignment(property)) this.trace(property.initializer, inner);
        else if (ts.isShorthandPropertyAssignment(property)) this.trace(property.name, inner);
      }
      return;
    }
    if (ts.isArrayLiteralExpression(node)) {
      const elements = context.element ? node.elements.slice(0, 1) : node.elements;
      for (const element of elements) this.trace(ts.isSpreadElement(element) ? element.expression : element, { ...context, element: false });
      return;
    }
    if (ts.isPropertyAccessExpression(node)) {
      // `batch.xs`, `data.images`: the object it is read from.
      if (context.element || node.name.text !== 'ys') this.trace(node.expression, context);
      return;
    }
    if (ts.isElementAccessExpression(node)) return this.trace(node.expression, context);
    if (ts.isCallExpression(node)) return this.traceCall(node, context);
    if (ts.isNewExpression(node)) for (const argument of node.arguments ?? []) this.trace(argument, context);
  }

  private traceIdentifier(identifier: ts.Identifier, context: TraceContext): void {
    const declaration = this.declarationOf(identifier, context.file);
    if (!declaration) return;
    if (ts.isParameter(declaration)) {
      const bound = context.bindings.get(declaration);
      if (bound) this.trace(bound.expression, { ...bound.context, element: context.element, unbatched: context.unbatched || bound.context.unbatched, perExample: context.perExample || bound.context.perExample });
      return;
    }
    if (ts.isFunctionDeclaration(declaration)) return;
    if (declaration.initializer) this.trace(declaration.initializer, context);
    // Later assignments and in-place changes in the declaring scope: `x = flip(x)`,
    // `items.push({xs: ...})`, `tf.util.shuffle(points)`.
    const scope = declaration.parent.parent.parent ?? context.file;
    const name = identifier.text;
    if (ts.isSourceFile(scope)) {
      if (scope === this.root) this.reads?.names.add(name);
    } else {
      this.noteRead(scope, context.file);
    }
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && node.left.text === name) {
        this.trace(node.right, context);
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === name) {
        if (node.expression.name.text === 'push' || node.expression.name.text === 'unshift') for (const argument of node.arguments) this.trace(argument, { ...context, element: context.element });
      }
      if (ts.isCallExpression(node) && calleeNames(node).path.endsWith('util.shuffle') && node.arguments[0] && ts.isIdentifier(unwrap(node.arguments[0])) && (unwrap(node.arguments[0]) as ts.Identifier).text === name && context.perExample) {
        this.record({ kind: 'permute', axis: 0 }, node, context, 'tf.util.shuffle');
      }
      ts.forEachChild(node, visit);
    };
    visit(scope);
  }

  private record(action: AugmentationAction, node: ts.CallExpression, context: TraceContext, op: string): void {
    if (this.found.some((found) => found.node === node)) return;
    this.found.push({ action, node, file: context.file, op, unbatched: context.unbatched });
  }

  /** Whether an expression depends on a random draw (`Math.random()`, `tf.randomUniform`, `tf.util.shuffle`). */
  private isRandom(expression: ts.Node, file: ts.SourceFile): boolean {
    return this.dependsOn(expression, file, (node) => ts.isCallExpression(node) && RANDOM_CALLS.test(calleeNames(node).name));
  }

  /** Whether an expression holds a `-1`, directly or through the variables it reads. */
  private holdsMinusOne(expression: ts.Node, file: ts.SourceFile): boolean {
    return this.dependsOn(expression, file, (node) => ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand) && node.operand.text === '1');
  }

  /** Whether some node of the expression, or of the initializers of the variables it reads, is `wanted`. */
  private dependsOn(expression: ts.Node, file: ts.SourceFile, wanted: (node: ts.Node) => boolean, depth = 0): boolean {
    if (depth > 4) return false;
    let hit = false;
    const visit = (node: ts.Node): void => {
      if (hit) return;
      if (wanted(node)) {
        hit = true;
        return;
      }
      if (ts.isIdentifier(node)) {
        const declaration = this.declarationOf(node, file);
        if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && this.dependsOn(declaration.initializer, file, wanted, depth + 1)) {
          hit = true;
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(expression);
    return hit;
  }

  /** The branch a conditional picks at random: `Math.random() < 0.5 ? flip(x) : x`. */
  private underRandomChoice(node: ts.Node, file: ts.SourceFile): boolean {
    for (let current: ts.Node | undefined = node.parent; current && !ts.isFunctionLike(current); current = current.parent) {
      if (ts.isConditionalExpression(current) && this.isRandom(current.condition, file)) return true;
      if (ts.isIfStatement(current) && this.isRandom(current.expression, file)) return true;
    }
    return false;
  }

  private traceCall(call: ts.CallExpression, context: TraceContext): void {
    const { path, name } = calleeNames(call);
    const callee = unwrap(call.expression);
    const method = ts.isPropertyAccessExpression(callee) ? callee : undefined;
    // `x.reverse(2)` is the op on its receiver; `tf.reverse(x, 2)` on its first argument.
    const onTf = method !== undefined && /^(tf|tfjs|tfc|tfn)(\.\w+)*$/.test(method.expression.getText(context.file));
    const receiver = method && !onTf ? method.expression : undefined;
    const tensorArg = receiver ?? call.arguments[0];
    const args = receiver ? call.arguments : call.arguments.slice(1);

    const augmentation = this.augmentationOf(call, name, path, args, receiver !== undefined, context);
    if (augmentation) this.record(augmentation, call, context, receiver ? `.${name}` : path);

    if (name === 'tidy') {
      const fn = call.arguments[call.arguments.length - 1];
      const target = fn ? this.functionOf(fn, context.file) : undefined;
      if (target) this.traceReturns(target.fn, { ...context, file: target.file, bindings: new Map() });
      return;
    }
    // tf.data pipelines.
    if (method && !onTf && name === 'map' && call.arguments[0]) {
      const target = this.functionOf(call.arguments[0], context.file);
      const batched = this.batchedBefore(method.expression);
      if (target) {
        const [parameter] = target.fn.parameters;
        const bindings = new Map(parameter ? [[parameter as ts.Node, { expression: method.expression, context: { ...context, element: true } }]] : []);
        this.traceReturns(target.fn, { file: target.file, bindings, element: context.element, unbatched: !batched, perExample: !batched });
      }
      return;
    }
    if (method && !onTf && DATASET_PASS_THROUGH.has(name)) return this.trace(method.expression, context);
    if (path.endsWith('data.generator') && call.arguments[0]) {
      const target = this.functionOf(call.arguments[0], context.file);
      if (target) this.traceYields(target.fn, { ...context, file: target.file, bindings: new Map(), unbatched: true, perExample: true });
      return;
    }
    if (path.endsWith('data.array') && call.arguments[0]) return this.trace(call.arguments[0], context);
    if (path.endsWith('data.zip') && call.arguments[0]) return this.trace(call.arguments[0], context);
    if (name === 'gather' && !augmentation) {
      // A gather of whole examples (axis 0 of a batch) reorders the data set, not an example.
      if (tensorArg) this.trace(tensorArg, context);
      return;
    }

    // A helper of the project: follow its returns with its parameters bound to the arguments.
    if (!method || !onTf) {
      const target = !method ? this.functionOf(callee, context.file) : undefined;
      if (target) {
        const bindings = new Map<ts.Node, { expression: ts.Expression; context: TraceContext }>();
        target.fn.parameters.forEach((parameter, index) => {
          const argument = call.arguments[index];
          if (argument) bindings.set(parameter, { expression: argument, context });
        });
        if (target.fn.asteriskToken) this.traceYields(target.fn, { ...context, file: target.file, bindings, perExample: true, unbatched: true });
        else this.traceReturns(target.fn, { ...context, file: target.file, bindings });
        return;
      }
    }
    // Any other op passes its tensors on (elementwise ops, stacking, resizing, tensor creation).
    if (receiver) this.trace(receiver, context);
    for (const argument of call.arguments) {
      if (ts.isArrowFunction(argument) || ts.isFunctionExpression(argument)) continue;
      this.trace(argument, context);
    }
  }

  /** `ds.batch(32).map(fn)`: the dataset reaching the map was batched already. */
  private batchedBefore(expression: ts.Expression, depth = 0): boolean {
    if (depth > 10) return false;
    const node = unwrap(expression);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      if (node.expression.name.text === 'batch') return true;
      return this.batchedBefore(node.expression.expression, depth + 1);
    }
    return false;
  }

  private augmentationOf(call: ts.CallExpression, name: string, path: string, args: readonly ts.Expression[], isMethod: boolean, context: TraceContext): AugmentationAction | undefined {
    const file = context.file;
    switch (name) {
      case 'flipLeftRight':
        return { kind: 'reverse', axes: [context.unbatched ? 1 : 2] };
      case 'rotateWithOffset':
        return { kind: 'rotate' };
      case 'transform':
        return path.includes('image') ? { kind: 'rotate' } : undefined;
      case 'cropAndResize':
        return { kind: 'shift' };
      case 'randomCrop':
        return { kind: 'shift' };
      case 'reverse': {
        const axes = literalAxes(args[0]);
        if (!axes) return undefined;
        // transpose then reverse (or reverse then transpose) is a rotation by 90°.
        const tensor = isMethod ? (unwrap(call.expression) as ts.PropertyAccessExpression).expression : call.arguments[0];
        if (tensor && this.isTransposeOfSpatial(tensor)) return { kind: 'rotate' };
        if (ts.isCallExpression(call.parent) && calleeNames(call.parent).name === 'transpose') return { kind: 'rotate' };
        return { kind: 'reverse', axes };
      }
      case 'slice':
        return args[0] && this.isRandom(args[0], file) ? { kind: 'shift' } : undefined;
      case 'roll':
        return { kind: 'shift' };
      case 'gather': {
        const axis = literalAxes(args[1])?.[0] ?? 0;
        const batchAxis = !context.unbatched && axis === 0;
        return !batchAxis && args[0] && this.isRandom(args[0], file) ? { kind: 'permute', axis } : undefined;
      }
      case 'neg':
        return this.underRandomChoice(call, file) ? { kind: 'sign' } : undefined;
      case 'mul': {
        const factor = args[0];
        return factor && this.isRandom(factor, file) && this.holdsMinusOne(factor, file) ? { kind: 'sign' } : undefined;
      }
      default:
        return undefined;
    }
  }

  /** `tf.transpose(x, perm)` right under a reverse: the pair is a rotation by 90°. */
  private isTransposeOfSpatial(expression: ts.Expression): boolean {
    const node = unwrap(expression);
    return ts.isCallExpression(node) && calleeNames(node).name === 'transpose';
  }

  private traceReturns(fn: ts.FunctionLikeDeclaration, context: TraceContext): void {
    this.noteRead(fn, context.file);
    const body = fn.body;
    if (!body) return;
    if (!ts.isBlock(body)) return this.trace(body as ts.Expression, context);
    const visit = (node: ts.Node): void => {
      if (ts.isReturnStatement(node) && node.expression) this.trace(node.expression, context);
      if (ts.isFunctionLike(node)) return;
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
  }

  private traceYields(fn: ts.FunctionLikeDeclaration, context: TraceContext): void {
    this.noteRead(fn, context.file);
    const body = fn.body;
    if (!body) return;
    // `() => examples(data)`: the generator the arrow returns.
    if (!ts.isBlock(body)) return this.trace(body as ts.Expression, context);
    const visit = (node: ts.Node): void => {
      if (ts.isYieldExpression(node) && node.expression) this.trace(node.expression, { ...context, element: true });
      // A generator that returns an iterator object (`next()` returning `{value, done}`).
      if (ts.isReturnStatement(node) && node.expression) this.trace(node.expression, context);
      if (ts.isFunctionLike(node) && node !== fn) return;
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
  }
}

/**
 * The model an expression holds, named by its holder (a builder's name or the variable's) and the
 * file that builds it: what `model.fit(...)` trains, or `model.save(...)` writes.
 */
export function modelHolderOf(expression: ts.Expression, file: ts.SourceFile, provider: SourceProvider): { name: string; file: string } | undefined {
  return new AugmentationTracer(provider).modelOf(expression, file);
}

/**
 * The group an augmentation stands for on a model whose input has `inputRank` axes besides the
 * batch (SPEC 7): a horizontal flip (or time reversal) is `flip`, a vertical flip `dihedral`,
 * any rotation `rotation90`, a shift or crop `translation`, a shuffle of the set axis
 * `permutation`, a random sign `sign`. Undefined when the op does not act on an axis the
 * group would (reversing the channels, shuffling the batch).
 */
export function augmentationGroup(augmentation: TrainingAugmentation, inputRank: number | undefined): GroupName | undefined {
  const offset = augmentation.unbatched ? 0 : 1;
  const rank = inputRank ?? 3;
  const action = augmentation.action;
  switch (action.kind) {
    case 'rotate':
      return 'rotation90';
    case 'shift':
      return 'translation';
    case 'sign':
      return 'sign';
    case 'permute': {
      const axis = action.axis - offset;
      return axis === 0 ? 'permutation' : undefined;
    }
    case 'reverse': {
      const axes = action.axes.map((axis) => (axis < 0 ? axis + rank + offset : axis) - offset);
      if (rank === 3) {
        if (axes.includes(0)) return 'dihedral';
        return axes.includes(1) ? 'flip' : undefined;
      }
      if (rank === 2) return axes.includes(0) ? 'flip' : undefined;
      return undefined;
    }
  }
}

/** An augmentation matched to the model it trains, with what that model does for its group. */
export interface AugmentedModel {
  augmentation: TrainingAugmentation;
  group: GroupName;
  model: {
    graph: ModelGraph;
    declared: { mode: Mode; group: GroupName }[];
    /** How the group holds at the output, in the mode that holds best (see bestPerGroup). */
    inferred?: InferredSymmetry;
  };
}

/** Whether a declaration of `declared` names the group an augmentation teaches (SPEC 7: dihedral covers flip and rotation90). */
export function declarationCovers(declared: readonly { group: GroupName }[], group: GroupName): boolean {
  return declared.some((declaration) => declaration.group === group || (declaration.group === 'dihedral' && (group === 'flip' || group === 'rotation90')));
}
