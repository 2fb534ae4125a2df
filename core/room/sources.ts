import { createRandom, type Random } from '../random.js';

/**
 * Synthetic source signals with known statistics, for fixtures, tests and benchmarks:
 * speech-like (non-stationary, super-Gaussian, with pauses), Laplacian (super-Gaussian),
 * uniform and sinusoidal (sub-Gaussian), and music-like (harmonic notes).
 *
 * They are not a substitute for real recordings, but they span the statistics ICA and
 * IVA rely on, so a method that separates all of them is not tuned to one kind.
 */

/** Kinds of synthetic source. */
export type SyntheticSourceKind = 'speech' | 'laplace' | 'uniform' | 'tone' | 'music' | 'gaussian';

/** Options of {@link synthesizeSource}. */
export interface SyntheticSourceOptions {
  kind: SyntheticSourceKind;
  /** Length in samples. */
  frames: number;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Seed: the same seed gives the same signal. */
  seed: number;
  /** Mean fundamental frequency of `speech`, Hz; default 120 (a low voice) to 220 (a high one) chosen from the seed. */
  pitchHz?: number;
  /** Frequency of `tone`, Hz; default 440. */
  frequencyHz?: number;
}

/**
 * Generate one synthetic source, scaled to unit RMS.
 *
 * `speech` is a source-filter model: a glottal pulse train with a wandering pitch
 * (jitter, intonation) through three formant resonators whose targets change per
 * syllable, syllables of 120-320 ms with an attack/decay envelope, pauses between words,
 * and fricative noise bursts. It has speech's sparse, time-varying spectrum, which is
 * what frequency-domain methods exploit.
 */
export function synthesizeSource(options: SyntheticSourceOptions): Float64Array {
  const { frames, sampleRate } = options;
  const rng = createRandom(options.seed);
  const x = new Float64Array(frames);
  switch (options.kind) {
    case 'speech':
      speech(x, sampleRate, rng, options.pitchHz ?? 120 + 100 * rng.uniform());
      break;
    case 'laplace':
      for (let i = 0; i < frames; i++) {
        const u = rng.uniform() - 0.5;
        x[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u) + 1e-300);
      }
      break;
    case 'uniform':
      for (let i = 0; i < frames; i++) x[i] = 2 * rng.uniform() - 1;
      break;
    case 'gaussian':
      for (let i = 0; i < frames; i++) x[i] = rng.normal();
      break;
    case 'tone': {
      const w = (2 * Math.PI * (options.frequencyHz ?? 440)) / sampleRate;
      const phase = 2 * Math.PI * rng.uniform();
      for (let i = 0; i < frames; i++) x[i] = Math.sin(w * i + phase);
      break;
    }
    case 'music':
      music(x, sampleRate, rng);
      break;
  }
  return normalizeRms(x);
}

function normalizeRms(x: Float64Array): Float64Array {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  const rms = Math.sqrt(sum / Math.max(1, x.length));
  if (rms > 0) for (let i = 0; i < x.length; i++) x[i] /= rms;
  return x;
}

/** A two-pole resonator (formant filter) with centre `hz` and bandwidth `bw`. */
interface Resonator {
  a1: number;
  a2: number;
  gain: number;
  y1: number;
  y2: number;
}

function tuneResonator(r: Resonator, hz: number, bw: number, fs: number): void {
  const radius = Math.exp((-Math.PI * bw) / fs);
  r.a1 = -2 * radius * Math.cos((2 * Math.PI * hz) / fs);
  r.a2 = radius * radius;
  r.gain = 1 - radius;
}

// Formant targets (F1, F2, F3) of a few vowels, Hz.
const VOWELS: [number, number, number][] = [
  [730, 1090, 2440], // a
  [270, 2290, 3010], // i
  [300, 870, 2240], // u
  [530, 1840, 2480], // e
  [570, 840, 2410], // o
  [660, 1720, 2410], // ae
];

function speech(x: Float64Array, fs: number, rng: Random, basePitch: number): void {
  const formants: Resonator[] = [0, 1, 2].map(() => ({ a1: 0, a2: 0, gain: 0, y1: 0, y2: 0 }));
  const current = [...VOWELS[0]];
  let target = VOWELS[rng.integer(VOWELS.length)];
  let phase = 0;
  let glottal = 0;
  let i = 0;
  const fricativeLowpass = { y: 0 };
  while (i < x.length) {
    // A word of 1-4 syllables, then a pause.
    const syllables = 1 + rng.integer(4);
    for (let s = 0; s < syllables && i < x.length; s++) {
      const length = Math.round((0.12 + 0.2 * rng.uniform()) * fs);
      target = VOWELS[rng.integer(VOWELS.length)];
      const pitchStart = basePitch * (0.85 + 0.3 * rng.uniform());
      const pitchEnd = basePitch * (0.8 + 0.3 * rng.uniform());
      const fricative = rng.uniform() < 0.35;
      const fricativeLength = fricative ? Math.round(0.04 * fs + 0.05 * fs * rng.uniform()) : 0;
      for (let k = 0; k < length && i < x.length; k++, i++) {
        const t = k / length;
        // Formants glide towards the syllable's vowel (coarticulation).
        if (k % 32 === 0) {
          for (let f = 0; f < 3; f++) {
            current[f] += 0.08 * (target[f] - current[f]);
            tuneResonator(formants[f], current[f], 60 + 40 * f, fs);
          }
        }
        const pitch = (pitchStart + (pitchEnd - pitchStart) * t) * (1 + 0.01 * rng.normal());
        phase += pitch / fs;
        let excitation = 0;
        if (phase >= 1) {
          phase -= 1;
          excitation = 1;
        }
        // A one-pole low-pass gives the glottal pulse its -12 dB/octave roll-off (with the
        // radiation +6 dB), instead of the flat spectrum of a bare impulse train.
        glottal = 0.85 * glottal + 0.15 * excitation;
        excitation = glottal + 0.005 * rng.normal(); // plus aspiration
        let voiced = 0;
        for (let f = 0; f < 3; f++) {
          const r = formants[f];
          const y = r.gain * excitation * (f === 0 ? 1 : 0.5) - r.a1 * r.y1 - r.a2 * r.y2;
          r.y2 = r.y1;
          r.y1 = y;
          voiced += y;
        }
        const envelope = Math.min(1, t / 0.15) * Math.min(1, (1 - t) / 0.25);
        let sample = voiced * envelope;
        if (k < fricativeLength) {
          // High-passed noise: an "s" or "f" before the vowel.
          const n = rng.normal();
          fricativeLowpass.y = 0.6 * fricativeLowpass.y + 0.4 * n;
          sample = 0.006 * (n - fricativeLowpass.y) * Math.sin((Math.PI * k) / fricativeLength);
        }
        x[i] = sample;
      }
    }
    const pause = Math.round((0.05 + 0.35 * rng.uniform()) * fs);
    for (let k = 0; k < pause && i < x.length; k++, i++) x[i] = 1e-4 * rng.normal(); // room noise, -40 dB below the vowels
  }
}

function music(x: Float64Array, fs: number, rng: Random): void {
  // Notes of a pentatonic scale with 5 decaying harmonics each, some overlapping.
  const scale = [0, 2, 4, 7, 9, 12, 14, 16];
  let start = 0;
  while (start < x.length) {
    const length = Math.round((0.15 + 0.45 * rng.uniform()) * fs);
    const f0 = 220 * 2 ** (scale[rng.integer(scale.length)] / 12);
    const decay = 2 + 4 * rng.uniform();
    const amplitude = 0.5 + 0.5 * rng.uniform();
    const end = Math.min(x.length, start + 2 * length);
    for (let i = start; i < end; i++) {
      const t = (i - start) / fs;
      const envelope = amplitude * Math.min(1, t / 0.01) * Math.exp(-decay * t);
      let v = 0;
      for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
      x[i] += envelope * v;
    }
    start += length;
  }
}
