// Whether the literal probe can build a custom layer (`class X extends tf.layers.Layer`) from the
// op graph extraction read of its build() and call() (analysis/customLayerBody.ts), and the plain
// data the worker then evaluates (opGraphLayer.ts): the ops call()'s output depends on, each on
// the probe's allow-list (customLayerOps.ts), with constant operands, weight shapes in terms of
// the input shapes, and sublayers with literal configurations. Main thread, no tfjs.
import type { BodyOp, BodyOperand, CustomLayerBody } from '../analysis/customLayerBody';
import type { LayerNode, ModelGraph, SourceSpan } from '../analysis/graph';
import { layerRuleFor } from '../analysis/layerRules';
import type { GroupName } from '../analysis/symmetry';
import { isAllowedCustomLayerOp } from './customLayerOps';
import { toPlanLayer, toPlanValue, type PlanBodyDim, type PlanBodyOp, type PlanBodyOperand, type PlanCustomBody } from './plan';
import { withRepresentativeValues } from './representativeConfig';

export type CustomLayerPlanning =
  | { body: PlanCustomBody; /** Values chosen for the sublayers' unknown widths, in words. */ assumptions: string[] }
  | { obstacle: string };

/** The ops `output` depends on (through tensors and lists of tensors), as a set of indices. */
function liveOps(body: CustomLayerBody, output: number): Set<number> {
  const live = new Set<number>();
  const visit = (index: number) => {
    if (live.has(index) || !body.ops[index]) return;
    live.add(index);
    for (const operand of body.ops[index].operands) {
      if ('value' in operand) visit(operand.value);
      else if ('constant' in operand) tensorReferences(operand.constant).forEach(visit);
    }
  };
  visit(output);
  return live;
}

/** The `{$tensor: op}` entries of a list operand (`tf.concat([a, b])`). */
function tensorReferences(value: unknown): number[] {
  if (Array.isArray(value)) return value.flatMap(tensorReferences);
  if (value !== null && typeof value === 'object' && typeof (value as { $tensor?: unknown }).$tensor === 'number') return [(value as { $tensor: number }).$tensor];
  return [];
}

/**
 * The custom layer `node` as the literal probe builds it, or why it cannot: the first op or
 * construct that stops it, named with its line. `lineOfSpan` gives a span's 1-based line in the
 * model's file (0 elsewhere).
 */
export function planCustomLayer(node: LayerNode, graph: ModelGraph, groups: GroupName[], lineOfSpan: (span: SourceSpan) => number): CustomLayerPlanning {
  const layerLine = lineOfSpan(node.nameSpan);
  const where = (span: SourceSpan) => {
    const line = lineOfSpan(span);
    return line > 0 ? ` (line ${line})` : ` (in ${node.kind})`;
  };
  const refuse = (why: string): CustomLayerPlanning => ({ obstacle: `cannot build layer ${node.kind} (line ${layerLine}) from its static op graph: ${why}; only running its class can build it (--probe-execute, or a trusted workspace)` });
  const body = node.body;
  if (!body) return { obstacle: `cannot build layer ${node.kind} (line ${layerLine}): the analysis does not see its class (a layer object made elsewhere, as by a loaded model, or a class without call()); only running the code can build it (--probe-execute, or a trusted workspace)` };
  if (body.unfollowed) return refuse(`${body.unfollowed.what}${where(body.unfollowed.span)} is not followed by the analysis`);
  if (body.output === undefined) return refuse('call() returns no tensor the analysis follows');
  const live = liveOps(body, body.output);
  const assumptions: string[] = [];
  const ops: (PlanBodyOp | null)[] = [];
  for (let index = 0; index < body.ops.length; index++) {
    const op = body.ops[index];
    if (!live.has(index)) {
      ops.push(null);
      continue;
    }
    const line = lineOfSpan(op.span);
    const named = `${op.op.startsWith('layer:') ? op.op.slice('layer:'.length) : `tf.${op.op}`}${where(op.span)}`;
    if (op.op === 'input') {
      const input = Number(op.options?.index ?? 0);
      if (!(input >= 0 && input < node.inputs.length)) return refuse(`call() reads input ${input + 1}, and the layer is applied to ${node.inputs.length}`);
      ops.push({ op: 'input', operands: [], options: { index: input }, line });
      continue;
    }
    if (op.op === 'weight') {
      const shape = weightShape(op, node.inputs.length);
      const name = typeof op.options?.name === 'string' ? op.options.name : 'weight';
      if (!shape) return refuse(`the shape of the weight '${name}'${where(op.span)} is not known statically`);
      ops.push({ op: 'weight', operands: [{ dims: shape }], options: { name }, line });
      continue;
    }
    if (op.op.startsWith('layer:')) {
      const sublayer = planSublayer(node, op, graph, groups, lineOfSpan);
      if ('obstacle' in sublayer) return refuse(`${named} ${sublayer.obstacle}`);
      assumptions.push(...sublayer.assumptions);
      const operands = op.operands.slice(0, 1).map((operand) => planOperand(operand, node.inputs.length));
      if (operands.length !== 1 || !operands[0] || !('value' in operands[0])) return refuse(`${named} is applied to something other than one tensor`);
      ops.push({ op: op.op, operands: operands as PlanBodyOperand[], sublayer: sublayer.layer, line });
      continue;
    }
    if (!isAllowedCustomLayerOp(op.op)) return refuse(`${named} is not among the tf ops the probe evaluates`);
    const operands: PlanBodyOperand[] = [];
    for (let position = 0; position < op.operands.length; position++) {
      const operand = planOperand(op.operands[position], node.inputs.length);
      if (!operand) return refuse(`operand ${position + 1} of ${named} is not known statically`);
      operands.push(operand);
    }
    // A size the analysis could not compute is one tfjs can: reshape's single free axis (-1).
    const sizes = operands.flatMap((operand, position) => ('dims' in operand ? operand.dims.map((dim) => ({ dim, position })) : []));
    const unknown = sizes.filter(({ dim }) => dim === null);
    const free = sizes.filter(({ dim }) => dim === null || dim === -1);
    if (unknown.length > 0 && (op.op !== 'reshape' || unknown.some(({ position }) => position !== 1) || free.length > 1)) {
      return refuse(`a size in ${named} is computed at run time from sizes the analysis does not follow`);
    }
    ops.push({ op: op.op, operands, ...(op.op === 'part' ? { options: { index: Number(op.options?.index ?? 0) } } : {}), line });
  }
  return { body: { className: body.className, ops, output: body.output }, assumptions };
}

/** An addWeight's shape in terms of the layer's input shapes, or undefined when a size is not known. */
function weightShape(op: BodyOp, inputCount: number): PlanBodyDim[] | undefined {
  const operand = op.operands[0];
  if (!operand || !('dims' in operand)) return undefined;
  const dims: PlanBodyDim[] = [];
  for (const dim of operand.dims) {
    if (typeof dim === 'number' && Number.isInteger(dim) && dim > 0) dims.push(dim);
    // The batch axis has no size at build time.
    else if (dim !== null && typeof dim === 'object' && 'input' in dim && dim.input < inputCount && dim.axis !== 0) dims.push({ input: dim.input, axis: dim.axis });
    else return undefined;
  }
  return dims;
}

/** One operand as plain data; undefined when it is not known statically. */
function planOperand(operand: BodyOperand, inputCount: number): PlanBodyOperand | undefined {
  if ('value' in operand) return { value: operand.value };
  if ('dims' in operand) {
    if (operand.dims.some((dim) => dim !== null && typeof dim === 'object' && 'input' in dim && dim.input >= inputCount)) return undefined;
    // A size of a value computed in call() is one the probe does not compute ahead: unknown, as a size it cannot read.
    return { dims: operand.dims.map((dim) => (dim !== null && typeof dim === 'object' ? ('input' in dim ? { input: dim.input, axis: dim.axis } : null) : dim)) };
  }
  // An argument left out (tfjs takes its default) stays left out.
  if (operand.constant === undefined) return {};
  const value = toPlanValue(operand.constant);
  return value === undefined ? undefined : { constant: value };
}

/** A `layer:<kind>` op's sublayer as a plan layer with representative widths, or why not. */
function planSublayer(
  node: LayerNode,
  op: BodyOp,
  graph: ModelGraph,
  groups: GroupName[],
  lineOfSpan: (span: SourceSpan) => number,
): { layer: NonNullable<PlanBodyOp['sublayer']>; assumptions: string[] } | { obstacle: string } {
  const kind = op.op.slice('layer:'.length);
  if (!layerRuleFor(kind, 'tfjs')) return { obstacle: 'is not a tf.layers layer the probe knows' };
  const line = lineOfSpan(op.span);
  const sublayer: LayerNode = { ...node, kind, origin: 'tfjs', config: { values: { ...(op.options ?? {}) } }, inner: undefined, body: undefined, sharedWith: undefined, span: op.span, nameSpan: op.span, callStack: [] };
  const representative = withRepresentativeValues({ ...graph, layers: [sublayer] }, groups, () => line);
  if (representative.structuralUnknown) return { obstacle: representative.structuralUnknown.replace(/^cannot build layer \S+ \(line \d+\): /, 'has a configuration value that ') };
  if (representative.choices.length > 0) return { obstacle: `has ${representative.choices.map((choice) => choice.key).join(', ')} not known statically` };
  const layer = toPlanLayer(representative.graph.layers[0], () => line);
  // Every unknown value was replaced or refused above, but for an open spread.
  if (layer.nonConstant.length > 0) return { obstacle: `has ${layer.nonConstant.join(', ')} not known statically` };
  return { layer, assumptions: representative.assumptions.map((text) => `${text} (in ${node.kind})`) };
}
