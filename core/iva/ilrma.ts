import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, UnmixError } from '../errors.js';
import { createRandom } from '../random.js';
import type { ComplexUnmixing, IterationInfo, SeparationResult } from '../separate.js';
import { auxIvaIterations, type IvaUpdateRule } from './auxiva.js';
import {
  BinPassKind,
  createBinPassState,
  rangesFor,
  SUM_FIT,
  SUM_GRADIENT,
  SUM_LOG_DET,
  SUM_MEAN_OUTPUT,
} from './binPass.js';
import { ONE_THREAD, runBinPasses, threadsOf, type BinPassMemory, type BinPassSteps } from './binPassPool.js';
import { searchBandSwaps, type BandSwapSearch } from './bandSwap.js';
import { repairStage, resolveRepairIterations } from './delayAlignment.js';
import {
  finishSeparation,
  initialUnmixing,
  prepareMixture,
  resolveStftOptions,
  stageProgress,
  type PreparedMixture,
  type StftSeparationOptions,
} from './stftMixture.js';

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
  /**
   * Band-swap search ({@link searchBandSwaps}, core/iva/bandSwap.ts) after the delay repair
   * (default: on for recordings up to {@link BAND_SWAP_DEFAULT_MAX_SECONDS}, off for longer
   * ones, where it would hold the output powers of every source, about one more STFT of
   * memory, and its refits would take minutes): proposes swapping the outputs of two sources in all bins above some
   * frequency when a quick refit of the NMF model to the output powers fits the swapped ones
   * clearly better; the repair's {@link IlrmaOptions.repairIterations} then run from the
   * matrices with and without the swaps, and the run with the lower final cost is kept.
   * Measured on the simulated rooms of bench/rooms.ts (`roomLayout`), mean SI-SDRi: 2x2 RT60
   * 0.3 s layouts 0-9 5.24 -> 5.95 dB, 2x2 RT60 0.15 s layouts 0-4 16.32 -> 17.34 dB, 3x3
   * RT60 0.2 s layouts 0-4 9.53 -> 10.18 dB, no layout worse. It costs time (the search runs
   * on the calling thread): 10-12 s instead of 5-7 s on those 8 s 2x2 rooms, 35-43 s instead
   * of 11-12 s on the 3x3 rooms (2 cores).
   */
  bandSwap?: boolean;
}

/** Default ILRMA iterations. */
export const ILRMA_DEFAULT_ITERATIONS = 200;

/**
 * Longest recording, seconds, for which ILRMA's band-swap search is on by default: its time
 * and memory grow with the length (a 10-minute 2-channel file would need ~0.6 GB more, over
 * the 1.5 GB the project allows), while the short clips it was measured on gained 0.7-1 dB.
 */
export const BAND_SWAP_DEFAULT_MAX_SECONDS = 60;

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
 *   iterations (3 or more sources; none with 2) then 200 ILRMA iterations, tolerance 1e-6, 2 bases, IP updates, `refMic: 0`, seed 0 (the NMF start is random),
 *   then the permutation repair of core/iva/delayAlignment.ts, the band-swap search of core/iva/bandSwap.ts and,
 *   when either moved any bin, 50 more ILRMA iterations (twice when the search moved any: with and without its swaps)
 * @throws UnmixError for bad input or options, `aborted` when `options.signal` fires
 *
 * Runs on the calling thread; {@link ilrmaSteps} (or `separate` with a `pool`) splits its passes over threads.
 */
export function ilrma(mixture: MultichannelSignal, options: IlrmaOptions = {}): SeparationResult {
  return runBinPasses(ilrmaSteps(mixture, options, ONE_THREAD));
}

/**
 * {@link ilrma} as a generator of passes (core/iva/binPassPool.ts), its buffers from `memory`:
 * `runBinPassesOn(ilrmaSteps(mixture, options, pool), pool)` runs it on a pool's threads, as
 * `separate(mixture, { method, pool })` does. Equal to {@link ilrma} within floating-point rounding,
 * and the same from run to run and for any number of threads above one (the bin ranges depend on
 * the bins only, core/iva/binPass.ts); with one thread, {@link ilrma} bit for bit.
 */
export function* ilrmaSteps(
  mixture: MultichannelSignal,
  options: IlrmaOptions,
  memory: BinPassMemory,
): BinPassSteps<SeparationResult> {
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
  const repairIterations = resolveRepairIterations(options.repairIterations);
  const seconds = mixture.channels[0].length / mixture.sampleRate;
  const bandSwap = options.bandSwap ?? seconds <= BAND_SWAP_DEFAULT_MAX_SECONDS;
  if (typeof bandSwap !== 'boolean') throw new UnmixError(`bandSwap must be true or false, got ${String(bandSwap)}`, 'usage'); // prettier-ignore
  throwIfAborted(options.signal);
  const prepared = prepareMixture(mixture, resolved, false, (length) => memory.allocate(length));
  const rows = prepared.dims;
  const warmup = options.initial ? 0 : (requestedWarmup ?? (rows >= 3 ? 10 : 0));
  const w = memory.share(initialUnmixing(prepared, rows, options.initial as ComplexUnmixing | undefined));
  const total = warmup + resolved.iterations + (repair || bandSwap ? repairIterations : 0);
  const start =
    warmup > 0
      ? (yield* auxIvaIterations(
          prepared,
          w,
          {
            model: 'gauss',
            update: 'ip',
            iterations: warmup,
            tolerance: 0,
            signal: options.signal,
            onProgress: stageProgress(options.onProgress, 0, total, 'warm-up'),
          },
          memory,
        )).trace.map((info) => ({ ...info, stage: 'warm-up' }))
      : [];
  // After a repair ILRMA restarts its NMF model (same seed) from the repaired matrices: the
  // model learnt on the old assignment no longer matches it.
  const iterate = (
    iterations: number,
    done: number,
    stage?: string,
  ): BinPassSteps<{ trace: IterationInfo[]; converged: boolean }> =>
    // prettier-ignore
    ilrmaIterations(
      prepared,
      w,
      {
        bases,
        update,
        seed: resolved.seed,
        iterations,
        tolerance: resolved.tolerance,
        onProgress: stageProgress(options.onProgress, done, total, stage),
        signal: options.signal,
      },
      memory,
    );
  const main = yield* iterate(resolved.iterations, warmup);
  const trace = [...start, ...main.trace];
  let swapped: BandSwapSearch | undefined;
  const search = (): number => {
    swapped = searchBandSwaps(prepared, w, rows, { bases, seed: resolved.seed });
    return swapped.changedBins;
  };
  const repaired =
    repair || bandSwap
      ? yield* repairStage(prepared, w, rows, mixture.sampleRate, resolved.refMic, repairIterations, (n) => iterate(n, trace.length, 'repair'), { delays: repair, then: bandSwap ? search : undefined, confirm: true }) // prettier-ignore
      : undefined;
  trace.push(...(repaired?.trace ?? []));
  const converged = repaired?.converged ?? main.converged;
  const { sources, unmixing } = finishSeparation(prepared, w, rows, resolved.refMic, mixture.sampleRate);
  return {
    sources,
    unmixing,
    method: 'ilrma',
    options: { ...resolved, bases, update, warmup, repair, repairIterations, repairedBins: repaired?.changedBins ?? 0, repairCoherence: repaired?.coherence, bandSwap, bandSwaps: repaired?.furtherKept ? swapped?.swaps : [], bandSwapsTried: swapped?.swaps }, // prettier-ignore
    iterations: trace.length,
    converged,
    trace,
    ...threadsOf(memory),
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
 * targets first) in place, on the calling thread.
 */
export function iterateIlrma(
  prepared: PreparedMixture,
  w: Float64Array,
  options: IlrmaIterationOptions,
): { trace: IterationInfo[]; converged: boolean } {
  return runBinPasses(ilrmaIterations(prepared, w, options, ONE_THREAD));
}

/**
 * {@link iterateIlrma} as a generator of passes: each pass (core/iva/binPass.ts) updates
 * every bin's unmixing and bases and sums the activation statistics; between passes the
 * activations are updated and each source is normalised to unit mean output power.
 * `prepared.channels` and `w` must be visible to `memory`'s threads.
 */
export function* ilrmaIterations(
  prepared: PreparedMixture,
  w: Float64Array,
  options: IlrmaIterationOptions,
  memory: BinPassMemory,
): BinPassSteps<{ trace: IterationInfo[]; converged: boolean }> {
  const { layout, dims, sources, channels, active, activeBins, covariance } = prepared;
  const { bins, frames } = layout;
  const nb = options.bases;
  const size = 2 * dims * dims;
  const overIva = dims > sources;
  const rng = createRandom(options.seed);
  const state = createBinPassState(
    { dims, sources, frames, bins, bases: nb, update: options.update, channels, w, covariance: overIva ? memory.share(covariance) : new Float64Array(0), active }, // prettier-ignore
    rangesFor(active, memory.threads),
    (length) => memory.allocate(length),
  );

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
  const { basis, activation } = state;
  for (let i = 0; i < basis.length; i++) basis[i] = (meanPower / nb) * (0.1 + 0.9 * rng.uniform());
  for (let i = 0; i < activation.length; i++) activation[i] = 0.1 + 0.9 * rng.uniform();
  const { numerator, denominator, sums } = state.totals;
  state.params[1] = 1e-12 * meanPower + 1e-300;

  if (overIva) {
    state.params[0] = BinPassKind.ilrmaStart;
    yield state;
  }

  const trace: IterationInfo[] = [];
  let converged = false;
  for (let iteration = 1; iteration <= options.iterations; iteration++) {
    throwIfAborted(options.signal);
    state.params[0] = BinPassKind.ilrma;
    yield state;
    // Activations: V(b, t) *= sqrt(Σ_f T(f, b) P λ⁻² / Σ_f T(f, b) λ⁻¹).
    for (let i = 0; i < activation.length; i++) {
      if (denominator[i] > 0) activation[i] = Math.max(activation[i] * Math.sqrt(numerator[i] / denominator[i]), 1e-300); // prettier-ignore
    }
    // Unit mean output power per source: fixes the scale W and λ share, keeps numbers O(1).
    for (let k = 0; k < sources; k++) {
      const mu = sums[SUM_MEAN_OUTPUT + k] / (activeBins * frames);
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
    state.params[1] = 1e-12 + 1e-300;
    const cost = (sums[SUM_FIT] - 2 * frames * sums[SUM_LOG_DET]) / (frames * activeBins);
    const info: IterationInfo = { iteration, cost, gradientNorm: Math.sqrt(sums[SUM_GRADIENT] / activeBins), stepSize: 1 }; // prettier-ignore
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
