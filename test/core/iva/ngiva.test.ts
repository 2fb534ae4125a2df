import { describe, expect, it } from 'vitest';
import {
  naturalGradientCost,
  naturalGradientWorkspace,
  ngIva,
  type NaturalGradientScore,
} from '../../../core/iva/ngiva.js';
import { prepareMixture, resolveStftOptions } from '../../../core/iva/stftMixture.js';
import { complexMatMul } from '../../../core/linalg/complex.js';
import { createRandom } from '../../../core/random.js';
import { separate } from '../../../core/separate.js';
import { convolutiveMixture, meanImprovement } from './convolutiveMixture.js';

/**
 * The gradient of the natural-gradient cost at a random unmixing against central finite
 * differences of the cost, entry by entry (real and imaginary parts), and the natural
 * gradient against the Euclidean one times WᴴW.
 */
function checkGradient(score: NaturalGradientScore, sources: number): void {
  const small = convolutiveMixture(sources, sources, { seconds: 0.5, seed: 3 });
  const resolved = resolveStftOptions(small.mixture, { fftSize: 32 }, { iterations: 1, tolerance: 0 });
  const prepared = prepareMixture(small.mixture, resolved, true);
  const { bins, frames } = prepared.layout;
  const n = prepared.dims;
  const rng = createRandom(11);
  const w = new Float64Array(2 * n * n * bins);
  for (let f = 0; f < bins; f++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        w[2 * (f * n * n + i * n + j)] = (i === j ? 1 : 0) + 0.3 * rng.normal();
        w[2 * (f * n * n + i * n + j) + 1] = 0.3 * rng.normal();
      }
    }
  }
  const workspace = naturalGradientWorkspace(n, bins, frames);
  const euclidean = new Float64Array(w.length);
  const natural = new Float64Array(w.length);
  naturalGradientCost(prepared, w, score, workspace, euclidean, 'euclidean');
  naturalGradientCost(prepared, w, score, workspace, natural, 'natural');
  const h = 1e-6;
  let worst = 0;
  let scale = 0;
  // Every entry of a few bins (both parts), enough to catch a conjugate or transpose slip.
  for (const f of [1, Math.floor(bins / 2), bins - 2]) {
    for (let e = 0; e < 2 * n * n; e++) {
      const i = 2 * f * n * n + e;
      const saved = w[i];
      w[i] = saved + h;
      const plus = naturalGradientCost(prepared, w, score, workspace, null).cost;
      w[i] = saved - h;
      const minus = naturalGradientCost(prepared, w, score, workspace, null).cost;
      w[i] = saved;
      // The cost is divided by the number of active bins.
      const numeric = ((plus - minus) / (2 * h)) * prepared.activeBins;
      worst = Math.max(worst, Math.abs(numeric - euclidean[i]));
      scale = Math.max(scale, Math.abs(euclidean[i]));
    }
    // natural = euclidean · Wᴴ W
    const wh = new Float64Array(2 * n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        wh[2 * (i * n + j)] = w[2 * (f * n * n + j * n + i)];
        wh[2 * (i * n + j) + 1] = -w[2 * (f * n * n + j * n + i) + 1];
      }
    }
    const whw = new Float64Array(2 * n * n);
    complexMatMul(n, n, n, wh, w, whw, 0, 2 * f * n * n);
    const product = new Float64Array(2 * n * n);
    complexMatMul(n, n, n, euclidean, whw, product, 2 * f * n * n);
    for (let e = 0; e < 2 * n * n; e++) expect(product[e]).toBeCloseTo(natural[2 * f * n * n + e], 9);
  }
  expect(scale).toBeGreaterThan(1e-2);
  expect(worst / scale).toBeLessThan(1e-6);
}

describe('ngIva', () => {
  const two = convolutiveMixture(2, 2);
  const twoOfThree = convolutiveMixture(2, 3, { seconds: 3 });

  it('separates a 2x2 convolutive mixture, the cost never rising', () => {
    const result = ngIva(two.mixture, { fftSize: 512 });
    // Measured 22.3 dB in 70 iterations (AuxIVA: 22.1 dB).
    expect(meanImprovement(result.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(18);
    expect(result.method).toBe('ngiva');
    expect(result.converged).toBe(true);
    expect(result.unmixing).toMatchObject({ kind: 'complex', rows: 2, cols: 2, bins: 257, fftSize: 512 });
    expect(result.options).toMatchObject({
      optimizer: 'nesterov:lr=0.05,momentum=0.8',
      reduction: 'pca',
      iterations: 300,
    });
    for (let i = 1; i < result.trace.length; i++) {
      expect(result.trace[i].cost).toBeLessThanOrEqual(result.trace[i - 1].cost + 1e-9);
    }
    expect(result.trace.at(-1)!.gradientNorm).toBeLessThan(1e-3);
  });

  it('has the gradient of its cost (finite differences), and so has FDICA with the per-bin score', () => {
    // Two sources take a one-pass kernel, more the general loops: check both.
    for (const sources of [2, 3]) {
      checkGradient('vector', sources);
      checkGradient('scalar', sources);
    }
  });

  it('extracts 2 sources from 3 microphones (PCA) with another optimizer of core/optim', () => {
    const result = ngIva(twoOfThree.mixture, { fftSize: 512, sources: 2, optimizer: 'adam:lr=0.02' });
    expect(result.sources.channels).toHaveLength(2);
    expect(result.unmixing).toMatchObject({ rows: 2, cols: 3 });
    // Measured 19.1 dB in 84 iterations with Nesterov, 202 with plain SGD.
    expect(result.converged).toBe(true);
    expect(meanImprovement(result.sources.channels, twoOfThree.images, twoOfThree.mixture.channels)).toBeGreaterThan(
      16,
    );
  });

  it('continues from a warm start, reports progress and can be cancelled', async () => {
    const first = ngIva(two.mixture, { fftSize: 512, iterations: 150 });
    const seen: number[] = [];
    const warm = await separate(two.mixture, {
      method: 'ngiva',
      initial: first.unmixing,
      iterations: 3,
      onProgress: (done, total, info) => {
        expect(total).toBe(3);
        expect(info?.iteration).toBe(done);
        seen.push(done);
      },
    });
    expect(warm.method).toBe('ngiva');
    expect(seen).toEqual([1, 2, 3].slice(0, warm.iterations));
    expect(meanImprovement(warm.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(18);
    const cold = ngIva(two.mixture, { fftSize: 512, iterations: 3 });
    expect(meanImprovement(cold.sources.channels, two.images, two.mixture.channels)).toBeLessThan(10);
    const controller = new AbortController();
    expect(() =>
      ngIva(two.mixture, {
        fftSize: 512,
        signal: controller.signal,
        onProgress: (done) => done === 2 && controller.abort(),
      }),
    ).toThrow(/cancelled/);
  });

  it('rejects bad input with plain messages', () => {
    const mono = { sampleRate: 8000, channels: [two.mixture.channels[0]] };
    expect(() => ngIva(mono)).toThrow(/at least 2/);
    expect(() => ngIva(two.mixture, { sources: 3 })).toThrow(/3 sources from 2 channels/);
    expect(() => ngIva(two.mixture, { fftSize: 500 })).toThrow(/power of two/);
    expect(() => ngIva(twoOfThree.mixture, { sources: 2, reduction: 'overiva' })).toThrow(/PCA only/);
    expect(() => ngIva(two.mixture, { optimizer: 'newton' })).toThrow(/unknown optimizer/);
    expect(() => ngIva(two.mixture, { optimizer: 'sgd:lr=-1' })).toThrow(/learning rate/);
    const silent = { sampleRate: 8000, channels: [new Float64Array(4000), new Float64Array(4000)] };
    expect(() => ngIva(silent)).toThrow(/silent/);
  });
});
