import { UnmixError } from '../errors.js';
import { isPowerOfTwo, realFft } from './fft.js';
import { createWindow, synthesisWindow, WINDOW_NAMES, type WindowName } from './window.js';

/**
 * Short-time Fourier transform and its exact inverse (weighted overlap-add).
 *
 * Layout, chosen for per-frequency-bin work (IVA, ILRMA, FDICA touch one bin at a time):
 * each channel is one `Float64Array` of `2 * bins * frames` values, complex interleaved
 * `(re, im)`, **bin-major**: bin `f` (0 .. `fftSize/2`), frame `t` is at index
 * `2 * (f * frames + t)`, so the frames of one bin are contiguous.
 *
 * Framing: frame `t` starts at sample `t * hopSamples - (fftSize - hopSamples)` of the
 * signal (zeros before the start and after the end), so every sample, the first and the
 * last included, is covered by the same number of frames and {@link istft} gives back
 * exactly the input (error ~1e-15), whatever the length.
 */

/** Sizes of an STFT: everything but the data. */
export interface StftLayout {
  /** Frame (FFT) length in samples, a power of two. */
  fftSize: number;
  /** Distance between frame starts in samples. */
  hopSamples: number;
  /** Analysis window. */
  window: WindowName;
  /** Frequency bins per frame: `fftSize / 2 + 1`. Bin `f` is at `f * sampleRate / fftSize` Hz. */
  bins: number;
  /** Number of frames. */
  frames: number;
  /** Length of the signal in samples (what {@link istft} gives back). */
  length: number;
}

/** A multichannel STFT: {@link StftLayout} plus one bin-major complex array per channel. */
export interface Stft extends StftLayout {
  /** Per channel, `2 * bins * frames` values; bin `f`, frame `t` at `2 * (f * frames + t)`. */
  channels: Float64Array[];
}

/** Options of {@link stft} and {@link stftLayout}. */
export interface StftOptions {
  /** Frame length in samples, a power of two >= 2. */
  fftSize: number;
  /** Hop in samples, 1 .. `fftSize` (default `fftSize / 4`); must leave no sample uncovered by the window. */
  hopSamples?: number;
  /** Analysis window (default `hann`). */
  window?: WindowName;
}

/**
 * The layout of the STFT of a `length`-sample signal, checking the options.
 * @throws UnmixError (usage) for a size that is not a power of two, a bad hop or window; (input) for an empty signal
 */
export function stftLayout(length: number, options: StftOptions): StftLayout {
  const { fftSize } = options;
  const hopSamples = options.hopSamples ?? fftSize / 4;
  const window = options.window ?? 'hann';
  if (!isPowerOfTwo(fftSize) || fftSize > 1 << 24) {
    throw new UnmixError(`FFT size must be a power of two between 2 and 2^24, got ${fftSize}`, 'usage');
  }
  if (!Number.isInteger(hopSamples) || hopSamples < 1 || hopSamples > fftSize) {
    throw new UnmixError(
      `hop must be a whole number of samples between 1 and the FFT size ${fftSize}, got ${hopSamples}`,
      'usage',
    );
  }
  if (!WINDOW_NAMES.includes(window)) {
    throw new UnmixError(`unknown window '${String(window)}'; choose one of: ${WINDOW_NAMES.join(', ')}`, 'usage');
  }
  // Fails now, not at the inverse, when the window and hop cannot be inverted.
  synthesisWindow(createWindow(window, fftSize), hopSamples);
  if (!Number.isInteger(length) || length < 1) throw new UnmixError('cannot take the STFT of an empty signal');
  const pad = fftSize - hopSamples;
  const frames = Math.floor((length - 1 + pad) / hopSamples) + 1;
  return { fftSize, hopSamples, window, bins: fftSize / 2 + 1, frames, length };
}

/**
 * STFT of one channel into `output` (allocated when omitted).
 *
 * @param signal - samples
 * @param layout - from {@link stftLayout} for `signal.length`
 * @param output - `2 * bins * frames` values, bin-major (see the module comment)
 */
export function stftChannel(signal: Float64Array, layout: StftLayout, output?: Float64Array): Float64Array {
  const { fftSize, hopSamples, bins, frames, length } = layout;
  if (signal.length !== length)
    throw new UnmixError(`STFT layout is for ${length} samples, got ${signal.length}`, 'usage');
  const data = output ?? new Float64Array(2 * bins * frames);
  const window = createWindow(layout.window, fftSize);
  const fft = realFft(fftSize);
  const frame = new Float64Array(fftSize);
  const spectrum = new Float64Array(fftSize + 2);
  const pad = fftSize - hopSamples;
  for (let t = 0; t < frames; t++) {
    const start = t * hopSamples - pad;
    const lo = Math.max(0, -start);
    const hi = Math.min(fftSize, length - start);
    for (let n = 0; n < lo; n++) frame[n] = 0;
    for (let n = lo; n < hi; n++) frame[n] = window[n] * signal[start + n];
    for (let n = Math.max(hi, lo); n < fftSize; n++) frame[n] = 0;
    fft.forward(frame, spectrum);
    for (let f = 0, k = 2 * t; f < bins; f++, k += 2 * frames) {
      data[k] = spectrum[2 * f];
      data[k + 1] = spectrum[2 * f + 1];
    }
  }
  return data;
}

/**
 * Inverse STFT of one channel by weighted overlap-add with the least-squares synthesis
 * window ({@link synthesisWindow}), into `output` (allocated when omitted). The imaginary
 * parts of bins 0 and `fftSize/2` are ignored.
 *
 * @param data - `2 * bins * frames` values laid out as {@link stftChannel} writes them
 * @param output - `layout.length` samples, overwritten
 */
export function istftChannel(data: Float64Array, layout: StftLayout, output?: Float64Array): Float64Array {
  const { fftSize, hopSamples, bins, frames, length } = layout;
  if (data.length !== 2 * bins * frames) {
    throw new UnmixError(`STFT data must hold ${2 * bins * frames} values, got ${data.length}`, 'usage');
  }
  const out = output ?? new Float64Array(length);
  out.fill(0);
  const synthesis = synthesisWindow(createWindow(layout.window, fftSize), hopSamples);
  const fft = realFft(fftSize);
  const frame = new Float64Array(fftSize);
  const spectrum = new Float64Array(fftSize + 2);
  const pad = fftSize - hopSamples;
  for (let t = 0; t < frames; t++) {
    for (let f = 0, k = 2 * t; f < bins; f++, k += 2 * frames) {
      spectrum[2 * f] = data[k];
      spectrum[2 * f + 1] = data[k + 1];
    }
    fft.inverse(spectrum, frame);
    const start = t * hopSamples - pad;
    const lo = Math.max(0, -start);
    const hi = Math.min(fftSize, length - start);
    for (let n = lo; n < hi; n++) out[start + n] += synthesis[n] * frame[n];
  }
  return out;
}

/**
 * Multichannel STFT (one array per channel, see the module comment for the layout).
 *
 * @param channels - planar samples, all the same length (e.g. `signal.channels`)
 * @param options - `fftSize` (power of two), `hopSamples` (default `fftSize/4`), `window` (default `hann`)
 * @throws UnmixError for bad sizes, no channels or channels of different lengths
 */
export function stft(channels: readonly Float64Array[], options: StftOptions): Stft {
  if (channels.length === 0) throw new UnmixError('cannot take the STFT of a signal with no channels');
  const length = channels[0].length;
  for (const channel of channels) {
    if (channel.length !== length) throw new UnmixError('all channels must have the same length');
  }
  const layout = stftLayout(length, options);
  return { ...layout, channels: channels.map((channel) => stftChannel(channel, layout)) };
}

/**
 * Inverse of {@link stft}: one `length`-sample array per channel.
 * Round trip `istft(stft(x))` equals `x` to ~1e-15 for every supported window and hop.
 */
export function istft(spectrogram: Stft): Float64Array[] {
  return spectrogram.channels.map((data) => istftChannel(data, spectrogram));
}
