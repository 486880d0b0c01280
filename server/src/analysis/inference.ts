// Symmetry inference: walks the layer graph in data-flow order, composes each layer's local
// effect with its input states, and finds the first-break falls (SPEC section 4).
import type { LayerNode, ModelGraph } from './graph';
import type { Cause, DeclarationInference, Fall, FallLevel, Fidelity, LayerRef, ShapeTable, SymmetryDeclaration, SymmetryState } from './symmetry';
import { ConfigReader } from './layerRules/config';
import { applyLayerRule, ruleForLayer } from './layerRules';
import { unknownLibraryLayer } from './layerRules/library';
import type { LayerRule, LocalEffect, RuleContext, SubgroupStep } from './layerRules/types';
import { keep, unknown } from './layerRules/types';
import { actingAxesForRank, declarationMismatch, feedsChannelsFirst, feedsTokenIds } from './groups';
import { gcd, lcm } from './layerRules/geometry';
import { inferShapes, undeclaredInputRank } from './shapes';

/** What inference tracks per tensor besides its state. */
interface TensorFacts {
  state: SymmetryState;
  /** Acting axes, tracked even after a break so later layers can be recognised as repeats. */
  axes: number[];
  flatAxes?: number[];
  /** Circular margin from a CircularPad2D upstream. */
  margin: number;
  /**
   * Positions of this tensor that a shift by 1 of the model input moves, as a fraction
   * (translation only): 2 after upsampling by 2, 1/2 after a stride of 2. Taken as a common
   * divisor over the acting axes, so a stride is never judged finer than it is.
   */
  scale: Fraction;
}

interface Fraction {
  num: number;
  den: number;
}

const UNIT_SCALE: Fraction = { num: 1, den: 1 };

function fraction(num: number, den: number): Fraction {
  const divisor = gcd(num, den) || 1;
  return { num: num / divisor, den: den / divisor };
}

/**
 * Restates a layer's subgroup steps, given in shifts of the layer's own input, in shifts of the
 * model input: the tensor already commutes only with multiples of `k` input shifts, each of
 * which moves it by `k * scale` positions, so a stride s needs the multiples m of k with
 * m*k*scale divisible by s. Steps that restrict nothing further (upsampling by 2, then pooling
 * by 2) are dropped: they are exact.
 */
function stepsInInputShifts(steps: SubgroupStep[], k: number | null, scale: Fraction): SubgroupStep[] {
  if (k === null) return steps;
  const result: SubgroupStep[] = [];
  for (const step of steps) {
    if (step.k === null || !Number.isInteger(step.k) || step.k < 1) {
      result.push(step);
      continue;
    }
    const moved = fraction(k * scale.num, scale.den);
    const needed = step.k * moved.den;
    const multiple = needed / gcd(moved.num, needed);
    if (multiple > 1) result.push({ k: k * multiple, cause: step.cause });
  }
  return result;
}

/** Causes by which a layer depends on the order of a set's elements. */
const ORDER_CAUSES: ReadonlySet<Cause['code']> = new Set(['set-axis-window', 'recurrent', 'mixes-acting-axis']);

/**
 * On a merged axis the declared group permutes positions, so the layer was judged as on a set;
 * a layer that depends on their order breaks the symmetry because of the reshape that merged
 * them, which is blamed as a flatten is (SPEC section 4), with the layer as its partner.
 */
function orderBreaksAsMergeBreaks(effect: LocalEffect, mergedBy: LayerRef, ref: LayerRef, group: string): LocalEffect {
  if (effect.kind === 'unknown') return { ...effect, assumed: orderBreaksAsMergeBreaks(effect.assumed, mergedBy, ref, group) };
  if (effect.kind !== 'break' || !ORDER_CAUSES.has(effect.cause.code)) return effect;
  const detail = `${mergedBy.kind} merged the axes ${group} acts on into one, whose positions ${group} now permutes, and ${ref.kind} depends on their order`;
  return { kind: 'break', cause: { code: 'flatten-then-mix', at: mergedBy, partner: ref, detail } };
}

/** The scale of a layer's output from its input's, by what the effect says it resamples. */
function rescaled(scale: Fraction, effect: LocalEffect): Fraction {
  if (effect.kind !== 'keep' && effect.kind !== 'toInvariant') return scale;
  const strides = effect.subgroup.flatMap((step) => (step.cause.code === 'stride' && step.k !== null ? [step.k] : []));
  const rescale = effect.kind === 'keep' ? effect.rescale : undefined;
  const down = rescale?.down ?? strides.reduce((total, value) => lcm(total, value), 1);
  const up = rescale?.up ?? 1;
  return fraction(scale.num * up, scale.den * down);
}

const LEVELS: readonly FallLevel[] = ['approx', 'subgroup', 'broken'];
const LEVEL_RANK: Record<FallLevel | 'exact', number> = { exact: 0, approx: 1, subgroup: 2, broken: 3 };

/** The state as if every unknown layer kept the symmetry. */
export function effectiveState(state: SymmetryState): Exclude<SymmetryState, { kind: 'unknown' }> {
  return state.kind === 'unknown' ? effectiveState(state.assumed) : state;
}

function stateRank(state: SymmetryState): number {
  const effective = effectiveState(state);
  return effective.kind === 'broken' ? LEVEL_RANK.broken : LEVEL_RANK[effective.fidelity.level];
}

function reasonsOf(fidelity: Fidelity): Cause[] {
  return fidelity.level === 'exact' ? [] : fidelity.reasons;
}

/** Combines fidelities: the weakest level, every reason, and the coarsest subgroup. */
function mergeFidelity(fidelities: Fidelity[], approx: Cause[] = [], steps: SubgroupStep[] = []): Fidelity {
  // Most layers keep an exact state exact: no reasons or steps to gather (and no arrays for them).
  if (approx.length === 0 && steps.length === 0 && fidelities.every((fidelity) => fidelity.level === 'exact')) return { level: 'exact' };
  const reasons = [...new Set([...fidelities.flatMap(reasonsOf), ...approx, ...steps.map((step) => step.cause)])];
  const ks: (number | null)[] = [
    ...fidelities.flatMap((fidelity) => (fidelity.level === 'subgroup' ? [fidelity.k] : [])),
    ...steps.map((step) => step.k),
  ];
  if (ks.length > 0) {
    const k = ks.some((value) => value === null) ? null : (ks as number[]).reduce((total, value) => lcm(total, value), 1);
    return { level: 'subgroup', k, reasons };
  }
  if (reasons.length > 0) return { level: 'approx', reasons };
  return { level: 'exact' };
}

/** The weakest of several (effective) input states, as a merge combines them. */
function weakest(states: Exclude<SymmetryState, { kind: 'unknown' }>[]): Exclude<SymmetryState, { kind: 'unknown' }> {
  const broken = states.find((state) => state.kind === 'broken');
  if (broken) return broken;
  const fidelities = states.map((state) => (state as { fidelity: Fidelity }).fidelity);
  const fidelity = mergeFidelity(fidelities);
  const flattened = states.find((state) => state.kind === 'flattened');
  if (flattened && flattened.kind === 'flattened') return { kind: 'flattened', fidelity, by: flattened.by };
  const acting = states.filter((state) => state.kind === 'acting');
  if (acting.length > 0) {
    const blockwise = acting.some((state) => state.kind === 'acting' && state.blockwise);
    const border = [...new Set(acting.flatMap((state) => (state.kind === 'acting' ? (state.border ?? []) : [])))];
    const permuted = acting.find((state) => state.kind === 'acting' && state.permutedBy);
    // A class token's place survives a merge only when every acting input has it in the same place.
    const prefixes = new Set(acting.map((state) => (state.kind === 'acting' ? (state.unmovedPrefix ?? 0) : 0)));
    const unmoved = prefixes.size === 1 ? [...prefixes][0] : 0;
    return actingState(fidelity, blockwise, border, permuted?.kind === 'acting' ? permuted.permutedBy : undefined, unmoved);
  }
  const invariant = states.find((state) => state.kind === 'invariant' && state.since);
  return invariant && invariant.kind === 'invariant' && invariant.since ? { kind: 'invariant', fidelity, since: invariant.since } : { kind: 'invariant', fidelity };
}

/** An acting state, with the optional markers only when they are set. */
function actingState(fidelity: Fidelity, blockwise: boolean, border: Cause[], permutedBy?: LayerRef, unmovedPrefix = 0): Extract<SymmetryState, { kind: 'acting' }> {
  const state: Extract<SymmetryState, { kind: 'acting' }> = { kind: 'acting', fidelity };
  if (blockwise) state.blockwise = true;
  if (border.length > 0) state.border = border;
  if (permutedBy) state.permutedBy = permutedBy;
  if (unmovedPrefix > 0) state.unmovedPrefix = unmovedPrefix;
  return state;
}

/**
 * Where the class token sits after a layer that kept the action: where the layer says (a custom
 * layer), or where it was for layers that leave every position in its place (pointwise layers,
 * elementwise merges, convolutions of window 1 and stride 1); any other layer may move
 * positions, so the token is no longer known.
 */
function unmovedAfter(input: Extract<SymmetryState, { kind: 'acting' }>, effect: Extract<LocalEffect, { kind: 'keep' }>, rule: LayerRule | undefined): number {
  if (effect.unmovedPrefix !== undefined) return effect.unmovedPrefix;
  const perPosition = rule?.family === 'pointwise' || rule?.family === 'merge' || rule?.family === 'convolution';
  const inPlace = perPosition && !effect.blockwise && !effect.axes && !effect.window && effect.subgroup.length === 0 && !effect.rescale;
  return inPlace ? (input.unmovedPrefix ?? 0) : 0;
}

/** The level a constant border falls to once it is mixed in: approximate under translation only. */
function borderLevel(border: Cause): Exclude<FallLevel, 'subgroup'> {
  return border.code === 'zero-padding' ? 'approx' : 'broken';
}

function refOf(layer: LayerNode): LayerRef {
  return { layer: layer.id, kind: layer.kind };
}

/** Layers from which some model output can be reached: only they count for falls. */
function layersReachingOutputs(model: ModelGraph): Set<number> {
  const producer = new Map<number, LayerNode>();
  for (const layer of model.layers) producer.set(layer.output, layer);
  const reached = new Set<number>();
  const pending = [...model.outputs];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const tensor = pending.pop() as number;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    const layer = producer.get(tensor);
    if (!layer) continue;
    reached.add(layer.id);
    pending.push(...layer.inputs);
  }
  return reached;
}

function missingRuleEffect(layer: LayerNode, context: RuleContext): LocalEffect {
  if (layer.origin === 'library') return unknownLibraryLayer(context);
  const detail =
    layer.origin === 'custom'
      ? `${layer.kind} is a custom layer the analysis cannot see into`
      : `tf.layers.${layer.kind} is not a layer the analysis knows`;
  return unknown({ code: 'unmodelled-layer', at: refOf(layer), detail });
}

/** The causes a local effect contributes at each fall level (unknown effects: their assumption). */
function causesByLevel(effect: LocalEffect): Record<FallLevel, Cause[]> {
  switch (effect.kind) {
    case 'keep':
    case 'toInvariant':
      return { approx: effect.approx, subgroup: effect.subgroup.map((step) => step.cause), broken: [] };
    case 'break':
      return { approx: [], subgroup: [], broken: [effect.cause] };
    case 'unknown':
      return causesByLevel(effect.assumed);
    case 'toFlattened':
      return { approx: [], subgroup: [], broken: [] };
  }
}

class DeclarationWalk {
  private readonly facts: (TensorFacts | undefined)[] = [];
  readonly layerStates: SymmetryState[] = [];
  private readonly falls = new Map<FallLevel, Fall>();
  readonly gaps: Cause[] = [];
  private readonly reaching: Set<number>;

  constructor(
    private readonly model: ModelGraph,
    private readonly shapes: ShapeTable,
    private readonly declaration: SymmetryDeclaration,
  ) {
    this.reaching = layersReachingOutputs(model);
  }

  run(): DeclarationInference {
    for (const [index, input] of this.model.inputs.entries()) {
      const rank = this.shapes[input.tensor]?.length;
      // The paired input of a graph (`adjacency=`): one permutation moves both of its axes.
      const paired = index === this.declaration.adjacency && this.declaration.group === 'permutation' && rank === 2;
      const axes = paired ? [0, 1] : rank === undefined ? undefined : actingAxesForRank(this.declaration.group, rank, this.declaration.axis, feedsTokenIds(this.model, input.tensor), feedsChannelsFirst(this.model, input.tensor));
      this.facts[input.tensor] = { state: { kind: 'acting', fidelity: { level: 'exact' } }, axes: axes ?? [], margin: 0, scale: UNIT_SCALE };
      if (axes === undefined) this.noteUnplacedInput(input.tensor, rank);
    }
    for (const layer of this.model.layers) this.visit(layer);
    // A fragment's output is not the model's: the builder that calls it may still pool.
    const outputStates = this.model.outputs.map((tensor) =>
      this.model.construction === 'fragment' ? effectiveState(this.factsOf(tensor).state) : this.checkOutput(tensor),
    );
    const falls = [...this.falls.values()].sort(
      (a, b) => a.cause.at.layer - b.cause.at.layer || LEVEL_RANK[a.level] - LEVEL_RANK[b.level],
    );
    return { declaration: this.declaration, layerStates: this.layerStates, outputStates, falls, gaps: this.gaps };
  }

  /**
   * An input whose shape is not declared (and whose first layer does not fix a rank that fits
   * the group): the analysis cannot place the acting axes, which is a gap, not a pass.
   */
  private noteUnplacedInput(tensor: number, rank: number | undefined): void {
    const consumer = this.model.layers.find((layer) => layer.inputs.includes(tensor));
    if (!consumer) return;
    const detail =
      rank === undefined
        ? `the model input has no declared shape to place the axes ${this.declaration.group} acts on`
        : `${consumer.kind} takes rank ${rank + 1}, which ${this.declaration.group} does not act on, and no input shape is declared`;
    this.gaps.push({ code: 'non-constant-config', at: refOf(consumer), detail });
  }

  private factsOf(tensor: number): TensorFacts {
    return this.facts[tensor] ?? { state: { kind: 'acting', fidelity: { level: 'exact' } }, axes: [], margin: 0, scale: UNIT_SCALE };
  }

  private visit(layer: LayerNode): void {
    const inputs = layer.inputs.map((tensor) => this.factsOf(tensor));
    const effectiveInputs = inputs.map((input) => effectiveState(input.state));
    const combined = weakest(effectiveInputs.length > 0 ? effectiveInputs : [{ kind: 'acting', fidelity: { level: 'exact' } }]);
    const first = inputs[0] ?? { state: combined, axes: [], margin: 0, scale: UNIT_SCALE };
    const rule = ruleForLayer(layer);
    const inputShape = this.shapes[layer.inputs[0]];
    const context: RuleContext = {
      node: layer,
      ref: refOf(layer),
      group: this.declaration.group,
      mode: this.declaration.mode,
      declaredAxis: this.declaration.axis,
      inputShapes: layer.inputs.map((tensor) => this.shapes[tensor]),
      outputShape: this.shapes[layer.output],
      inputRank: inputShape?.length ?? rule?.inputRank,
      axes: combined.kind === 'flattened' ? [] : first.axes,
      inputAxes: inputs.map((input, index) => (effectiveInputs[index].kind === 'acting' ? input.axes : [])),
      inputStates: effectiveInputs,
      flatAxes: combined.kind === 'flattened' ? (first.flatAxes ?? []) : undefined,
      blockwise: combined.kind === 'acting' && Boolean(combined.blockwise),
      margin: first.margin,
      config: new ConfigReader(layer.config, true),
    };
    // After invariance the group no longer acts, so the layer cannot fall; everywhere else the
    // rule runs, even on a broken state, so that later layers with the same fault are listed.
    const permutedBy = combined.kind === 'acting' && this.declaration.group !== 'permutation' ? combined.permutedBy : undefined;
    if (permutedBy) context.group = 'permutation';
    let ruleEffect: LocalEffect =
      combined.kind === 'invariant' ? keep() : rule ? applyLayerRule(rule, context) : missingRuleEffect(layer, context);
    if (permutedBy) {
      context.group = this.declaration.group;
      ruleEffect = orderBreaksAsMergeBreaks(ruleEffect, permutedBy, context.ref, this.declaration.group);
    }
    const effect = this.declaration.group === 'translation' ? this.inInputShifts(ruleEffect, combined, first.scale) : ruleEffect;
    if (effect.kind === 'unknown') this.gaps.push(effect.cause);

    const outcome = this.apply(combined, effect, rule, context);
    const unknownInput = inputs.map((input) => input.state).find((state) => state.kind === 'unknown');
    let state = outcome.state;
    if (unknownInput && unknownInput.kind === 'unknown' && state.kind !== 'broken') {
      state = { kind: 'unknown', cause: unknownInput.cause, assumed: effectiveState(state) };
    }
    this.layerStates[layer.id] = state;
    const outputRank = this.shapes[layer.output]?.length;
    this.facts[layer.output] = {
      state,
      axes: outputRank === undefined ? outcome.axes : outcome.axes.filter((axis) => axis < outputRank),
      flatAxes: outcome.flatAxes,
      margin: outcome.margin,
      scale: this.declaration.group === 'translation' ? rescaled(first.scale, ruleEffect.kind === 'unknown' ? ruleEffect.assumed : ruleEffect) : UNIT_SCALE,
    };
    this.recordFalls(layer, combined, effect, outcome.extraCauses, state);
  }

  /** The effect with its subgroup steps counted in shifts of the model input (translation). */
  private inInputShifts(effect: LocalEffect, input: Exclude<SymmetryState, { kind: 'unknown' }>, scale: Fraction): LocalEffect {
    if (effect.kind === 'unknown') return { ...effect, assumed: this.inInputShifts(effect.assumed, input, scale) };
    if (effect.kind !== 'keep' && effect.kind !== 'toInvariant') return effect;
    if (effect.subgroup.length === 0) return effect;
    const fidelity = input.kind === 'broken' ? undefined : input.fidelity;
    const k = fidelity?.level === 'subgroup' ? fidelity.k : 1;
    return { ...effect, subgroup: stepsInInputShifts(effect.subgroup, k, scale) };
  }

  /** Composes the combined input state with the layer's local effect. */
  private apply(
    input: Exclude<SymmetryState, { kind: 'unknown' }>,
    effect: LocalEffect,
    rule: LayerRule | undefined,
    context: RuleContext,
  ): { state: SymmetryState; axes: number[]; flatAxes?: number[]; margin: number; extraCauses: Record<FallLevel, Cause[]> } {
    const extraCauses: Record<FallLevel, Cause[]> = { approx: [], subgroup: [], broken: [] };
    const keepsMargin = rule !== undefined && rule.family === 'pointwise' && !rule.mixing;
    const unchanged = { axes: context.axes, margin: keepsMargin ? context.margin : 0, extraCauses };
    if (effect.kind === 'unknown') {
      const assumed = this.apply(input, effect.assumed, rule, context);
      const state: SymmetryState = assumed.state.kind === 'broken' ? assumed.state : { kind: 'unknown', cause: effect.cause, assumed: effectiveState(assumed.state) };
      return { ...assumed, state };
    }
    switch (input.kind) {
      case 'broken': {
        // The shadow axes still follow the layer: after a global pooling there are none left.
        const axes = effect.kind === 'toInvariant' ? [] : effect.kind === 'keep' ? (effect.axes ?? context.axes) : context.axes;
        return { ...unchanged, axes, state: input };
      }
      case 'invariant':
        return { ...unchanged, axes: [], state: input };
      case 'flattened': {
        if (!rule?.mixing) return { ...unchanged, axes: [], flatAxes: context.flatAxes, state: input };
        if (effect.kind === 'toInvariant') {
          return { ...unchanged, axes: [], state: { kind: 'invariant', fidelity: mergeFidelity([input.fidelity], effect.approx, effect.subgroup), since: context.ref } };
        }
        const cause: Cause = {
          code: 'flatten-then-mix',
          at: input.by,
          partner: context.ref,
          detail: `${input.by.kind} turned the acting axes into features, and ${context.ref.kind} mixes them`,
        };
        extraCauses.broken.push(cause);
        return { ...unchanged, axes: [], state: { kind: 'broken', cause } };
      }
      case 'acting':
        break;
    }
    switch (effect.kind) {
      case 'break': {
        // The shadow axes only serve to recognise later repeats; a break that changes the rank
        // (an RNN returning its last state) leaves nothing to track.
        const sameRank = context.outputShape?.length === context.inputRank;
        return { ...unchanged, axes: sameRank ? context.axes : [], state: { kind: 'broken', cause: effect.cause } };
      }
      case 'toInvariant':
        return { ...unchanged, axes: [], state: { kind: 'invariant', fidelity: mergeFidelity([input.fidelity], effect.approx, effect.subgroup), since: context.ref } };
      case 'toFlattened':
        if (this.declaration.group === 'sign') return { ...unchanged, state: input };
        return { ...unchanged, axes: [], flatAxes: effect.flatAxes, state: { kind: 'flattened', fidelity: input.fidelity, by: context.ref } };
      case 'keep': {
        const approx = [...effect.approx];
        let border = [...(input.border ?? []), ...(effect.border ? [effect.border] : [])];
        if (effect.window && input.border) {
          // The window reaches into a constant border: from here on the border effect is real.
          const breaking = input.border.find((cause) => borderLevel(cause) === 'broken');
          if (breaking) {
            extraCauses.broken.push(breaking);
            return { ...unchanged, state: { kind: 'broken', cause: breaking } };
          }
          approx.push(...input.border);
          extraCauses.approx.push(...input.border);
          border = effect.border ? [effect.border] : [];
        }
        if (input.blockwise && effect.window) {
          const detail = `${context.ref.kind} mixes neighbouring positions across the blocks of a concatenation along an acting axis`;
          const cause: Cause = { code: 'block-mixing', at: context.ref, detail };
          if (this.declaration.group !== 'translation') {
            extraCauses.broken.push(cause);
            return { ...unchanged, state: { kind: 'broken', cause } };
          }
          approx.push(cause);
          extraCauses.approx.push(cause);
        }
        const fidelity = mergeFidelity([input.fidelity], approx, effect.subgroup);
        const blockwise = Boolean(input.blockwise || effect.blockwise);
        return {
          axes: effect.axes ?? context.axes,
          margin: effect.margin ?? unchanged.margin,
          extraCauses,
          state: actingState(fidelity, blockwise, border, input.permutedBy ?? (effect.permutes ? context.ref : undefined), unmovedAfter(input, effect, rule)),
        };
      }
    }
  }

  private recordFalls(layer: LayerNode, input: SymmetryState, effect: LocalEffect, extra: Record<FallLevel, Cause[]>, output: SymmetryState): void {
    if (!this.reaching.has(layer.id)) return;
    const before = stateRank(input);
    const after = stateRank(output);
    const byLevel = causesByLevel(effect);
    for (const level of LEVELS) {
      // A fault that an earlier layer set up (a flatten, a constant border) and this layer only
      // revealed names that earlier layer: it comes before this layer's own fault.
      const ordered = level === 'broken' ? [...extra[level], ...byLevel[level]] : [...byLevel[level], ...extra[level]];
      const causes = ordered.sort((a, b) => a.at.layer - b.at.layer);
      if (causes.length === 0) continue;
      this.noteFall(level, causes[0], before, after);
    }
  }

  /** First fall to `level` where the state actually drops there; later ones are repeats. */
  private noteFall(level: FallLevel, cause: Cause, before: number, after: number): void {
    const existing = this.falls.get(level);
    if (existing) {
      if (existing.cause !== cause) existing.repeats.push(cause);
      return;
    }
    if (before < LEVEL_RANK[level] && after >= LEVEL_RANK[level]) this.falls.set(level, { level, cause, repeats: [] });
  }

  /** An output must carry the declared action: invariance must have been reached, and a flattened output carries none. */
  private checkOutput(tensor: number): SymmetryState {
    const facts = this.factsOf(tensor);
    const state = effectiveState(facts.state);
    const producer = this.model.layers.find((layer) => layer.output === tensor);
    const at: LayerRef = producer ? refOf(producer) : { layer: -1, kind: 'input' };
    const { mode, group } = this.declaration;
    let cause: Cause | undefined;
    if (state.kind === 'flattened') {
      cause = { code: 'flattened-output', at: state.by, detail: `the output was flattened by ${state.by.kind}, so ${group} no longer acts on it as declared` };
    } else if (mode === 'invariant' && state.kind === 'acting' && (group === 'sign' || facts.axes.length > 0)) {
      cause = {
        code: 'output-not-invariant',
        at,
        detail:
          group === 'sign'
            ? 'the output is an odd function of the input, but invariance under sign needs an even one'
            : `the output still has the axes ${group} acts on; pool over them (global pooling) for invariance`,
      };
    } else if (mode === 'equivariant' && group === 'sign' && state.kind === 'invariant') {
      // Blame the layer whose output first became even (a product of two odd branches), not the
      // last layer: everything after it only carried the even function along.
      cause = state.since
        ? { code: 'non-odd', at: state.since, detail: `${state.since.kind} makes its output an even function of the input` }
        : { code: 'non-odd', at, detail: 'the output is an even function of the input' };
    } else if (mode === 'equivariant' && state.kind === 'acting' && state.border) {
      // The declared action moves the whole output, border included; the border stays put.
      const border = state.border[0];
      if (borderLevel(border) === 'approx') {
        this.noteFall('approx', border, stateRank(state), LEVEL_RANK.approx);
        return { kind: 'acting', fidelity: mergeFidelity([state.fidelity], state.border) };
      }
      cause = border;
    }
    if (!cause) return facts.state;
    this.noteFall('broken', cause, stateRank(state), LEVEL_RANK.broken);
    return { kind: 'broken', cause };
  }
}

/**
 * The structure a declaration implies for an input of unknown rank (SPEC section 4): shifts,
 * rotations and flips act on the spatial axes of an image, a permutation on axis 1 of a set.
 */
function impliedStructure(declaration: SymmetryDeclaration): { shape: (number | null)[]; description: string } | undefined {
  switch (declaration.group) {
    case 'translation':
    case 'rotation90':
    case 'dihedral':
    case 'flip':
      return { shape: [null, null, null], description: 'an image input [N, H, W, C]' };
    case 'permutation':
      return { shape: [null, null], description: 'a set input [N, T, F]' };
    case 'sign':
      return undefined;
  }
}

export function inferDeclaration(model: ModelGraph, shapes: ShapeTable, declaration: SymmetryDeclaration): DeclarationInference {
  const mismatch = declarationMismatch(model, declaration);
  if (mismatch) return { declaration, mismatch, layerStates: [], outputStates: [], falls: [], gaps: [] };
  const implied = impliedStructure(declaration);
  // Only real model inputs: a tensor extraction could not trace (a graph gap at the same place)
  // is not an input the declaration speaks about.
  const untraced = (input: ModelGraph['inputs'][number]) => model.gaps.some((gap) => gap.span.file === input.span.file && gap.span.start === input.span.start);
  const unshaped = implied
    ? model.inputs.filter((input) => shapes[input.tensor] === undefined && undeclaredInputRank(model, input.tensor) === undefined && !untraced(input))
    : [];
  const rotates = declaration.group === 'rotation90' || declaration.group === 'dihedral';
  if (!implied || unshaped.length === 0) {
    const result = new DeclarationWalk(model, shapes, declaration).run();
    // A rotation needs H = W; with sizes unknown (`inputShape: [h, w, c]`) that is assumed, and said.
    const spatial = (tensor: number) => (feedsChannelsFirst(model, tensor) ? shapes[tensor]?.slice(1, 3) : shapes[tensor]?.slice(0, 2));
    const unsized = rotates ? model.inputs.find((input) => shapes[input.tensor]?.length === 3 && spatial(input.tensor)?.some((size) => size === null)) : undefined;
    if (unsized) result.assumedInput = { input: unsized.span, shape: shapes[unsized.tensor] ?? [], description: 'a square input, H = W' };
    return result;
  }
  const assumedShapes = inferShapes(model, new Map(unshaped.map((input) => [input.tensor, implied.shape])));
  const result = new DeclarationWalk(model, assumedShapes, declaration).run();
  const description = rotates ? 'a square image input [N, H, W, C]' : implied.description;
  result.assumedInput = { input: unshaped[0].span, shape: implied.shape, description };
  return result;
}
