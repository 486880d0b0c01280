// Statements and control flow: statement lists with hoisting, variable declarations and
// binding patterns, if, loops (unrolled while their bounds are known), switch and try.
import { ts } from 'ts-morph';
import type { Interpreter } from './interpreter';
import { K, MAX_UNROLLED_ITERATIONS, clip, isUndefined, truthiness } from './interpreterShared';
import { type AbstractValue, Scope, UNDEFINED, primitive, unknown } from './values';

export type Completion =
  | { type: 'normal' }
  | { type: 'return'; value: AbstractValue }
  | { type: 'break' }
  | { type: 'continue' }
  | { type: 'throw' };

const NORMAL: Completion = { type: 'normal' };

export class Statements {
  constructor(private readonly interp: Interpreter) {}

  runStatements(statements: readonly ts.Statement[], scope: Scope, skipDeclarations = false): Completion {
    this.hoistFunctions(statements, scope);
    for (const statement of statements) {
      if (skipDeclarations && (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement))) continue;
      const completion = this.runStatement(statement, scope);
      if (completion.type !== 'normal') return completion;
    }
    return NORMAL;
  }

  private hoistFunctions(statements: readonly ts.Statement[], scope: Scope): void {
    for (const statement of statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
        scope.vars.set(statement.name.text, { kind: 'function', node: statement, scope, file: scope.file });
      } else if (ts.isClassDeclaration(statement) && statement.name) {
        scope.vars.set(statement.name.text, {
          kind: 'class',
          node: statement,
          scope,
          file: scope.file,
          name: statement.name.text,
        });
      }
    }
  }

  runStatement(node: ts.Statement, scope: Scope): Completion {
    this.interp.step(node, scope);
    switch (node.kind) {
      case K.VariableStatement:
        if (!(ts.getModifiers(node as ts.VariableStatement) ?? []).some((m) => m.kind === K.DeclareKeyword)) {
          this.declareVariables((node as ts.VariableStatement).declarationList, scope);
        }
        return NORMAL;
      case K.ExpressionStatement:
        this.interp.evaluate((node as ts.ExpressionStatement).expression, scope);
        return NORMAL;
      case K.ReturnStatement: {
        const expression = (node as ts.ReturnStatement).expression;
        return { type: 'return', value: expression ? this.interp.evaluate(expression, scope) : UNDEFINED };
      }
      case K.Block:
        return this.runStatements((node as ts.Block).statements, new Scope(scope, scope.file));
      case K.IfStatement:
        return this.runIf(node as ts.IfStatement, scope);
      case K.ForStatement:
        return this.runLoop(node, () => this.runFor(node as ts.ForStatement, scope));
      case K.ForOfStatement:
      case K.ForInStatement:
        return this.runLoop(node, () => this.runForOf(node as ts.ForOfStatement | ts.ForInStatement, scope));
      case K.WhileStatement:
      case K.DoStatement:
        return this.runLoop(node, () => this.runWhile(node as ts.WhileStatement | ts.DoStatement, scope));
      case K.BreakStatement:
        return { type: 'break' };
      case K.ContinueStatement:
        return { type: 'continue' };
      case K.ThrowStatement:
        return { type: 'throw' };
      case K.SwitchStatement:
        return this.runSwitch(node as ts.SwitchStatement, scope);
      case K.TryStatement: {
        const tryStatement = node as ts.TryStatement;
        const completion = this.runStatement(tryStatement.tryBlock, scope);
        if (tryStatement.finallyBlock) {
          const finalCompletion = this.runStatement(tryStatement.finallyBlock, scope);
          if (finalCompletion.type !== 'normal') return finalCompletion;
        }
        return completion.type === 'throw' ? NORMAL : completion;
      }
      case K.LabeledStatement:
        return this.runStatement((node as ts.LabeledStatement).statement, scope);
      case K.FunctionDeclaration:
      case K.ClassDeclaration:
        // Hoisted by runStatements.
        return NORMAL;
      default:
        return NORMAL;
    }
  }

  private declareVariables(list: ts.VariableDeclarationList, scope: Scope): void {
    for (const declaration of list.declarations) {
      const value = declaration.initializer ? this.interp.evaluate(declaration.initializer, scope) : UNDEFINED;
      this.bindPattern(declaration.name, value, scope, scope);
      if (this.interp.watchedDeclarations?.has(declaration)) this.interp.watchedDeclarations.set(declaration, value);
    }
  }

  /** Binds a name or destructuring pattern in `target`; defaults are evaluated in `scope`. */
  bindPattern(name: ts.BindingName, value: AbstractValue, target: Scope, scope: Scope): void {
    if (ts.isIdentifier(name)) {
      target.vars.set(name.text, value);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      const used: string[] = [];
      for (const element of name.elements) {
        if (element.dotDotDotToken) {
          this.bindPattern(element.name, this.objectRest(value, used), target, scope);
          continue;
        }
        const keyNode = element.propertyName ?? element.name;
        let key: string | undefined;
        if (ts.isIdentifier(keyNode) || ts.isStringLiteral(keyNode) || ts.isNumericLiteral(keyNode)) key = keyNode.text;
        else if (ts.isComputedPropertyName(keyNode)) {
          const computed = this.interp.evaluate(keyNode.expression, scope);
          if (computed.kind === 'primitive') key = String(computed.value);
        }
        let item: AbstractValue =
          key === undefined ? unknown('computed key not known statically', scope.file.span(keyNode)) : this.interp.getProperty(value, key, element, scope);
        if (key !== undefined) used.push(key);
        if (element.initializer && isUndefined(item)) item = this.interp.evaluate(element.initializer, scope);
        this.bindPattern(element.name, item, target, scope);
      }
      return;
    }
    name.elements.forEach((element, index) => {
      if (ts.isOmittedExpression(element)) return;
      let item: AbstractValue;
      if (element.dotDotDotToken) {
        item =
          value.kind === 'array'
            ? { kind: 'array', items: value.items.slice(index) }
            : unknown('rest element of a value not known statically', scope.file.span(element));
      } else {
        item = this.interp.getProperty(value, String(index), element, scope);
        if (element.initializer && isUndefined(item)) item = this.interp.evaluate(element.initializer, scope);
      }
      this.bindPattern(element.name, item, target, scope);
    });
  }

  private objectRest(value: AbstractValue, used: string[]): AbstractValue {
    if (value.kind !== 'object') return value;
    const props = new Map(value.props);
    for (const key of used) props.delete(key);
    return { kind: 'object', props, openSpread: value.openSpread };
  }

  private runIf(node: ts.IfStatement, scope: Scope): Completion {
    const condition = truthiness(this.interp.evaluate(node.expression, scope));
    if (condition === true) return this.runStatement(node.thenStatement, scope);
    if (condition === false) return node.elseStatement ? this.runStatement(node.elseStatement, scope) : NORMAL;
    const before = this.interp.layerEvents;
    const completion = this.runStatement(node.thenStatement, scope);
    const added = this.interp.layerEvents > before;
    if (added) {
      this.interp.gap(
        `condition \`${clip(node.expression.getText(scope.file.sourceFile))}\` is not a compile-time constant: analysed as if it holds`,
        scope.file.span(node.expression),
      );
    }
    if (!added && node.elseStatement && BUILDS_LAYERS.test(node.elseStatement.getText(scope.file.sourceFile))) {
      this.interp.gap(
        `condition \`${clip(node.expression.getText(scope.file.sourceFile))}\` is not a compile-time constant: its else branch is not analysed`,
        scope.file.span(node.expression),
      );
    }
    // A guard clause (`if (!shape) throw ...`, `if (cached) return cached`) under an unknown
    // condition would end the analysis before the model is built: treat it as not taken.
    if ((completion.type === 'throw' || completion.type === 'return') && !added) return NORMAL;
    return completion;
  }

  private loopBudget(node: ts.Node, scope: Scope): boolean {
    if (++this.interp.unit.unrolled > MAX_UNROLLED_ITERATIONS) {
      this.interp.gap(`loop unrolled more than ${MAX_UNROLLED_ITERATIONS} times: the rest is not analysed`, scope.file.span(node));
      return false;
    }
    return true;
  }

  /**
   * Runs a loop and reports its unknown bound only if the body built layers: a data-preparation
   * loop next to the model (`for (const line of lines)`) is no gap in the model's analysis.
   */
  private runLoop(node: ts.Node, run: () => Completion): Completion {
    const before = this.interp.layerEvents;
    const completion = run();
    const pending = this.interp.unknownLoopBounds.get(node);
    if (pending) {
      this.interp.unknownLoopBounds.delete(node);
      if (this.interp.layerEvents > before) this.interp.gap(pending.message, pending.span);
    }
    return completion;
  }

  private unknownBound(node: ts.Node, condition: ts.Node | undefined, scope: Scope): void {
    const text = condition ? `\`${clip(condition.getText(scope.file.sourceFile))}\`` : 'the loop bound';
    this.interp.unknownLoopBounds.set(node, {
      message: `${text} is not a compile-time constant: loop body analysed once`,
      span: scope.file.span(condition ?? node),
    });
  }

  private runFor(node: ts.ForStatement, scope: Scope): Completion {
    const loopScope = new Scope(scope, scope.file);
    if (node.initializer) {
      if (ts.isVariableDeclarationList(node.initializer)) this.declareVariables(node.initializer, loopScope);
      else this.interp.evaluate(node.initializer, loopScope);
    }
    let first = true;
    for (;;) {
      let once = false;
      if (node.condition) {
        const condition = truthiness(this.interp.evaluate(node.condition, loopScope));
        if (condition === false) break;
        if (condition === undefined) {
          if (!first) break;
          this.unknownBound(node, node.condition, loopScope);
          once = true;
        }
      }
      if (!this.loopBudget(node, loopScope)) break;
      first = false;
      const completion = this.runStatement(node.statement, new Scope(loopScope, scope.file));
      if (completion.type === 'break') break;
      if (completion.type === 'return' || completion.type === 'throw') return completion;
      if (once) break;
      if (node.incrementor) this.interp.evaluate(node.incrementor, loopScope);
    }
    return NORMAL;
  }

  private runForOf(node: ts.ForOfStatement | ts.ForInStatement, scope: Scope): Completion {
    const iterable = this.interp.evaluate(node.expression, scope);
    let items: AbstractValue[];
    let once = false;
    if (ts.isForInStatement(node)) {
      items =
        iterable.kind === 'object'
          ? [...iterable.props.keys()].map((k) => primitive(k))
          : iterable.kind === 'array'
            ? iterable.items.map((_, i) => primitive(String(i)))
            : [];
    } else if (iterable.kind === 'array') {
      items = iterable.items;
      if (iterable.unknownLength) {
        this.unknownBound(node, node.expression, scope);
        once = true;
      }
    } else if (iterable.kind === 'primitive' && typeof iterable.value === 'string') {
      items = [...iterable.value].map((c) => primitive(c));
    } else {
      this.unknownBound(node, node.expression, scope);
      items = [unknown(iterable.kind === 'unknown' ? iterable.reason : 'loop element not known statically', scope.file.span(node.expression))];
      once = true;
    }
    for (const item of items) {
      if (!once && !this.loopBudget(node, scope)) break;
      const iterationScope = new Scope(scope, scope.file);
      const initializer = node.initializer;
      if (ts.isVariableDeclarationList(initializer)) {
        const declaration = initializer.declarations[0];
        if (declaration) this.bindPattern(declaration.name, item, iterationScope, iterationScope);
      } else {
        this.interp.assignTo(initializer, item, scope);
      }
      const completion = this.runStatement(node.statement, iterationScope);
      if (completion.type === 'break') break;
      if (completion.type === 'return' || completion.type === 'throw') return completion;
    }
    return NORMAL;
  }

  private runWhile(node: ts.WhileStatement | ts.DoStatement, scope: Scope): Completion {
    let first = true;
    for (;;) {
      let once = false;
      if (!(ts.isDoStatement(node) && first)) {
        const condition = truthiness(this.interp.evaluate(node.expression, scope));
        if (condition === false) break;
        if (condition === undefined) {
          if (!first) break;
          this.unknownBound(node, node.expression, scope);
          once = true;
        }
      }
      if (!this.loopBudget(node, scope)) break;
      first = false;
      const completion = this.runStatement(node.statement, new Scope(scope, scope.file));
      if (completion.type === 'break') break;
      if (completion.type === 'return' || completion.type === 'throw') return completion;
      if (once) break;
    }
    return NORMAL;
  }

  private runSwitch(node: ts.SwitchStatement, scope: Scope): Completion {
    const discriminant = this.interp.evaluate(node.expression, scope);
    const clauses = node.caseBlock.clauses;
    if (discriminant.kind !== 'primitive') return this.runUnknownSwitch(node, scope);
    let start = clauses.findIndex((clause) => {
      if (!ts.isCaseClause(clause)) return false;
      const value = this.interp.evaluate(clause.expression, scope);
      return value.kind === 'primitive' && value.value === discriminant.value;
    });
    if (start < 0) start = clauses.findIndex((clause) => ts.isDefaultClause(clause));
    if (start < 0) return NORMAL;
    return this.runClausesFrom(clauses, start, scope);
  }

  /**
   * A switch on a value known only at run time (`switch (rnnType)`), common in model code
   * that offers several architectures: like an unknown `if`, analyse the first case that
   * does something other than throw, and say so, rather than silently dropping its layers.
   */
  private runUnknownSwitch(node: ts.SwitchStatement, scope: Scope): Completion {
    const clauses = node.caseBlock.clauses;
    const start = clauses.findIndex(
      (clause) => clause.statements.length > 0 && !clause.statements.every((statement) => ts.isThrowStatement(statement)),
    );
    if (start < 0) return NORMAL;
    const text = scope.file.sourceFile.text;
    const buildsLayers = clauses.some((clause) => BUILDS_LAYERS.test(text.slice(clause.pos, clause.end)));
    const completion = this.runClausesFrom(clauses, start, scope);
    if (buildsLayers) {
      const chosen = clauses[start];
      const label = ts.isCaseClause(chosen) ? `case \`${clip(chosen.expression.getText(scope.file.sourceFile))}\`` : 'the default case';
      this.interp.gap(
        `\`${clip(node.expression.getText(scope.file.sourceFile))}\` is not a compile-time constant: only ${label} of this switch is analysed`,
        scope.file.span(node.expression),
      );
    }
    return completion.type === 'throw' ? NORMAL : completion;
  }

  private runClausesFrom(clauses: ts.NodeArray<ts.CaseOrDefaultClause>, start: number, scope: Scope): Completion {
    const switchScope = new Scope(scope, scope.file);
    for (let i = start; i < clauses.length; i++) {
      const completion = this.runStatements(clauses[i].statements, switchScope);
      if (completion.type === 'break') return NORMAL;
      if (completion.type !== 'normal') return completion;
    }
    return NORMAL;
  }
}

/** Source text that looks like it adds or applies layers (for branches that are not run). */
const BUILDS_LAYERS = /\.(add|apply)\s*\(|layers\s*\.|\bnew\s+[A-Z]/;
