/**
 * Regenerate every file in fixtures/ deterministically: `npm run fixtures`.
 *
 * Each fixture is made from seeded synthetic sources (core/room/sources.ts) and a
 * known mixing, so tests can score separations against the truth. The WAV bytes depend
 * only on the seeds and this code; running the script twice gives identical files, and
 * `test/fixtures.test.ts` checks that the committed files are what the script makes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav, decodeWav } from '../core/audio/wav.js';
import type { MultichannelSignal } from '../core/audio/signal.js';
import { createRandom } from '../core/random.js';
import { mixInstantaneous, randomMixingMatrix } from '../core/room/instantaneous.js';
import { synthesizeSource, type SyntheticSourceOptions } from '../core/room/sources.js';
import { linearArray, placeSources } from '../core/room/placement.js';
import { simulateRoom, type ShoeboxRoom, type Vector3 } from '../core/room/shoebox.js';
import { summarizeRoom } from '../core/room/summary.js';

/** A file of the fixture set: its path under fixtures/ and its bytes. */
export interface FixtureFile {
  path: string;
  bytes: Uint8Array;
}

const SAMPLE_RATE = 16000;
const SECONDS = 4;
const FRAMES = SAMPLE_RATE * SECONDS;

/** The clean sources: name -> how to make it. */
const SOURCES: Record<string, Omit<SyntheticSourceOptions, 'frames' | 'sampleRate'>> = {
  'speech-low': { kind: 'speech', seed: 11, pitchHz: 110 },
  'speech-high': { kind: 'speech', seed: 12, pitchHz: 210 },
  laplace: { kind: 'laplace', seed: 13 },
  uniform: { kind: 'uniform', seed: 14 },
  tone: { kind: 'tone', seed: 15, frequencyHz: 440 },
  music: { kind: 'music', seed: 16 },
};

/** Instantaneous mixtures: name -> sources, mixing seed and condition number. */
const INSTANTANEOUS: Record<string, { sources: string[]; seed: number; conditionNumber: number; description: string }> =
  {
    'inst-2x2-speech': {
      sources: ['speech-low', 'speech-high'],
      seed: 21,
      conditionNumber: 3,
      description: 'two speech-like voices, a 2x2 mixing matrix with condition number 3',
    },
    'inst-3x3-mixed': {
      sources: ['speech-low', 'laplace', 'tone'],
      seed: 22,
      conditionNumber: 5,
      description:
        'speech (super-Gaussian), Laplacian noise (super-Gaussian) and a 440 Hz tone (sub-Gaussian); condition number 5',
    },
    'inst-4x4-mixed': {
      sources: ['speech-high', 'music', 'uniform', 'laplace'],
      seed: 23,
      conditionNumber: 8,
      description: 'speech, music-like notes, uniform noise (sub-Gaussian) and Laplacian noise; condition number 8',
    },
  };

/** Peak level of written mixtures and sources (linear), leaving headroom below full scale. */
const PEAK = 0.8;

function peakOf(signal: MultichannelSignal): number {
  let peak = 0;
  for (const x of signal.channels) for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  return peak;
}

function pcm16(signal: MultichannelSignal): Uint8Array {
  return encodeWav(signal, { encoding: 'pcm', bitDepth: 16 });
}

/** Source files: 16-bit, peak at -2 dBFS. The decoded files are the references. */
function makeSources(): { files: FixtureFile[]; decoded: Record<string, Float64Array> } {
  const files: FixtureFile[] = [];
  const decoded: Record<string, Float64Array> = {};
  for (const [name, options] of Object.entries(SOURCES)) {
    const x = synthesizeSource({ ...options, frames: FRAMES, sampleRate: SAMPLE_RATE });
    const signal = { sampleRate: SAMPLE_RATE, channels: [x] };
    const gain = PEAK / peakOf(signal);
    for (let i = 0; i < x.length; i++) x[i] *= gain;
    const bytes = pcm16(signal);
    files.push({ path: `sources/${name}.wav`, bytes });
    decoded[name] = decodeWav(bytes).signal.channels[0];
  }
  return { files, decoded };
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function makeInstantaneous(decoded: Record<string, Float64Array>): FixtureFile[] {
  const files: FixtureFile[] = [];
  for (const [name, spec] of Object.entries(INSTANTANEOUS)) {
    const n = spec.sources.length;
    const a = randomMixingMatrix(n, n, { seed: spec.seed, conditionNumber: spec.conditionNumber });
    // Scale A so that the mixture peaks at PEAK; the stored A is the one that made the file.
    const sources = { sampleRate: SAMPLE_RATE, channels: spec.sources.map((s) => decoded[s]) };
    const gain = PEAK / peakOf(mixInstantaneous(sources, a));
    for (let k = 0; k < a.data.length; k++) a.data[k] = round6(a.data[k] * gain);
    const mixture = mixInstantaneous(sources, a);
    files.push({ path: `${name}.wav`, bytes: pcm16(mixture) });
    const description = {
      description: spec.description,
      model: 'instantaneous',
      sampleRate: SAMPLE_RATE,
      frames: FRAMES,
      mixture: `${name}.wav`,
      sources: spec.sources.map((s) => `sources/${s}.wav`),
      mixing: Array.from({ length: n }, (_, i) => Array.from(a.data.subarray(i * n, (i + 1) * n))),
      conditionNumber: spec.conditionNumber,
      seed: spec.seed,
    };
    files.push({ path: `${name}.json`, bytes: new TextEncoder().encode(JSON.stringify(description, null, 2) + '\n') });
  }
  return files;
}

/** Convolutive mixtures in a simulated 6 x 5 x 3 m shoebox room (core/room/shoebox.ts). */
const ROOM_DIMENSIONS: Vector3 = [6, 5, 3];

interface RoomFixture {
  description: string;
  sampleRate: number;
  /** Dry sources: a fixture source file, or a synthetic one made at `sampleRate`. */
  sources: (string | (Omit<SyntheticSourceOptions, 'frames' | 'sampleRate'> & { name: string }))[];
  /** Length, seconds (source files are 4 s). */
  seconds: number;
  rt60: number;
  /** Seed of the array centre, orientation, spacing and the speaker positions. */
  seed: number;
  /** A speaker-switch: from `atSeconds` on, source `source` (0-based) speaks from a new place. */
  move?: { source: number; atSeconds: number };
}

const ROOMS: Record<string, RoomFixture> = {
  'room-2x2-speech': {
    description: 'two speech-like voices, 2 microphones 5 cm apart, talkers 1-2 m away, RT60 0.2 s (Sabine)',
    sampleRate: SAMPLE_RATE,
    sources: ['speech-low', 'speech-high'],
    seconds: 4,
    rt60: 0.2,
    seed: 31,
  },
  'room-3x3-mixed': {
    description: 'two speech-like voices and music-like notes at 8 kHz, 3 microphones 5 cm apart, RT60 0.2 s (Sabine)',
    sampleRate: 8000,
    sources: [
      { name: 'speech', kind: 'speech', seed: 41, pitchHz: 120 },
      { name: 'music', kind: 'music', seed: 42 },
      { name: 'speech', kind: 'speech', seed: 43, pitchHz: 220 },
    ],
    seconds: 4,
    rt60: 0.2,
    seed: 32,
  },
  'room-2x2-switch': {
    description:
      'two speech-like voices, 2 microphones 5 cm apart, RT60 0.2 s (Sabine), 12 s; at 6 s the second talker moves to another place',
    sampleRate: SAMPLE_RATE,
    sources: [
      { name: 'speech', kind: 'speech', seed: 51, pitchHz: 115 },
      { name: 'speech', kind: 'speech', seed: 52, pitchHz: 205 },
    ],
    seconds: 12,
    rt60: 0.2,
    seed: 33,
    move: { source: 1, atSeconds: 6 },
  },
};

function makeRooms(decoded: Record<string, Float64Array>): FixtureFile[] {
  const files: FixtureFile[] = [];
  for (const [name, spec] of Object.entries(ROOMS)) {
    const { sampleRate } = spec;
    const frames = Math.round(spec.seconds * sampleRate);
    const dry = spec.sources.map((source) =>
      typeof source === 'string'
        ? decoded[source].slice(0, frames)
        : synthesizeSource({ ...source, frames, sampleRate }),
    );
    const rng = createRandom(spec.seed);
    const center: Vector3 = [2.8 + 0.4 * rng.uniform(), 2.3 + 0.4 * rng.uniform(), 1.3 + 0.3 * rng.uniform()];
    const azimuth = 180 * rng.uniform();
    const n = dry.length;
    // A moving talker gets a second position, used from the move on.
    const places = placeSources(n + (spec.move ? 1 : 0), {
      dimensions: ROOM_DIMENSIONS,
      center,
      arrayAzimuthDegrees: azimuth,
      minSeparationDegrees: 25,
      seed: spec.seed,
    });
    const geometry: ShoeboxRoom = {
      dimensions: ROOM_DIMENSIONS,
      microphones: linearArray(center, n, 0.05, azimuth),
      sources: places.slice(0, n),
      rt60: spec.rt60,
    };
    const moves = spec.move ? [{ source: spec.move.source, atSeconds: spec.move.atSeconds, to: places[n] }] : [];
    const simulation = simulateRoom({ sampleRate, channels: dry }, geometry, { moves });
    const images = simulation.images;
    const gain = PEAK / peakOf(simulation.mixture);
    for (const signal of [simulation.mixture, ...images]) {
      for (const x of signal.channels) for (let t = 0; t < x.length; t++) x[t] *= gain;
    }
    files.push({ path: `${name}.wav`, bytes: pcm16(simulation.mixture) });
    images.forEach((image, k) => files.push({ path: `${name}.ref${k + 1}.wav`, bytes: pcm16(image) }));
    const room = summarizeRoom(
      { ...geometry, sources: simulation.segments.map((seg) => seg.position) },
      simulation.room,
    );
    const description = {
      description: spec.description,
      mixture: `${name}.wav`,
      references: images.map((_, k) => `${name}.ref${k + 1}.wav`),
      sampleRate,
      frames,
      model: 'room',
      room,
      ...(spec.move
        ? {
            move: {
              source: spec.move.source + 1,
              atSeconds: spec.move.atSeconds,
              from: room.sources[spec.move.source],
              to: room.sources[n],
            },
          }
        : {}),
      gain: round6(gain),
      seed: spec.seed,
      inputs: spec.sources.map((source) =>
        typeof source === 'string' ? { file: `sources/${source}.wav` } : { synthetic: source.kind, seed: source.seed },
      ),
    };
    files.push({ path: `${name}.json`, bytes: new TextEncoder().encode(JSON.stringify(description, null, 2) + '\n') });
  }
  return files;
}

/** Every fixture file, in a fixed order. */
export function makeFixtures(): FixtureFile[] {
  const { files, decoded } = makeSources();
  return [...files, ...makeInstantaneous(decoded), ...makeRooms(decoded)];
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
  let total = 0;
  for (const file of makeFixtures()) {
    const target = path.join(root, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.bytes);
    total += file.bytes.length;
    console.log(`${file.path}  ${(file.bytes.length / 1024).toFixed(0)} KiB`);
  }
  console.log(`total ${(total / 1024 / 1024).toFixed(2)} MiB`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
