// Which rule reports a fall, from its cause code and the declaration (the table of the rules
// brief). One function, so every cause lands in exactly one rule and the first-break principle
// of inference carries over to the findings.
import type { Cause, FallLevel, SymmetryDeclaration } from '../analysis/symmetry';
import type { RuleId } from './ruleIds';

/** Cause codes that are analysis gaps rather than breaks. */
export const GAP_CAUSES: ReadonlySet<Cause['code']> = new Set(['unmodelled-layer', 'non-constant-config']);

/** The rule that reports a definite break of the declared group (used for block mixing). */
function breakRuleOfGroup(declaration: SymmetryDeclaration): RuleId {
  switch (declaration.group) {
    case 'rotation90':
    case 'flip':
    case 'dihedral':
      return 'kernel-breaks-rotation';
    case 'permutation':
      return 'order-dependent-layer';
    case 'sign':
      return 'non-odd-layer';
    case 'translation':
      // Under translation a layer mixing concatenated blocks only breaks it outright when
      // the blocks were flattened together first.
      return 'flatten-breaks-invariance';
  }
}

export function ruleForCause(cause: Cause, level: FallLevel, declaration: SymmetryDeclaration): RuleId {
  switch (cause.code) {
    case 'zero-padding':
    case 'cropping':
      return 'padding-boundary';
    case 'stride':
      return 'strided-aliasing';
    case 'grid-offset':
    case 'asymmetric-border':
      return 'rotation-grid-mismatch';
    case 'learned-kernel':
      return 'kernel-breaks-rotation';
    case 'flatten-then-mix':
      return declaration.group === 'permutation' ? 'order-dependent-layer' : 'flatten-breaks-invariance';
    case 'flattened-output':
      return 'flatten-breaks-invariance';
    case 'recurrent':
    case 'set-axis-window':
      return 'order-dependent-layer';
    case 'block-mixing':
      return declaration.group === 'translation' && level === 'approx' ? 'padding-boundary' : breakRuleOfGroup(declaration);
    case 'per-position-weights':
      return 'position-dependent-weights';
    case 'positional-term':
      // Tied to positions: under permutation a positional encoding, elsewhere a per-position weight.
      return declaration.group === 'permutation' ? 'positional-encoding' : 'position-dependent-weights';
    case 'bias':
    case 'non-odd':
      return 'non-odd-layer';
    case 'output-not-invariant':
      return 'output-not-invariant';
    case 'unmodelled-layer':
    case 'non-constant-config':
      return 'analysis-gap';
    case 'non-square-window':
      return 'rotation-grid-mismatch';
    case 'resampling':
      return byLevel(level, declaration);
    case 'mixes-acting-axis':
      // A dense or RNN along a spatial, time or set axis reads it in order, like an RNN.
      return declaration.group === 'translation' || declaration.group === 'permutation'
        ? 'order-dependent-layer'
        : breakRuleOfGroup(declaration);
    default:
      // A cause code newer than this table still lands in one rule, chosen by how far it fell
      // (the consistency test's exhaustive list flags it for a proper entry).
      return byLevel(level, declaration);
  }
}

/** The rule for a fall known only by its level: border effects, subgroups, or a break. */
function byLevel(level: FallLevel, declaration: SymmetryDeclaration): RuleId {
  if (level === 'approx') return 'padding-boundary';
  if (level === 'subgroup') return declaration.group === 'translation' ? 'strided-aliasing' : 'rotation-grid-mismatch';
  return breakRuleOfGroup(declaration);
}
