// Wrapper layers: timeDistributed applies its inner layer to every time step (the time axis is
// untouched, the inner rule judges the rest); bidirectional runs its RNN both ways.
import type { LayerNode, LayerOrigin } from '../graph';
import { ConfigReader } from './config';
import type { LayerRule, LocalEffect, RuleContext, Shape } from './types';
import { cause, keep, toFlattened, toInvariant, unknown } from './types';
import { recurrenceEffect, recurrentShape } from './recurrent';

export type RuleLookup = (kind: string, origin: LayerOrigin) => LayerRule | undefined;

/** Maps the inner layer's effect on one time step back onto the [T, ...] tensor. */
function liftStepEffect(effect: LocalEffect, timeActs: boolean, stepAxes: number[]): LocalEffect {
  switch (effect.kind) {
    case 'keep': {
      const axes = (effect.axes ?? stepAxes).map((axis) => axis + 1);
      return { ...effect, axes: timeActs ? [0, ...axes] : axes };
    }
    case 'toInvariant':
      return timeActs ? { kind: 'keep', approx: effect.approx, subgroup: effect.subgroup, axes: [0] } : effect;
    case 'toFlattened':
      return toFlattened();
    case 'unknown':
      return { ...effect, assumed: liftStepEffect(effect.assumed, timeActs, stepAxes) };
    case 'break':
      return effect;
  }
}

export function wrapperRules(lookup: RuleLookup): LayerRule[] {
  const innerRule = (inner: LayerNode | undefined) => (inner ? lookup(inner.kind, inner.origin) : undefined);

  const timeDistributed: LayerRule = {
    kind: 'timeDistributed',
    family: 'wrapper',
    mixing: true,
    outputShape: (context): Shape => {
      const input = context.inputShapes[0];
      const inner = context.node.inner;
      const rule = innerRule(inner);
      if (!input || !inner || !rule) return undefined;
      const step = rule.outputShape({ node: inner, inputShapes: [input.slice(1)], config: new ConfigReader(inner.config, false) });
      return step ? [input[0], ...step] : undefined;
    },
    effect: (context) => {
      const inner = context.node.inner;
      const rule = innerRule(inner);
      if (!inner || !rule) {
        return unknown(cause(context, 'unmodelled-layer', `timeDistributed wraps ${inner ? `${inner.kind}, which` : 'a layer that'} the analysis does not model`));
      }
      const stepAxes = context.axes.filter((axis) => axis > 0).map((axis) => axis - 1);
      const stepContext: RuleContext = {
        ...context,
        node: inner,
        config: new ConfigReader(inner.config, true),
        inputShapes: context.inputShapes.map((shape) => shape?.slice(1)),
        outputShape: context.outputShape?.slice(1),
        inputRank: context.inputRank === undefined ? undefined : context.inputRank - 1,
        axes: stepAxes,
        flatAxes: undefined,
      };
      const timeActs = context.group !== 'sign' && context.axes.includes(0);
      const stepEffect = stepAxes.length === 0 && context.group !== 'sign' ? keep() : rule.effect(stepContext);
      return liftStepEffect(stepEffect, timeActs, stepAxes);
    },
  };

  const bidirectional: LayerRule = {
    kind: 'bidirectional',
    family: 'wrapper',
    mixing: true,
    inputRank: 2,
    outputShape: (context): Shape => {
      const inner = context.node.inner;
      if (!inner) return undefined;
      const shape = recurrentShape({ ...context, node: inner, config: new ConfigReader(inner.config, false) });
      const mergeMode = context.config.string('mergeMode', 'concat');
      if (!shape || mergeMode !== 'concat') return shape;
      const units = shape[shape.length - 1];
      return [...shape.slice(0, -1), units === null ? null : units * 2];
    },
    effect: (context) => {
      const inner = context.node.inner;
      const rule = innerRule(inner);
      if (!inner || !rule) return unknown(cause(context, 'unmodelled-layer', 'bidirectional wraps a layer the analysis does not model'));
      const recurrence = recurrenceEffect(context, `bidirectional(${inner.kind})`);
      if (recurrence) return recurrence;
      const effect = rule.effect({ ...context, node: inner, config: new ConfigReader(inner.config, true) });
      // Under sign, the product of the two odd directions is even.
      if (context.group === 'sign' && effect.kind === 'keep' && context.config.string('mergeMode', 'concat') === 'mul') return toInvariant();
      return effect;
    },
  };

  return [timeDistributed, bidirectional];
}
