import { describe, expect, it } from 'vitest';
import {
  alignPermutations,
  normalizedEnvelopes,
  permuteRows,
  type EnvelopeMeasure,
  type PermutationAlignmentOptions,
} from '../../../core/iva/permutation.js';
import { createRandom } from '../../../core/random.js';
import { synthesizeSource } from '../../../core/room/sources.js';
import { stft } from '../../../core/signal/stft.js';

/** STFTs of `n` speech-like sources, 8 kHz, 3 s, FFT 512, one array per source. */
function sourceSpectra(n: number): { outputs: Float64Array[]; bins: number; frames: number } {
  const pitches = [110, 210, 150, 250];
  const channels = Array.from({ length: n }, (_, k) =>
    synthesizeSource({ kind: 'speech', frames: 24000, sampleRate: 8000, seed: 70 + k, pitchHz: pitches[k] }),
  );
  const s = stft(channels, { fftSize: 512, hopSamples: 128 });
  return { outputs: s.channels, bins: s.bins, frames: s.frames };
}

/** Swap the outputs of each bin by a seeded random permutation; returns `scramble[f * n + k]` = where source k went. */
function scramble(outputs: Float64Array[], bins: number, frames: number, seed: number): Int32Array {
  const n = outputs.length;
  const rng = createRandom(seed);
  const where = new Int32Array(n * bins);
  const tmp = outputs.map(() => new Float64Array(2 * frames));
  for (let f = 0; f < bins; f++) {
    const p = Array.from({ length: n }, (_, k) => k);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    for (let k = 0; k < n; k++) tmp[k].set(outputs[k].subarray(2 * f * frames, 2 * (f + 1) * frames));
    for (let k = 0; k < n; k++) {
      outputs[p[k]].set(tmp[k], 2 * f * frames);
      where[f * n + k] = p[k];
    }
  }
  return where;
}

/**
 * Fraction of bins (with energy) where the alignment undoes the scramble up to one global
 * permutation: the global permutation is the most common one.
 */
/** The per-bin layout of {@link normalizedEnvelopes}: bin f, output k, frame t at 2 ((f n + k) frames + t). */
function perBin(outputs: Float64Array[], bins: number, frames: number): Float64Array {
  const n = outputs.length;
  const y = new Float64Array(2 * n * bins * frames);
  for (let f = 0; f < bins; f++) {
    for (let k = 0; k < n; k++) {
      y.set(outputs[k].subarray(2 * f * frames, 2 * (f + 1) * frames), 2 * (f * n + k) * frames);
    }
  }
  return y;
}

function fractionAligned(found: Int32Array, where: Int32Array, n: number, bins: number): number {
  const counts = new Map<string, number>();
  for (let f = 0; f < bins; f++) {
    // aligned source k of bin f is output found[f n + k], which holds true source q with where[f n + q] = found[f n + k]
    const truth: number[] = [];
    for (let k = 0; k < n; k++) {
      for (let q = 0; q < n; q++) if (where[f * n + q] === found[f * n + k]) truth.push(q);
    }
    const key = truth.join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / bins;
}

describe('permutation alignment by envelope correlation', () => {
  for (const n of [2, 3]) {
    it(`recovers a scrambled permutation of ${n} speech sources`, () => {
      const { outputs, bins, frames } = sourceSpectra(n);
      const where = scramble(outputs, bins, frames, 5 + n);
      const fraction = (measure: EnvelopeMeasure, options: PermutationAlignmentOptions): number => {
        const envelopes = normalizedEnvelopes(perBin(outputs, bins, frames), n, bins, frames, measure);
        const { permutations } = alignPermutations(envelopes, n, bins, frames, undefined, options);
        return fractionAligned(permutations, where, n, bins);
      };
      // Amplitude envelopes: the centroids get most bins, neighbours fix most of the rest.
      const centroidOnly = fraction('envelope', { centroidOnly: true });
      const refined = fraction('envelope', {});
      expect(centroidOnly).toBeGreaterThan(0.9);
      expect(refined).toBeGreaterThanOrEqual(0.97);
      expect(refined).toBeGreaterThanOrEqual(centroidOnly);
      // Power ratios: every bin.
      expect(fraction('powerRatio', {})).toBe(1);
    });
  }

  it('leaves aligned outputs and silent bins alone', () => {
    const { outputs, bins, frames } = sourceSpectra(2);
    const envelopes = normalizedEnvelopes(perBin(outputs, bins, frames), 2, bins, frames);
    const active = new Uint8Array(bins).fill(1);
    active[10] = 0;
    const { permutations } = alignPermutations(envelopes, 2, bins, frames, active);
    const flipped = permutations.filter((v, i) => v !== i % 2).length / 2;
    expect(flipped === 0 || flipped === bins - 1).toBe(true);
    expect([permutations[20], permutations[21]]).toEqual([0, 1]);
  });

  it('permutes the rows of per-bin matrices', () => {
    // 2 bins of 3 x 1 complex matrices: rows hold their index.
    const m = new Float64Array([0, 0, 1, 0, 2, 0, 0, 1, 1, 1, 2, 1]);
    permuteRows(m, 3, 1, 2, new Int32Array([2, 0, 1, 1, 2, 0]));
    expect(Array.from(m)).toEqual([2, 0, 0, 0, 1, 0, 1, 1, 2, 1, 0, 1]);
  });

  it('rejects inconsistent sizes', () => {
    expect(() => alignPermutations(new Float64Array(10), 2, 3, 2)).toThrow(/envelopes must hold 12 values/);
    expect(() => alignPermutations(new Float64Array(12), 2, 3, 2, new Uint8Array(2))).toThrow(/one per bin/);
    expect(() => normalizedEnvelopes(new Float64Array(3), 1, 2, 2)).toThrow(/must hold 8 values/);
  });
});
