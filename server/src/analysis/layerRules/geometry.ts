// Window arithmetic shared by convolutions, pooling and the library layers: tfjs output sizes,
// `same` padding, the translation effect of a window, and the rotation/flip grid check.
import { ConfigReader } from './config';
import type { LocalEffect, RuleContext } from './types';
import { breaks, cause, formatTuple, formatWindow, keep, subgroup } from './types';

export type Padding = 'same' | 'valid' | 'causal';

/**
 * An explicit `dataFormat: 'channelsFirst'`. Read leniently: a format hidden in a spread is
 * almost always the default, and the keys that matter (kernelSize...) are read strictly.
 */
export function declaresChannelsFirst(context: RuleContext): boolean {
  return new ConfigReader(context.node.config, false).string('dataFormat', 'channelsLast') === 'channelsFirst';
}

/** Where a layer's spatial axes start in its input (without batch): 1 behind the channels when channels first. */
export function spatialOffset(context: RuleContext): number {
  return declaresChannelsFirst(context) ? 1 : 0;
}

export function readPadding(value: string | null): Padding | null {
  if (value === 'same' || value === 'valid' || value === 'causal') return value;
  return null;
}

export function effectiveKernel(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

/** tfjs `convOutputLength` (and pooling): valid ceil((n-k+1)/s), same and causal ceil(n/s). */
export function windowOutputLength(size: number | null, kernel: number | null, stride: number | null, padding: Padding | null): number | null {
  if (size === null || kernel === null || stride === null || padding === null) return null;
  const length = padding === 'valid' ? Math.ceil((size - kernel + 1) / stride) : Math.ceil(size / stride);
  return Math.max(length, 0);
}

/** tfjs `deconvLength`: same n*s, valid n*s + max(k - s, 0). */
export function transposedOutputLength(size: number | null, kernel: number | null, stride: number | null, padding: Padding | null): number | null {
  if (size === null || kernel === null || stride === null || padding === null) return null;
  return padding === 'valid' ? size * stride + Math.max(kernel - stride, 0) : size * stride;
}

/** The offset between where the sampled grid ends and where it would have to end to be symmetric. */
function gridImbalance(size: number, kernel: number, stride: number, padding: Padding): { imbalance: number; padBefore: number; padAfter: number } {
  const outLength = windowOutputLength(size, kernel, stride, padding) ?? 0;
  const span = (outLength - 1) * stride + kernel - size;
  const total = padding === 'valid' ? 0 : Math.max(span, 0);
  const padBefore = padding === 'causal' ? total : Math.floor(total / 2);
  return { imbalance: span - 2 * padBefore, padBefore, padAfter: total - padBefore };
}

/** Sizes n (mod stride) for which the grid maps onto itself, as a message fragment. */
function sizeCondition(kernel: number, stride: number, padding: Padding): { always: boolean; never: boolean; text: string } {
  const residues: number[] = [];
  const first = Math.max(kernel, stride);
  for (let size = first; size < first + stride; size++) {
    if (gridImbalance(size, kernel, stride, padding).imbalance === 0) residues.push(size % stride);
  }
  const always = residues.length === stride;
  const never = residues.length === 0;
  if (never) return { always, never, text: 'for no input size' };
  if (stride === 2 && residues.length === 1) {
    return { always, never, text: residues[0] === 1 ? 'when the size is odd' : 'when the size is even' };
  }
  return { always, never, text: `when the size mod ${stride} is ${residues.sort((a, b) => a - b).join(' or ')}` };
}

/**
 * Whether a strided window's sampling grid maps onto itself under i -> n-1-i on each axis the
 * group reflects or rotates: exact iff the window is square and `(m-1)*s + k - n == 2*pad_before`.
 * `sizes`, `kernels`, `strides` are per acting spatial axis (kernels already dilated).
 */
export function gridCheck(
  context: Pick<RuleContext, 'group' | 'ref'>,
  what: string,
  sizes: (number | null)[],
  kernels: number[],
  strides: number[],
  padding: Padding,
): LocalEffect {
  const rotates = context.group === 'rotation90' || context.group === 'dihedral';
  if (rotates && (new Set(kernels).size > 1 || new Set(strides).size > 1)) {
    return breaks(
      cause(context, 'non-square-window', `${what} has a ${formatWindow(kernels)} window with strides ${formatTuple(strides)}, which a rotation does not preserve`),
    );
  }
  if (kernels.every((kernel) => kernel === 1) && strides.every((stride) => stride === 1)) return keep();
  const window = kernels.some((kernel) => kernel > 1);
  const problems: string[] = [];
  const conditions: string[] = [];
  sizes.forEach((size, index) => {
    const kernel = kernels[index];
    const stride = strides[index];
    if (size === null) {
      const condition = sizeCondition(kernel, stride, padding);
      if (condition.never) problems.push(`every size: the ${padding} padding is uneven`);
      else if (!condition.always) conditions.push(condition.text);
      return;
    }
    const { imbalance, padBefore, padAfter } = gridImbalance(size, kernel, stride, padding);
    if (imbalance !== 0) problems.push(`size ${size}: pad before ${padBefore}, after ${padAfter + (padding === 'valid' ? imbalance : 0)}`);
  });
  const described = `a ${formatWindow(kernels)} window with stride ${formatTuple(strides)} ('${padding}')`;
  if (problems.length > 0) {
    return subgroup(
      null,
      cause(context, 'grid-offset', `${what}: ${described} samples a grid that does not map onto itself under ${context.group} (${[...new Set(problems)].join('; ')})`),
      { window },
    );
  }
  if (conditions.length > 0) {
    return subgroup(
      null,
      cause(context, 'grid-offset', `${what}: ${described} keeps ${context.group} only ${[...new Set(conditions)].join(' and ')}; the size is not known statically`),
      { window },
    );
  }
  return keep({ window });
}

/**
 * The translation effect of a window along the acting axes: border loss (`same` zero padding,
 * `valid` cropping) unless the windows tile the axis, and a subgroup for a stride.
 */
export function translationWindowEffect(
  context: Pick<RuleContext, 'margin' | 'ref'>,
  what: string,
  sizes: (number | null)[],
  kernels: number[],
  strides: number[],
  padding: Padding,
): LocalEffect {
  const effect = keep({ window: kernels.some((kernel) => kernel > 1) });
  if (effect.kind !== 'keep') return effect;
  const margin = context.margin;
  let bordered = false;
  let coveredByMargin = padding === 'valid' && margin > 0;
  sizes.forEach((size, index) => {
    const kernel = kernels[index];
    const stride = strides[index];
    if (padding === 'valid' && margin > 0 && stride === 1 && (kernel - 1) / 2 <= margin) return;
    // A strided window that uses exactly the wrapped margin samples the circular convolution:
    // exact for shifts by multiples of the stride when the unpadded size is a multiple of it.
    if (padding === 'valid' && margin > 0 && (kernel - 1) / 2 === margin && size !== null && (size - 2 * margin) % stride === 0) return;
    coveredByMargin = false;
    if (size === null) {
      if (kernel > stride) bordered = true;
      return;
    }
    const outLength = windowOutputLength(size, kernel, stride, padding) ?? 0;
    const padded = padding !== 'valid' && (outLength - 1) * stride + kernel - size > 0;
    if (outLength * stride !== size || padded) bordered = true;
  });
  if (coveredByMargin) {
    effect.margin = margin - Math.max(...kernels.map((kernel) => Math.ceil((kernel - 1) / 2)));
  } else if (bordered) {
    const border = padding === 'valid'
      ? cause(context, 'cropping', `'valid' ${what} (${formatWindow(kernels)} window) loses the border`)
      : cause(context, 'zero-padding', `zero padding of a ${formatWindow(kernels)} '${padding}' ${what}`);
    effect.approx.push(border);
  }
  const stride = strides.reduce((product, value) => lcm(product, value), 1);
  if (stride > 1) {
    effect.subgroup.push({ k: stride, cause: cause(context, 'stride', `${what} with stride ${formatTuple(strides)}: only shifts by multiples of ${stride} commute`) });
  }
  return effect;
}

export function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

export function lcm(a: number, b: number): number {
  return (a * b) / gcd(a, b);
}
