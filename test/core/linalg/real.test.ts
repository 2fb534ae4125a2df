import { describe, expect, it } from 'vitest';
import { UnmixError } from '../../../core/errors.js';
import {
  det,
  identity,
  inverse,
  logAbsDet,
  matMul,
  orthonormalizeColumns,
  pinv,
  solve,
  symmetricEigen,
  transpose,
} from '../../../core/linalg/real.js';
import { createRandom } from '../../../core/random.js';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('real linear algebra', () => {
  it('symmetricEigen: A V = V D with orthonormal V and decreasing values', () => {
    for (const n of [1, 2, 3, 5, 8, 16]) {
      const b = randomMatrix(n, n, n);
      const a = matMul(b, transpose(b, n, n), n, n, n);
      a[0] += 1e-9; // touches only the upper triangle's diagonal: still symmetric
      const { values, vectors } = symmetricEigen(a, n);
      const av = matMul(a, vectors, n, n, n);
      const vd = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) vd[i * n + k] = vectors[i * n + k] * values[k];
      expect(maxAbsDiff(av, vd)).toBeLessThan(1e-10 * Math.max(1, values[0]));
      const vtv = matMul(transpose(vectors, n, n), vectors, n, n, n);
      expect(maxAbsDiff(vtv, identity(n))).toBeLessThan(1e-12);
      for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    }
  });

  it('symmetricEigen finds tiny and zero eigenvalues exactly', () => {
    // rank-1 matrix v vᵀ: eigenvalues |v|², 0, 0
    const v = [1, 2, 3];
    const a = Float64Array.from({ length: 9 }, (_, k) => v[Math.floor(k / 3)] * v[k % 3]);
    const { values } = symmetricEigen(a, 3);
    expect(values[0]).toBeCloseTo(14, 12);
    expect(Math.abs(values[1])).toBeLessThan(1e-14);
    expect(Math.abs(values[2])).toBeLessThan(1e-14);
  });

  it('solve, inverse, det and logAbsDet agree with their definitions', () => {
    for (const n of [1, 2, 4, 7]) {
      const a = randomMatrix(n, n, 10 + n);
      const b = randomMatrix(n, 3, 20 + n);
      const x = solve(a, b, n, 3);
      expect(maxAbsDiff(matMul(a, x, n, n, 3), b)).toBeLessThan(1e-12);
      expect(maxAbsDiff(matMul(a, inverse(a, n), n, n, n), identity(n))).toBeLessThan(1e-12);
    }
    const a = Float64Array.of(2, 1, 0, 1, 3, 1, 0, 1, 4);
    expect(det(a, 3)).toBeCloseTo(2 * 11 - 1 * 4, 12);
    const swapped = Float64Array.of(0, 1, 1, 0);
    expect(logAbsDet(swapped, 2)).toEqual({ sign: -1, logAbs: 0 });
    expect(logAbsDet(Float64Array.of(1, 2, 2, 4), 2).sign).toBe(0);
  });

  it('refuses to invert a singular matrix', () => {
    expect(() => inverse(Float64Array.of(1, 2, 2, 4), 2)).toThrow(UnmixError);
  });

  it('pinv satisfies the Moore-Penrose conditions for wide, tall and rank-deficient matrices', () => {
    const cases: [number, number, Float64Array][] = [
      [2, 5, randomMatrix(2, 5, 1)],
      [5, 3, randomMatrix(5, 3, 2)],
      [3, 3, randomMatrix(3, 3, 3)],
      [2, 3, Float64Array.of(1, 2, 3, 2, 4, 6)],
    ];
    for (const [r, c, a] of cases) {
      const p = pinv(a, r, c);
      const apa = matMul(matMul(a, p, r, c, r), a, r, r, c);
      expect(maxAbsDiff(apa, a)).toBeLessThan(1e-10);
      const pap = matMul(matMul(p, a, c, r, c), p, c, c, r);
      expect(maxAbsDiff(pap, p)).toBeLessThan(1e-10);
      const ap = matMul(a, p, r, c, r);
      expect(maxAbsDiff(ap, transpose(ap, r, r))).toBeLessThan(1e-10);
    }
    const sq = randomMatrix(4, 4, 9);
    expect(maxAbsDiff(pinv(sq, 4, 4), inverse(sq, 4))).toBeLessThan(1e-9);
  });
});

describe('orthonormalizeColumns', () => {
  it('makes orthonormal columns spanning the same nested subspaces (modified Gram-Schmidt)', () => {
    const rng = createRandom(11);
    const rows = 5;
    const cols = 3;
    const a = Float64Array.from({ length: rows * cols }, () => rng.normal());
    const q = orthonormalizeColumns(a.slice(), rows, cols);
    const qtq = matMul(transpose(q, rows, cols), q, cols, rows, cols);
    for (let i = 0; i < cols; i++)
      for (let j = 0; j < cols; j++) expect(qtq[i * cols + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    // The first column is the first input column, normalised.
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += a[i * cols] ** 2;
    for (let i = 0; i < rows; i++) expect(q[i * cols]).toBeCloseTo(a[i * cols] / Math.sqrt(norm), 12);
  });
});
