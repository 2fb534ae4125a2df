import { describe, expect, it } from 'vitest';
import { synthesizeSource, type SyntheticSourceKind } from '../../../core/room/sources.js';
import { mixInstantaneous, randomMixingMatrix } from '../../../core/room/instantaneous.js';

function excessKurtosis(x: Float64Array): number {
  let m2 = 0;
  let m4 = 0;
  for (const v of x) {
    m2 += v * v;
    m4 += v ** 4;
  }
  m2 /= x.length;
  m4 /= x.length;
  return m4 / (m2 * m2) - 3;
}

describe('synthetic sources', () => {
  const make = (kind: SyntheticSourceKind, seed = 1) =>
    synthesizeSource({ kind, frames: 32000, sampleRate: 16000, seed });

  it('repeat exactly for a seed and differ between seeds', () => {
    expect(make('speech', 3)).toEqual(make('speech', 3));
    expect(make('speech', 3)).not.toEqual(make('speech', 4));
  });

  it('have unit RMS and the statistics their name promises', () => {
    const expected: Record<SyntheticSourceKind, [number, number]> = {
      speech: [1, 30], // super-Gaussian: pauses and syllables
      laplace: [2, 4.5],
      gaussian: [-0.2, 0.2],
      uniform: [-1.3, -1.1],
      tone: [-1.6, -1.4],
      music: [-1, 3],
    };
    for (const [kind, [low, high]] of Object.entries(expected)) {
      const x = make(kind as SyntheticSourceKind);
      const rms = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
      expect(rms).toBeCloseTo(1, 9);
      const k = excessKurtosis(x);
      expect(k, kind).toBeGreaterThan(low);
      expect(k, kind).toBeLessThan(high);
    }
  });
});

describe('instantaneous mixing', () => {
  it('mixes with x = A s', () => {
    const s = { sampleRate: 8000, channels: [Float64Array.from([1, 0, 2]), Float64Array.from([0, 1, -1])] };
    const x = mixInstantaneous(s, { rows: 2, cols: 2, data: Float64Array.from([1, 2, 3, 4]) });
    expect(Array.from(x.channels[0])).toEqual([1, 2, 0]);
    expect(Array.from(x.channels[1])).toEqual([3, 4, 2]);
  });

  it('draws matrices with the requested condition number', () => {
    for (const kappa of [1, 3, 8]) {
      const { data: a } = randomMixingMatrix(2, 2, { seed: kappa, conditionNumber: kappa });
      // Singular values of a 2x2 matrix from the trace and determinant of AᵀA.
      const t = a[0] ** 2 + a[1] ** 2 + a[2] ** 2 + a[3] ** 2;
      const d = (a[0] * a[3] - a[1] * a[2]) ** 2;
      const big = Math.sqrt((t + Math.sqrt(t * t - 4 * d)) / 2);
      const small = Math.sqrt((t - Math.sqrt(Math.max(0, t * t - 4 * d))) / 2);
      expect(big / small).toBeCloseTo(kappa, 6);
    }
  });

  it('rejects more sources than microphones', () => {
    expect(() => randomMixingMatrix(2, 3)).toThrow(/fewer microphones than sources/);
  });
});
