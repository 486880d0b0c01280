// User classes: instantiation by category (model, layer or plain), field initialisers and
// constructors along the base chain, methods looked up on instances, and `extends` chains.
import { ts } from 'ts-morph';
import type { Interpreter } from './interpreter';
import { K, calleeName, isStatic } from './interpreterShared';
import { type AbstractValue, type ClassValue, type FunctionValue, type ObjectValue, Scope, UNDEFINED, unknown } from './values';

export class Classes {
  /** The classes whose constructors are running, innermost last, for `super(...)`. */
  private readonly constructing: { classValue: ClassValue; thisValue: AbstractValue }[] = [];

  constructor(private readonly interp: Interpreter) {}

  classMethod(classValue: ClassValue, name: string, receiver: AbstractValue): FunctionValue | undefined {
    for (let current: ClassValue | undefined = classValue; current; current = this.userBaseClass(current)) {
      this.interp.touch(current.node);
      for (const member of current.node.members) {
        if ((ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member)) && member.name.getText(current.file.sourceFile) === name && member.body) {
          return { kind: 'function', node: member, scope: current.scope, file: current.file, thisValue: receiver };
        }
      }
    }
    return undefined;
  }

  /** The base class when it is itself a user class. */
  userBaseClass(classValue: ClassValue): ClassValue | undefined {
    const base = this.baseClassValue(classValue);
    return base?.kind === 'class' ? base : undefined;
  }

  baseClassValue(classValue: ClassValue): AbstractValue | undefined {
    const clause = classValue.node.heritageClauses?.find((h) => h.token === K.ExtendsKeyword);
    const expression = clause?.types[0]?.expression;
    if (!expression) return undefined;
    return this.interp.evaluate(expression, classValue.scope);
  }

  /** What a class is, by walking its `extends` chain: a model, a layer or a plain class. */
  classCategory(classValue: ClassValue): 'model' | 'layer' | 'plain' {
    let current: ClassValue = classValue;
    for (let depth = 0; depth < 8; depth++) {
      this.interp.touch(current.node);
      const clause = current.node.heritageClauses?.find((h) => h.token === K.ExtendsKeyword);
      if (!clause) return 'plain';
      const base = this.baseClassValue(current);
      if (!base) return 'plain';
      if (base.kind === 'tfjs') {
        const last = base.path[base.path.length - 1];
        return last === 'Sequential' ? 'model' : 'layer';
      }
      if (base.kind === 'class') {
        current = base;
        continue;
      }
      return 'layer';
    }
    return 'layer';
  }

  instantiate(classValue: ClassValue, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const category = this.classCategory(classValue);
    if (category === 'layer') {
      const nameNode = ts.isNewExpression(node) ? calleeName(node.expression) : node;
      const layer = this.interp.makeLayer(classValue.name, 'custom', args[0], node, nameNode, scope);
      const body = this.interp.customLayers.read(classValue, args, node, scope);
      if (body) layer.body = body;
      return { kind: 'layer', layer };
    }
    if (category === 'model') {
      const model = this.interp.createModel('subclass', node, scope);
      model.classValue = classValue;
      const value: AbstractValue = { kind: 'model', model };
      this.construct(classValue, args, value, node, scope);
      return value;
    }
    const instance: ObjectValue = { kind: 'object', props: new Map(), classValue };
    this.construct(classValue, args, instance, node, scope);
    return instance;
  }

  /** Runs field initialisers and the constructor (of the class and its user base classes). */
  construct(classValue: ClassValue, args: AbstractValue[], thisValue: AbstractValue, node: ts.Node, scope: Scope): void {
    this.interp.touch(classValue.node);
    const base = this.userBaseClass(classValue);
    const ctor = classValue.node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    if (base && !ctor) this.construct(base, args, thisValue, node, scope);
    const classScope = new Scope(classValue.scope, classValue.file, thisValue);
    for (const member of classValue.node.members) {
      if (ts.isPropertyDeclaration(member) && member.initializer && !isStatic(member)) {
        const key = this.interp.expressions.propertyKey(member.name, classScope);
        if (key !== undefined) this.assignProperty(thisValue, key, this.interp.evaluate(member.initializer, classScope));
      }
    }
    if (ctor) {
      this.constructing.push({ classValue, thisValue });
      try {
        this.interp.invoke({ kind: 'function', node: ctor, scope: classValue.scope, file: classValue.file }, args, thisValue, node, scope, true);
      } finally {
        this.constructing.pop();
      }
    }
  }

  /**
   * `super(...)` in a constructor: runs the base class's constructor on the same instance. A
   * user base runs like any constructor (a base that builds `tf.sequential({layers})` from the
   * layers its subclasses pass); `tf.Sequential` itself takes `{layers}`.
   */
  superCall(args: AbstractValue[], node: ts.CallExpression, scope: Scope): AbstractValue {
    const current = this.constructing[this.constructing.length - 1];
    if (!current) return UNDEFINED;
    const base = this.baseClassValue(current.classValue);
    if (base?.kind === 'class') {
      this.construct(base, args, current.thisValue, node, scope);
    } else if (base?.kind === 'tfjs' && current.thisValue.kind === 'model') {
      const model = current.thisValue.model;
      const config = args[0];
      if (config?.kind === 'object' && base.path[base.path.length - 1] === 'Sequential') {
        this.interp.tfjs.addConfiguredLayers(model, config, node, scope);
      }
    }
    return UNDEFINED;
  }

  /**
   * `super.add(...)` in a tf.Sequential subclass, `super.build()` in a subclass of a user class:
   * the base's member, called on `this`. The base is found from the class the code sits in.
   */
  superProperty(access: ts.PropertyAccessExpression, scope: Scope): AbstractValue {
    const thisValue = scope.findThis();
    let cls: ts.Node | undefined = access.parent;
    while (cls && !ts.isClassLike(cls)) cls = cls.parent;
    if (!thisValue || !cls || !ts.isClassLike(cls)) return unknown('`super` is not known here', scope.file.span(access));
    const name = access.name.text;
    const base = this.baseClassValue({ kind: 'class', node: cls, scope, file: scope.file, name: cls.name?.text ?? 'AnonymousClass' });
    if (base?.kind === 'class') {
      const method = this.classMethod(base, name, thisValue);
      if (method) return method;
    }
    if (thisValue.kind === 'model' && (name === 'add' || name === 'apply')) return { kind: 'builtin', name: `model.${name}`, receiver: thisValue };
    return { kind: 'builtin', name: 'ignored', receiver: thisValue };
  }

  assignProperty(target: AbstractValue, key: string, value: AbstractValue): void {
    if (target.kind === 'object') target.props.set(key, value);
    else if (target.kind === 'model') target.model.props.set(key, value);
  }
}
