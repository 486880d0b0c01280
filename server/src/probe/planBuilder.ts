// Turns one analysed model (graph, shapes, declarations) into a ProbePlan: literal configs
// (representative values for the widths the analysis does not know), input shapes chosen from
// the static shapes (probeSizes.ts), and an up-front parameter count so that a model past the
// limit is refused in milliseconds, before tfjs allocates anything.
import type { ts } from 'ts-morph';
import type { ConstValue, LayerNode, ModelGraph } from '../analysis/graph';
import { layerRuleFor } from '../analysis/layerRules';
import { inferShapes } from '../analysis/shapes';
import { feedsChannelsFirst } from '../analysis/groups';
import { effectiveState } from '../analysis/inference';
import type { SymmetryState } from '../analysis/symmetry';
import type { ModelAnalysis } from '../engine';
import { spanToLspRange } from '../engine';
import { layerSpanInModel } from '../rules/runner';
import { isChosenPathGap, literalProbeReach } from './literalReach';
import { planDeclarationOf, toPlanLayer, type PlanCustomBody, type PlanDeclaration, type PlanLayer, type ProbePlan } from './plan';
import { numberList, spatialRankOf, totalStrideOf } from './layerStrides';
import { chooseInputSizes } from './probeSizes';
import type { StructuralChoice } from './representativeConfig';

import { DEFAULT_DIMENSION, PROBE_SEED } from './plan';
export { DEFAULT_DIMENSION, PROBE_SEED };
// The worker's modules import these from layerStrides.ts: this module pulls in the engine.
export { spatialRankOf, stridesOf, totalStrideOf } from './layerStrides';

/** Where the analysis knows a class token sits in front of the set, per layer: the probe leaves those positions in place. */
function withTokenPrefixes(declaration: PlanDeclaration, states: readonly SymmetryState[]): PlanDeclaration {
  const prefixes: Record<number, number> = {};
  states.forEach((state, layer) => {
    const effective = state?.kind === 'unknown' ? effectiveState(state) : state;
    if (effective?.kind === 'acting' && effective.unmovedPrefix) prefixes[layer] = effective.unmovedPrefix;
  });
  return Object.keys(prefixes).length > 0 ? { ...declaration, tokenPrefixes: prefixes } : declaration;
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
  /** Estimated floating-point operations of the probe's batch (0 when the plan is unbuildable). */
  flops: number;
  /**
   * When structural values with a few possible values are not known statically: one plan per
   * combination of them, each to be probed (`plan` is the first). `choice` names the combination.
   */
  variants?: (BuiltPlan & { choice: string })[];
  /** The structural values not known statically that the variants try. */
  choices?: StructuralChoice[];
  /** How many layer outputs have a static shape at the chosen sizes: a value tfjs would refuse leaves holes. */
  shapedLayers: number;
}

/** Past this many combinations of unknown structural values, the probe does not try them all. */
export const MAX_STRUCTURAL_VARIANTS = 8;

/** Width caps tried, largest first, when a model's declared widths are past the parameter limit. */
const WIDTH_CAPS = [64, 16, 8];
const WIDTH_KEYS = ['units', 'filters', 'outputDim'];

/**
 * The graph with every literal width above `cap` lowered to it, or undefined when that changes
 * what the static analysis knows of a layer's shape (an add that needs the old width), or when a reshape or custom layer may count them.
 * min(width, cap) keeps equal widths equal, so most merges still fit.
 */
function withCappedWidths(graph: ModelGraph, cap: number, lineOf: (node: LayerNode) => number): { graph: ModelGraph; assumptions: string[] } | undefined {
  const assumptions: string[] = [];
  const cap1 = (node: LayerNode): LayerNode => {
    const values = { ...node.config.values };
    for (const key of WIDTH_KEYS) {
      const value = values[key];
      if (typeof value === 'number' && value > cap) {
        values[key] = cap;
        assumptions.push(`${key} = ${cap} instead of ${value} (${node.kind}, line ${lineOf(node)}): the declared widths are past the parameter limit, and widths do not decide a symmetry`);
      }
    }
    return { ...node, config: { ...node.config, values }, ...(node.inner ? { inner: cap1(node.inner) } : {}) };
  };
  // A reshape's target counts the old widths, and a custom layer may too.
  if (graph.layers.some((layer) => [layer, layer.inner].some((node) => node && (node.kind === 'reshape' || node.origin === 'custom')))) return undefined;
  const capped: ModelGraph = { ...graph, layers: graph.layers.map(cap1) };
  if (assumptions.length === 0) return undefined;
  const before = inferShapes(graph);
  const after = inferShapes(capped);
  const lost = graph.layers.some((layer) => {
    const known = before[layer.output];
    const now = after[layer.output];
    return known !== undefined && (now === undefined || now.length !== known.length || now.some((dim, axis) => dim === null && known[axis] !== null));
  });
  return lost ? undefined : { graph: capped, assumptions };
}

/**
 * The probe plan of one analysed model in `sourceFile`. With `maxParameters`, a model whose
 * declared widths are past it is probed with smaller widths (and says so) when that changes no
 * shape the analysis knows; otherwise the caller refuses it on the parameter count. A structural
 * value with a few possible values (`returnSequences`) that the analysis does not know gives one
 * variant per value: the caller probes each.
 */
export function buildProbePlan(model: ModelAnalysis, sourceFile: ts.SourceFile, maxParameters?: number): BuiltPlan {
  const { built, sized, widthAssumptions } = withinParameterLimit(model, sourceFile, maxParameters);
  const choices = built.choices ?? [];
  if (choices.length === 0 || built.plan.unbuildable) return built;
  const combinations = choices.reduce<ConstValue[][]>((sofar, choice) => sofar.flatMap((prefix) => choice.values.map((value) => [...prefix, value])), [[]]);
  const listed = choices.map((choice) => `${choice.key} (${choice.where})`).join(', ');
  if (combinations.length > MAX_STRUCTURAL_VARIANTS) {
    const plan = { ...built.plan, unbuildable: `${listed} are not compile-time constants, and they decide the verdict: ${combinations.length} combinations of their values, more than the ${MAX_STRUCTURAL_VARIANTS} the probe tries (declare them as constants, or use --probe-execute on trusted code)` };
    return { ...built, plan, flops: 0 };
  }
  const said = `${listed} not known statically, and ${choices.length > 1 ? 'they decide' : 'it decides'} the verdict: probed with each of its values (${choices.map((choice) => `${choice.key}: ${choice.values.map((value) => JSON.stringify(value)).join(' or ')}`).join('; ')})`;
  const all = combinations.map((values) => {
    const chosen = new Map(choices.map((choice, i) => [choice.id, values[i]]));
    const variant = buildProbePlanOf(sized, sourceFile, widthAssumptions, chosen);
    const choice = choices.map((c, i) => `${c.key} = ${JSON.stringify(values[i])}`).join(', ');
    return { ...variant, plan: { ...variant.plan, assumptions: [said, ...(variant.plan.assumptions ?? [])] }, choice };
  });
  // A value the rest of the model cannot take (a sequence into a layer that wants one vector)
  // leaves layers without a shape: the code cannot run with it, so it is not probed.
  const mostShaped = Math.max(...all.map((variant) => (variant.plan.unbuildable ? -1 : variant.shapedLayers)));
  const variants = all.filter((variant) => !variant.plan.unbuildable && variant.shapedLayers === mostShaped);
  if (variants.length === 0) return { ...all[0], variants: undefined };
  const dropped = all.filter((variant) => !variants.includes(variant)).map((variant) => variant.choice);
  if (dropped.length > 0) {
    const why = `not probed with ${dropped.join('; ')}: the layers after it could not take its output`;
    for (const variant of variants) variant.plan.assumptions = [...(variant.plan.assumptions ?? []), why];
  }
  return { ...variants[0], parameters: Math.max(...variants.map((variant) => variant.parameters)), variants, choices };
}

/** The plan, with widths capped when the declared ones are past `maxParameters` (see buildProbePlan). */
function withinParameterLimit(model: ModelAnalysis, sourceFile: ts.SourceFile, maxParameters: number | undefined): { built: BuiltPlan; sized: ModelAnalysis; widthAssumptions: string[] } {
  const built = buildProbePlanOf(model, sourceFile);
  const unchanged = { built, sized: model, widthAssumptions: [] };
  if (maxParameters === undefined || built.parameters <= maxParameters || built.plan.unbuildable) return unchanged;
  const lineOf = lineOfLayerIn(model, sourceFile);
  for (const cap of WIDTH_CAPS) {
    const capped = withCappedWidths(model.graph, cap, lineOf);
    if (!capped) return unchanged;
    const sized = { ...model, graph: capped.graph };
    const smaller = buildProbePlanOf(sized, sourceFile, capped.assumptions);
    if (smaller.plan.unbuildable) return unchanged;
    if (smaller.parameters <= maxParameters) return { built: smaller, sized, widthAssumptions: capped.assumptions };
  }
  return unchanged;
}

const ELEMENTWISE_MERGES = new Set(['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum']);

/**
 * Why a merge layer could not take its inputs at the probe's shapes (tfjs would refuse to build
 * it), or undefined. It happens on a path the analysis assumed (`if (channels === filters) add`)
 * that the declared widths rule out.
 */
function mismatchedMerge(layers: PlanLayer[], shapes: (number[] | undefined)[]): string | undefined {
  for (const layer of layers) {
    const inputs = layer.inputs.map((tensor) => shapes[tensor]);
    if (inputs.length < 2 || inputs.some((shape) => !shape)) continue;
    const known = inputs as number[][];
    let fits = true;
    if (ELEMENTWISE_MERGES.has(layer.kind)) {
      const rank = Math.max(...known.map((shape) => shape.length));
      for (let back = 1; back <= rank && fits; back++) {
        const dims = known.map((shape) => shape[shape.length - back] ?? 1).filter((dim) => dim !== 1);
        fits = dims.every((dim) => dim === dims[0]);
      }
    } else if (layer.kind === 'concatenate') {
      const rank = known[0].length;
      const raw = typeof layer.config.axis === 'number' ? layer.config.axis : -1;
      const axis = raw < 0 ? rank + raw : raw - 1;
      fits = known.every((shape) => shape.length === rank && shape.every((dim, i) => i === axis || dim === known[0][i]));
    }
    if (!fits) {
      return `${layer.kind}${layer.line > 0 ? ` (line ${layer.line})` : ''} cannot take inputs of shapes ${known.map((shape) => `[${shape.join(', ')}]`).join(' and ')} (tfjs would refuse to build it): the path the analysis assumed does not fit these widths, and the probe does not run it`;
    }
  }
  return undefined;
}

function lineOfLayerIn(model: ModelAnalysis, sourceFile: ts.SourceFile): (node: LayerNode) => number {
  return (node: LayerNode) => {
    const span = layerSpanInModel(model.graph, node);
    return span.file === sourceFile.fileName ? spanToLspRange(sourceFile, { start: span.start, end: span.end }).start.line + 1 : 0;
  };
}

/** The plan layer with the op graph the probe builds a custom layer from (literalReach.ts), its wrapped layer's too. */
function withCustomBody(layer: PlanLayer, node: LayerNode, bodies: ReadonlyMap<LayerNode, PlanCustomBody>): PlanLayer {
  const body = bodies.get(node);
  const inner = layer.inner && node.inner ? withCustomBody(layer.inner, node.inner, bodies) : layer.inner;
  return { ...layer, ...(body ? { body } : {}), ...(inner ? { inner } : {}) };
}

function buildProbePlanOf(model: ModelAnalysis, sourceFile: ts.SourceFile, widthAssumptions: string[] = [], chosen: ReadonlyMap<string, ConstValue> = new Map()): BuiltPlan {
  const lineOfSpan = (start: number, end: number) => spanToLspRange(sourceFile, { start, end }).start.line + 1;
  const lineOf = lineOfLayerIn(model, sourceFile);
  const groups = model.declarations.map((declaration) => declaration.group);
  // Widths, initializers and dropout rates the analysis does not know get representative values;
  // structural values it does not know stop the probe (representativeConfig.ts, literalReach.ts).
  const reach = literalProbeReach(model.graph, model.inferences, lineOf, chosen);
  const representative = reach.representative;
  const graph = representative.graph;
  const layers = graph.layers.map((node) => withCustomBody(toPlanLayer(node, lineOf), node, reach.customBodies));
  // One sentence per layer the user sees: a shared instance's applications say it once.
  const builtFromOpGraph = [
    ...new Set(
      [...reach.customBodies.keys()].map(
        (node) => `layer ${node.kind} (line ${lineOf(node)}) built from its static op graph (the tf ops of its call() and the weights of its build(), drawn at random): none of its code was run`,
      ),
    ),
  ];
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
  if (!unbuildable) unbuildable = mismatchedMerge(layers, sizes.tensorShapes);

  const shapeOf = (tensor: number): number[] | undefined => sizes.tensorShapes[tensor] ?? model.shapes[tensor]?.map((dim) => dim ?? DEFAULT_DIMENSION);
  const parameters = estimateParameters(layers, shapeOf);
  const assumptions = [...builtFromOpGraph, ...pathAssumptions, ...representative.assumptions, ...widthAssumptions, ...sizes.assumptions];
  const plan: ProbePlan = {
    modelName: graph.name,
    line: lineOfSpan(graph.nameSpan.start, graph.nameSpan.end),
    inputs,
    layers,
    outputs: graph.outputs,
    declarations: model.declarations.map((declaration, d) => withTokenPrefixes(planDeclarationOf(declaration), model.inferences[d]?.layerStates ?? [])),
    ...(unbuildable ? { unbuildable } : {}),
    ...(assumptions.length > 0 ? { assumptions } : {}),
    seed: PROBE_SEED,
  };
  const takesItsInput = (layer: PlanLayer) => {
    const rank = layerRuleFor(layer.kind, layer.origin)?.inputRank;
    const input = sizes.tensorShapes[layer.inputs[0]];
    return rank === undefined || !input || input.length === rank;
  };
  const shapedLayers = layers.filter((layer) => sizes.tensorShapes[layer.output] !== undefined && takesItsInput(layer)).length;
  return { plan, parameters, flops: unbuildable ? 0 : sizes.flops, shapedLayers, ...(representative.choices.length > 0 ? { choices: representative.choices } : {}) };
}
