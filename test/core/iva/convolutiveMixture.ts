import type { MultichannelSignal } from '../../../core/audio/signal.js';
import { createRandom } from '../../../core/random.js';
import { synthesizeSource } from '../../../core/room/sources.js';
import { siSdr } from '../../../core/losses/siSdr.js';

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
  const mixture = Array.from({ length: mics }, () => new Float64Array(frames));
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
      for (let t = 0; t < frames; t++) mixture[m][t] += image[t];
    }
  }
  return { mixture: { sampleRate, channels: mixture }, images };
}

/** Mean SI-SDR improvement over microphone `ref`, best permutation (exhaustive; fine for <= 5 sources). */
export function meanImprovement(
  estimates: Float64Array[],
  images: Float64Array[][],
  mixture: Float64Array[],
  ref = 0,
): number {
  const n = images.length;
  const table = images.map((image) => estimates.map((e) => siSdr(e, image[ref]) - siSdr(mixture[ref], image[ref])));
  let best = -Infinity;
  const used = new Array<boolean>(estimates.length).fill(false);
  const search = (k: number, sum: number): void => {
    if (k === n) {
      best = Math.max(best, sum / n);
      return;
    }
    for (let e = 0; e < estimates.length; e++) {
      if (used[e]) continue;
      used[e] = true;
      search(k + 1, sum + table[k][e]);
      used[e] = false;
    }
  };
  search(0, 0);
  return best;
}
