import type { MultichannelSignal } from '../../../core/audio/signal.js';
import { createRandom } from '../../../core/random.js';
import { synthesizeSource } from '../../../core/room/sources.js';
import { meanSiSdrImprovement } from '../../../core/eval/evaluate.js';

/**
 * A small convolutive mixture made in the test, with known source images: each source
 * reaches each microphone through a short filter (a direct path with a fractional-free
 * integer delay, then a few decaying echoes), as in a small, dry room. Used until the room
 * fixtures are on main, and kept because it is fast and fully controlled.
 */
export interface TestMixture {
  mixture: MultichannelSignal;
  /** `images[k][m]`: source k at microphone m. */
  images: Float64Array[][];
}

export function convolutiveMixture(
  sources: number,
  mics: number,
  options: { seconds?: number; sampleRate?: number; seed?: number; taps?: number } = {},
): TestMixture {
  const sampleRate = options.sampleRate ?? 8000;
  const frames = Math.round((options.seconds ?? 4) * sampleRate);
  const taps = options.taps ?? 24;
  const rng = createRandom(options.seed ?? 7);
  const pitches = [110, 210, 150, 250, 130];
  const dry = Array.from({ length: sources }, (_, k) =>
    synthesizeSource({
      kind: 'speech',
      frames,
      sampleRate,
      seed: 40 + k + 10 * (options.seed ?? 7),
      pitchHz: pitches[k],
    }),
  );
  const images: Float64Array[][] = [];
  for (let k = 0; k < sources; k++) {
    images.push([]);
    for (let m = 0; m < mics; m++) {
      const h = new Float64Array(taps);
      // Distinct direct-path delays and gains per (source, mic), then an exponential tail.
      h[(k * 3 + m * (k + 1) * 2) % 6] = 0.6 + 0.4 * rng.uniform();
      for (let i = 6; i < taps; i++) h[i] = 0.35 * rng.normal() * Math.exp(-i / 6);
      const image = new Float64Array(frames);
      const s = dry[k];
      for (let t = 0; t < frames; t++) {
        let acc = 0;
        for (let i = 0; i < taps && i <= t; i++) acc += h[i] * s[t - i];
        image[t] = acc;
      }
      images[k].push(image);
    }
  }
  return { mixture: { sampleRate, channels: sumImages(images, mics, frames) }, images };
}

/** The mixture heard at each microphone: the sum of the source images, `images[k][m]`. */
function sumImages(images: Float64Array[][], mics: number, frames: number): Float64Array[] {
  const mixture = Array.from({ length: mics }, () => new Float64Array(frames));
  for (const image of images)
    for (let m = 0; m < mics; m++) for (let t = 0; t < frames; t++) mixture[m][t] += image[m][t];
  return mixture;
}

/**
 * A small convolutive mixture for online AuxIVA tests (made by {@link sparseConvolutiveMixture}), cheap to build: each microphone
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
export function sparseConvolutiveMixture(
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
    channels: sumImages(
      images.map((image) => image.channels),
      mics,
      frames,
    ),
  };
  return { mixture, images, sources };
}

/** `count` synthetic speech sources of `seconds` at `sampleRate`. */
export function speechSources(count: number, seconds: number, sampleRate: number, seed: number): Float64Array[] {
  return Array.from({ length: count }, (_, k) =>
    synthesizeSource({ kind: 'speech', frames: Math.round(seconds * sampleRate), sampleRate, seed: seed + k }),
  );
}

/** Mean SI-SDR improvement over microphone `ref`, best permutation (core/eval's `meanSiSdrImprovement`). */
export function meanImprovement(
  estimates: Float64Array[],
  images: Float64Array[][],
  mixture: Float64Array[],
  ref = 0,
): number {
  return meanSiSdrImprovement(
    images.map((image) => image[ref]),
    estimates,
    mixture[ref],
  );
}
