import { UnmixError } from '../errors.js';
import type { SeparateOptions } from '../separate.js';

/**
 * Reading method-specific options, which arrive untyped (from `--param key=value`, the
 * app's settings, or code): each is checked and defaulted in one place, with a plain
 * `usage` error naming the method and the option.
 */

/** Options every method understands (see `CommonSeparationOptions`), never rejected. */
const COMMON = new Set([
  'method',
  'sources',
  'iterations',
  'tolerance',
  'seed',
  'onProgress',
  'signal',
  'initial',
  'fftSize',
  'hopSamples',
]);

/** Typed access to the method-specific options of one method. */
export class OptionReader {
  constructor(
    private readonly method: string,
    private readonly options: SeparateOptions,
    known: readonly string[],
  ) {
    for (const [key, value] of Object.entries(options)) {
      if (value === undefined || COMMON.has(key) || known.includes(key)) continue;
      throw new UnmixError(
        `method '${method}' has no option '${key}'${known.length ? `; its options are: ${known.join(', ')}` : ''}`,
        'usage',
      );
    }
  }

  /** A number in [min, max] (integer when `integer`), or `fallback` when absent. */
  number(key: string, fallback: number, min = -Infinity, max = Infinity, integer = false): number {
    const value = this.options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new UnmixError(
        `${this.method}: option '${key}' must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(value)}`,
        'usage',
      );
    }
    if (integer && !Number.isInteger(value)) {
      throw new UnmixError(`${this.method}: option '${key}' must be an integer, got ${value}`, 'usage');
    }
    return value;
  }

  /** A boolean, or `fallback` when absent. */
  boolean(key: string, fallback: boolean): boolean {
    const value = this.options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      throw new UnmixError(`${this.method}: option '${key}' must be true or false, got ${String(value)}`, 'usage');
    }
    return value;
  }

  /** One of `choices`, or `fallback` when absent. */
  choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
    const value = this.options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      throw new UnmixError(
        `${this.method}: option '${key}' must be one of ${choices.join(', ')}, got ${String(value)}`,
        'usage',
      );
    }
    return value as T;
  }

  /** A string, or `fallback` when absent. */
  string(key: string, fallback: string): string {
    const value = this.options[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string') {
      throw new UnmixError(`${this.method}: option '${key}' must be text, got ${String(value)}`, 'usage');
    }
    return value;
  }
}
