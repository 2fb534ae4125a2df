import type { MultichannelSignal } from '../../../core/audio/signal.js';
import { createRandom } from '../../../core/random.js';
import { synthesizeSource } from '../../../core/room/sources.js';

/**
 * A small convolutive mixture for online AuxIVA tests, cheap to build: each microphone
 * hears each source through a sparse room-like response (a direct path with a
 * source-dependent inter-microphone delay, then reflections decaying over `tailSeconds`).
 * `images[s]` is source `s` as heard at every microphone (the references).
 */
export interface ConvolutiveMixture {
  mixture: MultichannelSignal;
  images: MultichannelSignal[];
  sources: Float64Array[];
}

/** Sparse impulse response: direct path at `delay` samples, `reflections` taps decaying by 60 dB over `tail` samples. */
function sparseResponse(
  delay: number,
  tail: number,
  reflections: number,
  reflectionGain: number,
  seed: number,
): { at: number[]; gain: number[] } {
  const rng = createRandom(seed);
  const at = [delay];
  const gain = [1];
  for (let r = 0; r < reflections; r++) {
    const t = Math.floor(rng.uniform() * tail);
    at.push(delay + 1 + t);
    gain.push((rng.uniform() < 0.5 ? -1 : 1) * reflectionGain * Math.pow(10, (-3 * t) / tail) * (0.5 + rng.uniform()));
  }
  return { at, gain };
}

function convolveSparse(x: Float64Array, response: { at: number[]; gain: number[] }, out: Float64Array): void {
  for (let r = 0; r < response.at.length; r++) {
    const d = response.at[r];
    const g = response.gain[r];
    for (let i = d; i < out.length; i++) out[i] += g * x[i - d];
  }
}

/**
 * `mics` microphones, the given source signals (each switched on over `[start, end)` samples
 * when `activity` is given); the delay of source `s` between microphones is `s + 1` samples
 * (distinct directions); reflections start at `reflectionGain` times the direct path.
 */
export function convolutiveMixture(
  sources: Float64Array[],
  mics: number,
  sampleRate: number,
  seed: number,
  tailSeconds = 0.06,
  reflectionGain = 0.25,
): ConvolutiveMixture {
  const frames = sources[0].length;
  const images = sources.map((s, k) => {
    const channels = Array.from({ length: mics }, (_, m) => {
      const out = new Float64Array(frames);
      const delay = 2 + m * (k % 2 === 0 ? k + 1 : 0) + (k % 2 === 1 ? (mics - 1 - m) * k : 0);
      convolveSparse(
        s,
        sparseResponse(delay, Math.round(tailSeconds * sampleRate), 40, reflectionGain, seed * 100 + k * 10 + m),
        out,
      );
      return out;
    });
    return { sampleRate, channels };
  });
  const mixture = {
    sampleRate,
    channels: Array.from({ length: mics }, (_, m) => {
      const out = new Float64Array(frames);
      for (const image of images) for (let i = 0; i < frames; i++) out[i] += image.channels[m][i];
      return out;
    }),
  };
  return { mixture, images, sources };
}

/** `count` synthetic speech sources of `seconds` at `sampleRate`. */
export function speechSources(count: number, seconds: number, sampleRate: number, seed: number): Float64Array[] {
  return Array.from({ length: count }, (_, k) =>
    synthesizeSource({ kind: 'speech', frames: Math.round(seconds * sampleRate), sampleRate, seed: seed + k }),
  );
}
