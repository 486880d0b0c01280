// Statements and control flow: statement lists with hoisting, variable declarations and
// binding patterns, if, loops (unrolled while their bounds are known), switch and try.
import { ts } from 'ts-morph';
import type { Interpreter } from './interpreter';
import {
  allOf,
  branchThrows,
  decisionKey,
  endsInThrow,
  equalityTest,
  failsLabel,
  holdsLabel,
  isInert,
  unwrap,
  withoutNegation,
} from './decisions';
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
        if (this.interp.tryDepth === 0) this.interp.unit.threw = true;
        return { type: 'throw' };
      case K.SwitchStatement:
        return this.runSwitch(node as ts.SwitchStatement, scope);
      case K.TryStatement: {
        const tryStatement = node as ts.TryStatement;
        this.interp.tryDepth++;
        let completion: Completion;
        try {
          completion = this.runStatement(tryStatement.tryBlock, scope);
        } finally {
          this.interp.tryDepth--;
        }
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
    const decided = this.decidedTruth(node.expression, scope);
    if (decided !== undefined) return decided ? this.runStatement(node.thenStatement, scope) : node.elseStatement ? this.runStatement(node.elseStatement, scope) : NORMAL;
    if (node.elseStatement && ts.isIfStatement(node.elseStatement)) return this.runUnknownChain(node, scope);
    const sourceFile = scope.file.sourceFile;
    const { core, negated } = withoutNegation(node.expression);
    const key = decisionKey(core, sourceFile);
    // Option 0: the condition (without its `!`s) holds; option 1: it fails.
    let option = this.interp.unit.decided.get(key);
    if (option === undefined) {
      if (isInert(node.thenStatement) && isInert(node.elseStatement)) return NORMAL;
      const thenThrows = branchThrows(node.thenStatement);
      const elseThrows = branchThrows(node.elseStatement);
      if (thenThrows === elseThrows) {
        option = this.interp.choose(key, [holdsLabel(core, sourceFile), failsLabel(core, sourceFile)], scope.file.span(node.expression));
      } else {
        // A guard (`if (!shape) throw ...`): the path goes the other way, no decision to make.
        option = !thenThrows !== negated ? 0 : 1;
        this.interp.unit.decided.set(key, option);
      }
    }
    this.assumeOutcome(core, option === 0, scope);
    const takeThen = (option === 0) !== negated;
    if (takeThen) return this.runStatement(node.thenStatement, scope);
    return node.elseStatement ? this.runStatement(node.elseStatement, scope) : NORMAL;
  }

  /**
   * `if (a) ... else if (b) ... else ...` on values not known statically: one decision among
   * the branches, each named by its own test (`modelType === 'cnn'`), the last `else` by the
   * failure of them all. Tests known statically prune the chain.
   */
  private runUnknownChain(node: ts.IfStatement, scope: Scope): Completion {
    const sourceFile = scope.file.sourceFile;
    const branches: { test?: ts.Expression; body?: ts.Statement }[] = [{ test: node.expression, body: node.thenStatement }];
    let rest: ts.Statement | undefined = node.elseStatement;
    while (rest && ts.isIfStatement(rest)) {
      const truth = truthiness(this.interp.evaluate(rest.expression, scope)) ?? this.decidedTruth(rest.expression, scope);
      if (truth === true) {
        branches.push({ body: rest.thenStatement });
        rest = undefined;
        break;
      }
      if (truth === undefined) branches.push({ test: rest.expression, body: rest.thenStatement });
      rest = rest.elseStatement;
    }
    if (branches[branches.length - 1].test !== undefined) branches.push({ body: rest });
    const tests = branches.flatMap((branch) => (branch.test ? [branch.test] : []));
    const key = tests.map((test) => decisionKey(test, sourceFile)).join('|');
    let option = this.interp.unit.decided.get(key);
    if (option === undefined) {
      const feasible = branches.map((branch, index) => index).filter((index) => !branchThrows(branches[index].body));
      if (feasible.length === 0) feasible.push(0);
      const labels = branches.map((branch) =>
        branch.test ? holdsLabel(branch.test, sourceFile) : allOf(tests.map((test) => failsLabel(test, sourceFile))),
      );
      if (feasible.length === 1) {
        option = feasible[0];
        this.interp.unit.decided.set(key, option);
      } else {
        // The decision's options are the feasible branches; map the choice back to its branch.
        option = feasible[this.interp.choose(key, feasible.map((index) => labels[index]), scope.file.span(node.expression))];
        this.interp.unit.decided.set(key, option);
      }
    }
    branches.forEach((branch, index) => {
      if (branch.test && index <= option!) this.assumeOutcome(branch.test, index === option, scope);
    });
    const body = branches[option].body;
    return body ? this.runStatement(body, scope) : NORMAL;
  }

  /** How the path decided this condition before (the same text, maybe negated), if it did. */
  private decidedTruth(test: ts.Expression, scope: Scope): boolean | undefined {
    const { core, negated } = withoutNegation(test);
    const option = this.interp.unit.decided.get(decisionKey(core, scope.file.sourceFile));
    return option === undefined ? undefined : (option === 0) !== negated;
  }

  /**
   * What the rest of the path may assume once a test went one way: the same test again goes
   * the same way, and `x === 'lstm'` holding (or failing) settles later tests of `x`.
   */
  private assumeOutcome(test: ts.Expression, holds: boolean, scope: Scope): void {
    const sourceFile = scope.file.sourceFile;
    const { core, negated } = withoutNegation(test);
    const coreHolds = holds !== negated;
    const unit = this.interp.unit;
    const key = decisionKey(core, sourceFile);
    if (!unit.decided.has(key)) unit.decided.set(key, coreHolds ? 0 : 1);
    const equality = equalityTest(core, sourceFile);
    if (!equality) return;
    const value = this.interp.evaluate(equality.valueNode, scope);
    if (value.kind !== 'primitive') return;
    this.interp.assumeEquality(equality.subject, value, coreHolds === equality.equalHolds);
  }

  private loopBudget(node: ts.Node, scope: Scope): boolean {
    if (++this.interp.unit.unrolled > MAX_UNROLLED_ITERATIONS) {
      this.interp.gap(`the loop runs more than ${MAX_UNROLLED_ITERATIONS} times, so the rest of it is not analysed`, scope.file.span(node));
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
      if (this.interp.layerEvents > before) this.interp.gap(pending.message, pending.span, true);
    }
    return completion;
  }

  private unknownBound(node: ts.Node, condition: ts.Node | undefined, scope: Scope): void {
    const text = condition ? `the loop condition \`${clip(condition.getText(scope.file.sourceFile))}\`` : 'the loop bound';
    this.interp.unknownLoopBounds.set(node, {
      message: `${text} is not a compile-time constant, so the loop body is analysed once`,
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
          once = !this.assumeSingleIteration(node.condition, loopScope);
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

  /**
   * `for (let i = 0; i < layers; i++)` with `layers` not known: the body runs once, so the
   * rest of the path takes `layers` as 1 (`i === layers - 1`, `downs[layers - i - 1]` then
   * agree with the one pass). Only a plain variable bound is assumed; true when it was.
   */
  private assumeSingleIteration(condition: ts.Expression, scope: Scope): boolean {
    const test = unwrap(condition);
    if (!ts.isBinaryExpression(test)) return false;
    const operator = test.operatorToken.kind;
    if (operator !== K.LessThanToken && operator !== K.LessThanEqualsToken) return false;
    const counter = this.interp.evaluate(test.left, scope);
    const bound = unwrap(test.right);
    if (counter.kind !== 'primitive' || typeof counter.value !== 'number' || !ts.isIdentifier(bound)) return false;
    const single = primitive(operator === K.LessThanToken ? counter.value + 1 : counter.value);
    if (scope.assign(bound.text, single)) return true;
    return this.interp.topLevelScopes.get(scope.file)?.assign(bound.text, single) ?? false;
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
    // Not known statically, unless the path assumed it (an earlier test of the same value).
    const known = discriminant.kind === 'primitive' ? discriminant : this.interp.unit.facts.get(decisionKey(node.expression, scope.file.sourceFile))?.equal;
    if (!known) return this.runUnknownSwitch(node, scope);
    const value = known.value;
    let start = clauses.findIndex((clause) => {
      if (!ts.isCaseClause(clause)) return false;
      const caseValue = this.interp.evaluate(clause.expression, scope);
      return caseValue.kind === 'primitive' && caseValue.value === value;
    });
    if (start < 0) start = clauses.findIndex((clause) => ts.isDefaultClause(clause));
    if (start < 0) return NORMAL;
    return this.runClausesFrom(clauses, start, scope);
  }

  /**
   * A switch on a value known only at run time (`switch (rnnType)`), common in model code
   * that offers several architectures: one decision among its entry points (a case with no
   * statements of its own enters with the next one), each named in the user's words
   * (`rnnType === 'lstm'`; the default by the cases it is not). Entries whose path ends in
   * `throw` are no option.
   */
  private runUnknownSwitch(node: ts.SwitchStatement, scope: Scope): Completion {
    const sourceFile = scope.file.sourceFile;
    const clauses = node.caseBlock.clauses;
    const subject = decisionKey(node.expression, sourceFile);
    const subjectText = holdsLabel(node.expression, sourceFile);
    const caseValues = clauses.map((clause) => (ts.isCaseClause(clause) ? this.interp.evaluate(clause.expression, scope) : undefined));
    // Excluded by what the path assumed already (`if (rnnType === 'gru') ... else switch ...`).
    const excluded = (index: number): boolean => {
      const value = caseValues[index];
      return value?.kind === 'primitive' && this.interp.assumedEqual(subject, value.value) === false;
    };
    const entries: { start: number; members: number[] }[] = [];
    let members: number[] = [];
    clauses.forEach((clause, index) => {
      members.push(index);
      if (clause.statements.length === 0 && index < clauses.length - 1) return;
      entries.push({ start: members[0], members });
      members = [];
    });
    // Without a default, a value no case names runs none of them: an entry past the end.
    if (!clauses.some((clause) => ts.isDefaultClause(clause))) entries.push({ start: clauses.length, members: [] });
    const throws = (start: number) => endsInThrow(clauses.slice(start).flatMap((clause) => [...clause.statements]));
    const feasible = entries.filter((entry) => !throws(entry.start) && !(entry.members.length > 0 && entry.members.every(excluded)));
    if (feasible.length === 0) return NORMAL;
    const caseText = (index: number) => clip((clauses[index] as ts.CaseClause).expression.getText(sourceFile));
    const labelOf = (entry: { members: number[] }): string => {
      if (entry.members.length === 0 || entry.members.some((index) => ts.isDefaultClause(clauses[index]))) {
        const others = clauses.map((clause, index) => index).filter((index) => ts.isCaseClause(clauses[index]) && !entry.members.includes(index));
        if (others.length === 0) return `default of switch (${subjectText})`;
        return others.length <= 3 ? allOf(others.map((index) => `${subjectText} !== ${caseText(index)}`)) : `${subjectText} is none of its ${others.length} cases`;
      }
      return entry.members.map((index) => `${subjectText} === ${caseText(index)}`).join(' || ');
    };
    const key = `switch:${subject}`;
    let chosen = this.interp.unit.decided.get(key);
    if (chosen === undefined || chosen >= feasible.length) {
      chosen = feasible.length === 1 ? 0 : this.interp.choose(key, feasible.map(labelOf), scope.file.span(node.expression));
      this.interp.unit.decided.set(key, chosen);
    }
    const entry = feasible[chosen];
    const assume = (index: number, equal: boolean) => {
      const value = caseValues[index];
      if (value?.kind === 'primitive') this.interp.assumeEquality(subject, value, equal);
    };
    const isDefault = entry.members.length === 0 || entry.members.some((index) => ts.isDefaultClause(clauses[index]));
    const cases = entry.members.filter((index) => ts.isCaseClause(clauses[index]));
    if (!isDefault && cases.length === 1) assume(cases[0], true);
    else clauses.forEach((clause, index) => ts.isCaseClause(clause) && !entry.members.includes(index) && assume(index, false));
    return this.runClausesFrom(clauses, entry.start, scope);
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


