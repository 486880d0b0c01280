// The edit builder behind every fix: finds where a layer is written, and produces edits that
// keep the file's style (quotes, indentation, line endings, import style: ESM namespace or
// named, CommonJS require, an existing import of the layers package reused).
import { ts } from 'ts-morph';
import type { SourceSpan } from '../analysis/graph';
import type { TextEditSpan } from './types';

export const LAYERS_PACKAGE = 'symmetry-lint-layers';
const LAYERS_PACKAGES = new Set([LAYERS_PACKAGE, '@symmetry-lint/layers']);
const TFJS_PACKAGES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-layers']);

/** How a layer expression sits in the model code, which decides how siblings are inserted. */
export type Placement =
  /** an element of an array literal (`layers: [...]`) */
  | { kind: 'array' }
  /** the argument of `model.add(layer);` */
  | { kind: 'add'; statement: ts.ExpressionStatement; receiver: string }
  /** the receiver of `layer.apply(input)` */
  | { kind: 'apply'; call: ts.CallExpression };

export interface LayerSite {
  expression: ts.CallExpression | ts.NewExpression;
  /** The configuration object literal, when the layer has one. */
  config?: ts.ObjectLiteralExpression;
  /** True when the layer has no argument at all. */
  noArguments: boolean;
  placement?: Placement;
}

/** How the file refers to tfjs' layer factories, and the edits that make that reference valid. */
export interface TfjsLayersReference {
  /** `tf.layers.globalAveragePooling2d`, `L.globalAveragePooling2d` or a destructured `globalAveragePooling2d`. */
  factory(name: string): string;
  /** Import or destructuring edits for the factories used (empty when the file already has them). */
  importEdits(names: readonly string[]): TextEditSpan[];
}

/** The tfjs bindings of a file's top level, and where new imports go. */
interface TfjsBindings {
  /** `tf.layers` from `import * as tf`, `import tf`, `const tf = require(...)`. */
  namespaceLayers?: string;
  /** `L` from `import { layers as L }` or `const { layers: L } = require(...)`. */
  layers?: string;
  /** A named import or destructured require of a tfjs package, to add `layers` to. */
  namedList?: { elements: ts.NodeArray<ts.ImportSpecifier | ts.BindingElement>; container: ts.Node };
  lastImportEnd: number;
  lastRequireEnd: number;
}

/** A property-access chain of identifiers (`tf.layers`): safe to repeat, no side effects. */
function isAccessChain(node: ts.Expression): boolean {
  return ts.isIdentifier(node) || (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name) && isAccessChain(node.expression));
}

/** Imported name -> local name of a named import or destructuring pattern. */
function localNames(elements: readonly (ts.ImportSpecifier | ts.BindingElement)[]): Map<string, string> {
  const local = new Map<string, string>();
  for (const element of elements) {
    if (!ts.isIdentifier(element.name)) continue;
    const imported = ts.isImportSpecifier(element)
      ? (element.propertyName ?? element.name).text
      : element.propertyName
        ? ts.isIdentifier(element.propertyName) || ts.isStringLiteral(element.propertyName)
          ? element.propertyName.text
          : undefined
        : element.name.text;
    if (imported !== undefined && !(ts.isBindingElement(element) && element.dotDotDotToken)) local.set(imported, element.name.text);
  }
  return local;
}

/** How the file refers to the layers library, and the edits that make that reference valid. */
export interface LibraryReference {
  /** `sl.CircularPad2D` or `CircularPad2D`. */
  className(name: string): string;
  /** Import edits for the names used (empty when the file already has them). */
  importEdits(names: readonly string[]): TextEditSpan[];
}

function moduleOfRequire(node: ts.Node): string | undefined {
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
    const [argument] = node.arguments;
    if (argument && ts.isStringLiteralLike(argument)) return argument.text;
  }
  return undefined;
}

export class FileEditor {
  readonly text: string;
  readonly quote: string;
  readonly eol: string;

  constructor(readonly sourceFile: ts.SourceFile) {
    this.text = sourceFile.text;
    this.eol = this.text.includes('\r\n') ? '\r\n' : '\n';
    this.quote = this.detectQuote();
  }

  private detectQuote(): string {
    let found: string | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isStringLiteral(node)) {
        found = this.text[node.getStart(this.sourceFile)];
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    return found === '"' ? '"' : "'";
  }

  str(value: string): string {
    return `${this.quote}${value}${this.quote}`;
  }

  /** Leading whitespace of the line that contains `offset`. */
  indentAt(offset: number): string {
    const lineStart = this.text.lastIndexOf('\n', offset - 1) + 1;
    return /^[ \t]*/.exec(this.text.slice(lineStart))?.[0] ?? '';
  }

  /** The node whose source range is exactly [start, end). */
  nodeAt(start: number, end: number): ts.Node | undefined {
    let match: ts.Node | undefined;
    const visit = (node: ts.Node): void => {
      if (match) return;
      const nodeStart = node.getStart(this.sourceFile);
      if (nodeStart > start || node.end < end) return;
      if (nodeStart === start && node.end === end) {
        match = node;
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    return match;
  }

  /** Where a layer creation is written, or undefined when the span is not a call or `new`. */
  layerSite(span: SourceSpan): LayerSite | undefined {
    if (span.file !== this.sourceFile.fileName) return undefined;
    const node = this.nodeAt(span.start, span.end);
    if (!node || !(ts.isCallExpression(node) || ts.isNewExpression(node))) return undefined;
    const args = node.arguments ?? ts.factory.createNodeArray();
    const first = args[0];
    const site: LayerSite = {
      expression: node,
      noArguments: args.length === 0,
      ...(first && ts.isObjectLiteralExpression(first) ? { config: first } : {}),
    };
    let outer: ts.Node = node;
    while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
    const parent = outer.parent;
    if (ts.isArrayLiteralExpression(parent)) site.placement = { kind: 'array' };
    else if (
      ts.isCallExpression(parent) &&
      parent.arguments.length === 1 &&
      parent.arguments[0] === outer &&
      ts.isPropertyAccessExpression(parent.expression) &&
      parent.expression.name.text === 'add' &&
      ts.isExpressionStatement(parent.parent)
    ) {
      site.placement = { kind: 'add', statement: parent.parent, receiver: parent.expression.expression.getText(this.sourceFile) };
    } else if (
      ts.isPropertyAccessExpression(parent) &&
      parent.expression === outer &&
      parent.name.text === 'apply' &&
      ts.isCallExpression(parent.parent) &&
      parent.parent.expression === parent &&
      parent.parent.arguments.length === 1
    ) {
      site.placement = { kind: 'apply', call: parent.parent };
    }
    return site;
  }

  /** Keys of a config literal; undefined when it has spreads or computed keys. */
  configKeys(config: ts.ObjectLiteralExpression | undefined): string[] | undefined {
    if (!config) return [];
    const keys: string[] = [];
    for (const property of config.properties) {
      if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) return undefined;
      const name = property.name;
      if (!(ts.isIdentifier(name) || ts.isStringLiteral(name))) return undefined;
      keys.push(name.text);
    }
    return keys;
  }

  property(config: ts.ObjectLiteralExpression | undefined, key: string): ts.ObjectLiteralElementLike | undefined {
    return config?.properties.find((property) => property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === key);
  }

  /** The source text of a property (`inputShape: [28, 28, 1]`). */
  propertyText(property: ts.ObjectLiteralElementLike): string {
    return property.getText(this.sourceFile);
  }

  /** Sets `key` to `value` (source text) in a config literal, in the literal's own layout. */
  setProperty(site: LayerSite, key: string, value: string): TextEditSpan | undefined {
    const config = site.config;
    if (!config) {
      if (!site.noArguments) return undefined;
      // `flatten()` -> `flatten({ key: value })`: insert at the closing parenthesis.
      const close = site.expression.end - 1;
      return { start: close, end: close, newText: `{ ${key}: ${value} }` };
    }
    const existing = this.property(config, key);
    if (existing && ts.isPropertyAssignment(existing)) {
      return { start: existing.initializer.getStart(this.sourceFile), end: existing.initializer.end, newText: value };
    }
    if (existing) return undefined;
    return this.addProperty(config, `${key}: ${value}`);
  }

  /** Appends a property to a literal, following its single- or multi-line layout. */
  addProperty(config: ts.ObjectLiteralExpression, propertyText: string): TextEditSpan {
    const properties = config.properties;
    const last = properties[properties.length - 1];
    const closeBrace = config.end - 1;
    if (!last) {
      const inner = this.text.slice(config.getStart(this.sourceFile) + 1, closeBrace);
      return { start: config.getStart(this.sourceFile) + 1, end: closeBrace, newText: inner.includes('\n') ? inner : ` ${propertyText} ` };
    }
    const multiLine = this.text.slice(config.getStart(this.sourceFile), config.end).includes('\n');
    const hasTrailingComma = properties.hasTrailingComma;
    if (multiLine) {
      const indent = this.indentAt(last.getStart(this.sourceFile));
      const insertAt = hasTrailingComma ? this.text.indexOf(',', last.end) + 1 : last.end;
      return { start: insertAt, end: insertAt, newText: `${hasTrailingComma ? '' : ','}${this.eol}${indent}${propertyText}${hasTrailingComma ? ',' : ''}` };
    }
    return { start: last.end, end: last.end, newText: `, ${propertyText}` };
  }

  /** Removes a property and its comma. */
  removeProperty(config: ts.ObjectLiteralExpression, property: ts.ObjectLiteralElementLike): TextEditSpan {
    const properties = config.properties;
    const index = properties.indexOf(property);
    const start = property.getStart(this.sourceFile);
    if (index < properties.length - 1) {
      return { start, end: properties[index + 1].getStart(this.sourceFile), newText: '' };
    }
    if (index > 0) {
      const previousEnd = properties[index - 1].end;
      const end = properties.hasTrailingComma ? this.text.indexOf(',', property.end) + 1 : property.end;
      return { start: previousEnd, end, newText: properties.hasTrailingComma ? ',' : '' };
    }
    // The only property: leave an empty literal in the literal's layout.
    const end = properties.hasTrailingComma ? this.text.indexOf(',', property.end) + 1 : property.end;
    return { start, end, newText: '' };
  }

  /**
   * A layer written as an element of a `layers: [...]` array: the element (parentheses
   * included) and the separator a new element next to it needs, in the array's layout.
   */
  private arraySlot(site: LayerSite): { element: ts.Node; separator: string } {
    let element: ts.Node = site.expression;
    while (ts.isParenthesizedExpression(element.parent)) element = element.parent;
    const array = element.parent as ts.ArrayLiteralExpression;
    const multiLine = this.text.slice(array.getStart(this.sourceFile), array.end).includes('\n');
    return { element, separator: multiLine ? `,${this.eol}${this.indentAt(element.getStart(this.sourceFile))}` : ', ' };
  }

  /** Edits that insert a layer expression right after a layer (data-flow after). */
  insertAfter(site: LayerSite, layerText: string): TextEditSpan[] | undefined {
    const placement = site.placement;
    if (!placement) return undefined;
    switch (placement.kind) {
      case 'array': {
        const { element, separator } = this.arraySlot(site);
        return [{ start: element.end, end: element.end, newText: `${separator}${layerText}` }];
      }
      case 'add': {
        const statement = placement.statement;
        const indent = this.indentAt(statement.getStart(this.sourceFile));
        // After a trailing `// comment` on the same line, so the comment stays with its layer.
        const lineEnd = this.text.indexOf('\n', statement.end);
        const rest = this.text.slice(statement.end, lineEnd < 0 ? this.text.length : lineEnd).replace(/\r$/, '');
        const at = /^\s*(\/\/.*)?$/.test(rest) ? statement.end + rest.length : statement.end;
        return [{ start: at, end: at, newText: `${this.eol}${indent}${placement.receiver}.add(${layerText});` }];
      }
      case 'apply': {
        const call = placement.call;
        return [
          { start: call.getStart(this.sourceFile), end: call.getStart(this.sourceFile), newText: `${layerText}.apply(` },
          { start: call.end, end: call.end, newText: ')' },
        ];
      }
    }
  }

  /** Edits that insert a layer expression right before a layer. */
  insertBefore(site: LayerSite, layerText: string): TextEditSpan[] | undefined {
    const placement = site.placement;
    if (!placement) return undefined;
    switch (placement.kind) {
      case 'array': {
        const { element, separator } = this.arraySlot(site);
        const start = element.getStart(this.sourceFile);
        return [{ start, end: start, newText: `${layerText}${separator}` }];
      }
      case 'add': {
        const statement = placement.statement;
        const start = statement.getStart(this.sourceFile);
        const indent = this.indentAt(start);
        return [{ start, end: start, newText: `${placement.receiver}.add(${layerText});${this.eol}${indent}` }];
      }
      case 'apply': {
        const argument = placement.call.arguments[0];
        return [
          { start: argument.getStart(this.sourceFile), end: argument.getStart(this.sourceFile), newText: `${layerText}.apply(` },
          { start: argument.end, end: argument.end, newText: ')' },
        ];
      }
    }
  }

  /**
   * How to write a tfjs layer factory next to `site`, in the file's own import style: the
   * site's own `X.` prefix; a name destructured beside the site's factory, else the namespace
   * it was destructured from, else added to that destructuring; then the file's tfjs import
   * (`tf.layers`, `layers`), a `layers` added to a named import, or a new import in the file's
   * module style. Undefined when none of these can be written safely.
   */
  tfjsLayers(site?: LayerSite): TfjsLayersReference | undefined {
    const callee = site?.expression.expression;
    if (site && ts.isCallExpression(site.expression) && callee && ts.isPropertyAccessExpression(callee)) {
      const prefix = callee.expression.getText(this.sourceFile);
      return { factory: (name) => `${prefix}.${name}`, importEdits: () => [] };
    }
    const pattern = site && callee && ts.isIdentifier(callee) ? this.destructuringOf(callee.text, site.expression.getStart(this.sourceFile)) : undefined;
    // One reference per binding, so a fix over several layers adds each missing name once.
    const key = pattern?.pattern ?? this.sourceFile;
    if (!this.tfjsReferences.has(key)) this.tfjsReferences.set(key, pattern ? this.destructuredReference(pattern) : this.fileTfjsLayers());
    return this.tfjsReferences.get(key);
  }
  private readonly tfjsReferences = new Map<ts.Node, TfjsLayersReference | undefined>();

  /** The `const { a, b } = <init>` pattern that binds `name` in scope at `position`, if any. */
  private destructuringOf(name: string, position: number): { pattern: ts.ObjectBindingPattern; initializer: ts.Expression } | undefined {
    let found: { pattern: ts.ObjectBindingPattern; initializer: ts.Expression; start: number } | undefined;
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
        const binds = node.name.elements.some((element) => ts.isIdentifier(element.name) && element.name.text === name);
        let scope: ts.Node = node;
        while (scope.parent && !ts.isBlock(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
        const start = node.getStart(this.sourceFile);
        if (binds && scope.getStart(this.sourceFile) <= position && position <= scope.end && (!found || start > found.start)) {
          found = { pattern: node.name, initializer: node.initializer, start };
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    return found;
  }

  private destructuredReference({ pattern, initializer }: { pattern: ts.ObjectBindingPattern; initializer: ts.Expression }): TfjsLayersReference | undefined {
    const local = localNames(pattern.elements);
    const chain = isAccessChain(initializer) ? initializer.getText(this.sourceFile) : undefined;
    return {
      factory: (name) => local.get(name) ?? (chain ? `${chain}.${name}` : name),
      importEdits: (names) => {
        if (chain) return [];
        const missing = [...new Set(names)].filter((name) => !local.has(name)).sort();
        if (missing.some((name) => this.declares(name))) throw new Error(`${missing.join(', ')} would shadow a name the file uses`);
        return this.appendToList(pattern.elements, pattern, missing);
      },
    };
  }

  /** The file-level reference to tfjs' layers, adding an import where the file has none. */
  private fileTfjsLayers(): TfjsLayersReference | undefined {
    const bindings = this.tfjsBindings();
    const prefix = bindings.layers ?? bindings.namespaceLayers;
    if (prefix) return { factory: (name) => `${prefix}.${name}`, importEdits: () => [] };
    // `layers` as an object key (`sequential({ layers })` aside) does not clash; a variable does.
    if (bindings.namedList && !this.declares('layers')) {
      const { elements, container } = bindings.namedList;
      return { factory: (name) => `layers.${name}`, importEdits: () => this.appendToList(elements, container, ['layers']) };
    }
    const from = this.str('@tensorflow/tfjs');
    const style = this.moduleStyle(bindings);
    // No tfjs import at all: a script that uses the global `tf` of a <script> tag keeps doing so.
    if (style === undefined) return this.usedNames().has('tf') && !this.declares('tf') ? { factory: (name) => `tf.layers.${name}` , importEdits: () => [] } : undefined;
    const alias = this.freeName(['tf', 'tfjs', 'tensorflow']);
    if (!alias) return undefined;
    const at = Math.max(bindings.lastImportEnd, bindings.lastRequireEnd, this.prologueEnd());
    const statement = style === 'commonjs' ? `const ${alias} = require(${from});` : `import * as ${alias} from ${from};`;
    const newText = at === 0 ? `${statement}${this.eol}` : `${this.eol}${statement}`;
    return { factory: (name) => `${alias}.layers.${name}`, importEdits: () => [{ start: at, end: at, newText }] };
  }

  private tfjsBindings(): TfjsBindings {
    const bindings: TfjsBindings = { lastImportEnd: -1, lastRequireEnd: -1 };
    for (const statement of this.sourceFile.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        bindings.lastImportEnd = statement.end;
        const clause = statement.importClause;
        if (!TFJS_PACKAGES.has(statement.moduleSpecifier.text) || !clause || clause.isTypeOnly) continue;
        if (clause.name) bindings.namespaceLayers ??= `${clause.name.text}.layers`;
        const named = clause.namedBindings;
        if (named && ts.isNamespaceImport(named)) bindings.namespaceLayers ??= `${named.name.text}.layers`;
        if (named && ts.isNamedImports(named)) {
          const layers = localNames(named.elements.filter((element) => !element.isTypeOnly)).get('layers');
          if (layers) bindings.layers ??= layers;
          else bindings.namedList ??= { elements: named.elements, container: named };
        }
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const specifier = declaration.initializer ? moduleOfRequire(declaration.initializer) : undefined;
          if (specifier === undefined) continue;
          bindings.lastRequireEnd = statement.end;
          if (!TFJS_PACKAGES.has(specifier)) continue;
          if (ts.isIdentifier(declaration.name)) bindings.namespaceLayers ??= `${declaration.name.text}.layers`;
          else if (ts.isObjectBindingPattern(declaration.name)) {
            const layers = localNames(declaration.name.elements).get('layers');
            if (layers) bindings.layers ??= layers;
            else bindings.namedList ??= { elements: declaration.name.elements, container: declaration.name };
          }
        }
      }
    }
    return bindings;
  }

  /** ESM or CommonJS, from the file's imports, requires, exports and extension. */
  private moduleStyle(bindings: TfjsBindings): 'esm' | 'commonjs' | undefined {
    if (bindings.lastImportEnd >= 0) return 'esm';
    if (bindings.lastRequireEnd >= 0) return 'commonjs';
    const name = this.sourceFile.fileName;
    if (/\.(cjs|cts)$/.test(name)) return 'commonjs';
    if (/\.(mjs|mts|ts|tsx)$/.test(name)) return 'esm';
    if (this.sourceFile.statements.some((statement) => ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)))) return 'esm';
    return /\bmodule\.exports\b|\bexports\.\w/.test(this.text) ? 'commonjs' : undefined;
  }

  /** After a shebang and 'use strict'-style directives: where a first import goes. */
  private prologueEnd(): number {
    let end = 0;
    for (const statement of this.sourceFile.statements) {
      if (ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression)) end = statement.end;
      else break;
    }
    if (end === 0 && this.text.startsWith('#!')) end = this.text.indexOf('\n') < 0 ? this.text.length : this.text.indexOf('\n');
    return end;
  }

  /** Names added to a named import or destructuring pattern, in its layout. */
  private appendToList(elements: ts.NodeArray<ts.ImportSpecifier | ts.BindingElement>, container: ts.Node, names: string[]): TextEditSpan[] {
    if (names.length === 0) return [];
    const last = elements[elements.length - 1];
    if (!last) {
      const open = container.getStart(this.sourceFile) + 1;
      return [{ start: open, end: container.end - 1, newText: ` ${names.join(', ')} ` }];
    }
    const trailing = elements.hasTrailingComma;
    const at = trailing ? this.text.indexOf(',', last.end) + 1 : last.end;
    return [{ start: at, end: at, newText: `${trailing ? ' ' : ', '}${names.join(', ')}${trailing ? ',' : ''}` }];
  }

  /** True when the file declares `name` (a variable, parameter, function, class or import). */
  private declares(name: string): boolean {
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      const declared = (node as { name?: ts.Node }).name;
      if (
        declared && ts.isIdentifier(declared) && declared.text === name &&
        (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isImportSpecifier(node) || ts.isNamespaceImport(node) || ts.isImportClause(node) || ts.isBindingElement(node))
      ) {
        found = true;
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    return found;
  }

  /** How this file can refer to the layers library; undefined for files without modules. */
  libraryReference(): LibraryReference | undefined {
    const statements = this.sourceFile.statements;
    let lastImportEnd = -1;
    let lastRequireEnd = -1;
    let tfjsStyle: 'namespace' | 'named' | 'require' | undefined;
    for (const statement of statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        lastImportEnd = statement.end;
        const specifier = statement.moduleSpecifier.text;
        const bindings = statement.importClause?.namedBindings;
        if (LAYERS_PACKAGES.has(specifier) && bindings && !statement.importClause?.isTypeOnly) {
          if (ts.isNamespaceImport(bindings)) {
            const name = bindings.name.text;
            return { className: (cls) => `${name}.${cls}`, importEdits: () => [] };
          }
          return this.namedReference(bindings.elements, bindings.elements.hasTrailingComma, bindings);
        }
        if (TFJS_PACKAGES.has(specifier)) tfjsStyle = bindings && ts.isNamespaceImport(bindings) ? 'namespace' : 'named';
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const specifier = declaration.initializer ? moduleOfRequire(declaration.initializer) : undefined;
          if (specifier === undefined) continue;
          lastRequireEnd = statement.end;
          if (LAYERS_PACKAGES.has(specifier)) {
            if (ts.isIdentifier(declaration.name)) {
              const name = declaration.name.text;
              return { className: (cls) => `${name}.${cls}`, importEdits: () => [] };
            }
            if (ts.isObjectBindingPattern(declaration.name)) return this.namedReference(declaration.name.elements, declaration.name.elements.hasTrailingComma, declaration.name);
          }
          if (TFJS_PACKAGES.has(specifier)) tfjsStyle = 'require';
        }
      }
    }
    const alias = this.freeName(['sl', 'symmetryLayers', 'symmetryLintLayers']);
    if (!alias) return undefined;
    const from = this.str(LAYERS_PACKAGE);
    if (tfjsStyle === 'require' || (lastImportEnd < 0 && lastRequireEnd >= 0)) {
      return {
        className: (cls) => `${alias}.${cls}`,
        importEdits: () => [{ start: lastRequireEnd, end: lastRequireEnd, newText: `${this.eol}const ${alias} = require(${from});` }],
      };
    }
    if (lastImportEnd < 0) return undefined;
    if (tfjsStyle === 'named') {
      return {
        className: (cls) => cls,
        importEdits: (names) => [{ start: lastImportEnd, end: lastImportEnd, newText: `${this.eol}import { ${[...new Set(names)].sort().join(', ')} } from ${from};` }],
      };
    }
    return {
      className: (cls) => `${alias}.${cls}`,
      importEdits: () => [{ start: lastImportEnd, end: lastImportEnd, newText: `${this.eol}import * as ${alias} from ${from};` }],
    };
  }

  /** A named import or destructured require of the package: add the missing names to it. */
  private namedReference(
    elements: ts.NodeArray<ts.ImportSpecifier | ts.BindingElement>,
    trailingComma: boolean,
    container: ts.Node,
  ): LibraryReference {
    const local = new Map<string, string>();
    for (const element of elements) {
      const imported = ts.isImportSpecifier(element) ? (element.propertyName ?? element.name).text : element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : ts.isIdentifier(element.name) ? element.name.text : undefined;
      if (imported && ts.isIdentifier(element.name)) local.set(imported, element.name.text);
    }
    return {
      className: (cls) => local.get(cls) ?? cls,
      importEdits: (names) => {
        const missing = [...new Set(names)].filter((name) => !local.has(name)).sort();
        if (missing.length === 0) return [];
        const last = elements[elements.length - 1];
        if (!last) {
          const open = container.getStart(this.sourceFile) + 1;
          return [{ start: open, end: container.end - 1, newText: ` ${missing.join(', ')} ` }];
        }
        const at = trailingComma ? this.text.indexOf(',', last.end) + 1 : last.end;
        return [{ start: at, end: at, newText: `${trailingComma ? ' ' : ', '}${missing.join(', ')}${trailingComma ? ',' : ''}` }];
      },
    };
  }

  /** The first candidate that no identifier in the file uses. */
  private freeName(candidates: string[]): string | undefined {
    const used = this.usedNames();
    return candidates.find((name) => !used.has(name));
  }

  /** Every identifier the file mentions. */
  private usedNames(): Set<string> {
    const used = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) used.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    return used;
  }
}
