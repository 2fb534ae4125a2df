import { UnmixError } from '../errors.js';
import { nextPowerOfTwo, realFft } from './fft.js';

/**
 * Linear convolution of long signals with FIR filters (room impulse responses), by FFT
 * overlap-add: the signal is cut into blocks of `B` samples, each block is zero-padded to
 * an FFT of `N >= B + L - 1` points, multiplied by the filter's spectrum and added back
 * at its offset. Cost O(T log N) instead of the direct O(T L).
 */

/** Below this many multiply-adds per output sample, direct convolution is faster than FFTs. */
const DIRECT_TAPS = 64;

/**
 * Direct-form convolution `y[t] = Σ_k h[k] x[t-k]`, the reference that the FFT path is
 * tested against, and the faster path for short filters.
 *
 * @param signal - x, any length
 * @param filter - h, any length
 * @param length - output length; default the full `x.length + h.length - 1` (0 if either is empty).
 *   A shorter length truncates the tail, a longer one pads with zeros.
 */
export function convolveDirect(signal: Float64Array, filter: Float64Array, length?: number): Float64Array {
  const outLength = checkLength(signal, filter.length, length);
  const y = new Float64Array(outLength);
  const xLength = signal.length;
  for (let k = 0; k < filter.length; k++) {
    const h = filter[k];
    if (h === 0) continue;
    const end = Math.min(outLength, xLength + k);
    for (let t = k; t < end; t++) y[t] += h * signal[t - k];
  }
  return y;
}

/**
 * Convolve one signal with one filter (FFT overlap-add for long filters, direct form for
 * short ones). See {@link convolveMany}.
 *
 * @param signal - x
 * @param filter - h
 * @param length - output length; default `x.length + h.length - 1`
 */
export function convolve(signal: Float64Array, filter: Float64Array, length?: number): Float64Array {
  return convolveMany(signal, [filter], length)[0];
}

/**
 * Convolve one signal with several filters, e.g. one source with its impulse response to
 * every microphone: each block of the signal is transformed once and reused for every
 * filter.
 *
 * Exact up to floating-point rounding (about 1e-15 of the signal's scale times log N).
 *
 * @param signal - x, `T` samples
 * @param filters - h_1..h_F, any lengths
 * @param length - output length of every result; default `T + max(L_f) - 1`
 * @returns one `Float64Array` per filter, `length` samples each
 */
export function convolveMany(signal: Float64Array, filters: Float64Array[], length?: number): Float64Array[] {
  const maxFilter = filters.reduce((m, h) => Math.max(m, h.length), 0);
  const outLength = checkLength(signal, maxFilter, length);
  if (filters.length === 0) return [];
  if (maxFilter <= DIRECT_TAPS || signal.length <= DIRECT_TAPS) {
    return filters.map((h) => convolveDirect(signal, h, outLength));
  }
  const outputs = filters.map(() => new Float64Array(outLength));
  // Only the part of the signal that reaches the output is transformed.
  const xLength = Math.min(signal.length, outLength);
  if (xLength === 0) return outputs;

  const n = chooseFftSize(maxFilter, xLength);
  const blockLength = n - maxFilter + 1;
  const fft = realFft(n);
  const spectra = filters.map((h) => {
    const padded = new Float64Array(n);
    padded.set(h);
    const spectrum = new Float64Array(n + 2);
    fft.forward(padded, spectrum);
    return spectrum;
  });
  const block = new Float64Array(n);
  const blockSpectrum = new Float64Array(n + 2);
  const product = new Float64Array(n + 2);
  const result = new Float64Array(n);
  for (let start = 0; start < xLength; start += blockLength) {
    const end = Math.min(xLength, start + blockLength);
    block.fill(0);
    block.set(signal.subarray(start, end));
    fft.forward(block, blockSpectrum);
    for (let f = 0; f < filters.length; f++) {
      const h = spectra[f];
      for (let k = 0; k < n + 2; k += 2) {
        const ar = blockSpectrum[k];
        const ai = blockSpectrum[k + 1];
        const br = h[k];
        const bi = h[k + 1];
        product[k] = ar * br - ai * bi;
        product[k + 1] = ar * bi + ai * br;
      }
      fft.inverse(product, result);
      const y = outputs[f];
      const stop = Math.min(outLength, start + n);
      for (let t = start; t < stop; t++) y[t] += result[t - start];
    }
  }
  return outputs;
}

function checkLength(signal: Float64Array, filterLength: number, length: number | undefined): number {
  const full = signal.length === 0 || filterLength === 0 ? 0 : signal.length + filterLength - 1;
  if (length === undefined) return full;
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new UnmixError(`convolution output length must be a whole number >= 0, got ${length}`, 'usage');
  }
  return length;
}

/**
 * The FFT size with the least work per output sample, `N log N / (N - L + 1)`, among
 * powers of two from the smallest that fits the filter up to 16 times that (and not
 * beyond what one block of the whole signal needs).
 */
function chooseFftSize(filterLength: number, signalLength: number): number {
  const smallest = nextPowerOfTwo(2 * filterLength);
  const whole = nextPowerOfTwo(signalLength + filterLength - 1);
  let best = Math.min(smallest, whole);
  let bestCost = Infinity;
  for (let n = best; n <= Math.max(best, Math.min(16 * smallest, whole)); n *= 2) {
    const blocks = Math.ceil(signalLength / (n - filterLength + 1));
    const cost = blocks * n * Math.log2(n);
    if (cost < bestCost) {
      bestCost = cost;
      best = n;
    }
  }
  return best;
}
