import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, UnmixError } from '../errors.js';
import { complexLogAbsDet, complexScratch } from '../linalg/complex.js';
import { createRandom } from '../random.js';
import type { ComplexUnmixing, IterationInfo, SeparationResult } from '../separate.js';
import { iterateAuxIva, type IvaUpdateRule } from './auxiva.js';
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
 * ILRMA, independent low-rank matrix analysis (Kitamura, Ono, Sawada, Kameoka &
 * Saruwatari 2016, "Determined blind source separation unifying independent vector
 * analysis and nonnegative matrix factorization"): IVA whose source model is a
 * time-frequency variance `λ_k(f, t) = Σ_b T_k(f, b) V_k(b, t)` of low rank (NMF with
 * the Itakura-Saito divergence), so each source's spectral patterns (harmonics, formants)
 * tie its bins together more tightly than AuxIVA's spherical model. Separates better than
 * AuxIVA in reverberant rooms and with three or more sources.
 */

/** Options of {@link ilrma}. */
export interface IlrmaOptions extends StftSeparationOptions {
  /** NMF bases per source (default 2; more for music). */
  bases?: number;
  /** Update rule of the unmixing matrices (default `ip`). */
  update?: IvaUpdateRule;
  /**
   * AuxIVA iterations (time-varying Gaussian model, IP) run first when there is no warm
   * start (default 10 with 3 or more sources, 0 with 2; 0 starts ILRMA from the identity).
   * ILRMA from the identity often stalls in a poor local optimum with 3 or more sources; a
   * short AuxIVA start avoids it. With 2 sources the short start only biases ILRMA: the
   * identity start raised the mean SI-SDRi on every group of simulated 2x2 rooms tried
   * (6 layouts of the standard rooms: 6.4 -> 9.9 dB; 6 far-field layouts of bench/hard.ts:
   * -0.4 -> 1.1 dB; the two standard rooms: 20.0 -> 20.2 and 4.4 -> 5.2 dB).
   */
  warmup?: number;
  /**
   * Repair of the permutation between bins from the sources' inter-microphone delays
   * ({@link repairPermutations}), then {@link IlrmaOptions.repairIterations} more ILRMA
   * iterations from the repaired matrices (default true).
   */
  repair?: boolean;
  /** ILRMA iterations after a repair that changed any bin (default 50). */
  repairIterations?: number;
}

/** Default ILRMA iterations. */
export const ILRMA_DEFAULT_ITERATIONS = 200;

/**
 * Run ILRMA on `mixture` (channels = microphones).
 *
 * Each iteration is one pass over the bins that updates, per bin, the unmixing matrix
 * (IP with weights `1/λ`, or ISS), then the bases `T_k(f, ·)` (multiplicative
 * Itakura-Saito update), and accumulates the statistics of the activations `V_k`, which are
 * updated at the end of the pass; then each source is normalised to unit mean power
 * (Kitamura 2016, sec. IV-D). The STFT of the outputs is never held.
 *
 * The cost in the trace is the negative log-likelihood per time-frequency point,
 * `(Σ_kft (|y|²/λ + log λ) - 2T Σ_f log|det W_f|) / (T F)`, evaluated after the unmixing
 * and basis updates of the iteration. The gradient norm is that of AuxIVA (RMS over bins
 * of `‖E[y yᴴ/λ] - I‖_F` before the update); the run stops when it is below `tolerance`.
 *
 * @param mixture - planar, at least 2 channels
 * @param options - {@link IlrmaOptions}; defaults: FFT size ~128 ms, hop `fftSize/4`, 10 AuxIVA warm-up
 *   iterations (3 or more sources; none with 2) then 200 ILRMA iterations, tolerance 1e-6, 2 bases, IP updates, `refMic: 0`, seed 0 (the NMF start is random)
 * @throws UnmixError for bad input or options, `aborted` when `options.signal` fires
 */
export function ilrma(mixture: MultichannelSignal, options: IlrmaOptions = {}): SeparationResult {
  const bases = options.bases ?? 2;
  if (!Number.isInteger(bases) || bases < 1 || bases > 256) {
    throw new UnmixError(`bases must be a whole number between 1 and 256, got ${bases}`, 'usage');
  }
  const update = options.update ?? 'ip';
  if (update !== 'ip' && update !== 'iss') throw new UnmixError(`update must be ip or iss, got '${String(update)}'`, 'usage'); // prettier-ignore
  const resolved = resolveStftOptions(mixture, options, { iterations: ILRMA_DEFAULT_ITERATIONS, tolerance: 1e-6 });
  if (update === 'iss' && resolved.reduction === 'overiva' && resolved.sources < mixture.channels.length) {
    throw new UnmixError('ISS needs as many channels as sources: use reduction pca with iss', 'usage');
  }
  const requestedWarmup = options.warmup;
  if (requestedWarmup !== undefined && (!Number.isInteger(requestedWarmup) || requestedWarmup < 0)) {
    throw new UnmixError(`warmup must be a whole number >= 0, got ${requestedWarmup}`, 'usage');
  }
  const repair = options.repair ?? true;
  const repairIterations = options.repairIterations ?? REPAIR_ITERATIONS;
  if (!Number.isInteger(repairIterations) || repairIterations < 0) {
    throw new UnmixError(`repairIterations must be a whole number >= 0, got ${repairIterations}`, 'usage');
  }
  throwIfAborted(options.signal);
  const prepared = prepareMixture(mixture, resolved);
  const rows = prepared.dims;
  const warmup = options.initial ? 0 : (requestedWarmup ?? (rows >= 3 ? 10 : 0));
  const w = initialUnmixing(prepared, rows, options.initial as ComplexUnmixing | undefined);
  const total = warmup + resolved.iterations + (repair ? repairIterations : 0);
  const onProgress = options.onProgress;
  const start =
    warmup > 0
      ? iterateAuxIva(prepared, w, {
          model: 'gauss',
          update: 'ip',
          iterations: warmup,
          tolerance: 0,
          signal: options.signal,
          onProgress: (done, _total, info) => onProgress?.(done, total, info && { ...info, stage: 'warm-up' }),
        }).trace.map((info) => ({ ...info, stage: 'warm-up' }))
      : [];
  const run = (iterations: number, done: number, stage?: string): { trace: IterationInfo[]; converged: boolean } => {
    const result = iterateIlrma(prepared, w, {
      bases,
      update,
      seed: resolved.seed,
      iterations,
      tolerance: resolved.tolerance,
      onProgress:
        onProgress && ((k, _total, info) => onProgress(done + k, total, stage && info ? { ...info, stage } : info)),
      signal: options.signal,
    });
    if (stage) for (const info of result.trace) info.stage = stage;
    return result;
  };
  const main = run(resolved.iterations, warmup);
  const trace = [...start, ...main.trace];
  let converged = main.converged;
  let changedBins = 0;
  let repairFit: number | undefined;
  if (repair && prepared.sources >= 2) {
    const alignment = repairPermutations(prepared, w, rows, mixture.sampleRate, resolved.refMic);
    changedBins = alignment.changedBins;
    repairFit = alignment.coherence.reduce((a, b) => a + b, 0) / alignment.coherence.length;
    if (changedBins > 0 && repairIterations > 0) {
      // The repaired assignment no longer matches the NMF model learnt on the old one:
      // ILRMA restarts its model (same seed) from the repaired matrices.
      const after = run(repairIterations, trace.length, 'repair');
      trace.push(...after.trace);
      converged = after.converged;
    }
  }
  const { sources, unmixing } = finishSeparation(prepared, w, rows, resolved.refMic, mixture.sampleRate);
  return {
    sources,
    unmixing,
    method: 'ilrma',
    options: {
      ...resolved,
      bases,
      update,
      warmup,
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

/** Options of {@link iterateIlrma}. */
export interface IlrmaIterationOptions {
  bases: number;
  update: IvaUpdateRule;
  seed: number;
  iterations: number;
  tolerance: number;
  onProgress?: StftSeparationOptions['onProgress'];
  signal?: StftSeparationOptions['signal'];
}

/**
 * The ILRMA iterations on a prepared mixture, updating `w` (`dims` x `dims` per bin,
 * targets first) in place.
 */
export function iterateIlrma(
  prepared: PreparedMixture,
  w: Float64Array,
  options: IlrmaIterationOptions,
): { trace: IterationInfo[]; converged: boolean } {
  const { layout, dims, sources, channels, active, activeBins, covariance } = prepared;
  const { bins, frames } = layout;
  const nb = options.bases;
  const size = 2 * dims * dims;
  const overIva = dims > sources;
  const rng = createRandom(options.seed);

  // Scale the random NMF start to the data so the first variances are of the right order.
  let meanPower = 0;
  for (let f = 0; f < bins; f++) {
    if (!active[f]) continue;
    for (let d = 0; d < dims; d++) {
      const x = channels[d];
      for (let t = 0, i = 2 * f * frames; t < frames; t++, i += 2) meanPower += x[i] * x[i] + x[i + 1] * x[i + 1];
    }
  }
  meanPower /= activeBins * frames * dims;
  const basis = new Float64Array(sources * bins * nb); // T_k(f, b) at (k * bins + f) * nb + b
  const activation = new Float64Array(sources * nb * frames); // V_k(b, t) at (k * nb + b) * frames + t
  for (let i = 0; i < basis.length; i++) basis[i] = (meanPower / nb) * (0.1 + 0.9 * rng.uniform());
  for (let i = 0; i < activation.length; i++) activation[i] = 0.1 + 0.9 * rng.uniform();
  const numerator = new Float64Array(sources * nb * frames);
  const denominator = new Float64Array(sources * nb * frames);

  const variance = new Float64Array(sources * frames);
  const weights = new Float64Array(sources * frames);
  const power = new Float64Array(sources * frames);
  const a = new Float64Array(frames);
  const covariances = new Float64Array(sources * size);
  const products = new Float64Array(dims * (dims + 1));
  const scratch = ipScratch(dims);
  const moment = new Float64Array(2);
  const y = new Float64Array(2 * sources * frames);
  const steer = new Float64Array(2 * sources);
  const lu = complexScratch(dims);
  const meanOutput = new Float64Array(sources);
  const overScratch = {
    cw: new Float64Array(2 * dims * sources),
    a: new Float64Array(2 * sources * sources),
    aInv: new Float64Array(2 * sources * sources),
    lu: complexScratch(sources),
  };
  let floor = 1e-12 * meanPower + 1e-300;

  const computeVariance = (f: number): void => {
    for (let k = 0; k < sources; k++) {
      const v = k * frames;
      variance.fill(0, v, v + frames);
      for (let b = 0; b < nb; b++) {
        const tb = basis[(k * bins + f) * nb + b];
        const vb = (k * nb + b) * frames;
        for (let t = 0; t < frames; t++) variance[v + t] += tb * activation[vb + t];
      }
      for (let t = 0; t < frames; t++) if (variance[v + t] < floor) variance[v + t] = floor;
    }
  };

  if (overIva) {
    for (let f = 0; f < bins; f++) if (active[f]) overIvaBackground(dims, sources, w, f * size, covariance, f * size, overScratch); // prettier-ignore
  }

  const trace: IterationInfo[] = [];
  let converged = false;
  for (let iteration = 1; iteration <= options.iterations; iteration++) {
    throwIfAborted(options.signal);
    numerator.fill(0);
    denominator.fill(0);
    meanOutput.fill(0);
    let gradient = 0;
    let logDet = 0;
    let fit = 0;
    for (let f = 0; f < bins; f++) {
      if (!active[f]) continue;
      const wo = f * size;
      computeVariance(f);
      for (let i = 0; i < sources * frames; i++) weights[i] = 1 / variance[i];
      if (options.update === 'iss') {
        demixBin(channels, dims, frames, f, w, wo, sources, y, null);
        gradient += issUpdate(sources, frames, w, wo, y, weights, 0, steer);
        for (let i = 0; i < sources * frames; i++) power[i] = y[2 * i] * y[2 * i] + y[2 * i + 1] * y[2 * i + 1];
      } else {
        weightedCovariances(channels, dims, frames, f, weights, 0, sources, covariances, products);
        for (let k = 0; k < sources; k++) {
          const vo = k * size;
          let tr = 0;
          for (let d = 0; d < dims; d++) tr += covariances[vo + 2 * (d * dims + d)];
          const load = 1e-10 * (tr / dims) + 1e-300;
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
        power.fill(0);
        demixBin(channels, dims, frames, f, w, wo, sources, null, power);
      }
      logDet += complexLogAbsDet(dims, w, lu, wo);
      // Bases of this bin: T(f, b) *= sqrt(Σ_t P λ⁻² V(b, t) / Σ_t λ⁻¹ V(b, t)).
      for (let k = 0; k < sources; k++) {
        const v = k * frames;
        for (let t = 0; t < frames; t++) {
          const inv = 1 / variance[v + t];
          a[t] = power[v + t] * inv * inv;
          meanOutput[k] += power[v + t];
        }
        for (let b = 0; b < nb; b++) {
          const vb = (k * nb + b) * frames;
          let num = 0;
          let den = 0;
          for (let t = 0; t < frames; t++) {
            num += a[t] * activation[vb + t];
            den += weights[v + t] * activation[vb + t];
          }
          const i = (k * bins + f) * nb + b;
          basis[i] = Math.max(basis[i] * Math.sqrt(num / den), 1e-300);
        }
      }
      computeVariance(f);
      for (let k = 0; k < sources; k++) {
        const v = k * frames;
        // One division per frame, and one logarithm per 8 frames (a product of 8 variances
        // stays far inside the double range: they are floored at 1e-12 and O(1) on average).
        let product = 1;
        for (let t = 0; t < frames; t++) {
          const lambda = variance[v + t];
          const inv = 1 / lambda;
          const ratio = power[v + t] * inv;
          weights[v + t] = inv;
          a[t] = ratio * inv;
          fit += ratio;
          product *= lambda;
          if ((t & 7) === 7) {
            fit += Math.log(product);
            product = 1;
          }
        }
        fit += Math.log(product);
        for (let b = 0; b < nb; b++) {
          const tb = basis[(k * bins + f) * nb + b];
          const vb = (k * nb + b) * frames;
          for (let t = 0; t < frames; t++) {
            numerator[vb + t] += tb * a[t];
            denominator[vb + t] += tb * weights[v + t];
          }
        }
      }
    }
    // Activations: V(b, t) *= sqrt(Σ_f T(f, b) P λ⁻² / Σ_f T(f, b) λ⁻¹).
    for (let i = 0; i < activation.length; i++) {
      if (denominator[i] > 0) activation[i] = Math.max(activation[i] * Math.sqrt(numerator[i] / denominator[i]), 1e-300); // prettier-ignore
    }
    // Unit mean output power per source: fixes the scale W and λ share, keeps numbers O(1).
    for (let k = 0; k < sources; k++) {
      const mu = meanOutput[k] / (activeBins * frames);
      if (!(mu > 0)) continue;
      const s = 1 / Math.sqrt(mu);
      for (let f = 0; f < bins; f++) {
        if (!active[f]) continue;
        for (let d = 0; d < dims; d++) {
          w[f * size + 2 * (k * dims + d)] *= s;
          w[f * size + 2 * (k * dims + d) + 1] *= s;
        }
        for (let b = 0; b < nb; b++) basis[(k * bins + f) * nb + b] /= mu;
      }
    }
    floor = 1e-12 + 1e-300;
    const cost = (fit - 2 * frames * logDet) / (frames * activeBins);
    const info: IterationInfo = { iteration, cost, gradientNorm: Math.sqrt(gradient / activeBins), stepSize: 1 };
    if (!Number.isFinite(cost)) throw new UnmixError('ILRMA diverged (the cost is not finite)', 'failed');
    trace.push(info);
    options.onProgress?.(iteration, options.iterations, info);
    if (info.gradientNorm < options.tolerance) {
      converged = true;
      break;
    }
  }
  return { trace, converged };
}
