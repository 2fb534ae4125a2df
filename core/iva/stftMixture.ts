import { validateSignal, type MultichannelSignal } from '../audio/signal.js';
import { UnmixError } from '../errors.js';
import { complexInverse, complexMatMul, complexScratch, singularMatrixError } from '../linalg/complex.js';
import { hermitianEigen } from '../linalg/hermitian.js';
import type { CommonSeparationOptions, ComplexUnmixing } from '../separate.js';
import { isPowerOfTwo, realFft } from '../signal/fft.js';
import { stftChannel, stftLayout, type StftLayout } from '../signal/stft.js';
import { createWindow, synthesisWindow, WINDOW_NAMES, type WindowName } from '../signal/window.js';
import { binCovariance } from './covariance.js';

/**
 * What every STFT-domain separation method (AuxIVA, ISS, ILRMA, and the NG-IVA/FDICA
 * family) shares: choosing the STFT, taking it, reducing more microphones to as many
 * dimensions as sources, projection back, and going back to the time domain without
 * holding an STFT of the output.
 */

/** How more microphones than sources are handled. */
export type ChannelReduction = 'pca' | 'overiva';

/** Options of every STFT-domain method, beyond {@link CommonSeparationOptions}. */
export interface StftSeparationOptions extends CommonSeparationOptions {
  /** Analysis window (default `hann`; `sqrt-hann` needs `hopSamples <= fftSize / 2`). */
  window?: WindowName;
  /** Microphone (0-based) whose level and colour the outputs take (projection back); default 0. */
  refMic?: number;
  /**
   * With more microphones than sources: `pca` keeps the `sources` strongest principal
   * components per bin (default); `overiva` separates in the full space with a background
   * subspace held orthogonal to the sources (Scheibler & Ono 2019).
   */
  reduction?: ChannelReduction;
}

/**
 * The progress callback of one stage of a multi-stage method: iteration `k` of the stage
 * is reported as `done + k` of the method's `total`, its info marked with `stage` when given.
 */
export function stageProgress(
  onProgress: StftSeparationOptions['onProgress'],
  done: number,
  total: number,
  stage?: string,
): StftSeparationOptions['onProgress'] {
  if (!onProgress) return undefined;
  return (k, _total, info) => onProgress(done + k, total, stage && info ? { ...info, stage } : info);
}

/** STFT frame length that suits `sampleRate`: about 128 ms (2048 at 16 kHz), a power of two. */
export function defaultFftSize(sampleRate: number): number {
  // Rooms smear each source over a few hundred ms; frames of ~128 ms keep most of the
  // reverberation inside one frame (so the per-bin product model holds) while leaving
  // enough frames for the statistics of an 8 s recording.
  const size = 2 ** Math.round(Math.log2(0.128 * sampleRate));
  return Math.min(1 << 16, Math.max(64, size));
}

/** The options of an STFT method with defaults filled in and checked. */
export interface ResolvedStftOptions {
  fftSize: number;
  hopSamples: number;
  window: WindowName;
  sources: number;
  refMic: number;
  reduction: ChannelReduction;
  iterations: number;
  tolerance: number;
  seed: number;
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UnmixError(`${name} must be a whole number between ${min} and ${max}, got ${String(value)}`, 'usage');
  }
  return value;
}

/**
 * Check the mixture and fill in the common options of an STFT method.
 *
 * @param defaults - the method's default iteration count and tolerance
 * @throws UnmixError for a malformed or single-channel mixture, a bad option, or a warm start of the wrong shape
 */
export function resolveStftOptions(
  mixture: MultichannelSignal,
  options: StftSeparationOptions,
  defaults: { iterations: number; tolerance: number },
): ResolvedStftOptions {
  validateSignal(mixture, 'the mixture', 2);
  const mics = mixture.channels.length;
  const initial = options.initial;
  if (initial !== undefined && initial.kind !== 'complex') {
    throw new UnmixError('the warm start is a real (instantaneous) unmixing; STFT methods need a complex one', 'usage');
  }
  const fftSize = options.fftSize ?? initial?.fftSize ?? defaultFftSize(mixture.sampleRate);
  if (!isPowerOfTwo(fftSize)) throw new UnmixError(`FFT size must be a power of two, got ${fftSize}`, 'usage');
  const hopSamples = options.hopSamples ?? (initial?.fftSize === fftSize ? initial.hopSamples : fftSize / 4);
  const window = options.window ?? 'hann';
  if (!WINDOW_NAMES.includes(window)) {
    throw new UnmixError(`unknown window '${String(window)}'; choose one of: ${WINDOW_NAMES.join(', ')}`, 'usage');
  }
  const sources = options.sources ?? initial?.rows ?? mics;
  if (!Number.isInteger(sources) || sources < 1)
    throw new UnmixError(`sources must be at least 1, got ${sources}`, 'usage');
  if (sources > mics) {
    throw new UnmixError(`cannot separate ${sources} sources from ${mics} channels: at most ${mics}`, 'usage');
  }
  const refMic = checkInteger('refMic', options.refMic ?? 0, 0, mics - 1);
  const reduction = options.reduction ?? 'pca';
  if (reduction !== 'pca' && reduction !== 'overiva') {
    throw new UnmixError(`reduction must be pca or overiva, got '${String(reduction)}'`, 'usage');
  }
  const iterations = checkInteger('iterations', options.iterations ?? defaults.iterations, 1, 100000);
  const tolerance = options.tolerance ?? defaults.tolerance;
  if (!(tolerance >= 0)) throw new UnmixError(`tolerance must be >= 0, got ${tolerance}`, 'usage');
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new UnmixError(`seed must be a number, got ${seed}`, 'usage');
  if (initial !== undefined) {
    if (initial.fftSize !== fftSize || initial.hopSamples !== hopSamples) {
      throw new UnmixError(
        `the warm start was made with FFT size ${initial.fftSize} and hop ${initial.hopSamples}, not ${fftSize} and ${hopSamples}`,
        'usage',
      );
    }
    if (initial.cols !== mics || initial.rows !== sources) {
      throw new UnmixError(
        `the warm start unmixes ${initial.cols} channels into ${initial.rows} sources, not ${mics} into ${sources}`,
        'usage',
      );
    }
  }
  // Checks fftSize/hop/window together (a hop too large for the window) before any work.
  stftLayout(mixture.channels[0].length, { fftSize, hopSamples, window });
  return { fftSize, hopSamples, window, sources, refMic, reduction, iterations, tolerance, seed };
}

/**
 * A mixture in the STFT domain, ready for per-bin iterations: `dims` channels, where
 * `dims = sources` after PCA reduction and `dims = mics` otherwise.
 */
export interface PreparedMixture {
  layout: StftLayout;
  /** Number of microphones. */
  mics: number;
  /** Number of sources to extract. */
  sources: number;
  /** Number of channels in {@link channels}. */
  dims: number;
  /** `dims` bin-major STFT arrays the method iterates on (the microphones, or their PCA reduction). */
  channels: Float64Array[];
  /** Per-bin microphone covariance (`mics` x `mics`, interleaved, bin `f` at `2 * f * mics²`), for projection back. */
  covariance: Float64Array;
  /** Per-bin PCA reduction `P_f` (`dims` x `mics`) when the microphones were reduced, else null. */
  reduction: Float64Array | null;
  /** 1 for bins with energy; silent bins (e.g. above a band limit) are left alone. */
  active: Uint8Array;
  /** Number of active bins. */
  activeBins: number;
}

/**
 * Take the STFT of `mixture` and, with more microphones than sources and
 * `reduction: 'pca'`, project each bin on its `sources` principal components, whitened
 * (`P_f = D^{-1/2} Eᴴ`), in place: the first `sources` STFT arrays are reused, so a
 * reduction holds no extra copy. `whiten` also whitens a square mixture.
 *
 * @param allocate - where the STFT arrays go (`length` values each); default plain memory.
 *   Worker threads pass shared memory, so the STFT is never copied for them.
 * @throws UnmixError (input) when the mixture is silent
 */
export function prepareMixture(
  mixture: MultichannelSignal,
  options: ResolvedStftOptions,
  whiten = false,
  allocate: (length: number) => Float64Array = (length) => new Float64Array(length),
): PreparedMixture {
  const mics = mixture.channels.length;
  const sources = options.sources;
  const layout = stftLayout(mixture.channels[0].length, options);
  const { bins, frames } = layout;
  const channels = mixture.channels.map((x) => stftChannel(x, layout, allocate(2 * bins * frames)));
  const covariance = new Float64Array(bins * 2 * mics * mics);
  const active = new Uint8Array(bins);
  let total = 0;
  for (let f = 0; f < bins; f++) {
    binCovariance(channels, mics, frames, f, covariance, 2 * f * mics * mics);
    for (let m = 0; m < mics; m++) total += covariance[2 * f * mics * mics + 2 * (m * mics + m)];
  }
  if (!(total > 0)) throw new UnmixError('the mixture is silent: there is nothing to separate');
  let activeBins = 0;
  for (let f = 0; f < bins; f++) {
    let energy = 0;
    for (let m = 0; m < mics; m++) energy += covariance[2 * f * mics * mics + 2 * (m * mics + m)];
    // A bin 1e-12 below the average carries no usable signal, only rounding noise.
    if (energy > (1e-12 * total) / bins) {
      active[f] = 1;
      activeBins++;
    }
  }
  const reduce = (sources < mics && options.reduction === 'pca') || whiten;
  if (!reduce) {
    return { layout, mics, sources, dims: mics, channels, covariance, reduction: null, active, activeBins };
  }
  const dims = sources;
  const reduction = new Float64Array(bins * 2 * dims * mics);
  const values = new Float64Array(mics);
  const vectors = new Float64Array(2 * mics * mics);
  const work = new Float64Array(2 * mics * mics);
  const column = new Float64Array(2 * mics);
  for (let f = 0; f < bins; f++) {
    const p = 2 * f * dims * mics;
    if (!active[f]) {
      for (let d = 0; d < dims; d++) reduction[p + 2 * (d * mics + d)] = 1;
    } else {
      hermitianEigen(mics, covariance, values, vectors, work, 2 * f * mics * mics);
      const floor = 1e-10 * values[0];
      for (let d = 0; d < dims; d++) {
        const scale = 1 / Math.sqrt(Math.max(values[d], floor));
        for (let m = 0; m < mics; m++) {
          // Row d of Eᴴ is the conjugate of eigenvector d.
          reduction[p + 2 * (d * mics + m)] = scale * vectors[2 * (m * mics + d)];
          reduction[p + 2 * (d * mics + m) + 1] = -scale * vectors[2 * (m * mics + d) + 1];
        }
      }
    }
    // In place: read all mics of frame t, write the first `dims` channels.
    const base = 2 * f * frames;
    for (let t = 0; t < frames; t++) {
      for (let m = 0; m < mics; m++) {
        column[2 * m] = channels[m][base + 2 * t];
        column[2 * m + 1] = channels[m][base + 2 * t + 1];
      }
      for (let d = 0; d < dims; d++) {
        let re = 0;
        let im = 0;
        for (let m = 0; m < mics; m++) {
          const pr = reduction[p + 2 * (d * mics + m)];
          const pi = reduction[p + 2 * (d * mics + m) + 1];
          re += pr * column[2 * m] - pi * column[2 * m + 1];
          im += pr * column[2 * m + 1] + pi * column[2 * m];
        }
        channels[d][base + 2 * t] = re;
        channels[d][base + 2 * t + 1] = im;
      }
    }
  }
  channels.length = dims;
  return { layout, mics, sources, dims, channels, covariance, reduction, active, activeBins };
}

/**
 * The starting unmixing in the iterated space (`rows` x `dims` per bin): identity, or the
 * warm start mapped through the reduction (`W P⁺` with `P⁺ = E D^{1/2}`, so that
 * `W P⁺ P x = W x` on the kept subspace).
 */
export function initialUnmixing(prepared: PreparedMixture, rows: number, initial?: ComplexUnmixing): Float64Array {
  const { layout, dims, mics, reduction } = prepared;
  const { bins } = layout;
  const size = 2 * rows * dims;
  const w = new Float64Array(bins * size);
  if (!initial) {
    for (let f = 0; f < bins; f++) for (let r = 0; r < Math.min(rows, dims); r++) w[f * size + 2 * (r * dims + r)] = 1;
    return w;
  }
  const k = initial.rows;
  if (!reduction) {
    // rows x mics; the warm start fills the first k rows, the rest (OverIVA background) start at identity rows.
    for (let f = 0; f < bins; f++) {
      w.set(initial.data.subarray(2 * f * k * mics, 2 * (f + 1) * k * mics), f * size);
      for (let r = k; r < rows; r++) w[f * size + 2 * (r * dims + r)] = 1;
    }
    return w;
  }
  // P is dims x mics with orthogonal rows scaled by D^{-1/2}: P⁺ = Pᴴ (P Pᴴ)^{-1}.
  const ppH = new Float64Array(2 * dims * dims);
  const ppHInv = new Float64Array(2 * dims * dims);
  const pH = new Float64Array(2 * mics * dims);
  const pPlus = new Float64Array(2 * mics * dims);
  const scratch = complexScratch(dims);
  for (let f = 0; f < bins; f++) {
    const p = 2 * f * dims * mics;
    for (let i = 0; i < dims; i++) {
      for (let m = 0; m < mics; m++) {
        pH[2 * (m * dims + i)] = reduction[p + 2 * (i * mics + m)];
        pH[2 * (m * dims + i) + 1] = -reduction[p + 2 * (i * mics + m) + 1];
      }
    }
    complexMatMul(dims, mics, dims, reduction, pH, ppH, p);
    if (!complexInverse(dims, ppH, ppHInv, scratch)) throw singularMatrixError('the PCA reduction');
    complexMatMul(mics, dims, dims, pH, ppHInv, pPlus);
    complexMatMul(k, mics, dims, initial.data, pPlus, w, 2 * f * k * mics, 0, f * size);
  }
  return w;
}

/** Buffers of {@link projectionBackScales} for `sources` outputs of `mics` microphones: allocate once, reuse. */
export interface ProjectionBackWorkspace {
  readonly sources: number;
  readonly mics: number;
  readonly uH: Float64Array;
  readonly cuH: Float64Array;
  readonly ucuH: Float64Array;
  readonly inverse: Float64Array;
  readonly scratch: Float64Array;
}

/** A {@link ProjectionBackWorkspace} for `sources` x `mics` unmixing matrices. */
export function projectionBackWorkspace(sources: number, mics: number): ProjectionBackWorkspace {
  return {
    sources,
    mics,
    uH: new Float64Array(2 * mics * sources),
    cuH: new Float64Array(2 * mics * sources),
    ucuH: new Float64Array(2 * sources * sources),
    inverse: new Float64Array(2 * sources * sources),
    scratch: complexScratch(sources),
  };
}

/**
 * Projection back (minimal distortion principle, Matsuoka & Nakashima 2001) of one bin,
 * allocation-free: the complex scale of each output that makes it the least-squares
 * estimate of its image at microphone `refMic`. With the bin's unmixing `U` (`sources` x
 * `mics`) and microphone covariance `C`, the mixing estimate is `A = C Uᴴ (U C Uᴴ)⁻¹`;
 * without a covariance (`U` square, as in online AuxIVA) it is `U⁻¹`. Output `k`'s scale
 * is `A[refMic, k]`; a singular bin (silent) gets zero scales.
 *
 * @param unmixing - interleaved complex matrices; this bin's `U` at `unmixingOffset`
 * @param covariance - interleaved `mics` x `mics` covariances with this bin's at `covarianceOffset`, or undefined for `U⁻¹` (square `U`)
 * @param scales - out: `2 * sources` values at `scalesOffset`
 * @returns false for a singular bin
 */
export function projectionBackScales(
  unmixing: Float64Array,
  unmixingOffset: number,
  covariance: Float64Array | undefined,
  covarianceOffset: number,
  refMic: number,
  work: ProjectionBackWorkspace,
  scales: Float64Array,
  scalesOffset = 0,
): boolean {
  const { sources, mics, uH, cuH, ucuH, inverse, scratch } = work;
  let ok: boolean;
  if (!covariance) {
    ok = complexInverse(sources, unmixing, inverse, scratch, unmixingOffset, 0);
    for (let k = 0; k < sources; k++) {
      scales[scalesOffset + 2 * k] = ok ? inverse[2 * (refMic * sources + k)] : 0;
      scales[scalesOffset + 2 * k + 1] = ok ? inverse[2 * (refMic * sources + k) + 1] : 0;
    }
    return ok;
  }
  for (let k = 0; k < sources; k++) {
    for (let m = 0; m < mics; m++) {
      uH[2 * (m * sources + k)] = unmixing[unmixingOffset + 2 * (k * mics + m)];
      uH[2 * (m * sources + k) + 1] = -unmixing[unmixingOffset + 2 * (k * mics + m) + 1];
    }
  }
  complexMatMul(mics, mics, sources, covariance, uH, cuH, covarianceOffset);
  complexMatMul(sources, mics, sources, unmixing, cuH, ucuH, unmixingOffset);
  ok = complexInverse(sources, ucuH, inverse, scratch);
  if (!ok) {
    // A silent bin: its outputs are silent whatever the scale.
    for (let k = 0; k < 2 * sources; k++) scales[scalesOffset + k] = 0;
  } else {
    // row = (C Uᴴ)[refMic, :] (U C Uᴴ)⁻¹
    complexMatMul(1, sources, sources, cuH, inverse, scales, 2 * refMic * sources, 0, scalesOffset);
  }
  return ok;
}

/**
 * Multiply row `k` of a complex `rows` x `cols` matrix (at `offset` in `matrix`) by the
 * complex `scales[scalesOffset + 2k ..]`, into `out` at the same offset (in place by default).
 */
export function scaleComplexRows(
  matrix: Float64Array,
  offset: number,
  rows: number,
  cols: number,
  scales: Float64Array,
  scalesOffset = 0,
  out: Float64Array = matrix,
): void {
  for (let k = 0; k < rows; k++) {
    const ar = scales[scalesOffset + 2 * k];
    const ai = scales[scalesOffset + 2 * k + 1];
    for (let c = 0; c < cols; c++) {
      const i = offset + 2 * (k * cols + c);
      const wr = matrix[i];
      const wi = matrix[i + 1];
      out[i] = ar * wr - ai * wi;
      out[i + 1] = ar * wi + ai * wr;
    }
  }
}

/**
 * Projection back of every bin ({@link projectionBackScales}): scale each output so it is
 * the least-squares estimate of its image at microphone `refMic`, with the mixing
 * estimate `A_f = C_f Uᴴ (U C_f Uᴴ)⁻¹` (which is `U⁻¹` when `U` is square).
 *
 * @param total - per-bin `sources` x `mics` unmixing, interleaved; scaled in place
 * @param covariance - per-bin `mics` x `mics` covariance
 * @param scales - out: per-bin `sources` complex scales (`2 * sources` values per bin), may be omitted
 * @param work - buffers to reuse across calls; allocated when omitted
 */
export function projectionBack(
  total: Float64Array,
  covariance: Float64Array,
  sources: number,
  mics: number,
  bins: number,
  refMic: number,
  scales: Float64Array = new Float64Array(2 * sources * bins),
  work: ProjectionBackWorkspace = projectionBackWorkspace(sources, mics),
): Float64Array {
  for (let f = 0; f < bins; f++) {
    const u = 2 * f * sources * mics;
    const s = 2 * f * sources;
    projectionBackScales(total, u, covariance, 2 * f * mics * mics, refMic, work, scales, s);
    scaleComplexRows(total, u, sources, mics, scales, s);
  }
  return scales;
}

/**
 * The target rows of an iterated unmixing `w` (`rows` x `dims` per bin, targets first):
 * `targets` in the iterated space (`sources` x `dims` per bin) and `total`, the same rows
 * composed with the PCA reduction, acting on the microphones (`sources` x `mics` per bin;
 * a copy of `targets` when there is no reduction). Neither includes projection back.
 */
export function targetUnmixing(
  prepared: PreparedMixture,
  w: Float64Array,
  rows: number,
): { targets: Float64Array; total: Float64Array } {
  const { layout, dims, mics, sources, reduction } = prepared;
  const { bins } = layout;
  const targets = new Float64Array(bins * 2 * sources * dims);
  for (let f = 0; f < bins; f++) {
    targets.set(w.subarray(2 * f * rows * dims, 2 * f * rows * dims + 2 * sources * dims), 2 * f * sources * dims);
  }
  if (!reduction) return { targets, total: targets.slice() };
  const total = new Float64Array(bins * 2 * sources * mics);
  for (let f = 0; f < bins; f++) {
    complexMatMul(sources, dims, mics, targets, reduction, total, 2 * f * sources * dims, 2 * f * dims * mics, 2 * f * sources * mics); // prettier-ignore
  }
  return { targets, total };
}

/**
 * Finish a separation: take the target rows of the iterated unmixing `w` (`rows` x `dims`
 * per bin, targets first), fold in the reduction, apply projection back, and synthesise
 * the sources frame by frame straight from the STFT of the mixture (no STFT of the
 * output is held).
 *
 * @returns the time-domain sources and the total unmixing (`sources` x `mics` per bin, projection back included)
 */
export function finishSeparation(
  prepared: PreparedMixture,
  w: Float64Array,
  rows: number,
  refMic: number,
  sampleRate: number,
): { sources: MultichannelSignal; unmixing: ComplexUnmixing } {
  const { layout, dims, mics, sources, covariance, channels } = prepared;
  const { bins } = layout;
  const { targets, total } = targetUnmixing(prepared, w, rows);
  const scales = projectionBack(total, covariance, sources, mics, bins, refMic);
  for (let f = 0; f < bins; f++) {
    for (let k = 0; k < sources; k++) {
      const ar = scales[2 * (f * sources + k)];
      const ai = scales[2 * (f * sources + k) + 1];
      for (let d = 0; d < dims; d++) {
        const i = 2 * ((f * sources + k) * dims + d);
        const wr = targets[i];
        const wi = targets[i + 1];
        targets[i] = ar * wr - ai * wi;
        targets[i + 1] = ar * wi + ai * wr;
      }
    }
  }
  const outputs = demixToSignals(channels, targets, sources, dims, layout);
  const unmixing: ComplexUnmixing = {
    kind: 'complex',
    rows: sources,
    cols: mics,
    bins,
    fftSize: layout.fftSize,
    hopSamples: layout.hopSamples,
    data: total,
  };
  return { sources: { sampleRate, channels: outputs }, unmixing };
}

/**
 * Time-domain outputs `y_k = ISTFT(Σ_d W_f[k, d] X_d(f, ·))`, synthesised frame by frame
 * from the STFT `channels` with the per-bin unmixing `w` (`rows` x `dims`), so that no
 * STFT of the outputs is ever held.
 */
export function demixToSignals(
  channels: readonly Float64Array[],
  w: Float64Array,
  rows: number,
  dims: number,
  layout: StftLayout,
): Float64Array[] {
  const { fftSize, hopSamples, bins, frames, length } = layout;
  const synthesis = synthesisWindow(createWindow(layout.window, fftSize), hopSamples);
  const fft = realFft(fftSize);
  const spectra = Array.from({ length: rows }, () => new Float64Array(fftSize + 2));
  const frame = new Float64Array(fftSize);
  const outputs = Array.from({ length: rows }, () => new Float64Array(length));
  const pad = fftSize - hopSamples;
  const size = 2 * rows * dims;
  for (let t = 0; t < frames; t++) {
    for (let f = 0; f < bins; f++) {
      const x = 2 * (f * frames + t);
      for (let k = 0; k < rows; k++) {
        let re = 0;
        let im = 0;
        const o = f * size + 2 * k * dims;
        for (let d = 0; d < dims; d++) {
          const wr = w[o + 2 * d];
          const wi = w[o + 2 * d + 1];
          const xr = channels[d][x];
          const xi = channels[d][x + 1];
          re += wr * xr - wi * xi;
          im += wr * xi + wi * xr;
        }
        spectra[k][2 * f] = re;
        spectra[k][2 * f + 1] = im;
      }
    }
    const start = t * hopSamples - pad;
    const lo = Math.max(0, -start);
    const hi = Math.min(fftSize, length - start);
    for (let k = 0; k < rows; k++) {
      fft.inverse(spectra[k], frame);
      const out = outputs[k];
      for (let n = lo; n < hi; n++) out[start + n] += synthesis[n] * frame[n];
    }
  }
  return outputs;
}
