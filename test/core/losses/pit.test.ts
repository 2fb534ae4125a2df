import { describe, expect, it } from 'vitest';
import { bestAssignment, exhaustiveAssignment, hungarianAssignment, pit } from '../../../core/losses/pit.js';
import { negativeSiSdr } from '../../../core/losses/siSdr.js';
import { createRandom } from '../../../core/random.js';

function randomCosts(n: number, m: number, seed: number): number[][] {
  const rng = createRandom(seed);
  // Some integer costs to make ties, some negative.
  return Array.from({ length: n }, () =>
    Array.from({ length: m }, () => (seed % 2 ? Math.round(rng.uniform() * 5) : rng.normal() * 10)),
  );
}

describe('assignment', () => {
  it('Hungarian finds the cost of exhaustive search on random cases up to 8 sources', () => {
    for (let n = 1; n <= 8; n++) {
      for (let trial = 0; trial < (n <= 6 ? 20 : 4); trial++) {
        const costs = randomCosts(n, n, 100 * n + trial);
        const exact = exhaustiveAssignment(costs);
        const fast = hungarianAssignment(costs);
        expect(fast.cost).toBeCloseTo(exact.cost, 9);
        expect(new Set(fast.permutation).size).toBe(n);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += costs[i][fast.permutation[i]];
        expect(sum).toBeCloseTo(fast.cost, 9);
      }
    }
  });
  it('handles more estimates than references', () => {
    for (let trial = 0; trial < 20; trial++) {
      const costs = randomCosts(3, 5, trial);
      expect(hungarianAssignment(costs).cost).toBeCloseTo(exhaustiveAssignment(costs).cost, 9);
    }
  });
  it('Hungarian solves 10 sources', () => {
    const costs = randomCosts(10, 10, 7);
    const { permutation, cost } = bestAssignment(costs);
    expect(new Set(permutation).size).toBe(10);
    // No single swap of two assignments improves an optimal one.
    for (let a = 0; a < 10; a++) {
      for (let b = a + 1; b < 10; b++) {
        const swapped =
          cost -
          costs[a][permutation[a]] -
          costs[b][permutation[b]] +
          costs[a][permutation[b]] +
          costs[b][permutation[a]];
        expect(swapped).toBeGreaterThanOrEqual(cost - 1e-9);
      }
    }
  });
  it('known answer', () => {
    const costs = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    expect(exhaustiveAssignment(costs)).toEqual({ permutation: [1, 0, 2], cost: 5 });
    expect(hungarianAssignment(costs)).toEqual({ permutation: [1, 0, 2], cost: 5 });
  });
  it('rejects fewer estimates than references', () => {
    expect(() => bestAssignment([[1], [2]])).toThrow(/need at least as many estimates/);
  });
});

describe('pit', () => {
  const rng = createRandom(11);
  const length = 200;
  const references = Array.from({ length: 6 }, () => Float64Array.from({ length }, () => rng.normal()));
  const order = [3, 0, 5, 1, 4, 2];

  it('recovers the order of shuffled, scaled, noisy estimates (exhaustive and Hungarian)', () => {
    for (const n of [3, 6]) {
      const refs = references.slice(0, n);
      const perm = order.filter((k) => k < n);
      // estimate j is reference perm[j]
      const estimates = perm.map((k, j) => Float64Array.from(refs[k], (x) => (j + 1) * x + 0.1 * rng.normal()));
      const result = pit(estimates, refs, negativeSiSdr);
      for (let i = 0; i < n; i++) expect(perm[result.permutation[i]]).toBe(i);
      expect(result.loss).toBeLessThan(-15);
    }
  });

  it('gradient through the best permutation matches finite differences', () => {
    const refs = references.slice(0, 3);
    const estimates = [refs[2], refs[0], refs[1]].map((r) => Float64Array.from(r, (x) => x + 0.5 * rng.normal()));
    estimates.push(Float64Array.from({ length }, () => rng.normal())); // one spare estimate
    const gradients = estimates.map(() => new Float64Array(length));
    const result = pit(estimates, refs, negativeSiSdr, { gradients });
    expect(result.permutation).toEqual([1, 2, 0]);
    expect(gradients[3].every((g) => g === 0)).toBe(true);
    const h = 1e-6;
    for (const j of [0, 1, 2]) {
      for (const t of [0, 17, 199]) {
        const keep = estimates[j][t];
        estimates[j][t] = keep + h;
        const up = pit(estimates, refs, negativeSiSdr).loss;
        estimates[j][t] = keep - h;
        const down = pit(estimates, refs, negativeSiSdr).loss;
        estimates[j][t] = keep;
        expect((up - down) / (2 * h)).toBeCloseTo(gradients[j][t], 5);
      }
    }
  });
});
