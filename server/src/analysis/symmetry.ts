// The vocabulary of the analysis: declared symmetries, inferred states, and the causes of a
// state's fall. Pure types and small helpers; it knows nothing of rules, LSP, the CLI or tfjs.
import type { SourceSpan } from './graph';

export type Mode = 'invariant' | 'equivariant';
export type GroupName = 'translation' | 'rotation90' | 'flip' | 'dihedral' | 'permutation' | 'sign';
export const MODES: readonly Mode[] = ['invariant', 'equivariant'];
export const GROUPS: readonly GroupName[] = ['translation', 'rotation90', 'flip', 'dihedral', 'permutation', 'sign'];

/** Tolerances at or above this make a declaration approximate (SPEC section 2). */
export const APPROXIMATE_TOL = 1e-2;
export const DEFAULT_TOL = 1e-4;

export interface SymmetryDeclaration {
  mode: Mode;
  group: GroupName;
  /** The set or sequence axis (default 1). */
  axis: number;
  tol: number;
  /** `tol >= 1e-2`: the user accepts border effects. */
  approximate: boolean;
  /**
   * `adjacency=<k>` (permutation only): the 0-based index of the model input `[N,T,T]` that
   * pairs the set's elements; the permutation acts on both of its axes at once (SPEC 2).
   */
  adjacency?: number;
  /**
   * `learned` (SPEC 2): training supplies the symmetry (data augmentation), not the
   * architecture; static breaks are info and the probe of the trained weights judges it.
   */
  learned?: boolean;
  /** The tag's text (`@symmetry invariant translation tol=1e-3`). */
  span: SourceSpan;
  /** Given on the command line (`--symmetry`) rather than in the source. */
  fromCommandLine: boolean;
  /** The text after `@symmetry`, normalised: `invariant translation tol=0.001`. */
  text: string;
}

/** A malformed `@symmetry` tag. */
export interface DeclarationProblem {
  span: SourceSpan;
  /** What was expected there (`a mode: invariant or equivariant`). */
  expected: string;
  /** What was found (`invarient`), or empty when something was missing. */
  found: string;
  /** The closest valid spelling of the whole tag, when there is one. */
  suggestion?: string;
}

/** Why a state fell: the analysis' own words; rules map these codes to rule ids. */
export type CauseCode =
  /** zero padding of a `same` convolution or zeroPadding2d: approximate at the borders */
  | 'zero-padding'
  /** `valid` convolution or cropping: the output loses the border */
  | 'cropping'
  /** strided convolution or pooling: only shifts by multiples of the stride commute */
  | 'stride'
  /** a window or stride whose sampled grid does not map onto itself under rotation or flip */
  | 'grid-offset'
  /** asymmetric padding or cropping under rotation or flip */
  | 'asymmetric-border'
  /** a learned kernel larger than 1 under rotation90, flip or dihedral */
  | 'learned-kernel'
  /** flatten or reshape that merged the acting axes, followed by a mixing layer */
  | 'flatten-then-mix'
  /** the output is flattened: the group no longer acts on it as declared */
  | 'flattened-output'
  /** a recurrent layer along the set or sequence axis */
  | 'recurrent'
  /** a kernel or window larger than 1 along the set axis */
  | 'set-axis-window'
  /** a layer that mixes across concatenated blocks */
  | 'block-mixing'
  /** per-position weights: prelu without shared spatial axes */
  | 'per-position-weights'
  /** a bias or offset under sign */
  | 'bias'
  /** a non-odd activation or operation under sign */
  | 'non-odd'
  /** the output still carries the axes the group acts on, but invariance was declared */
  | 'output-not-invariant'
  /** a layer the analysis has no rule for (custom subclass, unknown callee) */
  | 'unmodelled-layer'
  /** a configuration value that matters here but is not a compile-time constant */
  | 'non-constant-config'
  /** a dense or recurrent layer whose mixing axis is one the group acts on */
  | 'mixes-acting-axis'
  /** a window or stride that differs between the axes a rotation exchanges */
  | 'non-square-window'
  /** resizing resamples the grid: shifts commute only up to interpolation at the borders */
  | 'resampling'
  /**
   * a term tied to positions inside a custom layer: a weight or constant lined up with an acting
   * axis (a positional encoding, an embedding of tf.range), a causal mask, a slice or cumsum
   * along it
   */
  | 'positional-term';

/** A reference to a layer of the model graph, with its kind for messages. */
export interface LayerRef {
  layer: number;
  kind: string;
}

export interface Cause {
  code: CauseCode;
  /** The layer to blame. */
  at: LayerRef;
  /** The second layer involved, if any: the mixing layer after a flatten. */
  partner?: LayerRef;
  /** A short explanation in the analysis' words (`zero padding of a 3x3 'same' convolution`). */
  detail: string;
  /**
   * Places inside a custom layer class that the finding points to (the op in call(), the
   * addWeight in build()); the finding itself sits where the model creates the layer.
   */
  sites?: { span: SourceSpan; label: string }[];
}

/** How exactly the group still acts on a tensor. */
export type Fidelity =
  | { level: 'exact' }
  | { level: 'approx'; reasons: Cause[] }
  /** `k`: shifts by multiples of k commute; `null` when no non-trivial element is known to. */
  | { level: 'subgroup'; k: number | null; reasons: Cause[] };

/** The state of one tensor under one declaration (SPEC section 4). */
export type SymmetryState =
  /** the group acts on the tensor (through the induced action) and commutes as `fidelity` says */
  | {
      kind: 'acting';
      fidelity: Fidelity;
      blockwise?: boolean;
      /**
       * Constant borders added along the acting axes (zero padding) that no window has mixed
       * in yet: pointwise layers and global pooling keep the symmetry exactly, since the border
       * is the same for every input; the first layer whose window reaches into it falls.
       */
      border?: Cause[];
      /**
       * A reshape (`by`) merged the acting axes into one axis while keeping the channels: the
       * group now acts by permuting the positions of that axis (a circular shift of an image
       * becomes a permutation of its pixels), so layers are judged as on a set.
       */
      permutedBy?: LayerRef;
      /**
       * The first `unmovedPrefix` positions of the acting axis are blocks the group leaves where
       * they are (a learned class token concatenated in front of the set); the group permutes the
       * rest. Reading those positions back (a slice of position 0) is then invariant.
       */
      unmovedPrefix?: number;
    }
  /**
   * the group no longer acts: the tensor is invariant, qualified by `fidelity`; `since` is the
   * layer that made it so (under sign: the first layer whose output is even, not odd)
   */
  | { kind: 'invariant'; fidelity: Fidelity; since?: LayerRef }
  /** the acting axes became feature indices; the next mixing layer breaks the symmetry */
  | { kind: 'flattened'; fidelity: Fidelity; by: LayerRef }
  | { kind: 'broken'; cause: Cause }
  /**
   * an analysis gap: `assumed` is the state propagated as if the layer kept the symmetry, so
   * later layers are still checked
   */
  | { kind: 'unknown'; cause: Cause; assumed: SymmetryState };

/** The level a state fell to, in the order of SPEC section 4's first-break principle. */
export type FallLevel = 'approx' | 'subgroup' | 'broken';

/**
 * The first layer at which a declaration's state fell to `level`, and the later layers that
 * would cause the same fall (listed, not reported one by one).
 */
export interface Fall {
  level: FallLevel;
  cause: Cause;
  repeats: Cause[];
}

/** A declaration that does not fit the model (rank, square input, embedding). */
export interface DeclarationMismatch {
  message: string;
  /** The input whose shape does not fit, when known. */
  input?: SourceSpan;
}

/** Everything inference concluded for one declaration on one model. */
export interface DeclarationInference {
  declaration: SymmetryDeclaration;
  mismatch?: DeclarationMismatch;
  /** State of each layer's output, indexed by layer id. */
  layerStates: SymmetryState[];
  /** State of each model output, in `ModelGraph.outputs` order. */
  outputStates: SymmetryState[];
  /** At most one per level, in data-flow order. */
  falls: Fall[];
  /** Every analysis gap (unknown layer or non-constant configuration that matters). */
  gaps: Cause[];
  /**
   * An input of unknown shape took the structure the declaration implies (an image for
   * translation and rotations, a set for permutation); every conclusion rests on that.
   */
  assumedInput?: AssumedInput;
}

export interface AssumedInput {
  input: SourceSpan;
  shape: (number | null)[];
  /** `an image input [N, H, W, C]`. */
  description: string;
}

/** Static output shapes (without the batch axis) per tensor id; null dims are unknown. */
export type ShapeTable = ((number | null)[] | undefined)[];

/** A human-readable rendering of a state, as the hover shows it. */
export function describeState(state: SymmetryState): string {
  switch (state.kind) {
    case 'acting':
      return (
        describeFidelity(state.fidelity) +
        (state.blockwise ? ', blockwise' : '') +
        (state.border ? ', with a constant border that no window has mixed in yet' : '') +
        (state.permutedBy ? `, as a permutation of the positions ${state.permutedBy.kind} merged` : '') +
        (state.unmovedPrefix ? `, ${state.unmovedPrefix === 1 ? 'position 0 is a token' : `positions 0-${state.unmovedPrefix - 1} are tokens`} the group leaves in place, the rest is the set` : '')
      );
    case 'invariant':
      return `invariant, ${describeFidelity(state.fidelity)}`;
    case 'flattened':
      return `flattened, ${state.by.kind} turned positions into features`;
    case 'broken':
      return `broken, ${state.cause.detail}`;
    case 'unknown':
      // The same word as the analysis-gap message; later layers are checked as if it held.
      return `unknown, ${state.cause.detail}; later layers are checked as if it held`;
  }
}

export function describeFidelity(fidelity: Fidelity): string {
  switch (fidelity.level) {
    case 'exact':
      return 'exact';
    case 'approx':
      return `approx (${uniqueDetails(fidelity.reasons).join('; ')})`;
    case 'subgroup':
      return fidelity.k === null
        ? `subgroup (${uniqueDetails(fidelity.reasons).join('; ')})`
        : `subgroup(${fidelity.k})`;
  }
}

function uniqueDetails(causes: Cause[]): string[] {
  return [...new Set(causes.map((c) => c.detail))];
}
