// The abstract values the extraction interpreter computes: constants, containers, references to
// the tfjs and library namespaces, closures, layer instances, symbolic tensors and models.
import type { ts } from 'ts-morph';
import type { CustomLayerBody } from '../customLayerBody';
import type { LayerConfig, LayerOrigin, SourceSpan } from '../graph';
import type { FileContext } from './fileContext';

export interface UnknownValue {
  kind: 'unknown';
  reason: string;
  span?: SourceSpan;
  /** The literal right side of `unknown || 5` or `unknown ?? 5`: what the code uses when the value is missing. */
  fallback?: PrimitiveValue;
}

export interface PrimitiveValue {
  kind: 'primitive';
  value: number | string | boolean | null | undefined;
}

/** Arrays and objects are mutable references, so `arr.push(...)` and `obj.x = ...` are seen. */
export interface ArrayValue {
  kind: 'array';
  items: AbstractValue[];
  /**
   * Set when the number of items is not known statically (`new Array(n)`, an array parameter):
   * `items` then stands for every item, and callbacks over them run once (builtins.ts).
   */
  unknownLength?: UnknownLength;
}

/** What leaves an array's length unknown: its source text and where it is, for the gap. */
export interface UnknownLength {
  text: string;
  span: SourceSpan;
}

export interface ObjectValue {
  kind: 'object';
  props: Map<string, AbstractValue>;
  /** Set when an unknown value was spread into the literal. */
  openSpread?: UnknownValue;
  /** Instances of user classes remember their class (for method calls on `this`). */
  classValue?: ClassValue;
}

/** A path into the tfjs namespace: `[]` = tf, `['layers','conv2d']`, `['sequential']`. */
export interface TfjsValue {
  kind: 'tfjs';
  path: string[];
}

/** A path into the symmetry-lint layers library namespace: `[]` or `['CircularPad2D']`. */
export interface LibraryValue {
  kind: 'library';
  path: string[];
}

/** A user module (import * as helpers / require('./helpers')). */
export interface ModuleValue {
  kind: 'module';
  file: FileContext;
}

export interface FunctionValue {
  kind: 'function';
  node: ts.FunctionLikeDeclaration;
  scope: Scope;
  file: FileContext;
  /** `this` captured by arrow functions, or bound for methods taken from an instance. */
  thisValue?: AbstractValue;
}

export interface ClassValue {
  kind: 'class';
  node: ts.ClassLikeDeclaration;
  scope: Scope;
  file: FileContext;
  name: string;
}

/** Built-in functions the interpreter models (Math.*, Array.from, arr.push, ...). */
export interface BuiltinValue {
  kind: 'builtin';
  name: string;
  receiver?: AbstractValue;
}

export interface LayerInstance {
  kind: string;
  origin: LayerOrigin;
  config: LayerConfig;
  /** The evaluated config object (for input shapes and for wrappers). */
  rawConfig?: ObjectValue;
  inner?: LayerInstance;
  span: SourceSpan;
  nameSpan: SourceSpan;
  callStack: SourceSpan[];
  /** A custom layer class's build() and call(), read for this instance. */
  body?: CustomLayerBody;
}

export interface LayerValue {
  kind: 'layer';
  layer: LayerInstance;
  /** Read from a sequential's `layers[index]`: its `output` and `input` are the tensors of that model's layers. */
  inSequential?: { model: ModelUnderConstruction; index: number };
}

/** A symbolic tensor of the unit's tensor space. */
export interface SymbolicTensor {
  id: number;
  producer?: LayerApplication;
  /** Set for `tf.input(...)` tensors. */
  declaredInput?: { shape?: (number | null)[]; dtype?: string; span: SourceSpan };
}

export interface LayerApplication {
  /** Creation order in the unit: a topological order of the data flow. */
  seq: number;
  layer: LayerInstance;
  inputs: SymbolicTensor[];
  output: SymbolicTensor;
}

export interface TensorValue {
  kind: 'tensor';
  tensor: SymbolicTensor;
}

/** One entry of a sequential model: a layer, or another model used as a layer. */
export interface SequentialItem {
  value: LayerInstance | ModelUnderConstruction;
}

export interface ModelUnderConstruction {
  construction: 'sequential' | 'functional' | 'subclass' | 'fragment';
  creationSpan: SourceSpan;
  /** The creation expression node, to decide whether the unit created it directly. */
  creationNode: ts.Node;
  items: SequentialItem[];
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Instance properties for subclass models (`this.x = ...` in the constructor). */
  props: Map<string, AbstractValue>;
  /** The user class of a subclass model, for `this.method()` calls. */
  classValue?: ClassValue;
}

export interface ModelValue {
  kind: 'model';
  model: ModelUnderConstruction;
}

export type AbstractValue =
  | UnknownValue
  | PrimitiveValue
  | ArrayValue
  | ObjectValue
  | TfjsValue
  | LibraryValue
  | ModuleValue
  | FunctionValue
  | ClassValue
  | BuiltinValue
  | LayerValue
  | TensorValue
  | ModelValue;

/** A lexical scope of the interpreter; lookups fall back to the parent, then the file statics. */
export class Scope {
  readonly vars = new Map<string, AbstractValue>();
  constructor(
    readonly parent: Scope | undefined,
    readonly file: FileContext,
    /** `this` inside a function or class body. */
    readonly thisValue?: AbstractValue,
  ) {}

  lookupLocal(name: string): AbstractValue | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const found = scope.vars.get(name);
      if (found !== undefined) return found;
      if (scope.vars.has(name)) return undefined;
    }
    return undefined;
  }

  /** Assign to the nearest scope that declares the name; false when none does. */
  assign(name: string, value: AbstractValue): boolean {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.vars.has(name)) {
        scope.vars.set(name, value);
        return true;
      }
    }
    return false;
  }

  findThis(): AbstractValue | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.thisValue) return scope.thisValue;
    }
    return undefined;
  }
}

export const UNDEFINED: PrimitiveValue = { kind: 'primitive', value: undefined };

export function unknown(reason: string, span?: SourceSpan): UnknownValue {
  return { kind: 'unknown', reason, span };
}

export function primitive(value: PrimitiveValue['value']): PrimitiveValue {
  return { kind: 'primitive', value };
}
