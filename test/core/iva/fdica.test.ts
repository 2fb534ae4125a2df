import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import { ngIva } from '../../../core/iva/ngiva.js';
import { fdIca } from '../../../core/iva/fdica.js';
import { separate } from '../../../core/separate.js';
import { convolutiveMixture, meanImprovement } from './convolutiveMixture.js';

describe('fdIca', () => {
  const two = convolutiveMixture(2, 2);

  it('separates a 2x2 convolutive mixture once the permutations are aligned, and not without', () => {
    const aligned = fdIca(two.mixture, { fftSize: 512, iterations: 100 });
    // Measured 19.8 dB (21.7 dB with the default 200 iterations; NG-IVA 22.3 dB).
    expect(meanImprovement(aligned.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(16);
    expect(aligned.method).toBe('fdica');
    expect(aligned.options).toMatchObject({
      align: true,
      measure: 'powerRatio',
      optimizer: 'sgd:lr=0.1',
      iterations: 100,
    });
    expect(aligned.unmixing).toMatchObject({ kind: 'complex', rows: 2, cols: 2, bins: 257 });
    for (let i = 1; i < aligned.trace.length; i++) {
      expect(aligned.trace[i].cost).toBeLessThanOrEqual(aligned.trace[i - 1].cost + 1e-9);
    }
    // Each bin is separated just as well without alignment, but the bins of the two
    // voices are mixed up between the outputs: measured -3.7 dB, worse than the microphone.
    const scrambled = fdIca(two.mixture, { fftSize: 512, iterations: 100, align: false });
    expect(meanImprovement(scrambled.sources.channels, two.images, two.mixture.channels)).toBeLessThan(3);
    expect(scrambled.trace.at(-1)!.cost).toBeCloseTo(aligned.trace.at(-1)!.cost, 12);
  });

  it('extracts 2 sources from 3 microphones (PCA reduction before the per-bin ICA)', () => {
    const twoOfThree = convolutiveMixture(2, 3, { seconds: 3 });
    const result = fdIca(twoOfThree.mixture, { fftSize: 512, sources: 2, iterations: 100 });
    expect(result.unmixing).toMatchObject({ rows: 2, cols: 3 });
    // Measured 20.6 dB.
    expect(meanImprovement(result.sources.channels, twoOfThree.images, twoOfThree.mixture.channels)).toBeGreaterThan(
      16,
    );
  });

  it('aligns with amplitude envelopes too', async () => {
    const result = await separate(two.mixture, { method: 'fdica', fftSize: 512, measure: 'envelope', iterations: 100 });
    expect(result.method).toBe('fdica');
    expect(meanImprovement(result.sources.channels, two.images, two.mixture.channels)).toBeGreaterThan(14);
  });

  it('separates the bundled room recording (room-2x2-speech), better than IVA there', () => {
    const root = path.resolve(import.meta.dirname, '..', '..', '..', 'fixtures');
    const read = (file: string): Float64Array[] => decodeWav(fs.readFileSync(path.join(root, file))).signal.channels;
    const mixture = { sampleRate: 16000, channels: read('room-2x2-speech.wav') };
    const images = [read('room-2x2-speech.ref1.wav'), read('room-2x2-speech.ref2.wav')];
    const fdica = fdIca(mixture, { iterations: 100 });
    const fdicaScore = meanImprovement(fdica.sources.channels, images, mixture.channels);
    // Measured 14.7 dB; NG-IVA 4.6 dB after 100 iterations (6.3 dB converged at FFT size
    // 1024, AuxIVA 4-8 dB). Why IVA trails here is an open question: its spherical source
    // model assumes every bin of a voice is loud at the same time, which may hold less for
    // these synthetic voices than for real speech.
    expect(fdicaScore).toBeGreaterThan(11);
    const ngiva = ngIva(mixture, { iterations: 100 });
    const ngivaScore = meanImprovement(ngiva.sources.channels, images, mixture.channels);
    expect(ngivaScore).toBeGreaterThan(3);
    expect(fdicaScore).toBeGreaterThan(ngivaScore);
  });

  // The gradient of FDICA's per-bin cost is checked against finite differences in
  // ngiva.test.ts, beside NG-IVA's: both run the same natural-gradient loop.

  it('rejects bad input with plain messages', () => {
    const mono = { sampleRate: 8000, channels: [two.mixture.channels[0]] };
    expect(() => fdIca(mono)).toThrow(/at least 2/);
    expect(() => fdIca(two.mixture, { measure: 'phase' as 'envelope' })).toThrow(/measure must be/);
    expect(() => fdIca(two.mixture, { fftSize: 512, alignment: { neighbours: -1 } })).toThrow(/neighbours/);
    const silent = { sampleRate: 8000, channels: [new Float64Array(4000), new Float64Array(4000)] };
    expect(() => fdIca(silent)).toThrow(/silent/);
  });
});
