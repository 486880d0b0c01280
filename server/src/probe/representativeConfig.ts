// Which configuration values decide a symmetry verdict and which do not (issue 12). A width
// (`units`, `filters`, ...), an initializer or a dropout rate that is not a compile-time
// constant gets a small representative value, so the probe still measures the architecture;
// a structural value with a few possible values (`returnSequences`, `padding`) is probed with
// each of them; any other structural value (`kernelSize`, `strides`, ...) that is not known stops
// the probe with a plain message, because any value the probe picked would be invented. Every
// value chosen here is listed, so the verdict can name it.
import { NotConstant, type ConstValue, type LayerNode, type ModelGraph } from '../analysis/graph';
import type { GroupName } from '../analysis/symmetry';
import { DEFAULT_DIMENSION } from './plan';

/** Widths: they size the weights, not how the layer moves positions. */
const REPRESENTATIVE_WIDTHS: Record<string, number> = { units: 8, filters: 8, outputDim: 8, depthMultiplier: 1, inputDim: 16 };

/** Values with no effect on a forward pass at inference, or that the probe redraws anyway. */
const INFERENCE_IRRELEVANT = /^(trainable|name|dropout|recurrentDropout|epsilon|momentum|stddev|seed|noiseShape|dtype|inputLength|unitForgetBias|implementation|returnState|inputShape|batchInputShape|batchSize)$|(Initializer|Regularizer|Constraint)$/;

/** Keys that only the `sign` group reads: whether a layer is odd. Other groups ignore them. */
const SIGN_STRUCTURAL = new Set(['useBias', 'center', 'scale', 'activation', 'recurrentActivation']);

/** Why an ignored key needs no value, for the assumption the verdict lists. */
function whyIgnored(key: string): string {
  if (/Initializer$/.test(key)) return 'the probe redraws every weight';
  if (key === 'inputLength') return 'the input length is the probe\'s';
  return 'no effect at inference';
}

/**
 * Structural keys with a few possible values: when one is not known, the probe measures the model
 * with each value (every combination, up to MAX_STRUCTURAL_VARIANTS) instead of inventing one.
 * `useBias`, `center` and `scale` only reach here under `sign`.
 */
const FINITE_STRUCTURAL: Record<string, ConstValue[]> = {
  returnSequences: [false, true],
  goBackwards: [false, true],
  padding: ['valid', 'same'],
  useBias: [true, false],
  center: [true, false],
  scale: [true, false],
};

/** One structural value the analysis does not know, with the values the probe tries for it. */
export interface StructuralChoice {
  /** `layerId:key` (`layerId.inner:key` for a wrapper's inner layer). */
  id: string;
  key: string;
  values: ConstValue[];
  /** `lstm, line 12`. */
  where: string;
}

export interface RepresentativeGraph {
  /** The graph with representative values in place of the non-structural unknowns. */
  graph: ModelGraph;
  /** One sentence per value the probe chose ("units = 8 (dense, line 12) chosen for a width not known statically"). */
  assumptions: string[];
  /** The first structural value that is not known: the probe cannot measure without inventing it. */
  structuralUnknown?: string;
  /** Structural values not known statically that have few possible values: the probe tries each. */
  choices: StructuralChoice[];
}

/**
 * Replaces the non-structural unknowns of every layer with representative values, and makes a
 * stateful RNN stateless (a single predict from a fresh state is the same computation).
 */
export function withRepresentativeValues(
  graph: ModelGraph,
  groups: GroupName[],
  lineOf: (node: LayerNode) => number,
  chosen: ReadonlyMap<string, ConstValue> = new Map(),
): RepresentativeGraph {
  const assumptions: string[] = [];
  const choices: StructuralChoice[] = [];
  let structuralUnknown: string | undefined;
  const underSign = groups.includes('sign');

  const substitute = (node: LayerNode, path: string): LayerNode => {
    const where = `${node.kind}, line ${lineOf(node)}`;
    const values: Record<string, ConstValue> = {};
    for (const [key, value] of Object.entries(node.config.values)) {
      if (key === 'stateful' && value !== false) {
        assumptions.push(`stateful = false (${where}): the probe's single predict starts from a fresh state, as a stateful layer's first call does`);
        continue;
      }
      if (!(value instanceof NotConstant)) {
        values[key] = value;
        continue;
      }
      if (key in REPRESENTATIVE_WIDTHS) {
        values[key] = REPRESENTATIVE_WIDTHS[key];
        assumptions.push(`${key} = ${REPRESENTATIVE_WIDTHS[key]} (${where}) chosen for a width not known statically`);
      } else if (INFERENCE_IRRELEVANT.test(key)) {
        // Left to tfjs' default.
        if (!/^(name|inputShape|batchInputShape|batchSize)$/.test(key)) assumptions.push(`${key} (${where}) not known statically: left at tfjs' default (${whyIgnored(key)})`);
      } else if (key === 'n' && node.kind === 'repeatVector') {
        // A length, like an input size: it shapes the new time axis, not how positions move.
        values[key] = DEFAULT_DIMENSION;
        assumptions.push(`n = ${DEFAULT_DIMENSION} (${where}) chosen for a length not known statically`);
      } else if (key === 'rate' && /dropout/i.test(node.kind)) {
        values[key] = 0.5;
        assumptions.push(`rate = 0.5 (${where}) chosen for a dropout rate not known statically (no effect at inference)`);
      } else if (SIGN_STRUCTURAL.has(key) && !underSign) {
        if (key === 'activation') {
          values[key] = 'relu';
          assumptions.push(`activation = 'relu' (${where}) chosen for an activation not known statically (it acts on each value alone)`);
        } else {
          assumptions.push(`${key} (${where}) not known statically: left at tfjs' default (it matters only under sign)`);
        }
      } else if (value.fallback !== undefined && value.fallback !== null) {
        // `options.kernelSize || 5`: the code's own default, the value it has when nobody passes one.
        values[key] = value.fallback;
        assumptions.push(`${key} = ${JSON.stringify(value.fallback)} (${where}): the value the code falls back to, measured with it (${key} is not known statically and decides the verdict)`);
      } else if (key in FINITE_STRUCTURAL) {
        // Each possible value is probed (runProbes.ts): the first stands in until a choice is made.
        const id = `${path}:${key}`;
        // A shared layer is built once, from its first application: later ones choose nothing.
        if (node.sharedWith === undefined) choices.push({ id, key, values: FINITE_STRUCTURAL[key], where });
        values[key] = chosen.get(id) ?? FINITE_STRUCTURAL[key][0];
      } else {
        structuralUnknown ??= `cannot build layer ${node.kind} (line ${lineOf(node)}): ${key} is not a compile-time constant, and it decides the verdict: the probe does not guess it (declare it as a constant, or use --probe-execute on trusted code)`;
      }
    }
    return { ...node, config: { ...node.config, values }, ...(node.inner ? { inner: substitute(node.inner, `${path}.inner`) } : {}) };
  };

  const layers = graph.layers.map((node) => substitute(node, String(node.id)));
  return { graph: { ...graph, layers }, assumptions, choices, ...(structuralUnknown ? { structuralUnknown } : {}) };
}
