import { UnmixError } from '../errors.js';
import { stftChannel, stftLayout } from './stft.js';
import { createWindow, type WindowName } from './window.js';

/**
 * Power spectrograms for display: the STFT of {@link stftChannel} reduced to decibels,
 * stored compactly (Float32) so a long recording draws from a few megabytes.
 */

/** A power spectrogram in dB. */
export interface Spectrogram {
  /** Sample rate of the signal in Hz. */
  sampleRate: number;
  /** Frame length in samples; bin `f` is at `f * sampleRate / fftSize` Hz. */
  fftSize: number;
  /** Distance between frames in samples. */
  hopSamples: number;
  /** `fftSize / 2 + 1`. */
  bins: number;
  /** Number of frames. */
  frames: number;
  /**
   * Sample index of the centre of frame 0 (negative: the STFT pads the start so every
   * sample is covered); frame `t` is centred at `frameOffsetSamples + t * hopSamples`.
   */
  frameOffsetSamples: number;
  /**
   * Power in dB, bin-major like the STFT: bin `f`, frame `t` at `f * frames + t`.
   * 0 dB is a full-scale sine's peak bin (power normalised by the window's sum squared,
   * times 4 for the one-sided spectrum); silence is clamped at {@link SPECTROGRAM_FLOOR_DB}.
   */
  powerDb: Float32Array;
}

/** Options of {@link spectrogram}. */
export interface SpectrogramOptions {
  /** Frame length, a power of two; default the power of two nearest 32 ms. */
  fftSize?: number;
  /**
   * Hop in samples; default `fftSize / 4`, made longer for long signals so that there are
   * at most `maxFrames` frames (a display has no use for more), up to `fftSize / 2`.
   */
  hopSamples?: number;
  /** Default 4000. Ignored when `hopSamples` is given. */
  maxFrames?: number;
  /** Default `hann`. */
  window?: WindowName;
}

/** The lowest value in {@link Spectrogram.powerDb}: silence and digital zero clamp here. */
export const SPECTROGRAM_FLOOR_DB = -160;

/**
 * Power spectrogram of one channel, in dB.
 *
 * @param samples - the signal, nominally in [-1, 1)
 * @param sampleRate - Hz
 * @throws UnmixError for an empty signal, a bad sample rate, or a bad FFT size / hop
 */
export function spectrogram(samples: Float64Array, sampleRate: number, options: SpectrogramOptions = {}): Spectrogram {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new UnmixError(`invalid sample rate ${sampleRate}`, 'usage');
  }
  if (samples.length === 0) throw new UnmixError('cannot draw the spectrogram of an empty signal');
  // The power of two nearest 32 ms on a log scale: 512 at 16 kHz, 1024 at 44.1 kHz, 2048 at 48 kHz.
  const fftSize = options.fftSize ?? Math.max(16, 2 ** Math.round(Math.log2(sampleRate * 0.032)));
  const maxFrames = options.maxFrames ?? 4000;
  const hopSamples =
    options.hopSamples ??
    Math.min(
      Math.max(1, fftSize / 2),
      Math.max(Math.max(1, fftSize / 4), Math.ceil(samples.length / Math.max(1, maxFrames))),
    );
  const window = options.window ?? 'hann';
  const layout = stftLayout(samples.length, { fftSize, hopSamples, window });
  const data = stftChannel(samples, layout);
  const { bins, frames } = layout;
  const analysis = createWindow(window, fftSize);
  let windowSum = 0;
  for (let i = 0; i < fftSize; i++) windowSum += analysis[i];
  const scale = 4 / (windowSum * windowSum);
  const floor = 10 ** (SPECTROGRAM_FLOOR_DB / 10);
  const powerDb = new Float32Array(bins * frames);
  for (let k = 0; k < bins * frames; k++) {
    const re = data[2 * k];
    const im = data[2 * k + 1];
    powerDb[k] = 10 * Math.log10(Math.max(floor, (re * re + im * im) * scale));
  }
  return {
    sampleRate,
    fftSize,
    hopSamples,
    bins,
    frames,
    frameOffsetSamples: hopSamples - fftSize / 2,
    powerDb,
  };
}
