// Per-file static facts for the interpreter: the file's top-level bindings (imports, consts,
// functions, classes) and exports, indexed lazily, plus the cache of evaluated module values.
import { ts } from 'ts-morph';
import type { SourceSpan } from '../graph';
import { loadsTfjsOnEveryPath } from './moduleBindings';
import type { AbstractValue } from './values';

export type TopLevelBinding =
  | { kind: 'import'; specifier: string; imported: string | '*' | 'default'; node: ts.Node }
  | { kind: 'variable'; declaration: ts.VariableDeclaration }
  | { kind: 'function'; node: ts.FunctionDeclaration }
  | { kind: 'class'; node: ts.ClassDeclaration }
  | { kind: 'enum'; node: ts.EnumDeclaration };

export type ExportTarget =
  | { kind: 'local'; name: string }
  | { kind: 'expression'; node: ts.Expression }
  | { kind: 'reexport'; specifier: string; imported: string };

export class FileContext {
  readonly fileName: string;
  private bindingIndex?: Map<string, TopLevelBinding>;
  private exportIndex?: Map<string, ExportTarget>;
  private starReexports: string[] = [];
  /** Evaluated module-level bindings; `evaluating` guards cyclic initialisers. */
  readonly valueCache = new Map<string, AbstractValue>();
  readonly evaluating = new Set<string>();
  private readonly tfjsParameterCache = new Map<ts.Node, ReadonlySet<string>>();
  private namesTfjs?: boolean;
  private tfjsAssigned?: ReadonlySet<string>;

  constructor(readonly sourceFile: ts.SourceFile) {
    this.fileName = sourceFile.fileName;
  }

  span(node: ts.Node): SourceSpan {
    return { file: this.fileName, start: node.getStart(this.sourceFile), end: node.getEnd() };
  }

  binding(name: string): TopLevelBinding | undefined {
    if (!this.bindingIndex) this.index();
    return this.bindingIndex!.get(name);
  }

  exported(name: string): ExportTarget | undefined {
    if (!this.exportIndex) this.index();
    return this.exportIndex!.get(name);
  }

  /**
   * The parameters of `fn` its body uses as the tfjs namespace, for builders that receive tfjs
   * (`function build(tf, options) { const m = tf.sequential(); ... }`), which run as units of
   * their own with no argument. See `tfjsParameterNames` for what counts as such a use.
   */
  tfjsParameters(fn: ts.FunctionLikeDeclaration): ReadonlySet<string> {
    let names = this.tfjsParameterCache.get(fn);
    if (!names) {
      this.namesTfjs ??= importsTfjs(this.sourceFile);
      names = tfjsParameterNames(fn, this.namesTfjs || NAMES_TFJS.test(fn.getText(this.sourceFile)));
      this.tfjsParameterCache.set(fn, names);
    }
    return names;
  }

  /**
   * Whether the top-level statements assign `name` only tfjs loads, as in `let tf; try { tf =
   * require('@tensorflow/tfjs-node-gpu') } catch { tf = require('@tensorflow/tfjs') }`: a
   * function reading the module's `tf` sees tfjs, though the declaration has no initialiser.
   */
  assignsOnlyTfjs(name: string): boolean {
    this.tfjsAssigned ??= namesAssignedOnlyTfjs(this.sourceFile);
    return this.tfjsAssigned.has(name);
  }

  starReexportSpecifiers(): string[] {
    if (!this.exportIndex) this.index();
    return this.starReexports;
  }

  private index(): void {
    const bindings = new Map<string, TopLevelBinding>();
    const exports = new Map<string, ExportTarget>();
    const previous = lastIndexed?.fileName === this.fileName ? lastIndexed.byStatement : undefined;
    const byStatement = new Map<ts.Statement, readonly StatementEntry[]>();
    for (const statement of this.sourceFile.statements) {
      const entries = previous?.get(statement) ?? statementEntries(statement, this.sourceFile);
      byStatement.set(statement, entries);
      for (const entry of entries) {
        if (entry.kind === 'binding') {
          if (!entry.firstWins || !bindings.has(entry.name)) bindings.set(entry.name, entry.binding);
        } else if (entry.kind === 'export') {
          exports.set(entry.name, entry.target);
        } else {
          this.starReexports.push(entry.specifier);
        }
      }
    }
    this.bindingIndex = bindings;
    this.exportIndex = exports;
    lastIndexed = { fileName: this.fileName, byStatement };
  }
}

/** What one top-level statement adds to its file's bindings and exports, in order. */
type StatementEntry =
  | { kind: 'binding'; name: string; binding: TopLevelBinding; firstWins: boolean }
  | { kind: 'export'; name: string; target: ExportTarget }
  | { kind: 'starReexport'; specifier: string };

/**
 * The statements' entries of the file indexed last, by statement node: the incremental parser
 * hands back the same node for a statement an edit did not touch, so on each keystroke only the
 * edited statement is read again (indexing every statement of a 3,000-line file was a tenth of
 * an edit's work). The entries depend on the statement's own text only. One slot, replaced on
 * each index, rather than a WeakMap by node: V8's scavenges keep the entries of an old WeakMap
 * whose keys are new nodes, so every edit's entries, and the edited text their names are cut
 * from, were promoted and stayed until a full collection (the server's resident set grew by
 * about 50 MB over 300 edits).
 */
let lastIndexed: { fileName: string; byStatement: Map<ts.Statement, readonly StatementEntry[]> } | undefined;

function statementEntries(statement: ts.Statement, sourceFile: ts.SourceFile): StatementEntry[] {
  const entries: StatementEntry[] = [];
  const bind = (name: string, binding: TopLevelBinding, firstWins = false) => entries.push({ kind: 'binding', name, binding, firstWins });
  const exportAs = (name: string, target: ExportTarget) => entries.push({ kind: 'export', name, target });
  const hasExport = (node: ts.Node) =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const hasDefault = (node: ts.Node) =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);

  if (ts.isImportDeclaration(statement)) {
    if (!ts.isStringLiteral(statement.moduleSpecifier)) return entries;
    const specifier = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (!clause) return entries;
    if (clause.name) {
      bind(clause.name.text, { kind: 'import', specifier, imported: 'default', node: clause.name });
    }
    const named = clause.namedBindings;
    if (named && ts.isNamespaceImport(named)) {
      bind(named.name.text, { kind: 'import', specifier, imported: '*', node: named.name });
    } else if (named && ts.isNamedImports(named)) {
      for (const element of named.elements) {
        const imported = (element.propertyName ?? element.name).text;
        bind(element.name.text, { kind: 'import', specifier, imported, node: element.name });
      }
    }
  } else if (ts.isImportEqualsDeclaration(statement)) {
    const ref = statement.moduleReference;
    if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) {
      bind(statement.name.text, {
        kind: 'import',
        specifier: ref.expression.text,
        imported: '*',
        node: statement.name,
      });
    }
  } else if (ts.isVariableStatement(statement)) {
    // `declare const tf: any` only describes a global; it binds nothing.
    if ((ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return entries;
    const exported = hasExport(statement);
    for (const declaration of statement.declarationList.declarations) {
      for (const name of boundNames(declaration.name)) {
        bind(name, { kind: 'variable', declaration });
        if (exported) exportAs(name, { kind: 'local', name });
      }
    }
  } else if (ts.isFunctionDeclaration(statement)) {
    const name = statement.name?.text;
    if (name) bind(name, { kind: 'function', node: statement }, true);
    if (hasExport(statement)) {
      if (hasDefault(statement)) exportAs('default', name ? { kind: 'local', name } : { kind: 'expression', node: statement as unknown as ts.Expression });
      else if (name) exportAs(name, { kind: 'local', name });
    }
  } else if (ts.isClassDeclaration(statement)) {
    const name = statement.name?.text;
    if (name) bind(name, { kind: 'class', node: statement });
    if (hasExport(statement)) {
      if (hasDefault(statement)) exportAs('default', name ? { kind: 'local', name } : { kind: 'expression', node: statement as unknown as ts.Expression });
      else if (name) exportAs(name, { kind: 'local', name });
    }
  } else if (ts.isEnumDeclaration(statement)) {
    bind(statement.name.text, { kind: 'enum', node: statement });
    if (hasExport(statement)) exportAs(statement.name.text, { kind: 'local', name: statement.name.text });
  } else if (ts.isExportAssignment(statement)) {
    exportAs('default', { kind: 'expression', node: statement.expression });
  } else if (ts.isExportDeclaration(statement)) {
    const from =
      statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    const clause = statement.exportClause;
    if (!clause) {
      if (from) entries.push({ kind: 'starReexport', specifier: from });
    } else if (ts.isNamedExports(clause)) {
      for (const element of clause.elements) {
        const local = (element.propertyName ?? element.name).text;
        exportAs(
          element.name.text,
          from ? { kind: 'reexport', specifier: from, imported: local } : { kind: 'local', name: local },
        );
      }
    } else if (ts.isNamespaceExport(clause) && from) {
      exportAs(clause.name.text, { kind: 'reexport', specifier: from, imported: '*' });
    }
  } else if (ts.isExpressionStatement(statement)) {
    // CommonJS: `module.exports = {...}`, `module.exports.build = ...`, `exports.build = ...`.
    const expr = statement.expression;
    if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = expr.left.getText(sourceFile);
      if (target === 'module.exports') {
        exportAs('module.exports', { kind: 'expression', node: expr.right });
      } else {
        const match = /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)$/.exec(target);
        if (match) exportAs(match[1], { kind: 'expression', node: expr.right });
      }
    }
  }
  return entries;
}

/** The identifiers a binding name introduces (`a`, `{a, b: c}`, `[x, ...rest]`). */
export function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const names: string[] = [];
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue;
    names.push(...boundNames(element.name));
  }
  return names;
}

const NO_NAMES: ReadonlySet<string> = new Set();

const NAMES_TFJS = /@tensorflow\/tfjs|\btfjs\b/i;

/**
 * Whether the file's imports name a tfjs package (`import type` included), or a top-level
 * variable loads one. Only text outside function bodies is read, so a unit's result never
 * depends on the body of another unit (the analysis cache reuses units on that premise).
 */
function importsTfjs(sourceFile: ts.SourceFile): boolean {
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || ts.isExportDeclaration(statement)) {
      if (NAMES_TFJS.test(statement.getText(sourceFile))) return true;
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (declaration.initializer && loadsTfjsOnEveryPath(declaration.initializer)) return true;
      }
    }
  }
  return false;
}

/**
 * Parameters of `fn` used as the tfjs namespace. Two kinds of use count: model creation
 * (`p.sequential(`, `new p.Sequential(`, `p.model({inputs, outputs})`, `p.input({shape})`) and
 * layer factories (`p.layers.conv2d(`), also through destructuring (`const {layers} = p`).
 * Both kinds together are unmistakable; one alone needs the file to name tfjs somewhere, or
 * the parameter to be called `tf`, so a `db.model(...)` in unrelated code stays unknown.
 */
function tfjsParameterNames(fn: ts.FunctionLikeDeclaration, fileNamesTfjs: boolean): ReadonlySet<string> {
  const candidates = new Set<string>();
  for (const parameter of fn.parameters) for (const name of boundNames(parameter.name)) candidates.add(name);
  if (candidates.size === 0 || !fn.body) return NO_NAMES;
  const creates = new Set<string>();
  const makesLayers = new Set<string>();
  const visit = (node: ts.Node, shadowed: ReadonlySet<string>): void => {
    let inner = shadowed;
    if (node !== fn && ts.isFunctionLike(node)) {
      const own = node.parameters.flatMap((parameter) => boundNames(parameter.name)).filter((name) => candidates.has(name));
      if (own.length > 0) inner = new Set([...shadowed, ...own]);
    }
    const live = (name: string | undefined): name is string => name !== undefined && candidates.has(name) && !inner.has(name);
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const chain = accessChain(node.expression);
      if (chain && live(chain[0])) {
        const [root, first] = chain;
        const config = node.arguments?.[0];
        const keys = config && ts.isObjectLiteralExpression(config) ? propertyNames(config) : [];
        if (chain.length === 3 && first === 'layers') makesLayers.add(root);
        else if (chain.length === 2) {
          const creation = ts.isNewExpression(node)
            ? first === 'Sequential'
            : first === 'sequential' ||
              (first === 'model' && (keys.includes('inputs') || keys.includes('outputs'))) ||
              (first === 'input' && (keys.includes('shape') || keys.includes('batchShape')));
          if (creation) creates.add(root);
        }
      }
    } else if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer && ts.isIdentifier(node.initializer) && live(node.initializer.text)) {
      for (const element of node.name.elements) {
        const keyNode = element.propertyName ?? element.name;
        const key = ts.isIdentifier(keyNode) ? keyNode.text : undefined;
        if (key === 'layers') makesLayers.add(node.initializer.text);
        if (key === 'sequential' || key === 'Sequential') creates.add(node.initializer.text);
      }
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(fn.body, NO_NAMES);
  const names = new Set<string>();
  for (const name of new Set([...creates, ...makesLayers])) {
    if ((creates.has(name) && makesLayers.has(name)) || fileNamesTfjs || name === 'tf') names.add(name);
  }
  return names.size > 0 ? names : NO_NAMES;
}

/** `a.b.c` as `['a', 'b', 'c']`, or undefined when it is not a chain of names on an identifier. */
function accessChain(expression: ts.Expression): string[] | undefined {
  const names: string[] = [];
  let current = expression;
  while (ts.isPropertyAccessExpression(current)) {
    names.unshift(current.name.text);
    current = current.expression;
  }
  if (!ts.isIdentifier(current) || names.length === 0) return undefined;
  return [current.text, ...names];
}

function propertyNames(object: ts.ObjectLiteralExpression): string[] {
  const names: string[] = [];
  for (const property of object.properties) {
    if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) names.push(property.name.text);
  }
  return names;
}

/** Names the top-level statements (outside functions) assign, all of whose assignments load tfjs. */
function namesAssignedOnlyTfjs(sourceFile: ts.SourceFile): ReadonlySet<string> {
  const tfjs = new Set<string>();
  const other = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left)) {
      (loadsTfjsOnEveryPath(node.right) ? tfjs : other).add(node.left.text);
    }
    ts.forEachChild(node, visit);
  };
  for (const statement of sourceFile.statements) {
    // Only statements that can assign: declarations and imports cannot.
    if (ts.isExpressionStatement(statement) || ts.isIfStatement(statement) || ts.isTryStatement(statement) || ts.isBlock(statement)) visit(statement);
  }
  for (const name of other) tfjs.delete(name);
  return tfjs.size > 0 ? tfjs : NO_NAMES;
}
