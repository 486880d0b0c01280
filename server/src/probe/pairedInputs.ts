// Inputs that pair a set's elements (a graph's adjacency, an attention mask; SPEC 2 `adjacency=`,
// SPEC 5): which model inputs they are, and the random symmetric 0/1 matrices the probe feeds
// them. A permutation acts on both of their axes at once (A -> P·A·Pᵀ). Pure data, no tfjs.
import { seededRandom } from './groupElements';
import { declaredAdjacencyInput, type PlanDeclaration, type PlanInput, type PlanLayer } from './plan';

/** The library layer whose second input is an adjacency by its own contract. */
const ADJACENCY_SLOTS: Record<string, number> = { GraphConv: 1 };

/**
 * The model input tensors a permutation acts on along both axes under `declaration`: the input
 * `adjacency=` names, or else every model input that feeds a library GraphConv's adjacency slot
 * (its contract says what that input is, so a declaration without the option is still measured
 * under the joint action rather than as a violation that is not there).
 */
export function pairedInputTensors(plan: { inputs: Pick<PlanInput, 'tensor'>[]; layers: Pick<PlanLayer, 'kind' | 'origin' | 'inputs'>[] }, declaration: PlanDeclaration): Set<number> {
  if (declaration.group !== 'permutation') return new Set();
  const declared = declaredAdjacencyInput(declaration);
  if (declared !== undefined) {
    const input = plan.inputs[declared];
    return new Set(input ? [input.tensor] : []);
  }
  const modelInputs = new Set(plan.inputs.map((input) => input.tensor));
  const paired = new Set<number>();
  for (const layer of plan.layers) {
    const slot = ADJACENCY_SLOTS[layer.kind];
    if (slot === undefined || layer.origin !== 'library') continue;
    const tensor = layer.inputs[slot];
    if (tensor !== undefined && modelInputs.has(tensor)) paired.add(tensor);
  }
  return paired;
}

/** How often two distinct elements are linked in a probe adjacency. */
const LINK_PROBABILITY = 0.3;

/**
 * `batch` random symmetric 0/1 matrices of `nodes` x `nodes` with ones on the diagonal, seeded,
 * written into `into` row by row (SPEC 5: self-loops keep a degree normalisation finite).
 * Any further trailing size (`[T, T, 1]`) repeats each entry.
 */
export function fillRandomAdjacency(into: Float32Array | Int32Array, batch: number, nodes: number, seed: number): void {
  const random = seededRandom(seed);
  const perSample = into.length / batch;
  const inner = Math.max(1, Math.floor(perSample / (nodes * nodes)));
  for (let n = 0; n < batch; n++) {
    const base = n * perSample;
    for (let i = 0; i < nodes; i++) {
      for (let j = i; j < nodes; j++) {
        const linked = i === j || random() < LINK_PROBABILITY ? 1 : 0;
        for (let k = 0; k < inner; k++) {
          into[base + (i * nodes + j) * inner + k] = linked;
          into[base + (j * nodes + i) * inner + k] = linked;
        }
      }
    }
  }
}
