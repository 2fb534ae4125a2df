import { describe, expect, it } from 'vitest';
import { maxRelativeDifference } from '../../../bench/report.js';
import { auxIva, auxIvaSteps } from '../../../core/iva/auxiva.js';
import {
  binPassScratch,
  rangesFor,
  runClaimedRanges,
  splitBins,
  type BinPassState,
} from '../../../core/iva/binPass.js';
import { inlineRanges, runBinPassesOn, type BinPassPool } from '../../../core/iva/binPassPool.js';
import { ilrma, ilrmaSteps } from '../../../core/iva/ilrma.js';
import { separate } from '../../../core/separate.js';
import { convolutiveMixture } from './convolutiveMixture.js';

/**
 * A pool without threads: `run` claims every range of the pass on the calling thread. It goes through
 * the same interface as the Node pool, so the split, the partial sums and their order
 * are tested here in core; test/cli/threads.test.ts checks real threads against it.
 */
function inThreadPool(threads: number): BinPassPool & { passes: number } {
  let state: BinPassState | undefined;
  let scratch: ReturnType<typeof binPassScratch> | undefined;
  return {
    ...inlineRanges(threads),
    passes: 0,
    attach(next) {
      state = next;
      scratch = binPassScratch(next);
      return Promise.resolve();
    },
    run() {
      this.passes++;
      runClaimedRanges(state!, scratch!);
      return Promise.resolve();
    },
  };
}

describe('bin passes split into ranges', () => {
  const two = convolutiveMixture(2, 2, { seconds: 2 });
  const three = convolutiveMixture(2, 3, { seconds: 2 });

  it('splits the active bins evenly and in order', () => {
    const active = new Uint8Array(100).fill(1);
    active.fill(0, 80);
    expect(splitBins(active, 1)).toEqual([0, 100]);
    expect(splitBins(active, 4)).toEqual([0, 20, 40, 60, 100]);
    const bounds = splitBins(active, 3);
    expect(bounds[0]).toBe(0);
    expect(bounds.at(-1)).toBe(100);
    for (let r = 1; r < bounds.length; r++) expect(bounds[r]).toBeGreaterThanOrEqual(bounds[r - 1]);
    // With threads, ~32 active bins a range whatever the number of threads.
    expect(rangesFor(new Uint8Array(1025).fill(1), 1)).toBe(1);
    expect(rangesFor(new Uint8Array(1025).fill(1), 2)).toBe(32);
    expect(rangesFor(new Uint8Array(1025).fill(1), 8)).toBe(32);
    expect(rangesFor(new Uint8Array(10).fill(1), 2)).toBe(2);
  });

  it('gives AuxIVA, ISS and OverIVA the one-thread result within rounding, the same on every run', async () => {
    const cases = [
      [two.mixture, { fftSize: 256, iterations: 15 }],
      [two.mixture, { fftSize: 256, iterations: 15, update: 'iss' as const }],
      [three.mixture, { fftSize: 256, iterations: 15, sources: 2, reduction: 'overiva' as const }],
    ] as const;
    for (const [mixture, options] of cases) {
      const one = auxIva(mixture, options);
      const pool = inThreadPool(3);
      const split = await runBinPassesOn(auxIvaSteps(mixture, options, pool), pool);
      // The same ranges whatever the number of threads: the same result.
      const again = await separate(mixture, {
        ...options,
        method: 'update' in options ? options.update : 'auxiva',
        pool: inThreadPool(3),
      });
      expect(split.threads).toBe(3);
      expect(pool.passes).toBe(16);
      expect(maxRelativeDifference(one.sources.channels, split.sources.channels)).toBeLessThan(1e-8);
      expect(split.trace.at(-1)!.cost).toBeCloseTo(one.trace.at(-1)!.cost, 8);
      expect(again.sources.channels).toEqual(split.sources.channels);
    }
  });

  it('gives ILRMA (with its AuxIVA warm-up and permutation repair) the one-thread result within rounding', async () => {
    const options = { fftSize: 256, iterations: 10, warmup: 3, repairIterations: 4 };
    const one = ilrma(two.mixture, options);
    const pool = inThreadPool(2);
    const split = await runBinPassesOn(ilrmaSteps(two.mixture, options, pool), pool);
    const repaired = (one.options as { repairedBins: number }).repairedBins > 0;
    expect(split.options).toMatchObject({ repairedBins: (one.options as { repairedBins: number }).repairedBins });
    expect(split.trace).toHaveLength(13 + (repaired ? 4 : 0));
    expect(maxRelativeDifference(one.sources.channels, split.sources.channels)).toBeLessThan(1e-8);
  });

  it('reaches the methods through separate, and one-thread pools and other methods ignore it', async () => {
    const viaSeparate = await separate(two.mixture, { method: 'iss', fftSize: 256, iterations: 5, pool: inThreadPool(2) }); // prettier-ignore
    expect(viaSeparate.threads).toBe(2);
    const single = await separate(two.mixture, { method: 'auxiva', fftSize: 256, iterations: 5, pool: inThreadPool(1) }); // prettier-ignore
    expect(single.threads).toBeUndefined();
    expect(single.sources.channels).toEqual(auxIva(two.mixture, { fftSize: 256, iterations: 5 }).sources.channels);
    const pool = inThreadPool(2);
    const other = await separate(two.mixture, { method: 'fdica', fftSize: 256, iterations: 5, pool });
    expect(other.threads).toBeUndefined();
    expect(pool.passes).toBe(0);
  });
});
