import { describe, expect, it } from 'vitest';
import { projectionBackScales, projectionBackWorkspace, scaleComplexRows } from '../../../core/iva/stftMixture.js';
import { createRandom } from '../../../core/random.js';

describe('projectionBackScales', () => {
  it('gives the same scales from the covariance form as from U⁻¹ for a square unmixing, and zeros when singular', () => {
    const rng = createRandom(4);
    const n = 3;
    const u = Float64Array.from({ length: 2 * n * n }, () => rng.normal());
    // C = X Xᴴ of random complex frames: Hermitian positive definite.
    const frames = 12;
    const x = Float64Array.from({ length: 2 * n * frames }, () => rng.normal());
    const c = new Float64Array(2 * n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        for (let t = 0; t < frames; t++) {
          const [ar, ai] = [x[2 * (i * frames + t)], x[2 * (i * frames + t) + 1]];
          const [br, bi] = [x[2 * (j * frames + t)], -x[2 * (j * frames + t) + 1]];
          c[2 * (i * n + j)] += ar * br - ai * bi;
          c[2 * (i * n + j) + 1] += ar * bi + ai * br;
        }
      }
    }
    const work = projectionBackWorkspace(n, n);
    const general = new Float64Array(2 * n);
    const square = new Float64Array(2 * n);
    expect(projectionBackScales(u, 0, c, 0, 1, work, general)).toBe(true);
    expect(projectionBackScales(u, 0, undefined, 0, 1, work, square)).toBe(true);
    for (let k = 0; k < 2 * n; k++) expect(general[k]).toBeCloseTo(square[k], 10);
    // Row k of the scaled unmixing is scale_k times row k.
    const scaled = new Float64Array(2 * n * n);
    scaleComplexRows(u, 0, n, n, square, 0, scaled);
    expect(scaled[0]).toBeCloseTo(square[0] * u[0] - square[1] * u[1], 14);
    expect(projectionBackScales(new Float64Array(2 * n * n), 0, undefined, 0, 1, work, square)).toBe(false);
    expect(Array.from(square)).toEqual(new Array(2 * n).fill(0));
  });
});
