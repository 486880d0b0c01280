// What a probe needs of one model, in plain serialisable data: the layers with their literal
// configurations, input shapes with defaults filled in, declarations and source lines. Built
// on the main thread from the static analysis (no tfjs here) and posted to the probe worker.
import { NotConstant, type ConstValue, type LayerNode } from '../analysis/graph';
import type { GroupName, Mode, SymmetryDeclaration } from '../analysis/symmetry';

/** SPEC 5: unknown dimensions default to 16, or the smallest size the strides allow. */
export const DEFAULT_DIMENSION = 16;

/** The seed every probe draws its weights and inputs from, so that a probe is repeatable. */
export const PROBE_SEED = 1234;

/** A configuration value the probe can pass to tfjs, or the reason it cannot. */
export type PlanValue = number | string | boolean | null | PlanValue[] | { [key: string]: PlanValue };

export interface PlanLayer {
  id: number;
  kind: string;
  origin: 'tfjs' | 'library' | 'custom';
  /** The literal configuration; keys that are not constants are listed in `nonConstant`. */
  config: Record<string, PlanValue>;
  nonConstant: string[];
  inner?: PlanLayer;
  inputs: number[];
  output: number;
  /** The first application of a shared layer instance. */
  sharedWith?: number;
  /** 1-based line in the model's file (0 when unknown, e.g. in a saved model). */
  line: number;
  /** A custom layer the literal probe builds from its static op graph (customLayerPlan.ts), running none of its code. */
  body?: PlanCustomBody;
}

/** A size in a custom layer's body: a number, an axis of one of its inputs (batch axis 0), or null (reshape's -1). */
export type PlanBodyDim = number | { input: number; axis: number } | null;

/** An operand of a body op: an earlier op's tensor, a constant (lists may hold `{$tensor: op}`), or sizes. */
export type PlanBodyOperand = { value: number } | { constant?: PlanValue } | { dims: PlanBodyDim[] };

export interface PlanBodyOp {
  /** `input`, `weight`, `layer:<kind>` or a key of CUSTOM_LAYER_OPS (customLayerOps.ts). */
  op: string;
  operands: PlanBodyOperand[];
  /** `input`: its index; `weight`: its name. */
  options?: Record<string, PlanValue>;
  /** `layer:<kind>`: the sublayer, built with its tf.layers factory like any literal layer. */
  sublayer?: PlanLayer;
  /** 1-based line (0 when the class is in another file). */
  line: number;
}

/** A custom layer's build() and call() as plain data: the weights, then the ops of call() in order. */
export interface PlanCustomBody {
  className: string;
  /** null where call()'s output does not depend on the op (an initializer passed to addWeight). */
  ops: (PlanBodyOp | null)[];
  output: number;
}

export interface PlanDeclaration {
  mode: Mode;
  group: GroupName;
  axis: number;
  tol: number;
  approximate: boolean;
  /** Permutation only: the 0-based model input that pairs the set's elements (SPEC 2 `adjacency=`). */
  adjacency?: number;
  /**
   * Permutation only: per layer id, how many leading positions of its output's set axis hold a
   * learned class token the permutation leaves in place (the static state's `unmovedPrefix`).
   */
  tokenPrefixes?: Record<number, number>;
}

export interface PlanInput {
  tensor: number;
  /** Without the batch axis; unknown dimensions already replaced by defaults. */
  shape: number[];
  /** Token ids for an embedding-first model: the vocabulary size to draw from. */
  tokenVocabulary?: number;
  /** The model reads it channels first (`dataFormat: 'channelsFirst'`): the spatial axes follow the channels. */
  channelsFirst?: boolean;
}

export interface ProbePlan {
  modelName: string;
  /** 1-based line of the model's holder. */
  line: number;
  inputs: PlanInput[];
  layers: PlanLayer[];
  outputs: number[];
  declarations: PlanDeclaration[];
  /** Why the plan cannot be probed at all (a layer that cannot be built, a mismatch). */
  unbuildable?: string;
  /** Values the probe chose where the analysis knows none (widths, input sizes), in words. */
  assumptions?: string[];
  seed: number;
}

/**
 * The 0-based model input a declaration names with `adjacency=<input>`, if any. The option's
 * parser is not part of the probe: this reads the parsed declaration's `adjacency` field by
 * name and accepts only a non-negative integer.
 */
export function declaredAdjacencyInput(declaration: SymmetryDeclaration | PlanDeclaration): number | undefined {
  const value = (declaration as { adjacency?: unknown }).adjacency;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** What the worker needs of a parsed declaration. */
export function planDeclarationOf(declaration: SymmetryDeclaration): PlanDeclaration {
  const adjacency = declaredAdjacencyInput(declaration);
  const { mode, group, axis, tol, approximate } = declaration;
  return { mode, group, axis, tol, approximate, ...(adjacency !== undefined ? { adjacency } : {}) };
}

/** A saved model to probe: model.json's topology and its weight buffers, already read. */
export interface SavedModelPlan {
  modelName: string;
  modelJson: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  declarations: PlanDeclaration[];
  seed: number;
}

/** Converts an extracted configuration value; `undefined` when it is not a constant. */
export function toPlanValue(value: ConstValue): PlanValue | undefined {
  if (value instanceof NotConstant) return undefined;
  if (Array.isArray(value)) {
    const items: PlanValue[] = [];
    for (const item of value) {
      const converted = toPlanValue(item);
      if (converted === undefined) return undefined;
      items.push(converted);
    }
    return items;
  }
  if (value !== null && typeof value === 'object') {
    const result: Record<string, PlanValue> = {};
    for (const [key, item] of Object.entries(value)) {
      const converted = toPlanValue(item);
      if (converted === undefined) return undefined;
      result[key] = converted;
    }
    return result;
  }
  return value;
}

export function toPlanLayer(node: LayerNode, lineOf: (node: LayerNode) => number): PlanLayer {
  const config: Record<string, PlanValue> = {};
  const nonConstant: string[] = [];
  for (const [key, value] of Object.entries(node.config.values)) {
    const converted = toPlanValue(value);
    if (converted === undefined) nonConstant.push(key);
    else config[key] = converted;
  }
  if (node.config.openSpread) nonConstant.push('...spread');
  return {
    id: node.id,
    kind: node.kind,
    origin: node.origin,
    config,
    nonConstant,
    ...(node.inner ? { inner: toPlanLayer(node.inner, lineOf) } : {}),
    inputs: node.inputs,
    output: node.output,
    ...(node.sharedWith !== undefined ? { sharedWith: node.sharedWith } : {}),
    line: lineOf(node),
  };
}
