// Spatial rank and strides of a plan layer, read from its literal configuration. Shared by the
// main thread (planBuilder, probeSizes) and the probe worker (measurement, groupElements,
// interiorError), so it imports nothing but the plan's types: the worker must never reach
// the static analysis, which would load TypeScript into it (test/unit/probe-worker-imports.test.ts).
import type { PlanLayer } from './plan';

/** A number per spatial axis from a config value that is one number, a list, or missing. */
export function numberList(value: unknown, rank: number, fallback: number): number[] {
  if (typeof value === 'number') return new Array<number>(rank).fill(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return value as number[];
  return new Array<number>(rank).fill(fallback);
}


/** The number of spatial axes a convolution or pooling factory works on (`conv2d` -> 2). */
export function spatialRankOf(kind: string): number | undefined {
  const match = /(\d)d(Transpose)?$/i.exec(kind);
  return match ? Number(match[1]) : undefined;
}

/** The stride a layer applies along each of its spatial axes (1 when it has none). */
export function stridesOf(layer: Pick<PlanLayer, 'kind' | 'config'>): number[] {
  const rank = spatialRankOf(layer.kind);
  if (rank === undefined || /^global/i.test(layer.kind)) return [];
  if (/pooling/i.test(layer.kind)) {
    const pool = numberList(layer.config.poolSize ?? layer.config.poolSize, rank, 2);
    return numberList(layer.config.strides, rank, 0).map((stride, i) => (stride > 0 ? stride : pool[i]));
  }
  if (/^(conv|separableConv|depthwiseConv|locallyConnected|P4Conv|BlurPool|PolyphasePool)/i.test(layer.kind)) {
    // The library's downsampling layers take one `stride` (default 2), not tfjs' `strides`.
    if (/^(BlurPool|PolyphasePool)/i.test(layer.kind)) return numberList(layer.config.stride, rank, 2);
    return numberList(layer.config.strides, rank, 1);
  }
  return [];
}

/**
 * The model's total stride: the largest product of strides along any path from an input to a
 * tensor. Parallel branches (a ResNet's strided shortcut beside its strided convolution) count
 * once, not once per branch.
 */
export function totalStrideOf(layers: Pick<PlanLayer, 'kind' | 'config' | 'inputs' | 'output'>[]): number {
  const strideAt = new Map<number, number>();
  let total = 1;
  for (const layer of layers) {
    const before = Math.max(1, ...layer.inputs.map((tensor) => strideAt.get(tensor) ?? 1));
    const after = before * Math.max(1, ...stridesOf(layer));
    strideAt.set(layer.output, after);
    total = Math.max(total, after);
  }
  return total;
}
