// Typed reads of a layer's evaluated configuration with tfjs defaults. Symmetry rules read
// strictly (a value that is not a constant stops the rule with a gap); shapes read leniently.
import { NotConstant, configValue, type ConstValue, type LayerConfig } from '../graph';

/** Thrown by a strict read of a key that is not a compile-time constant. */
export class NonConstantConfig extends Error {
  constructor(readonly key: string) {
    super(`${key} is not a compile-time constant`);
  }
}

/** Thrown by a strict read of a key whose constant has a shape the rule does not understand. */
export class MalformedConfig extends Error {
  constructor(
    readonly key: string,
    what: string,
  ) {
    super(`${key} ${what}`);
  }
}

/**
 * Reads configuration keys. In strict mode, an unknown value throws (`NonConstantConfig`);
 * in lenient mode it reads as `null`, which shape inference turns into an unknown dimension.
 */
export class ConfigReader {
  constructor(
    readonly config: LayerConfig,
    readonly strict: boolean,
  ) {}

  /** The raw constant, `undefined` when absent; `null` (lenient) or a throw (strict) when unknown. */
  raw(key: string): ConstValue | undefined {
    const value = configValue(this.config, key);
    if (value instanceof NotConstant) return this.unknown(key);
    return value;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  number(key: string, fallback: number): number | null {
    const value = this.raw(key);
    if (value === undefined || value === null) return value === null && this.isUnknownNull(key) ? null : fallback;
    if (typeof value === 'number') return value;
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'number') return value[0];
    return this.malformed(key, 'is not a number');
  }

  string(key: string, fallback: string): string | null {
    const value = this.raw(key);
    if (value === undefined || value === null) return value === null && this.isUnknownNull(key) ? null : fallback;
    if (typeof value === 'string') return value;
    return this.malformed(key, 'is not a string');
  }

  boolean(key: string, fallback: boolean): boolean | null {
    const value = this.raw(key);
    if (value === undefined || value === null) return value === null && this.isUnknownNull(key) ? null : fallback;
    if (typeof value === 'boolean') return value;
    return this.malformed(key, 'is not a boolean');
  }

  /**
   * A per-axis tuple such as `kernelSize` or `strides`: a number applies to every axis, an
   * array gives one value per axis. `fallback` may itself be a tuple (pool strides default to
   * the pool size).
   */
  tuple(key: string, length: number, fallback: number | (number | null)[]): (number | null)[] {
    const value = this.raw(key);
    if (value === undefined || (value === null && !this.isUnknownNull(key))) {
      return typeof fallback === 'number' ? new Array<number>(length).fill(fallback) : fallback.slice(0, length);
    }
    if (value === null) return new Array<null>(length).fill(null);
    if (typeof value === 'number') return new Array<number>(length).fill(value);
    if (Array.isArray(value)) {
      const entries = value.map((entry) => (typeof entry === 'number' ? entry : null));
      if (entries.length === 1) return new Array<number | null>(length).fill(entries[0]);
      if (entries.length === length && (!this.strict || entries.every((entry) => entry !== null))) return entries;
    }
    this.malformed(key, `is not a number or a list of ${length} numbers`);
    return new Array<null>(length).fill(null);
  }

  /**
   * Border sizes of a 2D padding or cropping: a number, `[symH, symW]`, or
   * `[[top, bottom], [left, right]]`. Returns `[[top, bottom], [left, right]]`.
   */
  border2d(key: string, fallback: number): [[number | null, number | null], [number | null, number | null]] {
    const value = this.raw(key);
    const pair = (entry: ConstValue | undefined): [number | null, number | null] => {
      if (typeof entry === 'number') return [entry, entry];
      if (Array.isArray(entry) && entry.length === 2) {
        return [typeof entry[0] === 'number' ? entry[0] : null, typeof entry[1] === 'number' ? entry[1] : null];
      }
      return [null, null];
    };
    if (value === undefined || (value === null && !this.isUnknownNull(key))) {
      return [
        [fallback, fallback],
        [fallback, fallback],
      ];
    }
    if (typeof value === 'number') return [pair(value), pair(value)];
    if (Array.isArray(value) && value.length === 2) {
      const result: [[number | null, number | null], [number | null, number | null]] = [pair(value[0]), pair(value[1])];
      if (result.flat().some((entry) => entry === null)) this.malformed(key, 'is not a number, [h, w] or [[top, bottom], [left, right]]');
      return result;
    }
    if (value === null) {
      return [
        [null, null],
        [null, null],
      ];
    }
    this.malformed(key, 'is not a number, [h, w] or [[top, bottom], [left, right]]');
    return [
      [null, null],
      [null, null],
    ];
  }

  /** `null` read leniently from an unknown value, as opposed to a literal `null` in the code. */
  private isUnknownNull(key: string): boolean {
    return configValue(this.config, key) instanceof NotConstant;
  }

  private unknown(key: string): null {
    if (this.strict) throw new NonConstantConfig(key);
    return null;
  }

  private malformed(key: string, what: string): null {
    if (this.strict) throw new MalformedConfig(key, what);
    return null;
  }
}
