import { describe, expect, it } from 'vitest';
import { istft, istftChannel, stft, stftChannel, stftLayout } from '../../../../core/signal/stft.js';
import { hannWindow, sqrtHannWindow, synthesisWindow, type WindowName } from '../../../../core/signal/window.js';
import { createRandom } from '../../../../core/random.js';

function noise(length: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return new Float64Array(length).map(() => rng.normal());
}

function maxError(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('windows', () => {
  it('are periodic Hann and its square root', () => {
    const h = hannWindow(8);
    expect(h[0]).toBe(0);
    expect(h[4]).toBeCloseTo(1, 15);
    expect(h[2]).toBeCloseTo(0.5, 15);
    const s = sqrtHannWindow(8);
    for (let n = 0; n < 8; n++) expect(s[n] * s[n]).toBeCloseTo(h[n], 14);
  });

  it('sqrt-Hann at half overlap is its own synthesis window', () => {
    const s = sqrtHannWindow(64);
    const d = synthesisWindow(s, 32);
    for (let n = 1; n < 64; n++) expect(d[n]).toBeCloseTo(s[n], 12);
  });

  it('refuses a hop that leaves samples uncovered', () => {
    expect(() => synthesisWindow(hannWindow(16), 16)).toThrow(/too large/);
  });
});

describe('stft', () => {
  const cases: [WindowName, number, number][] = [
    ['hann', 16, 4],
    ['hann', 16, 8],
    ['hann', 64, 16],
    ['hann', 64, 12],
    ['hann', 2048, 512],
    ['sqrt-hann', 32, 16],
    ['sqrt-hann', 256, 64],
    ['hann', 4, 1],
  ];
  for (const [window, fftSize, hopSamples] of cases) {
    it(`round-trips exactly with ${window} ${fftSize}/${hopSamples} for any length`, () => {
      for (const length of [1, 7, fftSize - 1, fftSize, 3 * fftSize + 5, 5000]) {
        const x = noise(length, length + fftSize);
        const spec = stft([x], { fftSize, hopSamples, window });
        expect(spec.bins).toBe(fftSize / 2 + 1);
        expect(spec.channels[0].length).toBe(2 * spec.bins * spec.frames);
        const [y] = istft(spec);
        expect(y.length).toBe(length);
        expect(maxError(x, y)).toBeLessThan(1e-10);
      }
    });
  }

  it('puts a sinusoid in its bin, bin-major (frames of one bin contiguous)', () => {
    const fftSize = 64;
    const x = new Float64Array(2000).map((_, n) => Math.cos((2 * Math.PI * 8 * n) / fftSize));
    const spec = stft([x], { fftSize });
    const { frames } = spec;
    const t = 10; // a frame fully inside the signal
    const mag = (f: number): number =>
      Math.hypot(spec.channels[0][2 * (f * frames + t)], spec.channels[0][2 * (f * frames + t) + 1]);
    // Hann window sum = fftSize / 2; a cosine of amplitude 1 gives fftSize / 4 in its bin.
    expect(mag(8)).toBeCloseTo(fftSize / 4, 8);
    expect(mag(20)).toBeLessThan(1e-9);
  });

  it('covers the first and last samples with the full set of frames', () => {
    const layout = stftLayout(100, { fftSize: 32, hopSamples: 8 });
    // 24 samples of leading padding; last frame must still reach sample 99.
    expect((layout.frames - 1) * 8 - 24).toBeLessThanOrEqual(99);
    expect((layout.frames - 1) * 8 - 24 + 32).toBeGreaterThan(99);
    expect(layout.frames).toBe(Math.floor((99 + 24) / 8) + 1);
  });

  it('is linear and works channel by channel into given buffers', () => {
    const a = noise(700, 1);
    const b = noise(700, 2);
    const layout = stftLayout(700, { fftSize: 128, hopSamples: 32 });
    const buf = new Float64Array(2 * layout.bins * layout.frames);
    const sa = stftChannel(a, layout).slice();
    const sb = stftChannel(b, layout, buf);
    expect(sb).toBe(buf);
    const sum = stftChannel(
      a.map((v, i) => 2 * v - b[i]),
      layout,
    );
    for (let i = 0; i < sum.length; i++) expect(sum[i]).toBeCloseTo(2 * sa[i] - sb[i], 10);
    const out = new Float64Array(700).fill(7);
    istftChannel(sa, layout, out);
    expect(maxError(out, a)).toBeLessThan(1e-10);
  });

  it('rejects bad input with plain messages', () => {
    expect(() => stft([], { fftSize: 64 })).toThrow(/no channels/);
    expect(() => stft([new Float64Array(10), new Float64Array(11)], { fftSize: 64 })).toThrow(/same length/);
    expect(() => stft([new Float64Array(0)], { fftSize: 64 })).toThrow(/empty/);
    expect(() => stft([new Float64Array(10)], { fftSize: 100 })).toThrow(/power of two/);
    expect(() => stft([new Float64Array(10)], { fftSize: 64, hopSamples: 0 })).toThrow(/hop/);
    expect(() => stft([new Float64Array(10)], { fftSize: 64, hopSamples: 65 })).toThrow(/hop/);
    expect(() => stft([new Float64Array(10)], { fftSize: 64, hopSamples: 64 })).toThrow(/too large/);
    expect(() => stft([new Float64Array(10)], { fftSize: 64, window: 'box' as WindowName })).toThrow(/unknown window/);
  });
});
