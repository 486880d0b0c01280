// Calls: argument evaluation, call and `new` dispatch by callee kind, invoking user
// functions (parameters, call stack, depth limits) and callbacks of built-ins.
import { ts } from 'ts-morph';
import type { Interpreter } from './interpreter';
import { K, calleeName, clip, isUndefined } from './interpreterShared';
import { BUILTIN_CLASSES } from './builtins';
import { namesTfjsOnEveryPath } from './moduleBindings';
import { type AbstractValue, type FunctionValue, Scope, UNDEFINED, unknown } from './values';

/** Array methods that call back per item: on a value not known statically, taken as an array. */
const CALLBACK_METHODS = new Set(['forEach', 'map', 'flatMap', 'reduce', 'reduceRight', 'filter', 'some', 'every', 'find', 'findIndex']);

const MAX_CALL_DEPTH = 16;
const MAX_SAME_FUNCTION_ACTIVE = 8;
/** Array methods whose callback runs once per element. */

export class Calls {
  constructor(private readonly interp: Interpreter) {}

  private evaluateArguments(args: readonly ts.Expression[] | undefined, scope: Scope): AbstractValue[] {
    const values: AbstractValue[] = [];
    for (const arg of args ?? []) {
      if (ts.isSpreadElement(arg)) {
        const spread = this.interp.evaluate(arg.expression, scope);
        if (spread.kind === 'array') values.push(...spread.items);
        else values.push(unknown('spread argument not known statically', scope.file.span(arg)));
      } else {
        values.push(this.interp.evaluate(arg, scope));
      }
    }
    return values;
  }

  evaluateCall(node: ts.CallExpression, scope: Scope): AbstractValue {
    if (node.expression.kind === K.ImportKeyword) {
      const specifier = node.arguments[0];
      if (specifier && ts.isStringLiteralLike(specifier)) return this.interp.importValue(scope.file, specifier.text, '*', node);
      if (namesTfjsOnEveryPath(specifier)) return { kind: 'tfjs', path: [] };
      return unknown('dynamic import of a module not known statically', scope.file.span(node));
    }
    if (node.expression.kind === K.SuperKeyword) {
      return this.interp.classes.superCall(this.evaluateArguments(node.arguments, scope), node, scope);
    }
    const callee = this.interp.evaluate(node.expression, scope);
    const args = this.evaluateArguments(node.arguments, scope);
    switch (callee.kind) {
      case 'tfjs':
        // `import('@tensorflow/tfjs').then((tf) => ...)`: tfjs itself has no `then`.
        if (callee.path.length === 1 && callee.path[0] === 'then') return this.callCallback(args[0], [{ kind: 'tfjs', path: [] }], node, scope);
        return this.interp.tfjs.callTfjs(callee.path, args, node, scope, false);
      case 'library':
        return this.interp.tfjs.libraryLayer(callee.path, args, node, scope);
      case 'function':
        return this.invoke(callee, args, callee.thisValue, node, scope, true);
      case 'builtin':
        return this.interp.builtins.callBuiltin(callee.name, callee.receiver, args, node, scope);
      case 'unknown': {
        // `someLayer.apply(x)` on a layer we cannot see: keep the data flow with a custom layer.
        if (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'apply' && args.some(isTensorLike)) {
          const target = node.expression.expression;
          const nameNode = ts.isCallExpression(target) || ts.isNewExpression(target) ? calleeName(target.expression) : target;
          const layer = this.interp.makeLayer(clip(nameNode.getText(scope.file.sourceFile)), 'custom', undefined, target, nameNode, scope, callee);
          return this.interp.applyLayer(layer, args[0], node, scope);
        }
        // `sizes.forEach((units) => model.add(...))` over a parameter: run the callback once.
        if (ts.isPropertyAccessExpression(node.expression) && CALLBACK_METHODS.has(node.expression.name.text) && args[0]?.kind === 'function') {
          return this.interp.builtins.callOnUnknownArray(node.expression.name.text, node.expression.expression, args, node, scope);
        }
        return unknown(callee.reason, scope.file.span(node));
      }
      default:
        return unknown(`\`${clip(node.expression.getText(scope.file.sourceFile))}\` is not callable statically`, scope.file.span(node));
    }
  }

  evaluateNew(node: ts.NewExpression, scope: Scope): AbstractValue {
    const callee = this.interp.evaluate(node.expression, scope);
    const args = this.evaluateArguments(node.arguments, scope);
    if (callee.kind === 'tfjs') return this.interp.tfjs.callTfjs(callee.path, args, node, scope, true);
    if (callee.kind === 'library') return this.interp.tfjs.libraryLayer(callee.path, args, node, scope);
    if (callee.kind === 'builtin' && callee.name === 'Array') return this.interp.builtins.constructArray(args, node, scope);
    if (callee.kind === 'class') return this.interp.instantiate(callee, args, node, scope);
    const name = ts.isIdentifier(node.expression) || ts.isPropertyAccessExpression(node.expression)
      ? calleeName(node.expression).getText(scope.file.sourceFile)
      : clip(node.expression.getText(scope.file.sourceFile));
    if (BUILTIN_CLASSES.has(name)) return unknown(`\`new ${name}\` is not modelled`, scope.file.span(node));
    return { kind: 'layer', layer: this.interp.makeLayer(name, 'custom', args[0], node, calleeName(node.expression), scope) };
  }

  /** Calls a user function: binds parameters (defaults for missing ones), runs the body. */
  invoke(fn: FunctionValue, args: AbstractValue[], thisValue: AbstractValue | undefined, callNode: ts.Node, callerScope: Scope, pushCallSite: boolean): AbstractValue {
    const node = fn.node;
    this.interp.touch(node);
    if (!node.body) return unknown('function without a body', callerScope.file.span(callNode));
    const active = this.interp.activeCalls.get(node) ?? 0;
    if (this.interp.callStack.length >= MAX_CALL_DEPTH || active >= MAX_SAME_FUNCTION_ACTIVE) {
      this.interp.gap('the call depth limit is reached here, so deeper calls are not analysed', callerScope.file.span(callNode));
      return unknown('call depth limit reached', callerScope.file.span(callNode));
    }
    const isArrow = ts.isArrowFunction(node);
    const scope = new Scope(fn.scope, fn.file, isArrow ? undefined : (thisValue ?? fn.thisValue ?? unknown('`this` is not known here')));
    // Constructors of subclass models see `super(...)` handled in evaluateCall.
    node.parameters.forEach((parameter, index) => {
      let value: AbstractValue | undefined;
      if (parameter.dotDotDotToken) value = { kind: 'array', items: args.slice(index) };
      else value = args[index];
      if ((value === undefined || isUndefined(value)) && parameter.initializer) value = this.interp.evaluate(parameter.initializer, scope);
      if ((value === undefined || value.kind === 'unknown') && ts.isIdentifier(parameter.name) && parameter.name.text === 'tf') {
        // Builders that take the tfjs namespace as a parameter (`function build(tf, shape)`, so
        // one file serves tfjs-node and the browser) use it as `tf` everywhere.
        value = { kind: 'tfjs', path: [] };
      }
      if (value === undefined) {
        value = unknown(`parameter '${parameter.name.getText(fn.file.sourceFile)}' has no value known statically`, fn.file.span(parameter.name));
      }
      this.interp.bindPattern(parameter.name, value, scope, scope);
      // `constructor(private readonly units: number)` also sets this.units.
      if (ts.isConstructorDeclaration(node) && ts.isIdentifier(parameter.name) && ts.canHaveModifiers(parameter) && ts.getModifiers(parameter)?.length && thisValue) {
        this.interp.classes.assignProperty(thisValue, parameter.name.text, value);
      }
    });
    // `function build(tf, options) { const m = tf.sequential(); ... }` run as its own unit
    // (or `({tf, shape}) => ...`): what it uses as tfjs is tfjs, when no caller says otherwise.
    for (const name of fn.file.tfjsParameters(node)) {
      const bound = scope.vars.get(name);
      if (bound?.kind === 'unknown' || (bound && isUndefined(bound))) scope.vars.set(name, { kind: 'tfjs', path: [] });
    }
    if (pushCallSite) this.interp.callStack = [...this.interp.callStack, callerScope.file.span(callNode)];
    this.interp.activeCalls.set(node, active + 1);
    try {
      if (!ts.isBlock(node.body)) return this.interp.evaluate(node.body, scope);
      const completion = this.interp.runStatements(node.body.statements, scope);
      if (completion.type === 'return') return completion.value;
      if (completion.type === 'throw') return unknown('the function throws', fn.file.span(node));
      return UNDEFINED;
    } finally {
      this.interp.activeCalls.set(node, active);
      if (pushCallSite) this.interp.callStack = this.interp.callStack.slice(0, -1);
    }
  }

  /** Calls a callback (map/forEach/Array.from): its layers count as the caller's own. */
  callCallback(callback: AbstractValue | undefined, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    if (!callback) return unknown('missing callback', scope.file.span(node));
    if (callback.kind === 'function') return this.invoke(callback, args, callback.thisValue, node, scope, false);
    if (callback.kind === 'builtin') return this.interp.builtins.callBuiltin(callback.name, callback.receiver, args, node, scope);
    if (callback.kind === 'tfjs' && (ts.isCallExpression(node) || ts.isNewExpression(node))) {
      return this.interp.tfjs.callTfjs(callback.path, args, node, scope, false);
    }
    return unknown('callback not known statically', scope.file.span(node));
  }
}

function isTensorLike(value: AbstractValue): boolean {
  return value.kind === 'tensor' || (value.kind === 'array' && value.items.some((item) => item.kind === 'tensor'));
}
