// Custom layer classes (`class X extends tf.layers.Layer`): reads `build()` and `call()` into a
// CustomLayerBody, the tf ops on the layer's inputs, the `addWeight`s and the sublayers applied.
// The constructor runs in the interpreter (its `this.*` fields are the instance's config, so a
// class is read per instance); build() and call() are read by a small evaluator of their own
// that follows tensors symbolically and leaves the ops' meaning to inference (op table).
import { ts } from 'ts-morph';
import type { BodyDim, BodyOp, BodyOperand, CustomLayerBody } from '../customLayerBody';
import type { ConstValue, SourceSpan } from '../graph';
import { NotConstant } from '../graph';
import { branchThrows, isInert } from './decisions';
import type { Interpreter } from './interpreter';
import { StepBudgetExhausted } from './interpreter';
import type { FileContext } from './fileContext';
import { toConstValue } from './tfjsCalls';
import { type AbstractValue, type ClassValue, type ObjectValue, Scope } from './values';

/** A value inside build() or call(). */
type BodyValue =
  | { k: 'tensor'; id: number }
  /** call()'s first parameter: a tensor or the list of the layer's inputs. */
  | { k: 'inputs' }
  /** build()'s first parameter: a shape, or the list of the inputs' shapes. */
  | { k: 'buildShape' }
  /** `inputShape[k]` in build(): a size of input 0, or the shape of input k when indexed again. */
  | { k: 'buildIndex'; index: number }
  | { k: 'shape'; of: number }
  | { k: 'dim'; dim: BodyDim }
  /** `inputShape.length - minus`. */
  | { k: 'rank'; input: number; minus: number }
  | { k: 'const'; value: ConstValue | undefined }
  | { k: 'array'; items: BodyValue[] }
  | { k: 'tfjs'; path: string[] }
  | { k: 'layer'; kind: string; config: Record<string, ConstValue> }
  | { k: 'function'; node: ts.FunctionLikeDeclaration; env: Env; file: FileContext }
  | { k: 'this' }
  | { k: 'unknown'; why: string };

class Env {
  readonly vars = new Map<string, BodyValue>();
  constructor(readonly parent?: Env) {}
  lookup(name: string): BodyValue | undefined {
    for (let env: Env | undefined = this; env; env = env.parent) {
      const found = env.vars.get(name);
      if (found) return found;
    }
    return undefined;
  }
  assign(name: string, value: BodyValue): boolean {
    for (let env: Env | undefined = this; env; env = env.parent) {
      if (env.vars.has(name)) {
        env.vars.set(name, value);
        return true;
      }
    }
    return false;
  }
}

/** Thrown to stop reading at the first construct that cannot be followed. */
class Unfollowed extends Error {
  constructor(
    readonly what: string,
    readonly span: SourceSpan,
  ) {
    super(what);
  }
}

type Flow = { returned?: BodyValue } | undefined;

const MAX_LOOP = 32;
const MAX_INLINE_DEPTH = 6;
const MAX_STEPS = 20000;
/** Bodies read, per class text and instance config: the on-type path reads a class once. */
const BODY_CACHE = new Map<string, CustomLayerBody>();
const BODY_CACHE_LIMIT = 256;

/**
 * Methods of tf.layers.Layer that a call() may invoke on `this` for bookkeeping only: they check
 * or report the inputs and return nothing the layer's output depends on (tfjs's own custom-layer
 * example calls `this.invokeCallHook(inputs, kwargs)` first). A class that defines one of them
 * itself is read through its own definition.
 */
const LAYER_BOOKKEEPING_METHODS = new Set(['invokeCallHook', 'assertInputCompatibility']);

const MATH_FUNCTIONS: Record<string, (...values: number[]) => number> = {
  sqrt: Math.sqrt,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  max: Math.max,
  min: Math.min,
  pow: Math.pow,
  log: Math.log,
  exp: Math.exp,
  abs: Math.abs,
};

/** `Math.PI` and the like, read as numbers (GELU's `Math.sqrt(2 / Math.PI)`). */
const MATH_CONSTANTS: Record<string, number> = { PI: Math.PI, E: Math.E, SQRT2: Math.SQRT2, SQRT1_2: Math.SQRT1_2, LN2: Math.LN2, LN10: Math.LN10, LOG2E: Math.LOG2E, LOG10E: Math.LOG10E };

let freshReads = 0;

/** How many bodies were read rather than taken from the cache, so far (for tests). */
export function customLayerReads(): number {
  return freshReads;
}

/**
 * `structuredClone` of a body, which is plain objects and arrays but for the odd NotConstant in
 * a constant: the same copy (shared objects stay shared, holes stay holes, any other object is
 * left to structuredClone) without its serialising round trip, which was most of a read.
 */
export function copyPlainData<T>(value: T, copies: Map<object, unknown>): T {
  if (typeof value !== 'object' || value === null) return value;
  const known = copies.get(value);
  if (known !== undefined) return known as T;
  let copy: unknown;
  if (Array.isArray(value)) {
    const items: unknown[] = new Array(value.length);
    copies.set(value, items);
    for (let index = 0; index < value.length; index++) if (index in value) items[index] = copyPlainData(value[index], copies);
    copy = items;
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    const fields: Record<string, unknown> = {};
    copies.set(value, fields);
    for (const key of Object.keys(value)) {
      const field = copyPlainData((value as Record<string, unknown>)[key], copies);
      // A `__proto__` key read from the user's object literal is data, as structuredClone keeps it.
      if (key === '__proto__') Object.defineProperty(fields, key, { value: field, enumerable: true, writable: true, configurable: true });
      else fields[key] = field;
    }
    copy = fields;
  } else {
    copy = structuredClone(value);
    copies.set(value, copy as object);
  }
  return copy as T;
}

/** Reads custom layer classes for one interpreter. */
export class CustomLayerReader {
  constructor(private readonly interp: Interpreter) {}

  /** The body of an instance of `classValue` created with `args`, or undefined when the class has no call(). */
  read(classValue: ClassValue, args: AbstractValue[], node: ts.Node, scope: Scope): CustomLayerBody | undefined {
    const callMethod = this.interp.classes.classMethod(classValue, 'call', { kind: 'object', props: new Map() });
    if (!callMethod) return undefined;
    const props = this.instanceProps(classValue, args, node, scope);
    const file = classValue.file;
    // The arguments too: a field the constructor computes with tf ops is read from them.
    const key = `${file.sourceFile.fileName}:${classValue.node.pos}:${classValue.node.getText(file.sourceFile)}\u0000${propsKey(props)}\u0000${argsKey(args)}`;
    let body = BODY_CACHE.get(key);
    if (!body) {
      body = new BodyReading(this.interp, classValue, props, args).run();
      freshReads++;
      if (BODY_CACHE.size >= BODY_CACHE_LIMIT) BODY_CACHE.delete(BODY_CACHE.keys().next().value as string);
      BODY_CACHE.set(key, body);
    }
    // A copy per layer: the engine's cache shifts the spans of reused results in place, and a
    // body shared by two results would be shifted twice.
    return copyPlainData(body, new Map());
  }

  /**
   * The instance's fields after its constructor ran with the creation's arguments: where
   * `causal: true` passed through a helper reaches `this.causal`. What the run records in the
   * unit (gaps, a throw) belongs to the layer's reading, not to the model's, so it is undone.
   */
  private instanceProps(classValue: ClassValue, args: AbstractValue[], node: ts.Node, scope: Scope): Map<string, AbstractValue> {
    const instance: ObjectValue = { kind: 'object', props: new Map(), classValue };
    const unit = this.interp.unit;
    const gaps = unit.gaps.length;
    const threw = unit.threw;
    const events = this.interp.layerEvents;
    try {
      this.interp.construct(classValue, args, instance, node, scope);
    } catch (error) {
      if (error instanceof StepBudgetExhausted) throw error;
    } finally {
      unit.gaps.length = gaps;
      unit.threw = threw;
      this.interp.layerEvents = events;
    }
    return instance.props;
  }
}

function argsKey(args: AbstractValue[]): string {
  return JSON.stringify(args.map((arg) => (arg.kind === 'layer' ? { layer: arg.layer.kind, config: arg.layer.config.values } : (toConstValue(arg) ?? null))), (_, value) =>
    value instanceof NotConstant ? `?${value.reason}` : value,
  );
}

function propsKey(props: Map<string, AbstractValue>): string {
  const entries: [string, unknown][] = [];
  for (const [key, value] of props) {
    if (value.kind === 'layer') entries.push([key, { layer: value.layer.kind, config: value.layer.config.values }]);
    else entries.push([key, toConstValue(value) ?? null]);
  }
  return JSON.stringify(entries, (_, value) => (value instanceof NotConstant ? `?${value.reason}` : value));
}

/** One reading of a class's build() and call() for one instance. */
class BodyReading {
  private readonly ops: BodyOp[] = [];
  private readonly thisProps = new Map<string, BodyValue>();
  private readonly inputOps = new Map<number, number>();
  private steps = 0;
  private depth = 0;

  /** Fields whose constructor initializer was already read as ops (read once, so one op id). */
  private readonly fieldsRead = new Set<string>();

  constructor(
    private readonly interp: Interpreter,
    private readonly classValue: ClassValue,
    props: Map<string, AbstractValue>,
    private readonly constructorArgs: AbstractValue[],
  ) {
    for (const [key, value] of props) this.thisProps.set(key, fromAbstract(value));
  }

  /**
   * A field the constructor computes with tf ops (`this.mask = tf.linalg.bandPart(tf.ones([t, t]), -1, 0)`):
   * the interpreter that ran the constructor keeps no tensors, so its initializer is read here,
   * as ops of the body, with the constructor's parameters bound to the creation's arguments.
   */
  private constructorField(name: string): BodyValue | undefined {
    if (this.fieldsRead.has(name)) return undefined;
    this.fieldsRead.add(name);
    const file = this.classValue.file;
    for (const member of this.classValue.node.members) {
      if (ts.isPropertyDeclaration(member) && member.initializer && member.name.getText(file.sourceFile) === name) {
        return this.evaluate(member.initializer, new Env(), file);
      }
      if (!ts.isConstructorDeclaration(member) || !member.body) continue;
      for (const statement of member.body.statements) {
        if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
        const { left, operatorToken, right } = statement.expression;
        if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) continue;
        if (left.expression.kind !== ts.SyntaxKind.ThisKeyword || left.name.text !== name) continue;
        const env = new Env();
        member.parameters.forEach((parameter, index) => {
          const arg = this.constructorArgs[index];
          this.bind(parameter.name, arg ? fromAbstract(arg) : { k: 'const', value: undefined }, env, file);
        });
        return this.evaluate(right, env, file);
      }
    }
    return undefined;
  }

  run(): CustomLayerBody {
    const file = this.classValue.file;
    const classNode = this.classValue.node;
    const body: CustomLayerBody = {
      className: this.classValue.name,
      classSpan: file.span(classNode.name ?? classNode),
      ops: this.ops,
    };
    try {
      const receiver: AbstractValue = { kind: 'object', props: new Map() };
      const build = this.interp.classes.classMethod(this.classValue, 'build', receiver);
      if (build) this.runMethod(build.node, build.file, [{ k: 'buildShape' }]);
      const call = this.interp.classes.classMethod(this.classValue, 'call', receiver);
      if (!call) return body;
      // call() as predict() and apply() make it at inference: kwargs holds no `training` flag
      // (so `kwargs.training ? tf.dropout(x, rate) : x` reads as x) and no mask.
      const output = this.runMethod(call.node, call.file, [{ k: 'inputs' }, { k: 'const', value: {} }]);
      if (output?.k === 'array' && output.items.length > 1) {
        // An output the reading cannot follow (`this.sublayer.embeddings.val`) leaves only its
        // own applications without a body to judge, not the layer's other outputs.
        body.outputs = output.items.map((item) => (item.k === 'tensor' || item.k === 'inputs' ? this.asTensor(item, call.node, call.file) : undefined));
        body.output = body.outputs[0];
      } else {
        body.output = this.asTensor(output, call.node, call.file);
      }
    } catch (error) {
      if (error instanceof Unfollowed) body.unfollowed = { what: error.what, span: error.span };
      else if (error instanceof RangeError) body.unfollowed = { what: `${this.classValue.name} is too deep to follow`, span: body.classSpan };
      else throw error;
    }
    return body;
  }

  private runMethod(node: ts.FunctionLikeDeclaration, file: FileContext, args: BodyValue[], env = new Env()): BodyValue | undefined {
    node.parameters.forEach((parameter, index) => this.bind(parameter.name, args[index] ?? { k: 'const', value: undefined }, env, file));
    if (!node.body) return undefined;
    if (!ts.isBlock(node.body)) return this.evaluate(node.body, env, file);
    return this.runStatements(node.body.statements, env, file)?.returned;
  }

  private runStatements(statements: readonly ts.Statement[], env: Env, file: FileContext): Flow {
    for (const statement of statements) {
      const flow = this.runStatement(statement, env, file);
      if (flow) return flow;
    }
    return undefined;
  }

  private runStatement(node: ts.Statement, env: Env, file: FileContext): Flow {
    if (++this.steps > MAX_STEPS) throw new Unfollowed('the layer takes too many steps to follow', file.span(node));
    if (ts.isVariableStatement(node)) {
      for (const declaration of node.declarationList.declarations) {
        const value = declaration.initializer ? this.evaluate(declaration.initializer, env, file) : ({ k: 'const', value: undefined } as BodyValue);
        this.bind(declaration.name, value, env, file);
      }
      return undefined;
    }
    if (ts.isExpressionStatement(node)) {
      this.evaluate(node.expression, env, file);
      return undefined;
    }
    if (ts.isReturnStatement(node)) return { returned: node.expression ? this.evaluate(node.expression, env, file) : { k: 'const', value: undefined } };
    if (ts.isBlock(node)) return this.runStatements(node.statements, new Env(env), file);
    if (ts.isIfStatement(node)) {
      const condition = truth(this.evaluate(node.expression, env, file));
      if (condition === undefined) {
        // A guard (`if (!shape || shape.length < 3) throw ...`): the layer runs only on the
        // other path, as the model's own paths that end in a throw are dropped.
        if (branchThrows(node.thenStatement)) return node.elseStatement ? this.runStatement(node.elseStatement, new Env(env), file) : undefined;
        if (branchThrows(node.elseStatement)) return this.runStatement(node.thenStatement, new Env(env), file);
        if (isInert(node.thenStatement) && isInert(node.elseStatement)) return undefined;
        throw new Unfollowed(`the branch on \`${clip(node.expression.getText(file.sourceFile))}\`, whose value is not known statically`, file.span(node.expression));
      }
      if (condition) return this.runStatement(node.thenStatement, new Env(env), file);
      return node.elseStatement ? this.runStatement(node.elseStatement, new Env(env), file) : undefined;
    }
    if (ts.isForStatement(node)) return this.runFor(node, env, file);
    if (ts.isForOfStatement(node)) {
      const iterable = this.evaluate(node.expression, env, file);
      if (iterable.k !== 'array') throw new Unfollowed(`a loop over \`${clip(node.expression.getText(file.sourceFile))}\`, not known statically`, file.span(node.expression));
      for (const item of iterable.items) {
        const inner = new Env(env);
        const initializer = node.initializer;
        if (ts.isVariableDeclarationList(initializer)) this.bind(initializer.declarations[0].name, item, inner, file);
        const flow = this.runStatement(node.statement, inner, file);
        if (flow) return flow;
      }
      return undefined;
    }
    if (ts.isEmptyStatement(node) || ts.isFunctionDeclaration(node)) {
      if (ts.isFunctionDeclaration(node) && node.name) env.vars.set(node.name.text, { k: 'function', node, env, file });
      return undefined;
    }
    throw new Unfollowed(`a ${ts.SyntaxKind[node.kind]} statement`, file.span(node));
  }

  private runFor(node: ts.ForStatement, env: Env, file: FileContext): Flow {
    const loopEnv = new Env(env);
    if (node.initializer && ts.isVariableDeclarationList(node.initializer)) {
      for (const declaration of node.initializer.declarations) {
        this.bind(declaration.name, declaration.initializer ? this.evaluate(declaration.initializer, loopEnv, file) : { k: 'const', value: undefined }, loopEnv, file);
      }
    } else if (node.initializer) {
      this.evaluate(node.initializer, loopEnv, file);
    }
    for (let count = 0; ; count++) {
      if (count > MAX_LOOP) throw new Unfollowed('a loop of more than 32 rounds', file.span(node));
      if (node.condition) {
        const condition = truth(this.evaluate(node.condition, loopEnv, file));
        if (condition === undefined) throw new Unfollowed(`a loop bounded by \`${clip(node.condition.getText(file.sourceFile))}\`, not known statically`, file.span(node.condition));
        if (!condition) return undefined;
      }
      const flow = this.runStatement(node.statement, new Env(loopEnv), file);
      if (flow) return flow;
      if (node.incrementor) this.evaluate(node.incrementor, loopEnv, file);
    }
  }

  private bind(name: ts.BindingName, value: BodyValue, env: Env, file: FileContext): void {
    if (ts.isIdentifier(name)) {
      env.vars.set(name.text, value);
      return;
    }
    if (ts.isArrayBindingPattern(name)) {
      name.elements.forEach((element, index) => {
        if (ts.isOmittedExpression(element)) return;
        this.bind(element.name, this.index(value, index, element, file), env, file);
      });
      return;
    }
    for (const element of name.elements) {
      const key = element.propertyName ? element.propertyName.getText(file.sourceFile) : element.name.getText(file.sourceFile);
      this.bind(element.name, this.property(value, key, element, file), env, file);
    }
  }

  private evaluate(node: ts.Expression, env: Env, file: FileContext): BodyValue {
    if (++this.steps > MAX_STEPS) throw new Unfollowed('the layer takes too many steps to follow', file.span(node));
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node) || ts.isSatisfiesExpression(node)) {
      return this.evaluate(node.expression, env, file);
    }
    if (ts.isNumericLiteral(node)) return { k: 'const', value: Number(node.text) };
    if (ts.isStringLiteralLike(node)) return { k: 'const', value: node.text };
    if (node.kind === ts.SyntaxKind.TrueKeyword) return { k: 'const', value: true };
    if (node.kind === ts.SyntaxKind.FalseKeyword) return { k: 'const', value: false };
    if (node.kind === ts.SyntaxKind.NullKeyword) return { k: 'const', value: null };
    if (node.kind === ts.SyntaxKind.ThisKeyword) return { k: 'this' };
    if (ts.isIdentifier(node)) return this.identifier(node, env, file);
    if (ts.isPropertyAccessExpression(node)) {
      const target = this.evaluate(node.expression, env, file);
      if (target.k === 'unknown' && ts.isIdentifier(node.expression) && !env.lookup(node.expression.text)) {
        // `PositionEmbedding.MODE_ADD`: a static member of a class, read through the interpreter.
        const member = fromAbstract(this.interp.evaluate(node, new Scope(this.interp.moduleScope(file), file)));
        if (member.k === 'const') return member;
      }
      return this.property(target, node.name.text, node, file);
    }
    if (ts.isElementAccessExpression(node)) {
      const key = this.evaluate(node.argumentExpression, env, file);
      const target = this.evaluate(node.expression, env, file);
      if (key.k === 'const' && typeof key.value === 'number') return this.index(target, key.value, node, file);
      if (key.k === 'const' && typeof key.value === 'string') return this.property(target, key.value, node, file);
      // `inputShape[inputShape.length - 1]`: counted from the end.
      if (key.k === 'rank' && key.minus > 0 && target.k === 'buildShape') return { k: 'dim', dim: { input: 0, axis: -key.minus } };
      if (key.k === 'rank' && key.minus > 0 && target.k === 'shape') return this.shapeDim(target.of, -key.minus);
      // `k.shape[k.shape.length - 1]` on a tensor whose rank is not known here: still one size,
      // a number, which is all a scale like `1 / sqrt(size)` needs.
      if (target.k === 'shape') return { k: 'dim', dim: null };
      return { k: 'unknown', why: 'an index not known statically' };
    }
    if (ts.isCallExpression(node)) return this.call(node, env, file);
    if (ts.isNewExpression(node)) return { k: 'unknown', why: `new ${clip(node.expression.getText(file.sourceFile))}` };
    if (ts.isArrayLiteralExpression(node)) {
      const items: BodyValue[] = [];
      for (const element of node.elements) {
        if (ts.isSpreadElement(element)) {
          const spread = this.evaluate(element.expression, env, file);
          if (spread.k === 'array') items.push(...spread.items);
          else return { k: 'unknown', why: 'a spread not known statically' };
        } else {
          items.push(this.evaluate(element, env, file));
        }
      }
      return { k: 'array', items };
    }
    if (ts.isObjectLiteralExpression(node)) {
      const record: Record<string, ConstValue> = {};
      for (const property of node.properties) {
        if (ts.isPropertyAssignment(property)) record[property.name.getText(file.sourceFile)] = constantOf(this.evaluate(property.initializer, env, file)) ?? null;
        else if (ts.isShorthandPropertyAssignment(property)) record[property.name.text] = constantOf(this.identifier(property.name, env, file)) ?? null;
      }
      return { k: 'const', value: record };
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return { k: 'function', node, env, file };
    if (ts.isConditionalExpression(node)) {
      const condition = truth(this.evaluate(node.condition, env, file));
      if (condition !== undefined) return this.evaluate(condition ? node.whenTrue : node.whenFalse, env, file);
      const whenTrue = this.evaluate(node.whenTrue, env, file);
      const whenFalse = this.evaluate(node.whenFalse, env, file);
      if (sameValue(whenTrue, whenFalse)) return whenTrue;
      throw new Unfollowed(`the choice on \`${clip(node.condition.getText(file.sourceFile))}\`, whose value is not known statically`, file.span(node.condition));
    }
    if (ts.isTypeOfExpression(node)) {
      // `typeof this.kernelInitializer === 'string' ? tf.initializers[name]() : given`: the type of a config value.
      const operand = this.evaluate(node.expression, env, file);
      if (operand.k === 'const') return { k: 'const', value: operand.value === null ? 'object' : typeof operand.value };
      if (operand.k === 'tensor' || operand.k === 'array' || operand.k === 'layer') return { k: 'const', value: 'object' };
      if (operand.k === 'function') return { k: 'const', value: 'function' };
      return { k: 'unknown', why: 'a typeof' };
    }
    if (ts.isPrefixUnaryExpression(node)) {
      const operand = this.evaluate(node.operand, env, file);
      if (node.operator === ts.SyntaxKind.MinusToken && operand.k === 'const' && typeof operand.value === 'number') return { k: 'const', value: -operand.value };
      if (node.operator === ts.SyntaxKind.ExclamationToken) {
        const value = truth(operand);
        return value === undefined ? { k: 'unknown', why: 'a negation' } : { k: 'const', value: !value };
      }
      if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) return this.increment(node.operand, node.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1, env, file);
      return { k: 'unknown', why: 'a unary operator' };
    }
    if (ts.isPostfixUnaryExpression(node)) return this.increment(node.operand, node.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1, env, file);
    if (ts.isBinaryExpression(node)) return this.binary(node, env, file);
    if (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { k: 'const', value: undefined };
    return { k: 'unknown', why: `a ${ts.SyntaxKind[node.kind]}` };
  }

  private increment(target: ts.Expression, delta: number, env: Env, file: FileContext): BodyValue {
    const value = this.evaluate(target, env, file);
    const next: BodyValue = value.k === 'const' && typeof value.value === 'number' ? { k: 'const', value: value.value + delta } : { k: 'unknown', why: 'a counter' };
    this.assign(target, next, env, file);
    return next;
  }

  private binary(node: ts.BinaryExpression, env: Env, file: FileContext): BodyValue {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.EqualsToken) {
      const value = this.evaluate(node.right, env, file);
      this.assign(node.left, value, env, file);
      return value;
    }
    if (operator === ts.SyntaxKind.PlusEqualsToken || operator === ts.SyntaxKind.MinusEqualsToken) {
      const left = this.evaluate(node.left, env, file);
      const right = this.evaluate(node.right, env, file);
      const value = arithmetic(operator === ts.SyntaxKind.PlusEqualsToken ? '+' : '-', left, right);
      this.assign(node.left, value, env, file);
      return value;
    }
    const left = this.evaluate(node.left, env, file);
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
      const known = operator === ts.SyntaxKind.QuestionQuestionToken ? (left.k === 'const' ? left.value !== undefined && left.value !== null : left.k === 'unknown' ? undefined : true) : truth(left);
      if (known === undefined) return { k: 'unknown', why: 'a logical operator' };
      const takeLeft = operator === ts.SyntaxKind.AmpersandAmpersandToken ? !known : known;
      return takeLeft ? left : this.evaluate(node.right, env, file);
    }
    const right = this.evaluate(node.right, env, file);
    switch (operator) {
      case ts.SyntaxKind.PlusToken:
        return arithmetic('+', left, right);
      case ts.SyntaxKind.MinusToken:
        return arithmetic('-', left, right);
      case ts.SyntaxKind.AsteriskToken:
        return arithmetic('*', left, right);
      case ts.SyntaxKind.SlashToken:
        return arithmetic('/', left, right);
      case ts.SyntaxKind.LessThanToken:
      case ts.SyntaxKind.LessThanEqualsToken:
      case ts.SyntaxKind.GreaterThanToken:
      case ts.SyntaxKind.GreaterThanEqualsToken:
      case ts.SyntaxKind.EqualsEqualsEqualsToken:
      case ts.SyntaxKind.ExclamationEqualsEqualsToken:
      case ts.SyntaxKind.EqualsEqualsToken:
      case ts.SyntaxKind.ExclamationEqualsToken:
        return compare(operator, left, right);
      default:
        return { k: 'unknown', why: 'an operator' };
    }
  }

  private assign(target: ts.Expression, value: BodyValue, env: Env, file: FileContext): void {
    if (ts.isIdentifier(target)) {
      if (!env.assign(target.text, value)) env.vars.set(target.text, value);
      return;
    }
    if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword) {
      this.thisProps.set(target.name.text, value);
      return;
    }
    throw new Unfollowed(`an assignment to \`${clip(target.getText(file.sourceFile))}\``, file.span(target));
  }

  private identifier(node: ts.Identifier, env: Env, file: FileContext): BodyValue {
    const local = env.lookup(node.text);
    if (local) return local;
    if (node.text === 'undefined') return { k: 'const', value: undefined };
    if (node.text === 'Math') return { k: 'tfjs', path: ['#Math'] };
    if (node.text === 'Array') return { k: 'tfjs', path: ['#Array'] };
    // Module-level bindings (imports of tf, constants, helpers) through the interpreter.
    const scope = new Scope(this.interp.moduleScope(file), file);
    return fromAbstract(this.interp.evaluate(node, scope));
  }

  private property(target: BodyValue, name: string, node: ts.Node, file: FileContext): BodyValue {
    switch (target.k) {
      case 'this': {
        const value = this.thisProps.get(name);
        if (value && value.k !== 'unknown') return value;
        const computed = this.constructorField(name);
        if (computed && computed.k !== 'unknown') {
          this.thisProps.set(name, computed);
          return computed;
        }
        return value ?? { k: 'unknown', why: `this.${name}` };
      }
      case 'tfjs':
        if (target.path.length === 1 && target.path[0] === '#Math' && typeof MATH_CONSTANTS[name] === 'number') return { k: 'const', value: MATH_CONSTANTS[name] };
        return { k: 'tfjs', path: [...target.path, name] };
      case 'tensor':
        if (name === 'shape') return { k: 'shape', of: target.id };
        // `const { mean, variance } = tf.moments(x, axes)`: one `part` op per output taken.
        if (this.ops[target.id]?.op === 'moments' && (name === 'mean' || name === 'variance')) {
          return { k: 'tensor', id: this.push({ op: 'part', operands: [{ value: target.id }], options: { index: name === 'mean' ? 0 : 1 }, span: file.span(node) }) };
        }
        return { k: 'unknown', why: `the ${name} of a tensor` };
      case 'inputs':
        if (name === 'shape') return { k: 'shape', of: this.inputOp(0, node, file) };
        if (name === 'length') return { k: 'unknown', why: 'the number of inputs' };
        return { k: 'unknown', why: `inputs.${name}` };
      case 'buildShape':
        if (name === 'length') return { k: 'rank', input: 0, minus: 0 };
        return { k: 'unknown', why: `inputShape.${name}` };
      case 'shape': {
        const op = this.ops[target.of];
        if (name === 'length' && op?.op === 'input') return { k: 'rank', input: Number(op.options?.index ?? 0), minus: 0 };
        if (name === 'length') return { k: 'unknown', why: 'a rank' };
        return { k: 'unknown', why: `shape.${name}` };
      }
      case 'array':
        if (name === 'length') return { k: 'const', value: target.items.length };
        return { k: 'unknown', why: `an array's ${name}` };
      case 'const':
        if (target.value && typeof target.value === 'object' && !(target.value instanceof NotConstant) && !Array.isArray(target.value)) {
          return { k: 'const', value: (target.value as Record<string, ConstValue>)[name] };
        }
        if (Array.isArray(target.value) && name === 'length') return { k: 'const', value: target.value.length };
        return { k: 'unknown', why: name };
      default:
        return { k: 'unknown', why: name };
    }
  }

  private index(target: BodyValue, index: number, node: ts.Node, file: FileContext): BodyValue {
    switch (target.k) {
      case 'inputs':
        return { k: 'tensor', id: this.inputOp(index, node, file) };
      case 'buildShape':
        return { k: 'buildIndex', index };
      case 'buildIndex':
        return { k: 'dim', dim: { input: target.index, axis: index } };
      case 'shape':
        return this.shapeDim(target.of, index);
      case 'array':
        return target.items[index] ?? { k: 'const', value: undefined };
      case 'tensor': {
        // `const [a, b] = tf.split(x, 2)`: one `part` op per output taken; other ops have one output.
        const op = this.ops[target.id];
        if (op?.op === 'split' || op?.op === 'unstack') return { k: 'tensor', id: this.push({ op: 'part', operands: [{ value: target.id }], options: { index }, span: file.span(node) }) };
        throw new Unfollowed(`tf.${op?.op ?? 'op'}'s several outputs`, file.span(node));
      }
      case 'const':
        return Array.isArray(target.value) ? { k: 'const', value: target.value[index] } : { k: 'unknown', why: 'an index' };
      default:
        return { k: 'unknown', why: 'an index' };
    }
  }

  /** `x.shape[axis]`: a size of one of the layer's inputs when x is an input, else of the op that made x. */
  private shapeDim(tensor: number, axis: number): BodyValue {
    const op = this.ops[tensor];
    if (op?.op === 'input') return { k: 'dim', dim: { input: Number(op.options?.index ?? 0), axis } };
    return { k: 'dim', dim: op ? { op: tensor, axis } : null };
  }

  private inputOp(index: number, node: ts.Node, file: FileContext): number {
    const existing = this.inputOps.get(index);
    if (existing !== undefined) return existing;
    const id = this.push({ op: 'input', operands: [], options: { index }, span: file.span(node) });
    this.inputOps.set(index, id);
    return id;
  }

  private push(op: BodyOp): number {
    this.ops.push(op);
    return this.ops.length - 1;
  }

  private asTensor(value: BodyValue | undefined, node: ts.Node, file: FileContext): number {
    if (value?.k === 'tensor') return value.id;
    if (value?.k === 'inputs') return this.inputOp(0, node, file);
    if (value?.k === 'array') throw new Unfollowed('call() returns several tensors', file.span(node));
    throw new Unfollowed(`call() returns ${value?.k === 'unknown' ? value.why : 'a value that is not a tensor known statically'}`, file.span(node));
  }

  private operand(value: BodyValue, node: ts.Node, file: FileContext): BodyOperand {
    if (value.k === 'tensor') return { value: value.id };
    if (value.k === 'inputs') return { value: this.inputOp(0, node, file) };
    if (value.k === 'array') {
      if (value.items.some((item) => item.k === 'tensor' || item.k === 'inputs')) {
        // A list of tensors (concat, stack, addN): one op per item is not needed, the op keeps them in order.
        return { constant: value.items.map((item) => (item.k === 'tensor' ? { $tensor: item.id } : item.k === 'inputs' ? { $tensor: this.inputOp(0, node, file) } : (constantOf(item) ?? null))) };
      }
      if (value.items.some((item) => item.k === 'dim')) return { dims: value.items.map(dimOf) };
    }
    if (value.k === 'dim') return { dims: [value.dim] };
    return { constant: constantOf(value) };
  }

  private call(node: ts.CallExpression, env: Env, file: FileContext): BodyValue {
    const callee = node.expression;
    const args = () => node.arguments.map((arg) => this.evaluate(arg, env, file));
    if (callee.kind === ts.SyntaxKind.SuperKeyword) return { k: 'const', value: undefined };
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (callee.expression.kind === ts.SyntaxKind.SuperKeyword) return { k: 'const', value: undefined };
      const receiver = this.evaluate(callee.expression, env, file);
      if (receiver.k === 'tensor' || receiver.k === 'inputs') {
        const self = this.operand(receiver, node, file);
        if (name === 'read' || name === 'clone') return receiver.k === 'tensor' ? receiver : { k: 'tensor', id: this.inputOp(0, node, file) };
        const values = args();
        return { k: 'tensor', id: this.push({ op: name, operands: [self, ...values.map((value, i) => this.operand(value, node.arguments[i], file))], span: file.span(node) }) };
      }
      // `this.sublayer.build(inputShape)` in build(): tfjs builds a sublayer when it is first
      // applied anyway, and the shapes come from the inputs, so it adds nothing to read.
      if (receiver.k === 'layer' && name === 'build') return { k: 'const', value: undefined };
      if (receiver.k === 'layer' && (name === 'apply' || name === 'call')) {
        const [input] = args();
        return { k: 'tensor', id: this.push({ op: `layer:${receiver.kind}`, operands: [this.operand(input, node, file)], options: receiver.config, span: file.span(node) }) };
      }
      if (receiver.k === 'this') {
        if (name === 'addWeight') return this.addWeight(node, args(), file);
        const method = this.interp.classes.classMethod(this.classValue, name, { kind: 'object', props: new Map() });
        if (method) return this.inline(method.node, method.file, args(), new Env(), node, file);
        if (LAYER_BOOKKEEPING_METHODS.has(name)) return { k: 'const', value: undefined };
        throw new Unfollowed(`this.${name}()`, file.span(node));
      }
      if (receiver.k === 'tfjs') return this.tfjsCall([...receiver.path, name], node, args(), env, file);
      if (receiver.k === 'array') return this.arrayMethod(receiver, name, node, args(), file);
      if (receiver.k === 'unknown' || receiver.k === 'const') return { k: 'unknown', why: `${clip(callee.getText(file.sourceFile))}()` };
      throw new Unfollowed(`\`${clip(callee.getText(file.sourceFile), 40)}()\``, file.span(node));
    }
    const target = this.evaluate(callee, env, file);
    if (target.k === 'tfjs') return this.tfjsCall(target.path, node, args(), env, file);
    if (target.k === 'function') return this.inline(target.node, target.file, args(), new Env(target.env), node, file);
    throw new Unfollowed(`\`${clip(callee.getText(file.sourceFile), 40)}()\`, not a tf op or a function it can read`, file.span(node));
  }

  private arrayMethod(receiver: Extract<BodyValue, { k: 'array' }>, name: string, node: ts.CallExpression, args: BodyValue[], file: FileContext): BodyValue {
    if (name === 'push') {
      receiver.items.push(...args);
      return { k: 'const', value: receiver.items.length };
    }
    if (name === 'slice' && args.every((arg) => arg.k === 'const' && (typeof arg.value === 'number' || arg.value === undefined))) {
      return { k: 'array', items: receiver.items.slice(...args.map((arg) => (arg as { value: number | undefined }).value)) };
    }
    if (name === 'concat') return { k: 'array', items: [...receiver.items, ...args.flatMap((arg) => (arg.k === 'array' ? arg.items : [arg]))] };
    throw new Unfollowed(`the array method ${name}()`, file.span(node));
  }

  private inline(fn: ts.FunctionLikeDeclaration, fnFile: FileContext, args: BodyValue[], env: Env, node: ts.Node, file: FileContext): BodyValue {
    if (this.depth >= MAX_INLINE_DEPTH) throw new Unfollowed('helpers nested too deeply', file.span(node));
    this.depth++;
    try {
      return this.runMethod(fn, fnFile, args, env) ?? { k: 'const', value: undefined };
    } finally {
      this.depth--;
    }
  }

  private addWeight(node: ts.CallExpression, args: BodyValue[], file: FileContext): BodyValue {
    const [name, shape] = args;
    const dims = shape?.k === 'array' ? shape.items.map(dimOf) : shape?.k === 'const' && Array.isArray(shape.value) ? shape.value.map((v) => (typeof v === 'number' ? v : null)) : undefined;
    const options: Record<string, ConstValue> = { name: name?.k === 'const' && typeof name.value === 'string' ? name.value : 'weight' };
    return { k: 'tensor', id: this.push({ op: 'weight', operands: dims ? [{ dims }] : [], options, span: file.span(node) }) };
  }

  private tfjsCall(path: string[], node: ts.CallExpression, args: BodyValue[], env: Env, file: FileContext): BodyValue {
    const [head] = path;
    if (head === '#Math') {
      const fn = MATH_FUNCTIONS[path[1]];
      const numbers = args.map((arg) => (arg.k === 'const' && typeof arg.value === 'number' ? arg.value : undefined));
      if (fn && numbers.every((n) => n !== undefined)) return { k: 'const', value: fn(...(numbers as number[])) };
      return { k: 'unknown', why: `Math.${path[1]}` };
    }
    if (head === '#Array') {
      if (path[1] === 'isArray') return { k: 'const', value: args[0]?.k === 'array' || args[0]?.k === 'inputs' ? true : args[0]?.k === 'tensor' ? false : undefined };
      return { k: 'unknown', why: `Array.${path[1]}` };
    }
    if (path.length === 1 && head === 'tidy') {
      const fn = args.find((arg) => arg.k === 'function');
      if (fn?.k === 'function') return this.inline(fn.node, fn.file, [], new Env(fn.env), node, file);
    }
    if (path.length === 2 && head === 'layers') {
      const config = args[0] ? constantOf(args[0]) : undefined;
      return { k: 'layer', kind: path[1], config: config && typeof config === 'object' && !Array.isArray(config) && !(config instanceof NotConstant) ? (config as Record<string, ConstValue>) : {} };
    }
    return { k: 'tensor', id: this.push({ op: path.join('.'), operands: args.map((arg, i) => this.operand(arg, node.arguments[i] ?? node, file)), span: file.span(node) }) };
  }
}

/** The evaluator's view of an interpreter value (a module binding or an instance field). */
function fromAbstract(value: AbstractValue): BodyValue {
  switch (value.kind) {
    case 'tfjs':
      return { k: 'tfjs', path: value.path };
    case 'layer':
      return { k: 'layer', kind: value.layer.kind, config: value.layer.config.values };
    case 'function':
      return { k: 'function', node: value.node, env: new Env(), file: value.file };
    case 'array':
      return { k: 'array', items: value.items.map(fromAbstract) };
    case 'primitive':
      return { k: 'const', value: value.value ?? undefined };
    case 'object':
    case 'unknown': {
      const constant = toConstValue(value);
      return constant instanceof NotConstant ? { k: 'unknown', why: constant.reason } : { k: 'const', value: constant };
    }
    default:
      return { k: 'unknown', why: `a ${value.kind} value` };
  }
}

function constantOf(value: BodyValue): ConstValue | undefined {
  switch (value.k) {
    case 'const':
      return value.value;
    case 'dim':
      return typeof value.dim === 'number' ? value.dim : new NotConstant('a size known at run time');
    case 'array':
      return value.items.map((item) => constantOf(item) ?? null);
    default:
      return new NotConstant(value.k === 'unknown' ? value.why : `a ${value.k}`);
  }
}

function dimOf(value: BodyValue): BodyDim {
  if (value.k === 'dim') return value.dim;
  // `const shape = inputShape as tf.Shape; [shape[1], shape[2]]`: indexed once and used as a size, it is an axis of input 0.
  if (value.k === 'buildIndex') return { input: 0, axis: value.index };
  if (value.k === 'const' && typeof value.value === 'number') return value.value;
  return null;
}

function truth(value: BodyValue): boolean | undefined {
  if (value.k === 'const') return value.value instanceof NotConstant ? undefined : Boolean(value.value);
  if (value.k === 'tensor' || value.k === 'array' || value.k === 'layer' || value.k === 'function' || value.k === 'inputs') return true;
  return undefined;
}

function arithmetic(operator: '+' | '-' | '*' | '/', left: BodyValue, right: BodyValue): BodyValue {
  if (left.k === 'rank' && right.k === 'const' && typeof right.value === 'number' && operator === '-') return { k: 'rank', input: left.input, minus: left.minus + right.value };
  const a = left.k === 'const' ? left.value : left.k === 'dim' && typeof left.dim === 'number' ? left.dim : undefined;
  const b = right.k === 'const' ? right.value : right.k === 'dim' && typeof right.dim === 'number' ? right.dim : undefined;
  if (typeof a === 'number' && typeof b === 'number') {
    return { k: 'const', value: operator === '+' ? a + b : operator === '-' ? a - b : operator === '*' ? a * b : a / b };
  }
  if (operator === '+' && typeof a === 'string' && typeof b === 'string') return { k: 'const', value: a + b };
  if (left.k === 'dim' || right.k === 'dim') return { k: 'dim', dim: null };
  return { k: 'unknown', why: 'arithmetic on values not known statically' };
}

function compare(operator: ts.SyntaxKind, left: BodyValue, right: BodyValue): BodyValue {
  if (left.k !== 'const' || right.k !== 'const' || left.value instanceof NotConstant || right.value instanceof NotConstant) return { k: 'unknown', why: 'a comparison' };
  const a = left.value as number;
  const b = right.value as number;
  switch (operator) {
    case ts.SyntaxKind.LessThanToken:
      return { k: 'const', value: a < b };
    case ts.SyntaxKind.LessThanEqualsToken:
      return { k: 'const', value: a <= b };
    case ts.SyntaxKind.GreaterThanToken:
      return { k: 'const', value: a > b };
    case ts.SyntaxKind.GreaterThanEqualsToken:
      return { k: 'const', value: a >= b };
    case ts.SyntaxKind.EqualsEqualsEqualsToken:
    case ts.SyntaxKind.EqualsEqualsToken:
      return { k: 'const', value: a === b };
    default:
      return { k: 'const', value: a !== b };
  }
}

function sameValue(a: BodyValue, b: BodyValue): boolean {
  if (a.k === 'tensor' && b.k === 'tensor') return a.id === b.id;
  // `Array.isArray(inputs) ? inputs[0] : inputs`: both are the first input.
  return (a.k === 'inputs' && b.k === 'tensor') || (a.k === 'tensor' && b.k === 'inputs') || (a.k === 'inputs' && b.k === 'inputs');
}

function clip(text: string, limit = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > limit ? `${flat.slice(0, limit - 3)}...` : flat;
}
