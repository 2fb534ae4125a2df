import { describe, expect, it } from 'vitest';
import { binCovariance, weightedCovariances } from '../../../core/iva/covariance.js';
import { createRandom } from '../../../core/random.js';

describe('weighted covariances', () => {
  for (const dims of [1, 2, 3, 4]) {
    for (const sources of [1, 2, 3]) {
      it(`match the definition for ${dims} channels and ${sources} sources`, () => {
        const rng = createRandom(10 * dims + sources);
        const frames = 17;
        const bins = 3;
        const channels = Array.from({ length: dims }, () =>
          Float64Array.from({ length: 2 * bins * frames }, () => rng.normal()),
        );
        const weights = Float64Array.from({ length: 5 + sources * frames }, () => rng.uniform());
        const out = new Float64Array(sources * 2 * dims * dims);
        const f = 1;
        weightedCovariances(channels, dims, frames, f, weights, 5, sources, out, new Float64Array(dims * (dims + 1)));
        for (let k = 0; k < sources; k++) {
          for (let i = 0; i < dims; i++) {
            for (let j = 0; j < dims; j++) {
              let re = 0;
              let im = 0;
              for (let t = 0; t < frames; t++) {
                const u = weights[5 + k * frames + t];
                const p = 2 * (f * frames + t);
                const [ar, ai, br, bi] = [channels[i][p], channels[i][p + 1], channels[j][p], channels[j][p + 1]];
                re += u * (ar * br + ai * bi);
                im += u * (ai * br - ar * bi);
              }
              const o = k * 2 * dims * dims + 2 * (i * dims + j);
              expect(out[o]).toBeCloseTo(re / frames, 12);
              expect(out[o + 1]).toBeCloseTo(im / frames, 12);
            }
          }
        }
        // Unit weights give the plain covariance.
        const plain = new Float64Array(2 * dims * dims);
        binCovariance(channels, dims, frames, f, plain);
        const ones = new Float64Array(frames).fill(1);
        const unit = new Float64Array(2 * dims * dims);
        weightedCovariances(channels, dims, frames, f, ones, 0, 1, unit, new Float64Array(dims * (dims + 1)));
        for (let q = 0; q < plain.length; q++) expect(unit[q]).toBeCloseTo(plain[q], 12);
      });
    }
  }
});
