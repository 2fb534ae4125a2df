import { describe, expect, it } from 'vitest';
import { auxIva } from '../../../core/iva/auxiva.js';
import { defaultFftSize, projectionBack } from '../../../core/iva/stftMixture.js';
import { separate } from '../../../core/separate.js';
import { convolutiveMixture, meanImprovement } from './convolutiveMixture.js';

describe('auxIva', () => {
  const two = convolutiveMixture(2, 2);
  const three = convolutiveMixture(3, 3, { seconds: 3 });
  const twoOfThree = convolutiveMixture(2, 3, { seconds: 3 });

  it('separates a 2x2 convolutive mixture (IP, Laplacian), cost never rising', () => {
    const result = auxIva(two.mixture, { fftSize: 512, iterations: 30, model: 'laplace' });
    // Measured 22 dB.
    expect(meanImprovement(result.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(18);
    expect(result.method).toBe('auxiva');
    expect(result.unmixing).toMatchObject({
      kind: 'complex',
      rows: 2,
      cols: 2,
      bins: 257,
      fftSize: 512,
      hopSamples: 128,
    });
    expect(result.sources.channels[0].length).toBe(two.mixture.channels[0].length);
    expect(result.trace).toHaveLength(30);
    // IP is a majorise-minimise method: the cost never goes up.
    for (let i = 1; i < result.trace.length; i++) {
      expect(result.trace[i].cost).toBeLessThanOrEqual(result.trace[i - 1].cost + 1e-9);
    }
    expect(result.trace.at(-1)!.gradientNorm).toBeLessThan(result.trace[0].gradientNorm / 10);
  });

  it('separates with the time-varying Gaussian model and with ISS', () => {
    const gauss = auxIva(two.mixture, { fftSize: 512, iterations: 30, model: 'gauss' });
    // Measured 34 dB.
    expect(meanImprovement(gauss.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(28);
    for (let i = 1; i < gauss.trace.length; i++) expect(gauss.trace[i].cost).toBeLessThanOrEqual(gauss.trace[i - 1].cost + 1e-9); // prettier-ignore
    const iss = auxIva(two.mixture, { fftSize: 512, iterations: 30, update: 'iss', model: 'laplace' });
    // Measured 25 dB.
    expect(meanImprovement(iss.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(20);
    expect(iss.method).toBe('iss');
  });

  it('separates 3 sources from 3 microphones', () => {
    const result = auxIva(three.mixture, { fftSize: 512, iterations: 30, model: 'gauss' });
    // Measured 34 dB.
    expect(meanImprovement(result.sources.channels, three.images, three.mixture.channels)).toBeGreaterThan(25);
  });

  it('extracts 2 sources from 3 microphones by PCA reduction and by OverIVA', () => {
    const pca = auxIva(twoOfThree.mixture, { fftSize: 512, iterations: 30, sources: 2, model: 'gauss' });
    expect(pca.sources.channels).toHaveLength(2);
    expect(pca.unmixing).toMatchObject({ rows: 2, cols: 3 });
    // Measured 37 dB.
    expect(meanImprovement(pca.sources.channels, twoOfThree.images, twoOfThree.mixture.channels)).toBeGreaterThan(28);
    const over = auxIva(twoOfThree.mixture, {
      fftSize: 512,
      iterations: 30,
      sources: 2,
      reduction: 'overiva',
      model: 'laplace',
    });
    // Measured 14 dB.
    expect(meanImprovement(over.sources.channels, twoOfThree.images, twoOfThree.mixture.channels)).toBeGreaterThan(10);
  });

  it('puts each output at its level and colour in the reference microphone', () => {
    for (const refMic of [0, 1]) {
      const result = auxIva(two.mixture, { fftSize: 512, iterations: 30, model: 'gauss', refMic });
      for (const image of two.images) {
        // The best-matching output equals the image at refMic up to a small residual: no rescaling needed.
        let best = Infinity;
        for (const y of result.sources.channels) {
          let e = 0;
          let p = 0;
          for (let t = 0; t < y.length; t++) {
            e += (y[t] - image[refMic][t]) ** 2;
            p += image[refMic][t] ** 2;
          }
          best = Math.min(best, e / p);
        }
        expect(10 * Math.log10(best)).toBeLessThan(-20);
      }
    }
  });

  it('continues from a warm start, also through a PCA reduction', () => {
    const first = auxIva(two.mixture, { fftSize: 512, iterations: 40, model: 'gauss' });
    const warm = auxIva(two.mixture, { model: 'gauss', iterations: 1, initial: first.unmixing });
    const cold = auxIva(two.mixture, { fftSize: 512, model: 'gauss', iterations: 1 });
    expect(warm.options).toMatchObject({ fftSize: 512, hopSamples: 128 });
    expect(meanImprovement(warm.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(28);
    expect(meanImprovement(cold.sources.channels, two.images, two.mixture.channels)).toBeLessThan(20);
    const reduced = auxIva(twoOfThree.mixture, { fftSize: 512, iterations: 30, sources: 2, model: 'gauss' });
    const again = auxIva(twoOfThree.mixture, { sources: 2, model: 'gauss', iterations: 1, initial: reduced.unmixing });
    expect(meanImprovement(again.sources.channels, twoOfThree.images, twoOfThree.mixture.channels)).toBeGreaterThan(28);
  });

  it('reports progress, stops at the tolerance and can be cancelled', () => {
    const seen: number[] = [];
    const result = auxIva(two.mixture, {
      fftSize: 512,
      iterations: 500,
      tolerance: 1e-3,
      model: 'gauss',
      onProgress: (done, total, info) => {
        expect(total).toBe(500);
        expect(info?.iteration).toBe(done);
        seen.push(done);
      },
    });
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeLessThan(500);
    expect(seen).toHaveLength(result.iterations);
    const controller = new AbortController();
    expect(() =>
      auxIva(two.mixture, {
        fftSize: 512,
        iterations: 50,
        signal: controller.signal,
        onProgress: (done) => done === 2 && controller.abort(),
      }),
    ).toThrow(/cancelled/);
  });

  it('is registered as auxiva and iss, and auto picks an STFT method', async () => {
    const viaSeparate = await separate(two.mixture, { method: 'iss', fftSize: 512, iterations: 5 });
    expect(viaSeparate.method).toBe('iss');
    const auto = await separate(two.mixture, { fftSize: 512, iterations: 5 });
    expect(['auxiva', 'iss', 'ilrma']).toContain(auto.method);
  });

  it('chooses FFT sizes from the sample rate', () => {
    expect(defaultFftSize(16000)).toBe(2048);
    expect(defaultFftSize(8000)).toBe(1024);
    expect(defaultFftSize(48000)).toBe(8192);
    expect(auxIva(two.mixture, { iterations: 1 }).options.fftSize).toBe(1024);
  });

  it('rejects bad input with plain messages', () => {
    const mono = { sampleRate: 8000, channels: [two.mixture.channels[0]] };
    expect(() => auxIva(mono)).toThrow(/at least 2/);
    expect(() => auxIva(two.mixture, { sources: 3 })).toThrow(/3 sources from 2 channels/);
    expect(() => auxIva(two.mixture, { fftSize: 500 })).toThrow(/power of two/);
    expect(() => auxIva(two.mixture, { fftSize: 512, hopSamples: 512 })).toThrow(/too large/);
    expect(() => auxIva(two.mixture, { model: 'cauchy' as 'gauss' })).toThrow(/model must be/);
    expect(() => auxIva(two.mixture, { refMic: 2 })).toThrow(/refMic/);
    expect(() => auxIva(two.mixture, { iterations: 0 })).toThrow(/iterations/);
    const silent = { sampleRate: 8000, channels: [new Float64Array(4000), new Float64Array(4000)] };
    expect(() => auxIva(silent)).toThrow(/silent/);
    const nan = { sampleRate: 8000, channels: [new Float64Array(4000), new Float64Array(4000).fill(NaN)] };
    expect(() => auxIva(nan)).toThrow(/non-finite/);
    const first = auxIva(two.mixture, { fftSize: 512, iterations: 1 });
    expect(() => auxIva(two.mixture, { fftSize: 1024, initial: first.unmixing })).toThrow(/warm start/);
    expect(() =>
      auxIva(two.mixture, {
        initial: { kind: 'real', rows: 2, cols: 2, data: new Float64Array(4), mean: new Float64Array(2) },
      }),
    ).toThrow(/real/);
  });
});

describe('projectionBack', () => {
  it('scales a square unmixing by the inverse’s reference row', () => {
    // One bin, W = diag(2, 4i): A = W⁻¹ = diag(0.5, -0.25i); reference mic 0 scales row 0 by 0.5 and row 1 by 0.
    const w = Float64Array.from([2, 0, 0, 0, 0, 0, 0, 4]);
    const c = Float64Array.from([1, 0, 0.2, 0.1, 0.2, -0.1, 1, 0]);
    const scales = projectionBack(w, c, 2, 2, 1, 0);
    expect(scales[0]).toBeCloseTo(0.5, 12);
    expect(Math.hypot(scales[2], scales[3])).toBeCloseTo(0, 12);
    expect(w[0]).toBeCloseTo(1, 12);
  });
});
