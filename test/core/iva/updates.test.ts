import { describe, expect, it } from 'vitest';
import { issUpdate } from '../../../core/iva/updates.js';
import { createRandom } from '../../../core/random.js';

/** ISS by the formulas of Scheibler & Ono (2020), written plainly. */
function referenceIss(n: number, frames: number, w: Float64Array, y: Float64Array, u: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const v: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      let nr = 0;
      let ni = 0;
      let den = 0;
      for (let t = 0; t < frames; t++) {
        const [ar, ai] = [y[2 * (k * frames + t)], y[2 * (k * frames + t) + 1]];
        const [br, bi] = [y[2 * (j * frames + t)], y[2 * (j * frames + t) + 1]];
        den += u[j * frames + t] * (ar * ar + ai * ai);
        nr += u[j * frames + t] * (br * ar + bi * ai);
        ni += u[j * frames + t] * (bi * ar - br * ai);
      }
      v.push(j === k ? [1 - 1 / Math.sqrt(den / frames), 0] : [nr / den, ni / den]);
    }
    const yk = Array.from({ length: 2 * frames }, (_, i) => y[2 * k * frames + i]);
    const wk = Array.from({ length: 2 * n }, (_, i) => w[2 * k * n + i]);
    for (let j = 0; j < n; j++) {
      const [vr, vi] = v[j];
      for (let t = 0; t < frames; t++) {
        y[2 * (j * frames + t)] -= vr * yk[2 * t] - vi * yk[2 * t + 1];
        y[2 * (j * frames + t) + 1] -= vr * yk[2 * t + 1] + vi * yk[2 * t];
      }
      for (let d = 0; d < n; d++) {
        w[2 * (j * n + d)] -= vr * wk[2 * d] - vi * wk[2 * d + 1];
        w[2 * (j * n + d) + 1] -= vr * wk[2 * d + 1] + vi * wk[2 * d];
      }
    }
  }
}

describe('issUpdate', () => {
  for (const n of [2, 3]) {
    it(`matches the published rule for ${n} sources`, () => {
      const rng = createRandom(n);
      const frames = 11;
      const w = Float64Array.from({ length: 2 * n * n }, () => rng.normal());
      const y = Float64Array.from({ length: 2 * n * frames }, () => rng.normal());
      const u = Float64Array.from({ length: n * frames }, () => 0.5 + rng.uniform());
      const [w2, y2] = [w.slice(), y.slice()];
      referenceIss(n, frames, w2, y2, u);
      issUpdate(n, frames, w, 0, y, u, 0, new Float64Array(2 * n));
      for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo(w2[i], 12);
      for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(y2[i], 12);
    });
  }
});
