// Architecture variants (SPEC 4 "Variants"): where a unit's layers depend on values not known
// statically, each feasible path is its own variant of the model. The unit is run once taking
// the first option of every decision it meets (Interpreter.choose); each other option is then
// taken by running the unit again with a schedule, depth first, until every path has run or
// the bound is reached. Paths that end in `throw` are dropped, paths that build the same
// graph are one variant, and each variant is named by the decisions that tell it apart.
// A unit that meets no decision runs exactly once, as before.
import type { ExtractionGap, ModelGraph, OrphanHolder, SourceSpan } from '../graph';
import { NotConstant } from '../graph';
import type { ChoiceMade } from './interpreter';

/** Variants per model past which the remaining paths are an analysis gap (SPEC 4). */
export const MAX_VARIANTS = 32;
/** Runs of one unit, whatever they build: bounds the work of decisions that change nothing. */
export const MAX_RUNS = 64;
/** Runs spent on options of decisions past a run's last layer (see exploreVariants). */
const MAX_LATE_RUNS = 8;

/** One run of the unit along a schedule, with its models already assembled. */
export interface PathRun {
  /** Each model the run built, with what identifies it across runs (its holder). */
  models: { key: string; graph: ModelGraph }[];
  orphans: OrphanHolder[];
  choices: ChoiceMade[];
  /** The run reached a `throw` no `try` catches. */
  threw: boolean;
  /** Evaluation steps the run took. */
  steps: number;
  /** `Interpreter.progress()` at the end of the run. */
  progress: number;
}

interface Variant {
  graph: ModelGraph;
  signature: string;
  /** The decisions of every path that built this graph: key -> option. */
  paths: Map<string, number>[];
}

interface Pending {
  schedule: number[];
  /** The decision this schedule takes another option of, for the gap when it is cut. */
  choice: ChoiceMade;
  option: number;
}

/**
 * Runs a unit along every path its decisions open (see the header) and returns its models,
 * one per variant, with `variant` naming the path when a model has several.
 */
export function exploreVariants(run: (schedule: readonly number[]) => PathRun, stepBudget: number): { models: ModelGraph[]; orphans: OrphanHolder[] } {
  const first = run([]);
  if (first.choices.length === 0) return { models: first.models.map((model) => model.graph), orphans: first.orphans };

  const runs: PathRun[] = [first];
  // Other options of decisions after which the run still built something come first; those of
  // decisions past the last layer of the run (logging, training code the unit also calls)
  // rarely change a model, so they take only what is left of the bound, and no gap when cut.
  const pending: Pending[] = [];
  const pendingLate: Pending[] = [];
  const openChildren = (schedule: readonly number[], pathRun: PathRun) => {
    // Pushed so that the stack pops them in lexicographic order of schedules: the deepest
    // decision first, its lowest other option first.
    const made = pathRun.choices;
    for (let index = schedule.length; index < made.length; index++) {
      const prefix = made.slice(0, index).map((choice) => choice.option);
      const choice = made[index];
      const stack = choice.progress < pathRun.progress ? pending : pendingLate;
      for (let option = choice.labels.length - 1; option >= 1; option--) stack.push({ schedule: [...prefix, option], choice, option });
    }
  };
  openChildren([], first);

  let steps = first.steps;
  let cut: { pending: Pending; reason: 'variants' | 'work' } | undefined;
  const variantCounts = new Map<string, Set<string>>();
  const countVariants = (pathRun: PathRun): boolean => {
    let full = false;
    for (const { key, graph } of pathRun.models) {
      let signatures = variantCounts.get(key);
      if (!signatures) variantCounts.set(key, (signatures = new Set()));
      signatures.add(graphSignature(graph));
      if (signatures.size >= MAX_VARIANTS) full = true;
    }
    return full;
  };
  let full = countVariants(first);
  let lateRuns = 0;
  while (pending.length > 0 || (pendingLate.length > 0 && lateRuns < MAX_LATE_RUNS)) {
    const late = pending.length === 0;
    // Late options go shallowest first: an early `if (pretrained) return load()` before the
    // layers is late too, and its other option is the whole model.
    const next = late ? pendingLate.shift()! : pending.pop()!;
    if (full || runs.length >= MAX_RUNS || steps > stepBudget * 4) {
      if (!late) cut = { pending: next, reason: full ? 'variants' : 'work' };
      break;
    }
    if (late) lateRuns++;
    const pathRun = run(next.schedule);
    runs.push(pathRun);
    steps += pathRun.steps;
    openChildren(next.schedule, pathRun);
    if (!(pathRun.threw && pathRun.choices.length > 0)) full = countVariants(pathRun) || full;
  }

  // Paths that end in `throw` build no model; when every path does, keep the first as before.
  let kept = runs.filter((pathRun) => !(pathRun.threw && pathRun.choices.length > 0));
  if (kept.length === 0) kept = [first];
  // Variants in the order of their paths' decisions, whatever order the runs took.
  kept = kept.slice().sort((a, b) => compareOptions(a.choices, b.choices));

  const byModel = new Map<string, Variant[]>();
  for (const pathRun of kept) {
    const path = new Map(pathRun.choices.map((choice) => [choice.key, choice.option]));
    for (const { key, graph } of pathRun.models) {
      let variants = byModel.get(key);
      if (!variants) byModel.set(key, (variants = []));
      const signature = graphSignature(graph);
      const same = variants.find((variant) => variant.signature === signature);
      if (same) same.paths.push(path);
      else variants.push({ graph, signature, paths: [path] });
    }
  }

  const labelsOf = new Map<string, string[]>();
  for (const pathRun of runs) for (const choice of pathRun.choices) if (!labelsOf.has(choice.key)) labelsOf.set(choice.key, choice.labels);
  const cutGap: ExtractionGap | undefined = cut && {
    message:
      cut.reason === 'variants'
        ? `more than ${MAX_VARIANTS} variants: the paths where \`${cut.pending.choice.labels[cut.pending.option]}\` are not analysed`
        : `too many paths to follow (${runs.length} run): the paths where \`${cut.pending.choice.labels[cut.pending.option]}\` are not analysed`,
    span: cut.pending.choice.span,
  };

  const models: ModelGraph[] = [];
  for (let variants of byModel.values()) {
    // A path that built the model without a layer left early (a guard's `return`): not an architecture.
    if (variants.some((variant) => variant.graph.layers.length > 0)) variants = variants.filter((variant) => variant.graph.layers.length > 0);
    const labels = variants.length > 1 ? variantLabels(variants, labelsOf) : [];
    variants.forEach((variant, index) => {
      const graph = variant.graph;
      if (labels[index] !== undefined) graph.variant = labels[index];
      if (cutGap) graph.gaps.push(cutGap);
      models.push(graph);
    });
  }

  const modelKeys = new Set(byModel.keys());
  const orphans: OrphanHolder[] = [];
  const orphanStarts = new Set<string>();
  for (const pathRun of kept) {
    for (const orphan of pathRun.orphans) {
      const key = holderKey(orphan.name, orphan.nameSpan);
      if (orphanStarts.has(key) || [...modelKeys].some((modelKey) => modelKey.startsWith(key))) continue;
      orphanStarts.add(key);
      orphans.push(orphan);
    }
  }
  return { models, orphans };
}

function compareOptions(a: readonly ChoiceMade[], b: readonly ChoiceMade[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i].option !== b[i].option) return a[i].option - b[i].option;
  }
  return a.length - b.length;
}

/** What identifies a model across the runs of its unit: its holder (and its rank among same-named ones). */
export function holderKey(name: string, nameSpan: SourceSpan): string {
  return `${name}\u0000${nameSpan.file}\u0000${nameSpan.start}\u0000`;
}

/**
 * Names each variant by the fewest decisions that tell the variants apart: a decision is
 * dropped (latest first) when, without it, no path of one variant could still be a path of
 * another. A variant reached by several paths that differ in what is kept is named by each,
 * joined with `||`.
 */
function variantLabels(variants: Variant[], labelsOf: Map<string, string[]>): string[] {
  const order: string[] = [];
  for (const variant of variants) for (const path of variant.paths) for (const key of path.keys()) if (!order.includes(key)) order.push(key);
  let kept = order.slice();
  const compatible = (a: Map<string, number>, b: Map<string, number>, keys: readonly string[]) =>
    keys.every((key) => !a.has(key) || !b.has(key) || a.get(key) === b.get(key));
  const separates = (keys: readonly string[]) =>
    variants.every((variant, i) =>
      variants.every((other, j) => j <= i || variant.paths.every((a) => other.paths.every((b) => !compatible(a, b, keys)))),
    );
  for (let index = order.length - 1; index >= 0; index--) {
    const without = kept.filter((key) => key !== order[index]);
    if (separates(without)) kept = without;
  }
  const wordsOf = (path: Map<string, number>, key: string) => labelsOf.get(key)?.[path.get(key)!] ?? key;
  return variants.map((variant, index) => {
    const alternatives: string[] = [];
    for (const path of variant.paths) {
      const words = preferEqualities(
        kept.filter((key) => path.has(key)).map((key) => wordsOf(path, key)),
        [...path.keys()].map((key) => wordsOf(path, key)),
      );
      const text = words.join(' && ');
      if (text && !alternatives.includes(text)) alternatives.push(text);
    }
    if (alternatives.length === 0) return `path ${index + 1}`;
    const label = alternatives.length === 1 ? alternatives[0] : alternatives.map((text) => (text.includes('&&') ? `(${text})` : text)).join(' || ');
    return label.length > 120 ? label.slice(0, 117) + '...' : label;
  });
}

const EQUAL_TERM = /^(.+?) === (.+)$/;
const NOT_EQUAL_TERM = /^(.+?) !== (.+)$/;

/**
 * Says `type === 'gru'` rather than `type !== 'lstm'` when the path took both: the equality
 * implies the inequality and is what the code's author wrote for that branch.
 */
function preferEqualities(words: string[], pathWords: string[]): string[] {
  const terms = (list: string[]) => list.flatMap((word) => (/\|\||\(/.test(word) ? [word] : word.split(' && ')));
  const equalities = new Map<string, string>();
  for (const term of terms(pathWords)) {
    const match = EQUAL_TERM.exec(term);
    if (match && !NOT_EQUAL_TERM.test(term)) equalities.set(match[1], term);
  }
  if (equalities.size === 0) return words;
  const result: string[] = [];
  for (const term of terms(words)) {
    const negative = NOT_EQUAL_TERM.exec(term);
    const replacement = negative ? equalities.get(negative[1]) : undefined;
    const chosen = replacement ?? term;
    if (!result.includes(chosen)) result.push(chosen);
  }
  return result;
}

/** Configuration keys that name or initialise a layer without changing what it computes. */
const NON_SEMANTIC_KEY = /^(name|trainable)$|Initializer$|Regularizer$|Constraint$/;

function configSignature(values: Record<string, unknown>): unknown {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(values).sort()) {
    if (NON_SEMANTIC_KEY.test(key)) continue;
    const value = values[key];
    result[key] = value instanceof NotConstant ? '?' : value;
  }
  return result;
}

/** What makes two variants' graphs the same model: layer kinds, places, configs and wiring. */
export function graphSignature(graph: ModelGraph): string {
  const layer = (node: ModelGraph['layers'][number]): unknown => [
    node.kind,
    node.origin,
    node.span.start,
    node.span.end,
    node.callStack.map((span) => span.start),
    configSignature(node.config.values),
    node.config.openSpread ? '?' : '',
    node.inputs,
    node.sharedWith ?? -1,
    node.inner ? layer(node.inner) : null,
  ];
  return JSON.stringify([
    graph.construction,
    graph.inputs.map((input) => [input.shape ?? null, input.dtype ?? null]),
    graph.layers.map(layer),
    graph.outputs,
  ]);
}
