// The per-layer semantics table: every tf.layers factory of tfjs 4.22 and every class of the
// equivariant library, with the rule that gives its output shape and local symmetry effect.
import type { LayerNode, LayerOrigin } from '../graph';
import type { CustomLayerBody } from '../customLayerBody';
import { customLayerRule } from './customLayer';
import { MalformedConfig, NonConstantConfig } from './config';
import type { LayerRule, LocalEffect, RuleContext } from './types';
import { cause, unknown } from './types';
import { POINTWISE_RULES } from './pointwise';
import { CONVOLUTION_RULES } from './convolution';
import { POOLING_RULES } from './pooling';
import { RESHAPING_RULES } from './reshaping';
import { BORDER_RULES } from './border';
import { PREPROCESSING_RULES } from './preprocessing';
import { RECURRENT_RULES } from './recurrent';
import { MERGE_RULES } from './merge';
import { LIBRARY_RULES } from './library';
import { wrapperRules } from './wrappers';

export type { LayerRule, LocalEffect, RuleContext, ShapeContext, Shape, SubgroupStep } from './types';

function byKind(rules: LayerRule[]): Map<string, LayerRule> {
  const table = new Map<string, LayerRule>();
  for (const rule of rules) {
    if (table.has(rule.kind)) throw new Error(`two layer rules for ${rule.kind}`);
    table.set(rule.kind, rule);
  }
  return table;
}

const TFJS_RULES = byKind([
  ...POINTWISE_RULES,
  ...CONVOLUTION_RULES,
  ...POOLING_RULES,
  ...RESHAPING_RULES,
  ...BORDER_RULES,
  ...PREPROCESSING_RULES,
  ...RECURRENT_RULES,
  ...MERGE_RULES,
  ...wrapperRules((kind, origin) => layerRuleFor(kind, origin)),
]);

const LIBRARY_TABLE = byKind(LIBRARY_RULES);

/** Every tf.layers factory name with a rule. */
export const TFJS_LAYER_FACTORIES: ReadonlySet<string> = new Set(TFJS_RULES.keys());

/** Every class of the equivariant layers library with a rule. */
export const LIBRARY_LAYER_CLASSES: ReadonlySet<string> = new Set(LIBRARY_TABLE.keys());

/** The rule for a layer, or undefined for custom layers and unknown names (an analysis gap). */
export function layerRuleFor(kind: string, origin: LayerOrigin): LayerRule | undefined {
  if (origin === 'tfjs') return TFJS_RULES.get(kind);
  if (origin === 'library') return LIBRARY_TABLE.get(kind);
  return undefined;
}

/**
 * Where a custom layer's rule is kept, made once per body (the body is shared while its class is
 * unchanged): on the body itself, not in a WeakMap keyed by it. The rule's closures refer to the
 * body, and V8's young-generation collector keeps such an entry's key and value alive, so every
 * body a checked file read was promoted and freed only by a full collection (docs/decisions.md).
 * Not enumerable, so copies, clones, JSON and deep equality never see it.
 */
const RULE_OF_BODY = Symbol('customLayerRule');

/** The rule for a layer node: its table entry, or for a custom layer class the rule its body gives. */
export function ruleForLayer(layer: Pick<LayerNode, 'kind' | 'origin' | 'body'>): LayerRule | undefined {
  if (layer.body && layer.origin === 'custom') {
    const holder = layer.body as CustomLayerBody & { [RULE_OF_BODY]?: LayerRule };
    let rule = holder[RULE_OF_BODY];
    if (!rule) {
      rule = customLayerRule(layer.body, layer.kind);
      Object.defineProperty(holder, RULE_OF_BODY, { value: rule, enumerable: false, configurable: true, writable: true });
    }
    return rule;
  }
  return layerRuleFor(layer.kind, layer.origin);
}

/**
 * Runs a rule's effect; a configuration value the rule needs but cannot read (not a constant,
 * or a constant of the wrong shape) becomes an analysis gap naming the key.
 */
export function applyLayerRule(rule: LayerRule, context: RuleContext): LocalEffect {
  try {
    return rule.effect(context);
  } catch (error) {
    if (error instanceof NonConstantConfig) {
      return unknown(cause(context, 'non-constant-config', `the ${error.key} of ${context.ref.kind} is not a compile-time constant`));
    }
    if (error instanceof MalformedConfig) {
      return unknown(cause(context, 'non-constant-config', `the ${error.key} of ${context.ref.kind}${error.message.slice(error.key.length)}`));
    }
    throw error;
  }
}
