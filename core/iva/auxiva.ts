import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, UnmixError } from '../errors.js';
import { complexLogAbsDet, complexScratch } from '../linalg/complex.js';
import type { ComplexUnmixing, IterationInfo, SeparationResult } from '../separate.js';
import { weightedCovariances } from './covariance.js';
import { REPAIR_ITERATIONS, repairPermutations } from './delayAlignment.js';
import {
  finishSeparation,
  initialUnmixing,
  prepareMixture,
  resolveStftOptions,
  type PreparedMixture,
  type StftSeparationOptions,
} from './stftMixture.js';
import { demixBin, ipScratch, ipUpdate, issUpdate, overIvaBackground, weightedCrossMoment } from './updates.js';

/**
 * Auxiliary-function IVA (AuxIVA): independent vector analysis of a room recording in the
 * STFT domain, every frequency bin separated jointly through a spherical source model,
 * so the permutation between bins is solved by construction. Updates by iterative
 * projection (IP; Ono 2011, "Stable and fast update rules for independent vector
 * analysis based on auxiliary function technique") or iterative source steering (ISS;
 * Scheibler & Ono 2020, "Fast and stable blind source separation with rank-1 updates").
 */

/**
 * Source model of AuxIVA: `laplace` is the spherical Laplacian `p(y) ∝ exp(-‖y‖)` (Ono 2011);
 * `gauss` is a time-varying Gaussian whose variance is re-estimated per frame
 * (Ono 2012), sharper for speech with pauses. `gauss` is the default: it separated better
 * in 5 of the 6 room recordings we measured (bench/iva.ts, the room fixtures).
 */
export type IvaSourceModel = 'laplace' | 'gauss';

/** Update rule: `ip` iterative projection, `iss` iterative source steering. */
export type IvaUpdateRule = 'ip' | 'iss';

/** Options of {@link auxIva}. */
export interface AuxIvaOptions extends StftSeparationOptions {
  /** Source model (default `gauss`). */
  model?: IvaSourceModel;
  /** Update rule (default `ip`; `iss` needs as many channels as sources, or `reduction: 'pca'`). */
  update?: IvaUpdateRule;
  /** Whiten each bin (PCA) before separating even when sources = channels (default false). */
  whiten?: boolean;
  /**
   * Repair of the permutation between bins from the sources' inter-microphone delays
   * ({@link repairPermutations}), then {@link AuxIvaOptions.repairIterations} more
   * iterations from the repaired matrices (default false).
   */
  repair?: boolean;
  /** Iterations after a repair that changed any bin (default 50). */
  repairIterations?: number;
}

/**
 * Default AuxIVA iterations. In reverberant rooms AuxIVA converges slowly: its cost, and
 * the separation with it, keep improving long after 50 iterations. On far-field 2x2 rooms
 * (bench/hard.ts, RT60 0.3-0.9 s) 200 iterations gave +1.3 dB mean SI-SDRi where 50 gave
 * -0.7 dB. Each iteration is cheap (a 2x2 8 s mixture: ~5 s for 200 on a loaded 2-core machine).
 */
export const AUXIVA_DEFAULT_ITERATIONS = 200;

/**
 * Run AuxIVA on `mixture` (channels = microphones).
 *
 * The cost in the trace is the negative log-likelihood per frame and active bin,
 * `(Σ_k Σ_t G(r_kt) / T - 2 Σ_f log|det W_f|) / F` with `r_kt = ‖y_k(·, t)‖`, `G(r) = r`
 * (Laplacian) or `F log(r²/F) + F` (Gaussian); it never increases with IP. The gradient
 * norm is the RMS over bins of the Frobenius norm of `E[φ(y) yᴴ] - I` (the relative
 * gradient) before the iteration's update; the run stops when it falls below `tolerance`.
 *
 * @param mixture - planar, at least 2 channels
 * @param options - {@link AuxIvaOptions}; defaults: FFT size ~128 ms ({@link defaultFftSize}), hop `fftSize/4`,
 *   200 iterations, tolerance 1e-6, `model: 'gauss'`, `update: 'ip'`, `refMic: 0`
 * @returns sources at their level in microphone `refMic` and one complex unmixing matrix per bin
 * @throws UnmixError for bad input or options, `aborted` when `options.signal` fires
 */
export function auxIva(mixture: MultichannelSignal, options: AuxIvaOptions = {}): SeparationResult {
  const model = options.model ?? 'gauss';
  const update = options.update ?? 'ip';
  if (model !== 'laplace' && model !== 'gauss') {
    throw new UnmixError(`model must be laplace or gauss, got '${String(model)}'`, 'usage');
  }
  if (update !== 'ip' && update !== 'iss') throw new UnmixError(`update must be ip or iss, got '${String(update)}'`, 'usage'); // prettier-ignore
  const resolved = resolveStftOptions(mixture, options, { iterations: AUXIVA_DEFAULT_ITERATIONS, tolerance: 1e-6 });
  if (update === 'iss' && resolved.reduction === 'overiva' && resolved.sources < mixture.channels.length) {
    throw new UnmixError('ISS needs as many channels as sources: use reduction pca with iss', 'usage');
  }
  const whiten = Boolean(options.whiten);
  const repair = options.repair ?? false;
  const repairIterations = options.repairIterations ?? REPAIR_ITERATIONS;
  if (!Number.isInteger(repairIterations) || repairIterations < 0) {
    throw new UnmixError(`repairIterations must be a whole number >= 0, got ${repairIterations}`, 'usage');
  }
  throwIfAborted(options.signal);
  const prepared = prepareMixture(mixture, resolved, whiten);
  const rows = prepared.dims;
  const w = initialUnmixing(prepared, rows, options.initial as ComplexUnmixing | undefined);
  const total = resolved.iterations + (repair ? repairIterations : 0);
  const run = (iterations: number, done: number, stage?: string): { trace: IterationInfo[]; converged: boolean } => {
    const onProgress = options.onProgress;
    const result = iterateAuxIva(prepared, w, {
      model,
      update,
      iterations,
      tolerance: resolved.tolerance,
      onProgress: onProgress && ((k, _total, info) => onProgress(done + k, total, stage && info ? { ...info, stage } : info)), // prettier-ignore
      signal: options.signal,
    });
    if (stage) for (const info of result.trace) info.stage = stage;
    return result;
  };
  const main = run(resolved.iterations, 0);
  const trace = main.trace;
  let converged = main.converged;
  let changedBins = 0;
  let repairFit: number | undefined;
  if (repair && prepared.sources >= 2) {
    const alignment = repairPermutations(prepared, w, rows, mixture.sampleRate, resolved.refMic);
    changedBins = alignment.changedBins;
    repairFit = alignment.coherence.reduce((a, b) => a + b, 0) / alignment.coherence.length;
    if (changedBins > 0 && repairIterations > 0) {
      const after = run(repairIterations, trace.length, 'repair');
      trace.push(...after.trace);
      converged = after.converged;
    }
  }
  const { sources, unmixing } = finishSeparation(prepared, w, rows, resolved.refMic, mixture.sampleRate);
  return {
    sources,
    unmixing,
    method: update === 'iss' ? 'iss' : 'auxiva',
    options: {
      ...resolved,
      model,
      update,
      whiten,
      repair,
      repairIterations,
      repairedBins: changedBins,
      repairCoherence: repairFit,
    },
    iterations: trace.length,
    converged,
    trace,
  };
}

/** Options of {@link iterateAuxIva}. */
export interface AuxIvaIterationOptions {
  model: IvaSourceModel;
  update: IvaUpdateRule;
  iterations: number;
  tolerance: number;
  onProgress?: StftSeparationOptions['onProgress'];
  signal?: StftSeparationOptions['signal'];
}

/**
 * The AuxIVA iterations on a prepared mixture, updating `w` (`dims` x `dims` per bin,
 * targets in the first `sources` rows) in place. Each iteration is one pass over the
 * bins: the weights come from the previous pass's `r_kt`, each bin is updated and its
 * new outputs' power is accumulated for the next pass, so no STFT of the outputs is held.
 */
export function iterateAuxIva(
  prepared: PreparedMixture,
  w: Float64Array,
  options: AuxIvaIterationOptions,
): { trace: IterationInfo[]; converged: boolean } {
  const { layout, dims, sources, channels, active, activeBins, covariance, reduction } = prepared;
  const { bins, frames } = layout;
  const size = 2 * dims * dims;
  const overIva = dims > sources;
  const gauss = options.model === 'gauss';
  const power = new Float64Array(sources * frames);
  const weights = new Float64Array(sources * frames);
  const covariances = new Float64Array(sources * size);
  const products = new Float64Array(dims * (dims + 1));
  const scratch = ipScratch(dims);
  const moment = new Float64Array(2);
  const y = options.update === 'iss' ? new Float64Array(2 * sources * frames) : null;
  const steer = new Float64Array(2 * sources);
  const lu = complexScratch(dims);
  const overScratch = {
    cw: new Float64Array(2 * dims * sources),
    a: new Float64Array(2 * sources * sources),
    aInv: new Float64Array(2 * sources * sources),
    lu: complexScratch(sources),
  };
  if (overIva && reduction) throw new UnmixError('OverIVA works on the microphones, not a PCA reduction', 'failed');

  for (let f = 0; f < bins; f++) {
    if (!active[f]) continue;
    if (overIva) overIvaBackground(dims, sources, w, f * size, covariance, f * size, overScratch);
    demixBin(channels, dims, frames, f, w, f * size, sources, null, power);
  }

  const trace: IterationInfo[] = [];
  let converged = false;
  for (let iteration = 1; iteration <= options.iterations; iteration++) {
    throwIfAborted(options.signal);
    sourceWeights(power, weights, sources, frames, activeBins, gauss);
    power.fill(0);
    let gradient = 0;
    let logDet = 0;
    for (let f = 0; f < bins; f++) {
      if (!active[f]) continue;
      const wo = f * size;
      if (y) {
        demixBin(channels, dims, frames, f, w, wo, sources, y, null);
        gradient += issUpdate(sources, frames, w, wo, y, weights, 0, steer);
        for (let k = 0; k < sources; k++) {
          for (let t = 0; t < frames; t++) {
            const re = y[2 * (k * frames + t)];
            const im = y[2 * (k * frames + t) + 1];
            power[k * frames + t] += re * re + im * im;
          }
        }
      } else {
        weightedCovariances(channels, dims, frames, f, weights, 0, sources, covariances, products);
        for (let k = 0; k < sources; k++) {
          // A tiny diagonal load keeps W V invertible in nearly silent bins.
          const vo = k * size;
          let trace = 0;
          for (let d = 0; d < dims; d++) trace += covariances[vo + 2 * (d * dims + d)];
          const load = 1e-10 * (trace / dims) + 1e-300;
          for (let d = 0; d < dims; d++) covariances[vo + 2 * (d * dims + d)] += load;
          for (let j = 0; j < dims; j++) {
            weightedCrossMoment(dims, w, wo, k, j, covariances, vo, moment);
            const re = moment[0] - (j === k ? 1 : 0);
            gradient += re * re + moment[1] * moment[1];
          }
        }
        // A row whose system is singular (a degenerate bin) keeps its value; the others still move.
        for (let k = 0; k < sources; k++) ipUpdate(dims, w, wo, k, covariances, k * size, scratch);
        if (overIva) overIvaBackground(dims, sources, w, wo, covariance, wo, overScratch);
        demixBin(channels, dims, frames, f, w, wo, sources, null, power);
      }
      logDet += complexLogAbsDet(dims, w, lu, wo);
    }
    const cost = (modelCost(power, sources, frames, activeBins, gauss) - 2 * logDet) / activeBins;
    const info: IterationInfo = { iteration, cost, gradientNorm: Math.sqrt(gradient / activeBins), stepSize: 1 };
    if (!Number.isFinite(cost)) throw new UnmixError('AuxIVA diverged (the cost is not finite)', 'failed');
    trace.push(info);
    options.onProgress?.(iteration, options.iterations, info);
    if (info.gradientNorm < options.tolerance) {
      converged = true;
      break;
    }
  }
  return { trace, converged };
}

/**
 * Weights `u_kt = G'(r)/(2r)` of the auxiliary function from the summed powers
 * `r²_kt = Σ_f |y_k(f, t)|²`: `1/(2r)` (Laplacian) or `F/r²` (Gaussian), with `r`
 * floored at 1e-6 of its mean so silent frames do not dominate.
 */
export function sourceWeights(
  power: Float64Array,
  weights: Float64Array,
  sources: number,
  frames: number,
  activeBins: number,
  gauss: boolean,
): void {
  for (let k = 0; k < sources; k++) {
    let mean = 0;
    for (let t = 0; t < frames; t++) mean += power[k * frames + t];
    mean /= frames;
    const floor = 1e-12 * mean + 1e-300;
    for (let t = 0; t < frames; t++) {
      const p = Math.max(power[k * frames + t], floor);
      weights[k * frames + t] = gauss ? activeBins / p : 0.5 / Math.sqrt(p);
    }
  }
}

/** `Σ_k Σ_t G(r_kt) / T` for the model. */
function modelCost(power: Float64Array, sources: number, frames: number, activeBins: number, gauss: boolean): number {
  let sum = 0;
  for (let k = 0; k < sources; k++) {
    let mean = 0;
    for (let t = 0; t < frames; t++) mean += power[k * frames + t];
    const floor = (1e-12 * mean) / frames + 1e-300;
    for (let t = 0; t < frames; t++) {
      const p = Math.max(power[k * frames + t], floor);
      sum += gauss ? activeBins * Math.log(p / activeBins) + activeBins : Math.sqrt(p);
    }
  }
  return sum / frames;
}
