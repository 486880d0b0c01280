// The quick fix of `positional-encoding` (SPEC 7: "drop it"): removes the positional term from
// the sum, difference, product or add layer it enters, keeping the other operand. It reads only
// the finding's span, its related locations in the same file (the op inside a custom layer's
// call()) and `data.term` (the term's text) when the rule gives it; it runs no analysis.
import { ts } from 'ts-morph';
import type { LocatedFinding } from '../engine';
import type { FileEditor } from './sourceEdits';
import type { SymmetryFix, TextEditSpan } from './types';

export const POSITIONAL_ENCODING_RULE = 'positional-encoding';

/** One operand of a combination and whether dropping it leaves the same kind of value. */
interface Operand {
  node: ts.Expression;
  removable: boolean;
}

/** An expression that combines a value with a term: `a + b`, `tf.add(a, b)`, `a.add(b)`, `tf.layers.add().apply([a, b])`. */
interface Combination {
  node: ts.Expression;
  operands: Operand[];
  /** `[a, b, c]` of an add layer: a term can leave the list instead of replacing the whole call. */
  list?: ts.ArrayLiteralExpression;
}

const BINARY: ReadonlySet<ts.SyntaxKind> = new Set([ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken]);
/** tf ops and tensor methods that add, subtract or mask by multiplying; for `sub` only the subtrahend can go. */
const OPS: Record<string, 'symmetric' | 'right-only'> = { add: 'symmetric', mul: 'symmetric', multiply: 'symmetric', sub: 'right-only', subtract: 'right-only' };
const MERGE_LAYERS = new Set(['add', 'multiply']);

/** Texts that say a term is tied to positions, for a finding that names no term. */
const POSITIONAL_HINT = /tf\.range\b|\brange\(|bandPart|posit|sinus|\bpos\b|pos[A-Z_]|Pos[A-Z_]?/;

function text(editor: FileEditor, node: ts.Node): string {
  return node.getText(editor.sourceFile);
}

function sameText(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}

function asCombination(node: ts.Node): Combination | undefined {
  if (ts.isBinaryExpression(node) && BINARY.has(node.operatorToken.kind)) {
    return { node, operands: [{ node: node.left, removable: node.operatorToken.kind !== ts.SyntaxKind.MinusToken }, { node: node.right, removable: true }] };
  }
  if (!ts.isCallExpression(node)) return undefined;
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const name = callee.name.text;
  // `tf.layers.add({}).apply([a, b])`
  if (name === 'apply' && ts.isCallExpression(callee.expression) && node.arguments.length === 1 && ts.isArrayLiteralExpression(node.arguments[0])) {
    const factory = callee.expression.expression;
    const factoryName = ts.isPropertyAccessExpression(factory) ? factory.name.text : ts.isIdentifier(factory) ? factory.text : '';
    if (!MERGE_LAYERS.has(factoryName)) return undefined;
    const list = node.arguments[0];
    if (list.elements.some((element) => ts.isSpreadElement(element))) return undefined;
    return { node, operands: list.elements.map((element) => ({ node: element, removable: true })), list };
  }
  const kind = OPS[name];
  if (!kind) return undefined;
  // `tf.add(a, b)`: two arguments on a namespace; `a.add(b)`: one argument on a tensor.
  if (node.arguments.length === 2) {
    return { node, operands: [{ node: node.arguments[0], removable: kind === 'symmetric' }, { node: node.arguments[1], removable: true }] };
  }
  // `model.add(layer)` as a statement is a Sequential growing, not a sum.
  if (node.arguments.length === 1 && !ts.isExpressionStatement(node.parent)) {
    return { node, operands: [{ node: callee.expression, removable: kind === 'symmetric' }, { node: node.arguments[0], removable: true }] };
  }
  return undefined;
}

/** The smallest node that covers [start, end). */
function coveringNode(editor: FileEditor, start: number, end: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (node.getStart(editor.sourceFile) <= start && end <= node.end) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  ts.forEachChild(editor.sourceFile, visit);
  return found;
}

/** The combination the span sits in, and the operand the span is inside of (if any). */
function enclosingCombination(editor: FileEditor, start: number, end: number): { combination: Combination; inside?: Operand } | undefined {
  let node = coveringNode(editor, start, end);
  let child: ts.Node | undefined;
  while (node && !ts.isSourceFile(node) && !ts.isBlock(node)) {
    const combination = asCombination(node);
    if (combination) {
      const inside = combination.operands.find((operand) => operand.node === child || (child !== undefined && operand.node.pos <= child.pos && child.end <= operand.node.end));
      return { combination, ...(inside ? { inside } : {}) };
    }
    child = node;
    node = node.parent;
  }
  return undefined;
}

/** Which operand is the term: the one `data.term` names, the one the span is in, or the one only a positional text marks. */
function chooseTerm(editor: FileEditor, found: { combination: Combination; inside?: Operand }, term: string | undefined): Operand | undefined {
  const { operands } = found.combination;
  if (term) return operands.find((operand) => sameText(text(editor, operand.node), term));
  if (found.inside) return found.inside;
  const hinted = operands.filter((operand) => POSITIONAL_HINT.test(text(editor, operand.node)));
  return hinted.length === 1 ? hinted[0] : undefined;
}

/** Expressions that can stand anywhere a call could without parentheses. */
function bindsTightly(node: ts.Expression): boolean {
  return ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node) || ts.isParenthesizedExpression(node) || ts.isLiteralExpression(node) || ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node) || node.kind === ts.SyntaxKind.ThisKeyword;
}

/** A place where any expression fits as it is (an initializer, an argument, a returned value). */
function standsAlone(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    (ts.isVariableDeclaration(parent) && parent.initializer === node) ||
    ts.isExpressionStatement(parent) ||
    ts.isReturnStatement(parent) ||
    ts.isParenthesizedExpression(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) ||
    (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === node) ||
    ts.isArrowFunction(parent)
  );
}

function removalEdits(editor: FileEditor, combination: Combination, term: Operand): TextEditSpan[] | undefined {
  const kept = combination.operands.filter((operand) => operand !== term);
  if (kept.length === 0) return undefined;
  if (combination.list && kept.length >= 2) {
    // An add layer of three or more inputs keeps the others: the term leaves the list with its comma.
    const elements = combination.list.elements;
    const index = elements.indexOf(term.node);
    const start = index === 0 ? term.node.getStart(editor.sourceFile) : elements[index - 1].end;
    const end = index === 0 ? elements[1].getStart(editor.sourceFile) : term.node.end;
    return [{ start, end, newText: '' }];
  }
  const keptNode = kept[0].node;
  let keptText = text(editor, keptNode);
  if (!bindsTightly(keptNode) && !standsAlone(combination.node)) keptText = `(${keptText})`;
  // `x = x.add(pos);` would become `x = x;`: the statement goes instead.
  const parent = combination.node.parent;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === combination.node && sameText(text(editor, parent.left), keptText) && ts.isExpressionStatement(parent.parent)) {
    const statement = parent.parent;
    const lineStart = editor.text.lastIndexOf('\n', statement.getStart(editor.sourceFile) - 1) + 1;
    const before = editor.text.slice(lineStart, statement.getStart(editor.sourceFile));
    const after = editor.text.slice(statement.end).match(/^[ \t]*(\/\/[^\r\n]*)?\r?\n/);
    if (/^[ \t]*$/.test(before) && after) return [{ start: lineStart, end: statement.end + after[0].length, newText: '' }];
    return [{ start: statement.getStart(editor.sourceFile), end: statement.end, newText: '' }];
  }
  return [{ start: combination.node.getStart(editor.sourceFile), end: combination.node.end, newText: keptText }];
}

function shortened(value: string): string {
  const flat = value.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}

/**
 * Removes the positional term of a `positional-encoding` finding: at the finding's span first,
 * then at its related locations in this file. Nothing when the term cannot be told apart from
 * the value it is added to, or when it is not added (a cumulative sum, a slice of the first token).
 */
export function removePositionalTerm(editor: FileEditor, finding: LocatedFinding): SymmetryFix[] {
  const term = finding.data['term'];
  const spans = [finding.span, ...finding.related.map((related) => related.span)].filter((span) => span.file === editor.sourceFile.fileName);
  for (const span of spans) {
    const found = enclosingCombination(editor, span.start, span.end);
    if (!found) continue;
    const chosen = chooseTerm(editor, found, term);
    if (!chosen || !chosen.removable) continue;
    const edits = removalEdits(editor, found.combination, chosen);
    if (!edits) continue;
    return [{ title: `Remove the positional term ${shortened(text(editor, chosen.node))}`, ruleId: finding.ruleId, isPreferred: true, edits }];
  }
  return [];
}
