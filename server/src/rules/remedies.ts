// The layers of symmetry-lint-layers a message recommends, matched to the rank of the layer it
// is about: a conv1d gets CircularPad1D, a conv3d CircularPad3D. One place, so the messages
// follow the library when it gains a layer of another rank.
import type { GroupName } from '../analysis/symmetry';

export type SpatialRank = 1 | 2 | 3;

/** The spatial rank a layer kind names (`conv1d`, `maxPooling3d`, `P4Conv2D`), if any. */
export function spatialRankOfKind(kind: string): SpatialRank | undefined {
  const match = /([123])[dD](?:Transpose)?$/.exec(kind);
  return match ? (Number(match[1]) as SpatialRank) : undefined;
}

export interface Remedies {
  /** Circular padding of this rank, for border effects. */
  circularPad: string;
  /** Downsampling that keeps shifts: the anti-aliased layer, and the exact one when there is one. */
  downsampling: string;
}

/**
 * The remedies for a layer of `kind`; `fallbackRank` (from the layer's input shape) when the
 * kind does not name a rank, else 2.
 */
export function remediesFor(kind: string, fallbackRank?: number): Remedies {
  const named = spatialRankOfKind(kind);
  const rank: SpatialRank = named ?? (fallbackRank === 1 || fallbackRank === 3 ? fallbackRank : 2);
  // PolyphasePool exists in 2D only; a blur pool that is itself the downsampling layer is
  // pointed to the exact one.
  const blurPool = `BlurPool${rank}D (anti-aliased)`;
  const polyphase = rank === 2 ? 'PolyphasePool2D (exact)' : undefined;
  const downsampling = /^BlurPool/.test(kind) && polyphase ? polyphase : polyphase ? `${blurPool} or ${polyphase}` : blurPool;
  return { circularPad: `CircularPad${rank}D`, downsampling };
}

/** What removes the offset of a layer that adds one under the sign group. */
export function offsetRemedy(kind: string): string {
  if (/Normalization$/.test(kind)) return 'center: false';
  if (kind === 'rescaling') return 'offset: 0';
  return 'useBias: false';
}

/** What replaces a learned kernel under a rotation or reflection group. */
export function kernelRemedy(group: GroupName, kind: string): string {
  // P4 layers already commute with rotations: what they miss (the flips) only averaging adds.
  if (group === 'flip' || spatialRankOfKind(kind) !== 2 || /^P4/.test(kind)) return 'wrap the model in GroupAveraging';
  return 'use P4 group convolutions or GroupAveraging';
}

/** What replaces a layer that is not odd under the sign group. */
export function oddRemedy(kind: string): string {
  if (/^maxPooling|^globalMaxPooling/.test(kind)) return 'use average pooling instead';
  if (kind === 'embedding') return 'declare sign on a real-valued input instead';
  return 'use an odd activation such as tanh, softsign or linear';
}

/** What gives a layer with a weight per position shared weights. */
export function sharedWeightsRemedy(kind: string): string {
  if (/^locallyConnected/.test(kind)) return 'use a convolution instead';
  if (kind === 'prelu') return 'share them over the spatial axes with sharedAxes';
  return 'normalise over the channel axis only';
}
