import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import {
  bssEvalImages,
  bssEvalImagesFramewise,
  bssEvalSources,
  bssEvalSourcesFramewise,
  lagCorrelations,
  type BssEvalFramewiseResult,
} from '../../../core/losses/bssEval.js';
import { createRandom } from '../../../core/random.js';

/**
 * Conformance with the BSS Eval MATLAB toolbox / mir_eval on the mir_eval test vectors
 * (test/data/mir_eval-separation, see its README): every value to 0.01 dB.
 */
const DATA = path.resolve(import.meta.dirname, '..', '..', 'data', 'mir_eval-separation');
const TOLERANCE_DB = 0.01;

function load(dir: string): Float64Array[] {
  return fs
    .readdirSync(path.join(DATA, dir))
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => decodeWav(new Uint8Array(fs.readFileSync(path.join(DATA, dir, f)))).signal.channels[0]);
}

interface ImagesCase {
  nchan: number;
  gain: number;
  win?: number;
  hop?: number;
  [metric: string]: unknown;
}

/**
 * The images of the mir_eval test: every reference channel is the mono reference; the
 * estimate's extra channels are the mono estimate times `gain`. (Its `reverse` flag
 * reverses the order of these identical extra channels, which changes nothing.)
 */
function images(mono: Float64Array[], nchan: number, gain: number): Float64Array[][] {
  return mono.map((x) =>
    Array.from({ length: nchan }, (_, ch) => (ch === 0 ? x : Float64Array.from(x, (v) => v * gain))),
  );
}

const METRICS = [
  ['sdr', 'Source to Distortion'],
  ['sir', 'Source to Interference'],
  ['sar', 'Source to Artifact'],
  ['isr', 'Image to Spatial'],
] as const;

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(TOLERANCE_DB);
}

function expectFramesClose(actual: BssEvalFramewiseResult, expected: Record<string, number[][]>): void {
  for (const [key, name] of METRICS) {
    if (!(name in expected)) continue;
    const rows = actual[key]!;
    expect(rows.length).toBe(expected[name].length);
    rows.forEach((row, i) => expectClose(row, expected[name][i]));
  }
  actual.permutation.forEach((row, i) => expect(Array.from(row)).toEqual(expected['Source permutation'][i]));
}

for (const name of ['01', '02', '03', '05']) {
  describe(`BSS Eval conformance, case ${name}`, () => {
    const references = load(`ref${name}`);
    const estimates = load(`est${name}`);
    const expected = JSON.parse(fs.readFileSync(path.join(DATA, `output${name}.json`), 'utf8')) as {
      Sources: Record<string, number[]>;
      Framewise: Record<string, number[][]> & { win: number; hop: number };
      Images: ImagesCase;
      'Images Framewise': ImagesCase;
    };

    it('bss_eval_sources with the best permutation', () => {
      const result = bssEvalSources(references, estimates);
      expect(result.permutation).toEqual(expected.Sources['Source permutation']);
      for (const [key, metric] of METRICS.slice(0, 3)) {
        expectClose(result[key as 'sdr' | 'sir' | 'sar'], expected.Sources[metric]);
      }
    });

    it('bss_eval_sources framewise', () => {
      const { win, hop } = expected.Framewise;
      expectFramesClose(bssEvalSourcesFramewise(references, estimates, { window: win, hop }), expected.Framewise);
    });

    it('bss_eval_images', () => {
      const c = expected.Images;
      const result = bssEvalImages(images(references, c.nchan, 1), images(estimates, c.nchan, c.gain));
      expect(result.permutation).toEqual(c['Source permutation']);
      for (const [key, metric] of METRICS) expectClose(result[key], c[metric] as number[]);
    });

    it('bss_eval_images framewise', () => {
      const c = expected['Images Framewise'];
      const result = bssEvalImagesFramewise(images(references, c.nchan, 1), images(estimates, c.nchan, c.gain), {
        window: c.win!,
        hop: c.hop!,
      });
      expectFramesClose(result, c as unknown as Record<string, number[][]>);
    });
  });
}

describe('BSS Eval behaviour', () => {
  const rng = createRandom(5);
  const n = 3000;
  const refs = Array.from({ length: 2 }, () => Float64Array.from({ length: n }, () => rng.normal()));

  it('a perfect estimate (in any order) scores +Infinity SIR and SAR, a filtered one too', () => {
    // A reference ending in silence, so that its filtered copy is not cut at the end.
    const ref = Float64Array.from(refs[0], (v, t) => (t < n - 10 ? v : 0));
    const filtered = Float64Array.from(ref, (v, t) => v + 0.5 * (t >= 3 ? ref[t - 3] : 0));
    const result = bssEvalSources([ref, refs[1]], [refs[1], filtered]);
    expect(result.permutation).toEqual([1, 0]);
    expect(result.sdr[0]).toBeGreaterThan(100);
    expect(result.sir[1]).toBeGreaterThan(100);
    // The same estimate cut at the end: its last 3 filtered samples count as artifacts.
    expect(
      bssEvalSources(refs, [Float64Array.from(refs[0], (v, t) => v + 0.5 * (t >= 3 ? refs[0][t - 3] : 0)), refs[1]])
        .sar[0],
    ).toBeLessThan(45);
  });

  it('a known mixture: SIR is the interference level', () => {
    // ŝ_0 = s_0 + 0.1 s_1: SIR = 20 dB, except that the 512-tap filters of s_0 explain a
    // share ~511/n of white interference, so SIR ≈ 20 − 10 log10(1 − 511/n); no artifacts.
    const est = [Float64Array.from(refs[0], (v, t) => v + 0.1 * refs[1][t]), Float64Array.from(refs[1])];
    const result = bssEvalSources(refs, est);
    expect(Math.abs(result.sir[0] - (20 - 10 * Math.log10(1 - 511 / n)))).toBeLessThan(0.2);
    expect(result.sar[0]).toBeGreaterThan(100);
  });

  it('frames where a reference is silent are NaN, like mir_eval', () => {
    const silentMiddle = refs.map((r) => Float64Array.from(r, (v, t) => (t >= 1000 && t < 2000 ? 0 : v)));
    const est = refs.map((r) => Float64Array.from(r, (v) => v + 0.1 * rng.normal()));
    const result = bssEvalSourcesFramewise(silentMiddle, est, { window: 1000, hop: 1000 });
    expect(result.frameStarts).toEqual([0, 1000, 2000]);
    expect(Number.isNaN(result.sdr[0][1])).toBe(true);
    expect(result.sdr[0][0]).toBeGreaterThan(10);
  });

  it('bad input: counts, lengths, silence', () => {
    expect(() => bssEvalSources(refs, [refs[0]])).toThrow(/as many estimates as references/);
    expect(() => bssEvalSources(refs, [refs[0], refs[1].subarray(1)])).toThrow(/estimate 2 has 2999 samples/);
    expect(() => bssEvalSources(refs, [refs[0], new Float64Array(n)])).toThrow(/estimate 2 is silent/);
    expect(() => bssEvalSources([new Float64Array(n), refs[1]], refs)).toThrow(/reference 1 is silent/);
    expect(() => bssEvalSourcesFramewise(refs, refs, { window: 0, hop: 10 })).toThrow(/window and hop/);
  });
});

describe('lag correlations', () => {
  it('match direct sums at lags 0..L-1, across block boundaries and for short signals', () => {
    const rng = createRandom(2);
    for (const [N, L] of [
      [5000, 16],
      [7, 16],
      [300, 64],
    ]) {
      const xs = [0, 1].map(() => Float64Array.from({ length: N }, () => rng.normal()));
      const ys = [0, 1, 2].map(() => Float64Array.from({ length: N }, () => rng.normal()));
      const pairs: [number, number][] = [
        [0, 0],
        [1, 2],
        [0, 1],
      ];
      const result = lagCorrelations(xs, ys, pairs, L);
      pairs.forEach(([i, j], k) => {
        for (let lag = 0; lag < L; lag++) {
          let direct = 0;
          for (let t = 0; t + lag < N; t++) direct += xs[i][t] * ys[j][t + lag];
          expect(result[k][lag]).toBeCloseTo(direct, 9);
        }
      });
    }
  });
});
