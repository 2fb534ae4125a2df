import FFTJS from 'fft.js';
import { UnmixError } from '../errors.js';

/**
 * Typed FFTs over fft.js (radix-4, `Float64Array` buffers). One plan per size, created on
 * first use and shared: every transform in unmix (STFT, convolution, BSS Eval
 * correlations) goes through this module, so fft.js's untyped API stays in one place.
 *
 * Conventions: complex arrays are interleaved `(re, im)`; forward transforms are
 * unnormalised (`X[k] = Σ x[n] e^{-2πikn/N}`), inverse transforms divide by `N`, so
 * `inverse(forward(x)) = x`.
 */

/** Complex FFT of one power-of-two size. */
export interface ComplexFft {
  /** Transform length `N` (complex points). */
  readonly size: number;
  /** `output = DFT(input)`; both `2N` long, interleaved, distinct buffers. */
  forward(input: Float64Array, output: Float64Array): void;
  /** `output = IDFT(input)` including the `1/N` factor; both `2N` long, distinct buffers. */
  inverse(input: Float64Array, output: Float64Array): void;
}

/** FFT of real signals of one power-of-two size: `N` samples <-> `N/2 + 1` bins. */
export interface RealFft {
  /** Transform length `N` (real samples). */
  readonly size: number;
  /** Bins `0..N/2` of the DFT of `input` (`N` samples) into `spectrum` (`N + 2` values, interleaved). */
  forward(input: Float64Array, spectrum: Float64Array): void;
  /**
   * The real signal (`N` samples) whose DFT has bins `0..N/2` given by `spectrum`
   * (`N + 2` values; the imaginary parts of bins 0 and `N/2` are ignored, as they must be 0).
   */
  inverse(spectrum: Float64Array, output: Float64Array): void;
}

interface FftJs {
  transform(out: Float64Array, data: Float64Array): void;
  realTransform(out: Float64Array, data: Float64Array): void;
  inverseTransform(out: Float64Array, data: Float64Array): void;
}
const FftJs = FFTJS as unknown as new (size: number) => FftJs;

/** True when `n` is a power of two >= 2. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/** The smallest power of two >= `n` (and >= 2). */
export function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

function checkSize(size: number): void {
  if (!isPowerOfTwo(size) || size > 1 << 26) {
    throw new UnmixError(`FFT size must be a power of two between 2 and 2^26, got ${size}`, 'usage');
  }
}

const complexPlans = new Map<number, ComplexFft>();
const realPlans = new Map<number, RealFft>();

/** The shared complex FFT plan of `size` points (a power of two >= 2). */
export function complexFft(size: number): ComplexFft {
  let plan = complexPlans.get(size);
  if (!plan) {
    checkSize(size);
    const fft = new FftJs(size);
    plan = {
      size,
      forward: (input, output) => fft.transform(output, input),
      inverse: (input, output) => fft.inverseTransform(output, input),
    };
    complexPlans.set(size, plan);
  }
  return plan;
}

/** The shared real FFT plan of `size` samples (a power of two >= 2). */
export function realFft(size: number): RealFft {
  let plan = realPlans.get(size);
  if (!plan) {
    checkSize(size);
    plan = size === 2 ? realFft2() : makeRealFft(size);
    realPlans.set(size, plan);
  }
  return plan;
}

function realFft2(): RealFft {
  return {
    size: 2,
    forward(input, spectrum) {
      spectrum[0] = input[0] + input[1];
      spectrum[1] = 0;
      spectrum[2] = input[0] - input[1];
      spectrum[3] = 0;
    },
    inverse(spectrum, output) {
      output[0] = 0.5 * (spectrum[0] + spectrum[2]);
      output[1] = 0.5 * (spectrum[0] - spectrum[2]);
    },
  };
}

function makeRealFft(size: number): RealFft {
  const full = new FftJs(size);
  const scratch = new Float64Array(2 * size);
  // The inverse runs one complex FFT of half the size on z[n] = x[2n] + i x[2n+1]:
  // half the work of completing the spectrum and inverting it at full size.
  const half = size >> 1;
  const halfFft = half >= 2 ? new FftJs(half) : undefined;
  const packed = new Float64Array(2 * half);
  const unpacked = new Float64Array(2 * half);
  const twiddle = new Float64Array(2 * half);
  for (let k = 0; k < half; k++) {
    twiddle[2 * k] = Math.cos((2 * Math.PI * k) / size);
    twiddle[2 * k + 1] = Math.sin((2 * Math.PI * k) / size);
  }
  return {
    size,
    forward(input, spectrum) {
      full.realTransform(scratch, input);
      spectrum.set(scratch.subarray(0, size + 2));
      spectrum[1] = 0;
      spectrum[size + 1] = 0;
    },
    inverse(spectrum, output) {
      // Z[k] = ½[(X[k] + X*[N/2-k]) + i e^{2πik/N} (X[k] - X*[N/2-k])], k = 0..N/2-1
      for (let k = 0; k < half; k++) {
        const ar = spectrum[2 * k];
        const ai = k === 0 ? 0 : spectrum[2 * k + 1];
        const m = half - k;
        const br = spectrum[2 * m];
        const bi = m === half ? 0 : -spectrum[2 * m + 1];
        const sr = ar + br;
        const si = ai + bi;
        const dr = ar - br;
        const di = ai - bi;
        const wr = twiddle[2 * k];
        const wi = twiddle[2 * k + 1];
        // i * w * d = i * (wr dr - wi di + i (wr di + wi dr)) = -(wr di + wi dr) + i (wr dr - wi di)
        packed[2 * k] = 0.5 * (sr - (wr * di + wi * dr));
        packed[2 * k + 1] = 0.5 * (si + (wr * dr - wi * di));
      }
      halfFft!.inverseTransform(unpacked, packed);
      for (let n = 0; n < half; n++) {
        output[2 * n] = unpacked[2 * n];
        output[2 * n + 1] = unpacked[2 * n + 1];
      }
    },
  };
}
