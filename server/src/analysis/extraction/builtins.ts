// JS built-ins: the globals model code reads (Math, Array, Object, Number, require, ...),
// their functions, Array.from, array methods and string methods over abstract values.
import { ts } from 'ts-morph';
import type { Interpreter } from './interpreter';
import { MAX_UNROLLED_ITERATIONS, clip, truthiness } from './interpreterShared';
import { namesTfjsOnEveryPath } from './moduleBindings';
import {
  type AbstractValue,
  type ArrayValue,
  type LayerInstance,
  type ModelUnderConstruction,
  type ObjectValue,
  Scope,
  UNDEFINED,
  type UnknownLength,
  primitive,
  unknown,
} from './values';

export class Builtins {
  /** The global object of each unit's run, fresh per unit like the module values. */
  private readonly globalObjects = new WeakMap<object, ObjectValue>();

  constructor(private readonly interp: Interpreter) {}

  globalValue(name: string): AbstractValue | undefined {
    switch (name) {
      case 'tf':
        // Browser scripts load tfjs with a <script> tag that defines the global `tf`.
        return { kind: 'tfjs', path: [] };
      case 'self':
      case 'window':
      case 'globalThis':
        // Web workers keep their state on `self` (`self.model = tf.sequential()`).
        return this.globalObject();
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

  private globalObject(): ObjectValue {
    let global = this.globalObjects.get(this.interp.unit);
    if (!global) {
      // Its other properties are whatever the page or worker set: not known statically.
      global = { kind: 'object', props: new Map([['tf', this.globalValue('tf')!]]), openSpread: unknown('a global property is not known statically') };
      this.globalObjects.set(this.interp.unit, global);
    }
    return global;
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
        if (ts.isCallExpression(node) && namesTfjsOnEveryPath(node.arguments[0])) return { kind: 'tfjs', path: [] };
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
      case 'Array':
        return ts.isCallExpression(node) ? this.constructArray(args, node, scope) : unknown('`Array` is not modelled', span());
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

  /** `new Array(n)` and `Array(n)`: n holes, or one hole standing for all when n is unknown. */
  constructArray(args: AbstractValue[], node: ts.CallExpression | ts.NewExpression, scope: Scope): ArrayValue {
    const length = args[0];
    if (args.length !== 1 || !length || (length.kind !== 'unknown' && !(length.kind === 'primitive' && typeof length.value === 'number'))) {
      return { kind: 'array', items: args };
    }
    if (length.kind === 'primitive' && (length.value as number) <= MAX_UNROLLED_ITERATIONS) {
      return { kind: 'array', items: Array.from({ length: length.value as number }, () => UNDEFINED) };
    }
    return { kind: 'array', items: [UNDEFINED], unknownLength: unknownLengthAt(node.arguments?.[0] ?? node, scope) };
  }

  /**
   * A callback method on a value not known statically (`layerSizes.forEach(...)` with
   * `layerSizes` a parameter): taken as an array of unknown length over unknown items, so the
   * callback runs once, as a loop with an unknown bound does.
   */
  callOnUnknownArray(method: string, receiver: ts.Expression, args: AbstractValue[], node: ts.CallExpression, scope: Scope): AbstractValue {
    return this.unknownLengthMethod(method, unknownArray(receiver, scope), args, node, scope);
  }

  private arrayFrom(args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const [source, mapper] = args;
    const argumentNode = ts.isCallExpression(node) ? node.arguments[0] : undefined;
    let array: ArrayValue;
    if (source?.kind === 'array') array = { kind: 'array', items: [...source.items], unknownLength: source.unknownLength };
    else if (source?.kind === 'object') {
      const length = source.props.get('length');
      if (length?.kind === 'primitive' && typeof length.value === 'number' && length.value <= MAX_UNROLLED_ITERATIONS) {
        array = { kind: 'array', items: Array.from({ length: length.value }, () => UNDEFINED) };
      } else if (length?.kind === 'unknown' || (length?.kind === 'primitive' && typeof length.value === 'number')) {
        // `Array.from({length: n}, fn)` with n a parameter: one item stands for all.
        const lengthNode = argumentNode && ts.isObjectLiteralExpression(argumentNode) ? lengthInitializer(argumentNode) : undefined;
        array = { kind: 'array', items: [UNDEFINED], unknownLength: unknownLengthAt(lengthNode ?? argumentNode ?? node, scope) };
      } else {
        return unknown('Array.from length not known statically', scope.file.span(node));
      }
    } else if (source?.kind === 'unknown' && argumentNode) {
      array = unknownArray(argumentNode, scope);
    } else {
      return unknown('Array.from of a value not known statically', scope.file.span(node));
    }
    if (!mapper) return array;
    if (array.unknownLength) return this.unknownLengthMethod('map', array, [mapper], node, scope);
    return { kind: 'array', items: array.items.map((item, i) => this.interp.calls.callCallback(mapper, [item, primitive(i)], node, scope)) };
  }

  /** Runs a callback over an array of unknown length: once, as its first call, and says so. */
  private callbackOnce(array: ArrayValue, callback: AbstractValue | undefined, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const before = this.interp.layerEvents;
    const result = this.interp.calls.callCallback(callback, args, node, scope);
    // A map that makes layers adds none itself, but how many it makes is just as unknown.
    const builds = this.interp.layerEvents > before || result.kind === 'layer' || result.kind === 'tensor';
    if (builds && array.unknownLength) {
      this.interp.gap(`\`${array.unknownLength.text}\` is not known statically, so the callback is analysed once`, array.unknownLength.span, true);
    }
    return result;
  }

  /**
   * Array methods over an array of unknown length. Its items stand for every item, so callbacks
   * run once per item held (once, unless items were pushed) with index 0, like the first pass
   * of a loop with an unknown bound; results keep the length unknown.
   */
  private unknownLengthMethod(method: string, array: ArrayValue, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    const span = scope.file.span(node);
    const sameLength = (items: AbstractValue[]): ArrayValue => ({ kind: 'array', items, unknownLength: array.unknownLength });
    const each = (callback: AbstractValue | undefined): AbstractValue[] =>
      array.items.map((item) => this.callbackOnce(array, callback, [item, primitive(0), array], node, scope));
    switch (method) {
      case 'map':
        return sameLength(each(args[0]));
      case 'flatMap':
        return sameLength(each(args[0]).flatMap((item) => (item.kind === 'array' ? item.items : [item])));
      case 'forEach':
        each(args[0]);
        return UNDEFINED;
      case 'filter':
        each(args[0]);
        return sameLength([...array.items]);
      case 'some':
      case 'every':
      case 'find':
      case 'findIndex':
      case 'findLast':
      case 'findLastIndex':
        each(args[0]);
        return unknown(`${method} over \`${array.unknownLength!.text}\` is not known statically`, span);
      case 'reduce':
      case 'reduceRight': {
        const items = method === 'reduce' ? array.items : [...array.items].reverse();
        let accumulator = args.length > 1 ? args[1] : items[0];
        const start = args.length > 1 ? 0 : 1;
        // Without an initial value the first call takes the first two items; one item stands for both.
        const rest = items.length > start ? items.slice(start) : items;
        for (const item of rest) {
          accumulator = this.callbackOnce(array, args[0], [accumulator, item, primitive(start), array], node, scope);
        }
        return accumulator;
      }
      case 'push':
      case 'unshift':
        array.items[method](...args);
        return unknown(`the length of \`${array.unknownLength!.text}\` is not known statically`, span);
      case 'pop':
      case 'shift':
        // Taking one item out of many leaves the others standing for the rest.
        return array.items[method === 'pop' ? array.items.length - 1 : 0] ?? UNDEFINED;
      case 'concat': {
        const items = [...array.items];
        for (const arg of args) {
          if (arg.kind === 'array') items.push(...arg.items);
          else items.push(arg);
        }
        return sameLength(items);
      }
      case 'slice':
        return sameLength([...array.items]);
      case 'reverse':
        return array;
      case 'fill':
        array.items.fill(args[0] ?? UNDEFINED);
        return array;
      case 'flat':
        return sameLength(array.items.flatMap((item) => (item.kind === 'array' ? item.items : [item])));
      case 'keys':
        return sameLength([primitive(0)]);
      case 'entries':
        return sameLength(array.items.map((item) => ({ kind: 'array', items: [primitive(0), item] })));
      default:
        return unknown(`${method} over \`${array.unknownLength!.text}\` is not known statically`, span);
    }
  }

  private arrayMethod(method: string, array: ArrayValue, args: AbstractValue[], node: ts.Node, scope: Scope): AbstractValue {
    if (array.unknownLength) return this.unknownLengthMethod(method, array, args, node, scope);
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

function unknownLengthAt(node: ts.Node, scope: Scope): UnknownLength {
  return { text: clip(node.getText(scope.file.sourceFile)), span: scope.file.span(node) };
}

/** The array a value not known statically stands for: one unknown item, of unknown number. */
function unknownArray(node: ts.Node, scope: Scope): ArrayValue {
  const where = unknownLengthAt(node, scope);
  return { kind: 'array', items: [unknown(`an item of \`${where.text}\` is not known statically`, where.span)], unknownLength: where };
}

/** The expression of `length` in `{length: n}` (or `{length}`). */
function lengthInitializer(object: ts.ObjectLiteralExpression): ts.Node | undefined {
  for (const property of object.properties) {
    if (!property.name || !ts.isIdentifier(property.name) || property.name.text !== 'length') continue;
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
  }
  return undefined;
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
