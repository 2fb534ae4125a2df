import { describe, expect, it } from 'vitest';
import { UnmixError } from '../../../core/errors.js';
import { spectrogram, SPECTROGRAM_FLOOR_DB } from '../../../core/signal/spectrogram.js';

function sine(frequency: number, amplitude: number, sampleRate: number, length: number): Float64Array {
  const x = new Float64Array(length);
  for (let i = 0; i < length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  return x;
}

describe('spectrogram', () => {
  it('puts a full-scale sine at 0 dB in its bin, the rest far below', () => {
    const sampleRate = 16000;
    const s = spectrogram(sine(1000, 1, sampleRate, 16000), sampleRate, { fftSize: 512, hopSamples: 128 });
    expect(s.fftSize).toBe(512);
    expect(s.bins).toBe(257);
    const bin = (1000 * 512) / sampleRate; // 32, exactly on a bin
    const t = Math.floor(s.frames / 2);
    expect(s.powerDb[bin * s.frames + t]).toBeCloseTo(0, 1);
    expect(s.powerDb[(bin + 10) * s.frames + t]).toBeLessThan(-60);
    expect(s.powerDb[100 * s.frames + t]).toBeLessThan(-60);
    // A sine at half amplitude is 6 dB lower.
    const half = spectrogram(sine(1000, 0.5, sampleRate, 16000), sampleRate, { fftSize: 512, hopSamples: 128 });
    expect(half.powerDb[bin * half.frames + t]).toBeCloseTo(-6.02, 1);
  });

  it('clamps silence at the floor and chooses ~32 ms frames by default', () => {
    const s = spectrogram(new Float64Array(8000), 16000);
    expect(s.fftSize).toBe(512);
    expect(s.hopSamples).toBe(128);
    expect(Math.max(...s.powerDb)).toBe(SPECTROGRAM_FLOOR_DB);
    expect(spectrogram(new Float64Array(4800), 48000).fftSize).toBe(2048);
    expect(spectrogram(new Float64Array(4410), 44100).fftSize).toBe(1024);
  });

  it('makes the hop longer for long signals so frames stay few', () => {
    const short = spectrogram(new Float64Array(16000 * 10), 16000, { maxFrames: 1000 });
    expect(short.hopSamples).toBe(161);
    expect(short.framesPerColumn).toBe(1);
    expect(short.frames).toBeLessThanOrEqual(1010);
    // ... up to half a frame; beyond, neighbouring frames are averaged into columns.
    const s = spectrogram(new Float64Array(16000 * 120), 16000, { maxFrames: 1000 });
    expect(s.framesPerColumn).toBe(8);
    expect(s.hopSamples).toBe(8 * 256);
    expect(s.frames).toBeLessThanOrEqual(1000);
    expect(s.powerDb.length).toBe(s.bins * s.frames);
    expect(s.frameOffsetSamples).toBe(3.5 * 256 + 256 - 256);
  });

  it('averages columns of a stationary tone to the same level', () => {
    const sampleRate = 16000;
    const x = sine(1000, 0.5, sampleRate, 16000 * 20);
    const fine = spectrogram(x, sampleRate, { fftSize: 512, hopSamples: 256 });
    const coarse = spectrogram(x, sampleRate, { fftSize: 512, hopSamples: 256, maxFrames: 100 });
    expect(coarse.frames).toBeLessThanOrEqual(100);
    expect(coarse.powerDb[32 * coarse.frames + 50]).toBeCloseTo(fine.powerDb[32 * fine.frames + 600], 3);
    // The centre of column t is where its frames are, on average.
    const t = 10;
    const first = t * coarse.framesPerColumn;
    const last = first + coarse.framesPerColumn - 1;
    const frameCentre = (k: number) => fine.frameOffsetSamples + k * fine.hopSamples;
    expect(coarse.frameOffsetSamples + t * coarse.hopSamples).toBeCloseTo(
      (frameCentre(first) + frameCentre(last)) / 2,
      9,
    );
  });

  it('rejects an empty signal and a bad sample rate or size', () => {
    expect(() => spectrogram(new Float64Array(0), 16000)).toThrow(UnmixError);
    expect(() => spectrogram(new Float64Array(10), 0)).toThrow(/sample rate/);
    expect(() => spectrogram(new Float64Array(10), 16000, { fftSize: 500 })).toThrow(/power of two/);
  });
});
