// Compact renderings of inference results for table-driven tests: one short string per state
// and one tuple per fall, so an expectation table reads like the SPEC's state table.
import type { DeclarationInference, Fall, SymmetryState } from '../../server/src/analysis/symmetry';

/** `exact`, `approx`, `subgroup(2)`, `invariant(approx)`, `flattened`, `broken:code@layer`, `unknown:code~assumed`. */
export function summarizeState(state: SymmetryState): string {
  switch (state.kind) {
    case 'acting': {
      const fidelity = state.fidelity;
      const level = fidelity.level === 'subgroup' ? `subgroup(${fidelity.k})` : fidelity.level;
      return state.blockwise ? `${level}/blockwise` : level;
    }
    case 'invariant':
      return `invariant(${state.fidelity.level === 'subgroup' ? `subgroup(${state.fidelity.k})` : state.fidelity.level})`;
    case 'flattened':
      return 'flattened';
    case 'broken':
      return `broken:${state.cause.code}@${state.cause.at.layer}`;
    case 'unknown':
      return `unknown:${state.cause.code}~${summarizeState(state.assumed)}`;
  }
}

/** `[level, cause code, blamed layer, number of repeats]`. */
export type FallSummary = [Fall['level'], string, number, number];

export function summarizeFalls(inference: DeclarationInference): FallSummary[] {
  return inference.falls.map((fall) => [fall.level, fall.cause.code, fall.cause.at.layer, fall.repeats.length]);
}
