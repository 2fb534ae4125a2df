import { describe, expect, it } from 'vitest';
import { convolve, convolveDirect, convolveMany } from '../../../core/signal/convolve.js';
import { createRandom } from '../../../core/random.js';

function noise(length: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return Float64Array.from({ length }, () => rng.normal());
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('convolveDirect', () => {
  it('matches a hand-computed convolution', () => {
    const y = convolveDirect(Float64Array.from([1, 2, 3]), Float64Array.from([1, -1]));
    expect(Array.from(y)).toEqual([1, 1, 1, -3]);
    expect(Array.from(convolveDirect(Float64Array.from([1, 2, 3]), Float64Array.from([1, -1]), 2))).toEqual([1, 1]);
    expect(Array.from(convolveDirect(Float64Array.from([1]), Float64Array.from([2]), 3))).toEqual([2, 0, 0]);
  });
});

describe('convolve (FFT overlap-add)', () => {
  const x = noise(20000, 1);
  for (const taps of [1, 64, 65, 300, 2048, 4801, 9000]) {
    it(`equals direct convolution with a ${taps}-tap filter, full and truncated`, () => {
      const h = noise(taps, taps);
      const direct = convolveDirect(x, h);
      expect(maxAbsDiff(convolve(x, h), direct)).toBeLessThan(1e-10);
      expect(maxAbsDiff(convolve(x, h, x.length), direct.subarray(0, x.length))).toBeLessThan(1e-10);
    });
  }

  it('convolves one signal with filters of different lengths at once', () => {
    const filters = [noise(100, 5), noise(3000, 6), noise(1, 7)];
    const outputs = convolveMany(x, filters, 25000);
    outputs.forEach((y, f) => {
      expect(y.length).toBe(25000);
      const direct = convolveDirect(x, filters[f], 25000);
      expect(maxAbsDiff(y, direct)).toBeLessThan(1e-10);
    });
  });

  it('handles empty inputs and rejects a bad length', () => {
    expect(convolve(new Float64Array(0), noise(100, 1)).length).toBe(0);
    expect(convolveMany(x, [])).toEqual([]);
    expect(() => convolve(x, noise(100, 1), -1)).toThrow(/output length must be a whole number/);
  });
});
