// One walk over a file's AST that finds model-creation sites and `@symmetry` holders, and
// groups them by unit (function body, subclass-model class, or module top level).
import { ts } from 'ts-morph';
import { TFJS_MODULES } from './moduleResolution';

export type UnitNode = ts.SourceFile | ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration;

export interface Unit {
  node: UnitNode;
  kind: 'module' | 'function' | 'class';
  creationSites: ts.Node[];
  /** The unit's own holder (function, method, class) carries a JSDoc block with `@sym`. */
  hasDeclaration: boolean;
  /** Variables with a `@sym` JSDoc whose initialiser is not a function, declared in this unit. */
  variableHolders: ts.VariableDeclaration[];
}

export interface Discovery {
  units: Unit[];
  creationSiteUnits: Map<ts.Node, ts.Node>;
  /** Classes with a `@sym` JSDoc that are not subclass models (their methods may build one). */
  declaredClasses: ts.ClassLikeDeclaration[];
}

// The SyntaxKind enum read once: property reads through the ts-morph namespace on every node
// made the walk several times slower than a bare traversal.
const K = ts.SyntaxKind;

const FUNCTION_KINDS = new Set<ts.SyntaxKind>([
  K.FunctionDeclaration,
  K.MethodDeclaration,
  K.Constructor,
  K.GetAccessor,
  K.SetAccessor,
  K.ArrowFunction,
  K.FunctionExpression,
]);

/** Nodes that can carry a holder's JSDoc; only these have their leading comments read. */
const HOLDER_KINDS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.PropertyAssignment,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.ExpressionStatement,
]);

const CREATION_CALLS = new Set(['sequential', 'model']);
const CREATION_CLASSES = new Set(['Sequential', 'LayersModel']);

/** The JSDoc blocks (`/** ... *\/`) that lead a node, with their offsets. */
export function jsDocBlocks(node: ts.Node, sourceFile: ts.SourceFile): { text: string; start: number; end: number }[] {
  const ranges = ts.getLeadingCommentRanges(sourceFile.text, node.pos) ?? [];
  const blocks: { text: string; start: number; end: number }[] = [];
  for (const range of ranges) {
    if (range.kind !== ts.SyntaxKind.MultiLineCommentTrivia) continue;
    const text = sourceFile.text.slice(range.pos, range.end);
    if (text.startsWith('/**') && text !== '/**/') blocks.push({ text, start: range.pos, end: range.end });
  }
  return blocks;
}

function hasSymmetryDoc(node: ts.Node, sourceFile: ts.SourceFile): boolean {
  return jsDocBlocks(node, sourceFile).some((block) => block.text.includes('@sym'));
}

function unwrap(expression: ts.Expression | undefined): ts.Expression | undefined {
  let current = expression;
  while (current && (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current))) {
    current = current.expression;
  }
  return current;
}


function finalName(expression: ts.Expression): string | undefined {
  const kind = expression.kind;
  if (kind === K.Identifier) return (expression as ts.Identifier).text;
  if (kind === K.PropertyAccessExpression) return (expression as ts.PropertyAccessExpression).name.text;
  if (kind !== K.ParenthesizedExpression && kind !== K.AsExpression) return undefined;
  const current = unwrap(expression);
  return current && current !== expression ? finalName(current) : undefined;
}

/** Local names bound to tfjs `sequential`/`model`/`Sequential` by aliased named imports. */
function creationAliases(sourceFile: ts.SourceFile): { calls: Set<string>; classes: Set<string> } {
  const calls = new Set(CREATION_CALLS);
  const classes = new Set(CREATION_CLASSES);
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!TFJS_MODULES.has(statement.moduleSpecifier.text)) continue;
    const named = statement.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named)) continue;
    for (const element of named.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (CREATION_CALLS.has(imported)) calls.add(element.name.text);
      if (CREATION_CLASSES.has(imported)) classes.add(element.name.text);
    }
  }
  return { calls, classes };
}

export function isSubclassModel(node: ts.ClassLikeDeclaration, classes: Set<string>): boolean {
  const clause = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const base = clause?.types[0]?.expression;
  const name = base ? finalName(base) : undefined;
  return name !== undefined && classes.has(name) && name !== 'LayersModel';
}

/** Characters after a name that rule out its being a called or constructed callee. */
const NOT_A_CALLEE = new Set(['.', ':', ',', ';', '=', ']', '}']);

/**
 * Sorted offsets of every `@sym` and of every word that may be the final name of a creation
 * call (`sequential`, `model`, aliases) or class (`Sequential`, `LayersModel`): a creation
 * site's callee or a subclass model's `extends` holds one. `model.add` and `const model =`
 * are left out by the character after the word; anything unclear stays in.
 */
function interestingOffsets(text: string, calls: Set<string>, classes: Set<string>, tagOffsets: number[]): number[] {
  const names = [...calls, ...classes].map((name) => name.replace(/[$]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\w$])(?:${names.join('|')})(?![\\w$])`, 'g');
  const offsets: number[] = [];
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const word = match[0];
    let after = match.index + word.length;
    while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
    if (calls.has(word) && !classes.has(word) && NOT_A_CALLEE.has(text[after])) continue;
    offsets.push(match.index);
  }
  const merged = offsets.concat(tagOffsets);
  return merged.sort((a, b) => a - b);
}

export function discover(sourceFile: ts.SourceFile): Discovery {
  const { calls, classes } = creationAliases(sourceFile);
  // Offsets of every `@sym` in the text: a holder's comments are read only when one of them
  // lies inside the node's range, which keeps the walk close to a bare traversal.
  const tagOffsets: number[] = [];
  for (let at = sourceFile.text.indexOf('@sym'); at >= 0; at = sourceFile.text.indexOf('@sym', at + 4)) tagOffsets.push(at);
  const anyWithin = (offsets: number[], node: ts.Node): boolean => {
    let low = 0;
    let high = offsets.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (offsets[middle] < node.pos) low = middle + 1;
      else high = middle;
    }
    return low < offsets.length && offsets[low] < node.end;
  };
  const mayHaveTag = (node: ts.Node): boolean => anyWithin(tagOffsets, node);
  // A subtree matters only if it holds a `@sym` or a word that can name a creation call or
  // class: the walk skips the rest, which is most of a model file (the keystroke path).
  const interesting = interestingOffsets(sourceFile.text, calls, classes, tagOffsets);
  const units = new Map<ts.Node, Unit>();
  const creationSiteUnits = new Map<ts.Node, ts.Node>();
  const declaredClasses: ts.ClassLikeDeclaration[] = [];

  const unitFor = (node: UnitNode): Unit => {
    let unit = units.get(node);
    if (!unit) {
      unit = {
        node,
        kind: ts.isSourceFile(node) ? 'module' : ts.isClassLike(node) ? 'class' : 'function',
        creationSites: [],
        hasDeclaration: false,
        variableHolders: [],
      };
      units.set(node, unit);
    }
    return unit;
  };

  const declareFunction = (expression: ts.Expression | undefined): boolean => {
    const fn = unwrap(expression);
    if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
      unitFor(fn).hasDeclaration = true;
      return true;
    }
    return false;
  };

  const noteDeclaration = (node: ts.Node, current: UnitNode): void => {
    if (!mayHaveTag(node) || !hasSymmetryDoc(node, sourceFile)) return;
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node)) {
      if (node.body) unitFor(node).hasDeclaration = true;
    } else if (ts.isClassDeclaration(node)) {
      if (isSubclassModel(node, classes)) unitFor(node).hasDeclaration = true;
      else declaredClasses.push(node);
    } else if (ts.isVariableStatement(node)) {
      for (const declaration of node.declarationList.declarations) {
        const initializer = unwrap(declaration.initializer);
        if (declareFunction(initializer)) continue;
        if (initializer && ts.isClassExpression(initializer)) {
          if (isSubclassModel(initializer, classes)) unitFor(initializer).hasDeclaration = true;
          else declaredClasses.push(initializer);
          continue;
        }
        unitFor(current).variableHolders.push(declaration);
      }
    } else if (ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) {
      declareFunction(node.initializer);
    } else if (ts.isExportAssignment(node)) {
      declareFunction(node.expression);
    } else if (ts.isExpressionStatement(node) && ts.isBinaryExpression(node.expression)) {
      declareFunction(node.expression.right);
    }
  };

  let walkUnit: UnitNode = sourceFile;
  const visitChild = (child: ts.Node): void => visit(child, walkUnit);
  const visit = (node: ts.Node, current: UnitNode): void => {
    if (!anyWithin(interesting, node)) return;
    let inner: UnitNode = current;
    const kind = node.kind;
    if (tagOffsets.length > 0 && HOLDER_KINDS.has(kind)) noteDeclaration(node, current);
    if (kind === K.CallExpression || kind === K.NewExpression) {
      const name = finalName((node as ts.CallExpression).expression);
      if (name && (kind === K.CallExpression ? calls : classes).has(name)) {
        unitFor(current).creationSites.push(node);
        creationSiteUnits.set(node, current);
      }
    } else if (kind === K.ClassDeclaration || kind === K.ClassExpression) {
      const cls = node as ts.ClassLikeDeclaration;
      if (isSubclassModel(cls, classes)) {
        unitFor(cls).creationSites.push(cls);
        creationSiteUnits.set(cls, cls);
        // The constructor of a subclass model runs as part of the class unit.
        for (const member of cls.members) {
          if (ts.isConstructorDeclaration(member)) {
            member.body?.statements.forEach((statement) => visit(statement, cls));
          } else {
            visit(member, cls);
          }
        }
        cls.heritageClauses?.forEach((clause) => visit(clause, current));
        return;
      }
    } else if (FUNCTION_KINDS.has(kind) && (node as ts.FunctionLikeDeclaration).body) {
      inner = node as ts.FunctionLikeDeclaration;
    }
    const saved = walkUnit;
    walkUnit = inner;
    ts.forEachChild(node, visitChild);
    walkUnit = saved;
  };

  for (const statement of sourceFile.statements) visit(statement, sourceFile);
  const found = [...units.values()].filter((unit) => unit.creationSites.length > 0 || unit.hasDeclaration || unit.variableHolders.length > 0);
  found.sort((a, b) => a.node.pos - b.node.pos);
  return { units: found, creationSiteUnits, declaredClasses };
}
