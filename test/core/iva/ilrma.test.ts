import { describe, expect, it } from 'vitest';
import { ilrma } from '../../../core/iva/ilrma.js';
import { separate } from '../../../core/separate.js';
import { convolutiveMixture, meanImprovement } from './convolutiveMixture.js';

describe('ilrma', () => {
  const two = convolutiveMixture(2, 2);
  const three = convolutiveMixture(3, 3, { seconds: 3 });

  it('separates a 2x2 convolutive mixture, repeatably for a seed', () => {
    const result = ilrma(two.mixture, { fftSize: 512, iterations: 40, warmup: 10, repair: false, bandSwap: false });
    // Measured 32.6 dB.
    expect(meanImprovement(result.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(25);
    expect(result.method).toBe('ilrma');
    expect(result.options).toMatchObject({ bases: 2, update: 'ip', seed: 0, warmup: 10 });
    expect(result.trace[0].stage).toBe('warm-up');
    expect(result.trace).toHaveLength(50);
    expect(result.trace.at(-1)!.gradientNorm).toBeLessThan(result.trace[10].gradientNorm / 10);
    const again = ilrma(two.mixture, { fftSize: 512, iterations: 40, warmup: 10, repair: false, bandSwap: false });
    expect(again.sources.channels[0]).toEqual(result.sources.channels[0]);
  });

  it('separates 3 sources from 3 microphones, and 2 from 3 through PCA', async () => {
    const result = await separate(three.mixture, { method: 'ilrma', fftSize: 512, iterations: 40, bases: 4 });
    // Measured 28.2 dB.
    expect(meanImprovement(result.sources.channels, three.images, three.mixture.channels)).toBeGreaterThan(20);
    const twoOfThree = convolutiveMixture(2, 3, { seconds: 3 });
    const reduced = ilrma(twoOfThree.mixture, { fftSize: 512, iterations: 40, sources: 2 });
    // Measured 22.4 dB.
    expect(meanImprovement(reduced.sources.channels, twoOfThree.images, twoOfThree.mixture.channels)).toBeGreaterThan(
      16,
    );
  });

  it('runs with ISS updates and reports progress', () => {
    let calls = 0;
    const result = ilrma(two.mixture, { fftSize: 512, iterations: 30, update: 'iss', repair: false, bandSwap: false, onProgress: () => calls++ }); // prettier-ignore
    // Measured 32.4 dB.
    expect(meanImprovement(result.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(25);
    // Two sources: no AuxIVA warm-up by default, so 30 ILRMA iterations.
    expect(calls).toBe(30);
    expect(result.options).toMatchObject({ warmup: 0 });
    expect(result.trace.every((entry) => entry.stage !== 'warm-up')).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => ilrma(two.mixture, { bases: 0 })).toThrow(/bases/);
    expect(() => ilrma(two.mixture, { warmup: -1 })).toThrow(/warmup/);
    expect(() => ilrma(two.mixture, { repairIterations: 1.5 })).toThrow(/repairIterations/);
    expect(() => ilrma(two.mixture, { update: 'newton' as 'ip' })).toThrow(/update must be/);
    const controller = new AbortController();
    controller.abort();
    expect(() => ilrma(two.mixture, { signal: controller.signal })).toThrow(/cancelled/);
  });
});
