import { describe, expect, it } from 'vitest';
import { accumulateCross, multiplyBlock } from '../../../core/ica/kernels.js';
import { createRandom } from '../../../core/random.js';

describe('ICA kernels (tiled) agree with plain loops for every size', () => {
  const rng = createRandom(3);
  for (let n = 1; n <= 9; n++) {
    it(`n = ${n}`, () => {
      const stride = 40;
      const len = 37;
      const a = Float64Array.from({ length: n * stride }, () => rng.normal());
      const b = Float64Array.from({ length: n * stride }, () => rng.normal());
      const acc = new Float64Array(n * n).fill(1);
      accumulateCross(a, b, n, len, stride, acc);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          let s = 1;
          for (let i = 0; i < len; i++) s += a[r * stride + i] * b[c * stride + i];
          expect(acc[r * n + c]).toBeCloseTo(s, 12);
        }
      }
      for (const cols of [n, n + 1, Math.max(1, n - 1)]) {
        const z = Array.from({ length: cols }, () => Float64Array.from({ length: 50 }, () => rng.normal()));
        const w = Float64Array.from({ length: n * cols }, () => rng.normal());
        const bias = Float64Array.from({ length: n }, () => rng.normal());
        const out = new Float64Array(n * stride);
        multiplyBlock(w, n, cols, z, 5, len, out, stride, bias);
        for (let r = 0; r < n; r++) {
          for (const i of [0, 11, len - 1]) {
            let s = bias[r];
            for (let c = 0; c < cols; c++) s += w[r * cols + c] * z[c][5 + i];
            expect(out[r * stride + i]).toBeCloseTo(s, 12);
          }
        }
      }
    });
  }
});
