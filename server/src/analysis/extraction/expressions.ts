// Expressions: the `evaluate` dispatch, identifier lookup, object and array literals,
// templates, property reads and writes, and binary, prefix and postfix operators.
import { ts } from 'ts-morph';
import type { Interpreter } from './interpreter';
import { decisionKey, equalityTest, failsLabel, holdsLabel, isConditionPosition, isLoggingCall, isPlainValue, unwrap, withoutNegation } from './decisions';
import { K, clip, isStatic, truthiness } from './interpreterShared';
import { loadsTfjsOnEveryPath } from './moduleBindings';
import { type AbstractValue, type ArrayValue, type ObjectValue, Scope, type UnknownValue, UNDEFINED, primitive, unknown } from './values';

export class Expressions {
  constructor(private readonly interp: Interpreter) {}

  evaluate(node: ts.Expression, scope: Scope): AbstractValue {
    this.interp.step(node, scope);
    switch (node.kind) {
      case K.NumericLiteral:
        return primitive(Number((node as ts.NumericLiteral).text));
      case K.StringLiteral:
      case K.NoSubstitutionTemplateLiteral:
        return primitive((node as ts.StringLiteral).text);
      case K.TrueKeyword:
        return primitive(true);
      case K.FalseKeyword:
        return primitive(false);
      case K.NullKeyword:
        return primitive(null);
      case K.TemplateExpression:
        return this.evaluateTemplate(node as ts.TemplateExpression, scope);
      case K.Identifier:
        return this.lookup(node as ts.Identifier, scope);
      case K.ThisKeyword:
        return scope.findThis() ?? unknown('`this` is not known here', scope.file.span(node));
      case K.ParenthesizedExpression:
      case K.AsExpression:
      case K.NonNullExpression:
      case K.TypeAssertionExpression:
      case K.SatisfiesExpression:
      case K.AwaitExpression:
        return this.evaluate((node as ts.ParenthesizedExpression).expression, scope);
      case K.ObjectLiteralExpression:
        return this.evaluateObject(node as ts.ObjectLiteralExpression, scope);
      case K.ArrayLiteralExpression:
        return this.evaluateArray(node as ts.ArrayLiteralExpression, scope);
      case K.PropertyAccessExpression: {
        const access = node as ts.PropertyAccessExpression;
        if (access.expression.kind === K.SuperKeyword) return this.interp.classes.superProperty(access, scope);
        const object = this.evaluate(access.expression, scope);
        return this.getProperty(object, access.name.text, access, scope);
      }
      case K.ElementAccessExpression: {
        const access = node as ts.ElementAccessExpression;
        const object = this.evaluate(access.expression, scope);
        const key = this.evaluate(access.argumentExpression, scope);
        if (key.kind !== 'primitive') {
          return unknown(`index \`${clip(access.argumentExpression.getText(scope.file.sourceFile))}\` not known statically`, scope.file.span(access));
        }
        return this.getProperty(object, String(key.value), access, scope);
      }
      case K.CallExpression:
        return this.interp.calls.evaluateCall(node as ts.CallExpression, scope);
      case K.NewExpression:
        return this.interp.calls.evaluateNew(node as ts.NewExpression, scope);
      case K.BinaryExpression:
        return this.evaluateBinary(node as ts.BinaryExpression, scope);
      case K.PrefixUnaryExpression:
        return this.evaluatePrefix(node as ts.PrefixUnaryExpression, scope);
      case K.PostfixUnaryExpression: {
        const postfix = node as ts.PostfixUnaryExpression;
        const old = this.evaluate(postfix.operand, scope);
        if (old.kind === 'primitive' && typeof old.value === 'number') {
          const delta = postfix.operator === K.PlusPlusToken ? 1 : -1;
          this.assignTo(postfix.operand, primitive(old.value + delta), scope);
          return old;
        }
        this.assignTo(postfix.operand, unknown('not known statically', scope.file.span(postfix)), scope);
        return unknown('not known statically', scope.file.span(postfix));
      }
      case K.ConditionalExpression: {
        const conditional = node as ts.ConditionalExpression;
        if (loadsTfjsOnEveryPath(conditional)) return { kind: 'tfjs', path: [] };
        const condition = truthiness(this.evaluate(conditional.condition, scope));
        if (condition === true) return this.evaluate(conditional.whenTrue, scope);
        if (condition === false) return this.evaluate(conditional.whenFalse, scope);
        const sameModule = this.sameModuleEitherWay(conditional, scope);
        if (sameModule) return sameModule;
        return this.evaluateUnknownConditional(conditional, scope);
      }
      case K.ArrowFunction:
      case K.FunctionExpression:
        return {
          kind: 'function',
          node: node as ts.ArrowFunction,
          scope,
          file: scope.file,
          thisValue: ts.isArrowFunction(node) ? scope.findThis() : undefined,
        };
      case K.ClassExpression: {
        const classNode = node as ts.ClassExpression;
        return { kind: 'class', node: classNode, scope, file: scope.file, name: classNode.name?.text ?? classNameFromContext(classNode) };
      }
      case K.TypeOfExpression:
        return unknown('typeof is not evaluated', scope.file.span(node));
      case K.DeleteExpression:
        return this.deleteProperty((node as ts.DeleteExpression).expression, scope);
      case K.VoidExpression:
        this.evaluate((node as ts.VoidExpression).expression, scope);
        return UNDEFINED;
      default:
        return unknown(`expression \`${clip(node.getText(scope.file.sourceFile))}\` is not modelled`, scope.file.span(node));
    }
  }

  /**
   * `cond ? require('@tensorflow/tfjs-node-gpu') : require('@tensorflow/tfjs-node')`: both
   * branches load the same namespace, so the choice does not matter to the model. Only
   * `require` calls and names are evaluated here, since they have no side effects.
   */
  private sameModuleEitherWay(node: ts.ConditionalExpression, scope: Scope): AbstractValue | undefined {
    const loadsModule = (branch: ts.Expression): boolean => {
      if (ts.isParenthesizedExpression(branch)) return loadsModule(branch.expression);
      return ts.isIdentifier(branch) || (ts.isCallExpression(branch) && ts.isIdentifier(branch.expression) && branch.expression.text === 'require');
    };
    if (!loadsModule(node.whenTrue) || !loadsModule(node.whenFalse)) return undefined;
    const whenTrue = this.evaluate(node.whenTrue, scope);
    const whenFalse = this.evaluate(node.whenFalse, scope);
    if ((whenTrue.kind === 'tfjs' || whenTrue.kind === 'library') && whenFalse.kind === whenTrue.kind && whenTrue.path.join('.') === whenFalse.path.join('.')) return whenTrue;
    if (whenTrue.kind === 'module' && whenFalse.kind === 'module' && whenTrue.file === whenFalse.file) return whenTrue;
    return undefined;
  }

  /** `delete cfg.inputShape` between two layer calls: the later layer no longer has the key. */
  private deleteProperty(target: ts.Expression, scope: Scope): AbstractValue {
    if (!ts.isPropertyAccessExpression(target) && !ts.isElementAccessExpression(target)) return primitive(true);
    const object = this.evaluate(target.expression, scope);
    const key = ts.isPropertyAccessExpression(target) ? primitive(target.name.text) : this.evaluate(target.argumentExpression, scope);
    if (key.kind !== 'primitive') return unknown('deleted key not known statically', scope.file.span(target));
    if (object.kind === 'object') object.props.delete(String(key.value));
    else if (object.kind === 'model') object.model.props.delete(String(key.value));
    return primitive(true);
  }

  private evaluateTemplate(node: ts.TemplateExpression, scope: Scope): AbstractValue {
    let text = node.head.text;
    for (const span of node.templateSpans) {
      const value = this.evaluate(span.expression, scope);
      if (value.kind !== 'primitive') return unknown('template string with a part not known statically', scope.file.span(node));
      text += String(value.value) + span.literal.text;
    }
    return primitive(text);
  }

  private lookup(node: ts.Identifier, scope: Scope): AbstractValue {
    const name = node.text;
    if (name === 'undefined') return UNDEFINED;
    const local = scope.lookupLocal(name) ?? this.interp.topLevelScopes.get(scope.file)?.lookupLocal(name);
    if (local) return local;
    const fromFile = this.interp.staticLookup(scope.file, name);
    if (fromFile) return fromFile;
    return this.interp.builtins.globalValue(name) ?? unknown(`'${name}' has no value known statically`, scope.file.span(node));
  }

  private evaluateObject(node: ts.ObjectLiteralExpression, scope: Scope): AbstractValue {
    const result: ObjectValue = { kind: 'object', props: new Map() };
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = this.evaluate(property.expression, scope);
        if (spread.kind === 'object') {
          for (const [key, value] of spread.props) result.props.set(key, value);
          if (spread.openSpread) result.openSpread = spread.openSpread;
        } else if (spread.kind === 'model' && spread.model.construction === 'subclass') {
          for (const [key, value] of spread.model.props) result.props.set(key, value);
        } else if (!(spread.kind === 'primitive' && spread.value == null)) {
          const reason =
            spread.kind === 'unknown'
              ? spread.reason
              : `spread of \`${clip(property.expression.getText(scope.file.sourceFile))}\` not known statically`;
          result.openSpread = unknown(reason, scope.file.span(property));
          // Keys before an unknown spread may be overwritten by it.
          result.props.clear();
        }
        continue;
      }
      const key = this.propertyKey(property.name, scope);
      if (key === undefined) {
        result.openSpread = unknown('computed key not known statically', scope.file.span(property));
        continue;
      }
      let value: AbstractValue;
      if (ts.isPropertyAssignment(property)) value = this.evaluate(property.initializer, scope);
      else if (ts.isShorthandPropertyAssignment(property)) value = this.lookup(property.name, scope);
      else if (ts.isMethodDeclaration(property)) value = { kind: 'function', node: property, scope, file: scope.file };
      else value = unknown('accessor not modelled', scope.file.span(property));
      if (value.kind === 'unknown') {
        const valueNode = ts.isPropertyAssignment(property) ? property.initializer : property;
        value = { ...unknown(value.reason, scope.file.span(valueNode)), ...(value.fallback ? { fallback: value.fallback } : {}) };
      }
      result.props.set(key, value);
    }
    return result;
  }

  propertyKey(name: ts.PropertyName | undefined, scope: Scope): string | undefined {
    if (!name) return undefined;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) {
      return name.text;
    }
    if (ts.isComputedPropertyName(name)) {
      const key = this.evaluate(name.expression, scope);
      return key.kind === 'primitive' ? String(key.value) : undefined;
    }
    return undefined;
  }

  private evaluateArray(node: ts.ArrayLiteralExpression, scope: Scope): AbstractValue {
    const items: AbstractValue[] = [];
    let unknownLength: ArrayValue['unknownLength'];
    for (const element of node.elements) {
      if (ts.isSpreadElement(element)) {
        const spread = this.evaluate(element.expression, scope);
        if (spread.kind === 'array') {
          items.push(...spread.items);
          unknownLength ??= spread.unknownLength;
        } else return unknown(`spread of \`${clip(element.expression.getText(scope.file.sourceFile))}\` not known statically`, scope.file.span(element));
      } else if (ts.isOmittedExpression(element)) {
        items.push(UNDEFINED);
      } else {
        items.push(this.evaluate(element, scope));
      }
    }
    return unknownLength ? { kind: 'array', items, unknownLength } : { kind: 'array', items };
  }

  getProperty(object: AbstractValue, name: string, node: ts.Node, scope: Scope): AbstractValue {
    switch (object.kind) {
      case 'tfjs':
        return { kind: 'tfjs', path: [...object.path, name] };
      case 'library':
        return { kind: 'library', path: [...object.path, name] };
      case 'module':
        return this.interp.exportedValue(object.file, name, node, scope.file, 0);
      case 'object': {
        const own = object.props.get(name);
        if (own) return own;
        if (object.classValue) {
          const method = this.interp.classes.classMethod(object.classValue, name, object);
          if (method) return method;
        }
        if (object.openSpread) return object.openSpread;
        if (name === 'hasOwnProperty') return { kind: 'builtin', name: 'hasOwnProperty', receiver: object };
        return UNDEFINED;
      }
      case 'array': {
        if (object.unknownLength && (name === 'length' || /^\d+$/.test(name))) {
          // Its items stand for every item, so an index reads one of them and the length is unknown.
          if (name !== 'length' && object.items.length > 0) return object.items[Math.min(Number(name), object.items.length - 1)];
          return unknown(`\`${object.unknownLength.text}\` is not a compile-time constant`, object.unknownLength.span);
        }
        if (name === 'length') return primitive(object.items.length);
        if (/^\d+$/.test(name)) return object.items[Number(name)] ?? UNDEFINED;
        return { kind: 'builtin', name: `array.${name}`, receiver: object };
      }
      case 'primitive':
        if (typeof object.value === 'string') {
          if (name === 'length') return primitive(object.value.length);
          return { kind: 'builtin', name: `string.${name}`, receiver: object };
        }
        return unknown(`property '${name}' of ${String(object.value)}`, scope.file.span(node));
      case 'builtin':
        if (object.name === 'Math' && name === 'PI') return primitive(Math.PI);
        if (object.name === 'Math' && name === 'E') return primitive(Math.E);
        return { kind: 'builtin', name: `${object.name}.${name}` };
      case 'layer':
        if (name === 'apply') return { kind: 'builtin', name: 'layer.apply', receiver: object };
        if ((name === 'output' || name === 'input') && object.inSequential) {
          // `tf.model({inputs: seq.layers[0].input, outputs: seq.layers[k].output})`: the sequential's layers as tensors.
          const { input, outputs } = this.interp.tfjs.sequentialLayerTensors(object.inSequential.model, node, scope);
          const index = object.inSequential.index;
          const tensor = name === 'output' ? outputs[index] : index === 0 ? input : outputs[index - 1];
          if (tensor) return { kind: 'tensor', tensor };
        }
        return unknown(`property '${name}' of a layer is not modelled`, scope.file.span(node));
      case 'model': {
        const own = object.model.props.get(name);
        if (own) return own;
        if (object.model.classValue) {
          const method = this.interp.classes.classMethod(object.model.classValue, name, object);
          if (method) return method;
        }
        if (name === 'add' || name === 'apply') return { kind: 'builtin', name: `model.${name}`, receiver: object };
        if (name === 'inputs') return { kind: 'array', items: object.model.inputs.map((tensor) => ({ kind: 'tensor', tensor })) };
        if (name === 'outputs') return { kind: 'array', items: object.model.outputs.map((tensor) => ({ kind: 'tensor', tensor })) };
        if (name === 'layers') {
          return {
            kind: 'array',
            items: object.model.items.map((item, index) =>
              'origin' in item.value
                ? { kind: 'layer', layer: item.value, ...(object.model.construction !== 'functional' ? { inSequential: { model: object.model, index } } : {}) }
                : { kind: 'model', model: item.value },
            ),
          };
        }
        return { kind: 'builtin', name: 'ignored', receiver: object };
      }
      case 'tensor':
        // `custom.apply(x)[k]` of a custom layer whose call() returns a list extraction could not
        // read (a readable one gives one tensor per output): the layer's one node stands for each
        // output, as the states of `returnState` do, so the layers after it stay in the graph.
        if (/^\d+$/.test(name) && object.tensor.producer?.layer.origin === 'custom') return object;
        return unknown(`property '${name}' of a symbolic tensor is not modelled`, scope.file.span(node));
      case 'unknown':
        return object;
      case 'function':
      case 'class':
        if (object.kind === 'class') {
          this.interp.touch(object.node);
          const staticMember = object.node.members.find(
            (m) => ts.isPropertyDeclaration(m) && m.name.getText() === name && isStatic(m) && m.initializer,
          ) as ts.PropertyDeclaration | undefined;
          if (staticMember?.initializer) return this.evaluate(staticMember.initializer, object.scope);
        }
        return unknown(`property '${name}' of a function is not modelled`, scope.file.span(node));
    }
  }

  assignTo(target: ts.Expression, value: AbstractValue, scope: Scope): void {
    if (ts.isParenthesizedExpression(target) || ts.isAsExpression(target) || ts.isNonNullExpression(target)) {
      this.assignTo(target.expression, value, scope);
      return;
    }
    if (ts.isIdentifier(target)) {
      if (scope.assign(target.text, value)) return;
      const topLevel = this.interp.topLevelScopes.get(scope.file);
      if (topLevel?.assign(target.text, value)) return;
      (topLevel ?? this.interp.moduleScope(scope.file)).vars.set(target.text, value);
      return;
    }
    if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
      const object = this.evaluate(target.expression, scope);
      let key: string | undefined;
      if (ts.isPropertyAccessExpression(target)) key = target.name.text;
      else {
        const keyValue = this.evaluate(target.argumentExpression, scope);
        if (keyValue.kind === 'primitive') key = String(keyValue.value);
      }
      if (key === undefined) return;
      if (object.kind === 'object') object.props.set(key, value);
      else if (object.kind === 'model') object.model.props.set(key, value);
      else if (object.kind === 'array' && /^\d+$/.test(key)) object.items[Number(key)] = value;
      return;
    }
    if (ts.isArrayLiteralExpression(target)) {
      target.elements.forEach((element, index) => {
        if (!ts.isOmittedExpression(element) && !ts.isSpreadElement(element)) {
          this.assignTo(element, this.getProperty(value, String(index), element, scope), scope);
        }
      });
    }
  }

  private evaluateBinary(node: ts.BinaryExpression, scope: Scope): AbstractValue {
    const operator = node.operatorToken.kind;
    if (operator === K.EqualsToken) {
      const value = this.evaluate(node.right, scope);
      this.assignTo(node.left, value, scope);
      return value;
    }
    if (operator === K.CommaToken) {
      this.evaluate(node.left, scope);
      return this.evaluate(node.right, scope);
    }
    const compound = COMPOUND_ASSIGNMENTS.get(operator);
    if (compound !== undefined) {
      const left = this.evaluate(node.left, scope);
      const right = this.evaluate(node.right, scope);
      const value = this.binaryOperation(compound, left, right, node, scope);
      this.assignTo(node.left, value, scope);
      return value;
    }
    if (
      operator === K.AmpersandAmpersandToken ||
      operator === K.BarBarToken ||
      operator === K.QuestionQuestionToken
    ) {
      const left = this.evaluate(node.left, scope);
      // `options.size || 5`: the value stays unknown, but the literal it falls back to is kept
      // (the probe may measure with it, and says so).
      const withFallback = (value: UnknownValue): UnknownValue => {
        if (operator === K.AmpersandAmpersandToken || !(ts.isNumericLiteral(node.right) || ts.isStringLiteral(node.right) || node.right.kind === K.TrueKeyword || node.right.kind === K.FalseKeyword)) return value;
        const right = this.evaluate(node.right, scope);
        return right.kind === 'primitive' ? { ...value, fallback: right } : value;
      };
      if (operator === K.QuestionQuestionToken) {
        if (left.kind === 'unknown') return withFallback(left);
        return left.kind === 'primitive' && left.value == null ? this.evaluate(node.right, scope) : left;
      }
      const truth = truthiness(left);
      if (truth === undefined && operator === K.AmpersandAmpersandToken && !isConditionPosition(node) && !isInertStatement(node)) {
        // `useDropout && tf.layers.dropout(...)` in a config or a layer list: a decision.
        return this.holds(node.left, scope) ? this.evaluate(node.right, scope) : primitive(false);
      }
      if (truth === undefined) return left.kind === 'unknown' ? withFallback(left) : unknown('condition not known statically', scope.file.span(node));
      if (operator === K.AmpersandAmpersandToken) return truth ? this.evaluate(node.right, scope) : left;
      return truth ? left : this.evaluate(node.right, scope);
    }
    const left = this.evaluate(node.left, scope);
    const right = this.evaluate(node.right, scope);
    return this.binaryOperation(operator, left, right, node, scope);
  }

  private binaryOperation(operator: ts.SyntaxKind, left: AbstractValue, right: AbstractValue, node: ts.Node, scope: Scope): AbstractValue {
    if (operator === K.EqualsEqualsEqualsToken || operator === K.ExclamationEqualsEqualsToken) {
      const same = identical(left, right);
      if (same !== undefined) return primitive(operator === K.EqualsEqualsEqualsToken ? same : !same);
    }
    if (this.interp.unit.facts.size > 0 && ts.isBinaryExpression(node) && EQUALITY_OPERATORS.has(operator)) {
      // What the path assumed (`switch (rnnType)` took `case 'lstm'`) settles a later test.
      const same = this.assumedIdentical(node, left, right, scope);
      if (same !== undefined) return primitive(operator === K.EqualsEqualsEqualsToken || operator === K.EqualsEqualsToken ? same : !same);
    }
    if (left.kind !== 'primitive' || right.kind !== 'primitive') {
      if (left.kind === 'unknown') return left;
      if (right.kind === 'unknown') return right;
      return unknown(`\`${clip(node.getText(scope.file.sourceFile))}\` is not a compile-time constant`, scope.file.span(node));
    }
    const a = left.value as never;
    const b = right.value as never;
    let result: PrimitiveResult;
    switch (operator) {
      case K.PlusToken: result = (a as number) + (b as number); break;
      case K.MinusToken: result = (a as number) - b; break;
      case K.AsteriskToken: result = (a as number) * b; break;
      case K.SlashToken: result = (a as number) / b; break;
      case K.PercentToken: result = (a as number) % b; break;
      case K.AsteriskAsteriskToken: result = (a as number) ** b; break;
      case K.LessThanToken: result = a < b; break;
      case K.LessThanEqualsToken: result = a <= b; break;
      case K.GreaterThanToken: result = a > b; break;
      case K.GreaterThanEqualsToken: result = a >= b; break;
      case K.EqualsEqualsEqualsToken: result = a === b; break;
      case K.ExclamationEqualsEqualsToken: result = a !== b; break;
      // eslint-disable-next-line eqeqeq
      case K.EqualsEqualsToken: result = a == b; break;
      // eslint-disable-next-line eqeqeq
      case K.ExclamationEqualsToken: result = a != b; break;
      case K.AmpersandToken: result = (a as number) & b; break;
      case K.BarToken: result = (a as number) | b; break;
      case K.CaretToken: result = (a as number) ^ b; break;
      case K.LessThanLessThanToken: result = (a as number) << b; break;
      case K.GreaterThanGreaterThanToken: result = (a as number) >> b; break;
      case K.GreaterThanGreaterThanGreaterThanToken: result = (a as number) >>> b; break;
      default:
        return unknown(`operator \`${ts.tokenToString(operator) ?? '?'}\` is not modelled`, scope.file.span(node));
    }
    return primitive(result);
  }

  private assumedIdentical(node: ts.BinaryExpression, left: AbstractValue, right: AbstractValue, scope: Scope): boolean | undefined {
    if (left.kind === 'unknown' && right.kind === 'primitive') return this.interp.assumedEqual(decisionKey(unwrap(node.left), scope.file.sourceFile), right.value);
    if (right.kind === 'unknown' && left.kind === 'primitive') return this.interp.assumedEqual(decisionKey(unwrap(node.right), scope.file.sourceFile), left.value);
    return undefined;
  }

  /**
   * `cond ? a : b` with `cond` not known statically: a decision, unless both branches are
   * plain values that come out the same.
   */
  private evaluateUnknownConditional(node: ts.ConditionalExpression, scope: Scope): AbstractValue {
    const { core } = withoutNegation(node.condition);
    if (!this.interp.unit.decided.has(decisionKey(core, scope.file.sourceFile)) && isPlainValue(node.whenTrue) && isPlainValue(node.whenFalse)) {
      const whenTrue = this.evaluate(node.whenTrue, scope);
      const whenFalse = this.evaluate(node.whenFalse, scope);
      if (whenTrue.kind === 'primitive' && whenFalse.kind === 'primitive' && whenTrue.value === whenFalse.value) return whenTrue;
      return this.holds(node.condition, scope) ? whenTrue : whenFalse;
    }
    return this.holds(node.condition, scope) ? this.evaluate(node.whenTrue, scope) : this.evaluate(node.whenFalse, scope);
  }

  /** Decides a condition not known statically (see Interpreter.choose); true when the path takes it as holding. */
  private holds(condition: ts.Expression, scope: Scope): boolean {
    const sourceFile = scope.file.sourceFile;
    const { core, negated } = withoutNegation(condition);
    const key = decisionKey(core, sourceFile);
    const option = this.interp.unit.decided.get(key) ?? this.interp.choose(key, [holdsLabel(core, sourceFile), failsLabel(core, sourceFile)], scope.file.span(condition));
    const equality = equalityTest(core, sourceFile);
    if (equality) {
      const value = this.evaluate(equality.valueNode, scope);
      if (value.kind === 'primitive') this.interp.assumeEquality(equality.subject, value, (option === 0) === equality.equalHolds);
    }
    return (option === 0) !== negated;
  }

  private evaluatePrefix(node: ts.PrefixUnaryExpression, scope: Scope): AbstractValue {
    const operand = this.evaluate(node.operand, scope);
    if (node.operator === K.PlusPlusToken || node.operator === K.MinusMinusToken) {
      const value =
        operand.kind === 'primitive' && typeof operand.value === 'number'
          ? primitive(operand.value + (node.operator === K.PlusPlusToken ? 1 : -1))
          : unknown('not known statically', scope.file.span(node));
      this.assignTo(node.operand, value, scope);
      return value;
    }
    if (node.operator === K.ExclamationToken) {
      const truth = truthiness(operand);
      return truth === undefined ? (operand.kind === 'unknown' ? operand : unknown('not known statically', scope.file.span(node))) : primitive(!truth);
    }
    if (operand.kind !== 'primitive') return operand.kind === 'unknown' ? operand : unknown('not known statically', scope.file.span(node));
    const value = operand.value as number;
    switch (node.operator) {
      case K.MinusToken: return primitive(-value);
      case K.PlusToken: return primitive(+value);
      case K.TildeToken: return primitive(~value);
      default: return unknown('operator not modelled', scope.file.span(node));
    }
  }
}

type PrimitiveResult = number | string | boolean;

const EQUALITY_OPERATORS = new Set<ts.SyntaxKind>([
  K.EqualsEqualsEqualsToken,
  K.ExclamationEqualsEqualsToken,
  K.EqualsEqualsToken,
  K.ExclamationEqualsToken,
]);

const COMPOUND_ASSIGNMENTS = new Map<ts.SyntaxKind, ts.SyntaxKind>([
  [K.PlusEqualsToken, K.PlusToken],
  [K.MinusEqualsToken, K.MinusToken],
  [K.AsteriskEqualsToken, K.AsteriskToken],
  [K.SlashEqualsToken, K.SlashToken],
  [K.PercentEqualsToken, K.PercentToken],
  [K.AsteriskAsteriskEqualsToken, K.AsteriskAsteriskToken],
  [K.LessThanLessThanEqualsToken, K.LessThanLessThanToken],
  [K.GreaterThanGreaterThanEqualsToken, K.GreaterThanGreaterThanToken],
  [K.AmpersandEqualsToken, K.AmpersandToken],
  [K.BarEqualsToken, K.BarToken],
]);

function identical(a: AbstractValue, b: AbstractValue): boolean | undefined {
  if (a.kind === 'primitive' && b.kind === 'primitive') return a.value === b.value;
  if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
  if (a.kind === 'primitive' || b.kind === 'primitive') return false;
  if (a.kind === 'layer' && b.kind === 'layer') return a.layer === b.layer;
  if (a.kind === 'model' && b.kind === 'model') return a.model === b.model;
  if (a.kind === 'tensor' && b.kind === 'tensor') return a.tensor === b.tensor;
  return a === b ? true : undefined;
}

/** `verbose && console.log(...)` as a statement: like an `if` that only logs, no decision. */
function isInertStatement(node: ts.BinaryExpression): boolean {
  let statement: ts.Node = node;
  while (statement.parent && ts.isParenthesizedExpression(statement.parent)) statement = statement.parent;
  return ts.isExpressionStatement(statement.parent) && isLoggingCall(node.right);
}

function classNameFromContext(node: ts.ClassExpression): string {
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return 'AnonymousClass';
}
