// The translation error on the interior of a feature map: the positions that neither the
// frame's border nor the seam of the circular shift can reach through the receptive field
// accumulated so far. A circular shift is the right action only where padding is circular;
// through zero padding and `valid` crops, a whole-map comparison blames the first convolution
// of nearly every CNN. On the interior, what remains is what really breaks (aliasing at a
// stride, a flatten), so verdicts.ts blames by it where the static state is approx (border).
import type { PlanLayer, ProbePlan } from './plan';
import { spatialRankOf, stridesOf } from './layerStrides';

function numberList(value: unknown, rank: number, fallback: number): number[] {
  if (typeof value === 'number') return new Array<number>(rank).fill(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return value as number[];
  return new Array<number>(rank).fill(fallback);
}

/** How far a layer's window reaches along each spatial axis, in its input's positions. */
function windowExtent(layer: PlanLayer): number[] | undefined {
  const rank = spatialRankOf(layer.kind);
  if (rank === undefined || /^global/i.test(layer.kind)) return undefined;
  const config = (layer.inner ?? layer).config;
  const size = /pooling/i.test(layer.kind) ? numberList(config.poolSize, rank, 2) : numberList(config.kernelSize, rank, 3);
  const dilation = numberList(config.dilationRate, rank, 1);
  return size.map((k, i) => (k - 1) * (dilation[i] ?? 1));
}

/**
 * Per tensor, the reach of the border (and of the shift's seam) in that tensor's positions,
 * one number per spatial axis: conservative (a whole window, not half of it), so the interior
 * it leaves is free of border effects whatever the padding or crop.
 */
export function borderReach(plan: Pick<ProbePlan, 'inputs' | 'layers'>): Map<number, number[]> {
  const reach = new Map<number, number[]>();
  for (const input of plan.inputs) reach.set(input.tensor, []);
  for (const layer of plan.layers) {
    const incoming = layer.inputs.map((tensor) => reach.get(tensor) ?? []);
    const rank = Math.max(0, ...incoming.map((r) => r.length), spatialRankOf(layer.kind) ?? 0);
    const before = Array.from({ length: rank }, (_, i) => Math.max(0, ...incoming.map((r) => r[i] ?? 0)));
    const extent = windowExtent(layer);
    if (!extent) {
      const factor = /^upSampling/i.test(layer.kind) ? numberList(layer.config.size, rank, 2) : undefined;
      reach.set(layer.output, factor ? before.map((r, i) => r * (factor[i] ?? 1)) : before);
      continue;
    }
    const strides = stridesOf(layer);
    const transposed = /Transpose$/.test(layer.kind);
    reach.set(
      layer.output,
      before.map((r, i) => {
        const stride = strides[i] ?? 1;
        const grown = r + (extent[i] ?? 0);
        return transposed ? grown * stride : Math.ceil(grown / stride);
      }),
    );
  }
  return reach;
}

/**
 * The interior of one sample under a shift: the positions c along each acting axis with
 * `shift + reach <= c <= size - 1 - reach`, where the shifted map and the shifted input agree
 * without wrapping; returns, per interior position of the leading axes, its index and the index
 * it came from (both in units of the trailing block), or undefined when the interior is empty.
 */
export function interiorPositions(sample: readonly number[], axes: readonly number[], shifts: readonly number[], reach: readonly number[]): { to: Int32Array; from: Int32Array; block: number } | undefined {
  const last = Math.max(...axes);
  const leading = sample.slice(0, last + 1);
  const block = sample.slice(last + 1).reduce((a, b) => a * b, 1);
  const ranges = leading.map((size, axis) => {
    const k = axes.indexOf(axis);
    if (k < 0) return { lo: 0, hi: size - 1, shift: 0 };
    const r = reach[k] ?? 0;
    const shift = shifts[k];
    return { lo: shift + r, hi: size - 1 - r, shift };
  });
  if (ranges.some((range) => range.lo > range.hi)) return undefined;
  const strides = new Array<number>(leading.length).fill(1);
  for (let i = leading.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * leading[i + 1];
  const count = ranges.reduce((n, range) => n * (range.hi - range.lo + 1), 1);
  const to = new Int32Array(count);
  const from = new Int32Array(count);
  const coords = ranges.map((range) => range.lo);
  for (let n = 0; n < count; n++) {
    let target = 0;
    let source = 0;
    for (let a = 0; a < coords.length; a++) {
      target += coords[a] * strides[a];
      source += (coords[a] - ranges[a].shift) * strides[a];
    }
    to[n] = target;
    from[n] = source;
    for (let a = coords.length - 1; a >= 0; a--) {
      if (++coords[a] <= ranges[a].hi) break;
      coords[a] = ranges[a].lo;
    }
  }
  return { to, from, block };
}

/** Relative error of the moved sample against the base sample on `interior`. */
export function interiorRelativeError(data: ArrayLike<number>, moved: number, base: number, interior: { to: Int32Array; from: Int32Array; block: number }, floor: (values: number) => number): number | null {
  let diffSum = 0;
  let baseSum = 0;
  const { to, from, block } = interior;
  for (let n = 0; n < to.length; n++) {
    const t = moved + to[n] * block;
    const f = base + from[n] * block;
    for (let j = 0; j < block; j++) {
      const value = data[f + j];
      const diff = data[t + j] - value;
      diffSum += diff * diff;
      baseSum += value * value;
    }
  }
  const diffNorm = Math.sqrt(diffSum);
  const baseNorm = Math.sqrt(baseSum);
  if (!Number.isFinite(diffNorm) || !Number.isFinite(baseNorm)) return null;
  return diffNorm / Math.max(baseNorm, floor(to.length * block));
}
