import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, UnmixError, type AbortSignalLike } from '../errors.js';
import { logAbsDet } from '../linalg/real.js';
import { createOptimizer, type Optimizer } from '../optim/index.js';
import { createRandom } from '../random.js';
import type { IterationInfo, SeparateOptions, SeparationResult } from '../separate.js';
import { accumulateCross, multiplyBlock } from './kernels.js';
import { OptionReader } from './options.js';
import { finishIca, prepareIca } from './problem.js';
import { SCORE_NAMES, scoreBlock, type ScoreName } from './scores.js';

/**
 * Natural-gradient infomax (Bell & Sejnowski 1995; Amari, Cichocki & Yang 1996):
 *
 *   ΔW = η (I − E[φ(y) yᵀ]) W            (holonomic)
 *   ΔW = η (diag(E[φ_i(y_i) y_i]) − E[φ(y) yᵀ]) W   (nonholonomic, Amari, Chen & Cichocki 2000)
 *
 * the steepest descent of the negative log-likelihood `−log|det W| + Σ E[ρ(y_i)]` under the
 * Fisher (Riemannian) metric of the group of invertible matrices. Batch (one update per pass
 * over the data) or mini-batch (one update per block of a shuffled epoch).
 *
 * Extended infomax (Lee, Girolami & Sejnowski 1999) uses `φ_i(y) = k_i tanh(y) + y` with
 * `k_i = sign(E[sech²(y_i)] E[y_i²] − E[tanh(y_i) y_i])` (+1 super-, −1 sub-Gaussian),
 * re-estimated every iteration, so speech mixed with tones or uniform noise separates.
 *
 * Safeguards as in MNE-Python's `infomax`: the rate is multiplied by `annealFactor` when
 * successive updates turn by more than `annealAngle` degrees; when the weights blow up
 * (non-finite or huge), the run restarts from the start with the rate multiplied by
 * `restartFactor`. The step itself is taken by an optimizer of `core/optim` on the
 * gradient `−(natural-gradient direction)`; the default, SGD, is exactly the rule above.
 */

/** Settings of {@link infomaxSolve}. */
export interface InfomaxSettings {
  /** Score function; default `tanh`. */
  score: ScoreName;
  /** Shape β of the `gg` score; default 1 (Laplacian). */
  shape: number;
  /** Extended infomax (per-component sub/super-Gaussian switching, tanh score); default true unless `score` is given. */
  extended: boolean;
  /** `minibatch` (default: shuffled blocks per epoch, as MNE/EEGLAB) or `batch`. */
  mode: 'batch' | 'minibatch';
  /** `holonomic` (default) or `nonholonomic`. */
  form: 'holonomic' | 'nonholonomic';
  /** Learning rate η; default 0.5 (batch) or 0.01 (mini-batch; whitened data, so no scaling by n as MNE's 0.01 / ln(n²)). */
  learningRate: number;
  /** Optimizer spec for `createOptimizer` (e.g. `sgd`, `adam:lr=0.01`); default `sgd`. */
  optimizer: string;
  /** Samples per mini-batch; default ⌊√(T/3)⌋ as in MNE, at least 64. */
  batchSize: number;
  /** Iteration (batch) or epoch (mini-batch) limit; default 500 (batch) / 200 (mini-batch, as MNE). */
  maxIterations: number;
  /** Stop when max |relative gradient| (over the pass or epoch) falls below this; default 1e-4 (batch) / 1e-3 (mini-batch). */
  tolerance: number;
  /** Angle between successive updates above which the rate is annealed, degrees; default 60. */
  annealAngle: number;
  /** Rate multiplier on annealing; default 0.9. */
  annealFactor: number;
  /** Rate multiplier on a restart after a blow-up; default 0.5. */
  restartFactor: number;
  /** Seed of the mini-batch order. */
  seed: number;
}

/** Result of {@link infomaxSolve}. */
export interface InfomaxResult {
  unmixing: Float64Array;
  iterations: number;
  converged: boolean;
  trace: IterationInfo[];
  /** Restarts after a blow-up. */
  restarts: number;
  /** Final learning rate after annealing and restarts. */
  learningRate: number;
  /** Extended-model signs (+1 super-, −1 sub-Gaussian); all +1 when not extended. */
  signs: Float64Array;
}

/** Samples per block in batch passes. */
const BLOCK = 1024;
/** Largest weight before a run counts as blown up. */
const BLOWUP = 1e4;

/** Per-pass (or per-block) moments. */
interface Moments {
  /** E[f(y) yᵀ] where f is the raw score (tanh in extended mode). */
  fy: Float64Array;
  /** E[y yᵀ] (extended mode only). */
  yy: Float64Array;
  /** E[sech² y_i] (extended mode only). */
  sech2: Float64Array;
  /** E[ρ(y_i)] of the raw score. */
  loss: Float64Array;
}

function newMoments(n: number): Moments {
  return {
    fy: new Float64Array(n * n),
    yy: new Float64Array(n * n),
    sech2: new Float64Array(n),
    loss: new Float64Array(n),
  };
}

/** Buffers of the block evaluation. */
class Evaluator {
  readonly y: Float64Array;
  readonly f: Float64Array;
  constructor(
    readonly n: number,
    readonly block: number,
    readonly s: InfomaxSettings,
  ) {
    this.y = new Float64Array(n * block);
    this.f = new Float64Array(n * block);
  }

  /** Accumulate (unnormalised) moments of `len` samples of `z` from `start` into `m`. */
  accumulate(w: Float64Array, z: Float64Array[], start: number, len: number, m: Moments): void {
    const { n, block, y, f, s } = this;
    multiplyBlock(w, n, n, z, start, len, y, block);
    const score = s.extended ? 'tanh' : s.score;
    for (let r = 0; r < n; r++) {
      const o = r * block;
      m.loss[r] += scoreBlock(score, s.shape, y, f, o, len);
      if (s.extended) {
        let sech = 0;
        for (let i = o; i < o + len; i++) sech += 1 - f[i] * f[i];
        m.sech2[r] += sech;
      }
    }
    accumulateCross(f, y, n, len, block, m.fy);
    if (s.extended) accumulateCross(y, y, n, len, block, m.yy);
  }
}

function clearMoments(m: Moments): void {
  m.fy.fill(0);
  m.yy.fill(0);
  m.sech2.fill(0);
  m.loss.fill(0);
}

function scaleMoments(m: Moments, k: number): void {
  for (let i = 0; i < m.fy.length; i++) {
    m.fy[i] *= k;
    m.yy[i] *= k;
  }
  for (let i = 0; i < m.loss.length; i++) {
    m.sech2[i] *= k;
    m.loss[i] *= k;
  }
}

/**
 * From normalised moments: update the extended signs, fill the relative gradient
 * `G = E[φ yᵀ] − I` (nonholonomic: zero diagonal), and return the cost.
 */
function gradientAndCost(
  w: Float64Array,
  n: number,
  m: Moments,
  s: InfomaxSettings,
  signs: Float64Array,
  g: Float64Array,
  updateSigns = true,
): number {
  if (s.extended && updateSigns) {
    for (let i = 0; i < n; i++) {
      const k = m.sech2[i] * m.yy[i * n + i] - m.fy[i * n + i];
      signs[i] = k < 0 ? -1 : 1;
    }
  }
  let cost = -logAbsDet(w, n).logAbs;
  for (let i = 0; i < n; i++) {
    cost += signs[i] * m.loss[i] + (s.extended ? 0.5 * m.yy[i * n + i] : 0);
    for (let j = 0; j < n; j++) {
      g[i * n + j] = signs[i] * m.fy[i * n + j] + (s.extended ? m.yy[i * n + j] : 0) - (i === j ? 1 : 0);
    }
  }
  if (s.form === 'nonholonomic') for (let i = 0; i < n; i++) g[i * n + i] = 0;
  return cost;
}

/**
 * Run natural-gradient (extended) infomax on centred (preferably whitened) data.
 *
 * @param z - n planar channels
 * @param start - n x n starting unmixing, row-major (not modified)
 */
export function infomaxSolve(
  z: Float64Array[],
  start: Float64Array,
  settings: InfomaxSettings,
  onIteration?: (info: IterationInfo) => void,
  signal?: AbortSignalLike,
): InfomaxResult {
  const n = z.length;
  const frames = z[0].length;
  const nn = n * n;
  const s = settings;
  const minibatch = s.mode === 'minibatch';
  const block = minibatch ? Math.min(s.batchSize, frames) : BLOCK;
  const evaluator = new Evaluator(n, block, s);
  const w = Float64Array.from(start);
  const g = new Float64Array(nn);
  const grad = new Float64Array(nn);
  const before = new Float64Array(nn);
  const delta = new Float64Array(nn);
  const oldDelta = new Float64Array(nn);
  const signs = new Float64Array(n).fill(1);
  const moments = newMoments(n);
  const epochMoments = newMoments(n);
  const trace: IterationInfo[] = [];
  const rng = createRandom(s.seed);
  // Mini-batches gather shuffled samples into contiguous planar buffers.
  const order = minibatch ? Int32Array.from({ length: frames }, (_, i) => i) : new Int32Array(0);
  const gathered = minibatch ? Array.from({ length: n }, () => new Float64Array(block)) : [];

  let rate = s.learningRate;
  let restarts = 0;
  let optimizer: Optimizer = createOptimizer(s.optimizer, undefined);
  optimizer.learningRate = rate;
  let haveOldDelta = false;
  let iteration = 0;
  let converged = false;

  /** W ← W − step(grad) with grad = G W (holonomic) so −grad is the natural-gradient direction. */
  const update = (): void => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += g[i * n + k] * w[k * n + j];
        grad[i * n + j] = v;
      }
    }
    optimizer.step(w, grad);
  };

  const blewUp = (): boolean => {
    for (let k = 0; k < nn; k++) if (!(Math.abs(w[k]) < BLOWUP)) return true;
    return false;
  };

  if (minibatch && s.extended) {
    // Initial signs from one pass over all data.
    clearMoments(moments);
    for (let t0 = 0; t0 < frames; t0 += block) evaluator.accumulate(w, z, t0, Math.min(block, frames - t0), moments);
    scaleMoments(moments, 1 / frames);
    gradientAndCost(w, n, moments, s, signs, g);
  }

  while (iteration < s.maxIterations) {
    throwIfAborted(signal);
    before.set(w);
    let cost: number;
    let gradNorm = 0;
    if (!minibatch) {
      clearMoments(moments);
      for (let t0 = 0; t0 < frames; t0 += block) {
        evaluator.accumulate(w, z, t0, Math.min(block, frames - t0), moments);
      }
      scaleMoments(moments, 1 / frames);
      cost = gradientAndCost(w, n, moments, s, signs, g);
      for (let k = 0; k < nn; k++) gradNorm = Math.max(gradNorm, Math.abs(g[k]));
      if (gradNorm < s.tolerance) {
        converged = true;
        break;
      }
      update();
    } else {
      // Fisher–Yates shuffle of the sample order, seeded.
      for (let i = frames - 1; i > 0; i--) {
        const j = rng.integer(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      clearMoments(epochMoments);
      for (let t0 = 0; t0 + block <= frames; t0 += block) {
        for (let c = 0; c < n; c++) {
          const src = z[c];
          const dst = gathered[c];
          for (let i = 0; i < block; i++) dst[i] = src[order[t0 + i]];
        }
        clearMoments(moments);
        evaluator.accumulate(w, gathered, 0, block, moments);
        for (let k = 0; k < nn; k++) {
          epochMoments.fy[k] += moments.fy[k];
          epochMoments.yy[k] += moments.yy[k];
        }
        for (let i = 0; i < n; i++) {
          epochMoments.sech2[i] += moments.sech2[i];
          epochMoments.loss[i] += moments.loss[i];
        }
        scaleMoments(moments, 1 / block);
        // Signs come from whole epochs: a mini-batch is too small to tell sub- from super-Gaussian.
        gradientAndCost(w, n, moments, s, signs, g, false);
        update();
        if (blewUp()) break;
      }
      const used = Math.floor(frames / block) * block;
      scaleMoments(epochMoments, 1 / used);
      // The epoch's cost and gradient norm, from the moments seen during the epoch.
      cost = gradientAndCost(before, n, epochMoments, s, signs, g);
      for (let k = 0; k < nn; k++) gradNorm = Math.max(gradNorm, Math.abs(g[k]));
    }
    iteration++;
    if (blewUp()) {
      // MNE's restart: back to the start with a smaller rate.
      restarts++;
      if (restarts > 20) throw new UnmixError('infomax diverged even with a very small learning rate', 'failed');
      rate *= s.restartFactor;
      w.set(start);
      optimizer = createOptimizer(s.optimizer, undefined);
      optimizer.learningRate = rate;
      haveOldDelta = false;
      iteration = 0;
      trace.length = 0;
      continue;
    }
    // Anneal when successive updates turn by a large angle (oscillation).
    let dot = 0;
    let norm = 0;
    let oldNorm = 0;
    for (let k = 0; k < nn; k++) {
      delta[k] = w[k] - before[k];
      dot += delta[k] * oldDelta[k];
      norm += delta[k] * delta[k];
      oldNorm += oldDelta[k] * oldDelta[k];
    }
    if (haveOldDelta && norm > 0 && oldNorm > 0) {
      const angle = (Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(norm * oldNorm)))) * 180) / Math.PI;
      if (angle > s.annealAngle) {
        rate *= s.annealFactor;
        optimizer.learningRate = rate;
      }
    }
    oldDelta.set(delta);
    haveOldDelta = true;
    const info: IterationInfo = {
      iteration,
      cost,
      gradientNorm: gradNorm,
      stepSize: rate,
      stage: minibatch ? 'epoch' : 'batch',
    };
    trace.push(info);
    onIteration?.(info);
    // Mini-batch: also MNE's stop on a negligible weight change (Σ ΔW² < 1e-12), which the
    // annealed rate reaches once the updates only follow the mini-batch noise.
    if (minibatch && (gradNorm < s.tolerance || norm < 1e-12)) {
      converged = true;
      break;
    }
  }
  return { unmixing: w, iterations: iteration, converged, trace, restarts, learningRate: rate, signs };
}

/** Method options of `infomax` (beside the common ones), for `--param`. */
export const INFOMAX_OPTIONS = [
  'score',
  'shape',
  'extended',
  'mode',
  'form',
  'learningRate',
  'optimizer',
  'batchSize',
  'annealAngle',
  'annealFactor',
  'restartFactor',
] as const;

/**
 * `infomax`: natural-gradient (extended) infomax, see the module comment. Options: the common
 * ones and `score` (tanh|cubic|gg), `shape` (β of gg, default 1), `extended` (default true
 * unless a score is given), `mode` (minibatch|batch), `form` (holonomic|nonholonomic), `learningRate`, `optimizer`
 * (a `core/optim` spec, default `sgd`), `batchSize`, `annealAngle` (60), `annealFactor`
 * (0.9), `restartFactor` (0.5). `initial` warm-starts from an earlier unmixing.
 */
export function separateInfomax(mixture: MultichannelSignal, options: SeparateOptions): SeparationResult {
  const read = new OptionReader('infomax', options, INFOMAX_OPTIONS);
  const mode = read.choice('mode', ['batch', 'minibatch'] as const, 'minibatch');
  const frames = mixture.channels[0]?.length ?? 0;
  const settings: InfomaxSettings = {
    score: read.choice('score', SCORE_NAMES, 'tanh'),
    shape: read.number('shape', 1, 0.1, 10),
    // Extended by default, unless a score was chosen.
    extended: read.boolean('extended', options.score === undefined),
    mode,
    form: read.choice('form', ['holonomic', 'nonholonomic'] as const, 'holonomic'),
    learningRate: read.number('learningRate', mode === 'batch' ? 0.5 : 0.01, 1e-9, 10),
    optimizer: read.string('optimizer', 'sgd'),
    batchSize: read.number('batchSize', Math.max(64, Math.floor(Math.sqrt(frames / 3))), 1, 1e7, true),
    maxIterations: options.iterations ?? (mode === 'batch' ? 500 : 200),
    tolerance: options.tolerance ?? (mode === 'batch' ? 1e-4 : 1e-3),
    annealAngle: read.number('annealAngle', 60, 0, 180),
    annealFactor: read.number('annealFactor', 0.9, 0.01, 1),
    restartFactor: read.number('restartFactor', 0.5, 0.01, 0.99),
    seed: options.seed ?? 0,
  };
  if (settings.extended && options.score !== undefined && options.score !== 'tanh') {
    throw new UnmixError(
      `infomax: extended mode uses the tanh score; pass extended=false to use '${options.score}'`,
      'usage',
    );
  }
  // Check the optimizer spec before the (possibly long) preprocessing.
  createOptimizer(settings.optimizer);
  const problem = prepareIca('infomax', mixture, options);
  const result = infomaxSolve(
    problem.z,
    problem.start,
    settings,
    (info) => options.onProgress?.(info.iteration, settings.maxIterations, info),
    options.signal,
  );
  return finishIca('infomax', problem, mixture, {
    unmixing: result.unmixing,
    iterations: result.iterations,
    converged: result.converged,
    trace: result.trace,
    options: {
      ...settings,
      sources: problem.n,
      warmStart: problem.warm,
      restarts: result.restarts,
      finalLearningRate: result.learningRate,
    },
  });
}
