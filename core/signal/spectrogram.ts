import { UnmixError } from '../errors.js';
import { stftLayout } from './stft.js';
import { StftStream } from './streaming.js';
import { createWindow, type WindowName } from './window.js';

/**
 * Power spectrograms for display: the STFT of `stft.ts` (computed frame by frame with
 * {@link StftStream}, so memory stays bounded for long recordings) reduced to decibels,
 * with neighbouring frames averaged into at most `maxFrames` columns, stored as Float32.
 */

/** A power spectrogram in dB: `frames` columns of `bins` values. */
export interface Spectrogram {
  /** Sample rate of the signal in Hz. */
  sampleRate: number;
  /** STFT frame length in samples; bin `f` is at `f * sampleRate / fftSize` Hz. */
  fftSize: number;
  /** Distance between columns in samples (the STFT hop times {@link framesPerColumn}). */
  hopSamples: number;
  /** STFT frames averaged into each column (1 unless the signal is long). */
  framesPerColumn: number;
  /** `fftSize / 2 + 1`. */
  bins: number;
  /** Number of columns. */
  frames: number;
  /**
   * Sample index of the centre of column 0 (may be negative: the STFT pads the start so
   * every sample is covered); column `t` is centred at `frameOffsetSamples + t * hopSamples`.
   */
  frameOffsetSamples: number;
  /**
   * Mean power in dB, bin-major like the STFT: bin `f`, column `t` at `f * frames + t`.
   * 0 dB is a full-scale sine's peak bin (power normalised by the window's sum squared,
   * times 4 for the one-sided spectrum); silence is clamped at {@link SPECTROGRAM_FLOOR_DB}.
   */
  powerDb: Float32Array;
}

/** Options of {@link spectrogram}. */
export interface SpectrogramOptions {
  /** Frame length, a power of two; default the power of two nearest 32 ms (512 at 16 kHz, 2048 at 48 kHz). */
  fftSize?: number;
  /**
   * STFT hop in samples; default `fftSize / 4`, longer (up to `fftSize / 2`) for long
   * signals so that there are about `maxFrames` frames.
   */
  hopSamples?: number;
  /** Most columns (default 4000, more than a screen is wide); frames beyond are averaged in groups. */
  maxFrames?: number;
  /** Default `hann`. */
  window?: WindowName;
}

/** The lowest value in {@link Spectrogram.powerDb}: silence and digital zero clamp here. */
export const SPECTROGRAM_FLOOR_DB = -160;

/** Samples fed to the stream per call: bounds the stream's scratch output. */
const CHUNK = 16384;

/**
 * Power spectrogram of one channel, in dB. Memory: the result (`bins x columns` Float32)
 * plus a few frames; time: one forward and one (silent) inverse FFT per STFT frame.
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
  const maxFrames = Math.max(1, Math.floor(options.maxFrames ?? 4000));
  const stftHop =
    options.hopSamples ??
    Math.min(
      Math.max(1, fftSize / 2),
      Math.max(Math.max(1, fftSize / 4), Math.ceil((samples.length + fftSize) / maxFrames)),
    );
  const window = options.window ?? 'hann';
  const layout = stftLayout(samples.length, { fftSize, hopSamples: stftHop, window });
  const { bins } = layout;
  const group = Math.ceil(layout.frames / maxFrames);
  const columns = Math.ceil(layout.frames / group);
  const analysis = createWindow(window, fftSize);
  let windowSum = 0;
  for (let i = 0; i < fftSize; i++) windowSum += analysis[i];
  const scale = 4 / (windowSum * windowSum);
  // Sum of power per column first, then the mean in dB.
  const powerDb = new Float32Array(bins * columns);
  const stream = new StftStream(
    {
      inputChannels: 1,
      outputChannels: 1,
      processFrame(input, _output, frame) {
        const spectrum = input[0];
        const column = Math.floor(frame / group);
        for (let f = 0; f < bins; f++) {
          const re = spectrum[2 * f];
          const im = spectrum[2 * f + 1];
          powerDb[f * columns + column] += (re * re + im * im) * scale;
        }
      },
    },
    { fftSize, hopSamples: stftHop, window },
  );
  for (let at = 0; at < samples.length; at += CHUNK) stream.process([samples.subarray(at, at + CHUNK)]);
  stream.flush();
  const floor = 10 ** (SPECTROGRAM_FLOOR_DB / 10);
  for (let t = 0; t < columns; t++) {
    const count = Math.min(group, layout.frames - t * group);
    for (let f = 0; f < bins; f++) {
      const k = f * columns + t;
      powerDb[k] = 10 * Math.log10(Math.max(floor, powerDb[k] / count));
    }
  }
  return {
    sampleRate,
    fftSize,
    hopSamples: stftHop * group,
    framesPerColumn: group,
    bins,
    frames: columns,
    // Frame t of the STFT is centred at t * hop + hop - fftSize / 2; a column at the mean of its frames'.
    frameOffsetSamples: ((group - 1) / 2) * stftHop + stftHop - fftSize / 2,
    powerDb,
  };
}
