// Oddness checks under the sign group (x -> -x): which activations are odd functions, and the
// bias test shared by dense, convolution and recurrent layers.
import type { LocalEffect, RuleContext } from './types';
import { breaks, cause, combineEffects, keep } from './types';

/** Activations f with f(-x) = -f(x). Every other tfjs activation is not odd. */
export const ODD_ACTIVATIONS: ReadonlySet<string> = new Set(['linear', 'tanh', 'softsign']);

export function activationUnderSign(context: RuleContext, key = 'activation', fallback = 'linear'): LocalEffect {
  const activation = context.config.string(key, fallback);
  if (activation !== null && ODD_ACTIVATIONS.has(activation)) return keep();
  return breaks(cause(context, 'non-odd', `${context.ref.kind} uses the ${activation ?? 'unknown'} activation, which is not odd`));
}

export function biasUnderSign(context: RuleContext, key = 'useBias', fallback = true): LocalEffect {
  if (context.config.boolean(key, fallback) === false) return keep();
  const defaulted = !context.config.has(key);
  return breaks(
    cause(context, 'bias', `${context.ref.kind} adds a bias${defaulted ? ` (${key} defaults to true)` : ''}, so it is not odd`),
  );
}

/** An affine layer with an activation (dense, conv): odd iff no bias and an odd activation. */
export function affineUnderSign(context: RuleContext): LocalEffect {
  return combineEffects(biasUnderSign(context), activationUnderSign(context));
}

/** A layer that is never odd (relu, max pooling, embedding lookup...). */
export function nonOdd(context: RuleContext, why: string): LocalEffect {
  return breaks(cause(context, 'non-odd', why));
}
