import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, type AbortSignalLike } from '../errors.js';
import type { IterationInfo, SeparateOptions, SeparationResult } from '../separate.js';
import { accumulateCross, multiplyBlock } from './kernels.js';
import { OptionReader } from './options.js';
import { finishIca, prepareIca, symmetricDecorrelation } from './problem.js';

/**
 * FastICA, symmetric (parallel) variant with the log cosh contrast (Hyvärinen 1999, "Fast
 * and robust fixed-point algorithms for independent component analysis"), as
 * scikit-learn's `FastICA(algorithm='parallel', fun='logcosh')`: on whitened data,
 *
 *   W ← E[tanh(W z) zᵀ] − diag(E[1 − tanh²(W z)]) W,   then W ← (W Wᵀ)^(-1/2) W,
 *
 * until `max_i | |⟨w_i(new), w_i(old)⟩| − 1 | < tolerance` (default 1e-4, as sklearn).
 * A baseline users know; the default method `ica` is more accurate for the same time.
 */

/** Samples per block. */
const BLOCK = 1024;
/** E[log cosh ν] for ν ~ N(0, 1): the Gaussian reference of the negentropy approximation. */
const GAUSSIAN_LOGCOSH = 0.3745672075;

/** Result of {@link fasticaSolve}. */
export interface FasticaResult {
  unmixing: Float64Array;
  iterations: number;
  converged: boolean;
  trace: IterationInfo[];
}

/**
 * Run symmetric FastICA (log cosh) on whitened data.
 *
 * @param z - n planar whitened channels
 * @param start - n x n start, row-major (decorrelated first)
 * @param maxIterations - default 200
 * @param tolerance - default 1e-4
 */
export function fasticaSolve(
  z: Float64Array[],
  start: Float64Array,
  maxIterations = 200,
  tolerance = 1e-4,
  onIteration?: (info: IterationInfo) => void,
  signal?: AbortSignalLike,
): FasticaResult {
  const n = z.length;
  const frames = z[0].length;
  const nn = n * n;
  let w: Float64Array = symmetricDecorrelation(start, n);
  let next: Float64Array = new Float64Array(nn);
  const raw = new Float64Array(nn);
  const y = new Float64Array(n * BLOCK);
  const t = new Float64Array(n * BLOCK);
  const zb = new Float64Array(n * BLOCK);
  const tz = new Float64Array(nn);
  const meanDer = new Float64Array(n);
  const contrast = new Float64Array(n);
  const trace: IterationInfo[] = [];
  let iteration = 0;
  let converged = false;
  while (iteration < maxIterations) {
    throwIfAborted(signal);
    tz.fill(0);
    meanDer.fill(0);
    contrast.fill(0);
    for (let start0 = 0; start0 < frames; start0 += BLOCK) {
      const len = Math.min(BLOCK, frames - start0);
      multiplyBlock(w, n, n, z, start0, len, y, BLOCK);
      for (let r = 0; r < n; r++) {
        const o = r * BLOCK;
        let der = 0;
        let lc = 0;
        let product = 1;
        for (let i = 0; i < len; i++) {
          const v = y[o + i];
          const a = v < 0 ? -v : v;
          const e = Math.exp(-2 * a);
          const inv = 1 / (1 + e);
          const th = (1 - e) * inv;
          t[o + i] = v < 0 ? -th : th;
          der += 4 * e * inv * inv;
          // log cosh = |y| + log(1 + e) − log 2; the (1 + e) ∈ (1, 2] are multiplied in
          // groups of 256 before one log (the contrast is only reported).
          lc += a;
          product *= 1 + e;
          if ((i & 255) === 255) {
            lc += Math.log(product);
            product = 1;
          }
        }
        meanDer[r] += der;
        contrast[r] += lc + Math.log(product);
        // The block of z, contiguous, for the tiled moment kernel.
        const zc = z[r];
        for (let i = 0; i < len; i++) zb[o + i] = zc[start0 + i];
      }
      // E[tanh(y_r) z_c]
      accumulateCross(t, zb, n, len, BLOCK, tz);
    }
    let cost = 0;
    for (let r = 0; r < n; r++) {
      meanDer[r] /= frames;
      const g = contrast[r] / frames - Math.LN2 - GAUSSIAN_LOGCOSH;
      cost -= g * g;
      for (let c = 0; c < n; c++) raw[r * n + c] = tz[r * n + c] / frames - meanDer[r] * w[r * n + c];
    }
    symmetricDecorrelation(raw, n, next);
    let limit = 0;
    for (let r = 0; r < n; r++) {
      let dot = 0;
      for (let c = 0; c < n; c++) dot += next[r * n + c] * w[r * n + c];
      limit = Math.max(limit, Math.abs(Math.abs(dot) - 1));
    }
    [w, next] = [next, w];
    iteration++;
    const info: IterationInfo = { iteration, cost, gradientNorm: limit, stepSize: 1 };
    trace.push(info);
    onIteration?.(info);
    if (limit < tolerance) {
      converged = true;
      break;
    }
  }
  return { unmixing: w, iterations: iteration, converged, trace };
}

/**
 * `fastica`: symmetric FastICA with log cosh, as scikit-learn (see the module comment).
 * Options: the common ones (`iterations` default 200, `tolerance` default 1e-4).
 */
export function separateFastica(mixture: MultichannelSignal, options: SeparateOptions): SeparationResult {
  new OptionReader('fastica', options, []);
  const maxIterations = options.iterations ?? 200;
  const tolerance = options.tolerance ?? 1e-4;
  const problem = prepareIca('fastica', mixture, options);
  const result = fasticaSolve(
    problem.z,
    problem.start,
    maxIterations,
    tolerance,
    (info) => options.onProgress?.(info.iteration, maxIterations, info),
    options.signal,
  );
  return finishIca('fastica', problem, mixture, {
    unmixing: result.unmixing,
    iterations: result.iterations,
    converged: result.converged,
    trace: result.trace,
    options: { maxIterations, tolerance, seed: options.seed ?? 0, sources: problem.n, warmStart: problem.warm },
  });
}
