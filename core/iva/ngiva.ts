import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, UnmixError, type AbortSignalLike } from '../errors.js';
import {
  complexInverse,
  complexLogAbsDet,
  complexMatMul,
  complexScratch,
  singularMatrixError,
} from '../linalg/complex.js';
import { createOptimizer, type OptimizerSpec } from '../optim/create.js';
import type { Optimizer } from '../optim/optimizers.js';
import type { ComplexUnmixing, IterationInfo, ProgressCallback, SeparationResult } from '../separate.js';
import {
  finishSeparation,
  initialUnmixing,
  prepareMixture,
  resolveStftOptions,
  type PreparedMixture,
  type ResolvedStftOptions,
  type StftSeparationOptions,
} from './stftMixture.js';
import { demixBin } from './updates.js';

/**
 * Natural-gradient independent vector analysis (NG-IVA; Kim, Attias, Lee & Lee,
 * "Blind source separation exploiting higher-order frequency dependencies", IEEE TASLP
 * 2007): the natural-gradient ICA rule of the instantaneous methods, applied in every
 * frequency bin `f` of the STFT at once,
 *
 *   `ΔW_f = (I − E_t[φ(y_f) y_fᴴ]) W_f`,
 *
 * with a **multivariate** score that couples the bins: source `k`'s score in bin `f` is
 * `φ_k(y_f) = c · y_k(f, t) / r_k(t)` where `r_k(t) = sqrt(Σ_f |y_k(f, t)|²)` is the norm of
 * the source over all bins. Because the score of every bin depends on the whole spectrum
 * of the frame, the bins of one source stay together: the permutation problem of per-bin
 * ICA (see fdica.ts) does not arise.
 *
 * The rule is the natural (Riemannian) gradient of the cost
 *
 *   `J(W) = c Σ_k E_t[r_k(t)] − Σ_f log |det W_f|`
 *
 * (the negative log-likelihood of the spherical Laplacian source prior
 * `p(y_k) ∝ exp(−2c ‖y_k‖)`, halved), whose Euclidean gradient, in the real view
 * `∂J/∂Re W + i ∂J/∂Im W`, is `(E[φ(y) yᴴ] − I) W_f⁻ᴴ`; multiplying by `W_fᴴ W_f` gives
 * the rule above. `c = sqrt(F)` (F = bins with energy) puts the fixed point at the scale
 * of unit-variance bins, where the mixture starts after per-bin whitening, so no
 * iterations are spent growing the scale.
 *
 * Each step is taken by a core/optim optimizer on all matrices as one parameter vector
 * (complex, re/im interleaved) with the natural gradient `(E[φ yᴴ] − I) W_f` as its
 * gradient: with SGD at rate η that is exactly `W_f ← W_f + η (I − E[φ yᴴ]) W_f`.
 * A step that raises the cost is undone and the rate halved (the safeguard of MNE's
 * infomax); the run stops when the RMS over bins of `‖E[φ yᴴ] − I‖_F` falls below
 * `tolerance`.
 *
 * The same loop with the scalar score `φ(y) = y / |y|` per bin is frequency-domain ICA:
 * {@link iterateNaturalGradient} serves both.
 */

/** Score functions of {@link iterateNaturalGradient}. */
export type NaturalGradientScore =
  /** IVA: `c y_k(f,t) / ‖y_k(·,t)‖`, one multivariate score across bins (NG-IVA). */
  | 'vector'
  /** Per-bin ICA: `y_k(f,t) / |y_k(f,t)|`, the complex super-Gaussian (Laplacian) score (FDICA). */
  | 'scalar';

/** Options of {@link ngIva}. */
export interface NgIvaOptions extends StftSeparationOptions {
  /**
   * The optimizer of core/optim taking each step, as a spec or its text form
   * (e.g. `'adam:lr=0.01'`, or `'sgd:lr=0.1'` for the plain natural-gradient rule); default
   * {@link NGIVA_DEFAULT_OPTIMIZER} for NG-IVA, `'sgd:lr=0.1'` for FDICA.
   */
  optimizer?: OptimizerSpec | string;
  /** A learning-rate schedule in the text form of core/optim (e.g. `'step:100:0.5'`); default constant. */
  schedule?: string;
}

/** Default NG-IVA iterations. */
export const NGIVA_DEFAULT_ITERATIONS = 300;
/** Default NG-IVA tolerance on the RMS relative gradient norm. */
export const NGIVA_DEFAULT_TOLERANCE = 1e-3;
/**
 * Default optimizer of NG-IVA: Nesterov momentum. On the test mixtures it reaches the
 * same separation as plain SGD (`'sgd:lr=0.1'`, the textbook rule) in 2-3x fewer
 * iterations (2x2: 70 instead of 147; 3x3: converged in 274 where SGD had not in 300).
 */
export const NGIVA_DEFAULT_OPTIMIZER = 'nesterov:lr=0.05,momentum=0.8';

/**
 * Separate a room recording by natural-gradient IVA (Kim et al. 2007; see the module
 * comment): per-bin PCA whitening (and reduction to `sources`), natural-gradient
 * iterations with the multivariate Laplacian score, projection back to `refMic`.
 *
 * @param mixture - planar, at least 2 channels (microphones)
 * @param options - {@link NgIvaOptions}; defaults: FFT size ~128 ms of the sample rate, hop
 *   `fftSize/4`, 300 iterations, tolerance 1e-3, optimizer `nesterov:lr=0.05,momentum=0.8`, `refMic: 0`
 * @returns sources at their level in microphone `refMic`, one complex unmixing matrix per
 *   bin, and the trace (cost `J / F`, RMS relative gradient norm, learning rate)
 * @throws UnmixError for bad input or options, `failed` when the iterations diverge,
 *   `aborted` when `options.signal` fires
 */
export function ngIva(mixture: MultichannelSignal, options: NgIvaOptions = {}): SeparationResult {
  return runNaturalGradient(mixture, options, 'vector', 'ngiva', {
    iterations: NGIVA_DEFAULT_ITERATIONS,
    tolerance: NGIVA_DEFAULT_TOLERANCE,
    optimizer: NGIVA_DEFAULT_OPTIMIZER,
  });
}

/**
 * What ngiva.ts and fdica.ts share: check the options, whiten each bin, iterate with
 * `score`, call `beforeFinish` (FDICA's permutation alignment: it may reorder the rows of
 * `w` and returns extra options to report), then projection back and synthesis.
 * @internal
 */
export function runNaturalGradient(
  mixture: MultichannelSignal,
  options: NgIvaOptions,
  score: NaturalGradientScore,
  method: string,
  defaults: { iterations: number; tolerance: number; optimizer: string },
  beforeFinish?: (prepared: PreparedMixture, w: Float64Array, resolved: ResolvedStftOptions) => Record<string, unknown>,
): SeparationResult {
  const resolved = resolveStftOptions(mixture, options, defaults);
  if (options.reduction === 'overiva') {
    throw new UnmixError(`${method} reduces more microphones to the sources by PCA only, not overiva`, 'usage');
  }
  const spec = options.optimizer ?? defaults.optimizer;
  const optimizer = createOptimizer(spec, options.schedule);
  throwIfAborted(options.signal);
  // Whitening each bin makes the natural gradient converge at the same speed in every
  // bin whatever its level, and reduces to `sources` dimensions when there are more mics.
  const prepared = prepareMixture(mixture, resolved, true);
  const w = initialUnmixing(prepared, prepared.dims, options.initial as ComplexUnmixing | undefined);
  const { trace, converged } = iterateNaturalGradient(prepared, w, {
    score,
    optimizer,
    iterations: resolved.iterations,
    tolerance: resolved.tolerance,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const extra = beforeFinish ? beforeFinish(prepared, w, resolved) : {};
  const { sources, unmixing } = finishSeparation(prepared, w, prepared.dims, resolved.refMic, mixture.sampleRate);
  return {
    sources,
    unmixing,
    method,
    options: {
      ...resolved,
      reduction: 'pca',
      optimizer: typeof spec === 'string' ? spec : { ...spec },
      ...(options.schedule ? { schedule: options.schedule } : {}),
      ...extra,
    },
    iterations: trace.length,
    converged,
    trace,
  };
}

/** Options of {@link iterateNaturalGradient}. */
export interface NaturalGradientIterationOptions {
  score: NaturalGradientScore;
  /** Takes the steps; its learning rate is halved in place when a step raises the cost. */
  optimizer: Optimizer;
  iterations: number;
  tolerance: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignalLike;
}

/** Buffers of {@link naturalGradientCost}, sized for one prepared mixture; allocate once per run. */
export interface NaturalGradientWorkspace {
  /** Outputs of every bin: bin `f`, source `k`, frame `t` at `2 * ((f * n + k) * frames + t)`. */
  y: Float64Array;
  /** `r_k(t)` (vector score), source `k`, frame `t` at `k * frames + t`. */
  norms: Float64Array;
  /** One source's score weights `φ_k / y_k` over the frames of one bin. */
  weights: Float64Array;
  /** One bin's `E[φ yᴴ] − I`. */
  moment: Float64Array;
  inverse: Float64Array;
  scratch: Float64Array;
}

/** Allocate a {@link NaturalGradientWorkspace} for `dims` sources, `bins` bins and `frames` frames. */
export function naturalGradientWorkspace(dims: number, bins: number, frames: number): NaturalGradientWorkspace {
  return {
    y: new Float64Array(2 * dims * bins * frames),
    norms: new Float64Array(dims * frames),
    weights: new Float64Array(frames),
    moment: new Float64Array(2 * dims * dims),
    inverse: new Float64Array(2 * dims * dims),
    scratch: complexScratch(dims),
  };
}

/** Per-bin parts of the scalar-score cost, filled by {@link naturalGradientCost} when given. */
export interface PerBinCost {
  /** `Σ_k mean_t |y_k(f,t)| − log|det W_f|` per bin (Infinity for a singular `W_f`; 0 for inactive bins). */
  cost: Float64Array;
  /** `‖E[φ yᴴ] − I‖²_F` per bin. */
  norm2: Float64Array;
}

/** Smallest magnitude a score divides by, relative to the RMS: keeps `y / |y|` finite at zeros. */
const SCORE_FLOOR = 1e-8;

/**
 * Cost and gradient of the natural-gradient methods at `w` (`dims` x `dims` per bin, the
 * ComplexUnmixing layout) on the prepared (whitened) mixture:
 * - `score: 'vector'` (NG-IVA): `J = c Σ_k mean_t r_k(t) − Σ_f log|det W_f|`, `c = sqrt(F)`;
 * - `score: 'scalar'` (FDICA): `J = Σ_f (Σ_k mean_t |y_k(f,t)| − log|det W_f|)`,
 * summed over the active bins only. Into `gradient` (same layout as `w`, inactive bins
 * zero) goes the natural gradient `(E[φ yᴴ] − I) W_f` (`kind: 'natural'`) or the
 * Euclidean one `(E[φ yᴴ] − I) W_f⁻ᴴ` in the real view `∂J/∂Re W + i ∂J/∂Im W`
 * (`kind: 'euclidean'`, for checks against finite differences).
 *
 * @param perBin - scalar score only: per-bin costs and gradient norms; then a singular
 *   `W_f` gives that bin an infinite cost (and a zero gradient) instead of an error
 * @returns `cost` (J divided by the number of active bins) and `gradientNorm` (RMS over
 *   active bins of `‖E[φ yᴴ] − I‖_F`)
 * @throws UnmixError (failed) when a matrix is singular (without `perBin`)
 */
export function naturalGradientCost(
  prepared: PreparedMixture,
  w: Float64Array,
  score: NaturalGradientScore,
  workspace: NaturalGradientWorkspace,
  gradient: Float64Array | null,
  kind: 'natural' | 'euclidean' = 'natural',
  perBin?: PerBinCost,
): { cost: number; gradientNorm: number } {
  const { layout, dims: n, channels, active, activeBins } = prepared;
  const { bins, frames } = layout;
  const size = 2 * n * n;
  const { y, norms, weights, moment, inverse, scratch } = workspace;
  const vector = score === 'vector';
  if (vector && perBin) throw new UnmixError('per-bin costs exist for the scalar score only', 'usage');
  if (vector) norms.fill(0);
  if (gradient) gradient.fill(0);
  let contrast = 0;
  let logDet = 0;
  let squared = 0;
  const c = Math.sqrt(activeBins);
  if (vector) {
    for (let f = 0; f < bins; f++) {
      if (active[f]) demixBin(channels, n, frames, f, w, f * size, n, y.subarray(2 * f * n * frames), norms);
    }
    // r_k(t), floored relative to its mean so silent frames do not divide by zero.
    for (let k = 0; k < n; k++) {
      let mean = 0;
      for (let t = 0; t < frames; t++) mean += norms[k * frames + t];
      const floor = SCORE_FLOOR * SCORE_FLOOR * (mean / frames) + 1e-300;
      for (let t = 0; t < frames; t++) {
        const r = Math.sqrt(Math.max(norms[k * frames + t], floor));
        norms[k * frames + t] = r;
        contrast += c * r;
      }
    }
    contrast /= frames;
  }
  for (let f = 0; f < bins; f++) {
    if (perBin) {
      perBin.cost[f] = 0;
      perBin.norm2[f] = 0;
    }
    if (!active[f]) continue;
    const wo = f * size;
    const ld = complexLogAbsDet(n, w, scratch, wo);
    if (!Number.isFinite(ld)) {
      if (!perBin) throw singularMatrixError('an unmixing matrix');
      perBin.cost[f] = Infinity;
      continue;
    }
    logDet += ld;
    const yo = 2 * f * n * frames;
    if (!vector) demixBin(channels, n, frames, f, w, wo, n, y.subarray(yo), null);
    let binContrast = 0;
    let binSquared = 0;
    if (n === 2) {
      const meanMagnitude = twoSourceMoments(y, yo, frames, vector ? norms : null, c, moment);
      if (!vector) binContrast = meanMagnitude;
      for (let i = 0; i < 8; i++) binSquared += moment[i] * moment[i];
    } else {
      // E[φ_k y_j*] − δ_kj, with φ_k = weights · y_k.
      for (let k = 0; k < n; k++) {
        const ko = yo + 2 * k * frames;
        if (vector) {
          for (let t = 0; t < frames; t++) weights[t] = c / norms[k * frames + t];
        } else {
          let power = 0;
          for (let t = 0; t < frames; t++) power += y[ko + 2 * t] ** 2 + y[ko + 2 * t + 1] ** 2;
          const floor = SCORE_FLOOR * Math.sqrt(power / frames) + 1e-300;
          for (let t = 0; t < frames; t++) {
            weights[t] = 1 / Math.max(Math.sqrt(y[ko + 2 * t] ** 2 + y[ko + 2 * t + 1] ** 2), floor);
          }
        }
        for (let j = 0; j < n; j++) {
          const jo = yo + 2 * j * frames;
          let re = 0;
          let im = 0;
          for (let t = 0; t < frames; t++) {
            const u = weights[t];
            const ar = y[ko + 2 * t];
            const ai = y[ko + 2 * t + 1];
            const br = y[jo + 2 * t];
            const bi = y[jo + 2 * t + 1];
            re += u * (ar * br + ai * bi);
            im += u * (ai * br - ar * bi);
          }
          re /= frames;
          im /= frames;
          if (j === k && !vector) binContrast += re; // E[|y_k|² / |y_k|] = E|y_k|
          if (j === k) re -= 1;
          moment[2 * (k * n + j)] = re;
          moment[2 * (k * n + j) + 1] = im;
          binSquared += re * re + im * im;
        }
      }
    }
    contrast += binContrast;
    squared += binSquared;
    if (perBin) {
      perBin.cost[f] = binContrast - ld;
      perBin.norm2[f] = binSquared;
    }
    if (!gradient) continue;
    if (kind === 'natural') {
      complexMatMul(n, n, n, moment, w, gradient, 0, wo, wo);
    } else {
      // (E[φ yᴴ] − I) W⁻ᴴ
      if (!complexInverse(n, w, inverse, scratch, wo)) throw singularMatrixError('an unmixing matrix');
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let re = 0;
          let im = 0;
          for (let m = 0; m < n; m++) {
            // (W⁻ᴴ)[m, j] = conj(W⁻¹[j, m])
            const ar = moment[2 * (i * n + m)];
            const ai = moment[2 * (i * n + m) + 1];
            const br = inverse[2 * (j * n + m)];
            const bi = -inverse[2 * (j * n + m) + 1];
            re += ar * br - ai * bi;
            im += ar * bi + ai * br;
          }
          gradient[wo + 2 * (i * n + j)] = re;
          gradient[wo + 2 * (i * n + j) + 1] = im;
        }
      }
    }
  }
  return { cost: (contrast - logDet) / activeBins, gradientNorm: Math.sqrt(squared / activeBins) };
}

/**
 * `E[φ yᴴ] − I` of one bin for two sources in one pass over the frames (the common case,
 * about twice as fast as the general loops), into `moment` (2 x 2 complex).
 * @param norms - `r_k(t)` for the vector score (weights `c / r_k`), null for the scalar score (weights `1 / |y_k|`)
 * @returns `Σ_k mean_t |y_k|` (the scalar score's contrast; unused for the vector score)
 */
function twoSourceMoments(
  y: Float64Array,
  yo: number,
  frames: number,
  norms: Float64Array | null,
  c: number,
  moment: Float64Array,
): number {
  const o0 = yo;
  const o1 = yo + 2 * frames;
  let floor0 = 0;
  let floor1 = 0;
  if (!norms) {
    let p0 = 0;
    let p1 = 0;
    for (let t = 0; t < 2 * frames; t++) {
      p0 += y[o0 + t] * y[o0 + t];
      p1 += y[o1 + t] * y[o1 + t];
    }
    floor0 = SCORE_FLOOR * Math.sqrt(p0 / frames) + 1e-300;
    floor1 = SCORE_FLOOR * Math.sqrt(p1 / frames) + 1e-300;
  }
  let m00 = 0;
  let m11 = 0;
  let m01r = 0;
  let m01i = 0;
  let m10r = 0;
  let m10i = 0;
  for (let t = 0; t < frames; t++) {
    const ar = y[o0 + 2 * t];
    const ai = y[o0 + 2 * t + 1];
    const br = y[o1 + 2 * t];
    const bi = y[o1 + 2 * t + 1];
    const pa = ar * ar + ai * ai;
    const pb = br * br + bi * bi;
    let u0: number;
    let u1: number;
    if (norms) {
      u0 = c / norms[t];
      u1 = c / norms[frames + t];
    } else {
      u0 = 1 / Math.max(Math.sqrt(pa), floor0);
      u1 = 1 / Math.max(Math.sqrt(pb), floor1);
    }
    // a b* = (cr, ci); b a* = (cr, -ci)
    const cr = ar * br + ai * bi;
    const ci = ai * br - ar * bi;
    m00 += u0 * pa;
    m11 += u1 * pb;
    m01r += u0 * cr;
    m01i += u0 * ci;
    m10r += u1 * cr;
    m10i -= u1 * ci;
  }
  const inv = 1 / frames;
  moment[0] = m00 * inv - 1;
  moment[1] = 0;
  moment[2] = m01r * inv;
  moment[3] = m01i * inv;
  moment[4] = m10r * inv;
  moment[5] = m10i * inv;
  moment[6] = m11 * inv - 1;
  moment[7] = 0;
  return (m00 + m11) * inv;
}

/** Rate below which the safeguard gives up: the cost cannot be lowered any further. */
const MIN_RATE_FACTOR = 1e-6;

/**
 * The natural-gradient iterations on a prepared (whitened) mixture, updating `w`
 * (`dims` x `dims` per bin) in place: evaluate {@link naturalGradientCost}, stop on the
 * tolerance, step with the optimizer. A step that raised the cost is undone: for the
 * vector score (one cost coupling all bins) the optimizer's learning rate is halved; for
 * the scalar score (a sum of independent per-bin costs) only the bins whose cost rose
 * are undone and their steps halved from then on (their gradient is scaled), so one
 * difficult bin does not slow all the others.
 *
 * @returns the trace (one entry per iteration: cost and gradient at the matrices the
 *   iteration started from, `stepSize` = the optimizer's learning rate for its step) and
 *   whether the tolerance was met (then the last iteration takes no step)
 */
export function iterateNaturalGradient(
  prepared: PreparedMixture,
  w: Float64Array,
  options: NaturalGradientIterationOptions,
): { trace: IterationInfo[]; converged: boolean } {
  const { layout, dims, active, activeBins } = prepared;
  const { bins } = layout;
  const size = 2 * dims * dims;
  const workspace = naturalGradientWorkspace(dims, bins, layout.frames);
  const gradient = new Float64Array(w.length);
  const previous = new Float64Array(w.length);
  const { optimizer } = options;
  const initialRate = optimizer.learningRate;
  const trace: IterationInfo[] = [];
  const separable = options.score === 'scalar';
  const perBin: PerBinCost | undefined = separable
    ? { cost: new Float64Array(bins), norm2: new Float64Array(bins) }
    : undefined;
  const previousPerBin: PerBinCost = { cost: new Float64Array(bins), norm2: new Float64Array(bins) };
  const previousGradient = separable ? new Float64Array(w.length) : gradient;
  const binScale = new Float64Array(bins).fill(1);
  let converged = false;
  let previousCost = Infinity;
  let iteration = 0;
  while (iteration < options.iterations) {
    throwIfAborted(options.signal);
    let { cost, gradientNorm } = naturalGradientCost(prepared, w, options.score, workspace, gradient, 'natural', perBin); // prettier-ignore
    if (perBin) {
      // Undo the bins whose cost rose; keep their previous cost and gradient.
      let total = 0;
      let squared = 0;
      for (let f = 0; f < bins; f++) {
        if (!active[f]) continue;
        const before = previousPerBin.cost[f];
        if (iteration > 0 && !(perBin.cost[f] <= before + 1e-9 * Math.abs(before))) {
          w.set(previous.subarray(f * size, (f + 1) * size), f * size);
          gradient.set(previousGradient.subarray(f * size, (f + 1) * size), f * size);
          perBin.cost[f] = before;
          perBin.norm2[f] = previousPerBin.norm2[f];
          binScale[f] *= 0.5;
        }
        total += perBin.cost[f];
        squared += perBin.norm2[f];
      }
      if (!Number.isFinite(total)) throw singularMatrixError('an unmixing matrix');
      cost = total / activeBins;
      gradientNorm = Math.sqrt(squared / activeBins);
    } else if (
      !Number.isFinite(cost) ||
      !Number.isFinite(gradientNorm) ||
      cost > previousCost + 1e-9 * Math.abs(previousCost)
    ) {
      if (previousCost === Infinity)
        throw new UnmixError('the natural-gradient iterations diverged at the start', 'failed');
      // Undo the step and retry with half the rate.
      w.set(previous);
      optimizer.learningRate *= 0.5;
      if (optimizer.learningRate < MIN_RATE_FACTOR * initialRate) {
        converged = naturalGradientCost(prepared, w, options.score, workspace, null).gradientNorm < options.tolerance;
        break;
      }
      continue;
    }
    iteration++;
    const info: IterationInfo = { iteration, cost, gradientNorm, stepSize: optimizer.learningRate };
    trace.push(info);
    options.onProgress?.(iteration, options.iterations, info);
    if (gradientNorm < options.tolerance) {
      converged = true;
      break;
    }
    previous.set(w);
    previousCost = cost;
    if (perBin) {
      previousGradient.set(gradient);
      previousPerBin.cost.set(perBin.cost);
      previousPerBin.norm2.set(perBin.norm2);
      for (let f = 0; f < bins; f++) {
        if (binScale[f] === 1) continue;
        for (let i = f * size; i < (f + 1) * size; i++) gradient[i] *= binScale[f];
      }
    }
    optimizer.step(w, gradient);
    if (iteration === options.iterations) {
      // The last step is taken too, then checked like the others: never return matrices
      // with a higher cost than the last accepted ones.
      const check = naturalGradientCost(prepared, w, options.score, workspace, null, 'natural', perBin);
      if (perBin) {
        for (let f = 0; f < bins; f++) {
          const before = previousPerBin.cost[f];
          if (active[f] && !(perBin.cost[f] <= before + 1e-9 * Math.abs(before))) {
            w.set(previous.subarray(f * size, (f + 1) * size), f * size);
          }
        }
      } else if (!(check.cost <= previousCost + 1e-9 * Math.abs(previousCost))) {
        w.set(previous);
      }
    }
  }
  return { trace, converged };
}
