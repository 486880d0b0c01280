// Turns one analysed model (graph, shapes, declarations) into a ProbePlan: literal configs,
// input shapes with the SPEC 5 defaults, and an up-front parameter count so that a model past
// the limit is refused in milliseconds, before tfjs allocates anything.
import type { ts } from 'ts-morph';
import type { LayerNode } from '../analysis/graph';
import { feedsChannelsFirst } from '../analysis/groups';
import type { ModelAnalysis } from '../engine';
import { spanToLspRange } from '../engine';
import { layerSpanInModel } from '../rules/runner';
import { toPlanLayer, type PlanLayer, type ProbePlan } from './plan';

/** SPEC 5: unknown dimensions default to 16, or the smallest size the strides allow. */
export const DEFAULT_DIMENSION = 16;
export const PROBE_SEED = 1234;
/** Keys the probe replaces itself (input sizes get the SPEC 5 defaults, names are dropped). */
const PROBE_DEFAULTED_KEYS = new Set(['inputShape', 'batchInputShape', 'batchSize', 'name']);

function numberList(value: unknown, rank: number, fallback: number): number[] {
  if (typeof value === 'number') return new Array<number>(rank).fill(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return value as number[];
  return new Array<number>(rank).fill(fallback);
}

/** The number of spatial axes a convolution or pooling factory works on (`conv2d` -> 2). */
export function spatialRankOf(kind: string): number | undefined {
  const match = /(\d)d(Transpose)?$/i.exec(kind);
  return match ? Number(match[1]) : undefined;
}

/** The stride a layer applies along each of its spatial axes (1 when it has none). */
export function stridesOf(layer: Pick<PlanLayer, 'kind' | 'config'>): number[] {
  const rank = spatialRankOf(layer.kind);
  if (rank === undefined || /^global/i.test(layer.kind)) return [];
  if (/pooling/i.test(layer.kind)) {
    const pool = numberList(layer.config.poolSize ?? layer.config.poolSize, rank, 2);
    return numberList(layer.config.strides, rank, 0).map((stride, i) => (stride > 0 ? stride : pool[i]));
  }
  if (/^(conv|separableConv|depthwiseConv|locallyConnected|P4Conv|BlurPool|PolyphasePool)/i.test(layer.kind)) {
    // The library's downsampling layers take one `stride` (default 2), not tfjs' `strides`.
    if (/^(BlurPool|PolyphasePool)/i.test(layer.kind)) return numberList(layer.config.stride, rank, 2);
    return numberList(layer.config.strides, rank, 1);
  }
  return [];
}

function product(values: number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** Parameter count from static shapes, for the limit; layers it cannot size count as 0. */
export function estimateParameters(layers: PlanLayer[], shapeOf: (tensor: number) => number[] | undefined): number {
  let total = 0;
  for (const layer of layers) {
    if (layer.sharedWith !== undefined) continue;
    const input = shapeOf(layer.inputs[0]);
    total += layerParameters(layer.inner ?? layer, input && layer.inner && input.length > 1 ? input.slice(1) : input);
  }
  return total;
}

function layerParameters(layer: PlanLayer, input: number[] | undefined): number {
  const c = layer.config;
  const num = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);
  const lastDim = input && input.length > 0 ? input[input.length - 1] : DEFAULT_DIMENSION;
  const bias = c.useBias === false ? 0 : 1;
  switch (layer.kind) {
    case 'dense':
      return (lastDim + bias) * num(c.units, 0);
    case 'embedding':
      return num(c.inputDim, 0) * num(c.outputDim, 0);
    case 'batchNormalization':
    case 'layerNormalization':
      return 4 * lastDim;
    case 'prelu':
      return input ? product(input) : 0;
    case 'lstm':
    case 'gru':
    case 'simpleRNN': {
      const units = num(c.units, 0);
      const gates = layer.kind === 'lstm' ? 4 : layer.kind === 'gru' ? 3 : 1;
      return gates * (units * (lastDim + units) + units);
    }
    default: {
      const rank = spatialRankOf(layer.kind);
      if (rank === undefined || !/conv/i.test(layer.kind)) return 0;
      const kernel = product(numberList(c.kernelSize, rank, 1));
      if (/^depthwise/.test(layer.kind)) return kernel * lastDim * num(c.depthMultiplier, 1) + bias * lastDim;
      const filters = num(c.filters, 0);
      if (/^separable/.test(layer.kind)) return kernel * lastDim * num(c.depthMultiplier, 1) + lastDim * num(c.depthMultiplier, 1) * filters + bias * filters;
      return kernel * lastDim * filters + bias * filters;
    }
  }
}

export interface BuiltPlan {
  plan: ProbePlan;
  parameters: number;
}

/** The probe plan of one analysed model in `sourceFile`. */
export function buildProbePlan(model: ModelAnalysis, sourceFile: ts.SourceFile): BuiltPlan {
  const graph = model.graph;
  const lineOfSpan = (start: number, end: number) => spanToLspRange(sourceFile, { start, end }).start.line + 1;
  const lineOf = (node: LayerNode) => {
    const span = layerSpanInModel(graph, node);
    return span.file === sourceFile.fileName ? lineOfSpan(span.start, span.end) : 0;
  };
  const layers = graph.layers.map((node) => toPlanLayer(node, lineOf));
  const totalStride = Math.max(1, product(layers.map((layer) => Math.max(1, ...stridesOf(layer)))));
  const defaultDim = Math.max(DEFAULT_DIMENSION, totalStride);

  let unbuildable: string | undefined;
  const problems: string[] = [];
  for (const layer of layers) {
    for (const candidate of layer.inner ? [layer, layer.inner] : [layer]) {
      if (candidate.origin === 'custom') problems.push(`cannot build layer ${candidate.kind} (line ${candidate.line}): it is a custom layer the probe has no literal configuration for`);
      else if (candidate.nonConstant.some((key) => !PROBE_DEFAULTED_KEYS.has(key))) problems.push(`cannot build layer ${candidate.kind} (line ${candidate.line}): ${candidate.nonConstant.filter((key) => !PROBE_DEFAULTED_KEYS.has(key)).join(', ')} is not a compile-time constant`);
    }
  }
  if (graph.layers.length === 0) problems.push('the model has no layers the analysis could find');
  if (graph.gaps.length > 0) problems.push(`the layer graph is incomplete: ${graph.gaps[0].message}`);
  const mismatch = model.inferences.find((inference) => inference.mismatch);
  if (mismatch?.mismatch) problems.push(`the declaration "${mismatch.declaration.text}" does not fit the model: ${mismatch.mismatch.message}`);
  if (problems.length > 0) unbuildable = problems[0];

  const firstConsumer = (tensor: number) => layers.find((layer) => layer.inputs.includes(tensor));
  const inputs = graph.inputs.map((input) => {
    // An input of unknown shape is probed with the structure the declarations assumed for it.
    const assumed = model.inferences.find((inference) => inference.assumedInput)?.assumedInput?.shape;
    const staticShape = model.shapes[input.tensor] ?? input.shape ?? assumed;
    const shape = (staticShape ?? [null]).map((dim) => (typeof dim === 'number' && dim > 0 ? dim : defaultDim));
    const consumer = firstConsumer(input.tensor);
    const vocabulary = consumer?.kind === 'embedding' && typeof consumer.config.inputDim === 'number' ? consumer.config.inputDim : undefined;
    return {
      tensor: input.tensor,
      shape,
      ...(vocabulary !== undefined ? { tokenVocabulary: vocabulary } : {}),
      ...(feedsChannelsFirst(graph, input.tensor) ? { channelsFirst: true } : {}),
    };
  });
  if (!unbuildable && inputs.length === 0) unbuildable = 'the model has no input whose shape the analysis could find';

  const shapeOf = (tensor: number): number[] | undefined => {
    const shape = model.shapes[tensor];
    return shape ? shape.map((dim) => dim ?? defaultDim) : undefined;
  };
  const parameters = estimateParameters(layers, shapeOf);
  const plan: ProbePlan = {
    modelName: graph.name,
    line: lineOfSpan(graph.nameSpan.start, graph.nameSpan.end),
    inputs,
    layers,
    outputs: graph.outputs,
    declarations: model.declarations.map((d) => ({ mode: d.mode, group: d.group, axis: d.axis, tol: d.tol, approximate: d.approximate })),
    ...(unbuildable ? { unbuildable } : {}),
    seed: PROBE_SEED,
  };
  return { plan, parameters };
}
