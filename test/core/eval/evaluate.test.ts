import { describe, expect, it } from 'vitest';
import { evaluate, parseMetrics, summarize } from '../../../core/eval/evaluate.js';
import { evaluateSeparation } from '../../../core/eval/evaluateSeparation.js';
import { bssEvalSources } from '../../../core/losses/bssEval.js';
import { siSdr, snr } from '../../../core/losses/siSdr.js';
import { createRandom } from '../../../core/random.js';

const rng = createRandom(4);
const n = 2000;
const s = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal()));
const leak = (k: number, gain: number): Float64Array =>
  Float64Array.from(s[k], (v, t) => gain * v + 0.1 * s[(k + 1) % 3][t] + 0.05 * rng.normal());
// estimates in the order 2, 0, 1
const estimates = [leak(2, 1), leak(0, 3), leak(1, 0.5)];
const mixture = Float64Array.from(s[0], (v, t) => v + s[1][t] + s[2][t]);

describe('evaluate', () => {
  it('pairs by best mean SI-SDR and computes the asked-for metrics', () => {
    const result = evaluate(s, estimates, {
      mixture,
      metrics: ['si_sdr', 'si_sdri', 'snr', 'sd_sdr', 'sdr', 'sdri', 'sir', 'sar'],
    });
    expect(result.permutation).toEqual([1, 2, 0]);
    const first = result.sources[0];
    expect(first.reference).toBe(0);
    expect(first.estimate).toBe(1);
    expect(first.si_sdr).toBeCloseTo(siSdr(estimates[1], s[0]), 12);
    expect(first.si_sdri).toBeCloseTo(siSdr(estimates[1], s[0]) - siSdr(mixture, s[0]), 12);
    expect(first.snr).toBeCloseTo(snr(estimates[1], s[0]), 12);
    const bss = bssEvalSources(s, [estimates[1], estimates[2], estimates[0]], { computePermutation: false });
    expect(first.sdr).toBeCloseTo(bss.sdr[0], 12);
    expect(first.sir).toBeCloseTo(bss.sir[0], 12);
    expect(first.sar).toBeCloseTo(bss.sar[0], 12);
    const mixBss = bssEvalSources(s, [mixture, mixture, mixture], { computePermutation: false });
    expect(first.sdri).toBeCloseTo(bss.sdr[0] - mixBss.sdr[0], 12);
  });

  it('leaves out metrics not asked for and improvements without a mixture', () => {
    expect(Object.keys(evaluate(s, estimates).sources[0]).sort()).toEqual(
      ['reference', 'estimate', 'si_sdr', 'sdr', 'sir', 'sar'].sort(),
    );
    expect(Object.keys(evaluate(s, estimates, { metrics: ['snr'] }).sources[2])).toEqual([
      'reference',
      'estimate',
      'snr',
    ]);
  });

  it('allows spare estimates with best pairing; none keeps the order', () => {
    const extra = [...estimates, Float64Array.from({ length: n }, () => rng.normal())];
    expect(evaluate(s, extra, { metrics: ['si_sdr'] }).permutation).toEqual([1, 2, 0]);
    expect(evaluate(s, estimates, { metrics: ['si_sdr'], pairing: 'none' }).permutation).toEqual([0, 1, 2]);
    expect(() => evaluate(s, extra, { pairing: 'none' })).toThrow(/without pairing the counts must be equal/);
  });

  it('bounds BSS Eval values (perfect estimates) so results stay finite', () => {
    const result = evaluate(s, s, { metrics: ['sdr', 'sir', 'sar', 'si_sdr'] });
    for (const source of result.sources) {
      for (const key of ['sdr', 'sir', 'sar', 'si_sdr'] as const) expect(source[key]).toBeLessThanOrEqual(100);
    }
  });

  it('clear errors for bad input', () => {
    expect(() => evaluate(s, estimates.slice(0, 2))).toThrow('2 estimates for 3 references: need one per reference');
    expect(() => evaluate(s, [estimates[0], estimates[1], estimates[2].subarray(1)])).toThrow(
      'estimate 3 has 1999 samples; the references have 2000',
    );
    expect(() => evaluate(s, estimates, { metrics: ['si_sdri'] })).toThrow(/need the mixture/);
    expect(() => evaluate([], [])).toThrow(/no reference sources/);
    expect(() => parseMetrics('si_sdr,foo')).toThrow("unknown metric 'foo'");
    expect(parseMetrics(' sdr, si_sdr,sdr ')).toEqual(['sdr', 'si_sdr']);
  });
});

describe('evaluateSeparation', () => {
  it('scores the mixture baseline against reference images at the reference microphone', async () => {
    const mix = { sampleRate: 8000, channels: [mixture, Float64Array.from(mixture, (v, t) => v - s[2][t])] };
    const refs = s.map((x) => ({ sampleRate: 8000, channels: [x, x] }));
    const result = await evaluateSeparation(mix, refs.slice(0, 2), {
      method: 'mixture',
      metrics: ['si_sdr', 'si_sdri'],
    });
    expect(result.method).toBe('mixture');
    expect(result.sources).toHaveLength(2);
    expect(result.sources.find((x) => x.estimate === 0)!.si_sdri).toBeCloseTo(0, 12);
    await expect(evaluateSeparation(mix, refs, { method: 'mixture', referenceChannel: 2 })).rejects.toThrow(
      'reference channel 3 does not exist',
    );
    await expect(
      evaluateSeparation(mix, [{ sampleRate: 16000, channels: [s[0]] }], { method: 'mixture' }),
    ).rejects.toThrow('reference 1 is at 16000 Hz but the mixture at 8000 Hz');
  });
});

describe('summarize', () => {
  it('mean, median, min, max of finite values', () => {
    expect(summarize([3, 1, 2, NaN, 10])).toEqual({ count: 4, mean: 4, median: 2.5, min: 1, max: 10 });
    expect(summarize([5])).toEqual({ count: 1, mean: 5, median: 5, min: 5, max: 5 });
    expect(summarize([]).count).toBe(0);
  });
});
