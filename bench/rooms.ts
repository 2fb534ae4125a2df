/**
 * The standard simulated rooms of the real-rooms issue, shared by every benchmark that
 * scores a separation (bench/iva.ts, bench/online.ts, bench/eval.ts): a 6 x 5 x 3 m
 * shoebox, a linear array of microphones 5-6 cm apart near the room centre, talkers
 * 1-2 m away at distinct angles, 16 kHz, 8 s, seeded so every run makes the same
 * signals. The talkers are the espeak-ng sentences of fixtures/voices/ (8 s, 16 kHz;
 * synthetic speech for other rates or lengths), each at unit RMS before the room. Not a
 * benchmark module itself.
 *
 * ```ts
 * import { makeRoom, scoreSeparation } from './rooms.js';
 * const room = makeRoom('2x2-rt150');
 * const estimates = mySeparation(room.mixture); // one channel per source
 * const score = scoreSeparation(estimates.channels, room.references, room.mixture.channels[0]);
 * console.log(score.meanSiSdri);
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { channelStats, type MultichannelSignal } from '../core/audio/signal.js';
import { decodeWav } from '../core/audio/wav.js';
import { WavStreamWriter } from '../cli/wavStream.js';
import { evaluate } from '../core/eval/evaluate.js';
import { createRandom } from '../core/random.js';
import { linearArray, placeSources } from '../core/room/placement.js';
import { measureRt60 } from '../core/room/rt60.js';
import {
  simulateRoom,
  type RoomImpulseResponses,
  type ShoeboxRoom,
  type SourceSegment,
  type Vector3,
} from '../core/room/shoebox.js';
import { synthesizeSource } from '../core/room/sources.js';

/** One standard room: counts, reverberation and the seed of its geometry and voices. */
export interface StandardRoomSpec {
  name: string;
  sources: number;
  microphones: number;
  /** Target RT60, seconds (Sabine's formula, as pyroomacoustics' `inverse_sabine`). */
  rt60: number;
  seed: number;
  /** What the issue asks of separation on it (SI-SDR improvement), for bench tables. */
  target: string;
  /**
   * A speaker switch, for online methods: at this time (seconds) the last talker moves to
   * a new seeded place, 1-2 m from the array at another angle.
   */
  moveAtSeconds?: number;
}

/** The rooms of issue 4 (2x2 at RT60 0.15 and 0.3 s, 3x3 at 0.2 s) and a 4x4 at 0.2 s. */
export const STANDARD_ROOMS: readonly StandardRoomSpec[] = [
  { name: '2x2-rt150', sources: 2, microphones: 2, rt60: 0.15, seed: 1, target: '>= 18 dB' },
  { name: '2x2-rt300', sources: 2, microphones: 2, rt60: 0.3, seed: 2, target: '>= 6 dB' },
  { name: '3x3-rt200', sources: 3, microphones: 3, rt60: 0.2, seed: 3, target: '>= 9 dB' },
  { name: '4x4-rt200', sources: 4, microphones: 4, rt60: 0.2, seed: 4, target: '(none set)' },
];

/**
 * A room for online (adaptive) separation, not in {@link STANDARD_ROOMS}: 2x2, RT60 0.2 s,
 * and at 4 s (half of the 8 s) the second talker moves to another place, so the mixing
 * filters change and the separation must re-converge. `makeRoom('2x2-rt200-switch')`.
 */
export const SWITCH_ROOM: StandardRoomSpec = {
  name: '2x2-rt200-switch',
  sources: 2,
  microphones: 2,
  rt60: 0.2,
  seed: 5,
  target: '(online: re-converge after the move)',
  moveAtSeconds: 4,
};

const NAMED_ROOMS: readonly StandardRoomSpec[] = [...STANDARD_ROOMS, SWITCH_ROOM];

/** A simulated recording with everything needed to score a separation of it. */
export interface BenchRoom {
  spec: StandardRoomSpec;
  sampleRate: number;
  /** What the microphones hear: one channel per microphone, peak 0.8. */
  mixture: MultichannelSignal;
  /** `images[k]`: source k alone at every microphone (same scale as the mixture). */
  images: MultichannelSignal[];
  /** `references[k]`: source k's image at the first microphone, the scoring reference. */
  references: Float64Array[];
  /** The dry (anechoic, unit-RMS) source signals. */
  dry: MultichannelSignal;
  /** Where the talkers came from. */
  material: 'voices' | 'synthetic';
  /** The geometry and acoustics the room was made with. */
  geometry: ShoeboxRoom;
  /**
   * Impulse responses `rirs[mic][column]` and what was used to make them; one column per
   * source, plus, in a switch room, one for the moving talker's second place.
   */
  responses: RoomImpulseResponses;
  /** Which source each column of `responses.rirs` belongs to, with its frames and position. */
  segments: SourceSegment[];
  /** Mean measured RT60 (Schroeder T20) over the impulse responses, seconds. */
  measuredRt60: number;
}

/** Options of {@link makeRoom}. */
export interface MakeRoomOptions {
  /** Length, seconds; default 8. */
  seconds?: number;
  /** Sample rate, Hz; default 16000. */
  sampleRate?: number;
  /**
   * The talkers: `'voices'` (the espeak-ng sentences of fixtures/voices/, 16 kHz, 8 s;
   * the default when the rate is 16 kHz and the length at most 8 s) or `'synthetic'`
   * (core/room/sources.ts speech, any rate and length; the default otherwise).
   */
  material?: 'voices' | 'synthetic';
}

/** fixtures/voices/, found from this file in bench/ (sources under vitest) or dist/bench/ (built). */
function voicesDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    const candidate = path.join(dir, 'fixtures', 'voices');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('fixtures/voices/ not found');
}

/** Voice k (1-4) of fixtures/voices, the first `frames` samples, scaled to unit RMS. */
export function readVoice(k: number, frames: number): Float64Array {
  const file = path.join(voicesDirectory(), `voice${k}.wav`);
  const { signal } = decodeWav(fs.readFileSync(file));
  const x = new Float64Array(frames);
  x.set(signal.channels[0].subarray(0, frames));
  let sum = 0;
  for (let t = 0; t < frames; t++) sum += x[t] * x[t];
  const scale = 1 / Math.sqrt(sum / frames);
  for (let t = 0; t < frames; t++) x[t] *= scale;
  return x;
}

/** Mean pitches of the synthetic talkers, Hz: two low and two high voices, alternating. */
const PITCHES = [110, 210, 140, 240];

const DIMENSIONS: Vector3 = [6, 5, 3];

const cache = new Map<string, BenchRoom>();

/**
 * Layout `index` of a named room: the same room type (counts, RT60, distances) with its
 * array place, talker places and voices drawn from seed `seed + 100 * index`; layout 0 is
 * the named room itself. On simulated rooms a method's score moves by 5-10 dB from one
 * layout to the next, so one room ranks nothing: benchmarks report means over layouts.
 */
export function roomLayout(name: string, index: number, options: MakeRoomOptions = {}): BenchRoom {
  const spec = NAMED_ROOMS.find((r) => r.name === name);
  if (!spec) throw new Error(`unknown room '${name}'; choose from ${NAMED_ROOMS.map((r) => r.name).join(', ')}`);
  if (index === 0) return makeRoom(spec, options);
  return makeRoom({ ...spec, name: `${name}@${index}`, seed: spec.seed + 100 * index }, options);
}

/**
 * Make (or return the cached) standard room by name or spec. Deterministic: the same
 * spec and options give the same samples on every machine.
 */
export function makeRoom(room: string | StandardRoomSpec, options: MakeRoomOptions = {}): BenchRoom {
  const spec = typeof room === 'string' ? NAMED_ROOMS.find((r) => r.name === room) : room;
  if (!spec) {
    throw new Error(`unknown room '${String(room)}'; choose from ${NAMED_ROOMS.map((r) => r.name).join(', ')}`);
  }
  const seconds = options.seconds ?? 8;
  const sampleRate = options.sampleRate ?? 16000;
  const material = options.material ?? (sampleRate === 16000 && seconds <= 8 ? 'voices' : 'synthetic');
  if (material === 'voices' && (sampleRate !== 16000 || seconds > 8)) {
    throw new Error('fixtures/voices are 8 s at 16 kHz: use material "synthetic" for other rates and lengths');
  }
  const key = `${JSON.stringify(spec)}/${seconds}/${sampleRate}/${material}`;
  const cached = cache.get(key);
  if (cached) return cached;

  const rng = createRandom(1000 + spec.seed);
  const center: Vector3 = [2.8 + 0.4 * rng.uniform(), 2.3 + 0.4 * rng.uniform(), 1.3 + 0.3 * rng.uniform()];
  const spacing = 0.05 + 0.01 * rng.uniform();
  const azimuth = 180 * rng.uniform();
  // A moving talker gets one more place, drawn with the others so all angles differ.
  const places = placeSources(spec.sources + (spec.moveAtSeconds === undefined ? 0 : 1), {
    dimensions: DIMENSIONS,
    center,
    arrayAzimuthDegrees: azimuth,
    minDistance: 1,
    maxDistance: 2,
    // Talkers in distinct directions the array can tell apart: 30° or more apart and not
    // within 30° of its axis (end-fire), as in the usual BSS benchmark set-ups.
    minSeparationDegrees: 30,
    endfireMarginDegrees: 30,
    seed: spec.seed,
  });
  const geometry: ShoeboxRoom = {
    dimensions: DIMENSIONS,
    microphones: linearArray(center, spec.microphones, spacing, azimuth),
    sources: places.slice(0, spec.sources),
    rt60: spec.rt60,
  };
  const moves =
    spec.moveAtSeconds === undefined
      ? []
      : [{ source: spec.sources - 1, atSeconds: spec.moveAtSeconds, to: places[spec.sources] }];
  const frames = Math.round(seconds * sampleRate);
  const dry: MultichannelSignal = {
    sampleRate,
    // Voices rotate with the seed, so each room has its own pair or set of talkers.
    channels: Array.from({ length: spec.sources }, (_, k) =>
      material === 'voices'
        ? readVoice(((spec.seed - 1 + k) % 4) + 1, frames)
        : synthesizeSource({
            kind: 'speech',
            frames,
            sampleRate,
            seed: 100 * spec.seed + k,
            pitchHz: PITCHES[k % PITCHES.length],
          }),
    ),
  };
  const simulation = simulateRoom(dry, geometry, { moves });
  // Scale so the mixture peaks at 0.8, as a recording would be levelled.
  const peak = Math.max(...channelStats(simulation.mixture).map((c) => c.peak));
  const gain = 0.8 / peak;
  for (const signal of [simulation.mixture, ...simulation.images]) {
    for (const x of signal.channels) for (let t = 0; t < x.length; t++) x[t] *= gain;
  }
  const rt60s = simulation.room.rirs.flat().map((h) => measureRt60(h, sampleRate));
  const result: BenchRoom = {
    spec,
    sampleRate,
    mixture: simulation.mixture,
    images: simulation.images,
    references: simulation.images.map((image) => image.channels[0]),
    dry,
    material,
    geometry,
    responses: simulation.room,
    segments: simulation.segments,
    measuredRt60: rt60s.reduce((s, v) => s + v, 0) / rt60s.length,
  };
  cache.set(key, result);
  return result;
}

/** Every standard room (made on first use, then cached). */
export function standardRooms(options: MakeRoomOptions = {}): BenchRoom[] {
  return STANDARD_ROOMS.map((spec) => makeRoom(spec, options));
}

/** Scores of one separation against its references. */
export interface SeparationScore {
  /** `permutation[k]`: the estimate assigned to reference k. */
  permutation: number[];
  /** SI-SDR of each reference's estimate, dB. */
  siSdr: number[];
  /** SI-SDR of the unprocessed mixture channel against each reference, dB. */
  siSdrMixture: number[];
  /** Improvement `siSdr - siSdrMixture`, dB. */
  siSdri: number[];
  meanSiSdr: number;
  meanSiSdri: number;
}

/**
 * SI-SDR and its improvement over the unprocessed mixture channel, with the assignment
 * of estimates to references that maximises the mean SI-SDR (core/eval `evaluate`: PIT's
 * `bestAssignment`: exhaustive up to 4 sources, Hungarian beyond, both exact).
 *
 * @param estimates - separated signals, at least as many as references
 * @param references - e.g. {@link BenchRoom.references}
 * @param mixtureChannel - the microphone the references are images at (the first one)
 */
export function scoreSeparation(
  estimates: Float64Array[],
  references: Float64Array[],
  mixtureChannel: Float64Array,
): SeparationScore {
  if (estimates.length < references.length) {
    throw new Error(`${estimates.length} estimates for ${references.length} references`);
  }
  const { sources, permutation } = evaluate(references, estimates, {
    mixture: mixtureChannel,
    metrics: ['si_sdr', 'si_sdri'],
  });
  const scores = sources.map((s) => s.si_sdr!);
  const improvement = sources.map((s) => s.si_sdri!);
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  return {
    permutation,
    siSdr: scores,
    siSdrMixture: scores.map((s, k) => s - improvement[k]),
    siSdri: improvement,
    meanSiSdr: mean(scores),
    meanSiSdri: mean(improvement),
  };
}

/**
 * Write a `minutes`-long 16-bit PCM file by tiling a standard room's mixture, block by
 * block (constant memory): the input of the long-file speed benchmarks. WAVE_FORMAT_EXTENSIBLE
 * for more than 2 channels.
 */
export function writeTiledRoomFile(file: string, roomName: string, minutes: number): void {
  const room = makeRoom(roomName);
  const channels = room.mixture.channels.length;
  const writer = new WavStreamWriter(file, {
    encoding: 'pcm',
    bitDepth: 16,
    channels,
    sampleRate: room.sampleRate,
    extensible: channels > 2,
    channelMask: 0,
  });
  const total = Math.round(minutes * 60 * room.sampleRate);
  const tile = room.mixture.channels[0].length;
  for (let at = 0; at < total; at += tile) writer.write(room.mixture.channels, 0, Math.min(tile, total - at));
  writer.close();
}
