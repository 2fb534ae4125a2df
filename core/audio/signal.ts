import { UnmixError } from '../errors.js';

/** Samples per second. */
export type Hertz = number;
/** Time in seconds. */
export type Seconds = number;

/**
 * A multichannel signal in planar layout: one `Float64Array` per channel (microphone or
 * source), all of the same length, samples nominally in [-1, 1).
 *
 * This is the one signal type of unmix: WAV decoding produces it, every algorithm takes
 * and returns it, WAV encoding consumes it. Never interleave inside core.
 */
export interface MultichannelSignal {
  /** Sample rate in Hz. */
  sampleRate: Hertz;
  /** One array per channel, all `frames` long. */
  channels: Float64Array[];
}

/** Number of frames (samples per channel) of `signal`; 0 when it has no channels. */
export function frameCount(signal: MultichannelSignal): number {
  return signal.channels.length === 0 ? 0 : signal.channels[0].length;
}

/** Duration of `signal` in seconds. */
export function durationSeconds(signal: MultichannelSignal): Seconds {
  return frameCount(signal) / signal.sampleRate;
}

/**
 * Allocate a silent signal.
 * @param channelCount - number of channels (>= 0)
 * @param frames - samples per channel
 * @param sampleRate - in Hz
 */
export function createSignal(channelCount: number, frames: number, sampleRate: Hertz): MultichannelSignal {
  const channels: Float64Array[] = [];
  for (let c = 0; c < channelCount; c++) channels.push(new Float64Array(frames));
  return { sampleRate, channels };
}

/**
 * Check that `signal` is well formed for processing: a positive finite sample rate,
 * at least `minChannels` channels of equal non-zero length, and only finite samples.
 * Throws an {@link UnmixError} with a plain message otherwise.
 *
 * @param what - how to name the signal in messages, e.g. a file name
 */
export function validateSignal(signal: MultichannelSignal, what = 'the signal', minChannels = 1): void {
  if (!(signal.sampleRate > 0) || !Number.isFinite(signal.sampleRate)) {
    throw new UnmixError(`${what} has an invalid sample rate (${signal.sampleRate})`);
  }
  const n = signal.channels.length;
  if (n < minChannels) {
    throw new UnmixError(
      `${what} has ${n} channel${n === 1 ? '' : 's'}; at least ${minChannels} ${minChannels === 1 ? 'is' : 'are'} needed`,
    );
  }
  const frames = frameCount(signal);
  if (frames === 0) throw new UnmixError(`${what} holds no samples`);
  for (let c = 0; c < n; c++) {
    const x = signal.channels[c];
    if (x.length !== frames) {
      throw new UnmixError(`${what}: channel ${c + 1} has ${x.length} samples but channel 1 has ${frames}`);
    }
    for (let i = 0; i < frames; i++) {
      const v = x[i];
      if (v - v !== 0) {
        throw new UnmixError(`${what}: channel ${c + 1} holds a non-finite sample (${v}) at frame ${i}`);
      }
    }
  }
}

/** Per-channel level statistics, as `unmix info` reports them. */
export interface ChannelStats {
  /** Largest absolute sample value, linear (1 = full scale). */
  peak: number;
  /** Root mean square, linear. */
  rms: number;
  /** Samples at or beyond full scale (clipped), see {@link channelStats}. */
  clipped: number;
}

/**
 * Peak, RMS and clipping count of each channel.
 *
 * @param clipLevel - a sample counts as clipped when `x >= clipLevel` or `x <= -1`.
 *   For integer PCM pass the largest positive code, `(2^(b-1) - 1) / 2^(b-1)`; the
 *   default 1 suits floating-point data.
 */
export function channelStats(signal: MultichannelSignal, clipLevel = 1): ChannelStats[] {
  return signal.channels.map((x) => {
    let peak = 0;
    let sum = 0;
    let clipped = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      sum += v * v;
      if (v >= clipLevel || v <= -1) clipped++;
    }
    return { peak, rms: x.length > 0 ? Math.sqrt(sum / x.length) : 0, clipped };
  });
}
