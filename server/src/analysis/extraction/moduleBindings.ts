// Module scope: a file's top-level bindings (imports, consts, functions, classes, enums)
// evaluated lazily, and what other files' exports and re-exports resolve to.
import { ts } from 'ts-morph';
import type { FileContext, TopLevelBinding } from './fileContext';
import type { Interpreter } from './interpreter';
import { LIBRARY_MODULES, TFJS_MODULES, resolveSpecifier } from './moduleResolution';
import { type AbstractValue, Scope, UNDEFINED, primitive, unknown } from './values';

export class ModuleBindings {
  constructor(private readonly interp: Interpreter) {}

  /** A module-level binding of `file`: imports, consts (evaluated lazily, cached), functions. */
  staticLookup(file: FileContext, name: string): AbstractValue | undefined {
    const unit = this.interp.unit;
    if (unit && file.sourceFile === unit.unitFile) unit.topLevelNames.add(name);
    const cached = file.valueCache.get(name);
    if (cached) return cached;
    const binding = file.binding(name);
    if (!binding) return undefined;
    if (file.evaluating.has(name)) return unknown(`'${name}' refers to itself while being initialised`);
    file.evaluating.add(name);
    // Module initialisers run outside any call: their layers have no call stack.
    const savedStack = this.interp.callStack;
    this.interp.callStack = [];
    try {
      const value = this.evaluateBinding(file, name, binding);
      if (binding.kind === 'variable') {
        for (const [key, item] of value.entries()) file.valueCache.set(key, item);
      } else {
        file.valueCache.set(name, value.get(name)!);
      }
      return file.valueCache.get(name) ?? unknown(`'${name}' has no value known statically`);
    } finally {
      this.interp.callStack = savedStack;
      file.evaluating.delete(name);
    }
  }

  private evaluateBinding(file: FileContext, name: string, binding: TopLevelBinding): Map<string, AbstractValue> {
    const moduleScope = this.interp.topLevelScopes.get(file) ?? this.interp.moduleScope(file);
    switch (binding.kind) {
      case 'import':
        return new Map([[name, this.importValue(file, binding.specifier, binding.imported, binding.node)]]);
      case 'function':
        return new Map([[name, { kind: 'function', node: binding.node, scope: moduleScope, file }]]);
      case 'class':
        return new Map([[name, { kind: 'class', node: binding.node, scope: moduleScope, file, name }]]);
      case 'enum': {
        const props = new Map<string, AbstractValue>();
        let next = 0;
        for (const member of binding.node.members) {
          const key = member.name.getText(file.sourceFile);
          const value = member.initializer ? this.interp.evaluate(member.initializer, moduleScope) : primitive(next);
          if (value.kind === 'primitive' && typeof value.value === 'number') next = value.value + 1;
          props.set(key, value);
        }
        return new Map([[name, { kind: 'object', props }]]);
      }
      case 'variable': {
        const declaration = binding.declaration;
        if (!declaration.initializer && ts.isIdentifier(declaration.name) && file.assignsOnlyTfjs(name)) {
          return new Map([[name, { kind: 'tfjs', path: [] }]]);
        }
        const scratch = new Scope(undefined, file);
        const value = declaration.initializer ? this.interp.evaluate(declaration.initializer, moduleScope) : UNDEFINED;
        this.interp.bindPattern(declaration.name, value, scratch, moduleScope);
        return scratch.vars;
      }
    }
  }

  importValue(file: FileContext, specifier: string, imported: string, node: ts.Node): AbstractValue {
    if (TFJS_MODULES.has(specifier)) {
      return imported === '*' || imported === 'default' ? { kind: 'tfjs', path: [] } : { kind: 'tfjs', path: [imported] };
    }
    if (LIBRARY_MODULES.has(specifier)) {
      return imported === '*' || imported === 'default' ? { kind: 'library', path: [] } : { kind: 'library', path: [imported] };
    }
    const target = resolveSpecifier(specifier, file.fileName, this.interp.provider);
    if (!target) return unknown(`module '${specifier}' could not be resolved`, file.span(node));
    const targetFile = this.interp.fileContext(target);
    if (imported === '*') return { kind: 'module', file: targetFile };
    return this.exportedValue(targetFile, imported, node, file, 0);
  }

  exportedValue(file: FileContext, name: string, node: ts.Node, fromFile: FileContext, depth: number): AbstractValue {
    const notFound = unknown(`'${name}' is not exported by ${file.fileName}`, fromFile.span(node));
    if (depth > 8) return notFound;
    const target = file.exported(name) ?? (name === 'default' ? file.exported('module.exports') : undefined);
    if (target) {
      if (target.kind === 'local') return this.staticLookup(file, target.name) ?? notFound;
      if (target.kind === 'expression') {
        if (ts.isFunctionDeclaration(target.node) || ts.isClassDeclaration(target.node)) {
          const declaration = target.node as ts.FunctionDeclaration | ts.ClassDeclaration;
          return ts.isFunctionDeclaration(declaration)
            ? { kind: 'function', node: declaration, scope: this.interp.moduleScope(file), file }
            : { kind: 'class', node: declaration, scope: this.interp.moduleScope(file), file, name: 'default' };
        }
        const key = `export:${name}`;
        const cached = file.valueCache.get(key);
        if (cached) return cached;
        const value = this.interp.evaluate(target.node, this.interp.moduleScope(file));
        file.valueCache.set(key, value);
        return value;
      }
      const reexported = resolveSpecifier(target.specifier, file.fileName, this.interp.provider);
      if (TFJS_MODULES.has(target.specifier) || LIBRARY_MODULES.has(target.specifier)) {
        return this.importValue(file, target.specifier, target.imported, node);
      }
      if (!reexported) return notFound;
      const reexportedFile = this.interp.fileContext(reexported);
      if (target.imported === '*') return { kind: 'module', file: reexportedFile };
      return this.exportedValue(reexportedFile, target.imported, node, fromFile, depth + 1);
    }
    const commonJs = file.exported('module.exports');
    if (commonJs) {
      const moduleObject = this.exportedValue(file, 'module.exports', node, fromFile, depth + 1);
      return this.interp.getProperty(moduleObject, name, node, this.interp.moduleScope(fromFile));
    }
    for (const specifier of file.starReexportSpecifiers()) {
      if (TFJS_MODULES.has(specifier)) return { kind: 'tfjs', path: [name] };
      const reexported = resolveSpecifier(specifier, file.fileName, this.interp.provider);
      if (!reexported) continue;
      const value = this.exportedValue(this.interp.fileContext(reexported), name, node, fromFile, depth + 1);
      if (value.kind !== 'unknown') return value;
    }
    return notFound;
  }
}

/** `node` without the wrappers that do not change which module it loads. */
function skipWrappers(node: ts.Expression): ts.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAwaitExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/**
 * Whether every value of `node` is the name of a tfjs package, through ternaries and `||`:
 * `require(gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node')`.
 */
export function namesTfjsOnEveryPath(node: ts.Expression | undefined): boolean {
  if (!node) return false;
  const current = skipWrappers(node);
  if (ts.isStringLiteralLike(current)) return TFJS_MODULES.has(current.text);
  if (ts.isConditionalExpression(current)) return namesTfjsOnEveryPath(current.whenTrue) && namesTfjsOnEveryPath(current.whenFalse);
  if (isAlternative(current)) return namesTfjsOnEveryPath(current.left) && namesTfjsOnEveryPath(current.right);
  return false;
}

/**
 * Whether every value of `node` is a tfjs package loaded by `require` or `import()`: the
 * common `const tf = gpu ? require('@tensorflow/tfjs-node-gpu') : require('@tensorflow/tfjs-node')`
 * picks a build of tfjs, not an architecture, so it is tfjs whatever the condition.
 */
export function loadsTfjsOnEveryPath(node: ts.Expression): boolean {
  const current = skipWrappers(node);
  if (ts.isConditionalExpression(current)) return loadsTfjsOnEveryPath(current.whenTrue) && loadsTfjsOnEveryPath(current.whenFalse);
  if (isAlternative(current)) return loadsTfjsOnEveryPath(current.left) && loadsTfjsOnEveryPath(current.right);
  if (!ts.isCallExpression(current) || current.arguments.length !== 1) return false;
  const callee = current.expression;
  const loads = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
  return loads && namesTfjsOnEveryPath(current.arguments[0]);
}

function isAlternative(node: ts.Expression): node is ts.BinaryExpression {
  return (
    ts.isBinaryExpression(node) &&
    (node.operatorToken.kind === ts.SyntaxKind.BarBarToken || node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  );
}
