// Whether the literal probe can build a model from its extracted configuration, and why not.
// One function serves the probe plan (which skips the model) and the analysis-gap rule (which
// must not tell the user to run a probe that will skip for the same reason). It reads only the
// analysed graph and inferences, so rules may use it without pulling in the probe itself.
import type { ConstValue, ExtractionGap, LayerNode, ModelGraph, SourceSpan } from '../analysis/graph';
import type { DeclarationInference } from '../analysis/symmetry';
import { planCustomLayer } from './customLayerPlan';
import { toPlanValue, type PlanCustomBody } from './plan';
import { withRepresentativeValues, type RepresentativeGraph } from './representativeConfig';

/** Keys the probe replaces itself (input sizes get the SPEC 5 defaults, names are dropped). */
export const PROBE_DEFAULTED_KEYS = new Set(['inputShape', 'batchInputShape', 'batchSize', 'name']);

export interface LiteralProbeObstacle {
  /** `mismatch`: no probe mode can measure it; the others only stop the literal mode. */
  kind: 'custom-layer' | 'non-constant-config' | 'no-layers' | 'graph-gap' | 'mismatch';
  message: string;
}

function nonConstantKeys(node: LayerNode): string[] {
  const keys = Object.entries(node.config.values)
    .filter(([, value]) => toPlanValue(value) === undefined)
    .map(([key]) => key);
  if (node.config.openSpread) keys.push('...spread');
  return keys.filter((key) => !PROBE_DEFAULTED_KEYS.has(key));
}

/**
 * A gap where extraction chose one path (a loop body once, one branch, one switch case) still
 * gives a whole model: the probe measures that path, as the static analysis does, and says so.
 */
export function isChosenPathGap(gap: ExtractionGap): boolean {
  return gap.chosenPath === true;
}

export interface LiteralProbeReach {
  obstacles: LiteralProbeObstacle[];
  /** The graph with representative values for the widths the analysis does not know. */
  representative: RepresentativeGraph;
  /** The custom layers of `representative.graph` (wrapped ones included) built from their static op graph. */
  customBodies: Map<LayerNode, PlanCustomBody>;
}

/** Every reason the literal probe cannot build `graph`, in the order the plan reports them. */
export function literalProbeObstacles(graph: ModelGraph, inferences: readonly DeclarationInference[], lineOf: (node: LayerNode) => number): LiteralProbeObstacle[] {
  return literalProbeReach(graph, inferences, lineOf).obstacles;
}

/**
 * What the literal probe can build of `graph`: widths, initializers and dropout rates it does not
 * know take representative values (representativeConfig.ts); anything else unknown is an obstacle.
 */
export function literalProbeReach(
  graph: ModelGraph,
  inferences: readonly DeclarationInference[],
  lineOf: (node: LayerNode) => number,
  chosen?: ReadonlyMap<string, ConstValue>,
): LiteralProbeReach {
  const representative = withRepresentativeValues(graph, inferences.map((inference) => inference.declaration.group), lineOf, chosen);
  const obstacles: LiteralProbeObstacle[] = [];
  const customBodies = new Map<LayerNode, PlanCustomBody>();
  const groups = inferences.map((inference) => inference.declaration.group);
  for (const layer of representative.graph.layers) {
    for (const candidate of layer.inner ? [layer, layer.inner] : [layer]) {
      if (candidate.origin === 'custom') {
        // Built from the op graph of its call() (customLayerPlan.ts): none of its code runs.
        const lineOfSpan = (span: SourceSpan) => (span.file === graph.nameSpan.file ? lineOf({ ...candidate, nameSpan: span, callStack: [] }) : 0);
        const planned = planCustomLayer(candidate, representative.graph, groups, lineOfSpan);
        if ('obstacle' in planned) obstacles.push({ kind: 'custom-layer', message: planned.obstacle });
        else {
          customBodies.set(candidate, planned.body);
          representative.assumptions.push(...planned.assumptions);
        }
        continue;
      }
      const keys = nonConstantKeys(candidate);
      if (keys.length > 0) obstacles.push({ kind: 'non-constant-config', message: `cannot build layer ${candidate.kind} (line ${lineOf(candidate)}): ${keys.join(', ')} is not a compile-time constant` });
    }
  }
  if (representative.structuralUnknown) obstacles.push({ kind: 'non-constant-config', message: representative.structuralUnknown });
  if (graph.layers.length === 0) obstacles.push({ kind: 'no-layers', message: 'the model has no layers the analysis could find' });
  const missing = graph.gaps.filter((gap) => !isChosenPathGap(gap));
  if (missing.length > 0) obstacles.push({ kind: 'graph-gap', message: `the layer graph is incomplete: ${missing[0].message}` });
  const mismatch = inferences.find((inference) => inference.mismatch);
  if (mismatch?.mismatch) obstacles.push({ kind: 'mismatch', message: `the declaration "${mismatch.declaration.text}" does not fit the model: ${mismatch.mismatch.message}` });
  return { obstacles, representative, customBodies };
}
