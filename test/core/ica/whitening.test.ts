import { describe, expect, it } from 'vitest';
import { amariIndex } from '../../../core/ica/amari.js';
import { applyMatrix, computeWhitening, covariance } from '../../../core/ica/whitening.js';
import { identity } from '../../../core/linalg/real.js';
import { createRandom } from '../../../core/random.js';

function noise(channels: number, frames: number, seed: number): Float64Array[] {
  const rng = createRandom(seed);
  return Array.from({ length: channels }, () => Float64Array.from({ length: frames }, () => rng.normal()));
}

describe('whitening', () => {
  it('centres and whitens: identity covariance of the output', () => {
    const s = noise(3, 5000, 1);
    const a = Float64Array.of(1, 0.5, 0.2, 0.3, 2, -0.4, 0.1, 0.1, 0.7);
    const x = applyMatrix(a, 3, 3, s);
    for (const ch of x) for (let i = 0; i < ch.length; i++) ch[i] += 0.25;
    const w = computeWhitening(x);
    const z = applyMatrix(w.matrix, 3, 3, x, w.mean);
    const c = covariance(z, new Float64Array(3));
    for (let k = 0; k < 9; k++) expect(c[k]).toBeCloseTo(identity(3)[k], 10);
    for (const m of w.mean) expect(m).toBeCloseTo(0.25, 1);
  });

  it('reduces to the n strongest principal components', () => {
    const s = noise(2, 4000, 2);
    // 4 channels, 2 sources plus a little sensor noise
    const a = Float64Array.of(1, 0.2, 0.4, 1, 0.7, -0.5, -0.3, 0.9);
    const x = applyMatrix(a, 4, 2, s);
    const small = noise(4, 4000, 3);
    x.forEach((ch, c) => ch.forEach((_, i) => (ch[i] += 1e-3 * small[c][i])));
    const w = computeWhitening(x, 2);
    expect(w.rows).toBe(2);
    expect(w.eigenvalues[2]).toBeLessThan(1e-5);
    const z = applyMatrix(w.matrix, 2, 4, x, w.mean);
    const c = covariance(z, new Float64Array(2));
    expect(c[0]).toBeCloseTo(1, 10);
    expect(c[1]).toBeCloseTo(0, 10);
  });

  it('names a silent channel and linearly dependent channels', () => {
    const x = noise(3, 1000, 4);
    x[1].fill(0.5);
    expect(() => computeWhitening(x)).toThrow(/channel 2 is silent/);
    const y = noise(3, 1000, 5);
    y[2] = Float64Array.from(y[0]);
    expect(() => computeWhitening(y)).toThrow(/linearly dependent .*at most 2 independent signals, but 3/);
    // Reducing to 2 sources is fine with a duplicated channel.
    expect(computeWhitening(y, 2).rows).toBe(2);
    expect(() => computeWhitening(y, 4)).toThrow(/cannot extract 4 sources from 3 channels/);
  });

  it('applyMatrix handles column counts that are not multiples of four', () => {
    for (const cols of [1, 2, 5, 9]) {
      const x = noise(cols, 37, cols);
      const m = Float64Array.from({ length: 2 * cols }, (_, k) => k - cols);
      const y = applyMatrix(m, 2, cols, x, new Float64Array(cols).fill(1));
      for (let r = 0; r < 2; r++) {
        for (const i of [0, 17, 36]) {
          let s = 0;
          for (let c = 0; c < cols; c++) s += m[r * cols + c] * (x[c][i] - 1);
          expect(y[r][i]).toBeCloseTo(s, 12);
        }
      }
    }
  });
});

describe('amariIndex', () => {
  it('is 0 for a scaled permutation, in (0, 1] otherwise, 1 for the worst case', () => {
    const a = Float64Array.of(1, 2, 3, 4);
    // W = P D A⁻¹ with A⁻¹ = [[-2, 1], [1.5, -0.5]]
    const w = Float64Array.of(3 * 1.5, 3 * -0.5, -2 * -2, -2 * 1);
    expect(amariIndex(w, a, 2)).toBeCloseTo(0, 12);
    expect(amariIndex(Float64Array.of(1, 1, 1, 1), Float64Array.of(1, 0, 0, 1), 2)).toBe(1);
    const some = amariIndex(Float64Array.of(1, 0.1, 0, 1), Float64Array.of(1, 0, 0, 1), 2);
    expect(some).toBeGreaterThan(0);
    expect(some).toBeLessThan(0.1);
    // The scale of each unmixed source does not matter.
    const w2 = Float64Array.of(1, 0.05, 0.02, 1);
    const scaled = Float64Array.of(1e-3, 0.05e-3, 0.02, 1);
    expect(amariIndex(scaled, Float64Array.of(1, 0, 0, 1), 2)).toBeCloseTo(
      amariIndex(w2, Float64Array.of(1, 0, 0, 1), 2),
      12,
    );
    // non-square: 2 sources from 3 channels
    expect(amariIndex(Float64Array.of(1, 0, 0, 0, 1, 0), Float64Array.of(0, 2, 3, 0, 5, 5), 2, 3)).toBeCloseTo(0, 12);
  });
});
