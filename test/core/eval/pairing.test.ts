import { describe, expect, it } from 'vitest';
import { evaluate, meanSiSdrImprovement, pairBySiSdr } from '../../../core/eval/evaluate.js';
import { siSdr } from '../../../core/losses/siSdr.js';
import { createRandom } from '../../../core/random.js';

const rng = createRandom(5);
const noise = (length: number, scale = 1): Float64Array => Float64Array.from({ length }, () => scale * rng.normal());
const plus = (a: Float64Array, b: Float64Array): Float64Array => a.map((v, i) => v + b[i]);

describe('pairBySiSdr and meanSiSdrImprovement', () => {
  const a = noise(4000);
  const b = noise(4000);
  const c = noise(4000);
  const mixture = plus(plus(a, b), c);
  const estimates = [plus(c, noise(4000, 0.1)), plus(a, noise(4000, 0.2)), plus(b, noise(4000, 0.3))];

  it('pairs each reference with its estimate, for any counts', () => {
    const all = pairBySiSdr([a, b, c], estimates);
    expect(all.estimateOf).toEqual([1, 2, 0]);
    expect(all.referenceOf).toEqual([2, 0, 1]);
    expect(all.siSdr[1][0]).toBe(siSdr(estimates[1], a));
    // Fewer estimates than references: the unmatched reference gets -1.
    const fewer = pairBySiSdr([a, b, c], [estimates[0], estimates[2]]);
    expect(fewer.referenceOf).toEqual([2, 1]);
    expect(fewer.estimateOf).toEqual([-1, 1, 0]);
    // More estimates than references: the spare one gets -1.
    const more = pairBySiSdr([b], estimates);
    expect(more.referenceOf).toEqual([-1, -1, 0]);
  });

  it('gives the mean SI-SDRi of evaluate() under the best pairing', () => {
    const { sources } = evaluate([a, b, c], estimates, { mixture, metrics: ['si_sdri'] });
    const expected = sources.reduce((s, x) => s + x.si_sdri!, 0) / 3;
    expect(meanSiSdrImprovement([a, b, c], estimates, mixture)).toBe(expected);
    const direct = [1, 2, 0].map((j, i) => siSdr(estimates[j], [a, b, c][i]) - siSdr(mixture, [a, b, c][i]));
    expect(expected).toBeCloseTo((direct[0] + direct[1] + direct[2]) / 3, 12);
    expect(() => meanSiSdrImprovement([a, b, c], [a], mixture)).toThrow('1 estimate for 3 references');
  });
});
