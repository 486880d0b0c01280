// JS built-ins: the globals model code reads (Math, Array, Object, Number, require, ...),
// their functions, Array.from, array methods and string methods over abstract values.
import type { ts } from 'ts-morph';
import type { Interpreter } from './interpreter';
import { MAX_UNROLLED_ITERATIONS, truthiness } from './interpreterShared';
import {
  type AbstractValue,
  type ArrayValue,
  type LayerInstance,
  type ModelUnderConstruction,
  Scope,
  UNDEFINED,
  primitive,
  unknown,
} from './values';

export class Builtins {
  constructor(private readonly interp: Interpreter) {}

  globalValue(name: string): AbstractValue | undefined {
    switch (name) {
      case 'tf':
        // Browser scripts load tfjs with a <script> tag that defines the global `tf`.
        return { kind: 'tfjs', path: [] };
      case 'Math':
      case 'Array':
      case 'Object':
      case 'Number':
      case 'String':
      case 'JSON':
        return { kind: 'builtin', name };
      case 'require':
        return { kind: 'builtin', name: 'require' };
      case 'parseInt':
      case 'parseFloat':
      case 'Boolean':
        return { kind: 'builtin', name };
      case 'Infinity':
        return primitive(Infinity);
      case 'NaN':
        return primitive(NaN);
      default:
        return undefined;
    }
  }

  callBuiltin(name: string, receiver: AbstractValue | undefined, args: AbstractValue[], node: ts.CallExpression | ts.Node, scope: Scope): AbstractValue {
    const span = () => scope.file.span(node);
    const numbers = args.map((a) => (a.kind === 'primitive' && typeof a.value === 'number' ? a.value : undefined));
    const allNumbers = numbers.every((n) => n !== undefined) ? (numbers as number[]) : undefined;
    if (name.startsWith('Math.')) {
      const fn = MATH_FUNCTIONS.get(name.slice(5));
      if (!fn) return unknown(`${name} is not modelled`, span());
      if (!allNumbers) return args.find((a) => a.kind === 'unknown') ?? unknown(`${name} of values not known statically`, span());
      return primitive(fn(...allNumbers));
    }
    switch (name) {
      case 'require': {
        const specifier = args[0];
        if (specifier?.kind === 'primitive' && typeof specifier.value === 'string') return this.interp.importValue(scope.file, specifier.value, '*', node);
        return unknown('require of a module not known statically', span());
      }
      case 'Boolean': {
        // `[conv, useDropout && dropout].filter(Boolean)`: the layer list a variant keeps.
        const truth = args[0] ? truthiness(args[0]) : false;
        return truth === undefined ? unknown('Boolean of a value not known statically', span()) : primitive(truth);
      }
      case 'Number':
      case 'parseInt':
      case 'parseFloat': {
        const v = args[0];
        if (v?.kind === 'primitive') return primitive(name === 'parseInt' ? parseInt(String(v.value), 10) : Number(v.value));
        return v?.kind === 'unknown' ? v : unknown(`${name} of a value not known statically`, span());
      }
      case 'String': {
        const v = args[0];
        return v?.kind === 'primitive' ? primitive(String(v.value)) : unknown('String of a value not known statically', span());
      }
      case 'Array.isArray':
        return args[0]?.kind === 'unknown' ? args[0] : primitive(args[0]?.kind === 'array');
      case 'Array.from':
        return this.arrayFrom(args, node, scope);
      case 'Array.of':
        return { kind: 'array', items: args };
      case 'Object.assign': {
        const target = args[0];
        if (target?.kind !== 'object') return unknown('Object.assign to a value not known statically', span());
        for (const source of args.slice(1)) {
          if (source.kind === 'object') for (const [k, v] of source.props) target.props.set(k, v);
          else if (source.kind === 'unknown') target.openSpread = source;
        }
        return target;
      }
      case 'Object.keys':
      case 'Object.values':
      case 'Object.entries': {
        const source = args[0];
        if (source?.kind !== 'object' || source.openSpread) return unknown(`${name} of a value not known statically`, span());
        const entries = [...source.props];
        return {
          kind: 'array',
          items: entries.map(([k, v]): AbstractValue =>
            name === 'Object.keys' ? primitive(k) : name === 'Object.values' ? v : { kind: 'array', items: [primitive(k), v] },
          ),
        };
      }
      case 'layer.apply':
        return this.interp.applyLayer((receiver as { layer: LayerInstance }).layer, args[0], node, scope);
      case 'model.add':
        return this.interp.tfjs.modelAdd(receiver as { kind: 'model'; model: ModelUnderConstruction }, args[0], node, scope);
      case 'model.apply':
        return this.interp.tfjs.modelApply((receiver as { kind: 'model'; model: ModelUnderConstruction }).model, args[0], node, scope);
      case 'ignored':
        return unknown('call not modelled', span());
    }
    if (name.startsWith('array.') && receiver?.kind === 'array') return this.arrayMethod(name.slice(6), receiver, args, node, scope);
    if (name.startsWith('string.') && receiver?.kind === 'primitive') {
      const method = (String.prototype as unknown as Record<string, unknown>)[name.slice(7)];
      if (typeof method === 'function' && args.every((a) => a.kind === 'primitive')) {
        try {
          const result: unknown = method.apply(receiver.value, args.map((a) => (a as { value: unknown }).value));
          if (result === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof result)) {
            return primitive(result as string);
          }
          if (Array.isArray(result)) return { kind: 'array', items: result.map((r) => primitive(r as string)) };
        } catch {
          // fall through to unknown
        }
      }
    }
    return unknown(`\`${name}\` is not modelled`, span());
  }

  private arrayFrom(args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const source = args[0];
    let items: AbstractValue[];
    if (source?.kind === 'array') items = [...source.items];
    else if (source?.kind === 'object') {
      const length = source.props.get('length');
      if (length?.kind !== 'primitive' || typeof length.value !== 'number') {
        return unknown(length?.kind === 'unknown' ? length.reason : 'Array.from length not known statically', scope.file.span(node));
      }
      if (length.value > MAX_UNROLLED_ITERATIONS) return unknown('Array.from length too large', scope.file.span(node));
      items = Array.from({ length: length.value }, () => UNDEFINED);
    } else return unknown('Array.from of a value not known statically', scope.file.span(node));
    const mapper = args[1];
    if (!mapper) return { kind: 'array', items };
    return { kind: 'array', items: items.map((item, i) => this.interp.calls.callCallback(mapper, [item, primitive(i)], node, scope)) };
  }

  private arrayMethod(method: string, array: ArrayValue, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const span = scope.file.span(node);
    switch (method) {
      case 'map':
        return { kind: 'array', items: array.items.map((item, i) => this.interp.calls.callCallback(args[0], [item, primitive(i), array], node, scope)) };
      case 'forEach':
        array.items.forEach((item, i) => this.interp.calls.callCallback(args[0], [item, primitive(i), array], node, scope));
        return UNDEFINED;
      case 'filter': {
        const kept: AbstractValue[] = [];
        for (const [i, item] of array.items.entries()) {
          const keep = truthiness(this.interp.calls.callCallback(args[0], [item, primitive(i), array], node, scope));
          if (keep === undefined) return unknown('filter condition not known statically', span);
          if (keep) kept.push(item);
        }
        return { kind: 'array', items: kept };
      }
      case 'reduce': {
        let accumulator = args.length > 1 ? args[1] : array.items[0];
        const start = args.length > 1 ? 0 : 1;
        if (accumulator === undefined) return unknown('reduce of an empty array', span);
        for (let i = start; i < array.items.length; i++) {
          accumulator = this.interp.calls.callCallback(args[0], [accumulator, array.items[i], primitive(i), array], node, scope);
        }
        return accumulator;
      }
      case 'push':
        array.items.push(...args);
        return primitive(array.items.length);
      case 'unshift':
        array.items.unshift(...args);
        return primitive(array.items.length);
      case 'pop':
        return array.items.pop() ?? UNDEFINED;
      case 'shift':
        return array.items.shift() ?? UNDEFINED;
      case 'concat': {
        const items = [...array.items];
        for (const arg of args) {
          if (arg.kind === 'array') items.push(...arg.items);
          else items.push(arg);
        }
        return { kind: 'array', items };
      }
      case 'slice': {
        const [from, to] = args.map((a) => (a.kind === 'primitive' ? (a.value as number) : undefined));
        return { kind: 'array', items: array.items.slice(from, to) };
      }
      case 'reverse':
        array.items.reverse();
        return array;
      case 'fill': {
        const value = args[0] ?? UNDEFINED;
        array.items.fill(value);
        return array;
      }
      case 'flat': {
        const items: AbstractValue[] = [];
        for (const item of array.items) {
          if (item.kind === 'array') items.push(...item.items);
          else items.push(item);
        }
        return { kind: 'array', items };
      }
      case 'includes':
      case 'indexOf': {
        const target = args[0];
        if (target?.kind !== 'primitive') return unknown(`${method} of a value not known statically`, span);
        const index = array.items.findIndex((item) => item.kind === 'primitive' && item.value === target.value);
        if (index < 0 && array.items.some((item) => item.kind !== 'primitive')) return unknown(`${method} over values not known statically`, span);
        return primitive(method === 'includes' ? index >= 0 : index);
      }
      case 'join': {
        if (!array.items.every((item) => item.kind === 'primitive')) return unknown('join of values not known statically', span);
        const separator = args[0]?.kind === 'primitive' ? String(args[0].value) : ',';
        return primitive(array.items.map((item) => String((item as { value: unknown }).value ?? '')).join(separator));
      }
      case 'keys':
        return { kind: 'array', items: array.items.map((_, i) => primitive(i)) };
      case 'entries':
        return { kind: 'array', items: array.items.map((item, i) => ({ kind: 'array', items: [primitive(i), item] })) };
      default:
        return unknown(`array method '${method}' is not modelled`, span);
    }
  }
}

const MATH_FUNCTIONS = new Map<string, (...args: number[]) => number>([
  ['floor', Math.floor],
  ['ceil', Math.ceil],
  ['round', Math.round],
  ['max', Math.max],
  ['min', Math.min],
  ['pow', Math.pow],
  ['sqrt', Math.sqrt],
  ['abs', Math.abs],
  ['trunc', Math.trunc],
  ['sign', Math.sign],
  ['log', Math.log],
  ['log2', Math.log2],
  ['exp', Math.exp],
]);

export /** Classes of the JS runtime whose instances are never layers. */
const BUILTIN_CLASSES = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Error', 'TypeError', 'RangeError', 'Date', 'Promise', 'RegExp', 'Float32Array', 'Int32Array', 'Uint8Array', 'Object', 'Function']);
