// Turns one analysed model (graph, shapes, declarations) into a ProbePlan: literal configs
// (representative values for the widths the analysis does not know), input shapes chosen from
// the static shapes (probeSizes.ts), and an up-front parameter count so that a model past the
// limit is refused in milliseconds, before tfjs allocates anything.
import type { ts } from 'ts-morph';
import type { LayerNode } from '../analysis/graph';
import { feedsChannelsFirst } from '../analysis/groups';
import type { ModelAnalysis } from '../engine';
import { spanToLspRange } from '../engine';
import { layerSpanInModel } from '../rules/runner';
import { isChosenPathGap, literalProbeReach } from './literalReach';
import { planDeclarationOf, toPlanLayer, type PlanLayer, type ProbePlan } from './plan';
import { numberList, spatialRankOf, totalStrideOf } from './layerStrides';
import { chooseInputSizes } from './probeSizes';

import { DEFAULT_DIMENSION, PROBE_SEED } from './plan';
export { DEFAULT_DIMENSION, PROBE_SEED };
// The worker's modules import these from layerStrides.ts: this module pulls in the engine.
export { spatialRankOf, stridesOf, totalStrideOf } from './layerStrides';

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
  /** Estimated floating-point operations of the probe's batch (0 when the plan is unbuildable). */
  flops: number;
}

/** The probe plan of one analysed model in `sourceFile`. */
export function buildProbePlan(model: ModelAnalysis, sourceFile: ts.SourceFile): BuiltPlan {
  const lineOfSpan = (start: number, end: number) => spanToLspRange(sourceFile, { start, end }).start.line + 1;
  const lineOf = (node: LayerNode) => {
    const span = layerSpanInModel(model.graph, node);
    return span.file === sourceFile.fileName ? lineOfSpan(span.start, span.end) : 0;
  };
  const groups = model.declarations.map((declaration) => declaration.group);
  // Widths, initializers and dropout rates the analysis does not know get representative values;
  // structural values it does not know stop the probe (representativeConfig.ts, literalReach.ts).
  const reach = literalProbeReach(model.graph, model.inferences, lineOf);
  const representative = reach.representative;
  const graph = representative.graph;
  const layers = graph.layers.map((node) => toPlanLayer(node, lineOf));
  const totalStride = totalStrideOf(layers);

  let unbuildable: string | undefined;
  const problems = reach.obstacles.map((obstacle) => obstacle.message);
  const pathAssumptions = model.graph.gaps
    .filter(isChosenPathGap)
    .map((gap) => `${gap.message}${gap.span.file === sourceFile.fileName ? ` (line ${lineOfSpan(gap.span.start, gap.span.end)})` : ''}: measured on that path, as the static analysis assumes`);
  if (problems.length > 0) unbuildable = problems[0];

  const firstConsumer = (tensor: number) => layers.find((layer) => layer.inputs.includes(tensor));
  const vocabularies = graph.inputs.map((input) => {
    const consumer = firstConsumer(input.tensor);
    return consumer?.kind === 'embedding' && typeof consumer.config.inputDim === 'number' ? consumer.config.inputDim : undefined;
  });
  // Sizes come from the static shapes, never from tfjs: an empty layer output traps tfjs-wasm.
  const sizes = chooseInputSizes({
    graph,
    layers,
    // An input of unknown shape is probed with the structure the declarations assumed for it.
    staticShapes: graph.inputs.map((input) => model.shapes[input.tensor] ?? input.shape ?? model.inferences.find((inference) => inference.assumedInput)?.assumedInput?.shape),
    tokenInputs: vocabularies.map((vocabulary) => vocabulary !== undefined),
    groups,
    totalStride,
  });
  if (!unbuildable && sizes.problem) unbuildable = sizes.problem;
  const inputs = graph.inputs.map((input, i) => ({
    tensor: input.tensor,
    shape: sizes.shapes[i],
    ...(vocabularies[i] !== undefined ? { tokenVocabulary: vocabularies[i] } : {}),
    ...(feedsChannelsFirst(graph, input.tensor) ? { channelsFirst: true } : {}),
  }));
  if (!unbuildable && inputs.length === 0) unbuildable = 'the model has no input whose shape the analysis could find';

  const shapeOf = (tensor: number): number[] | undefined => sizes.tensorShapes[tensor] ?? model.shapes[tensor]?.map((dim) => dim ?? DEFAULT_DIMENSION);
  const parameters = estimateParameters(layers, shapeOf);
  const assumptions = [...pathAssumptions, ...representative.assumptions, ...sizes.assumptions];
  const plan: ProbePlan = {
    modelName: graph.name,
    line: lineOfSpan(graph.nameSpan.start, graph.nameSpan.end),
    inputs,
    layers,
    outputs: graph.outputs,
    declarations: model.declarations.map(planDeclarationOf),
    ...(unbuildable ? { unbuildable } : {}),
    ...(assumptions.length > 0 ? { assumptions } : {}),
    seed: PROBE_SEED,
  };
  return { plan, parameters, flops: unbuildable ? 0 : sizes.flops };
}
