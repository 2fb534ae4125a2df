import type { MultichannelSignal } from '../audio/signal.js';
import { UnmixError, throwIfAborted, type AbortSignalLike } from '../errors.js';
import { hermitianQuadraticForm } from '../linalg/complex.js';
import type { ComplexUnmixing, ProgressCallback, SeparationResult } from '../separate.js';
import { isPowerOfTwo } from '../signal/fft.js';
import { StftStream, type FrameProcessor, type StreamProcessor } from '../signal/streaming.js';
import { auxIva, sourceWeights } from './auxiva.js';
import {
  projectionBackScales,
  projectionBackWorkspace,
  scaleComplexRows,
  type ProjectionBackWorkspace,
} from './stftMixture.js';
import { ipScratch, ipUpdate, type IpScratch } from './updates.js';

/**
 * Online AuxIVA (Taniguchi, Ono, Ito et al., "An auxiliary-function approach to online
 * independent vector analysis for real-time blind source separation", HSCMA 2014):
 * separates a stream frame by frame with a fixed delay and bounded memory, and follows
 * changes (a speaker who moves, a new speaker) because old frames are forgotten.
 *
 * Per STFT frame `t` and source `k` it
 * 1. computes the outputs `y_k(f) = w_kᴴ(f) x(f)` with the current unmixing and the source
 *    model's weight `φ_k = G'(r_k) / r_k` of the full-band norm `r_k = ‖y_k‖` (the batch
 *    AuxIVA weights: Laplacian `1 / (2 r_k)`, time-varying Gaussian `bins / r_k²`);
 * 2. updates the weighted covariance with the forgetting factor `α`:
 *    `V_k(f) ← α V_k(f) + (1 - α) φ_k x(f) x(f)ᴴ`, starting from zero plus an identity
 *    prior that decays like `α^t` (the plain average of the first frames was measured to
 *    converge more slowly, as it keeps the early, badly weighted frames longer); silent
 *    frames are skipped;
 * 3. updates the unmixing by iterative projection (IP, Ono 2011:
 *    `w_k ← (W V_k)⁻¹ e_k`, `w_k ← w_k / sqrt(w_kᴴ V_k w_k)`) or iterative source steering
 *    (ISS, Scheibler & Ono 2020, no matrix inverse);
 * 4. outputs `y(f) = W(f) x(f)` scaled by projection back (minimal distortion principle:
 *    each source at the level it has at the reference microphone), recomputed every frame
 *    so the scale follows the unmixing.
 * Steps 1-3 may be repeated per frame (`iterations`), each repetition replacing the
 * frame's covariance contribution with the one of the refined weights.
 *
 * The forgetting factor sets how fast it follows a change: the covariances remember
 * about `1 / (1 - α)` frames (α = 0.99 at hop 256 and 16 kHz: 1.6 s). Larger α separates
 * better once settled (less noise in the covariances), smaller α follows changes faster.
 */

/** Source models of online AuxIVA (the contrast `G(r)` of the full-band norm). */
export type OnlineSourceModel = 'laplace' | 'gauss';

/** Unmixing update rules of online AuxIVA. */
export type OnlineUpdateRule = 'ip' | 'iss';

/** Options of {@link OnlineAuxIva} and {@link createOnlineSeparator}. */
export interface OnlineAuxIvaOptions {
  /** STFT frame length in samples, a power of two; default {@link defaultOnlineFftSize} (1024 at 16 kHz). */
  fftSize?: number;
  /** STFT hop in samples; default `fftSize / 4`. Latency is `fftSize - hopSamples`. */
  hopSamples?: number;
  /** Forgetting factor `α` in (0, 1): weight of the past per frame; default 0.99 (memory ≈ 100 frames, 1.6 s at hop 256 and 16 kHz). */
  forgetting?: number;
  /** Source model: `laplace` (default) or `gauss` (time-varying Gaussian). */
  model?: OnlineSourceModel;
  /**
   * Update rule: `iss` (iterative source steering, default: no inverse, about twice as fast
   * as IP at 4 channels and as good or better in the standard rooms) or `ip` (iterative projection).
   */
  update?: OnlineUpdateRule;
  /** Weight-and-update passes per frame; default 2. */
  iterations?: number;
  /** Reference microphone of projection back (0-based); default 0. */
  refMic?: number;
  /** Warm start: unmixing matrices (e.g. from batch AuxIVA on the first seconds); must match the bins and channels. */
  initial?: ComplexUnmixing;
  /**
   * {@link createOnlineSeparator} only: run batch AuxIVA ({@link auxIva}, 30 iterations)
   * on the first `warmupSeconds` of the stream and start online from its unmixing (default
   * 0: no warm-up). Output is held back during the warm-up and comes out at once when it
   * ends; afterwards the latency is the usual `fftSize - hopSamples`.
   */
  warmupSeconds?: number;
}

/** The options with defaults filled in. */
export interface ResolvedOnlineOptions {
  fftSize: number;
  hopSamples: number;
  forgetting: number;
  model: OnlineSourceModel;
  update: OnlineUpdateRule;
  iterations: number;
  refMic: number;
}

/** Longest default latency: 64 ms. */
const DEFAULT_MAX_LATENCY_SECONDS = 0.064;

/**
 * The default FFT size at `sampleRate`: the largest power of two whose latency with hop
 * `fftSize / 4` (that is `3/4 fftSize`) stays within 64 ms: 1024 at 16 kHz (48 ms),
 * 2048 at 44.1/48 kHz (35-43 ms), 512 at 8 kHz (48 ms).
 */
export function defaultOnlineFftSize(sampleRate: number): number {
  let size = 16;
  while ((size * 2 * 3) / 4 <= DEFAULT_MAX_LATENCY_SECONDS * sampleRate + 1e-9) size *= 2;
  return size;
}

/** Check `options` and fill in defaults. @throws UnmixError (usage) for a value out of range */
export function resolveOnlineOptions(sampleRate: number, options: OnlineAuxIvaOptions = {}): ResolvedOnlineOptions {
  const fftSize = options.fftSize ?? defaultOnlineFftSize(sampleRate);
  if (!isPowerOfTwo(fftSize) || fftSize < 16 || fftSize > 1 << 16) {
    throw new UnmixError(`FFT size must be a power of two from 16 to 65536, got ${fftSize}`, 'usage');
  }
  const hopSamples = options.hopSamples ?? fftSize / 4;
  if (!Number.isInteger(hopSamples) || hopSamples < 1 || hopSamples > fftSize / 2) {
    throw new UnmixError(
      `hop must be a whole number from 1 to half the FFT size (${fftSize / 2}), got ${hopSamples}`,
      'usage',
    );
  }
  const forgetting = options.forgetting ?? 0.99;
  if (!(forgetting > 0 && forgetting < 1)) {
    throw new UnmixError(`forgetting factor must be between 0 and 1 (exclusive), got ${forgetting}`, 'usage');
  }
  const model = options.model ?? 'laplace';
  if (model !== 'laplace' && model !== 'gauss') {
    throw new UnmixError(`unknown source model '${String(model)}'; choose laplace or gauss`, 'usage');
  }
  const update = options.update ?? 'iss';
  if (update !== 'ip' && update !== 'iss') {
    throw new UnmixError(`unknown update rule '${String(update)}'; choose ip or iss`, 'usage');
  }
  const iterations = options.iterations ?? 2;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100) {
    throw new UnmixError(`iterations per frame must be a whole number from 1 to 100, got ${iterations}`, 'usage');
  }
  const refMic = options.refMic ?? 0;
  if (!Number.isInteger(refMic) || refMic < 0) {
    throw new UnmixError(`reference microphone must be a whole number >= 0, got ${refMic}`, 'usage');
  }
  return { fftSize, hopSamples, forgetting, model, update, iterations, refMic };
}

/**
 * Floor of a frame's output power, relative to its running mean: keeps `1/r` bounded on
 * near-silent frames (dither, fades), which would otherwise dominate the covariances.
 */
const POWER_FLOOR = 1e-6;
/** Diagonal loading of the covariances, relative to their mean diagonal: keeps the IP solve regular in silent bins and on the first frames. */
const LOADING = 1e-6;
/**
 * Identity prior of the covariances at the start, relative to their mean diagonal, decaying
 * with the forgetting factor: without it the first frames' rank-one covariances make `W`
 * nearly singular, and it takes seconds to recover (measured: about 2 dB lower SI-SDRi in
 * the first 4 s of the standard 2x2 room).
 */
const PRIOR_START = 1;
/** Frames with less energy than this fraction of the running mean are silence: no adaptation on them. */
const SILENCE = 1e-8;
/** A warm start's unmixing is held for this fraction of the covariances' memory `1 / (1 - α)`. */
const HOLD_MEMORY = 1;

/**
 * Online AuxIVA as a {@link FrameProcessor}: `channels` spectra in, as many separated
 * spectra out (determined case: sources = microphones). State: one unmixing matrix and one
 * weighted covariance per source per bin, nothing that grows with the stream.
 */
export class OnlineAuxIva implements FrameProcessor {
  readonly inputChannels: number;
  readonly outputChannels: number;
  readonly bins: number;
  readonly options: ResolvedOnlineOptions;
  /** Unmixing without projection back, `bins` row-major `n x n` complex matrices (the {@link ComplexUnmixing} layout). */
  private readonly w: Float64Array;
  /** Weighted covariances: source `k`, bin `f` at `2 n² (k bins + f)`. */
  private readonly v: Float64Array;
  /** Current frame's mixture, bin-major: bin `f` at `2 n f`. */
  private readonly x: Float64Array;
  /** Current frame's outputs (before projection back): source `k`, bin `f` at `2 (k bins + f)`. */
  private readonly y: Float64Array;
  /** Weight applied to each source's contribution to `V_k` this frame (so a refinement pass can replace it). */
  private readonly applied: Float64Array;
  private readonly weights: Float64Array;
  private readonly power: Float64Array;
  /** Running mean of each source's frame power (for {@link POWER_FLOOR}). */
  private readonly meanPower: Float64Array;
  private readonly ip: IpScratch;
  private readonly column: Float64Array;
  /** Projection back: buffers and the current bin's scales. */
  private readonly projection: ProjectionBackWorkspace;
  private readonly scales: Float64Array;
  private frames = 0;
  /** Frames the unmixing adapted on (not silent). */
  private updates = 0;
  /** Frames during which a warm start's unmixing is kept while the covariances fill. */
  private readonly holdFrames: number;
  /** Running mean of the frames' mixture energy (for {@link SILENCE}). */
  private meanEnergy = 0;
  /** Extra loading that decays with the forgetting factor: an identity prior for the first frames. */
  private prior = 0;

  /**
   * @param channels - number of microphones (= sources), 1 to 16
   * @param sampleRate - in Hz (for the default FFT size)
   * @param options - see {@link OnlineAuxIvaOptions}
   * @param holdFrames - with a warm start, frames during which its unmixing is kept while
   *   the covariances fill (default one memory, `1 / (1 - α)` frames; measured best for a
   *   batch warm-up: its own length)
   * @throws UnmixError (usage) for bad options or a warm start of the wrong shape
   */
  constructor(channels: number, sampleRate: number, options: OnlineAuxIvaOptions = {}, holdFrames?: number) {
    if (!Number.isInteger(channels) || channels < 1 || channels > 16) {
      throw new UnmixError(`online AuxIVA needs 1 to 16 channels, got ${channels}`, 'input');
    }
    this.options = resolveOnlineOptions(sampleRate, options);
    if (this.options.refMic >= channels) {
      throw new UnmixError(
        `reference microphone ${this.options.refMic} does not exist (the mixture has ${channels} channels)`,
        'usage',
      );
    }
    const n = channels;
    const bins = this.options.fftSize / 2 + 1;
    this.inputChannels = n;
    this.outputChannels = n;
    this.bins = bins;
    this.w = new Float64Array(2 * n * n * bins);
    this.v = new Float64Array(2 * n * n * n * bins);
    this.x = new Float64Array(2 * n * bins);
    this.y = new Float64Array(2 * n * bins);
    this.applied = new Float64Array(n);
    this.weights = new Float64Array(n);
    this.power = new Float64Array(n);
    this.meanPower = new Float64Array(n);
    this.ip = ipScratch(n);
    this.column = new Float64Array(2 * n);
    this.projection = projectionBackWorkspace(n, n);
    this.scales = new Float64Array(2 * n);
    const initial = options.initial;
    if (initial) {
      if (initial.kind !== 'complex' || initial.bins !== bins || initial.rows !== n || initial.cols !== n) {
        throw new UnmixError(
          `the initial unmixing must be ${n} x ${n} complex matrices for ${bins} bins (FFT size ${this.options.fftSize})`,
          'usage',
        );
      }
      this.w.set(initial.data);
      this.holdFrames = holdFrames ?? Math.round(HOLD_MEMORY / (1 - this.options.forgetting));
    } else {
      this.holdFrames = 0;
      for (let f = 0; f < bins; f++) for (let k = 0; k < n; k++) this.w[2 * (f * n * n + k * n + k)] = 1;
    }
  }

  /** Frames processed so far. */
  get framesProcessed(): number {
    return this.frames;
  }

  processFrame(input: readonly Float64Array[], output: Float64Array[]): void {
    const n = this.inputChannels;
    const { bins, x } = this;
    for (let c = 0; c < n; c++) {
      const spectrum = input[c];
      for (let f = 0; f < bins; f++) {
        x[2 * (f * n + c)] = spectrum[2 * f];
        x[2 * (f * n + c) + 1] = spectrum[2 * f + 1];
      }
    }
    const alpha = this.options.forgetting;
    let energy = 0;
    for (let i = 0; i < x.length; i++) energy += x[i] * x[i];
    // Silent frames (digital silence before a stream starts, gaps) carry no information
    // about the mixing, and adapting on them would scale W towards infinity: skip them.
    const silent = !(energy > SILENCE * this.meanEnergy) || !(energy > 1e-300);
    if (!silent) {
      this.meanEnergy = this.updates === 0 ? energy : alpha * this.meanEnergy + (1 - alpha) * energy;
      this.prior = PRIOR_START * Math.pow(alpha, this.updates);
      for (let pass = 0; pass < this.options.iterations; pass++) {
        this.demix();
        this.sourceWeights();
        this.updateCovariances(pass === 0 ? alpha : 1, 1 - alpha);
        // A warm start keeps its unmixing until the covariances have been estimated with it.
        if (this.updates < this.holdFrames) break;
        if (this.options.update === 'ip') this.iterativeProjection();
        else this.iterativeSourceSteering();
      }
      this.updates++;
    }
    this.demix();
    this.projectBack(output);
    this.frames++;
  }

  /** `y_k(f) = Σ_c W_kc(f) x_c(f)` for every bin. */
  private demix(): void {
    const n = this.inputChannels;
    const { bins, w, x, y } = this;
    for (let f = 0; f < bins; f++) {
      const wf = 2 * f * n * n;
      const xf = 2 * f * n;
      for (let k = 0; k < n; k++) {
        let re = 0;
        let im = 0;
        for (let c = 0; c < n; c++) {
          const wr = w[wf + 2 * (k * n + c)];
          const wi = w[wf + 2 * (k * n + c) + 1];
          const xr = x[xf + 2 * c];
          const xi = x[xf + 2 * c + 1];
          re += wr * xr - wi * xi;
          im += wr * xi + wi * xr;
        }
        y[2 * (k * bins + f)] = re;
        y[2 * (k * bins + f) + 1] = im;
      }
    }
  }

  /** The source model's weight `φ_k = G'(r_k) / r_k` of each source's full-band norm (the batch AuxIVA weights, one frame). */
  private sourceWeights(): void {
    const n = this.inputChannels;
    const { bins, y, power, meanPower } = this;
    const alpha = this.options.forgetting;
    for (let k = 0; k < n; k++) {
      let p = 0;
      for (let i = 2 * k * bins; i < 2 * (k + 1) * bins; i++) p += y[i] * y[i];
      meanPower[k] = this.updates === 0 ? p : alpha * meanPower[k] + (1 - alpha) * p;
      power[k] = Math.max(p, POWER_FLOOR * meanPower[k], 1e-300);
    }
    sourceWeights(power, this.weights, n, 1, bins, this.options.model === 'gauss');
  }

  /**
   * `V_k ← decay V_k + gain (φ_k - applied_k) x xᴴ`: with `decay = α` a new frame's
   * contribution, with `decay = 1` the replacement of this frame's contribution by the
   * refined weight.
   */
  private updateCovariances(decay: number, gain: number): void {
    const n = this.inputChannels;
    const { bins, v, x } = this;
    const nn2 = 2 * n * n;
    for (let k = 0; k < n; k++) {
      const scale = gain * (this.weights[k] - (decay === 1 ? this.applied[k] : 0));
      this.applied[k] = this.weights[k];
      for (let f = 0; f < bins; f++) {
        const vf = nn2 * (k * bins + f);
        const xf = 2 * f * n;
        for (let i = 0; i < n; i++) {
          const xir = x[xf + 2 * i];
          const xii = x[xf + 2 * i + 1];
          const d = vf + 2 * (i * n + i);
          v[d] = decay * v[d] + scale * (xir * xir + xii * xii);
          for (let j = i + 1; j < n; j++) {
            // x_i conj(x_j) above the diagonal, its conjugate below (V is Hermitian)
            const xjr = x[xf + 2 * j];
            const xji = x[xf + 2 * j + 1];
            const up = vf + 2 * (i * n + j);
            const low = vf + 2 * (j * n + i);
            const re = decay * v[up] + scale * (xir * xjr + xii * xji);
            const im = decay * v[up + 1] + scale * (xii * xjr - xir * xji);
            v[up] = re;
            v[up + 1] = im;
            v[low] = re;
            v[low + 1] = -im;
          }
        }
      }
    }
  }

  /** Diagonal loading of `V_k(f)`: a small fraction of its mean diagonal. */
  private loading(vf: number): number {
    const n = this.inputChannels;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += this.v[vf + 2 * (i * n + i)];
    return (LOADING + this.prior) * (trace / n) + 1e-30;
  }

  /** IP (the batch AuxIVA kernel {@link ipUpdate}) on the loaded covariances `V_k + λI`. */
  private iterativeProjection(): void {
    const n = this.inputChannels;
    const { bins, w, v, ip } = this;
    const nn2 = 2 * n * n;
    for (let k = 0; k < n; k++) {
      for (let f = 0; f < bins; f++) {
        const vf = nn2 * (k * bins + f);
        const load = this.loading(vf);
        for (let i = 0; i < n; i++) v[vf + 2 * (i * n + i)] += load;
        ipUpdate(n, w, nn2 * f, k, v, vf, ip); // singular: the row stays as it was
        for (let i = 0; i < n; i++) v[vf + 2 * (i * n + i)] -= load;
      }
    }
  }

  /**
   * ISS: for each `k`, `W ← W - v e_kᴴ`-style rank-one update of every row with
   * `v_j = (w_jᴴ V_j w_k) / (w_kᴴ V_j w_k)` (j ≠ k) and `v_k = 1 - (w_kᴴ V_k w_k)^(-1/2)`.
   * With `a` = row k and `b_j` = row j of `W`: `w_jᴴ V_j w_k = b_j V_j aᴴ`.
   */
  private iterativeSourceSteering(): void {
    const n = this.inputChannels;
    const { bins, w, v, column } = this;
    const nn2 = 2 * n * n;
    for (let f = 0; f < bins; f++) {
      const wf = nn2 * f;
      for (let k = 0; k < n; k++) {
        const rk = wf + 2 * k * n;
        for (let j = 0; j < n; j++) {
          if (j === k) continue; // row k is rescaled last, after the other rows used it
          const vf = nn2 * (j * bins + f);
          const load = this.loading(vf);
          // column = (V_j + λI) aᴴ
          for (let i = 0; i < n; i++) {
            let re = load * w[rk + 2 * i];
            let im = -load * w[rk + 2 * i + 1];
            for (let c = 0; c < n; c++) {
              const vr = v[vf + 2 * (i * n + c)];
              const vi = v[vf + 2 * (i * n + c) + 1];
              const ar = w[rk + 2 * c];
              const ai = -w[rk + 2 * c + 1];
              re += vr * ar - vi * ai;
              im += vr * ai + vi * ar;
            }
            column[2 * i] = re;
            column[2 * i + 1] = im;
          }
          // den = a column (real, positive), num = b_j column
          let den = 0;
          for (let c = 0; c < n; c++) den += w[rk + 2 * c] * column[2 * c] - w[rk + 2 * c + 1] * column[2 * c + 1];
          if (!(den > 0)) continue;
          const rj = wf + 2 * j * n;
          let nr = 0;
          let ni = 0;
          for (let c = 0; c < n; c++) {
            const br = w[rj + 2 * c];
            const bi = w[rj + 2 * c + 1];
            nr += br * column[2 * c] - bi * column[2 * c + 1];
            ni += br * column[2 * c + 1] + bi * column[2 * c];
          }
          const vr = nr / den;
          const vi = ni / den;
          for (let c = 0; c < n; c++) {
            const ar = w[rk + 2 * c];
            const ai = w[rk + 2 * c + 1];
            w[rj + 2 * c] -= vr * ar - vi * ai;
            w[rj + 2 * c + 1] -= vr * ai + vi * ar;
          }
        }
        // v_k: row k ← row k / sqrt(a V_k aᴴ)
        const vf = nn2 * (k * bins + f);
        const load = this.loading(vf);
        for (let c = 0; c < n; c++) {
          column[2 * c] = w[rk + 2 * c];
          column[2 * c + 1] = -w[rk + 2 * c + 1];
        }
        let norm = hermitianQuadraticForm(n, v, column, vf, 0);
        for (let c = 0; c < n; c++) norm += load * (column[2 * c] ** 2 + column[2 * c + 1] ** 2);
        if (!(norm > 0)) continue;
        const s = 1 / Math.sqrt(norm);
        for (let c = 0; c < 2 * n; c++) w[rk + c] *= s;
      }
    }
  }

  /** `output_k(f) = A_ref,k(f) y_k(f)` with `A = W⁻¹` (minimal distortion principle; stftMixture's kernel). */
  private projectBack(output: Float64Array[]): void {
    const n = this.inputChannels;
    const { bins, w, y, projection, scales } = this;
    const ref = this.options.refMic;
    const nn2 = 2 * n * n;
    for (let f = 0; f < bins; f++) {
      projectionBackScales(w, nn2 * f, undefined, 0, ref, projection, scales);
      for (let k = 0; k < n; k++) {
        const ar = scales[2 * k];
        const ai = scales[2 * k + 1];
        const yr = y[2 * (k * bins + f)];
        const yi = y[2 * (k * bins + f) + 1];
        output[k][2 * f] = ar * yr - ai * yi;
        output[k][2 * f + 1] = ar * yi + ai * yr;
      }
    }
  }

  /**
   * The current unmixing with projection back included (`Y(f) = W'(f) X(f)` gives this
   * frame's outputs), as a {@link ComplexUnmixing}; a new array each call.
   */
  unmixing(): ComplexUnmixing {
    const n = this.inputChannels;
    const { bins, w, projection, scales } = this;
    const ref = this.options.refMic;
    const nn2 = 2 * n * n;
    const data = new Float64Array(nn2 * bins);
    for (let f = 0; f < bins; f++) {
      projectionBackScales(w, nn2 * f, undefined, 0, ref, projection, scales);
      scaleComplexRows(w, nn2 * f, n, n, scales, 0, data);
    }
    return {
      kind: 'complex',
      rows: n,
      cols: n,
      bins,
      fftSize: this.options.fftSize,
      hopSamples: this.options.hopSamples,
      data,
    };
  }
}

/**
 * A separator for streams: feed blocks of microphone samples, get blocks of separated
 * sources back `latency` samples later ({@link StreamProcessor}), and read the current
 * unmixing at any time.
 */
export interface OnlineSeparator extends StreamProcessor {
  /** Sample rate in Hz. */
  readonly sampleRate: number;
  /** The options in use, defaults filled in (JSON-serialisable). */
  readonly options: ResolvedOnlineOptions;
  /** STFT frames processed so far. */
  readonly framesProcessed: number;
  /** The current unmixing, projection back included. */
  unmixing(): ComplexUnmixing;
}

/**
 * An online AuxIVA separator for `channels` microphones at `sampleRate`: streaming STFT,
 * {@link OnlineAuxIva} per frame, streaming ISTFT. Latency `fftSize - hopSamples` samples
 * (768 = 48 ms at 16 kHz by default).
 *
 * @example
 * const separator = createOnlineSeparator(2, 16000);
 * for (const block of blocks) write(separator.process(block));
 * write(separator.flush());
 */
export function createOnlineSeparator(
  channels: number,
  sampleRate: number,
  options: OnlineAuxIvaOptions = {},
): OnlineSeparator {
  const warmupSeconds = options.warmupSeconds ?? 0;
  if (!(warmupSeconds >= 0 && warmupSeconds <= 600)) {
    throw new UnmixError(`warm-up must be from 0 to 600 seconds, got ${warmupSeconds}`, 'usage');
  }
  const plain = streamSeparator(channels, sampleRate, options);
  if (warmupSeconds === 0) return plain;
  return warmedUpSeparator(plain, Math.round(warmupSeconds * sampleRate), options);
}

/** Iterations of the batch warm-up. */
const WARMUP_ITERATIONS = 30;

/**
 * Holds back the first `warmupSamples` samples, separates them with batch AuxIVA, then
 * streams from the start of the stream with that unmixing as the warm start.
 */
function warmedUpSeparator(
  plain: OnlineSeparator,
  warmupSamples: number,
  options: OnlineAuxIvaOptions,
): OnlineSeparator {
  const { sampleRate, inputChannels } = plain;
  const { fftSize, hopSamples, model } = plain.options;
  let held: Float64Array[][] = [];
  let heldSamples = 0;
  let active: OnlineSeparator | null = null;
  const empty = (): Float64Array[] => Array.from({ length: plain.outputChannels }, () => new Float64Array(0));
  const begin = (): Float64Array[] => {
    const signal = Array.from({ length: inputChannels }, (_, c) => {
      const x = new Float64Array(heldSamples);
      let at = 0;
      for (const block of held) {
        x.set(block[c], at);
        at += block[c].length;
      }
      return x;
    });
    held = [];
    // Batch AuxIVA needs a few frames; with less, start online from scratch.
    if (heldSamples >= 4 * fftSize && inputChannels >= 2) {
      const batch = auxIva(
        { sampleRate, channels: signal },
        { fftSize, hopSamples, model, iterations: WARMUP_ITERATIONS },
      );
      // Keep the batch unmixing over the samples it was computed on.
      const hold = Math.ceil(heldSamples / hopSamples);
      active = streamSeparator(
        inputChannels,
        sampleRate,
        { ...options, initial: batch.unmixing as ComplexUnmixing },
        hold,
      );
    } else {
      active = plain;
    }
    return active.process(signal);
  };
  const join = (a: Float64Array[], b: Float64Array[]): Float64Array[] =>
    a.map((x, k) => {
      const y = new Float64Array(x.length + b[k].length);
      y.set(x);
      y.set(b[k], x.length);
      return y;
    });
  return {
    sampleRate,
    options: plain.options,
    inputChannels,
    outputChannels: plain.outputChannels,
    latency: plain.latency,
    get framesProcessed() {
      return active?.framesProcessed ?? 0;
    },
    process(block) {
      if (active) return active.process(block);
      if (block.length !== inputChannels) {
        throw new UnmixError(`expected ${inputChannels} channels, got ${block.length}`, 'input');
      }
      // Exactly `warmupSamples` go to the batch, whatever the block sizes.
      const take = Math.min(block[0].length, warmupSamples - heldSamples);
      held.push(block.map((channel) => channel.slice(0, take)));
      heldSamples += take;
      if (heldSamples < warmupSamples) return empty();
      const first = begin();
      return take === block[0].length ? first : join(first, active!.process(block.map((c) => c.subarray(take))));
    },
    flush() {
      if (active) return active.flush();
      const out = begin();
      return join(out, (active as OnlineSeparator | null)!.flush());
    },
    unmixing: () => (active ?? plain).unmixing(),
  };
}

function streamSeparator(
  channels: number,
  sampleRate: number,
  options: OnlineAuxIvaOptions = {},
  holdFrames?: number,
): OnlineSeparator {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new UnmixError(`sample rate must be a positive number, got ${sampleRate}`, 'usage');
  }
  const processor = new OnlineAuxIva(channels, sampleRate, options, holdFrames);
  const stream = new StftStream(processor, {
    fftSize: processor.options.fftSize,
    hopSamples: processor.options.hopSamples,
  });
  return {
    sampleRate,
    options: processor.options,
    inputChannels: stream.inputChannels,
    outputChannels: stream.outputChannels,
    latency: stream.latency,
    get framesProcessed() {
      return processor.framesProcessed;
    },
    process: (block) => stream.process(block),
    flush: () => stream.flush(),
    unmixing: () => processor.unmixing(),
  };
}

/** Options of {@link separateOnline}. */
export interface SeparateOnlineOptions extends OnlineAuxIvaOptions {
  /** Samples per block fed to the separator; default the hop. */
  blockSamples?: number;
  /** Called every block with samples done / total. */
  onProgress?: ProgressCallback;
  /** Cancels between blocks. */
  signal?: AbortSignalLike;
}

/**
 * Run online AuxIVA over a whole recording (as a stream, block by block) and return it in
 * the shape of a batch separation, for comparisons with batch methods and for tests.
 * `iterations` in the result is the number of frames; `converged` is false (an online
 * method never stops adapting).
 *
 * @param mixture - planar signal, one channel per microphone
 * @throws UnmixError for an empty or non-finite mixture, bad options
 */
export function separateOnline(mixture: MultichannelSignal, options: SeparateOnlineOptions = {}): SeparationResult {
  const channels = mixture.channels;
  if (channels.length === 0 || channels[0].length === 0) throw new UnmixError('the mixture is empty');
  const length = channels[0].length;
  for (const channel of channels) {
    if (channel.length !== length) throw new UnmixError('all channels must have the same length');
    for (let i = 0; i < length; i++) {
      if (!Number.isFinite(channel[i])) throw new UnmixError('the mixture contains NaN or infinite samples');
    }
  }
  const separator = createOnlineSeparator(channels.length, mixture.sampleRate, options);
  const block = options.blockSamples ?? separator.options.hopSamples;
  if (!Number.isInteger(block) || block < 1)
    throw new UnmixError(`block size must be a whole number >= 1, got ${block}`, 'usage');
  const sources = Array.from({ length: separator.outputChannels }, () => new Float64Array(length));
  let written = 0;
  const append = (out: Float64Array[]): void => {
    for (let k = 0; k < out.length; k++) sources[k].set(out[k], written);
    written += out[0].length;
  };
  for (let at = 0; at < length; at += block) {
    throwIfAborted(options.signal);
    append(separator.process(channels.map((c) => c.subarray(at, Math.min(length, at + block)))));
    options.onProgress?.(Math.min(length, at + block), length);
  }
  append(separator.flush());
  const { fftSize, hopSamples, forgetting, model, update, iterations, refMic } = separator.options;
  return {
    sources: { sampleRate: mixture.sampleRate, channels: sources },
    unmixing: separator.unmixing(),
    method: 'online-auxiva',
    options: { fftSize, hopSamples, forgetting, model, update, iterations, refMic },
    iterations: separator.framesProcessed,
    converged: false,
    trace: [],
  };
}
