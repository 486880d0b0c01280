// The abstract interpreter of model-building code: evaluates expressions and statements of a
// unit over abstract values, following helpers across files, and records layers and models.
import { ts } from 'ts-morph';
import type { ConstValue, ExtractionGap, LayerConfig, LayerOrigin, SourceSpan } from '../graph';
import { NotConstant } from '../graph';
import type { SourceProvider } from '../sourceProvider';
import { FileContext, type TopLevelBinding } from './fileContext';
import { LIBRARY_MODULES, TFJS_MODULES, resolveSpecifier } from './moduleResolution';
import {
  type AbstractValue,
  type ArrayValue,
  type ClassValue,
  type FunctionValue,
  type LayerInstance,
  type ModelUnderConstruction,
  type ObjectValue,
  type SymbolicTensor,
  Scope,
  UNDEFINED,
  primitive,
  unknown,
} from './values';

export const LIBRARY_LAYER_CLASSES = new Set([
  'CircularPad2D',
  'CircularPad1D', 'CircularPad3D', 'BlurPool1D', 'BlurPool3D',
  'BlurPool2D',
  'PolyphasePool2D',
  'P4ConvLifting2D',
  'P4Conv2D',
  'P4GroupPool',
  'GroupAveraging',
  'SetDense',
  'SetPool',
]);

// Read once: `ts` is a getter on the ts-morph module, too slow to touch per node.
const K = ts.SyntaxKind;

const MAX_CALL_DEPTH = 16;
const MAX_SAME_FUNCTION_ACTIVE = 8;
const MAX_UNROLLED_ITERATIONS = 1000;

/** Thrown when a unit used up its step budget; caught per unit. */
export class StepBudgetExhausted extends Error {
  constructor(readonly span: SourceSpan) {
    super('step budget exhausted');
  }
}

type Completion =
  | { type: 'normal' }
  | { type: 'return'; value: AbstractValue }
  | { type: 'break' }
  | { type: 'continue' }
  | { type: 'throw' };

const NORMAL: Completion = { type: 'normal' };

/** Per-unit mutable state; reset by `beginUnit`. */
export interface UnitState {
  unitNode: ts.Node;
  steps: number;
  budget: number;
  unrolled: number;
  gaps: ExtractionGap[];
  /** Every model created while running the unit whose creation site is lexically in the unit. */
  directModels: ModelUnderConstruction[];
  /**
   * Function and class declarations whose text the run read (invoked, constructed, looked up
   * members of), in any file: a unit's result depends on these beyond its own text.
   */
  touched: Set<ts.Node>;
  /** Every `provider.getSourceFile` answer the run relied on, misses included. */
  filesRead: Map<string, ts.SourceFile | undefined>;
}

export class Interpreter {
  private readonly files = new Map<string, FileContext>();
  private readonly moduleScopes = new Map<FileContext, Scope>();
  /** The running top-level unit's scope per file, so helpers see its variables. */
  private readonly topLevelScopes = new Map<FileContext, Scope>();
  private callStack: SourceSpan[] = [];
  private readonly activeCalls = new Map<ts.Node, number>();
  /** Counts model additions and layer applications, to tell whether a branch built anything. */
  layerEvents = 0;
  /** Variable holders (`@symmetry` on a variable) whose values the unit wants to read back. */
  watchedDeclarations?: Map<ts.VariableDeclaration, AbstractValue | undefined>;
  private tensorIds = 0;
  private applicationSeq = 0;
  private unit!: UnitState;

  /** The caller's provider, with every answer recorded in the running unit's `filesRead`. */
  private readonly provider: SourceProvider;

  constructor(
    provider: SourceProvider,
    /** Creation site -> unit node, from discovery. */
    private readonly creationSiteUnits: Map<ts.Node, ts.Node>,
    private readonly defaultBudget: number,
  ) {
    this.provider = {
      getSourceFile: (fileName: string) => {
        const sourceFile = provider.getSourceFile(fileName);
        this.unit?.filesRead.set(fileName, sourceFile);
        return sourceFile;
      },
    };
  }

  fileContext(sourceFile: ts.SourceFile): FileContext {
    let context = this.files.get(sourceFile.fileName);
    if (!context || context.sourceFile !== sourceFile) {
      context = new FileContext(sourceFile);
      this.files.set(sourceFile.fileName, context);
    }
    return context;
  }

  moduleScope(file: FileContext): Scope {
    let scope = this.moduleScopes.get(file);
    if (!scope) {
      scope = new Scope(undefined, file);
      this.moduleScopes.set(file, scope);
    }
    return scope;
  }

  /**
   * Starts a unit from a clean module state: module-level values are evaluated afresh for
   * each unit, so a unit's result never depends on which units ran before it (what lets the
   * engine re-run only the units an edit touched and reuse the others).
   */
  beginUnit(unitNode: ts.Node): UnitState {
    this.unit = {
      unitNode,
      steps: 0,
      budget: this.defaultBudget,
      unrolled: 0,
      gaps: [],
      directModels: [],
      touched: new Set(),
      filesRead: new Map(),
    };
    this.callStack = [];
    this.activeCalls.clear();
    this.unknownLoopBounds.clear();
    this.moduleScopes.clear();
    for (const file of this.files.values()) {
      file.valueCache.clear();
      file.evaluating.clear();
    }
    return this.unit;
  }

  /** Notes that the running unit read a function's or class's text. */
  private touch(node: ts.Node): void {
    this.unit?.touched.add(node);
  }

  setTopLevelScope(file: FileContext, scope: Scope | undefined): void {
    if (scope) this.topLevelScopes.set(file, scope);
    else this.topLevelScopes.delete(file);
  }

  gap(message: string, span: SourceSpan): void {
    if (!this.unit.gaps.some((g) => g.message === message && g.span.start === span.start && g.span.file === span.file)) {
      this.unit.gaps.push({ message, span });
    }
  }

  private step(node: ts.Node, scope: Scope): void {
    if (++this.unit.steps > this.unit.budget) throw new StepBudgetExhausted(scope.file.span(node));
  }

  // ---------------------------------------------------------------- statements

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
    this.step(node, scope);
    switch (node.kind) {
      case K.VariableStatement:
        if (!(ts.getModifiers(node as ts.VariableStatement) ?? []).some((m) => m.kind === K.DeclareKeyword)) {
          this.declareVariables((node as ts.VariableStatement).declarationList, scope);
        }
        return NORMAL;
      case K.ExpressionStatement:
        this.evaluate((node as ts.ExpressionStatement).expression, scope);
        return NORMAL;
      case K.ReturnStatement: {
        const expression = (node as ts.ReturnStatement).expression;
        return { type: 'return', value: expression ? this.evaluate(expression, scope) : UNDEFINED };
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
      const value = declaration.initializer ? this.evaluate(declaration.initializer, scope) : UNDEFINED;
      this.bindPattern(declaration.name, value, scope, scope);
      if (this.watchedDeclarations?.has(declaration)) this.watchedDeclarations.set(declaration, value);
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
          const computed = this.evaluate(keyNode.expression, scope);
          if (computed.kind === 'primitive') key = String(computed.value);
        }
        let item: AbstractValue =
          key === undefined ? unknown('computed key not known statically', scope.file.span(keyNode)) : this.getProperty(value, key, element, scope);
        if (key !== undefined) used.push(key);
        if (element.initializer && isUndefined(item)) item = this.evaluate(element.initializer, scope);
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
        item = this.getProperty(value, String(index), element, scope);
        if (element.initializer && isUndefined(item)) item = this.evaluate(element.initializer, scope);
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
    const condition = truthiness(this.evaluate(node.expression, scope));
    if (condition === true) return this.runStatement(node.thenStatement, scope);
    if (condition === false) return node.elseStatement ? this.runStatement(node.elseStatement, scope) : NORMAL;
    const before = this.layerEvents;
    const completion = this.runStatement(node.thenStatement, scope);
    const added = this.layerEvents > before;
    if (added) {
      this.gap(
        `condition \`${clip(node.expression.getText(scope.file.sourceFile))}\` is not a compile-time constant: analysed as if it holds`,
        scope.file.span(node.expression),
      );
    }
    if (!added && node.elseStatement && BUILDS_LAYERS.test(node.elseStatement.getText(scope.file.sourceFile))) {
      this.gap(
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
    if (++this.unit.unrolled > MAX_UNROLLED_ITERATIONS) {
      this.gap(`loop unrolled more than ${MAX_UNROLLED_ITERATIONS} times: the rest is not analysed`, scope.file.span(node));
      return false;
    }
    return true;
  }

  /** Loops whose bound is unknown, waiting to learn whether their body built any layers. */
  private unknownLoopBounds = new Map<ts.Node, ExtractionGap>();

  /**
   * Runs a loop and reports its unknown bound only if the body built layers: a data-preparation
   * loop next to the model (`for (const line of lines)`) is no gap in the model's analysis.
   */
  private runLoop(node: ts.Node, run: () => Completion): Completion {
    const before = this.layerEvents;
    const completion = run();
    const pending = this.unknownLoopBounds.get(node);
    if (pending) {
      this.unknownLoopBounds.delete(node);
      if (this.layerEvents > before) this.gap(pending.message, pending.span);
    }
    return completion;
  }

  private unknownBound(node: ts.Node, condition: ts.Node | undefined, scope: Scope): void {
    const text = condition ? `\`${clip(condition.getText(scope.file.sourceFile))}\`` : 'the loop bound';
    this.unknownLoopBounds.set(node, {
      message: `${text} is not a compile-time constant: loop body analysed once`,
      span: scope.file.span(condition ?? node),
    });
  }

  private runFor(node: ts.ForStatement, scope: Scope): Completion {
    const loopScope = new Scope(scope, scope.file);
    if (node.initializer) {
      if (ts.isVariableDeclarationList(node.initializer)) this.declareVariables(node.initializer, loopScope);
      else this.evaluate(node.initializer, loopScope);
    }
    let first = true;
    for (;;) {
      let once = false;
      if (node.condition) {
        const condition = truthiness(this.evaluate(node.condition, loopScope));
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
      if (node.incrementor) this.evaluate(node.incrementor, loopScope);
    }
    return NORMAL;
  }

  private runForOf(node: ts.ForOfStatement | ts.ForInStatement, scope: Scope): Completion {
    const iterable = this.evaluate(node.expression, scope);
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
        this.assignTo(initializer, item, scope);
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
        const condition = truthiness(this.evaluate(node.expression, scope));
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
    const discriminant = this.evaluate(node.expression, scope);
    const clauses = node.caseBlock.clauses;
    if (discriminant.kind !== 'primitive') return this.runUnknownSwitch(node, scope);
    let start = clauses.findIndex((clause) => {
      if (!ts.isCaseClause(clause)) return false;
      const value = this.evaluate(clause.expression, scope);
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
      this.gap(
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

  // ---------------------------------------------------------------- expressions

  evaluate(node: ts.Expression, scope: Scope): AbstractValue {
    this.step(node, scope);
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
        return this.evaluateCall(node as ts.CallExpression, scope);
      case K.NewExpression:
        return this.evaluateNew(node as ts.NewExpression, scope);
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
        const condition = truthiness(this.evaluate(conditional.condition, scope));
        if (condition === true) return this.evaluate(conditional.whenTrue, scope);
        if (condition === false) return this.evaluate(conditional.whenFalse, scope);
        return unknown(
          `condition \`${clip(conditional.condition.getText(scope.file.sourceFile))}\` is not a compile-time constant`,
          scope.file.span(conditional),
        );
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
      case K.VoidExpression:
        this.evaluate((node as ts.VoidExpression).expression, scope);
        return UNDEFINED;
      default:
        return unknown(`expression \`${clip(node.getText(scope.file.sourceFile))}\` is not modelled`, scope.file.span(node));
    }
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
    const local = scope.lookupLocal(name) ?? this.topLevelScopes.get(scope.file)?.lookupLocal(name);
    if (local) return local;
    const fromFile = this.staticLookup(scope.file, name);
    if (fromFile) return fromFile;
    return this.globalValue(name) ?? unknown(`'${name}' has no value known statically`, scope.file.span(node));
  }

  private globalValue(name: string): AbstractValue | undefined {
    switch (name) {
      case 'tf':
        // Browser scripts load tfjs with a <script> tag that defines the global `tf`.
        return { kind: 'tfjs', path: [] };
      case 'Math':
      case 'Array':
      case 'Object':
      case 'Number':
      case 'String':
      case 'JSON':
        return { kind: 'builtin', name };
      case 'require':
        return { kind: 'builtin', name: 'require' };
      case 'parseInt':
      case 'parseFloat':
        return { kind: 'builtin', name };
      case 'Infinity':
        return primitive(Infinity);
      case 'NaN':
        return primitive(NaN);
      default:
        return undefined;
    }
  }

  /** A module-level binding of `file`: imports, consts (evaluated lazily, cached), functions. */
  staticLookup(file: FileContext, name: string): AbstractValue | undefined {
    const cached = file.valueCache.get(name);
    if (cached) return cached;
    const binding = file.binding(name);
    if (!binding) return undefined;
    if (file.evaluating.has(name)) return unknown(`'${name}' refers to itself while being initialised`);
    file.evaluating.add(name);
    // Module initialisers run outside any call: their layers have no call stack.
    const savedStack = this.callStack;
    this.callStack = [];
    try {
      const value = this.evaluateBinding(file, name, binding);
      if (binding.kind === 'variable') {
        for (const [key, item] of value.entries()) file.valueCache.set(key, item);
      } else {
        file.valueCache.set(name, value.get(name)!);
      }
      return file.valueCache.get(name) ?? unknown(`'${name}' has no value known statically`);
    } finally {
      this.callStack = savedStack;
      file.evaluating.delete(name);
    }
  }

  private evaluateBinding(file: FileContext, name: string, binding: TopLevelBinding): Map<string, AbstractValue> {
    const moduleScope = this.topLevelScopes.get(file) ?? this.moduleScope(file);
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
          const value = member.initializer ? this.evaluate(member.initializer, moduleScope) : primitive(next);
          if (value.kind === 'primitive' && typeof value.value === 'number') next = value.value + 1;
          props.set(key, value);
        }
        return new Map([[name, { kind: 'object', props }]]);
      }
      case 'variable': {
        const declaration = binding.declaration;
        const scratch = new Scope(undefined, file);
        const value = declaration.initializer ? this.evaluate(declaration.initializer, moduleScope) : UNDEFINED;
        this.bindPattern(declaration.name, value, scratch, moduleScope);
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
    const target = resolveSpecifier(specifier, file.fileName, this.provider);
    if (!target) return unknown(`module '${specifier}' could not be resolved`, file.span(node));
    const targetFile = this.fileContext(target);
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
            ? { kind: 'function', node: declaration, scope: this.moduleScope(file), file }
            : { kind: 'class', node: declaration, scope: this.moduleScope(file), file, name: 'default' };
        }
        const key = `export:${name}`;
        const cached = file.valueCache.get(key);
        if (cached) return cached;
        const value = this.evaluate(target.node, this.moduleScope(file));
        file.valueCache.set(key, value);
        return value;
      }
      const reexported = resolveSpecifier(target.specifier, file.fileName, this.provider);
      if (TFJS_MODULES.has(target.specifier) || LIBRARY_MODULES.has(target.specifier)) {
        return this.importValue(file, target.specifier, target.imported, node);
      }
      if (!reexported) return notFound;
      const reexportedFile = this.fileContext(reexported);
      if (target.imported === '*') return { kind: 'module', file: reexportedFile };
      return this.exportedValue(reexportedFile, target.imported, node, fromFile, depth + 1);
    }
    const commonJs = file.exported('module.exports');
    if (commonJs) {
      const moduleObject = this.exportedValue(file, 'module.exports', node, fromFile, depth + 1);
      return this.getProperty(moduleObject, name, node, this.moduleScope(fromFile));
    }
    for (const specifier of file.starReexportSpecifiers()) {
      if (TFJS_MODULES.has(specifier)) return { kind: 'tfjs', path: [name] };
      const reexported = resolveSpecifier(specifier, file.fileName, this.provider);
      if (!reexported) continue;
      const value = this.exportedValue(this.fileContext(reexported), name, node, fromFile, depth + 1);
      if (value.kind !== 'unknown') return value;
    }
    return notFound;
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
        value = unknown(value.reason, scope.file.span(valueNode));
      }
      result.props.set(key, value);
    }
    return result;
  }

  private propertyKey(name: ts.PropertyName | undefined, scope: Scope): string | undefined {
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
    for (const element of node.elements) {
      if (ts.isSpreadElement(element)) {
        const spread = this.evaluate(element.expression, scope);
        if (spread.kind === 'array') items.push(...spread.items);
        else return unknown(`spread of \`${clip(element.expression.getText(scope.file.sourceFile))}\` not known statically`, scope.file.span(element));
      } else if (ts.isOmittedExpression(element)) {
        items.push(UNDEFINED);
      } else {
        items.push(this.evaluate(element, scope));
      }
    }
    return { kind: 'array', items };
  }

  getProperty(object: AbstractValue, name: string, node: ts.Node, scope: Scope): AbstractValue {
    switch (object.kind) {
      case 'tfjs':
        return { kind: 'tfjs', path: [...object.path, name] };
      case 'library':
        return { kind: 'library', path: [...object.path, name] };
      case 'module':
        return this.exportedValue(object.file, name, node, scope.file, 0);
      case 'object': {
        const own = object.props.get(name);
        if (own) return own;
        if (object.classValue) {
          const method = this.classMethod(object.classValue, name, object);
          if (method) return method;
        }
        if (object.openSpread) return object.openSpread;
        if (name === 'hasOwnProperty') return { kind: 'builtin', name: 'hasOwnProperty', receiver: object };
        return UNDEFINED;
      }
      case 'array': {
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
        return unknown(`property '${name}' of a layer is not modelled`, scope.file.span(node));
      case 'model': {
        const own = object.model.props.get(name);
        if (own) return own;
        if (object.model.classValue) {
          const method = this.classMethod(object.model.classValue, name, object);
          if (method) return method;
        }
        if (name === 'add' || name === 'apply') return { kind: 'builtin', name: `model.${name}`, receiver: object };
        if (name === 'inputs') return { kind: 'array', items: object.model.inputs.map((tensor) => ({ kind: 'tensor', tensor })) };
        if (name === 'outputs') return { kind: 'array', items: object.model.outputs.map((tensor) => ({ kind: 'tensor', tensor })) };
        if (name === 'layers') {
          return {
            kind: 'array',
            items: object.model.items.map((item) =>
              'origin' in item.value ? { kind: 'layer', layer: item.value } : { kind: 'model', model: item.value },
            ),
          };
        }
        return { kind: 'builtin', name: 'ignored', receiver: object };
      }
      case 'tensor':
        return unknown(`property '${name}' of a symbolic tensor is not modelled`, scope.file.span(node));
      case 'unknown':
        return object;
      case 'function':
      case 'class':
        if (object.kind === 'class') {
          this.touch(object.node);
          const staticMember = object.node.members.find(
            (m) => ts.isPropertyDeclaration(m) && m.name.getText() === name && isStatic(m) && m.initializer,
          ) as ts.PropertyDeclaration | undefined;
          if (staticMember?.initializer) return this.evaluate(staticMember.initializer, object.scope);
        }
        return unknown(`property '${name}' of a function is not modelled`, scope.file.span(node));
    }
  }

  private classMethod(classValue: ClassValue, name: string, receiver: AbstractValue): FunctionValue | undefined {
    for (let current: ClassValue | undefined = classValue; current; current = this.userBaseClass(current)) {
      this.touch(current.node);
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
    return this.evaluate(expression, classValue.scope);
  }

  /** What a class is, by walking its `extends` chain: a model, a layer or a plain class. */
  classCategory(classValue: ClassValue): 'model' | 'layer' | 'plain' {
    let current: ClassValue = classValue;
    for (let depth = 0; depth < 8; depth++) {
      this.touch(current.node);
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

  // ---------------------------------------------------------------- assignments and operators

  assignTo(target: ts.Expression, value: AbstractValue, scope: Scope): void {
    if (ts.isParenthesizedExpression(target) || ts.isAsExpression(target) || ts.isNonNullExpression(target)) {
      this.assignTo(target.expression, value, scope);
      return;
    }
    if (ts.isIdentifier(target)) {
      if (scope.assign(target.text, value)) return;
      const topLevel = this.topLevelScopes.get(scope.file);
      if (topLevel?.assign(target.text, value)) return;
      (topLevel ?? this.moduleScope(scope.file)).vars.set(target.text, value);
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
      if (operator === K.QuestionQuestionToken) {
        if (left.kind === 'unknown') return left;
        return left.kind === 'primitive' && left.value == null ? this.evaluate(node.right, scope) : left;
      }
      const truth = truthiness(left);
      if (truth === undefined) return left.kind === 'unknown' ? left : unknown('condition not known statically', scope.file.span(node));
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

  // ---------------------------------------------------------------- calls

  private evaluateArguments(args: readonly ts.Expression[] | undefined, scope: Scope): AbstractValue[] {
    const values: AbstractValue[] = [];
    for (const arg of args ?? []) {
      if (ts.isSpreadElement(arg)) {
        const spread = this.evaluate(arg.expression, scope);
        if (spread.kind === 'array') values.push(...spread.items);
        else values.push(unknown('spread argument not known statically', scope.file.span(arg)));
      } else {
        values.push(this.evaluate(arg, scope));
      }
    }
    return values;
  }

  private evaluateCall(node: ts.CallExpression, scope: Scope): AbstractValue {
    if (node.expression.kind === K.ImportKeyword) {
      const specifier = node.arguments[0];
      if (specifier && ts.isStringLiteralLike(specifier)) return this.importValue(scope.file, specifier.text, '*', node);
      return unknown('dynamic import of a module not known statically', scope.file.span(node));
    }
    if (node.expression.kind === K.SuperKeyword) {
      this.evaluateArguments(node.arguments, scope);
      return UNDEFINED;
    }
    const callee = this.evaluate(node.expression, scope);
    const args = this.evaluateArguments(node.arguments, scope);
    switch (callee.kind) {
      case 'tfjs':
        return this.callTfjs(callee.path, args, node, scope, false);
      case 'library':
        return this.libraryLayer(callee.path, args, node, scope);
      case 'function':
        return this.invoke(callee, args, callee.thisValue, node, scope, true);
      case 'builtin':
        return this.callBuiltin(callee.name, callee.receiver, args, node, scope);
      case 'unknown': {
        // `someLayer.apply(x)` on a layer we cannot see: keep the data flow with a custom layer.
        if (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'apply' && args.some(isTensorLike)) {
          const target = node.expression.expression;
          const nameNode = ts.isCallExpression(target) || ts.isNewExpression(target) ? calleeName(target.expression) : target;
          const layer = this.makeLayer(clip(nameNode.getText(scope.file.sourceFile)), 'custom', undefined, target, nameNode, scope, callee);
          return this.applyLayer(layer, args[0], node, scope);
        }
        return unknown(callee.reason, scope.file.span(node));
      }
      default:
        return unknown(`\`${clip(node.expression.getText(scope.file.sourceFile))}\` is not callable statically`, scope.file.span(node));
    }
  }

  private evaluateNew(node: ts.NewExpression, scope: Scope): AbstractValue {
    const callee = this.evaluate(node.expression, scope);
    const args = this.evaluateArguments(node.arguments, scope);
    if (callee.kind === 'tfjs') return this.callTfjs(callee.path, args, node, scope, true);
    if (callee.kind === 'library') return this.libraryLayer(callee.path, args, node, scope);
    if (callee.kind === 'builtin' && callee.name === 'Array') {
      const length = args[0];
      if (args.length === 1 && length?.kind === 'primitive' && typeof length.value === 'number' && length.value <= MAX_UNROLLED_ITERATIONS) {
        return { kind: 'array', items: Array.from({ length: length.value }, () => UNDEFINED) };
      }
      return { kind: 'array', items: args };
    }
    if (callee.kind === 'class') return this.instantiate(callee, args, node, scope);
    const name = ts.isIdentifier(node.expression) || ts.isPropertyAccessExpression(node.expression)
      ? calleeName(node.expression).getText(scope.file.sourceFile)
      : clip(node.expression.getText(scope.file.sourceFile));
    if (BUILTIN_CLASSES.has(name)) return unknown(`\`new ${name}\` is not modelled`, scope.file.span(node));
    return { kind: 'layer', layer: this.makeLayer(name, 'custom', args[0], node, calleeName(node.expression), scope) };
  }

  instantiate(classValue: ClassValue, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const category = this.classCategory(classValue);
    if (category === 'layer') {
      const nameNode = ts.isNewExpression(node) ? calleeName(node.expression) : node;
      return { kind: 'layer', layer: this.makeLayer(classValue.name, 'custom', args[0], node, nameNode, scope) };
    }
    if (category === 'model') {
      const model = this.createModel('subclass', node, scope);
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
    this.touch(classValue.node);
    const base = this.userBaseClass(classValue);
    const ctor = classValue.node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    if (base && !ctor) this.construct(base, args, thisValue, node, scope);
    const classScope = new Scope(classValue.scope, classValue.file, thisValue);
    for (const member of classValue.node.members) {
      if (ts.isPropertyDeclaration(member) && member.initializer && !isStatic(member)) {
        const key = this.propertyKey(member.name, classScope);
        if (key !== undefined) this.assignProperty(thisValue, key, this.evaluate(member.initializer, classScope));
      }
    }
    if (ctor) {
      this.invoke({ kind: 'function', node: ctor, scope: classValue.scope, file: classValue.file }, args, thisValue, node, scope, true);
    }
  }

  private assignProperty(target: AbstractValue, key: string, value: AbstractValue): void {
    if (target.kind === 'object') target.props.set(key, value);
    else if (target.kind === 'model') target.model.props.set(key, value);
  }

  /** Calls a user function: binds parameters (defaults for missing ones), runs the body. */
  invoke(fn: FunctionValue, args: AbstractValue[], thisValue: AbstractValue | undefined, callNode: ts.Node, callerScope: Scope, pushCallSite: boolean): AbstractValue {
    const node = fn.node;
    this.touch(node);
    if (!node.body) return unknown('function without a body', callerScope.file.span(callNode));
    const active = this.activeCalls.get(node) ?? 0;
    if (this.callStack.length >= MAX_CALL_DEPTH || active >= MAX_SAME_FUNCTION_ACTIVE) {
      this.gap('call depth limit reached: deeper calls are not analysed', callerScope.file.span(callNode));
      return unknown('call depth limit reached', callerScope.file.span(callNode));
    }
    const isArrow = ts.isArrowFunction(node);
    const scope = new Scope(fn.scope, fn.file, isArrow ? undefined : (thisValue ?? fn.thisValue ?? unknown('`this` is not known here')));
    // Constructors of subclass models see `super(...)` handled in evaluateCall.
    node.parameters.forEach((parameter, index) => {
      let value: AbstractValue | undefined;
      if (parameter.dotDotDotToken) value = { kind: 'array', items: args.slice(index) };
      else value = args[index];
      if ((value === undefined || isUndefined(value)) && parameter.initializer) value = this.evaluate(parameter.initializer, scope);
      if (value === undefined) {
        value = unknown(`parameter '${parameter.name.getText(fn.file.sourceFile)}' has no value known statically`, fn.file.span(parameter.name));
      }
      this.bindPattern(parameter.name, value, scope, scope);
      // `constructor(private readonly units: number)` also sets this.units.
      if (ts.isConstructorDeclaration(node) && ts.isIdentifier(parameter.name) && ts.canHaveModifiers(parameter) && ts.getModifiers(parameter)?.length && thisValue) {
        this.assignProperty(thisValue, parameter.name.text, value);
      }
    });
    if (pushCallSite) this.callStack = [...this.callStack, callerScope.file.span(callNode)];
    this.activeCalls.set(node, active + 1);
    try {
      if (!ts.isBlock(node.body)) return this.evaluate(node.body, scope);
      const completion = this.runStatements(node.body.statements, scope);
      if (completion.type === 'return') return completion.value;
      if (completion.type === 'throw') return unknown('the function throws', fn.file.span(node));
      return UNDEFINED;
    } finally {
      this.activeCalls.set(node, active);
      if (pushCallSite) this.callStack = this.callStack.slice(0, -1);
    }
  }

  /** Calls a callback (map/forEach/Array.from): its layers count as the caller's own. */
  private callCallback(callback: AbstractValue | undefined, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    if (!callback) return unknown('missing callback', scope.file.span(node));
    if (callback.kind === 'function') return this.invoke(callback, args, callback.thisValue, node, scope, false);
    if (callback.kind === 'builtin') return this.callBuiltin(callback.name, callback.receiver, args, node, scope);
    if (callback.kind === 'tfjs' && (ts.isCallExpression(node) || ts.isNewExpression(node))) {
      return this.callTfjs(callback.path, args, node, scope, false);
    }
    return unknown('callback not known statically', scope.file.span(node));
  }

  private callBuiltin(name: string, receiver: AbstractValue | undefined, args: AbstractValue[], node: ts.CallExpression | ts.Node, scope: Scope): AbstractValue {
    const span = () => scope.file.span(node);
    const numbers = args.map((a) => (a.kind === 'primitive' && typeof a.value === 'number' ? a.value : undefined));
    const allNumbers = numbers.every((n) => n !== undefined) ? (numbers as number[]) : undefined;
    if (name.startsWith('Math.')) {
      const fn = MATH_FUNCTIONS.get(name.slice(5));
      if (!fn) return unknown(`${name} is not modelled`, span());
      if (!allNumbers) return args.find((a) => a.kind === 'unknown') ?? unknown(`${name} of values not known statically`, span());
      return primitive(fn(...allNumbers));
    }
    switch (name) {
      case 'require': {
        const specifier = args[0];
        if (specifier?.kind === 'primitive' && typeof specifier.value === 'string') return this.importValue(scope.file, specifier.value, '*', node);
        return unknown('require of a module not known statically', span());
      }
      case 'Number':
      case 'parseInt':
      case 'parseFloat': {
        const v = args[0];
        if (v?.kind === 'primitive') return primitive(name === 'parseInt' ? parseInt(String(v.value), 10) : Number(v.value));
        return v?.kind === 'unknown' ? v : unknown(`${name} of a value not known statically`, span());
      }
      case 'String': {
        const v = args[0];
        return v?.kind === 'primitive' ? primitive(String(v.value)) : unknown('String of a value not known statically', span());
      }
      case 'Array.isArray':
        return args[0]?.kind === 'unknown' ? args[0] : primitive(args[0]?.kind === 'array');
      case 'Array.from':
        return this.arrayFrom(args, node, scope);
      case 'Array.of':
        return { kind: 'array', items: args };
      case 'Object.assign': {
        const target = args[0];
        if (target?.kind !== 'object') return unknown('Object.assign to a value not known statically', span());
        for (const source of args.slice(1)) {
          if (source.kind === 'object') for (const [k, v] of source.props) target.props.set(k, v);
          else if (source.kind === 'unknown') target.openSpread = source;
        }
        return target;
      }
      case 'Object.keys':
      case 'Object.values':
      case 'Object.entries': {
        const source = args[0];
        if (source?.kind !== 'object' || source.openSpread) return unknown(`${name} of a value not known statically`, span());
        const entries = [...source.props];
        return {
          kind: 'array',
          items: entries.map(([k, v]): AbstractValue =>
            name === 'Object.keys' ? primitive(k) : name === 'Object.values' ? v : { kind: 'array', items: [primitive(k), v] },
          ),
        };
      }
      case 'layer.apply':
        return this.applyLayer((receiver as { layer: LayerInstance }).layer, args[0], node, scope);
      case 'model.add':
        return this.modelAdd(receiver as { kind: 'model'; model: ModelUnderConstruction }, args[0], node, scope);
      case 'model.apply':
        return this.modelApply((receiver as { kind: 'model'; model: ModelUnderConstruction }).model, args[0], node, scope);
      case 'ignored':
        return unknown('call not modelled', span());
    }
    if (name.startsWith('array.') && receiver?.kind === 'array') return this.arrayMethod(name.slice(6), receiver, args, node, scope);
    if (name.startsWith('string.') && receiver?.kind === 'primitive') {
      const method = (String.prototype as unknown as Record<string, unknown>)[name.slice(7)];
      if (typeof method === 'function' && args.every((a) => a.kind === 'primitive')) {
        try {
          const result: unknown = method.apply(receiver.value, args.map((a) => (a as { value: unknown }).value));
          if (result === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof result)) {
            return primitive(result as string);
          }
          if (Array.isArray(result)) return { kind: 'array', items: result.map((r) => primitive(r as string)) };
        } catch {
          // fall through to unknown
        }
      }
    }
    return unknown(`\`${name}\` is not modelled`, span());
  }

  private arrayFrom(args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const source = args[0];
    let items: AbstractValue[];
    if (source?.kind === 'array') items = [...source.items];
    else if (source?.kind === 'object') {
      const length = source.props.get('length');
      if (length?.kind !== 'primitive' || typeof length.value !== 'number') {
        return unknown(length?.kind === 'unknown' ? length.reason : 'Array.from length not known statically', scope.file.span(node));
      }
      if (length.value > MAX_UNROLLED_ITERATIONS) return unknown('Array.from length too large', scope.file.span(node));
      items = Array.from({ length: length.value }, () => UNDEFINED);
    } else return unknown('Array.from of a value not known statically', scope.file.span(node));
    const mapper = args[1];
    if (!mapper) return { kind: 'array', items };
    return { kind: 'array', items: items.map((item, i) => this.callCallback(mapper, [item, primitive(i)], node, scope)) };
  }

  private arrayMethod(method: string, array: ArrayValue, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const span = scope.file.span(node);
    switch (method) {
      case 'map':
        return { kind: 'array', items: array.items.map((item, i) => this.callCallback(args[0], [item, primitive(i), array], node, scope)) };
      case 'forEach':
        array.items.forEach((item, i) => this.callCallback(args[0], [item, primitive(i), array], node, scope));
        return UNDEFINED;
      case 'filter': {
        const kept: AbstractValue[] = [];
        for (const [i, item] of array.items.entries()) {
          const keep = truthiness(this.callCallback(args[0], [item, primitive(i), array], node, scope));
          if (keep === undefined) return unknown('filter condition not known statically', span);
          if (keep) kept.push(item);
        }
        return { kind: 'array', items: kept };
      }
      case 'reduce': {
        let accumulator = args.length > 1 ? args[1] : array.items[0];
        const start = args.length > 1 ? 0 : 1;
        if (accumulator === undefined) return unknown('reduce of an empty array', span);
        for (let i = start; i < array.items.length; i++) {
          accumulator = this.callCallback(args[0], [accumulator, array.items[i], primitive(i), array], node, scope);
        }
        return accumulator;
      }
      case 'push':
        array.items.push(...args);
        return primitive(array.items.length);
      case 'unshift':
        array.items.unshift(...args);
        return primitive(array.items.length);
      case 'pop':
        return array.items.pop() ?? UNDEFINED;
      case 'shift':
        return array.items.shift() ?? UNDEFINED;
      case 'concat': {
        const items = [...array.items];
        for (const arg of args) {
          if (arg.kind === 'array') items.push(...arg.items);
          else items.push(arg);
        }
        return { kind: 'array', items };
      }
      case 'slice': {
        const [from, to] = args.map((a) => (a.kind === 'primitive' ? (a.value as number) : undefined));
        return { kind: 'array', items: array.items.slice(from, to) };
      }
      case 'reverse':
        array.items.reverse();
        return array;
      case 'fill': {
        const value = args[0] ?? UNDEFINED;
        array.items.fill(value);
        return array;
      }
      case 'flat': {
        const items: AbstractValue[] = [];
        for (const item of array.items) {
          if (item.kind === 'array') items.push(...item.items);
          else items.push(item);
        }
        return { kind: 'array', items };
      }
      case 'includes':
      case 'indexOf': {
        const target = args[0];
        if (target?.kind !== 'primitive') return unknown(`${method} of a value not known statically`, span);
        const index = array.items.findIndex((item) => item.kind === 'primitive' && item.value === target.value);
        if (index < 0 && array.items.some((item) => item.kind !== 'primitive')) return unknown(`${method} over values not known statically`, span);
        return primitive(method === 'includes' ? index >= 0 : index);
      }
      case 'join': {
        if (!array.items.every((item) => item.kind === 'primitive')) return unknown('join of values not known statically', span);
        const separator = args[0]?.kind === 'primitive' ? String(args[0].value) : ',';
        return primitive(array.items.map((item) => String((item as { value: unknown }).value ?? '')).join(separator));
      }
      case 'keys':
        return { kind: 'array', items: array.items.map((_, i) => primitive(i)) };
      case 'entries':
        return { kind: 'array', items: array.items.map((item, i) => ({ kind: 'array', items: [primitive(i), item] })) };
      default:
        return unknown(`array method '${method}' is not modelled`, span);
    }
  }

  // ---------------------------------------------------------------- tfjs and the library

  private callTfjs(path: string[], args: AbstractValue[], node: ts.CallExpression | ts.NewExpression, scope: Scope, isNew: boolean): AbstractValue {
    const [head, second] = path;
    if (path.length === 1 && (head === 'sequential' || (head === 'Sequential' && isNew))) {
      const model = this.createModel('sequential', node, scope);
      const config = args[0];
      if (config?.kind === 'object') {
        const layers = config.props.get('layers');
        if (layers?.kind === 'array') for (const item of layers.items) this.addToModel(model, item, node, scope);
        else if (layers && layers.kind !== 'primitive') this.addToModel(model, layers, node, scope);
      }
      return { kind: 'model', model };
    }
    if (path.length === 1 && (head === 'model' || (head === 'LayersModel' && isNew))) {
      const model = this.createModel('functional', node, scope);
      const config = args[0];
      const tensorsOf = (value: AbstractValue | undefined): SymbolicTensor[] => {
        if (!value) return [];
        if (value.kind === 'tensor') return [value.tensor];
        if (value.kind === 'array') return value.items.flatMap((item) => tensorsOf(item));
        return [];
      };
      if (config?.kind === 'object') {
        model.inputs = tensorsOf(config.props.get('inputs'));
        model.outputs = tensorsOf(config.props.get('outputs'));
      }
      if (model.outputs.length === 0) this.gap('the model outputs are not known statically', scope.file.span(node));
      return { kind: 'model', model };
    }
    if ((path.length === 1 && head === 'input') || (path.length === 2 && head === 'layers' && second === 'input')) {
      const config = args[0];
      const declaredInput: SymbolicTensor['declaredInput'] = { span: scope.file.span(node) };
      if (config?.kind === 'object') {
        const shape = config.props.get('shape');
        const batchShape = config.props.get('batchShape');
        if (shape?.kind === 'array') declaredInput.shape = shapeOf(shape);
        else if (batchShape?.kind === 'array') declaredInput.shape = shapeOf(batchShape).slice(1);
        const dtype = config.props.get('dtype');
        if (dtype?.kind === 'primitive' && typeof dtype.value === 'string') declaredInput.dtype = dtype.value;
      }
      return { kind: 'tensor', tensor: { id: this.tensorIds++, declaredInput } };
    }
    if (path.length === 2 && head === 'layers' && second !== 'Layer') {
      const layer = this.makeLayer(second, 'tfjs', args[0], node, calleeName(node.expression), scope);
      return { kind: 'layer', layer };
    }
    if (path.length === 1 && head === 'Sequential') {
      return { kind: 'model', model: this.createModel('sequential', node, scope) };
    }
    return unknown(`tf.${path.join('.')} is not modelled`, scope.file.span(node));
  }

  private libraryLayer(path: string[], args: AbstractValue[], node: ts.CallExpression | ts.NewExpression, scope: Scope): AbstractValue {
    const name = path[path.length - 1] ?? 'library';
    const origin: LayerOrigin = path.length === 1 && LIBRARY_LAYER_CLASSES.has(name) ? 'library' : 'custom';
    return { kind: 'layer', layer: this.makeLayer(name, origin, args[0], node, calleeName(node.expression), scope) };
  }

  createModel(construction: ModelUnderConstruction['construction'], node: ts.Node, scope: Scope): ModelUnderConstruction {
    const model: ModelUnderConstruction = {
      construction,
      creationSpan: scope.file.span(node),
      creationNode: node,
      items: [],
      inputs: [],
      outputs: [],
      props: new Map(),
    };
    if (this.creationSiteUnits.get(node) === this.unit.unitNode && !this.unit.directModels.includes(model)) {
      this.unit.directModels.push(model);
    }
    return model;
  }

  makeLayer(kind: string, origin: LayerOrigin, configArg: AbstractValue | undefined, node: ts.Node, nameNode: ts.Node, scope: Scope, unknownCallee?: AbstractValue): LayerInstance {
    let config: LayerConfig;
    let rawConfig: ObjectValue | undefined;
    let inner: LayerInstance | undefined;
    if (unknownCallee?.kind === 'unknown') {
      config = { values: {}, openSpread: new NotConstant(unknownCallee.reason, unknownCallee.span) };
    } else if (!configArg || isUndefined(configArg)) {
      config = { values: {} };
    } else if (configArg.kind === 'object') {
      rawConfig = configArg;
      const values: Record<string, ConstValue> = {};
      for (const [key, value] of configArg.props) {
        if ((kind === 'bidirectional' || kind === 'timeDistributed' || key === 'layer') && value.kind === 'layer' && key === 'layer') {
          inner = value.layer;
          continue;
        }
        const constant = toConstValue(value);
        if (constant !== undefined) values[key] = constant;
      }
      config = { values };
      if (configArg.openSpread) config.openSpread = new NotConstant(configArg.openSpread.reason, configArg.openSpread.span);
    } else {
      const reason = configArg.kind === 'unknown' ? configArg.reason : 'the configuration is not an object literal';
      const argNode = (ts.isCallExpression(node) || ts.isNewExpression(node)) ? node.arguments?.[0] : undefined;
      config = { values: {}, openSpread: new NotConstant(reason, argNode ? scope.file.span(argNode) : configArg.kind === 'unknown' ? configArg.span : undefined) };
    }
    return {
      kind,
      origin,
      config,
      rawConfig,
      inner,
      span: scope.file.span(node),
      nameSpan: scope.file.span(nameNode),
      callStack: [...this.callStack],
    };
  }

  private addToModel(model: ModelUnderConstruction, value: AbstractValue, node: ts.Node, scope: Scope): void {
    this.layerEvents++;
    if (value.kind === 'layer') model.items.push({ value: value.layer });
    else if (value.kind === 'model') model.items.push({ value: value.model });
    else {
      const argNode = ts.isCallExpression(node) ? node.arguments[0] : undefined;
      const kindNode = argNode && ts.isCallExpression(argNode) ? calleeName(argNode.expression) : argNode ?? node;
      const reason = value.kind === 'unknown' ? value.reason : 'the added value is not a layer known statically';
      const layer = this.makeLayer(clip(kindNode.getText(scope.file.sourceFile)), 'custom', undefined, argNode ?? node, kindNode, scope, unknown(reason, value.kind === 'unknown' ? value.span : undefined));
      model.items.push({ value: layer });
    }
  }

  private modelAdd(receiver: { model: ModelUnderConstruction }, value: AbstractValue | undefined, node: ts.Node, scope: Scope): AbstractValue {
    this.addToModel(receiver.model, value ?? UNDEFINED, node, scope);
    return UNDEFINED;
  }

  private inputTensors(value: AbstractValue | undefined, node: ts.Node, scope: Scope): SymbolicTensor[] {
    if (value?.kind === 'tensor') return [value.tensor];
    if (value?.kind === 'array' && value.items.length > 0 && value.items.every((item) => item.kind === 'tensor')) {
      return value.items.map((item) => (item as { tensor: SymbolicTensor }).tensor);
    }
    this.gap(`the input of \`${clip(node.getText(scope.file.sourceFile))}\` is not a symbolic tensor known statically`, scope.file.span(node));
    return [{ id: this.tensorIds++, declaredInput: undefined }];
  }

  applyLayer(layer: LayerInstance, arg: AbstractValue | undefined, node: ts.Node, scope: Scope): AbstractValue {
    this.layerEvents++;
    const inputs = this.inputTensors(arg, node, scope);
    const output: SymbolicTensor = { id: this.tensorIds++ };
    output.producer = { seq: this.applicationSeq++, layer, inputs, output };
    const states = returnedStateCount(layer);
    if (states > 0) {
      // `returnState: true` makes apply return [output, ...states]. The states come from the
      // same recurrence as the output, so for symmetry they stand for the same node; giving
      // them their own tensors would need layers with several outputs in the graph.
      const tensor: AbstractValue = { kind: 'tensor', tensor: output };
      return { kind: 'array', items: Array.from({ length: states + 1 }, () => tensor) };
    }
    return { kind: 'tensor', tensor: output };
  }

  /** `otherModel.apply(x)`: replays the model's layers on x in the caller's tensor space. */
  private modelApply(model: ModelUnderConstruction, arg: AbstractValue | undefined, node: ts.Node, scope: Scope): AbstractValue {
    const inputs = this.inputTensors(arg, node, scope);
    const outputs = this.replayModel(model, inputs, node, scope, 0);
    if (outputs.length === 1) return { kind: 'tensor', tensor: outputs[0] };
    return { kind: 'array', items: outputs.map((tensor) => ({ kind: 'tensor', tensor })) };
  }

  private replayModel(model: ModelUnderConstruction, inputs: SymbolicTensor[], node: ts.Node, scope: Scope, depth: number): SymbolicTensor[] {
    if (depth > 8) return inputs;
    if (model.construction !== 'functional') {
      let current = inputs[0];
      for (const item of model.items) {
        if ('origin' in item.value) {
          if (item.value.kind === 'inputLayer') continue;
          const result = this.applyLayer(item.value, { kind: 'tensor', tensor: current }, node, scope);
          current = (result as { tensor: SymbolicTensor }).tensor;
        } else {
          current = this.replayModel(item.value, [current], node, scope, depth + 1)[0] ?? current;
        }
      }
      return [current];
    }
    const mapping = new Map<SymbolicTensor, SymbolicTensor>();
    model.inputs.forEach((tensor, i) => mapping.set(tensor, inputs[i] ?? tensor));
    for (const application of reachableApplications(model.outputs)) {
      const mappedInputs = application.inputs.map((t) => mapping.get(t) ?? t);
      this.layerEvents++;
      const output: SymbolicTensor = { id: this.tensorIds++ };
      output.producer = { seq: this.applicationSeq++, layer: application.layer, inputs: mappedInputs, output };
      mapping.set(application.output, output);
    }
    return model.outputs.map((t) => mapping.get(t) ?? t);
  }
}

const STATE_COUNTS: Record<string, number> = { lstm: 2, gru: 1, simpleRNN: 1, convLstm2d: 2, rnn: 1 };

/** How many state tensors `apply` returns besides the output (0 unless `returnState: true`). */
function returnedStateCount(layer: LayerInstance): number {
  const recurrent = layer.kind === 'bidirectional' ? layer.inner : layer;
  if (!recurrent || (layer.config.values.returnState !== true && recurrent.config.values.returnState !== true)) return 0;
  const perDirection = STATE_COUNTS[recurrent.kind] ?? 1;
  return layer.kind === 'bidirectional' ? perDirection * 2 : perDirection;
}

/** The layer applications an output depends on, in creation (topological) order. */
export function reachableApplications(outputs: SymbolicTensor[]) {
  const seen = new Set<SymbolicTensor>();
  const applications: NonNullable<SymbolicTensor['producer']>[] = [];
  const stack = [...outputs];
  while (stack.length > 0) {
    const tensor = stack.pop()!;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    if (tensor.producer) {
      applications.push(tensor.producer);
      stack.push(...tensor.producer.inputs);
    }
  }
  return applications.sort((a, b) => a.seq - b.seq);
}

type PrimitiveResult = number | string | boolean;

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

const MATH_FUNCTIONS = new Map<string, (...args: number[]) => number>([
  ['floor', Math.floor],
  ['ceil', Math.ceil],
  ['round', Math.round],
  ['max', Math.max],
  ['min', Math.min],
  ['pow', Math.pow],
  ['sqrt', Math.sqrt],
  ['abs', Math.abs],
  ['trunc', Math.trunc],
  ['sign', Math.sign],
  ['log', Math.log],
  ['log2', Math.log2],
  ['exp', Math.exp],
]);

/** Source text that looks like it adds or applies layers (for branches that are not run). */
const BUILDS_LAYERS = /\.(add|apply)\s*\(|layers\s*\.|\bnew\s+[A-Z]/;

/** Classes of the JS runtime whose instances are never layers. */
const BUILTIN_CLASSES = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Error', 'TypeError', 'RangeError', 'Date', 'Promise', 'RegExp', 'Float32Array', 'Int32Array', 'Uint8Array', 'Object', 'Function']);

function isUndefined(value: AbstractValue): boolean {
  return value.kind === 'primitive' && value.value === undefined;
}

function isTensorLike(value: AbstractValue): boolean {
  return value.kind === 'tensor' || (value.kind === 'array' && value.items.some((item) => item.kind === 'tensor'));
}

function isStatic(member: ts.ClassElement): boolean {
  return ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === K.StaticKeyword);
}

/** JS truthiness, or undefined when the value is not known statically. */
export function truthiness(value: AbstractValue): boolean | undefined {
  switch (value.kind) {
    case 'unknown':
      return undefined;
    case 'primitive':
      return Boolean(value.value);
    default:
      return true;
  }
}

function identical(a: AbstractValue, b: AbstractValue): boolean | undefined {
  if (a.kind === 'primitive' && b.kind === 'primitive') return a.value === b.value;
  if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
  if (a.kind === 'primitive' || b.kind === 'primitive') return false;
  if (a.kind === 'layer' && b.kind === 'layer') return a.layer === b.layer;
  if (a.kind === 'model' && b.kind === 'model') return a.model === b.model;
  if (a.kind === 'tensor' && b.kind === 'tensor') return a.tensor === b.tensor;
  return a === b ? true : undefined;
}

/** The identifier naming the factory or class of a call (`conv2d` in `tf.layers.conv2d`). */
export function calleeName(expression: ts.Expression): ts.Node {
  let current: ts.Expression = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
  if (ts.isPropertyAccessExpression(current)) return current.name;
  if (ts.isElementAccessExpression(current)) return current.argumentExpression;
  return current;
}

function classNameFromContext(node: ts.ClassExpression): string {
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return 'AnonymousClass';
}

function shapeOf(array: ArrayValue): (number | null)[] {
  return array.items.map((item) => (item.kind === 'primitive' && typeof item.value === 'number' ? item.value : null));
}

export function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? oneLine.slice(0, 57) + '...' : oneLine;
}

/** An abstract value as a configuration constant; undefined for `undefined` (key absent). */
export function toConstValue(value: AbstractValue, depth = 0): ConstValue | undefined {
  if (depth > 16) return new NotConstant('value nested too deeply');
  switch (value.kind) {
    case 'primitive':
      return value.value === undefined ? undefined : value.value;
    case 'unknown':
      return new NotConstant(value.reason, value.span);
    case 'array':
      return value.items.map((item) => toConstValue(item, depth + 1) ?? null);
    case 'object': {
      if (value.openSpread) return new NotConstant(value.openSpread.reason, value.openSpread.span);
      const record: { [key: string]: ConstValue } = {};
      for (const [key, item] of value.props) {
        const constant = toConstValue(item, depth + 1);
        if (constant !== undefined) record[key] = constant;
      }
      return record;
    }
    case 'tfjs':
      return new NotConstant(`tf.${value.path.join('.')} is not a constant`);
    case 'function':
      return new NotConstant('a function is not a constant');
    case 'layer':
      return new NotConstant(`a ${value.layer.kind} layer is not a constant`);
    default:
      return new NotConstant(`a ${value.kind} value is not a constant`);
  }
}
