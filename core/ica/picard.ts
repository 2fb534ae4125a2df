import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, UnmixError, type AbortSignalLike } from '../errors.js';
import { logAbsDet } from '../linalg/real.js';
import type { IterationInfo, ProgressCallback, SeparateOptions, SeparationResult } from '../separate.js';
import { accumulateCross, multiplyBlock, subsample } from './kernels.js';
import { OptionReader } from './options.js';
import { finishIca, prepareIca } from './problem.js';
import { covariance } from './whitening.js';

/**
 * The default ICA method: a preconditioned L-BFGS on the likelihood of the ICA model, in
 * the spirit of Picard (Ablin, Cardoso & Gramfort, "Faster independent component analysis
 * by preconditioning with Hessian approximations", IEEE TSP 2018).
 *
 * It minimises the negative log-likelihood of whitened data `z` under `y = W z`,
 *
 *   L(W) = −log|det W| + Σ_i E[ s_i ρ(y_i) ] (+ ½ Σ_i E[y_i²] when extended),
 *
 * with ρ = √(1 + y²) (`hyperbolic`, default) or log cosh y (`tanh`, python-picard's),
 *
 * with relative updates `W ← (I + α D) W`. The relative gradient is
 * `G = E[ψ(y) yᵀ] − I` (ψ the score, with the signs and the linear term of the extended
 * model). The preconditioner is the 2x2 block approximation of the Hessian at separation,
 * `[[h_ij, 1], [1, h_ji]]` with `h_ij = E[ψ'(y_i) y_j²]`, regularised so its smallest
 * eigenvalue is at least `lambdaMin`; L-BFGS refines it from the last `memory` steps, and a
 * backtracking line search on L keeps every step a descent.
 *
 * Extended mode (as python-picard's `extended=True`, after Lee, Girolami & Sejnowski's
 * extended infomax) chooses per component the sign `s_i` of the kurtosis-like statistic
 * `E[ψ'(y_i)] E[y_i²] − E[ψ(y_i) y_i]`, so sub-Gaussian sources (tones, uniform noise) are
 * fitted by a bimodal density and super-Gaussian ones (speech) by a peaked one.
 *
 * Speed: each iteration is one pass over the raw data that computes `y = W K (x − mean)`
 * block by block (the whitened data are never stored), the score, its derivative and ρ
 * (from one square root, or for tanh one `exp`), and every moment the next iteration
 * needs; the loss of the line-search candidate comes from the same pass, so an accepted
 * step (the usual case) costs one pass. Early iterations run on strided subsamples
 * (1/64, then 1/16 of the samples), whose solution is within a few times the statistical
 * error of the full-data one, so only two or three full-data iterations are needed.
 */

/**
 * Density model of the sources (as −log p up to constants): `tanh` is log cosh y (score
 * tanh, python-picard's default); `hyperbolic` is √(1 + y²) (score y / √(1 + y²)), the
 * same shape (quadratic at 0, |y| in the tails) from one square root instead of an
 * exponential and a logarithm, so each pass is about twice as fast.
 */
export type PicardDensity = 'tanh' | 'hyperbolic';

/** Settings of {@link picardSolve}. */
export interface PicardSettings {
  /** Source density; default `hyperbolic` (same separation as `tanh` in our benchmarks, half the time per pass). */
  density: PicardDensity;
  /** Extended (sub- and super-Gaussian) model; default true. */
  extended: boolean;
  /** L-BFGS memory (pairs kept); default 7. 0 = the preconditioner alone. */
  memory: number;
  /** Smallest eigenvalue of the regularised Hessian approximation; default 0.01. */
  lambdaMin: number;
  /** Backtracking halvings before falling back to the gradient; default 10. */
  lineSearchTries: number;
  /** Iteration limit over all stages; default 200. */
  maxIterations: number;
  /**
   * Stop when max |G_ij| on the full data falls below this; default 1e-4, far below the
   * statistical error of W (~1/√T, 3e-3 for 8 s at 16 kHz), so tighter adds passes but no
   * separation (python-picard's default is 1e-7).
   */
  tolerance: number;
  /** Warm up on subsamples of the data first; default true. */
  subsampling: boolean;
  /** The start is a warm start (an earlier solution): skip the subsample stages. Default false. */
  warm?: boolean;
  /** Hessian approximation: 2 = `E[ψ'_i y_j²]` (H̃2), 1 = `E[ψ'_i] E[y_j²]` (H̃1, cheaper); default 2. */
  hessian: 1 | 2;
}

/** Defaults of {@link PicardSettings}. */
export const PICARD_DEFAULTS: PicardSettings = {
  density: 'hyperbolic',
  extended: true,
  memory: 7,
  lambdaMin: 0.01,
  lineSearchTries: 10,
  maxIterations: 200,
  tolerance: 1e-4,
  subsampling: true,
  hessian: 2,
};

/** Result of {@link picardSolve}. */
export interface PicardResult {
  /** n x n unmixing of the whitened data, row-major. */
  unmixing: Float64Array;
  iterations: number;
  converged: boolean;
  trace: IterationInfo[];
  /** Final signs (+1 super-Gaussian, −1 sub-Gaussian) of the extended model. */
  signs: Float64Array;
  /** Work done, in passes over the full data (a pass over a 1/16 subsample counts 1/16). */
  dataPasses: number;
}

/** Samples per block of the fused pass. */
const BLOCK = 1024;
/** Terms of log(1 + e) multiplied before one log: each factor is in (1, 2], so 512 stay finite. */
const LOG_GROUP = 256;

/** Moments of one pass over the data at a given W. */
class Moments {
  /** E[tanh(y_i) y_j]. */
  readonly psiY: Float64Array;
  /** E[ψ'(y_i) y_j²] (H̃2) or unused (H̃1). */
  readonly psidY2: Float64Array;
  /** E[ψ'(y_i)]. */
  readonly psid: Float64Array;
  /** E[ρ(y_i)]: for tanh, E[log cosh(y_i)] + log 2 (i.e. E[|y| + log(1 + e^{−2|y|})]). */
  readonly logCosh: Float64Array;
  constructor(n: number) {
    this.psiY = new Float64Array(n * n);
    this.psidY2 = new Float64Array(n * n);
    this.psid = new Float64Array(n);
    this.logCosh = new Float64Array(n);
  }
  copyFrom(o: Moments): void {
    this.psiY.set(o.psiY);
    this.psidY2.set(o.psidY2);
    this.psid.set(o.psid);
    this.logCosh.set(o.logCosh);
  }
}

/** The data of one stage and its fused pass. */
class Stage {
  readonly frames: number;
  /** Covariance of the stage's data (identity on the full whitened data, close to it on subsamples). */
  readonly cov: Float64Array;
  private readonly y: Float64Array;
  private readonly t: Float64Array;
  private readonly d: Float64Array;
  private readonly y2: Float64Array;

  /** Moments of the Hessian approximation use every `hessianStride`-th sample of each block. */
  private readonly hessianStride: number;
  /** Samples in the blocks used for the Hessian moments. */
  private hessianFrames = 0;

  /** Number of input channels m. */
  private readonly m: number;
  /** The whitening K (n x m) and mean of the raw input, or null when the input is already white. */
  private readonly whitening: { matrix: Float64Array; mean: Float64Array } | null;
  /** W K and −W K mean for the current pass. */
  private readonly product: Float64Array;
  private readonly bias: Float64Array;

  constructor(
    readonly z: Float64Array[],
    readonly n: number,
    private readonly hessian: 1 | 2,
    private readonly density: PicardDensity,
    whitening: { matrix: Float64Array; mean: Float64Array } | null,
    whiteInput = false,
  ) {
    this.frames = z[0].length;
    this.m = z.length;
    this.whitening = whitening;
    this.product = new Float64Array(n * this.m);
    this.bias = new Float64Array(n);
    // The Hessian is only a preconditioner: its moments from every 4th sample (of every
    // block) are as good, and cheaper. Every 4th *block* is not: on non-stationary speech
    // the full-data stage then needed 5 iterations instead of 2 (6 sources x 8 s).
    this.hessianStride = this.frames >= 65536 ? 4 : 1;
    if (whiteInput) {
      // The full data whitened by K: K C_x Kᵀ = I by construction, no pass needed.
      this.cov = new Float64Array(n * n);
      for (let i = 0; i < n; i++) this.cov[i * n + i] = 1;
    } else if (whitening) {
      // Covariance of the whitened stage data, K C_x Kᵀ.
      const cx = covariance(z, whitening.mean);
      const m = this.m;
      const k = whitening.matrix;
      this.cov = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let a = 0; a < m; a++) {
            let inner = 0;
            for (let b = 0; b < m; b++) inner += cx[a * m + b] * k[j * m + b];
            s += k[i * m + a] * inner;
          }
          this.cov[i * n + j] = s;
        }
      }
    } else {
      this.cov = covariance(z, new Float64Array(n));
    }
    this.y = new Float64Array(n * BLOCK);
    this.t = new Float64Array(n * BLOCK);
    this.d = new Float64Array(n * BLOCK);
    this.y2 = new Float64Array(n * BLOCK);
  }

  /** Passes made so far. */
  passes = 0;

  /** One pass at `w`: fill `out` with the moments of `y = w z`. */
  evaluate(w: Float64Array, out: Moments): void {
    const { n, z, frames, y, t, d, y2 } = this;
    this.passes++;
    // Unmix the raw input directly: y = W K (x − mean), so whitened data are never stored.
    const { m, product, bias, whitening } = this;
    if (whitening) {
      for (let i = 0; i < n; i++) {
        let b = 0;
        for (let c = 0; c < m; c++) {
          let s = 0;
          for (let a = 0; a < n; a++) s += w[i * n + a] * whitening.matrix[a * m + c];
          product[i * m + c] = s;
          b -= s * whitening.mean[c];
        }
        bias[i] = b;
      }
    } else {
      product.set(w);
    }
    out.psiY.fill(0);
    out.psidY2.fill(0);
    out.psid.fill(0);
    out.logCosh.fill(0);
    this.hessianFrames = 0;
    for (let start = 0; start < frames; start += BLOCK) {
      const len = Math.min(BLOCK, frames - start);
      multiplyBlock(this.product, n, this.m, z, start, len, y, BLOCK, this.bias);
      const hessianBlock = this.hessian === 2;
      const hs = this.hessianStride;
      const hsMask = hs - 1;
      if (this.density === 'tanh') {
        for (let r = 0; r < n; r++) {
          const o = r * BLOCK;
          let absSum = 0;
          let logSum = 0;
          let product = 1;
          let psidSum = 0;
          for (let i = 0; i < len; i++) {
            const v = y[o + i];
            const a = v < 0 ? -v : v;
            // tanh, its derivative and log cosh from one exp: e = exp(−2|y|) <= 1 never overflows.
            const e = Math.exp(-2 * a);
            const inv = 1 / (1 + e);
            const th = (1 - e) * inv;
            t[o + i] = v < 0 ? -th : th;
            const der = 4 * e * inv * inv; // 1 − tanh², without cancellation for large |y|
            psidSum += der;
            if ((i & hsMask) === 0) {
              const k = o + (i >> (hs === 4 ? 2 : 0));
              d[k] = der;
              y2[k] = v * v;
            }
            absSum += a;
            product *= 1 + e;
            if ((i & (LOG_GROUP - 1)) === LOG_GROUP - 1) {
              logSum += Math.log(product);
              product = 1;
            }
          }
          logSum += Math.log(product);
          out.logCosh[r] += absSum + logSum;
          out.psid[r] += psidSum;
        }
      } else {
        // Hyperbolic density: ρ = √(1 + y²), ψ = y / √(1 + y²), ψ' = (1 + y²)^(−3/2): one sqrt.
        for (let r = 0; r < n; r++) {
          const o = r * BLOCK;
          let rhoSum = 0;
          let psidSum = 0;
          for (let i = 0; i < len; i++) {
            const v = y[o + i];
            const q = 1 + v * v;
            const root = Math.sqrt(q);
            const inv = 1 / root;
            t[o + i] = v * inv;
            psidSum += inv * inv * inv;
            rhoSum += root;
          }
          // The Hessian's samples in a separate loop keeps the main one branch-free.
          for (let i = 0, k = o; i < len; i += hs, k++) {
            const v = y[o + i];
            const q = 1 + v * v;
            const inv = 1 / Math.sqrt(q);
            d[k] = inv * inv * inv;
            y2[k] = q - 1;
          }
          out.logCosh[r] += rhoSum;
          out.psid[r] += psidSum;
        }
      }
      accumulateCross(t, y, n, len, BLOCK, out.psiY);
      if (hessianBlock) {
        const count = Math.ceil(len / hs);
        accumulateCross(d, y2, n, count, BLOCK, out.psidY2);
        this.hessianFrames += count;
      }
    }
    const inv = 1 / frames;
    const invH = 1 / Math.max(1, this.hessianFrames);
    for (let k = 0; k < n * n; k++) {
      out.psiY[k] *= inv;
      out.psidY2[k] *= invH;
    }
    for (let r = 0; r < n; r++) {
      out.psid[r] *= inv;
      out.logCosh[r] *= inv;
    }
  }

  /** E[y yᵀ] = W C Wᵀ for the stage's covariance C. */
  outputCovariance(w: Float64Array, out: Float64Array): void {
    const { n, cov } = this;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let a = 0; a < n; a++) {
          const wia = w[i * n + a];
          if (wia === 0) continue;
          let inner = 0;
          for (let b = 0; b < n; b++) inner += cov[a * n + b] * w[j * n + b];
          s += wia * inner;
        }
        out[i * n + j] = s;
        out[j * n + i] = s;
      }
    }
  }
}

/** The loss L(W) from the moments of a pass, for the given signs. */
function lossOf(w: Float64Array, n: number, moments: Moments, signs: Float64Array, c: Float64Array | null): number {
  const { sign, logAbs } = logAbsDet(w, n);
  if (sign === 0) return Infinity;
  let loss = -logAbs;
  for (let i = 0; i < n; i++) {
    loss += signs[i] * moments.logCosh[i];
    if (c) loss += 0.5 * c[i * n + i];
  }
  return loss;
}

/**
 * Run the Picard-style solver on whitened data.
 *
 * @param z - n planar channels, centred (whitened for best conditioning); or, with
 *   `whitening`, the m raw channels, whitened on the fly as `K (x − mean)` in each pass
 * @param start - n x n starting unmixing of the whitened data, row-major (not modified)
 * @param onIteration - called after each iteration with its trace entry
 * @param whitening - n x m whitening K and the channel means, when `z` is raw
 */
export function picardSolve(
  z: Float64Array[],
  start: Float64Array,
  settings: PicardSettings = PICARD_DEFAULTS,
  onIteration?: (info: IterationInfo) => void,
  signal?: AbortSignalLike,
  whitening?: { matrix: Float64Array; mean: Float64Array },
): PicardResult {
  const n = Math.round(Math.sqrt(start.length));
  const frames = z[0].length;
  const { extended, lambdaMin } = settings;
  const w = Float64Array.from(start);
  const trace: IterationInfo[] = [];
  const signs = new Float64Array(n).fill(1);

  // Stages: strided subsamples first (each with at least 1000 samples per source), then all data.
  const strides: number[] = [];
  if (settings.subsampling && !settings.warm) {
    // 1/64 for the rough first iterations (where backtracking is frequent), 1/16 to get within
    // the statistical error of the full data; each needs a few hundred samples per source.
    for (const s of [64, 16]) if (frames / s >= 200 * n) strides.push(s);
  }
  strides.push(1);

  // Buffers reused by every iteration.
  const mem = Math.max(0, settings.memory);
  const sMem = Array.from({ length: mem }, () => new Float64Array(n * n));
  const yMem = Array.from({ length: mem }, () => new Float64Array(n * n));
  const rMem = new Float64Array(mem);
  const aMem = new Float64Array(mem);
  const g = new Float64Array(n * n);
  const gOld = new Float64Array(n * n);
  const h = new Float64Array(n * n);
  const q = new Float64Array(n * n);
  const dir = new Float64Array(n * n);
  const step = new Float64Array(n * n);
  const candidate = new Float64Array(n * n);
  const cov = new Float64Array(n * n);
  const candCov = new Float64Array(n * n);
  const current = new Moments(n);
  const trial = new Moments(n);

  let iteration = 0;
  let converged = false;
  let dataPasses = 0;
  for (let si = 0; si < strides.length && !converged && iteration < settings.maxIterations; si++) {
    const stride = strides[si];
    const last = stride === 1;
    const stage = new Stage(
      subsample(z, stride, stride >> 1),
      n,
      settings.hessian,
      settings.density,
      whitening ?? null,
      last && whitening !== undefined,
    );
    // A subsample's optimum is within ~1/√T of the full data's: converging further is wasted.
    const stageTolerance = last ? settings.tolerance : Math.max(settings.tolerance, 0.5 / Math.sqrt(stage.frames));
    const stageName = last ? 'full' : `subsample 1/${stride}`;
    stage.evaluate(w, current);
    stage.outputCovariance(w, cov);
    let loss = lossOf(w, n, current, signs, extended ? cov : null);
    let stored = 0; // L-BFGS pairs held (newest last)
    let haveStep = false;
    while (iteration < settings.maxIterations) {
      throwIfAborted(signal);
      // Signs of the extended model from the current moments.
      if (extended) {
        let changed = false;
        for (let i = 0; i < n; i++) {
          const k = current.psid[i] * cov[i * n + i] - current.psiY[i * n + i];
          const s = k < 0 ? -1 : 1;
          if (s !== signs[i]) changed = true;
          signs[i] = s;
        }
        if (changed) {
          // The loss function changed: forget curvature pairs, re-evaluate the loss.
          stored = 0;
          haveStep = false;
          loss = lossOf(w, n, current, signs, cov);
        }
      }
      // Relative gradient G and Hessian approximation h.
      let gradNorm = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let gij = signs[i] * current.psiY[i * n + j];
          let hij = settings.hessian === 2 ? signs[i] * current.psidY2[i * n + j] : signs[i] * current.psid[i];
          if (extended) {
            gij += cov[i * n + j];
            hij += cov[j * n + j];
          } else if (settings.hessian === 1) {
            hij *= cov[j * n + j];
          }
          if (i === j) gij -= 1;
          g[i * n + j] = gij;
          h[i * n + j] = hij;
          const a = gij < 0 ? -gij : gij;
          if (a > gradNorm) gradNorm = a;
        }
      }
      if (extended && settings.hessian === 1) {
        // H̃1 with the extended model: h_ij = (s_i E[ψ'_i] + 1) E[y_j²].
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) h[i * n + j] = (signs[i] * current.psid[i] + 1) * cov[j * n + j];
        }
      }
      if (!Number.isFinite(gradNorm) || !Number.isFinite(loss)) {
        throw new UnmixError('ica diverged (non-finite gradient); the mixture may be degenerate', 'failed');
      }
      if (gradNorm < stageTolerance) {
        if (last) converged = true;
        break;
      }
      // Curvature pair from the last accepted step.
      if (haveStep && mem > 0) {
        let sy = 0;
        for (let k = 0; k < n * n; k++) sy += step[k] * (g[k] - gOld[k]);
        if (sy > 0) {
          // Keep the pair only when it has positive curvature, so the inverse stays positive definite.
          if (stored === mem) {
            const s0 = sMem[0];
            const y0 = yMem[0];
            for (let k = 0; k + 1 < mem; k++) {
              sMem[k] = sMem[k + 1];
              yMem[k] = yMem[k + 1];
              rMem[k] = rMem[k + 1];
            }
            sMem[mem - 1] = s0;
            yMem[mem - 1] = y0;
            stored--;
          }
          sMem[stored].set(step);
          const yk = yMem[stored];
          for (let k = 0; k < n * n; k++) yk[k] = g[k] - gOld[k];
          rMem[stored] = 1 / sy;
          stored++;
        }
      }
      gOld.set(g);
      regularizeHessian(h, n, lambdaMin);
      lbfgsDirection(g, h, n, sMem, yMem, rMem, aMem, stored, q, dir);

      // Backtracking line search on L along W ← (I + α D) W; fall back to −G.
      let alpha = 1;
      let accepted = false;
      let newLoss = loss;
      for (let attempt = 0; attempt < 2 && !accepted; attempt++) {
        if (attempt === 1) {
          for (let k = 0; k < n * n; k++) dir[k] = -g[k];
          stored = 0;
        }
        alpha = 1;
        const tries = attempt === 0 ? settings.lineSearchTries : 10;
        for (let tr = 0; tr < tries; tr++) {
          relativeUpdate(w, dir, alpha, n, candidate);
          stage.evaluate(candidate, trial);
          stage.outputCovariance(candidate, candCov);
          newLoss = lossOf(candidate, n, trial, signs, extended ? candCov : null);
          if (newLoss < loss) {
            accepted = true;
            break;
          }
          alpha /= 2;
        }
      }
      iteration++;
      const info: IterationInfo = { iteration, cost: loss, gradientNorm: gradNorm, stepSize: 0, stage: stageName };
      if (!accepted) {
        // No decrease along the gradient either: at the precision limit of the loss.
        info.stepSize = 0;
        trace.push(info);
        onIteration?.(info);
        if (last) converged = gradNorm < Math.max(settings.tolerance, 1e-6);
        break;
      }
      for (let k = 0; k < n * n; k++) step[k] = alpha * dir[k];
      haveStep = true;
      w.set(candidate);
      current.copyFrom(trial);
      cov.set(candCov);
      loss = newLoss;
      info.cost = loss;
      info.stepSize = alpha;
      trace.push(info);
      onIteration?.(info);
    }
    dataPasses += (stage.passes * stage.frames) / frames;
  }
  return { unmixing: w, iterations: iteration, converged, trace, signs, dataPasses };
}

/** `out = (I + α D) W`. */
function relativeUpdate(w: Float64Array, d: Float64Array, alpha: number, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = w[i * n + j];
      for (let k = 0; k < n; k++) s += alpha * d[i * n + k] * w[k * n + j];
      out[i * n + j] = s;
    }
  }
}

/**
 * Shift each 2x2 block `[[h_ij, 1], [1, h_ji]]` so its smallest eigenvalue is at least
 * `lambdaMin`, and the diagonal terms `h_ii + 1` likewise (Ablin et al. 2018, §III-C).
 */
export function regularizeHessian(h: Float64Array, n: number, lambdaMin: number): void {
  for (let i = 0; i < n; i++) {
    if (h[i * n + i] + 1 < lambdaMin) h[i * n + i] = lambdaMin - 1;
    for (let j = i + 1; j < n; j++) {
      const a = h[i * n + j];
      const b = h[j * n + i];
      const smallest = 0.5 * (a + b - Math.sqrt((a - b) * (a - b) + 4));
      if (smallest < lambdaMin) {
        h[i * n + j] += lambdaMin - smallest;
        h[j * n + i] += lambdaMin - smallest;
      }
    }
  }
}

/** Solve the block-diagonal system `H z = q` of the 2x2 block approximation. */
export function solveBlockHessian(h: Float64Array, q: Float64Array, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    out[i * n + i] = q[i * n + i] / (h[i * n + i] + 1);
    for (let j = i + 1; j < n; j++) {
      const hij = h[i * n + j];
      const hji = h[j * n + i];
      const det = hij * hji - 1;
      const qij = q[i * n + j];
      const qji = q[j * n + i];
      out[i * n + j] = (hji * qij - qji) / det;
      out[j * n + i] = (hij * qji - qij) / det;
    }
  }
}

/** L-BFGS two-loop recursion (Nocedal & Wright, Alg. 7.4) with the block Hessian as initial matrix: `dir = −H⁻¹ g`. */
function lbfgsDirection(
  g: Float64Array,
  h: Float64Array,
  n: number,
  sMem: Float64Array[],
  yMem: Float64Array[],
  rMem: Float64Array,
  aMem: Float64Array,
  stored: number,
  q: Float64Array,
  dir: Float64Array,
): void {
  const nn = n * n;
  q.set(g);
  for (let k = stored - 1; k >= 0; k--) {
    const s = sMem[k];
    const y = yMem[k];
    let dot = 0;
    for (let l = 0; l < nn; l++) dot += s[l] * q[l];
    const a = rMem[k] * dot;
    aMem[k] = a;
    for (let l = 0; l < nn; l++) q[l] -= a * y[l];
  }
  solveBlockHessian(h, q, n, dir);
  for (let k = 0; k < stored; k++) {
    const s = sMem[k];
    const y = yMem[k];
    let dot = 0;
    for (let l = 0; l < nn; l++) dot += y[l] * dir[l];
    const b = rMem[k] * dot;
    for (let l = 0; l < nn; l++) dir[l] += (aMem[k] - b) * s[l];
  }
  for (let l = 0; l < nn; l++) dir[l] = -dir[l];
}

/** Method options of `ica` (beside the common ones), for `--param`. */
export const PICARD_OPTIONS = [
  'density',
  'extended',
  'memory',
  'lambdaMin',
  'lineSearchTries',
  'subsampling',
  'hessian',
] as const;

/**
 * `ica`: separate an instantaneous mixture with the Picard-style solver (see the module
 * comment). Options: the common ones, and `density` (hyperbolic|tanh), `extended` (default true), `memory` (7),
 * `lambdaMin` (0.01), `lineSearchTries` (10), `subsampling` (true), `hessian` (2).
 * `iterations` defaults to 200, `tolerance` (on max |relative gradient|) to 1e-4.
 */
export function separatePicard(mixture: MultichannelSignal, options: SeparateOptions): SeparationResult {
  const read = new OptionReader('ica', options, PICARD_OPTIONS);
  const settings: PicardSettings = {
    density: read.choice('density', ['tanh', 'hyperbolic'] as const, PICARD_DEFAULTS.density),
    extended: read.boolean('extended', PICARD_DEFAULTS.extended),
    memory: read.number('memory', PICARD_DEFAULTS.memory, 0, 100, true),
    lambdaMin: read.number('lambdaMin', PICARD_DEFAULTS.lambdaMin, 1e-9, 1),
    lineSearchTries: read.number('lineSearchTries', PICARD_DEFAULTS.lineSearchTries, 1, 100, true),
    maxIterations: options.iterations ?? PICARD_DEFAULTS.maxIterations,
    tolerance: options.tolerance ?? PICARD_DEFAULTS.tolerance,
    subsampling: read.boolean('subsampling', PICARD_DEFAULTS.subsampling),
    hessian: read.number('hessian', PICARD_DEFAULTS.hessian, 1, 2, true) === 1 ? 1 : 2,
  };
  const problem = prepareIca('ica', mixture, options);
  const onProgress: ProgressCallback | undefined = options.onProgress;
  const result = picardSolve(
    mixture.channels,
    problem.start,
    { ...settings, warm: problem.warm },
    (info) => onProgress?.(info.iteration, settings.maxIterations, info),
    options.signal,
    problem.whitening,
  );
  return finishIca('ica', problem, mixture, {
    unmixing: result.unmixing,
    iterations: result.iterations,
    converged: result.converged,
    trace: result.trace,
    options: {
      ...settings,
      seed: options.seed ?? 0,
      sources: problem.n,
      warmStart: problem.warm,
      dataPasses: Math.round(result.dataPasses * 100) / 100,
    },
  });
}
