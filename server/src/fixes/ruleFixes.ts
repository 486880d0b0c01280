// Fix producers, one per rule (SPEC 7's preferred fix first, then alternatives). Each returns
// only fixes it can write safely: a layer created in a helper, in a loop or with a config that
// is not a literal gets none, and a config key the replacement does not accept stops the fix.
import type { ts } from 'ts-morph';
import type { LayerNode } from '../analysis/graph';
import { inferDeclaration } from '../analysis/inference';
import type { FileAnalysis, LocatedFinding, ModelAnalysis } from '../engine';
import { POSITIONAL_ENCODING_RULE, removePositionalTerm } from './positionalTermFix';
import { exactWithLibraryFixes } from './augmentationExactFix';
import { declareLearnedFixes } from './declarationTags';
import { FileEditor, type LayerSite, type LibraryReference, type TfjsLayersReference } from './sourceEdits';
import type { SymmetryFix, TextEditSpan } from './types';

export interface FixContext {
  editor: FileEditor;
  analysis: FileAnalysis;
  model: ModelAnalysis;
  finding: LocatedFinding;
  library: LibraryReference | undefined;
}

/** Accumulates the edits of one fix and the library classes it needs imported. */
class FixBuilder {
  readonly edits: TextEditSpan[] = [];
  private readonly names: string[] = [];
  failed = false;

  constructor(private readonly context: FixContext) {}

  add(edits: TextEditSpan[] | TextEditSpan | undefined): void {
    if (edits === undefined) this.failed = true;
    else this.edits.push(...(Array.isArray(edits) ? edits : [edits]));
  }

  /** `new sl.Name(config)`, recording the import; fails the fix in a file without modules. */
  library(name: string, config: string): string {
    if (!this.context.library) {
      this.failed = true;
      return '';
    }
    this.names.push(name);
    return `new ${this.context.library.className(name)}(${config})`;
  }

  /**
   * `tf.layers.name(config)` written in the file's import style, next to `site` (the layer the
   * new one replaces or follows), recording any import it needs; fails the fix when none fits.
   */
  tfjs(site: LayerSite | undefined, name: string, config: string): string {
    const reference = this.context.editor.tfjsLayers(site);
    if (!reference) {
      this.failed = true;
      return '';
    }
    this.tfjsNames.set(reference, [...(this.tfjsNames.get(reference) ?? []), name]);
    return `${reference.factory(name)}(${config})`;
  }

  private readonly tfjsNames = new Map<TfjsLayersReference, string[]>();

  build(title: string, isPreferred: boolean): SymmetryFix | undefined {
    if (this.failed || this.edits.length === 0) return undefined;
    const imports = this.names.length > 0 && this.context.library ? this.context.library.importEdits(this.names) : [];
    const tfjsImports = [...this.tfjsNames].flatMap(([reference, names]) => reference.importEdits(names));
    return { title, ruleId: this.context.finding.ruleId, isPreferred, edits: [...this.edits, ...imports, ...tfjsImports] };
  }
}

/** The layer's site when it is written once, directly in this file; undefined when ambiguous. */
function siteOf(context: FixContext, layer: LayerNode | undefined, covered: readonly LayerNode[] = []): LayerSite | undefined {
  if (!layer || layer.callStack.length > 0 || layer.sharedWith !== undefined) return undefined;
  const graph = context.model.graph;
  // The same expression behind several layers (a loop, a helper called twice) is only fixable
  // when the fix changes every one of them the same way.
  const twins = graph.layers.filter((other) => other !== layer && other.span.start === layer.span.start && other.span.file === layer.span.file);
  if (twins.some((twin) => !covered.includes(twin))) return undefined;
  return context.editor.layerSite(layer.span);
}

/** The fall's layers, one per source expression (a loop body is edited once). */
function distinctSites(layers: LayerNode[]): LayerNode[] {
  const seen = new Set<number>();
  return layers.filter((layer) => !seen.has(layer.span.start) && (seen.add(layer.span.start), true));
}

/** Rank of a layer's input without the batch axis (3 for [H, W, C]). */
function inputRank(context: FixContext, layer: LayerNode): number | undefined {
  return context.model.shapes[layer.inputs[0]]?.length;
}

function inputShape(context: FixContext, layer: LayerNode): (number | null)[] | undefined {
  return context.model.shapes[layer.inputs[0]];
}

function outputRank(context: FixContext, layer: LayerNode): number | undefined {
  return context.model.shapes[layer.output]?.length;
}

/** The layers a finding is about: the blamed one and those the same fall repeats at. */
function fallLayers(context: FixContext): LayerNode[] {
  const { finding, model } = context;
  const blamed = finding.layer;
  if (blamed === undefined) return [];
  const ids = new Set([blamed]);
  for (const inference of model.inferences) {
    if (inference.declaration.group !== finding.group || inference.declaration.mode !== finding.mode) continue;
    for (const fall of inference.falls) {
      if (fall.cause.at.layer !== blamed) continue;
      for (const repeat of fall.repeats) ids.add(repeat.at.layer);
    }
  }
  return [...ids].sort((a, b) => a - b).map((id) => model.graph.layers[id]).filter((layer): layer is LayerNode => layer !== undefined);
}

const SHAPE_KEYS = ['inputShape', 'batchInputShape', 'inputDim', 'batchSize'];
const COMMON_KEYS = ['name', 'trainable', 'dtype', ...SHAPE_KEYS];

function keysWithin(editor: FileEditor, site: LayerSite, allowed: readonly string[]): boolean {
  const keys = editor.configKeys(site.config);
  return keys !== undefined && keys.every((key) => allowed.includes(key) || COMMON_KEYS.includes(key));
}

/** The shape properties of a config (`inputShape: [...]`), to carry over to a replacement. */
function shapeProperties(editor: FileEditor, site: LayerSite): string[] {
  return SHAPE_KEYS.map((key) => editor.property(site.config, key)).filter((p) => p !== undefined).map((p) => editor.propertyText(p));
}

function objectText(properties: string[]): string {
  return properties.length === 0 ? '{}' : `{ ${properties.join(', ')} }`;
}

function literalValue(editor: FileEditor, site: LayerSite, key: string): unknown {
  const property = editor.property(site.config, key);
  if (!property) return undefined;
  const text = property.getText(editor.sourceFile).replace(/^[^:]*:\s*/, '');
  try {
    return JSON.parse(text.replace(/'/g, '"'));
  } catch {
    return Symbol('not literal');
  }
}

/** One value for every spatial axis: a number, or a list of `rank` equal numbers. */
function uniformValue(value: unknown, fallback: number, rank: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.length === rank && value.every((entry) => entry === value[0]) && typeof value[0] === 'number') return value[0];
  return undefined;
}

function squareValue(value: unknown, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.length === 2 && value[0] === value[1] && typeof value[0] === 'number') return value[0];
  return undefined;
}

const ODD_ACTIVATIONS = new Set(['linear', 'tanh', 'softsign']);
const LIBRARY_ACTIVATIONS = new Set(['linear', 'relu', 'tanh', 'sigmoid', 'softsign', 'elu', 'softplus', 'selu', 'relu6']);

// ------------------------------------------------------------------------------ per rule

/** flatten/reshape -> global pooling (translation); -> SetPool (permutation). */
function replaceFlatten(context: FixContext, preferredFirst: boolean): SymmetryFix[] {
  const layer = context.model.graph.layers[context.finding.layer ?? -1];
  const site = siteOf(context, layer);
  if (!layer || !site || (layer.kind !== 'flatten' && layer.kind !== 'reshape')) return [];
  const { editor } = context;
  const keep = objectText(shapeProperties(editor, site));
  const fixes: (SymmetryFix | undefined)[] = [];
  if (context.finding.group === 'permutation') {
    for (const [reduction, preferred] of [['mean', true], ['max', false]] as const) {
      const builder = new FixBuilder(context);
      const config = reduction === 'mean' ? keep : objectText([...shapeProperties(editor, site), `reduction: ${editor.str(reduction)}`]);
      builder.add({ start: site.expression.getStart(editor.sourceFile), end: site.expression.end, newText: builder.library('SetPool', config) });
      fixes.push(builder.build(`Pool over the set (SetPool${reduction === 'max' ? ' max' : ''}) instead of ${layer.kind}`, preferred && preferredFirst));
    }
    return fixes.filter((fix): fix is SymmetryFix => fix !== undefined);
  }
  const rank = inputRank(context, layer);
  // tfjs has global pooling in 1D and 2D only (no globalAveragePooling3d).
  const suffix = rank === 2 ? '1d' : rank === 3 ? '2d' : undefined;
  if (!suffix) return [];
  for (const [pool, preferred] of [['Average', true], ['Max', false]] as const) {
    const builder = new FixBuilder(context);
    builder.add({ start: site.expression.getStart(editor.sourceFile), end: site.expression.end, newText: builder.tfjs(site, `global${pool}Pooling${suffix}`, keep) });
    fixes.push(builder.build(`Use global ${pool.toLowerCase()} pooling instead of ${layer.kind}`, preferred && preferredFirst));
  }
  return fixes.filter((fix): fix is SymmetryFix => fix !== undefined);
}

/** Output still spatial under invariance: append a global pooling after the last layer. */
function appendGlobalPooling(context: FixContext): SymmetryFix[] {
  const layer = context.model.graph.layers[context.finding.layer ?? -1];
  const site = siteOf(context, layer);
  if (!layer || !site) return [];
  const rank = outputRank(context, layer);
  const fixes: (SymmetryFix | undefined)[] = [];
  if (context.finding.group === 'permutation') {
    const builder = new FixBuilder(context);
    builder.add(context.editor.insertAfter(site, builder.library('SetPool', '{}')));
    fixes.push(builder.build('Pool over the set axis (SetPool) at the output', true));
  } else {
    const suffix = rank === 2 ? '1d' : rank === 3 ? '2d' : undefined;
    if (!suffix) return [];
    for (const [pool, preferred] of [['Average', true], ['Max', false]] as const) {
      const builder = new FixBuilder(context);
      // Only a tfjs factory's own prefix is a tfjs namespace; after other layers the file's import decides.
      builder.add(context.editor.insertAfter(site, builder.tfjs(layer.origin === 'tfjs' ? site : undefined, `global${pool}Pooling${suffix}`, '{}')));
      fixes.push(builder.build(`Add global ${pool.toLowerCase()} pooling at the output`, preferred));
    }
  }
  return fixes.filter((fix): fix is SymmetryFix => fix !== undefined);
}

/** Convolutions and windowed pooling by spatial rank (the input rank without channels). */
const CONVOLUTIONS: Record<number, ReadonlySet<string>> = { 1: new Set(['conv1d']), 2: new Set(['conv2d', 'depthwiseConv2d', 'separableConv2d']), 3: new Set(['conv3d']) };
const POOLINGS: Record<number, ReadonlySet<string>> = {
  1: new Set(['maxPooling1d', 'averagePooling1d']),
  2: new Set(['maxPooling2d', 'averagePooling2d']),
  3: new Set(['maxPooling3d', 'averagePooling3d']),
};

/** The spatial rank of a layer's channels-last input (1 for [T, C]), or undefined. */
function spatialRank(context: FixContext, layer: LayerNode): 1 | 2 | 3 | undefined {
  const rank = inputRank(context, layer);
  return rank === 2 || rank === 3 || rank === 4 ? ((rank - 1) as 1 | 2 | 3) : undefined;
}

function channelsFirst(editor: FileEditor, site: LayerSite): boolean {
  const format = literalValue(editor, site, 'dataFormat');
  return format !== undefined && format !== 'channelsLast';
}

/**
 * Strided pooling or convolution -> PolyphasePool2D (exact, 2D only) or BlurPool1D/2D/3D
 * (anti-aliased), of the rank of the blamed layer's input.
 */
function antiAliasedDownsampling(context: FixContext): SymmetryFix[] {
  const fixes: (SymmetryFix | undefined)[] = [];
  const blamed = context.model.graph.layers[context.finding.layer ?? -1];
  const rank = blamed ? spatialRank(context, blamed) : undefined;
  if (!rank) return [];
  const blurPool = `BlurPool${rank}D`;
  // Polyphase sampling makes a model exactly invariant, but an equivariant one only up to an
  // input-dependent shift: there it is no fix at all. It exists in 2D only. A blur pool only
  // reduces aliasing, so its finding stays: it is a fix only where that finding becomes info,
  // under an approximate declaration (strided-aliasing.ts).
  const approximate = context.model.declarations.some(
    (declaration) => declaration.group === context.finding.group && declaration.mode === context.finding.mode && declaration.approximate,
  );
  const candidates: (readonly [string, boolean])[] = [
    ...(context.finding.mode === 'invariant' && rank === 2 ? [['PolyphasePool2D', true] as const] : []),
    ...(approximate ? [[blurPool, false] as const] : []),
  ];
  for (const [layerName, preferred] of candidates) {
    const builder = new FixBuilder(context);
    const all = fallLayers(context);
    for (const layer of distinctSites(all)) {
      const site = siteOf(context, layer, all);
      const shape = inputShape(context, layer);
      if (!site || !shape || shape.length !== rank + 1 || channelsFirst(context.editor, site)) {
        builder.failed = true;
        break;
      }
      const { editor } = context;
      if (POOLINGS[rank].has(layer.kind) && keysWithin(editor, site, ['poolSize', 'strides', 'padding'])) {
        const pool = uniformValue(literalValue(editor, site, 'poolSize'), 2, rank);
        const stride = uniformValue(literalValue(editor, site, 'strides'), pool ?? 2, rank);
        const padding = literalValue(editor, site, 'padding');
        if (pool === undefined || stride !== pool || (padding !== undefined && padding !== 'valid')) {
          builder.failed = true;
          break;
        }
        if (layerName === 'PolyphasePool2D' && shape.slice(0, 2).some((size) => size === null || size % stride !== 0)) {
          builder.failed = true;
          break;
        }
        const properties = [...shapeProperties(editor, site), ...(layer.kind.startsWith('maxPooling') ? [`poolSize: ${pool}`] : []), `stride: ${stride}`];
        builder.add({ start: site.expression.getStart(editor.sourceFile), end: site.expression.end, newText: builder.library(layerName, objectText(properties)) });
      } else if (CONVOLUTIONS[rank].has(layer.kind)) {
        const stride = uniformValue(literalValue(editor, site, 'strides'), 1, rank);
        const strideProperty = editor.property(site.config, 'strides');
        if (stride === undefined || stride < 2 || !strideProperty || !site.config) {
          builder.failed = true;
          break;
        }
        const outputShape = context.model.shapes[layer.output];
        // Stride 1 keeps the size n ('same') or n - k + 1 ('valid'); polyphase needs a multiple of the stride.
        const kernel = uniformValue(literalValue(editor, site, 'kernelSize'), 1, rank);
        const padding = literalValue(editor, site, 'padding') ?? 'valid';
        const stride1Size = (n: number | null) => (n === null || kernel === undefined ? null : padding === 'same' ? n : n - kernel + 1);
        if (layerName === 'PolyphasePool2D' && (!outputShape || shape.slice(0, 2).some((n) => { const m = stride1Size(n); return m === null || m % stride !== 0; }))) {
          builder.failed = true;
          break;
        }
        builder.add(editor.setProperty(site, 'strides', '1'));
        builder.add(editor.insertAfter(site, builder.library(layerName, `{ stride: ${stride} }`)));
      } else {
        builder.failed = true;
        break;
      }
    }
    const title =
      layerName === 'PolyphasePool2D'
        ? 'Use polyphase downsampling (exact shift invariance)'
        : `Reduce aliasing with ${layerName} (approximate shift ${context.finding.mode === 'invariant' ? 'invariance' : 'equivariance'})`;
    // BlurPool is SPEC 7's fix; PolyphasePool2D goes first where the sizes allow it, since
    // only it makes the declaration hold exactly (docs/layers.md).
    fixes.push(builder.build(title, preferred || fixes.every((fix) => fix === undefined)));
  }
  return fixes.filter((fix): fix is SymmetryFix => fix !== undefined);
}

/** The first reshape after layer `id` in data-flow order: it is sized by what comes before. */
function laterReshape(layers: readonly LayerNode[], id: number): LayerNode | undefined {
  return layers.find((other) => other.id > id && other.kind === 'reshape');
}

/** Zero padding or cropping of a 1D, 2D or 3D convolution -> CircularPad1D/2D/3D + 'valid'. */
function circularPadding(context: FixContext): SymmetryFix[] {
  const builder = new FixBuilder(context);
  const { editor } = context;
  const layers = fallLayers(context);
  const blamedLayer = context.model.graph.layers[context.finding.layer ?? -1];
  const rank = blamedLayer ? spatialRank(context, blamedLayer) : undefined;
  if (!rank) return [];
  const padName = `CircularPad${rank}D`;
  let edited = 0;
  for (const layer of distinctSites(layers)) {
    const site = siteOf(context, layer, layers);
    // The blamed layer must be fixable; a later one that is not (a cropping pool) is left as is.
    const blamed = layer.id === context.finding.layer;
    if (!site || !CONVOLUTIONS[rank].has(layer.kind) || spatialRank(context, layer) !== rank || !site.config || channelsFirst(editor, site)) {
      if (blamed) return [];
      continue;
    }
    // One kernel size on every axis: the analysis tracks one circular margin for all of them.
    const kernel = uniformValue(literalValue(editor, site, 'kernelSize'), Number.NaN, rank);
    const dilation = uniformValue(literalValue(editor, site, 'dilationRate'), 1, rank);
    const padding = literalValue(editor, site, 'padding') ?? 'valid';
    // 'causal' pads one side only: wrapping both sides would change what the layer computes.
    if (kernel === undefined || !Number.isInteger(kernel) || kernel % 2 === 0 || dilation !== 1 || padding === 'causal') return [];
    if (padding === 'valid') {
      // Padding a cropping convolution grows what follows. A flatten and the dense after it
      // take the new size (tfjs sizes a dense when it is built); a reshape's target is written
      // out, so the fix stops there and the finding says so (padding-boundary.ts).
      if (laterReshape(context.model.graph.layers, layer.id)) {
        if (blamed) return [];
        continue;
      }
    }
    // A layer written once in a loop is several layers of the model.
    edited += layers.filter((other) => other.span.start === layer.span.start).length;
    const properties = shapeProperties(editor, site);
    for (const key of SHAPE_KEYS) {
      const property = editor.property(site.config, key);
      if (property) builder.add(editor.removeProperty(site.config, property));
    }
    builder.add(editor.insertBefore(site, builder.library(padName, objectText([`padding: ${(kernel - 1) / 2}`, ...properties]))));
    if (padding !== 'valid') builder.add(editor.setProperty(site, 'padding', editor.str('valid')));
  }
  const fix = builder.build(`Pad circularly (${padName}) with a 'valid' convolution${edited > 1 ? ` (${edited} layers)` : ''}`, true);
  return fix ? [fix] : [];
}

/** A learned kernel under rotation90 -> a P4 lifting convolution pooled over rotations. */
function p4Convolutions(context: FixContext): SymmetryFix[] {
  if (context.finding.group !== 'rotation90') return [];
  const builder = new FixBuilder(context);
  const { editor } = context;
  // Once a kernel breaks rotation, later kernels are not reported (the state is already
  // broken): the fix converts every conv2d with a kernel larger than 1x1 in the model.
  const layers = context.model.graph.layers.filter((layer) => layer.kind === 'conv2d' && layer.config.values['kernelSize'] !== 1);
  for (const layer of distinctSites(layers)) {
    const site = siteOf(context, layer, layers);
    if (!site || layer.kind !== 'conv2d' || !site.config || !keysWithin(editor, site, ['filters', 'kernelSize', 'strides', 'padding', 'activation', 'useBias'])) return [];
    const activation = literalValue(editor, site, 'activation');
    const kernel = squareValue(literalValue(editor, site, 'kernelSize'), Number.NaN);
    if ((activation !== undefined && !LIBRARY_ACTIVATIONS.has(activation as string)) || kernel === undefined || Number.isNaN(kernel) || kernel % 2 === 0) return [];
    const start = site.expression.getStart(editor.sourceFile);
    const configStart = site.config.getStart(editor.sourceFile);
    builder.add({ start, end: configStart, newText: builder.library('P4ConvLifting2D', '').replace(/\(\)$/, '(') });
    builder.add(editor.insertAfter(site, builder.library('P4GroupPool', '')));
  }
  const fix = builder.build(`Use a P4 group convolution pooled over rotations${layers.length > 1 ? ` (${layers.length} layers)` : ''}`, true);
  return fix ? [fix] : [];
}

const RECURRENT = new Set(['lstm', 'gru', 'simpleRNN']);

/** Order-dependent layers over a set -> SetDense (+ SetPool where the layer pooled). */
function setLayers(context: FixContext): SymmetryFix[] {
  const layer = context.model.graph.layers[context.finding.layer ?? -1];
  if (layer && (layer.kind === 'flatten' || layer.kind === 'reshape')) return replaceFlatten(context, true);
  const site = siteOf(context, layer);
  if (!layer || !site || inputRank(context, layer) !== 2) return [];
  const { editor } = context;
  const builder = new FixBuilder(context);
  const shape = shapeProperties(editor, site);
  const activation = literalValue(editor, site, 'activation');
  if (activation !== undefined && !LIBRARY_ACTIVATIONS.has(activation as string)) return [];
  const useBias = editor.property(site.config, 'useBias');
  const activationText = editor.property(site.config, 'activation');
  if (RECURRENT.has(layer.kind) && keysWithin(editor, site, ['units', 'returnSequences', 'activation', 'useBias'])) {
    const units = editor.property(site.config, 'units');
    if (!units) return [];
    const returnSequences = literalValue(editor, site, 'returnSequences') === true;
    const properties = [...shape, editor.propertyText(units), activationText ? editor.propertyText(activationText) : `activation: ${editor.str('tanh')}`, ...(useBias ? [editor.propertyText(useBias)] : [])];
    builder.add({ start: site.expression.getStart(editor.sourceFile), end: site.expression.end, newText: builder.library('SetDense', objectText(properties)) });
    if (!returnSequences) builder.add(editor.insertAfter(site, builder.library('SetPool', '{}')));
  } else if (layer.kind === 'conv1d' && keysWithin(editor, site, ['filters', 'kernelSize', 'strides', 'padding', 'activation', 'useBias'])) {
    const filters = editor.property(site.config, 'filters');
    const strides = literalValue(editor, site, 'strides');
    if (!filters || (strides !== undefined && strides !== 1)) return [];
    const unitsText = editor.propertyText(filters).replace(/^filters/, 'units');
    const properties = [...shape, unitsText, ...(activationText ? [editor.propertyText(activationText)] : []), ...(useBias ? [editor.propertyText(useBias)] : [])];
    builder.add({ start: site.expression.getStart(editor.sourceFile), end: site.expression.end, newText: builder.library('SetDense', objectText(properties)) });
  } else {
    return [];
  }
  const fix = builder.build(`Use DeepSets layers (SetDense${RECURRENT.has(layer.kind) ? ', SetPool' : ''}) instead of ${layer.kind}`, true);
  const attention = RECURRENT.has(layer.kind) ? setAttentionForRecurrent(context, layer, site) : undefined;
  return [fix, attention].filter((candidate): candidate is SymmetryFix => candidate !== undefined);
}

/**
 * An RNN over a set -> SetAttention, the alternative that keeps interactions between the
 * elements (an RNN's reason to be there): equivariant where the RNN returned sequences, and
 * pooled by a learned query where it returned its last state. `units` and `useBias` carry over;
 * the activation does not (attention has none).
 */
function setAttentionForRecurrent(context: FixContext, layer: LayerNode, site: LayerSite): SymmetryFix | undefined {
  const { editor } = context;
  if (!keysWithin(editor, site, ['units', 'returnSequences', 'activation', 'useBias'])) return undefined;
  const units = editor.property(site.config, 'units');
  const useBias = editor.property(site.config, 'useBias');
  if (!units) return undefined;
  const pooling = literalValue(editor, site, 'returnSequences') !== true;
  const properties = [...shapeProperties(editor, site), editor.propertyText(units), ...(pooling ? ['pooling: true'] : []), ...(useBias ? [editor.propertyText(useBias)] : [])];
  const builder = new FixBuilder(context);
  builder.add({ start: site.expression.getStart(editor.sourceFile), end: site.expression.end, newText: builder.library('SetAttention', objectText(properties)) });
  return builder.build(`Use self-attention over the set (SetAttention${pooling ? ' with a learned-query pooling' : ''}) instead of ${layer.kind}`, false);
}

const BIASED = new Set(['dense', 'conv1d', 'conv2d', 'conv3d', 'depthwiseConv2d', 'separableConv2d', 'conv2dTranspose']);

/** The layers that are not odd only through their bias or activation, and what each needs. */
function oddnessNeeds(layers: readonly LayerNode[]): { layer: LayerNode; bias: boolean; activation: boolean }[] {
  const needs: { layer: LayerNode; bias: boolean; activation: boolean }[] = [];
  for (const layer of layers) {
    const bias = BIASED.has(layer.kind) && layer.config.values['useBias'] !== false;
    const current = layer.config.values['activation'];
    const activation = (BIASED.has(layer.kind) || layer.kind === 'activation') && typeof current === 'string' && !ODD_ACTIVATIONS.has(current);
    if (bias || activation) needs.push({ layer, bias, activation });
  }
  return needs;
}

/**
 * True when the model, with these layers' biases off and activations tanh, keeps the finding's
 * sign declaration: the inference runs again on the changed configs, so a max pooling or a
 * normalisation elsewhere keeps the title from promising an odd model.
 */
function oddAfter(context: FixContext, needs: readonly { layer: LayerNode; bias: boolean; activation: boolean }[]): boolean {
  const { model, finding } = context;
  const declaration = model.declarations.find((candidate) => candidate.group === finding.group && candidate.mode === finding.mode);
  if (!declaration) return false;
  const changed = new Map(needs.map((need) => [need.layer.id, need]));
  const layers = model.graph.layers.map((layer) => {
    const need = changed.get(layer.id);
    if (!need) return layer;
    const values = { ...layer.config.values, ...(need.bias ? { useBias: false } : {}), ...(need.activation ? { activation: 'tanh' } : {}) };
    return { ...layer, config: { ...layer.config, values } };
  });
  try {
    const inference = inferDeclaration({ ...model.graph, layers }, model.shapes, declaration);
    return inference.falls.length === 0 && inference.gaps.length === 0 && !inference.mismatch;
  } catch {
    return false;
  }
}

/**
 * Under sign: useBias false and tanh where a layer needs them, on every layer or on the blamed
 * one. One model-wide fix does both, since either alone leaves the model not odd; it promises
 * an odd model only when the inference says the changed model is odd.
 */
function oddLayers(context: FixContext): SymmetryFix[] {
  const { editor, model } = context;
  const plan = (needs: { layer: LayerNode; bias: boolean; activation: boolean }[], onlyBlamed: boolean): SymmetryFix | undefined => {
    const builder = new FixBuilder(context);
    for (const need of needs) {
      const site = siteOf(context, need.layer);
      if (!site) return undefined;
      if (need.bias) builder.add(editor.setProperty(site, 'useBias', 'false'));
      if (need.activation) builder.add(editor.setProperty(site, 'activation', editor.str('tanh')));
    }
    const parts = [needs.some((need) => need.bias) ? 'useBias: false' : '', needs.some((need) => need.activation) ? 'tanh' : ''].filter(Boolean).join(' and ');
    if (onlyBlamed) return builder.build(`Make this layer odd (${parts})`, false);
    return builder.build(oddAfter(context, needs) ? `Make the model odd (${parts} on every layer)` : `Set ${parts} on every layer`, true);
  };
  const blamed = model.graph.layers[context.finding.layer ?? -1];
  // A finding these edits do not touch (a max pooling, a normalisation) gets none of them.
  if (!blamed || oddnessNeeds([blamed]).length === 0) return [];
  const fixes = [plan(oddnessNeeds(model.graph.layers), false), plan(oddnessNeeds([blamed]), true)];
  return fixes.filter(
    (fix, index, all): fix is SymmetryFix => fix !== undefined && all.findIndex((other) => other && JSON.stringify(other.edits) === JSON.stringify(fix.edits)) === index,
  );
}

/** prelu with a weight per position -> sharedAxes over the acting axes. */
function sharedAxes(context: FixContext): SymmetryFix[] {
  const layer = context.model.graph.layers[context.finding.layer ?? -1];
  const site = siteOf(context, layer);
  if (!layer || !site || layer.kind !== 'prelu') return [];
  const rank = inputRank(context, layer);
  const axes = rank === 3 ? '[1, 2]' : rank === 2 ? '[1]' : rank === 4 ? '[1, 2, 3]' : undefined;
  if (!axes) return [];
  const builder = new FixBuilder(context);
  builder.add(context.editor.setProperty(site, 'sharedAxes', axes));
  const fix = builder.build(`Share the PReLU weights over the spatial axes (sharedAxes: ${axes})`, true);
  return fix ? [fix] : [];
}

/** A malformed tag -> the suggested spelling. */
function respellDeclaration(context: FixContext): SymmetryFix[] {
  const { finding, editor } = context;
  let suggestion = finding.data['suggestion'];
  if (!suggestion || finding.data['text']) return [];
  if (!suggestion.startsWith('@')) suggestion = `@symmetry ${suggestion}`;
  const lineStart = editor.text.lastIndexOf('\n', finding.span.start - 1) + 1;
  const lineEndRaw = editor.text.indexOf('\n', finding.span.start);
  const lineEnd = lineEndRaw < 0 ? editor.text.length : lineEndRaw;
  const line = editor.text.slice(lineStart, lineEnd);
  const match = /@sym\w*[^\r\n]*?(?=\s*(\*\/)?\s*\r?$)/.exec(line);
  if (!match) return [];
  const start = lineStart + match.index;
  return [{ title: `Change to "${suggestion}"`, ruleId: finding.ruleId, isPreferred: true, edits: [{ start, end: start + match[0].length, newText: suggestion }] }];
}

const PRODUCERS: Record<string, (context: FixContext) => SymmetryFix[]> = {
  'flatten-breaks-invariance': (context) => {
    const layer = context.model.graph.layers[context.finding.layer ?? -1];
    return layer?.kind === 'flatten' || layer?.kind === 'reshape' ? replaceFlatten(context, true) : [];
  },
  'output-not-invariant': appendGlobalPooling,
  'strided-aliasing': antiAliasedDownsampling,
  'padding-boundary': circularPadding,
  'kernel-breaks-rotation': p4Convolutions,
  'order-dependent-layer': setLayers,
  'non-odd-layer': oddLayers,
  'position-dependent-weights': sharedAxes,
};

/**
 * Rules whose fixes need no model of the finding: a tag to respell, a term inside a custom
 * layer's call(), a training call whose model may live in another file.
 */
const FILE_PRODUCERS: Record<string, (editor: FileEditor, analysis: FileAnalysis, finding: LocatedFinding, wanted: FixesWanted) => SymmetryFix[]> = {
  'invalid-declaration': (editor, analysis, finding) =>
    respellDeclaration({ editor, analysis, finding, model: undefined as unknown as ModelAnalysis, library: undefined }),
  [POSITIONAL_ENCODING_RULE]: (editor, _analysis, finding) => removePositionalTerm(editor, finding),
  'augmentation-not-declared': (editor, analysis, finding, wanted) => {
    // The library fix re-analyses the file (it is never the preferred one: fix-all skips it) and
    // reuses the padding and stride producers here.
    if (wanted.preferredOnly) return declareLearnedFixes(editor.sourceFile, analysis, finding);
    const producersOf = (sourceFile: ts.SourceFile, fixed: FileAnalysis, target: LocatedFinding) => producerFixes(new FileEditor(sourceFile), fixed, target, { preferredOnly: true });
    return [...declareLearnedFixes(editor.sourceFile, analysis, finding), ...exactWithLibraryFixes(editor, analysis, finding, producersOf)];
  },
};

/** Which fixes a caller wants: `preferredOnly` (fix-all, `--fix`) lets a producer skip costly alternatives. */
export interface FixesWanted {
  preferredOnly?: boolean;
}

/** The model-changing fixes of one finding (not the disable comment, not docs). */
export function producerFixes(editor: FileEditor, analysis: FileAnalysis, finding: LocatedFinding, wanted: FixesWanted = {}): SymmetryFix[] {
  const fileProducer = FILE_PRODUCERS[finding.ruleId];
  if (fileProducer) return fileProducer(editor, analysis, finding, wanted);
  const producer = PRODUCERS[finding.ruleId];
  if (!producer) return [];
  const model = analysis.models.find((candidate) => candidate.graph.name === finding.modelName && candidate.findings.some((f) => f.span.start === finding.span.start && f.ruleId === finding.ruleId));
  if (!model) return [];
  return producer({ editor, analysis, model, finding, library: editor.libraryReference() });
}

/** Whether a rule's findings can come with fixes (the ESLint plugin's `meta.fixable`). */
export function ruleHasFixes(ruleId: string): boolean {
  return ruleId in FILE_PRODUCERS || ruleId in PRODUCERS;
}
