import { describe, expect, it } from 'vitest';
import {
  complexConjTranspose,
  complexInverse,
  complexLogAbsDet,
  complexMatMul,
  complexMatMulConjTranspose,
  complexScratch,
  complexSolve,
  hermitianQuadraticForm,
} from '../../../core/linalg/complex.js';
import { hermitianEigen } from '../../../core/linalg/hermitian.js';
import { createRandom } from '../../../core/random.js';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return new Float64Array(2 * rows * cols).map(() => rng.normal());
}

function identityError(n: number, m: Float64Array): number {
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      e = Math.max(e, Math.abs(m[2 * (i * n + j)] - (i === j ? 1 : 0)), Math.abs(m[2 * (i * n + j) + 1]));
    }
  }
  return e;
}

function randomHermitian(n: number, seed: number): Float64Array {
  const b = randomMatrix(n, n, seed);
  const h = new Float64Array(2 * n * n);
  complexMatMulConjTranspose(n, n, n, b, b, h);
  return h;
}

describe('complex small matrices', () => {
  it('multiplies, with and without conjugate transpose', () => {
    const a = randomMatrix(2, 3, 1);
    const b = randomMatrix(3, 4, 2);
    const ab = new Float64Array(16);
    complexMatMul(2, 3, 4, a, b, ab);
    // (0,1) by hand
    let re = 0;
    let im = 0;
    for (let k = 0; k < 3; k++) {
      const [ar, ai, br, bi] = [a[2 * k], a[2 * k + 1], b[2 * (k * 4 + 1)], b[2 * (k * 4 + 1) + 1]];
      re += ar * br - ai * bi;
      im += ar * bi + ai * br;
    }
    expect(ab[2]).toBeCloseTo(re, 12);
    expect(ab[3]).toBeCloseTo(im, 12);
    const bh = new Float64Array(24);
    complexConjTranspose(3, 4, b, bh);
    const ab2 = new Float64Array(16);
    complexMatMulConjTranspose(2, 3, 4, a, bh, ab2);
    for (let i = 0; i < 16; i++) expect(ab2[i]).toBeCloseTo(ab[i], 12);
  });

  for (const n of [1, 2, 3, 4, 6]) {
    it(`inverts and solves at n = ${n}, with offsets`, () => {
      const a = randomMatrix(n, n, 10 + n);
      const padded = new Float64Array(2 * n * n + 6);
      padded.set(a, 6);
      const inv = new Float64Array(2 * n * n + 4);
      expect(complexInverse(n, padded, inv, complexScratch(n), 6, 4)).toBe(true);
      const prod = new Float64Array(2 * n * n);
      complexMatMul(n, n, n, a, inv, prod, 0, 4);
      expect(identityError(n, prod)).toBeLessThan(1e-10);
      const b = randomMatrix(n, 2, 20 + n);
      const x = new Float64Array(4 * n);
      expect(complexSolve(n, 2, a, b, x)).toBe(true);
      const ax = new Float64Array(4 * n);
      complexMatMul(n, n, 2, a, x, ax);
      for (let i = 0; i < 4 * n; i++) expect(ax[i]).toBeCloseTo(b[i], 10);
      // log|det A| = -log|det A⁻¹|
      expect(complexLogAbsDet(n, a) + complexLogAbsDet(n, inv, undefined, 4)).toBeCloseTo(0, 10);
    });
  }

  it('computes |det| through the LU and closed forms alike', () => {
    // det of diag(2i, 3, 1-i) = 6i (1-i) → |det| = 6 √2
    const d = new Float64Array(18);
    d[1] = 2;
    d[8] = 3;
    d[16] = 1;
    d[17] = -1;
    expect(complexLogAbsDet(3, d)).toBeCloseTo(Math.log(6 * Math.SQRT2), 12);
    const d4 = new Float64Array(32);
    for (let i = 0; i < 4; i++) d4[2 * (i * 4 + i)] = i + 1;
    expect(complexLogAbsDet(4, d4)).toBeCloseTo(Math.log(24), 12);
  });

  it('reports singular matrices', () => {
    for (const n of [1, 2, 3, 5]) {
      const a = randomMatrix(n, n, n);
      for (let j = 0; j < 2 * n; j++) a[2 * (n - 1) * n + j] = n > 1 ? a[j] : 0;
      expect(complexInverse(n, a, new Float64Array(2 * n * n))).toBe(false);
      if (n > 1) expect(complexSolve(n, 1, a, new Float64Array(2 * n), new Float64Array(2 * n))).toBe(false);
    }
  });

  it('evaluates Hermitian quadratic forms', () => {
    const n = 3;
    const h = randomHermitian(n, 5);
    const x = randomMatrix(n, 1, 6);
    const hx = new Float64Array(2 * n);
    complexMatMul(n, n, 1, h, x, hx);
    let re = 0;
    for (let i = 0; i < n; i++) re += x[2 * i] * hx[2 * i] + x[2 * i + 1] * hx[2 * i + 1];
    expect(hermitianQuadraticForm(n, h, x)).toBeCloseTo(re, 10);
  });
});

describe('hermitianEigen', () => {
  for (const n of [1, 2, 3, 5, 8]) {
    it(`satisfies A V = V diag(λ) with unitary V at n = ${n}`, () => {
      const a = randomHermitian(n, 30 + n);
      const values = new Float64Array(n);
      const vectors = new Float64Array(2 * n * n);
      hermitianEigen(n, a, values, vectors);
      for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
      const av = new Float64Array(2 * n * n);
      complexMatMul(n, n, n, a, vectors, av);
      let scale = 0;
      for (const v of a) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          expect(Math.abs(av[2 * (i * n + j)] - vectors[2 * (i * n + j)] * values[j])).toBeLessThan(1e-10 * scale);
          expect(Math.abs(av[2 * (i * n + j) + 1] - vectors[2 * (i * n + j) + 1] * values[j])).toBeLessThan(
            1e-10 * scale,
          );
        }
      }
      const vhv = new Float64Array(2 * n * n);
      const vh = new Float64Array(2 * n * n);
      complexConjTranspose(n, n, vectors, vh);
      complexMatMul(n, n, n, vh, vectors, vhv);
      expect(identityError(n, vhv)).toBeLessThan(1e-12);
    });
  }

  it('handles diagonal and repeated eigenvalues', () => {
    const a = new Float64Array(18);
    a[0] = 1;
    a[8] = 5;
    a[16] = 1;
    const values = new Float64Array(3);
    const vectors = new Float64Array(18);
    hermitianEigen(3, a, values, vectors);
    expect(Array.from(values)).toEqual([5, 1, 1]);
  });
});
