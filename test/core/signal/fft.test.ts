import { describe, expect, it } from 'vitest';
import { complexFft, isPowerOfTwo, nextPowerOfTwo, realFft } from '../../../core/signal/fft.js';
import { createRandom } from '../../../core/random.js';

function naiveDft(re: Float64Array, im: Float64Array): Float64Array {
  const n = re.length;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
    out[2 * k] = sr;
    out[2 * k + 1] = si;
  }
  return out;
}

describe('fft', () => {
  it('knows powers of two', () => {
    expect([1, 2, 3, 4, 1024, 1000].map(isPowerOfTwo)).toEqual([false, true, false, true, true, false]);
    expect(nextPowerOfTwo(1000)).toBe(1024);
    expect(nextPowerOfTwo(1)).toBe(2);
    expect(() => realFft(1000)).toThrow(/power of two/);
  });

  for (const size of [2, 4, 8, 32, 256]) {
    it(`matches the naive DFT and inverts exactly at size ${size}`, () => {
      const rng = createRandom(size);
      const x = new Float64Array(size).map(() => rng.normal());
      const expected = naiveDft(x, new Float64Array(size));
      const spectrum = new Float64Array(size + 2);
      realFft(size).forward(x, spectrum);
      for (let i = 0; i < size + 2; i++) expect(spectrum[i]).toBeCloseTo(expected[i], 9);
      const back = new Float64Array(size);
      realFft(size).inverse(spectrum, back);
      for (let i = 0; i < size; i++) expect(back[i]).toBeCloseTo(x[i], 12);

      const z = new Float64Array(2 * size).map(() => rng.normal());
      const re = new Float64Array(size).map((_, i) => z[2 * i]);
      const im = new Float64Array(size).map((_, i) => z[2 * i + 1]);
      const expectedComplex = naiveDft(re, im);
      const out = new Float64Array(2 * size);
      complexFft(size).forward(z, out);
      for (let i = 0; i < 2 * size; i++) expect(out[i]).toBeCloseTo(expectedComplex[i], 9);
      const inv = new Float64Array(2 * size);
      complexFft(size).inverse(out, inv);
      for (let i = 0; i < 2 * size; i++) expect(inv[i]).toBeCloseTo(z[i], 12);
    });
  }
});
