import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../core/random.js';
import { istft, stft } from '../../../core/signal/stft.js';
import { StftStream, identityFrameProcessor, type FrameProcessor } from '../../../core/signal/streaming.js';

function noise(channels: number, length: number, seed: number): Float64Array[] {
  const rng = createRandom(seed);
  return Array.from({ length: channels }, () => Float64Array.from({ length }, () => rng.normal()));
}

/** Feed `signal` to `stream` in blocks of pseudo-random sizes (some 0) and concatenate the output. */
function runStream(stream: StftStream, signal: Float64Array[], seed: number, maxBlock = 700): Float64Array[] {
  const rng = createRandom(seed);
  const parts: Float64Array[][] = [];
  const length = signal[0].length;
  for (let at = 0; at < length;) {
    const size = Math.min(length - at, Math.floor(rng.uniform() * maxBlock));
    const out = stream.process(signal.map((x) => x.subarray(at, at + size)));
    expect(out).toHaveLength(stream.outputChannels);
    parts.push(out);
    at += size;
  }
  parts.push(stream.flush());
  return Array.from({ length: stream.outputChannels }, (_, k) => {
    const total = parts.reduce((n, p) => n + p[k].length, 0);
    const y = new Float64Array(total);
    let at = 0;
    for (const p of parts) {
      y.set(p[k], at);
      at += p[k].length;
    }
    return y;
  });
}

/** A frame processor whose output depends on the frame number and mixes channels, to catch any misalignment. */
function mixingProcessor(): FrameProcessor {
  return {
    inputChannels: 2,
    outputChannels: 3,
    processFrame(input, output, frame) {
      const g = 1 + 0.01 * (frame % 7);
      for (let i = 0; i < input[0].length; i++) {
        output[0][i] = g * input[0][i] - input[1][i];
        output[1][i] = input[1][i] * 0.5;
        output[2][i] = input[0][i] + g * input[1][i];
      }
    },
  };
}

describe('StftStream', () => {
  it('with the identity processor, gives exactly istft(stft(x)) (bit-identical) for any block sizes', () => {
    for (const [fftSize, hopSamples, length] of [
      [1024, 256, 5000],
      [512, 256, 513],
      [64, 16, 1],
      [256, 64, 256 * 9],
      [32, 16, 100],
    ] as const) {
      const x = noise(2, length, fftSize + length);
      const stream = new StftStream(identityFrameProcessor(2), { fftSize, hopSamples });
      expect(stream.latency).toBe(fftSize - hopSamples);
      const y = runStream(stream, x, length);
      const batch = istft(stft(x, { fftSize, hopSamples }));
      expect(y[0]).toEqual(batch[0]);
      expect(y[1]).toEqual(batch[1]);
      expect(stream.framesProcessed).toBe(stft(x, { fftSize, hopSamples }).frames);
    }
  });

  it('equals the same processor run frame by frame on the batch STFT', () => {
    const fftSize = 256;
    const hopSamples = 64;
    const x = noise(2, 3001, 5);
    const spec = stft(x, { fftSize, hopSamples });
    const processor = mixingProcessor();
    const outputs = [0, 1, 2].map(() => new Float64Array(2 * spec.bins * spec.frames));
    const input = [0, 1].map(() => new Float64Array(2 * spec.bins));
    const output = [0, 1, 2].map(() => new Float64Array(2 * spec.bins));
    for (let t = 0; t < spec.frames; t++) {
      for (let c = 0; c < 2; c++) {
        for (let f = 0; f < spec.bins; f++) {
          input[c][2 * f] = spec.channels[c][2 * (f * spec.frames + t)];
          input[c][2 * f + 1] = spec.channels[c][2 * (f * spec.frames + t) + 1];
        }
      }
      processor.processFrame(input, output, t);
      for (let k = 0; k < 3; k++) {
        for (let f = 0; f < spec.bins; f++) {
          outputs[k][2 * (f * spec.frames + t)] = output[k][2 * f];
          outputs[k][2 * (f * spec.frames + t) + 1] = output[k][2 * f + 1];
        }
      }
    }
    const batch = istft({ ...spec, channels: outputs });
    const y = runStream(new StftStream(mixingProcessor(), { fftSize, hopSamples }), x, 9, 300);
    for (let k = 0; k < 3; k++) expect(y[k]).toEqual(batch[k]);
  });

  it('has a fixed latency of fftSize - hop: fed hop-sized blocks, each call returns the input delayed by exactly the latency', () => {
    const fftSize = 512;
    const hopSamples = 128;
    const stream = new StftStream(identityFrameProcessor(1), { fftSize, hopSamples });
    expect(stream.latency).toBe(384);
    const [x] = noise(1, 40 * hopSamples, 3);
    for (let b = 0; b < 40; b++) {
      const [out] = stream.process([x.subarray(b * hopSamples, (b + 1) * hopSamples)]);
      const end = (b + 1) * hopSamples - stream.latency;
      expect(out.length).toBe(Math.min(hopSamples, Math.max(0, end)));
      const start = end - out.length;
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(x[start + i], 12);
    }
  });

  it('with blocks of any size, returns every sample that is final and no other', () => {
    const fftSize = 256;
    const hopSamples = 64;
    const latency = fftSize - hopSamples;
    const stream = new StftStream(identityFrameProcessor(1), { fftSize, hopSamples });
    const rng = createRandom(4);
    let received = 0;
    let returned = 0;
    for (let call = 0; call < 200; call++) {
      const size = Math.floor(rng.uniform() * 150);
      received += size;
      returned += stream.process([new Float64Array(size)])[0].length;
      // Frames complete every hop; a sample is final `latency` samples after its frame's end.
      expect(returned).toBe(Math.max(0, Math.floor(received / hopSamples) * hopSamples - latency));
    }
    expect(returned + stream.flush()[0].length).toBe(received);
  });

  it('returns empty output for an empty stream and rejects bad blocks and use after flush', () => {
    const stream = new StftStream(identityFrameProcessor(2), { fftSize: 64, hopSamples: 16 });
    expect(() => stream.process([new Float64Array(3)])).toThrow('expected 2 channels, got 1');
    expect(() => stream.process([new Float64Array(3), new Float64Array(2)])).toThrow('same length');
    expect(stream.flush().map((c) => c.length)).toEqual([0, 0]);
    expect(() => stream.process([new Float64Array(3), new Float64Array(3)])).toThrow('flushed');
    expect(() => new StftStream(identityFrameProcessor(1), { fftSize: 100 })).toThrow('power of two');
  });
});
