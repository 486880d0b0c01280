// Convolutions (1d/2d/3d, depthwise, separable, transposed): border and stride effects under
// translation, learned kernels under rotation/flip, windows along a set axis, bias under sign.
import type { LayerRule, LocalEffect, RuleContext, Shape, ShapeContext } from './types';
import { breaks, cause, formatTuple, formatWindow, keep, subgroup } from './types';
import { effectiveKernel, gcd, gridCheck, readPadding, spatialOffset, translationWindowEffect, transposedOutputLength, windowOutputLength, type Padding } from './geometry';
import { affineUnderSign } from './sign';
import { channelAxisMixing, lastAxisMixing } from './pointwise';

export interface ConvolutionGeometry {
  kernels: number[];
  strides: number[];
  padding: Padding;
}

/** Reads kernel (dilated), strides and padding strictly; non-constant values throw (a gap). */
export function readConvolutionGeometry(context: RuleContext, spatialRank: number, defaults: { padding: Padding } = { padding: 'valid' }): ConvolutionGeometry {
  const kernels = context.config.tuple('kernelSize', spatialRank, 1) as number[];
  const strides = context.config.tuple('strides', spatialRank, 1) as number[];
  const dilations = context.config.tuple('dilationRate', spatialRank, 1) as number[];
  const padding = readPadding(context.config.string('padding', defaults.padding)) ?? defaults.padding;
  return { kernels: kernels.map((kernel, index) => effectiveKernel(kernel, dilations[index])), strides, padding };
}

/**
 * The acting axes among the `spatialRank` spatial positions (from `offset`: 1 when channels
 * come first), with their sizes, kernels and strides.
 */
export function actingWindow(context: RuleContext, geometry: ConvolutionGeometry, spatialRank: number, offset = 0) {
  const input = context.inputShapes[0];
  const positions = context.axes.filter((axis) => axis >= offset && axis < offset + spatialRank);
  return {
    positions,
    sizes: positions.map((axis) => (input ? (input[axis] ?? null) : null)),
    kernels: positions.map((axis) => geometry.kernels[axis - offset]),
    strides: positions.map((axis) => geometry.strides[axis - offset]),
  };
}

/**
 * The effect of a learned convolution on the spatial axes, for every group but sign.
 * `keepsRotation`: the library's P4 convolutions commute with rotations by construction.
 */
export function convolutionEffect(context: RuleContext, what: string, spatialRank: number, geometry: ConvolutionGeometry, keepsRotation = false, offset = 0): LocalEffect {
  const window = actingWindow(context, geometry, spatialRank, offset);
  const largeKernel = window.kernels.some((kernel) => kernel > 1);
  switch (context.group) {
    case 'sign':
      return keep();
    case 'translation':
      return translationWindowEffect(context, what, window.sizes, window.kernels, window.strides, geometry.padding);
    case 'rotation90':
    case 'dihedral':
    case 'flip': {
      const rotationOnly = keepsRotation && context.group === 'rotation90';
      if (largeKernel && !rotationOnly) {
        return breaks(
          cause(
            context,
            'learned-kernel',
            keepsRotation
              ? `${what} commutes with rotations only, not with ${context.group === 'flip' ? 'the flip' : 'the flips of dihedral'}`
              : `${what} has a learned ${formatWindow(geometry.kernels)} kernel, which is not ${context.group === 'flip' ? 'mirror' : 'rotation'}-symmetric`,
          ),
        );
      }
      return gridCheck(context, what, window.sizes, window.kernels, window.strides, geometry.padding);
    }
    case 'permutation':
      if (largeKernel || window.strides.some((stride) => stride > 1)) {
        return breaks(
          cause(context, 'set-axis-window', `${what} with a ${formatWindow(window.kernels)} window and stride ${formatTuple(window.strides)} along the set axis depends on element order`),
        );
      }
      return keep();
  }
}

function convolutionShape(spatialRank: number, transposed: boolean, channels: (context: ShapeContext, input: (number | null)[]) => number | null) {
  return (context: ShapeContext): Shape => {
    const given = context.inputShapes[0];
    if (!given) return undefined;
    // Channels first: compute on the channels-last view, then move the channels back in front.
    const channelsFirst = context.config.string('dataFormat', 'channelsLast') === 'channelsFirst';
    const input = channelsFirst ? [...given.slice(1), given[0]] : given;
    const kernels = context.config.tuple('kernelSize', spatialRank, Number.NaN);
    const strides = context.config.tuple('strides', spatialRank, 1);
    const dilations = context.config.tuple('dilationRate', spatialRank, 1);
    const padding = readPadding(context.config.string('padding', 'valid'));
    const spatial = input.slice(0, spatialRank).map((size, axis) => {
      const kernel = kernels[axis] === null || Number.isNaN(kernels[axis]) || dilations[axis] === null ? null : effectiveKernel(kernels[axis] as number, dilations[axis] as number);
      return transposed ? transposedOutputLength(size, kernel, strides[axis], padding) : windowOutputLength(size, kernel, strides[axis], padding);
    });
    const outputChannels = channels(context, input);
    return channelsFirst ? [outputChannels, ...spatial] : [...spatial, outputChannels];
  };
}

const filters = (context: ShapeContext): number | null => context.config.number('filters', Number.NaN) ?? null;
const withoutNaN = (value: number | null): number | null => (value === null || Number.isNaN(value) ? null : value);

function convolution(kind: string, spatialRank: number, options: { transposed?: boolean; depthwise?: boolean } = {}): LayerRule {
  return {
    kind,
    family: 'convolution',
    mixing: true,
    inputRank: spatialRank + 1,
    outputShape: convolutionShape(spatialRank, options.transposed ?? false, (context, input) => {
      if (!options.depthwise) return withoutNaN(filters(context));
      const multiplier = context.config.number('depthMultiplier', 1);
      const channels = input[input.length - 1];
      return channels === null || multiplier === null ? null : channels * multiplier;
    }),
    effect: (context) => {
      const offset = spatialOffset(context);
      const mixesActing = offset === 0 ? lastAxisMixing(context, kind) : channelAxisMixing(context, kind, 0);
      if (mixesActing) return mixesActing;
      if (context.group === 'sign') return affineUnderSign(context);
      const geometry = readConvolutionGeometry(context, spatialRank);
      if (options.transposed) return transposedEffect(context, kind, spatialRank, geometry, offset);
      return convolutionEffect(context, kind, spatialRank, geometry, false, offset);
    },
  };
}

/**
 * A transposed convolution upsamples by its stride (the action is rescaled, as for
 * upSampling). A kernel larger than its stride overlaps neighbouring outputs, so the borders
 * differ; a kernel no larger than the stride paints each input position onto its own block of
 * outputs, with no padding in either mode, and commutes with shifts exactly.
 */
function transposedEffect(context: RuleContext, what: string, spatialRank: number, geometry: ConvolutionGeometry, offset: number): LocalEffect {
  const window = actingWindow(context, geometry, spatialRank, offset);
  const largeKernel = window.kernels.some((kernel) => kernel > 1);
  const upsamples = window.strides.some((stride) => stride > 1);
  switch (context.group) {
    case 'translation': {
      const rescale = { up: window.strides.length > 0 ? window.strides.reduce((a, b) => gcd(a, b)) : 1, down: 1 };
      const overlaps = window.kernels.some((kernel, index) => kernel > window.strides[index]);
      return overlaps
        ? keep({ window: true, rescale, approx: [cause(context, 'zero-padding', `${what} with a ${formatWindow(geometry.kernels)} kernel overlaps the zero border`)] })
        : keep({ rescale });
    }
    case 'rotation90':
    case 'dihedral':
    case 'flip':
      if (largeKernel) {
        return breaks(cause(context, 'learned-kernel', `${what} has a learned ${formatWindow(geometry.kernels)} kernel, which is not symmetric`));
      }
      if (upsamples && geometry.padding !== 'valid') {
        // With 'same', the inserted samples sit at i*s, which i -> n*s-1-i does not map onto i*s.
        return subgroup(null, cause(context, 'grid-offset', `${what} with stride ${formatTuple(window.strides)} ('same') places samples off the rotated grid`));
      }
      return keep();
    case 'permutation':
      if (largeKernel || upsamples) {
        return breaks(cause(context, 'set-axis-window', `${what} spreads each set element over neighbouring positions`));
      }
      return keep();
    case 'sign':
      return keep();
  }
}

export const CONVOLUTION_RULES: LayerRule[] = [
  convolution('conv1d', 1),
  convolution('conv2d', 2),
  convolution('conv3d', 3),
  convolution('depthwiseConv2d', 2, { depthwise: true }),
  convolution('separableConv2d', 2),
  convolution('conv2dTranspose', 2, { transposed: true }),
  convolution('conv3dTranspose', 3, { transposed: true }),
];
