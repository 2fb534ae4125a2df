import { describe, expect, it } from 'vitest';
import {
  blockToeplitzMultiplier,
  multiplyBlockToeplitz,
  solveBlockToeplitz,
} from '../../../core/linalg/blockToeplitz.js';
import { createRandom } from '../../../core/random.js';

describe('block-Toeplitz solve', () => {
  it('matches a dense solve', () => {
    const rng = createRandom(9);
    const K = 3;
    const L = 20;
    const R = 2;
    // Correlations of random signals make a positive definite block-Toeplitz matrix.
    const signals = Array.from({ length: K }, () => Float64Array.from({ length: 200 }, () => rng.normal()));
    const blocks = new Float64Array(L * K * K);
    for (let k = 0; k < L; k++) {
      for (let p = 0; p < K; p++) {
        for (let q = 0; q < K; q++) {
          let s = 0;
          for (let t = 0; t + k < 200; t++) s += signals[p][t] * signals[q][t + k];
          blocks[(k * K + p) * K + q] = s;
        }
      }
    }
    const rhs = Float64Array.from({ length: L * K * R }, () => rng.normal());
    const x = solveBlockToeplitz(blocks, K, L, rhs, R);
    for (let r = 0; r < R; r++) {
      const column = Float64Array.from({ length: L * K }, (_, i) => x[i * R + r]);
      const product = new Float64Array(L * K);
      multiplyBlockToeplitz(blocks, K, L, column, product);
      for (let i = 0; i < L * K; i++) expect(product[i]).toBeCloseTo(rhs[i * R + r], 8);
      // The FFT product gives the same.
      const fast = new Float64Array(L * K);
      blockToeplitzMultiplier(blocks, K, L)(column, fast);
      for (let i = 0; i < L * K; i++) expect(fast[i]).toBeCloseTo(product[i], 9);
    }
  });
});
