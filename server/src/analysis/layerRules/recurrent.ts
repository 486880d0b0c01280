// Recurrent layers (simpleRNN, lstm, gru, rnn, convLstm2d) and their cells: a recurrence along
// an acting time or set axis depends on order; under sign only a bias-free tanh/linear
// simpleRNN is odd. Cells are classified but only make sense inside rnn({cell}).
import type { LayerNode } from '../graph';
import { ConfigReader } from './config';
import type { LayerRule, LocalEffect, RuleContext, Shape, ShapeContext } from './types';
import { breaks, cause, keep, unknown } from './types';
import { affineUnderSign, nonOdd } from './sign';
import { lastAxisMixing } from './pointwise';
import { convolutionEffect, readConvolutionGeometry } from './convolution';
import { readPadding, windowOutputLength } from './geometry';

/** The configuration that holds `units` and the activation: the cell's for rnn({cell}). */
function cellNode(node: LayerNode): LayerNode | undefined {
  return node.kind === 'rnn' ? node.inner : node;
}

export function recurrentShape(context: ShapeContext): Shape {
  const input = context.inputShapes[0];
  const cell = cellNode(context.node);
  const units = cell ? new ConfigReader(cell.config, false).number('units', Number.NaN) : null;
  const outUnits = units === null || Number.isNaN(units) ? null : units;
  if (!input) return undefined;
  const returnSequences = context.config.boolean('returnSequences', false);
  if (returnSequences === null) return undefined;
  return returnSequences ? [input[0], outUnits] : [outUnits];
}

/** Order dependence along the time axis (position 0), shared by every recurrent layer. */
export function recurrenceEffect(context: RuleContext, what: string): LocalEffect | undefined {
  if (context.group === 'sign' || !context.axes.includes(0)) return undefined;
  return breaks(cause(context, 'recurrent', `${what} reads the sequence in order, so ${context.group} along the time or set axis does not commute with it`));
}

/** After a recurrence that returned only its last state, the time axis is gone. */
function outputAxes(context: RuleContext): LocalEffect {
  const returnSequences = context.config.boolean('returnSequences', false);
  if (returnSequences || context.axes.length === 0) return keep();
  return keep({ axes: context.axes.filter((axis) => axis > 0).map((axis) => axis - 1) });
}

/** Under sign: simpleRNN with tanh or linear and no bias is odd; gated cells are not. */
export function recurrentUnderSign(context: RuleContext, node: LayerNode | undefined, what: string): LocalEffect {
  if (!node) return unknown(cause(context, 'non-constant-config', `${what}: the cell is not known statically`));
  if (node.kind === 'simpleRNN' || node.kind === 'simpleRNNCell') {
    const effect = affineUnderSign({ ...context, config: cellContextReader(node) });
    return effect.kind === 'break' ? breaks({ ...effect.cause, at: context.ref }) : effect;
  }
  if (node.kind === 'lstm' || node.kind === 'gru' || node.kind === 'lstmCell' || node.kind === 'gruCell' || node.kind === 'convLstm2d' || node.kind === 'convLstm2dCell') {
    return nonOdd(context, `${what} has sigmoid gates, which are not odd`);
  }
  return unknown(cause(context, 'unmodelled-layer', `${what}: the cell ${node.kind} is not modelled`));
}

/** simpleRNN's activation defaults to tanh, which is odd; a reader that applies that default. */
function cellContextReader(node: LayerNode): ConfigReader {
  const values = { ...node.config.values };
  if (!('activation' in values) && !node.config.openSpread) values.activation = 'tanh';
  return new ConfigReader({ values, openSpread: node.config.openSpread }, true);
}

function recurrent(kind: string): LayerRule {
  return {
    kind,
    family: 'recurrent',
    mixing: true,
    inputRank: 2,
    outputShape: recurrentShape,
    effect: (context) => {
      const what = kind === 'rnn' ? `rnn(${context.node.inner?.kind ?? 'cell'})` : kind;
      if (context.group === 'sign') return recurrentUnderSign(context, cellNode(context.node), what);
      return recurrenceEffect(context, what) ?? lastAxisMixing(context, what) ?? outputAxes(context);
    },
  };
}

function cell(kind: string): LayerRule {
  return {
    kind,
    family: 'recurrent',
    mixing: true,
    outputShape: () => undefined,
    effect: (context) => unknown(cause(context, 'unmodelled-layer', `${kind} is a cell: it is modelled only inside rnn({cell})`)),
  };
}

const convLstm2d: LayerRule = {
  kind: 'convLstm2d',
  family: 'recurrent',
  mixing: true,
  inputRank: 4,
  outputShape: (context) => {
    const input = context.inputShapes[0];
    if (!input) return undefined;
    const kernels = context.config.tuple('kernelSize', 2, Number.NaN);
    const strides = context.config.tuple('strides', 2, 1);
    const padding = readPadding(context.config.string('padding', 'valid'));
    const filters = context.config.number('filters', Number.NaN);
    const spatial = [1, 2].map((axis, index) => {
      const kernel = kernels[index];
      return windowOutputLength(input[axis], kernel === null || Number.isNaN(kernel) ? null : kernel, strides[index], padding);
    });
    const frame = [...spatial, filters === null || Number.isNaN(filters) ? null : filters];
    return context.config.boolean('returnSequences', false) ? [input[0], ...frame] : frame;
  },
  effect: (context) => {
    if (context.group === 'sign') return recurrentUnderSign(context, context.node, 'convLstm2d');
    const recurrence = recurrenceEffect(context, 'convLstm2d');
    if (recurrence) return recurrence;
    // The time axis does not act: judge the convolution over each frame's H and W.
    const frameContext: RuleContext = {
      ...context,
      inputShapes: context.inputShapes.map((shape) => shape?.slice(1)),
      inputRank: context.inputRank === undefined ? undefined : context.inputRank - 1,
      axes: context.axes.filter((axis) => axis > 0).map((axis) => axis - 1),
    };
    const frameEffect = lastAxisMixing(frameContext, 'convLstm2d') ?? convolutionEffect(frameContext, 'convLstm2d', 2, readConvolutionGeometry(frameContext, 2));
    const returnSequences = context.config.boolean('returnSequences', false);
    if (frameEffect.kind === 'keep' && returnSequences) {
      return { ...frameEffect, axes: frameContext.axes.map((axis) => axis + 1) };
    }
    return frameEffect;
  },
};

export const RECURRENT_RULES: LayerRule[] = [
  recurrent('simpleRNN'),
  recurrent('lstm'),
  recurrent('gru'),
  recurrent('rnn'),
  convLstm2d,
  cell('simpleRNNCell'),
  cell('lstmCell'),
  cell('gruCell'),
  cell('convLstm2dCell'),
  cell('stackedRNNCells'),
];
