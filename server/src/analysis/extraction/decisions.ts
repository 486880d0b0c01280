// Decisions on values not known statically (SPEC 4 "Variants"): how a condition is named as a
// decision (its key and its options' labels, in the user's words), which branches cannot be a
// model's path (they end in `throw`) or cannot change it (only logging), and the equality a
// taken branch lets the rest of the path assume. The interpreter's control flow asks these;
// the unit runner (variants.ts) re-runs the unit to take each decision's other options.
import { ts } from 'ts-morph';
import { K } from './interpreterShared';

/** A condition with its outer `!`s taken off: `!useDropout` is the decision `useDropout`, negated. */
export function withoutNegation(expression: ts.Expression): { core: ts.Expression; negated: boolean } {
  let core = unwrap(expression);
  let negated = false;
  while (ts.isPrefixUnaryExpression(core) && core.operator === K.ExclamationToken) {
    negated = !negated;
    core = unwrap(core.operand);
  }
  return { core, negated };
}

export function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
  return current;
}

/** The text that identifies a decision or an assumed subject: the source without white space. */
export function decisionKey(node: ts.Node, sourceFile: ts.SourceFile): string {
  return node.getText(sourceFile).replace(/\s+/g, '');
}

const LABEL_LIMIT = 60;

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > LABEL_LIMIT ? line.slice(0, LABEL_LIMIT - 3) + '...' : line;
}

/** A condition as the label of the option where it holds. */
export function holdsLabel(condition: ts.Expression, sourceFile: ts.SourceFile): string {
  return oneLine(unwrap(condition).getText(sourceFile));
}

const NEGATED_OPERATOR = new Map<ts.SyntaxKind, string>([
  [K.EqualsEqualsEqualsToken, '!=='],
  [K.ExclamationEqualsEqualsToken, '==='],
  [K.EqualsEqualsToken, '!='],
  [K.ExclamationEqualsToken, '=='],
  [K.LessThanToken, '>='],
  [K.GreaterThanEqualsToken, '<'],
  [K.GreaterThanToken, '<='],
  [K.LessThanEqualsToken, '>'],
]);

/** A condition as the label of the option where it fails: `rnnType !== 'lstm'`, `!useDropout`. */
export function failsLabel(condition: ts.Expression, sourceFile: ts.SourceFile): string {
  const core = unwrap(condition);
  if (ts.isBinaryExpression(core)) {
    const operator = NEGATED_OPERATOR.get(core.operatorToken.kind);
    if (operator) return oneLine(`${core.left.getText(sourceFile)} ${operator} ${core.right.getText(sourceFile)}`);
  }
  if (ts.isPrefixUnaryExpression(core) && core.operator === K.ExclamationToken) return holdsLabel(core.operand, sourceFile);
  const text = core.getText(sourceFile);
  const simple = ts.isIdentifier(core) || ts.isPropertyAccessExpression(core) || ts.isElementAccessExpression(core) || ts.isCallExpression(core);
  return oneLine(simple ? `!${text}` : `!(${text})`);
}

/** Joins labels that must all hold, clipped to one short line. */
export function allOf(labels: readonly string[]): string {
  return oneLine(labels.join(' && '));
}

/**
 * `subject === value` (or `!==`, `==`, `!=`) where `value` is a literal: the subject's key, the
 * literal node, and whether the test holds when they are equal.
 */
export function equalityTest(
  condition: ts.Expression,
  sourceFile: ts.SourceFile,
): { subject: string; valueNode: ts.Expression; equalHolds: boolean } | undefined {
  const core = unwrap(condition);
  if (!ts.isBinaryExpression(core)) return undefined;
  const operator = core.operatorToken.kind;
  const equalHolds = operator === K.EqualsEqualsEqualsToken || operator === K.EqualsEqualsToken;
  if (!equalHolds && operator !== K.ExclamationEqualsEqualsToken && operator !== K.ExclamationEqualsToken) return undefined;
  const left = unwrap(core.left);
  const right = unwrap(core.right);
  if (isLiteral(right) && !isLiteral(left)) return { subject: decisionKey(left, sourceFile), valueNode: right, equalHolds };
  if (isLiteral(left) && !isLiteral(right)) return { subject: decisionKey(right, sourceFile), valueNode: left, equalHolds };
  return undefined;
}

function isLiteral(node: ts.Expression): boolean {
  return (
    ts.isStringLiteral(node) ||
    ts.isNumericLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    node.kind === K.TrueKeyword ||
    node.kind === K.FalseKeyword ||
    node.kind === K.NullKeyword ||
    (ts.isPrefixUnaryExpression(node) && node.operator === K.MinusToken && ts.isNumericLiteral(node.operand))
  );
}

/**
 * Whether running these statements in order surely ends in a `throw` (before any `break`,
 * `return` or `continue`): such a branch is never a model's path.
 */
export function endsInThrow(statements: readonly ts.Statement[]): boolean {
  for (const statement of statements) {
    const ending = statementEnding(statement);
    if (ending === 'throw') return true;
    if (ending === 'leaves') return false;
  }
  return false;
}

function statementEnding(statement: ts.Statement): 'throw' | 'leaves' | undefined {
  switch (statement.kind) {
    case K.ThrowStatement:
      return 'throw';
    case K.ReturnStatement:
    case K.BreakStatement:
    case K.ContinueStatement:
      return 'leaves';
    case K.Block:
      return endsInThrow((statement as ts.Block).statements) ? 'throw' : undefined;
    default:
      return undefined;
  }
}

/** A branch that surely throws (`throw ...`, or a block that ends in one). */
export function branchThrows(statement: ts.Statement | undefined): boolean {
  return statement !== undefined && endsInThrow([statement]);
}

/**
 * A branch that cannot change the model: absent, empty, or only logging (`if (verbose)
 * console.log(...)`). Not a decision worth a path of its own.
 */
export function isInert(statement: ts.Statement | undefined): boolean {
  if (!statement) return true;
  if (ts.isBlock(statement)) return statement.statements.every((inner) => isInert(inner));
  if (ts.isEmptyStatement(statement)) return true;
  if (ts.isExpressionStatement(statement)) return isLoggingCall(statement.expression);
  return false;
}

/** `console.log(...)` and the like. */
export function isLoggingCall(expression: ts.Expression): boolean {
  const core = unwrap(expression);
  if (!ts.isCallExpression(core)) return false;
  const callee = core.expression;
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'console';
}

/**
 * Where an expression's value is read as a condition (an `if`, a loop, a ternary's test, `!`,
 * or inside a larger `&&`/`||`): there the whole condition is the decision, not its parts.
 */
export function isConditionPosition(node: ts.Expression): boolean {
  let child: ts.Node = node;
  let parent = node.parent;
  while (parent && ts.isParenthesizedExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return false;
  switch (parent.kind) {
    case K.IfStatement:
    case K.WhileStatement:
    case K.DoStatement:
      return (parent as ts.IfStatement).expression === child;
    case K.ForStatement:
      return (parent as ts.ForStatement).condition === child;
    case K.ConditionalExpression:
      return (parent as ts.ConditionalExpression).condition === child;
    case K.PrefixUnaryExpression:
      return (parent as ts.PrefixUnaryExpression).operator === K.ExclamationToken;
    case K.BinaryExpression: {
      const operator = (parent as ts.BinaryExpression).operatorToken.kind;
      return operator === K.AmpersandAmpersandToken || operator === K.BarBarToken || operator === K.QuestionQuestionToken;
    }
    default:
      return false;
  }
}

/** An expression whose evaluation has no side effects and is cheap (literals, names, reads). */
export function isPlainValue(node: ts.Expression): boolean {
  const core = unwrap(node);
  if (isLiteral(core) || ts.isIdentifier(core) || core.kind === K.UndefinedKeyword) return true;
  if (ts.isPropertyAccessExpression(core)) return isPlainValue(core.expression);
  if (ts.isArrayLiteralExpression(core)) return core.elements.every((element) => !ts.isSpreadElement(element) && isPlainValue(element));
  return false;
}
