// The rule of a custom layer class: runs the body extraction read from its build() and call()
// (customLayerBody.ts) through the op table (customOps.ts), with the input axes the declared
// group acts on, and turns the result into a local effect and an output shape like any layer's.
import type { BodyDim, BodyOperand, CustomLayerBody } from '../customLayerBody';
import type { SourceSpan } from '../graph';
import type { Cause, GroupName } from '../symmetry';
import { CUSTOM_OP_RULES, OpFall, unmovedPrefix, unreadValue, type OpOperand, type OpValue, type Size, type WindowNote } from './customOps';
import { CUSTOM_OP_PARITY, type Parity, type ParityCall } from './customOpParity';
import { orbitAfter, weightOrbit } from './customWindowOps';
import type { LayerRule, LocalEffect, RuleContext, Shape, SubgroupStep } from './types';
import { breaks, keep, toFlattened, toInvariant, unknown } from './types';

interface InputView {
  /** Shape without the batch axis; undefined when unknown. */
  shape: Shape;
  /** Acting axes, in the shape without the batch axis. */
  axes: number[];
  /** Leading positions of the acting axes that the group leaves in place (a class token an earlier layer put there). */
  unmoved?: number;
  /** The input's action is blockwise (a concatenation along an acting axis upstream). */
  blockwise?: boolean;
}

type Outcome = { value: OpValue; notes: WindowNote[] } | { fall: OpFall };

/** Ops the output depends on, so dead code (an unused initializer, a debug print) is not judged. */
function liveOps(body: CustomLayerBody): Set<number> {
  const live = new Set<number>();
  const pending = body.output === undefined ? [] : [body.output];
  while (pending.length > 0) {
    const id = pending.pop() as number;
    if (live.has(id)) continue;
    live.add(id);
    for (const operand of body.ops[id]?.operands ?? []) {
      if ('value' in operand) pending.push(operand.value);
      else if ('constant' in operand && Array.isArray(operand.constant)) {
        for (const item of operand.constant) if (item && typeof item === 'object' && '$tensor' in item) pending.push(Number((item as { $tensor: number }).$tensor));
      }
    }
  }
  return live;
}

function resolveDim(dim: BodyDim, inputs: InputView[], values: OpValue[]): Size {
  if (dim === null) return { n: null };
  if (typeof dim === 'number') return { n: dim };
  if ('op' in dim) {
    // A size of a value computed earlier in call(): its sizes count the batch axis, as `x.shape` does.
    const sizes = values[dim.op]?.sizes;
    if (!sizes) return { n: null };
    const axis = dim.axis < 0 ? sizes.length + dim.axis : dim.axis;
    return sizes[axis] ?? { n: null };
  }
  const shape = inputs[dim.input]?.shape;
  if (!shape) return { n: null, ...(dim.axis === 0 ? { sym: 'batch' } : {}) };
  const rank = shape.length + 1;
  const axis = dim.axis < 0 ? rank + dim.axis : dim.axis;
  if (axis === 0) return { n: null, sym: 'batch' };
  const unmoved = inputs[dim.input]?.unmoved && inputs[dim.input].axes.includes(axis - 1) ? { unmoved: inputs[dim.input].unmoved } : {};
  return { n: shape[axis - 1] ?? null, sym: `i${dim.input}:${axis}`, ...unmoved };
}

/** Runs the body for inputs with these shapes and acting axes, under `group` (none: shapes only). */
export function runBody(body: CustomLayerBody, inputs: InputView[], joint: boolean, group?: GroupName): Outcome {
  if (body.output === undefined) return { fall: new OpFall('gap', `${body.className}.call() returns no tensor the analysis follows`, body.classSpan) };
  const live = liveOps(body);
  const values: OpValue[] = [];
  const notes: WindowNote[] = [];
  try {
    for (let id = 0; id < body.ops.length; id++) {
      if (!live.has(id)) continue;
      const op = body.ops[id];
      if (op.op === 'input') {
        const index = Number(op.options?.index ?? 0);
        const input = inputs[index];
        if (!input) throw new OpFall('gap', `${body.className}.call() reads input ${index}, which the model does not give it`, op.span);
        const shape = input.shape;
        const unmoved = (axis: number) => (input.unmoved && input.axes.includes(axis) ? { unmoved: input.unmoved } : {});
        values[id] = {
          kind: 'data',
          tags: shape ? [false, ...shape.map((_, axis) => input.axes.includes(axis))] : undefined,
          sizes: shape ? [{ n: null, sym: 'batch' }, ...shape.map((n, axis) => ({ n, sym: `i${index}:${axis + 1}`, ...unmoved(axis) }))] : undefined,
          ...(input.blockwise ? { blockwise: true } : {}),
        };
        continue;
      }
      if (op.op === 'weight') {
        const dims = op.operands[0] && 'dims' in op.operands[0] ? op.operands[0].dims.map((dim) => resolveDim(dim, inputs, values)) : undefined;
        const name = String(op.options?.name ?? 'weight');
        const described = dims ? `[${dims.map((size) => (size.sym?.startsWith('i') ? symbolName(size.sym, inputs) : size.n === null ? '?' : String(size.n))).join(', ')}]` : '';
        values[id] = { kind: 'fixed', tags: dims?.map(() => false), sizes: dims, source: `the weight ${name}${described ? ' ' + described : ''}`, sourceSpan: op.span, orbit: weightOrbit(id) };
        continue;
      }
      const rule = CUSTOM_OP_RULES.get(op.op);
      if (!rule) throw new OpFall('gap', `${body.className}.call() uses ${op.op.startsWith('layer:') ? `a ${op.op.slice(6)} sublayer` : `tf.${op.op}`}, which the analysis has no rule for`, op.span);
      const operands = op.operands.map((operand) => decode(operand, values, inputs));
      const value = rule.apply({
        name: op.op,
        operands,
        span: op.span,
        joint,
        options: op.options as Record<string, unknown> | undefined,
        group,
        note: (note) => notes.push(note),
      });
      values[id] = withCarriedFacts(op.op, operands, value);
    }
  } catch (error) {
    if (error instanceof OpFall) return { fall: error };
    throw error;
  }
  return { value: values[body.output], notes };
}

/**
 * What an op's rule does not say itself: a weight's symmetrising orbit (kept only by the ops
 * that keep it), and the scale of data under translation (an elementwise op takes its data
 * operand's).
 */
function withCarriedFacts(op: string, operands: OpOperand[], value: OpValue): OpValue {
  const orbit = orbitAfter(op, operands, value);
  let result = orbit || value.orbit ? { ...value, orbit } : value;
  if (result.kind === 'data' && !result.scale) {
    const scaled = scaledDataOperand(operands);
    if (scaled) result = { ...result, scale: scaled.scale };
  }
  return result;
}

/** The first data operand (lists' items in order) that has a scale; a loop, as it runs for every op. */
function scaledDataOperand(operands: OpOperand[]): OpValue | undefined {
  for (const operand of operands) {
    if ('tensor' in operand) {
      if (operand.tensor.kind === 'data' && operand.tensor.scale) return operand.tensor;
    } else if ('tensors' in operand) {
      for (const tensor of operand.tensors) if (tensor.kind === 'data' && tensor.scale) return tensor;
    }
  }
  return undefined;
}

/**
 * Runs the body under sign: each value is an odd or even function of the inputs, or fixed.
 * `inputs` gives each input's parity (an input already even stays even).
 */
export function runBodyUnderSign(body: CustomLayerBody, inputs: Parity[]): { parity: Parity } | { fall: OpFall } {
  if (body.output === undefined) return { fall: new OpFall('gap', `${body.className}.call() returns no tensor the analysis follows`, body.classSpan) };
  const live = liveOps(body);
  const values: { parity: Parity; source?: string; sourceSpan?: SourceSpan }[] = [];
  try {
    for (let id = 0; id < body.ops.length; id++) {
      if (!live.has(id)) continue;
      const op = body.ops[id];
      if (op.op === 'input') {
        values[id] = { parity: inputs[Number(op.options?.index ?? 0)] ?? 'odd' };
        continue;
      }
      if (op.op === 'weight') {
        values[id] = { parity: 'fixed', source: `the weight ${String(op.options?.name ?? 'weight')}`, sourceSpan: op.span };
        continue;
      }
      const rule = CUSTOM_OP_PARITY.get(op.op);
      if (!rule) throw new OpFall('gap', `${body.className}.call() uses ${op.op.startsWith('layer:') ? `a ${op.op.slice(6)} sublayer` : `tf.${op.op}`}, which the analysis has no rule for`, op.span);
      const operands: ParityCall['operands'] = op.operands.map((operand) => {
        if ('value' in operand) return values[operand.value];
        if ('constant' in operand && Array.isArray(operand.constant) && operand.constant.some((item) => item && typeof item === 'object' && '$tensor' in (item as object))) {
          return { parities: operand.constant.map((item) => (item && typeof item === 'object' && '$tensor' in (item as object) ? values[Number((item as { $tensor: number }).$tensor)].parity : 'fixed')) };
        }
        const constant = 'constant' in operand ? operand.constant : undefined;
        const unread = unreadValue(constant);
        if (unread !== undefined) throw new OpFall('gap', `${op.op} meets a value the analysis cannot read (${unread})`, op.span);
        return { constant };
      });
      const from = op.op === 'part' && op.operands[0] && 'value' in op.operands[0] ? body.ops[op.operands[0].value]?.op : undefined;
      const parity = rule({ name: op.op, operands, options: op.options as Record<string, unknown> | undefined, span: op.span, ...(from ? { source: from } : {}) });
      values[id] = parity === 'fixed' ? { parity, source: operands.map((o) => ('source' in o ? o.source : undefined)).find(Boolean) ?? `a constant from tf.${op.op}`, sourceSpan: op.span } : { parity };
    }
  } catch (error) {
    if (error instanceof OpFall) return { fall: error };
    throw error;
  }
  return { parity: values[body.output].parity };
}

/** The input and axis (batch axis 0) a size symbol `i<input>:<axis>` names. */
function inputAxisOf(sym: string): [number, number] {
  const [input, axis] = sym.slice(1).split(':').map(Number);
  return [input, axis];
}

/** A size that is that of an acting axis of one of the inputs (`i0:1` when axis 1 of input 0 acts). */
function isActingSize(size: Size, inputs: InputView[]): boolean {
  if (!size.sym?.startsWith('i')) return false;
  const [input, axis] = inputAxisOf(size.sym);
  return inputs[input]?.axes.includes(axis - 1) ?? false;
}

/** `T` for the set axis of input 0, `F` for its last axis: sizes named as the messages name them. */
function symbolName(sym: string, inputs: InputView[]): string {
  const [input, axis] = inputAxisOf(sym);
  const view = inputs[input];
  const rank = view?.shape ? view.shape.length + 1 : undefined;
  if (view?.axes.includes(axis - 1)) return 'T';
  if (rank !== undefined && axis === rank - 1) return 'F';
  const size = view?.shape?.[axis - 1];
  return size === null || size === undefined ? `d${axis}` : String(size);
}

function decode(operand: BodyOperand, values: OpValue[], inputs: InputView[]): OpOperand {
  if ('value' in operand) return { tensor: values[operand.value] };
  if ('dims' in operand) return { dims: operand.dims.map((dim) => resolveDim(dim, inputs, values)) };
  const constant = operand.constant;
  if (Array.isArray(constant) && constant.some((item) => item && typeof item === 'object' && '$tensor' in (item as object))) {
    return {
      tensors: constant.map((item) =>
        item && typeof item === 'object' && '$tensor' in (item as object) ? values[Number((item as { $tensor: number }).$tensor)] : { kind: 'fixed', tags: [], sizes: [], source: 'a scalar' },
      ),
    };
  }
  return { constant };
}

function causeOf(context: RuleContext, body: CustomLayerBody, fall: OpFall): Cause {
  const sites: { span: SourceSpan; label: string }[] = [{ span: fall.span, label: `in ${body.className}.call()` }];
  if (fall.origin && (fall.origin.start !== fall.span.start || fall.origin.file !== fall.span.file)) sites.push({ span: fall.origin, label: `made in ${body.className}` });
  const code = fall.code === 'gap' ? 'unmodelled-layer' : fall.code;
  const detail = fall.detail.startsWith(body.className) ? fall.detail : `${body.className}: ${fall.detail}`;
  return { code, at: context.ref, detail, sites };
}

/** The local effect of a custom layer under the context's declaration. */
function customEffect(body: CustomLayerBody, context: RuleContext): LocalEffect {
  if (body.unfollowed) {
    return unknown({ code: 'unmodelled-layer', at: context.ref, detail: `${body.className}: cannot follow ${body.unfollowed.what}`, sites: [{ span: body.unfollowed.span, label: `in ${body.className}` }] });
  }
  if (context.group === 'sign') {
    const parities = context.inputShapes.map((_, index): Parity => (context.inputStates[index]?.kind === 'invariant' ? 'even' : 'odd'));
    const outcome = runBodyUnderSign(body, parities);
    if ('fall' in outcome) {
      const cause = causeOf(context, body, outcome.fall);
      return outcome.fall.code === 'gap' ? unknown(cause) : breaks(cause);
    }
    return outcome.parity === 'odd' ? keep() : toInvariant();
  }
  const inputs: InputView[] = context.inputShapes.map((shape, index) => {
    const state = context.inputStates[index];
    const unmoved = state?.kind === 'acting' ? state.unmovedPrefix : undefined;
    const blockwise = state?.kind === 'acting' && state.blockwise;
    return { shape, axes: context.inputAxes?.[index] ?? (index === 0 ? context.axes : []), ...(unmoved ? { unmoved } : {}), ...(blockwise ? { blockwise } : {}) };
  });
  const joint = context.group === 'rotation90' || context.group === 'dihedral';
  const outcome = runBody(body, inputs, joint, context.group);
  if ('fall' in outcome) {
    const cause = causeOf(context, body, outcome.fall);
    return outcome.fall.code === 'gap' ? unknown(cause) : breaks(cause);
  }
  const value = outcome.value;
  const { approx, subgroup, window } = notedEffects(context, body, outcome.notes);
  if (value.kind === 'fixed') {
    // A constant whose axis counts the positions of an acting axis (tf.range(T) of the input's
    // length, returned for an embedding to look up): the next layers add it position by position.
    const positional = value.sizes?.some((size) => isActingSize(size, inputs));
    if (!positional) return { kind: 'toInvariant', approx, subgroup };
    return breaks({
      code: 'positional-term',
      at: context.ref,
      detail: `${body.className} returns ${value.source ?? 'a constant'} counted along an acting axis, a term tied to positions`,
      sites: value.sourceSpan ? [{ span: value.sourceSpan, label: `made in ${body.className}.call()` }] : [],
    });
  }
  if (value.flattened) return toFlattened();
  if (!value.tags) return unknown({ code: 'unmodelled-layer', at: context.ref, detail: `${body.className}: the rank of its output is not known statically`, sites: [] });
  const axes = value.tags.flatMap((tag, axis) => (tag && axis > 0 ? [axis - 1] : []));
  const hadActing = inputs.some((input) => input.axes.length > 0);
  if (axes.length === 0 && hadActing) return { kind: 'toInvariant', approx, subgroup };
  // The class token's place, when every acting axis of the output still starts with it.
  const prefixes = new Set(value.tags.flatMap((tag, axis) => (tag && axis > 0 ? [unmovedPrefix(value.sizes?.[axis])] : [])));
  const unmoved = prefixes.size === 1 ? [...prefixes][0] : 0;
  const scale = context.group === 'translation' ? value.scale : undefined;
  return keep({
    axes,
    approx,
    subgroup,
    ...(window ? { window } : {}),
    ...(value.blockwise ? { blockwise: true } : {}),
    ...(scale && (scale.num !== 1 || scale.den !== 1) ? { rescale: { up: scale.num, down: scale.den } } : {}),
    ...(unmoved > 0 ? { unmovedPrefix: unmoved } : {}),
  });
}

/** The window ops' border, stride and grid notes as causes blamed on the layer, pointing at the op. */
function notedEffects(context: RuleContext, body: CustomLayerBody, notes: WindowNote[]): { approx: Cause[]; subgroup: SubgroupStep[]; window: boolean } {
  const causeAt = (note: Exclude<WindowNote, { level: 'window' }>): Cause => ({
    code: note.code,
    at: context.ref,
    detail: `${body.className}: ${note.detail}`,
    sites: [{ span: note.span, label: `in ${body.className}.call()` }],
  });
  return {
    approx: notes.flatMap((note) => (note.level === 'approx' ? [causeAt(note)] : [])),
    subgroup: notes.flatMap((note) => (note.level === 'subgroup' ? [{ k: note.k, cause: causeAt(note) }] : [])),
    window: notes.some((note) => note.level === 'window'),
  };
}

/** A rule for one custom layer instance, from its body. */
export function customLayerRule(body: CustomLayerBody, kind: string): LayerRule {
  return {
    kind,
    family: 'library',
    mixing: true,
    outputShape: (context) => {
      const inputs = context.inputShapes.map((shape) => ({ shape, axes: [] }));
      const outcome = runBody(body, inputs, false);
      if ('fall' in outcome || !outcome.value.sizes || outcome.value.kind !== 'data') return undefined;
      return outcome.value.sizes.slice(1).map((size) => (size.n !== null && size.n >= 0 ? size.n : null));
    },
    effect: (context) => customEffect(body, context),
  };
}
