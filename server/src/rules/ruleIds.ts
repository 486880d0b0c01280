// The rule ids of SPEC section 7 plus the two the lead added, in one place, so the registry,
// the cause routing, the settings schema and the docs can be checked against one list.
export const RULE_IDS = [
  'invalid-declaration',
  'declaration-mismatch',
  'flatten-breaks-invariance',
  'output-not-invariant',
  'strided-aliasing',
  'padding-boundary',
  'kernel-breaks-rotation',
  'rotation-grid-mismatch',
  'order-dependent-layer',
  'position-dependent-weights',
  'positional-encoding',
  'non-odd-layer',
  'analysis-gap',
  'probe-violation',
  'probe-disagrees',
  'augmentation-not-declared',
] as const;

export type RuleId = (typeof RULE_IDS)[number];
