import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { EncodeWavOptions } from '../core/audio/wav.js';

/**
 * Option parsers shared by every command, so that a number or a format is checked the
 * same way everywhere and a bad value is a usage error (exit 2) with a plain message.
 */

/** Parse a whole number in [min, max]. */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[-+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `expected a whole number >= ${min}`
          : `expected a whole number from ${min} to ${max}`,
      );
    }
    return n;
  };
}

/** Parse a finite number in (exclusiveMin, max]. */
export function numberAbove(exclusiveMin: number, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= exclusiveMin || n > max) {
      throw new InvalidArgumentError(
        max === Infinity
          ? `expected a number above ${exclusiveMin}`
          : `expected a number above ${exclusiveMin} and at most ${max}`,
      );
    }
    return n;
  };
}

/** Output sample formats by name. */
export const OUTPUT_FORMATS: Record<string, Required<Pick<EncodeWavOptions, 'encoding' | 'bitDepth'>>> = {
  float32: { encoding: 'float', bitDepth: 32 },
  float64: { encoding: 'float', bitDepth: 64 },
  pcm16: { encoding: 'pcm', bitDepth: 16 },
  pcm24: { encoding: 'pcm', bitDepth: 24 },
  pcm32: { encoding: 'pcm', bitDepth: 32 },
};

/**
 * `--format`: the sample format of written WAV files. 32-bit float by default, so
 * separated sources louder than the mixture are not clipped.
 */
export function outputFormatOption() {
  return new Option('--format <format>', 'sample format of written WAV files')
    .choices(Object.keys(OUTPUT_FORMATS) as [string, ...string[]])
    .default('float32');
}
