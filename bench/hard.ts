/**
 * Hard rooms: separation where the reverberation outweighs the direct sound. Talkers (the
 * espeak-ng sentences of fixtures/voices, or core/room's synthetic music) 1.5-3 m from a
 * 5 cm linear array in an 8 x 7 x 3 m shoebox, beyond the critical distance (about 0.8 m at
 * RT60 0.6 s), RT60 0.3 / 0.6 / 0.9 s, 2x2 to 4x4, 6 or 8 microphones with 2-3 sources
 * (over-determined, `sources` option), one case with white noise at 20 dB SNR; 16 kHz, 8 s.
 *
 * Scored as bench/rooms.ts scores the standard rooms (SI-SDR improvement over microphone 1,
 * the reference being each source's image at microphone 1, best permutation), for each
 * registered STFT method with default options and, when PYROOMACOUSTICS_PATH points at a
 * pyroomacoustics source tree (its pure-Python `bss` and `transform`, run with Debian's
 * /usr/bin/python3), pyroomacoustics' AuxIVA (30 and 100 iterations; its OverIVA, slow,
 * with 30 only) and ILRMA (100 iterations, 2 bases; determined rooms only) on the same STFT
 * (FFT 2048, hop 512, Hann), scored by the same code; and the ceiling of any method with one unmixing matrix per bin (core/eval learnStftOracle,
 * per-bin least squares on the references, FFT 2048).
 *
 * One room ranks nothing here: the same method moves 5-10 dB between seeds of a room type
 * (the `seed` of a {@link HardRoomSpec}), so compare means over seeds before changing a default.
 *
 * Knobs: UNMIX_BENCH_HARD_ROOMS (comma-separated room names, default all),
 * UNMIX_BENCH_HARD_METHODS (comma-separated, default every convolutive method),
 * PYROOMACOUSTICS_PATH (skipped when unset).
 */
import * as os from 'node:os';
import { channelStats, type MultichannelSignal } from '../core/audio/signal.js';
import { learnStftOracle } from '../core/eval/oracle.js';
import { createRandom } from '../core/random.js';
import { addWhiteNoise } from '../core/room/noise.js';
import { linearArray, placeSources } from '../core/room/placement.js';
import { simulateRoom, type Vector3 } from '../core/room/shoebox.js';
import { synthesizeSource } from '../core/room/sources.js';
import { AUTO_METHOD, METHODS, separate } from '../core/separate.js';
import { readVoice, scoreSeparation } from './rooms.js';
import { runPyroomacoustics, type PeerRow, type PeerRun } from './pyroomacoustics.js';
import { printTable, section } from './report.js';

/** One hard room. */
export interface HardRoomSpec {
  name: string;
  microphones: number;
  /** Sources in the room (and to separate: `sources` option when fewer than microphones). */
  sources: number;
  rt60: number;
  /** Horizontal talker distance range, metres. */
  distance: readonly [number, number];
  /** Source material per source: a voice of fixtures/voices (1-4) or synthetic music. */
  material: readonly ('voice' | 'music')[];
  /** White noise added to the mixture, dB SNR; none when undefined. */
  snrDb?: number;
  seed: number;
}

export const HARD_ROOMS: readonly HardRoomSpec[] = [
  { name: '2x2-rt300-far', microphones: 2, sources: 2, rt60: 0.3, distance: [1.5, 3], material: ['voice', 'voice'], seed: 11 }, // prettier-ignore
  { name: '2x2-rt600-far', microphones: 2, sources: 2, rt60: 0.6, distance: [2, 2.5], material: ['voice', 'voice'], seed: 12 }, // prettier-ignore
  { name: '2x2-rt900-far', microphones: 2, sources: 2, rt60: 0.9, distance: [1.5, 3], material: ['voice', 'voice'], seed: 13 }, // prettier-ignore
  { name: '2x2-rt600-music', microphones: 2, sources: 2, rt60: 0.6, distance: [1.5, 3], material: ['voice', 'music'], seed: 14 }, // prettier-ignore
  { name: '3x3-rt600-far', microphones: 3, sources: 3, rt60: 0.6, distance: [1.5, 3], material: ['voice', 'voice', 'voice'], seed: 15 }, // prettier-ignore
  { name: '3x3-rt600-noise20', microphones: 3, sources: 3, rt60: 0.6, distance: [1.5, 3], material: ['voice', 'voice', 'music'], snrDb: 20, seed: 16 }, // prettier-ignore
  { name: '4x4-rt600-far', microphones: 4, sources: 4, rt60: 0.6, distance: [1.5, 3], material: ['voice', 'voice', 'voice', 'voice'], seed: 17 }, // prettier-ignore
  { name: '6x2-rt600-far', microphones: 6, sources: 2, rt60: 0.6, distance: [1.5, 3], material: ['voice', 'voice'], seed: 18 }, // prettier-ignore
  { name: '8x3-rt600-far', microphones: 8, sources: 3, rt60: 0.6, distance: [1.5, 3], material: ['voice', 'voice', 'voice'], seed: 19 }, // prettier-ignore
];

const DIMENSIONS: Vector3 = [8, 7, 3];
const SAMPLE_RATE = 16000;
const SECONDS = 8;

/** A simulated hard recording and what scoring it needs. */
export interface HardRoom {
  spec: HardRoomSpec;
  mixture: MultichannelSignal;
  /** Each source's image at microphone 1 (same scale as the mixture). */
  references: Float64Array[];
}

const cache = new Map<string, HardRoom>();

/** Make (or return the cached) hard room. Deterministic. */
export function makeHardRoom(spec: HardRoomSpec): HardRoom {
  const key = JSON.stringify(spec);
  const cached = cache.get(key);
  if (cached) return cached;
  const frames = SECONDS * SAMPLE_RATE;
  const rng = createRandom(2000 + spec.seed);
  const center: Vector3 = [3.6 + 0.8 * rng.uniform(), 3.1 + 0.8 * rng.uniform(), 1.3 + 0.3 * rng.uniform()];
  const azimuth = 180 * rng.uniform();
  const sources = placeSources(spec.sources, {
    dimensions: DIMENSIONS,
    center,
    arrayAzimuthDegrees: azimuth,
    minDistance: spec.distance[0],
    maxDistance: spec.distance[1],
    minSeparationDegrees: spec.sources > 3 ? 25 : 30,
    seed: spec.seed,
  });
  let voice = spec.seed;
  const dry: MultichannelSignal = {
    sampleRate: SAMPLE_RATE,
    channels: spec.material.map((kind, k) => {
      if (kind === 'music') return synthesizeSource({ kind: 'music', frames, sampleRate: SAMPLE_RATE, seed: 100 * spec.seed + k }); // prettier-ignore
      return readVoice((voice++ % 4) + 1, frames);
    }),
  };
  const simulation = simulateRoom(dry, {
    dimensions: DIMENSIONS,
    microphones: linearArray(center, spec.microphones, 0.05, azimuth),
    sources,
    rt60: spec.rt60,
  });
  if (spec.snrDb !== undefined) addWhiteNoise(simulation.mixture, spec.snrDb, spec.seed);
  const gain = 0.8 / Math.max(...channelStats(simulation.mixture).map((c) => c.peak));
  for (const signal of [simulation.mixture, ...simulation.images]) {
    for (const x of signal.channels) for (let t = 0; t < x.length; t++) x[t] *= gain;
  }
  const room = { spec, mixture: simulation.mixture, references: simulation.images.map((i) => i.channels[0]) };
  cache.set(key, room);
  return room;
}

/** Direct-to-reverberant ratio at microphone 1 is not exposed by core/room; the critical distance is. */
function criticalDistance(rt60: number): number {
  // r_c = 0.057 sqrt(V / RT60) (Kuttruff), omnidirectional source and microphones.
  return 0.057 * Math.sqrt((DIMENSIONS[0] * DIMENSIONS[1] * DIMENSIONS[2]) / rt60);
}

/** One table row: the same shape as pyroomacoustics' rows, so both go in one table. */
export type Row = PeerRow;

/**
 * pyroomacoustics' runs on the hard rooms. Its OverIVA (6 or 8 microphones) takes minutes
 * per run: 30 iterations only there, and its ILRMA needs as many microphones as sources.
 */
const PEER_RUNS: PeerRun[] = [
  { label: 'pra auxiva (30 it)', method: 'auxiva', args: { n_iter: 30 } },
  { label: 'pra auxiva (100 it)', method: 'auxiva', args: { n_iter: 100 }, squareOnly: true },
  { label: 'pra ilrma (100 it, 2 bases)', method: 'ilrma', args: { n_iter: 100, n_components: 2 }, squareOnly: true },
];

export async function run(): Promise<void> {
  const wanted = process.env.UNMIX_BENCH_HARD_ROOMS?.split(',');
  const specs = HARD_ROOMS.filter((r) => !wanted || wanted.includes(r.name));
  const methods = (process.env.UNMIX_BENCH_HARD_METHODS?.split(',') ?? Object.keys(METHODS)).filter(
    (name) => METHODS[name]?.model === 'convolutive',
  );
  section(
    `Hard rooms (8 x 7 x 3 m, 5 cm array, talkers 1.5-3 m; critical distance ${criticalDistance(0.3).toFixed(2)} / ` +
      `${criticalDistance(0.6).toFixed(2)} / ${criticalDistance(0.9).toFixed(2)} m at RT60 0.3 / 0.6 / 0.9 s): ` +
      `SI-SDRi (dB) and seconds, default options (auto = ${AUTO_METHOD})`,
  );
  const rooms = specs.map(makeHardRoom);
  const pra =
    runPyroomacoustics(
      rooms.map((room) => ({ ...room, name: room.spec.name, sources: room.spec.sources })),
      PEER_RUNS,
    ) ?? [];
  const rows: Row[] = [];
  for (const room of rooms) {
    const results = new Map<string, Row>();
    for (const method of methods) {
      // auto resolves to a registered method: reuse its row instead of running it twice.
      const name = method === 'auto' ? (AUTO_METHOD ?? method) : method;
      let row = results.get(name);
      if (!row) {
        const start = performance.now();
        const result = await separate(room.mixture, { method: name, sources: room.spec.sources });
        const seconds = (performance.now() - start) / 1000;
        const score = scoreSeparation(result.sources.channels, room.references, room.mixture.channels[0]);
        row = {
          room: room.spec.name,
          method: name,
          'SI-SDRi dB': score.meanSiSdri,
          'per source': score.siSdri.map((v) => v.toFixed(1)).join(' '),
          seconds,
        };
        results.set(name, row);
      }
      rows.push(method === 'auto' ? { ...row, method: `auto (${name})` } : row);
    }
    if (!methods.includes('auto') && AUTO_METHOD && results.has(AUTO_METHOD)) {
      rows.push({ ...results.get(AUTO_METHOD)!, method: `auto (${AUTO_METHOD})` });
    }
    rows.push(...pra.filter((r) => r.room === room.spec.name));
    // The ceiling of any one-matrix-per-bin method at FFT 2048: per-bin least squares on the references.
    const start = performance.now();
    const oracle = learnStftOracle(room.mixture, room.references, { fftSize: 2048, iterations: 0 });
    const score = scoreSeparation(oracle.sources.channels, room.references, room.mixture.channels[0]);
    rows.push({
      room: room.spec.name,
      method: 'oracle per-bin W (ceiling)',
      'SI-SDRi dB': score.meanSiSdri,
      'per source': score.siSdri.map((v) => v.toFixed(1)).join(' '),
      seconds: (performance.now() - start) / 1000,
    });
  }
  printTable(rows);
  console.log(`\n(${os.cpus().length} cores, shared: timings are inflated when other work runs)`);
}
