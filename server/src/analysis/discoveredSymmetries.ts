// Symmetries a model has whether or not it declares them (issue 9, SPEC 8 `inferred`): the
// existing inference run once per (mode, group) that can act on the model's input, each
// output state summed up in one word. No analysis of its own; callers run it lazily (the
// model under the cursor, a visible CodeLens, `check --infer`), never on the keystroke path.
import { layerSpanInFile, type ModelGraph, type SourceSpan } from './graph';
import { parseCommandLineDeclaration } from './declarations';
import { inferDeclaration } from './inference';
import { undeclaredInputRank } from './shapes';
import { GROUPS, MODES, type Cause, type DeclarationInference, type GroupName, type Mode, type ShapeTable, type SymmetryState } from './symmetry';

/** How a symmetry holds at the model's output (SPEC 8). */
export type InferredLevel = 'exact' | 'approx' | 'subgroup' | 'broken' | 'unknown';

export interface InferredSymmetry {
  mode: Mode;
  group: GroupName;
  state: InferredLevel;
  /** What makes it less than exact: the break, the gap, or the first border or stride. */
  causes: Cause[];
  /** `subgroup`: shifts by multiples of `k` commute (null: no non-trivial element known to). */
  k?: number | null;
  /** The inference it sums up, as if the model declared `mode group`. */
  inference: DeclarationInference;
}

const LEVEL_ORDER: Record<InferredLevel, number> = { exact: 0, approx: 1, subgroup: 2, unknown: 3, broken: 4 };

/** The level of one output state; `unknown` takes the state it assumed for its cause. */
function levelOfState(state: SymmetryState): { level: InferredLevel; causes: Cause[]; k?: number | null } {
  switch (state.kind) {
    case 'broken':
      return { level: 'broken', causes: [state.cause] };
    case 'unknown':
      return { level: 'unknown', causes: [state.cause] };
    case 'flattened':
      return { level: 'broken', causes: [] };
    case 'acting':
    case 'invariant': {
      const fidelity = state.fidelity;
      if (fidelity.level === 'exact') return { level: 'exact', causes: [] };
      if (fidelity.level === 'approx') return { level: 'approx', causes: fidelity.reasons };
      return { level: 'subgroup', causes: fidelity.reasons, k: fidelity.k };
    }
  }
}

/**
 * Whether a group can act on the model's inputs at all. An input of unknown rank is not
 * assumed to be an image or a set here (a declaration would make that assumption and say
 * so; an undeclared model states nothing): only sign, which acts on any tensor, applies.
 */
function applies(model: ModelGraph, shapes: ShapeTable, inference: DeclarationInference): boolean {
  if (inference.mismatch) return false;
  if (inference.declaration.group === 'sign') return true;
  if (model.inputs.length === 0) return false;
  return model.inputs.every((input) => shapes[input.tensor] !== undefined || undeclaredInputRank(model, input.tensor) !== undefined);
}

/** Sums up one inference: the weakest of its outputs, and `unknown` where a gap was passed. */
export function summarizeInference(inference: DeclarationInference): Pick<InferredSymmetry, 'state' | 'causes' | 'k'> {
  let summary: { level: InferredLevel; causes: Cause[]; k?: number | null } = { level: 'exact', causes: [] };
  for (const state of inference.outputStates) {
    const next = levelOfState(state);
    if (LEVEL_ORDER[next.level] > LEVEL_ORDER[summary.level]) summary = next;
  }
  if (inference.outputStates.length === 0) summary = { level: 'unknown', causes: [] };
  if (inference.gaps.length > 0 && LEVEL_ORDER[summary.level] < LEVEL_ORDER.unknown) summary = { level: 'unknown', causes: [inference.gaps[0]] };
  return { state: summary.level, causes: summary.causes, ...(summary.level === 'subgroup' ? { k: summary.k ?? null } : {}) };
}

/** Every (mode, group) that can act on the model's input, with how it holds at the output. */
export function discoverSymmetries(model: ModelGraph, shapes: ShapeTable, groups: readonly GroupName[] = GROUPS): InferredSymmetry[] {
  const result: InferredSymmetry[] = [];
  for (const group of groups) {
    for (const mode of MODES) {
      const parsed = parseCommandLineDeclaration(`${mode} ${group}`);
      if ('problem' in parsed) continue;
      const declaration = { ...parsed, span: model.nameSpan, fromCommandLine: false };
      const inference = inferDeclaration(model, shapes, declaration);
      if (!applies(model, shapes, inference)) continue;
      result.push({ mode, group, ...summarizeInference(inference), inference });
    }
  }
  return result;
}

const SYMBOLS: Record<InferredLevel, string> = { exact: '\u2713', approx: '\u2248', subgroup: '\u2282', broken: '\u2717', unknown: '?' };

/** Few words for a border or resampling reason (`zero padding`). */
const APPROX_WORDS: Partial<Record<Cause['code'], string>> = {
  'zero-padding': 'zero padding',
  cropping: 'cropping',
  resampling: 'resampling',
  'asymmetric-border': 'asymmetric border',
};

/**
 * Per group, the mode to show on one line: the one that holds best; on a tie invariance (a
 * classifier's question), unless only equivariance has its output acted on. Both broken: the
 * one that blames the earlier layer, which is the more useful to read.
 */
export function bestPerGroup(inferred: readonly InferredSymmetry[]): InferredSymmetry[] {
  const chosen = new Map<GroupName, InferredSymmetry>();
  for (const entry of inferred) {
    const previous = chosen.get(entry.group);
    if (!previous) {
      chosen.set(entry.group, entry);
      continue;
    }
    const order = LEVEL_ORDER[entry.state] - LEVEL_ORDER[previous.state];
    if (order < 0) chosen.set(entry.group, entry);
    else if (order === 0 && entry.state === 'broken') {
      const at = (item: InferredSymmetry) => item.causes[0]?.at.layer ?? Number.MAX_SAFE_INTEGER;
      if (at(entry) < at(previous)) chosen.set(entry.group, entry);
    }
  }
  return [...chosen.values()];
}

/** Where a cause's layer is, as `conv2d line 12` (the line in the model's own file). */
function causePlace(model: ModelGraph, cause: Cause, lineOf: (span: SourceSpan) => number): string {
  const layer = cause.at.layer >= 0 ? model.layers[cause.at.layer] : undefined;
  const span = layer ? (layerSpanInFile(layer, model.nameSpan.file) ?? layer.span) : undefined;
  const what = cause.code === 'bias' ? `${cause.at.kind} bias` : cause.at.kind;
  return span ? `${what} line ${lineOf(span)}` : what;
}

/** The reason after the symbol: `(zero padding)`, `(conv2d line 12)`; empty when exact. */
export function describeInferredReason(model: ModelGraph, entry: InferredSymmetry, lineOf: (span: SourceSpan) => number): string {
  if (entry.state === 'exact' || entry.causes.length === 0) return '';
  if (entry.state === 'approx') {
    const words = [...new Set(entry.causes.map((cause) => APPROX_WORDS[cause.code] ?? cause.at.kind))];
    return `(${words.join(', ')})`;
  }
  const place = causePlace(model, entry.causes[0], lineOf);
  if (entry.state === 'subgroup') return entry.k ? `(shifts by multiples of ${entry.k}, ${place})` : `(${place})`;
  return `(${place})`;
}

/**
 * One line per model, as `check --infer` prints it: `buildClassifier: translation ≈ (zero
 * padding), flip ✗ (conv2d line 12), sign ✗ (dense bias line 14)`. Equivariance is named
 * where it is the mode shown.
 */
export function describeInferredLine(model: ModelGraph, inferred: readonly InferredSymmetry[], lineOf: (span: SourceSpan) => number): string {
  const label = model.variant !== undefined ? `${model.name} (when ${model.variant})` : model.name;
  return `${label}: ${describeInferredSummary(model, inferred, lineOf)}`;
}

/** The line without the model's name, as the CodeLens shows it. */
export function describeInferredSummary(model: ModelGraph, inferred: readonly InferredSymmetry[], lineOf: (span: SourceSpan) => number): string {
  const parts = bestPerGroup(inferred).map((entry) => {
    const name = entry.mode === 'equivariant' ? `${entry.group} (equivariant)` : entry.group;
    const reason = describeInferredReason(model, entry, lineOf);
    return `${name} ${SYMBOLS[entry.state]}${reason ? ` ${reason}` : ''}`;
  });
  return parts.length > 0 ? parts.join(', ') : 'no group acts on its input';
}

/** The tolerance a declaration of an approximate symmetry gets (SPEC 2: 1e-2 or more). */
export const APPROXIMATE_DECLARATION_TOL = 0.05;

export interface DeclarableSymmetry {
  mode: Mode;
  group: GroupName;
  /** Set for a symmetry that holds only approximately. */
  tol?: number;
}

/**
 * The declarations a model can make of what it has: per group the best mode where it holds
 * exactly, or approximately (with a `tol`). A model with variants declares only what every
 * variant has; a group already declared is left out, and flip and rotation90 are left out where
 * dihedral, which covers both, holds as well.
 */
export function declarableSymmetries(variants: readonly (readonly InferredSymmetry[])[], declared: readonly { mode: Mode; group: GroupName }[]): DeclarableSymmetry[] {
  if (variants.length === 0) return [];
  const weakest = new Map<string, InferredSymmetry>();
  const counts = new Map<string, number>();
  for (const inferred of variants) {
    for (const entry of inferred) {
      const key = `${entry.mode} ${entry.group}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const previous = weakest.get(key);
      if (!previous || LEVEL_ORDER[entry.state] > LEVEL_ORDER[previous.state]) weakest.set(key, entry);
    }
  }
  const common = [...weakest.entries()].filter(([key]) => counts.get(key) === variants.length).map(([, entry]) => entry);
  const holding = bestPerGroup(common).filter((entry) => entry.state === 'exact' || entry.state === 'approx');
  const dihedral = holding.find((entry) => entry.group === 'dihedral');
  return holding
    .filter((entry) => !declared.some((other) => other.group === entry.group || (other.group === 'dihedral' && (entry.group === 'flip' || entry.group === 'rotation90'))))
    .filter((entry) => !(dihedral && (entry.group === 'flip' || entry.group === 'rotation90') && entry.state === dihedral.state && entry.mode === dihedral.mode))
    .map((entry) => ({ mode: entry.mode, group: entry.group, ...(entry.state === 'approx' ? { tol: APPROXIMATE_DECLARATION_TOL } : {}) }));
}

export function inferredSymbol(level: InferredLevel): string {
  return SYMBOLS[level];
}
