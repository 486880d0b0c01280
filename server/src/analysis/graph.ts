// The layer graph: what extraction reconstructs from model code and what inference reads.
// It holds only positions and evaluated configuration, never AST nodes, so results can be
// cached, serialised and compared across edits.
import type { CustomLayerBody } from './customLayerBody';

/** A range in a source file, as 0-based character offsets into its text. */
export interface SourceSpan {
  file: string;
  start: number;
  end: number;
}

/** A configuration value that is not a compile-time constant, with the reason it is not. */
export class NotConstant {
  constructor(
    readonly reason: string,
    readonly span?: SourceSpan,
    /** The literal the code falls back to when the value is missing (`options.size || 5`). */
    readonly fallback?: ConstValue,
  ) {}
}

/** A configuration value as far as the analysis could evaluate it. */
export type ConstValue =
  | number
  | string
  | boolean
  | null
  | ConstValue[]
  | { [key: string]: ConstValue }
  | NotConstant;

/**
 * A layer's configuration object. `openSpread` is set when the literal spread in an object
 * that is not known statically: then every key that is not listed might have any value.
 */
export interface LayerConfig {
  values: Record<string, ConstValue>;
  openSpread?: NotConstant;
}

/**
 * The value of a configuration key: the constant, `undefined` when the key is absent (the
 * layer's default applies), or `NotConstant` when it cannot be known statically.
 */
export function configValue(config: LayerConfig, key: string): ConstValue | undefined {
  if (Object.prototype.hasOwnProperty.call(config.values, key)) return config.values[key];
  return config.openSpread;
}

/** Where a layer comes from, which decides whose rules describe it. */
export type LayerOrigin =
  /** a `tf.layers.*` factory of @tensorflow/tfjs */
  | 'tfjs'
  /** a layer of the equivariant layers library that ships with Symmetry Lint */
  | 'library'
  /** a class the user wrote (a `tf.layers.Layer` subclass) or an unknown callee */
  | 'custom';

export interface LayerNode {
  /** Index of this node in `ModelGraph.layers`. */
  id: number;
  /** The tfjs factory name (`conv2d`, `flatten`, ...) or the class name for other layers. */
  kind: string;
  origin: LayerOrigin;
  config: LayerConfig;
  /** The layer a wrapper (`bidirectional`, `timeDistributed`) wraps. */
  inner?: LayerNode;
  /** Tensor ids this layer consumes, in argument order (several for merge layers). */
  inputs: number[];
  /** Tensor id this layer produces. */
  output: number;
  /** The whole factory call or `new` expression that creates the layer. */
  span: SourceSpan;
  /** The factory or class name inside `span` (`conv2d` in `tf.layers.conv2d({...})`). */
  nameSpan: SourceSpan;
  /**
   * Call sites from the analysed unit down to the helper that created this layer, outermost
   * first; empty when the layer is created directly in the unit. Diagnostics land on the
   * innermost site that is in the model's own file.
   */
  callStack: SourceSpan[];
  /** When a layer instance is applied more than once, the id of its first application. */
  sharedWith?: number;
  /** For a custom layer class: the ops of its call() and the weights of its build(). */
  body?: CustomLayerBody;
}

/**
 * Where a layer shows in `fileName`: its factory or class name when it is created there, else
 * the innermost call in that file that led to it (a helper imported from another file).
 */
export function layerSpanInFile(layer: LayerNode, fileName: string): SourceSpan | undefined {
  if (layer.nameSpan.file === fileName) return layer.nameSpan;
  for (let i = layer.callStack.length - 1; i >= 0; i--) {
    if (layer.callStack[i].file === fileName) return layer.callStack[i];
  }
  return undefined;
}

export interface TensorNode {
  id: number;
  /** The layer that produces it; absent for model inputs. */
  producer?: number;
}

export interface ModelInput {
  tensor: number;
  /**
   * The input shape without the batch axis, as declared (`inputShape`, `batchInputShape`,
   * `inputDim`, `tf.input({shape})`); `null` entries are unknown dimensions; `undefined` when
   * no shape is declared at all.
   */
  shape?: (number | null)[];
  /** `int32` for token ids, when declared. */
  dtype?: string;
  span: SourceSpan;
}

/** Something extraction could not follow outside any one layer (a loop, a condition, a call). */
export interface ExtractionGap {
  message: string;
  span: SourceSpan;
  /**
   * The analysis took one path where the code has many (a loop body or a callback run once):
   * the graph is whole for that path, so a probe can measure it and say which path it was.
   */
  chosenPath?: boolean;
}

export interface ModelGraph {
  /** The holder's name: function, method (`Class.method`), variable or class. */
  name: string;
  /**
   * Set when the model has several variants (SPEC 4): the decisions that pick this one's path,
   * in the code's words (`rnnType === 'lstm'`, `!useDropout`). Its variants share `name`.
   */
  variant?: string;
  /** The holder's name identifier (where a model-level diagnostic goes). */
  nameSpan: SourceSpan;
  /** The `tf.sequential(...)`, `tf.model(...)` or `super()` that creates the model. */
  creationSpan: SourceSpan;
  /**
   * `fragment`: a function that adds layers to a model it receives (`(model) => { model.add(...) }`);
   * its layers are those it adds, on an input of unknown shape.
   */
  construction: 'sequential' | 'functional' | 'subclass' | 'fragment';
  inputs: ModelInput[];
  tensors: TensorNode[];
  /** Every layer application, in data-flow (topological) order. */
  layers: LayerNode[];
  /** Tensor ids of the model outputs. */
  outputs: number[];
  gaps: ExtractionGap[];
  /**
   * The JSDoc comment blocks attached to the holder (and, for a method, to its class), with
   * their spans, for the declaration parser.
   */
  docComments: { text: string; span: SourceSpan }[];
}

/** A declaration holder with a `@symmetry` tag but no model that extraction could find. */
export interface OrphanHolder {
  name: string;
  nameSpan: SourceSpan;
  docComments: { text: string; span: SourceSpan }[];
}

export interface ExtractionResult {
  models: ModelGraph[];
  orphans: OrphanHolder[];
}
