import { describe, expect, it } from 'vitest';
import { searchBandSwaps } from '../../../core/iva/bandSwap.js';
import { ilrma, iterateIlrma } from '../../../core/iva/ilrma.js';
import { permuteRows } from '../../../core/iva/permutation.js';
import { initialUnmixing, prepareMixture, resolveStftOptions } from '../../../core/iva/stftMixture.js';
import { createRandom } from '../../../core/random.js';
import { convolutiveMixture } from './convolutiveMixture.js';

describe('searchBandSwaps', () => {
  const two = convolutiveMixture(2, 2, { seconds: 3 });
  const resolved = resolveStftOptions(two.mixture, { fftSize: 512 }, { iterations: 40, tolerance: 0 });
  const prepared = prepareMixture(two.mixture, resolved);
  const bins = prepared.layout.bins;
  const w = initialUnmixing(prepared, 2);
  iterateIlrma(prepared, w, { bases: 2, update: 'ip', seed: 0, iterations: 40, tolerance: 0 });

  it('puts back the outputs of a band of bins swapped above a frequency', () => {
    const from = 128;
    const swap = new Int32Array(2 * bins);
    for (let f = 0; f < bins; f++) {
      swap[2 * f] = f >= from ? 1 : 0;
      swap[2 * f + 1] = f >= from ? 0 : 1;
    }
    const broken = w.slice();
    permuteRows(broken, 2, 2, bins, swap);
    const found = searchBandSwaps(prepared, broken, 2, { grid: 64 });
    expect(found.swaps).toHaveLength(1);
    expect(found.swaps[0]).toMatchObject({ first: 0, second: 1, fromBin: from });
    expect(found.swaps[0].costAfter).toBeLessThan(found.swaps[0].costBefore - 0.005);
    expect(found.changedBins).toBe(bins - from);
    expect(broken).toEqual(w);
  });

  it('leaves the unswapped result as it is, and checks its options', () => {
    const kept = w.slice();
    const found = searchBandSwaps(prepared, kept, 2, { grid: 64 });
    expect(found.swaps).toEqual([]);
    expect(found.changedBins).toBe(0);
    expect(kept).toEqual(w);
    expect(() => searchBandSwaps(prepared, kept, 2, { grid: 0 })).toThrow(/grid/);
    expect(() => searchBandSwaps(prepared, kept, 2, { margin: -1 })).toThrow(/margin/);
  });

  it('is an ILRMA option sharing the repair iterations', () => {
    expect(() => ilrma(two.mixture, { bandSwap: 'yes' as unknown as boolean })).toThrow(/bandSwap/);
    const result = ilrma(two.mixture, { fftSize: 512, iterations: 20, repair: false, bandSwap: true, repairIterations: 5 }); // prettier-ignore
    expect(result.options).toMatchObject({ bandSwap: true, bandSwaps: [] });
    expect(result.trace).toHaveLength(20);
  });

  it('is on by default up to 60 s of recording and off beyond', () => {
    // A long recording at a low rate keeps this cheap: only the default is under test.
    const rng = createRandom(3);
    const long = (seconds: number) => ({
      sampleRate: 1000,
      channels: [0, 1].map(() => Float64Array.from({ length: seconds * 1000 }, () => rng.normal())),
    });
    const options = { iterations: 1, repair: false, repairIterations: 0 };
    expect(ilrma(long(61), options).options).toMatchObject({ bandSwap: false });
    expect(ilrma(long(60), options).options).toMatchObject({ bandSwap: true });
    expect(ilrma(long(61), { ...options, bandSwap: true }).options).toMatchObject({ bandSwap: true });
  });
});
