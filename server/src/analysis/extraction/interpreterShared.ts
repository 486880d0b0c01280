// What the interpreter's rooms share: the syntax-kind table, the unrolling limit, and small
// facts about abstract values and source text that several rooms ask.
import { ts } from 'ts-morph';
import type { AbstractValue } from './values';

// Read once: `ts` is a getter on the ts-morph module, too slow to touch per node.
export const K = ts.SyntaxKind;

export const MAX_UNROLLED_ITERATIONS = 1000;

export function isUndefined(value: AbstractValue): boolean {
  return value.kind === 'primitive' && value.value === undefined;
}

export function isStatic(member: ts.ClassElement): boolean {
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

/** The identifier naming the factory or class of a call (`conv2d` in `tf.layers.conv2d`). */
export function calleeName(expression: ts.Expression): ts.Node {
  let current: ts.Expression = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
  if (ts.isPropertyAccessExpression(current)) return current.name;
  if (ts.isElementAccessExpression(current)) return current.argumentExpression;
  return current;
}

export function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 60 ? oneLine.slice(0, 57) + '...' : oneLine;
}
