import type { Hertz, MultichannelSignal, Seconds } from '../audio/signal.js';
import { UnmixError } from '../errors.js';
import { convolveMany } from '../signal/convolve.js';
import { addWhiteNoise } from './noise.js';

/**
 * Shoebox rooms by the image method (J. B. Allen & D. A. Berkley, "Image method for
 * efficiently simulating small-room acoustics", JASA 65(4), 1979): every reflection path
 * from a source to a microphone in a rectangular room is the straight path from a mirror
 * image of the source, attenuated by the walls it crossed and by spherical spreading.
 *
 * Used to make convolutive test mixtures whose answer is known: the image of each source
 * at each microphone (the source convolved with its room impulse response) is what a
 * perfect separation with projection back returns.
 */

/** A point or size in metres: `[x, y, z]` (width, depth, height). */
export type Vector3 = readonly [number, number, number];

/** How a target RT60 is turned into a wall absorption coefficient. */
export type AbsorptionFormula = 'sabine' | 'eyring' | 'image';

/** Speed of sound in air at about 20 °C, m/s. */
export const SPEED_OF_SOUND = 343;

/** A rectangular room with sources and microphones in it. */
export interface ShoeboxRoom {
  /** Room size `[width, depth, height]`, metres, each > 0. */
  dimensions: Vector3;
  /** Microphone positions, metres, strictly inside the room. */
  microphones: Vector3[];
  /** Source positions, metres, strictly inside the room. */
  sources: Vector3[];
  /**
   * Target reverberation time (time for the sound energy to decay by 60 dB), seconds.
   * 0 (the default) is an anechoic room: only the direct paths. Ignored when
   * `absorption` is given.
   */
  rt60?: Seconds;
  /**
   * Energy absorption coefficient α of every wall, in (0, 1]: the fraction of the energy
   * a reflection removes (amplitude reflection coefficient √(1 − α)). Overrides `rt60`.
   */
  absorption?: number;
  /**
   * Formula that gives α from `rt60` and the room's volume V and surface S (c the speed
   * of sound):
   * - `'sabine'` (the default, as pyroomacoustics' `inverse_sabine`): `RT60 = 24 ln10 V / (c S α)`;
   * - `'eyring'`: `RT60 = 24 ln10 V / (−c S ln(1 − α))`;
   * - `'image'`: the decay that the image method itself produces in this shoebox (see
   *   {@link wallAbsorption}), so the measured RT60 (Schroeder, T20) of the responses
   *   matches the target.
   *
   * The image method decays more slowly than Eyring predicts (late energy comes from
   * paths that graze the walls and reflect less often), and Sabine's α is too large when
   * the walls absorb much, so their measured RT60 differs from the target. In a 6 x 5 x 3 m
   * room (T20 with the default high-pass): Sabine 0.15 / 0.3 / 0.6 s measure about
   * 0.10 / 0.27 / 0.62 s, Eyring 0.18 / 0.35 / 0.69 s, `'image'` 0.150 / 0.29 / 0.58 s.
   * Sabine stays the default so that rooms match pyroomacoustics' for the same numbers.
   */
  absorptionFormula?: AbsorptionFormula;
  /** Largest number of wall reflections of an image; default: all images that arrive within `rirSeconds`. */
  maxOrder?: number;
  /**
   * Length of the impulse responses, seconds after emission: images arriving later are
   * left out. Default `rt60` (the energy is then 60 dB down), and at least the longest
   * direct path.
   */
  rirSeconds?: Seconds;
  /** Speed of sound, m/s; default {@link SPEED_OF_SOUND}. */
  speedOfSound?: number;
  /**
   * Length of the windowed-sinc (Hann) fractional-delay kernel of each image, odd,
   * default 81 (as pyroomacoustics). Taps before time 0 are dropped, so a direct path
   * shorter than `(taps − 1) / 2` samples is slightly low-passed.
   */
  fractionalDelayTaps?: number;
  /**
   * Cut-off of a second-order Butterworth high-pass applied to each response, Hz; default
   * 20, 0 for none. The image sum is all positive pulses, which pile up into a slowly
   * rising low-frequency (DC) component that real rooms do not have and that lengthens the
   * measured decay; Allen & Berkley high-pass their responses for the same reason. It
   * also shifts the phase of the lowest frequencies slightly (0.1 rad at 300 Hz).
   */
  highPassHz?: number;
}

/** The impulse responses of a {@link ShoeboxRoom} at one sample rate. */
export interface RoomImpulseResponses {
  /** `rirs[mic][source]`, all the same length. */
  rirs: Float64Array[][];
  /** Sample rate of `rirs`, Hz. */
  sampleRate: Hertz;
  /** Energy absorption coefficient α of the walls (1 = anechoic). */
  absorption: number;
  /** Amplitude reflection coefficient of the walls, √(1 − α). */
  reflection: number;
  /** Target RT60 in seconds (0 when anechoic or when `absorption` was given). */
  rt60: Seconds;
  /** Formula used to get `absorption` from `rt60`. */
  absorptionFormula: AbsorptionFormula;
  /** Cut-off of the high-pass applied to the responses, Hz (0: none). */
  highPassHz: number;
  /** Largest number of wall reflections among the images used. */
  maxOrder: number;
  /** Number of images summed into each response, `[mic][source]`. */
  imageCounts: number[][];
  /** Direct-path delay `distance / c · sampleRate`, samples (fractional), `[mic][source]`. */
  directDelays: number[][];
  /** Direct-path gain `1 / (4π distance)`, `[mic][source]`. */
  directGains: number[][];
}

function describePoint(p: Vector3): string {
  return `(${p.map((v) => +v.toFixed(3)).join(', ')})`;
}

function checkRoom(room: ShoeboxRoom): void {
  const d = room.dimensions;
  if (!Array.isArray(d) || d.length !== 3 || !d.every((v) => Number.isFinite(v) && v > 0)) {
    throw new UnmixError(`room dimensions must be three positive lengths in metres, got ${JSON.stringify(d)}`, 'usage');
  }
  if (room.microphones.length === 0) throw new UnmixError('the room has no microphones', 'usage');
  if (room.sources.length === 0) throw new UnmixError('the room has no sources', 'usage');
  const inside = (p: Vector3, what: string): void => {
    if (!Array.isArray(p) || p.length !== 3 || !p.every((v) => Number.isFinite(v))) {
      throw new UnmixError(`${what} must be a point [x, y, z] in metres`, 'usage');
    }
    if (!p.every((v, i) => v > 0 && v < d[i])) {
      throw new UnmixError(
        `${what} at ${describePoint(p)} is outside the ${d.join(' x ')} m room (0 < x < ${d[0]}, 0 < y < ${d[1]}, 0 < z < ${d[2]})`,
        'usage',
      );
    }
  };
  room.microphones.forEach((p, i) => inside(p, `microphone ${i + 1}`));
  room.sources.forEach((p, j) => inside(p, `source ${j + 1}`));
  room.microphones.forEach((m, i) =>
    room.sources.forEach((s, j) => {
      if (Math.hypot(m[0] - s[0], m[1] - s[1], m[2] - s[2]) < 1e-3) {
        throw new UnmixError(`source ${j + 1} is at microphone ${i + 1} (less than 1 mm apart)`, 'usage');
      }
    }),
  );
  const taps = room.fractionalDelayTaps ?? 81;
  if (!Number.isInteger(taps) || taps < 1 || taps % 2 === 0) {
    throw new UnmixError(`the fractional-delay kernel needs an odd number of taps, got ${taps}`, 'usage');
  }
  if (room.rt60 !== undefined && !(room.rt60 >= 0 && Number.isFinite(room.rt60))) {
    throw new UnmixError(`RT60 must be a time >= 0 in seconds, got ${room.rt60}`, 'usage');
  }
  if (room.absorption !== undefined && !(room.absorption > 0 && room.absorption <= 1)) {
    throw new UnmixError(`wall absorption must be in (0, 1], got ${room.absorption}`, 'usage');
  }
  if (room.maxOrder !== undefined && !(Number.isInteger(room.maxOrder) && room.maxOrder >= 0)) {
    throw new UnmixError(`the image order must be a whole number >= 0, got ${room.maxOrder}`, 'usage');
  }
  if (room.highPassHz !== undefined && !(room.highPassHz >= 0 && Number.isFinite(room.highPassHz))) {
    throw new UnmixError(`the high-pass cut-off must be >= 0 Hz, got ${room.highPassHz}`, 'usage');
  }
  if (room.speedOfSound !== undefined && !(room.speedOfSound > 0 && Number.isFinite(room.speedOfSound))) {
    throw new UnmixError(`the speed of sound must be positive, got ${room.speedOfSound}`, 'usage');
  }
  if (room.rirSeconds !== undefined && !(room.rirSeconds > 0 && Number.isFinite(room.rirSeconds))) {
    throw new UnmixError(`the impulse response length must be positive, got ${room.rirSeconds} s`, 'usage');
  }
}

/**
 * Wall energy absorption α that gives a target RT60 in a shoebox room, by Sabine's or
 * Eyring's formula, or by the image method's own decay (see
 * {@link ShoeboxRoom.absorptionFormula}).
 *
 * `'image'`: an image at distance r in direction u has crossed about
 * `r g(u)` walls, `g(u) = |u_x|/W + |u_y|/D + |u_z|/H`, and the images in a shell at r
 * balance spherical spreading, so the reverberant energy is `E(t) = mean_u (1 − α)^{c t g(u)}`
 * and Schroeder's integral is `mean_u exp(−a g(u) t) / (a g(u))` with `a = −c ln(1 − α)`.
 * Its T20 is `τ / a` for the T20 τ of the curve at a = 1 (computed here by averaging
 * over directions and fitting the −5..−25 dB part, as {@link measureRt60} does), so
 * `α = 1 − exp(−τ / (c · rt60))`. With a constant g = S / (4V) this is Eyring's formula.
 *
 * @param rt60 - seconds, > 0
 * @param dimensions - metres
 * @param formula - default `'sabine'`
 * @param speedOfSound - m/s, default 343
 * @throws UnmixError when Sabine's formula needs α > 1 (the RT60 is too short for the room)
 */
export function wallAbsorption(
  rt60: Seconds,
  dimensions: Vector3,
  formula: AbsorptionFormula = 'sabine',
  speedOfSound = SPEED_OF_SOUND,
): number {
  const [w, d, h] = dimensions;
  const volume = w * d * h;
  const surface = 2 * (w * d + w * h + d * h);
  const sabine = (24 * Math.LN10 * volume) / (speedOfSound * surface * rt60);
  if (formula === 'eyring') return 1 - Math.exp(-sabine);
  if (formula === 'image') return 1 - Math.exp(-imageMethodT20(dimensions) / (speedOfSound * rt60));
  if (sabine > 1) {
    const shortest = (24 * Math.LN10 * volume) / (speedOfSound * surface);
    throw new UnmixError(
      `an RT60 of ${rt60} s is too short for a ${dimensions.join(' x ')} m room by Sabine's formula ` +
        `(shortest ${shortest.toFixed(3)} s; use Eyring's formula or a longer RT60)`,
      'usage',
    );
  }
  return sabine;
}

/** T20 of the image method's model decay curve at a = 1 (see {@link wallAbsorption}); units of 1/a. */
function imageMethodT20(dimensions: Vector3): number {
  const [w, d, h] = dimensions;
  // Walls crossed per metre, g(u), over a midpoint grid of one octant of the unit sphere
  // (uniform in cos θ and φ, so every cell has the same solid angle).
  const grid = 48;
  const rates: number[] = [];
  for (let i = 0; i < grid; i++) {
    const cosTheta = (i + 0.5) / grid;
    const sinTheta = Math.sqrt(1 - cosTheta * cosTheta);
    for (let j = 0; j < grid; j++) {
      const phi = ((j + 0.5) / grid) * (Math.PI / 2);
      rates.push((sinTheta * Math.cos(phi)) / w + (sinTheta * Math.sin(phi)) / d + cosTheta / h);
    }
  }
  const edc = (t: number): number => {
    let sum = 0;
    for (const g of rates) sum += Math.exp(-g * t) / g;
    return sum;
  };
  const total = edc(0);
  const meanRate = rates.reduce((s, g) => s + g, 0) / rates.length;
  // Sample the curve finely enough for a least-squares line like measureRt60's.
  const step = 0.01 / meanRate;
  let count = 0;
  let st = 0;
  let sd = 0;
  let stt = 0;
  let std = 0;
  for (let t = 0; ; t += step) {
    const db = 10 * Math.log10(edc(t) / total);
    if (db > -5) continue;
    if (db < -25) break;
    count++;
    st += t;
    sd += db;
    stt += t * t;
    std += t * db;
  }
  const slope = (count * std - st * sd) / (count * stt - st * st);
  return -60 / slope;
}

/**
 * Room impulse responses from every source to every microphone by the image method.
 *
 * Each image (lattice indices n ∈ Z³ and mirror parities p ∈ {0,1}³ as in Allen &
 * Berkley) at distance r adds `β^k / (4π r)` (k wall reflections, β = √(1 − α)) at the
 * fractional delay `r / c` seconds, through a Hann-windowed sinc kernel, so delays are
 * exact to the band limit rather than rounded to a sample.
 *
 * @param room - geometry and acoustics, see {@link ShoeboxRoom}
 * @param sampleRate - Hz
 * @returns `rirs[mic][source]` and what was used to make them
 */
export function roomImpulseResponses(room: ShoeboxRoom, sampleRate: Hertz): RoomImpulseResponses {
  checkRoom(room);
  if (!(sampleRate > 0 && Number.isFinite(sampleRate))) {
    throw new UnmixError(`the sample rate must be positive, got ${sampleRate}`, 'usage');
  }
  const c = room.speedOfSound ?? SPEED_OF_SOUND;
  const formula = room.absorptionFormula ?? 'sabine';
  const rt60 = room.absorption === undefined ? (room.rt60 ?? 0) : 0;
  const absorption = room.absorption ?? (rt60 > 0 ? wallAbsorption(rt60, room.dimensions, formula, c) : 1);
  const reflection = Math.sqrt(Math.max(0, 1 - absorption));
  const taps = room.fractionalDelayTaps ?? 81;
  const halfWidth = (taps - 1) / 2;
  const highPassHz = room.highPassHz ?? 20;
  if (highPassHz >= sampleRate / 2) {
    throw new UnmixError(`the high-pass cut-off ${highPassHz} Hz is not below half the sample rate`, 'usage');
  }

  const distance = (a: Vector3, b: Vector3): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  let longestDirect = 0;
  for (const m of room.microphones)
    for (const s of room.sources) longestDirect = Math.max(longestDirect, distance(m, s));
  // With no reflections (β = 0) only the direct path carries energy.
  const defaultSeconds =
    reflection > 0 ? (room.absorption !== undefined ? estimateRt60(room, absorption, c) : rt60) : 0;
  const seconds = Math.max(room.rirSeconds ?? defaultSeconds, longestDirect / c);
  const maxDistance = seconds * c;
  const maxOrder = reflection > 0 ? (room.maxOrder ?? Number.MAX_SAFE_INTEGER) : 0;
  const length = Math.ceil(seconds * sampleRate) + halfWidth + 2;

  const rirs: Float64Array[][] = [];
  const imageCounts: number[][] = [];
  const directDelays: number[][] = [];
  const directGains: number[][] = [];
  let usedOrder = 0;
  for (const mic of room.microphones) {
    const rirRow: Float64Array[] = [];
    const countRow: number[] = [];
    const delayRow: number[] = [];
    const gainRow: number[] = [];
    for (const source of room.sources) {
      const h = new Float64Array(length);
      // Per axis: the displacement of each image from the microphone and its reflection count.
      const axes = [0, 1, 2].map((a) => axisImages(source[a], mic[a], room.dimensions[a], maxDistance, maxOrder));
      const [ax, ay, az] = axes;
      let count = 0;
      for (let i = 0; i < ax.offsets.length; i++) {
        const dx2 = ax.offsets[i] * ax.offsets[i];
        for (let j = 0; j < ay.offsets.length; j++) {
          const dxy2 = dx2 + ay.offsets[j] * ay.offsets[j];
          if (dxy2 > maxDistance * maxDistance) continue;
          const kxy = ax.orders[i] + ay.orders[j];
          if (kxy > maxOrder) continue;
          for (let k = 0; k < az.offsets.length; k++) {
            const order = kxy + az.orders[k];
            if (order > maxOrder) continue;
            const r = Math.sqrt(dxy2 + az.offsets[k] * az.offsets[k]);
            if (r > maxDistance && order > 0) continue;
            const gain = (order === 0 ? 1 : reflection ** order) / (4 * Math.PI * r);
            addFractionalDelay(h, (r / c) * sampleRate, gain, halfWidth);
            count++;
            if (order > usedOrder) usedOrder = order;
          }
        }
      }
      if (highPassHz > 0) highPass(h, highPassHz, sampleRate);
      const direct = distance(mic, source);
      rirRow.push(h);
      countRow.push(count);
      delayRow.push((direct / c) * sampleRate);
      gainRow.push(1 / (4 * Math.PI * direct));
    }
    rirs.push(rirRow);
    imageCounts.push(countRow);
    directDelays.push(delayRow);
    directGains.push(gainRow);
  }
  return {
    rirs,
    sampleRate,
    absorption,
    reflection,
    rt60,
    absorptionFormula: formula,
    highPassHz,
    maxOrder: usedOrder,
    imageCounts,
    directDelays,
    directGains,
  };
}

/** Eyring's RT60 of a room with wall absorption α (what the image method produces). */
function estimateRt60(room: ShoeboxRoom, absorption: number, c: number): Seconds {
  const [w, d, h] = room.dimensions;
  const volume = w * d * h;
  const surface = 2 * (w * d + w * h + d * h);
  return (24 * Math.LN10 * volume) / (-c * surface * Math.log(1 - Math.min(absorption, 1 - 1e-12)));
}

/**
 * The images of a source coordinate along one axis of length `size`: position
 * `(1 − 2p) s + 2 n size` for n ∈ Z, p ∈ {0, 1}, with `|n − p| + |n|` reflections
 * (Allen & Berkley's indices), as displacements from the microphone coordinate,
 * keeping those within `maxDistance` and `maxOrder`.
 */
function axisImages(
  source: number,
  mic: number,
  size: number,
  maxDistance: number,
  maxOrder: number,
): { offsets: number[]; orders: number[] } {
  const offsets: number[] = [];
  const orders: number[] = [];
  const nMax = Math.ceil(maxDistance / (2 * size)) + 1;
  for (let n = -nMax; n <= nMax; n++) {
    for (let p = 0; p <= 1; p++) {
      const order = Math.abs(n - p) + Math.abs(n);
      if (order > maxOrder) continue;
      const offset = (1 - 2 * p) * source + 2 * n * size - mic;
      if (Math.abs(offset) > maxDistance && order > 0) continue;
      offsets.push(offset);
      orders.push(order);
    }
  }
  return { offsets, orders };
}

/**
 * Add `gain · w(t − τ) sinc(t − τ)` to `h` for the integer times t within `halfWidth + 1`
 * of τ, w a Hann window of half-width `halfWidth + 1` centred on τ. The sine and the
 * window's cosine are advanced by rotation, not recomputed per tap.
 */
function addFractionalDelay(h: Float64Array, tau: number, gain: number, halfWidth: number): void {
  const base = Math.floor(tau);
  const fraction = tau - base;
  const span = halfWidth + 1;
  if (fraction < 1e-9) {
    // On a sample: the sinc is a unit impulse there.
    if (base < h.length) h[base] += gain;
    return;
  }
  // sin(π(k − f)) = −(−1)^k sin(πf) for integer k.
  const sinPiF = Math.sin(Math.PI * fraction);
  // Window cos(π x / span) at x = k − f, advanced in steps of π / span.
  const step = Math.PI / span;
  const cosStep = Math.cos(step);
  const sinStep = Math.sin(step);
  const first = -halfWidth;
  let angleCos = Math.cos(step * (first - fraction));
  let angleSin = Math.sin(step * (first - fraction));
  let sign = first % 2 === 0 ? -1 : 1;
  for (let k = first; k <= span; k++) {
    const t = base + k;
    const x = k - fraction;
    if (t >= 0 && t < h.length && x > -span && x < span) {
      const window = 0.5 * (1 + angleCos);
      h[t] += (gain * window * sign * sinPiF) / (Math.PI * x);
    }
    const nextCos = angleCos * cosStep - angleSin * sinStep;
    angleSin = angleSin * cosStep + angleCos * sinStep;
    angleCos = nextCos;
    sign = -sign;
  }
}

/** Second-order Butterworth high-pass (bilinear transform), in place. */
function highPass(x: Float64Array, cutoffHz: number, sampleRate: Hertz): void {
  const k = Math.tan((Math.PI * cutoffHz) / sampleRate);
  const norm = 1 / (1 + Math.SQRT2 * k + k * k);
  const b0 = norm;
  const a1 = 2 * (k * k - 1) * norm;
  const a2 = (1 - Math.SQRT2 * k + k * k) * norm;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let t = 0; t < x.length; t++) {
    const input = x[t];
    const y = b0 * (input - 2 * x1 + x2) - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = input;
    y2 = y1;
    y1 = y;
    x[t] = y;
  }
}

/** A talker that moves (or a new talker that takes over a source's track) during a simulation. */
export interface SourceMove {
  /** Index of the source in `room.sources`, 0-based. */
  source: number;
  /** From this time on the source speaks from `to`, seconds. */
  atSeconds: number;
  /** The new position, metres. */
  to: Vector3;
}

/** Options of {@link simulateRoom}. */
export interface SimulateRoomOptions {
  /**
   * Add white Gaussian noise to the mixture (not to the images) at this signal-to-noise
   * ratio, dB, relative to the mixture's power averaged over microphones. Default: none.
   */
  snrDb?: number;
  /** Seed of the noise; default 0. */
  seed?: number;
  /**
   * Keep the reverberant tail after the sources end (`T + rirLength − 1` samples).
   * Default false: the mixture and images are as long as the sources.
   */
  keepTail?: boolean;
  /**
   * Sources that jump to new positions at given times (piecewise-static: each stretch
   * between moves is convolved with the responses of its position, and the reverberant
   * tail of one stretch carries on into the next, as in a room). Default: none.
   */
  moves?: SourceMove[];
}

/** One stretch of one source at one position, a column of {@link RoomSimulation.room}'s `rirs`. */
export interface SourceSegment {
  /** Index of the source, 0-based. */
  source: number;
  /** First frame of the stretch. */
  startFrame: number;
  /** Frame after the last one. */
  endFrame: number;
  /** Position, metres. */
  position: Vector3;
}

/** What {@link simulateRoom} returns. */
export interface RoomSimulation {
  /** What the microphones record: one channel per microphone. */
  mixture: MultichannelSignal;
  /**
   * `images[source]`: that source alone at every microphone (the source convolved with
   * its impulse responses), one channel per microphone. Summed over sources they give
   * the mixture (before noise).
   */
  images: MultichannelSignal[];
  /**
   * The impulse responses used, one column per segment: without `moves` that is one per
   * source, in order; with them, the sources' first positions come first and then each
   * move's position in the order of `segments`.
   */
  room: RoomImpulseResponses;
  /** The stretches of each source at each position, in the order of the columns of `room.rirs`. */
  segments: SourceSegment[];
  /** RMS of the added noise per microphone channel (0 without `snrDb`). */
  noiseRms: number;
}

/**
 * Simulate recording `sources` in a shoebox room: each microphone hears every source
 * through its room impulse response (FFT overlap-add convolution), plus optional white
 * noise, and optionally with sources that move.
 *
 * @param sources - one channel per source, in the order of `room.sources`
 * @param room - geometry and acoustics; impulse responses are made at `sources.sampleRate`
 */
export function simulateRoom(
  sources: MultichannelSignal,
  room: ShoeboxRoom,
  options: SimulateRoomOptions = {},
): RoomSimulation {
  const n = sources.channels.length;
  if (n === 0) throw new UnmixError('no sources to place in the room', 'usage');
  if (n !== room.sources.length) {
    throw new UnmixError(`${n} source signals but ${room.sources.length} source positions`, 'usage');
  }
  const frames = sources.channels[0].length;
  sources.channels.forEach((x, j) => {
    if (x.length !== frames) {
      throw new UnmixError(`source ${j + 1} has ${x.length} samples but source 1 has ${frames}`, 'input');
    }
  });
  for (const move of options.moves ?? []) {
    const d = room.dimensions;
    if (!(Array.isArray(move.to) && move.to.length === 3 && move.to.every((v, i) => v > 0 && v < d[i]))) {
      throw new UnmixError(
        `the move of source ${move.source + 1} goes to ${JSON.stringify(move.to)}, outside the ${d.join(' x ')} m room`,
        'usage',
      );
    }
  }
  const segments = sourceSegments(room.sources, options.moves ?? [], frames, sources.sampleRate);
  const responses = roomImpulseResponses({ ...room, sources: segments.map((s) => s.position) }, sources.sampleRate);
  const m = room.microphones.length;
  const rirLength = responses.rirs[0][0].length;
  const length = options.keepTail ? frames + rirLength - 1 : frames;
  const images: MultichannelSignal[] = sources.channels.map(() => ({
    sampleRate: sources.sampleRate,
    channels: Array.from({ length: m }, () => new Float64Array(length)),
  }));
  segments.forEach((segment, column) => {
    const start = segment.startFrame;
    if (start >= length || segment.endFrame <= start) return;
    const stretch = sources.channels[segment.source].subarray(start, segment.endFrame);
    const parts = convolveMany(
      stretch,
      responses.rirs.map((row) => row[column]),
      Math.min(length - start, stretch.length + rirLength - 1),
    );
    const image = images[segment.source].channels;
    parts.forEach((part, i) => {
      const y = image[i];
      for (let t = 0; t < part.length; t++) y[start + t] += part[t];
    });
  });
  const mixture: Float64Array[] = Array.from({ length: m }, () => new Float64Array(length));
  for (const image of images) {
    image.channels.forEach((x, i) => {
      const y = mixture[i];
      for (let t = 0; t < length; t++) y[t] += x[t];
    });
  }
  const mixed: MultichannelSignal = { sampleRate: sources.sampleRate, channels: mixture };
  const noiseRms = options.snrDb === undefined ? 0 : addWhiteNoise(mixed, options.snrDb, options.seed ?? 0);
  return { mixture: mixed, images, room: responses, segments, noiseRms };
}

/** Split each source's track at its moves: first positions in source order, then the moves. */
function sourceSegments(positions: Vector3[], moves: SourceMove[], frames: number, sampleRate: Hertz): SourceSegment[] {
  const n = positions.length;
  for (const move of moves) {
    if (!(Number.isInteger(move.source) && move.source >= 0 && move.source < n)) {
      throw new UnmixError(`a move names source ${move.source + 1}, but there are ${n} sources`, 'usage');
    }
    if (!(move.atSeconds > 0 && Number.isFinite(move.atSeconds))) {
      throw new UnmixError(`a move must happen after the start, got ${move.atSeconds} s`, 'usage');
    }
  }
  const ordered = moves
    .map((move, index) => ({ ...move, index, frame: Math.min(frames, Math.round(move.atSeconds * sampleRate)) }))
    .sort((a, b) => a.frame - b.frame || a.index - b.index);
  const firstMove = (j: number): number => ordered.find((move) => move.source === j)?.frame ?? frames;
  const segments: SourceSegment[] = positions.map((position, j) => ({
    source: j,
    startFrame: 0,
    endFrame: firstMove(j),
    position,
  }));
  ordered.forEach((move, k) => {
    // Sorted by time: the next move of the same source ends this stretch (at the same frame: empty).
    const next = ordered.slice(k + 1).find((other) => other.source === move.source);
    segments.push({ source: move.source, startFrame: move.frame, endFrame: next?.frame ?? frames, position: move.to });
  });
  return segments;
}
