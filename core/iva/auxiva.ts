import type { MultichannelSignal } from '../audio/signal.js';
import { throwIfAborted, UnmixError } from '../errors.js';
import type { ComplexUnmixing, IterationInfo, SeparationResult } from '../separate.js';
import { BinPassKind, createBinPassState, rangesFor, SUM_GRADIENT, SUM_LOG_DET } from './binPass.js';
import { repairStage, resolveRepairIterations } from './delayAlignment.js';
import { ONE_THREAD, runBinPasses, threadsOf, type BinPassMemory, type BinPassSteps } from './binPassPool.js';
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
 *
 * Runs on the calling thread; {@link auxIvaSteps} (or `separate` with a `pool`) splits its passes over threads.
 */
export function auxIva(mixture: MultichannelSignal, options: AuxIvaOptions = {}): SeparationResult {
  return runBinPasses(auxIvaSteps(mixture, options, ONE_THREAD));
}

/**
 * {@link auxIva} as a generator of passes (core/iva/binPassPool.ts), its buffers from `memory`:
 * `runBinPassesOn(auxIvaSteps(mixture, options, pool), pool)` runs it on a pool's threads, as
 * `separate(mixture, { method, pool })` does. Equal to {@link auxIva} within floating-point rounding,
 * and the same from run to run and for any number of threads above one (the bin ranges depend on
 * the bins only, core/iva/binPass.ts); with one thread, {@link auxIva} bit for bit.
 */
export function* auxIvaSteps(
  mixture: MultichannelSignal,
  options: AuxIvaOptions,
  memory: BinPassMemory,
): BinPassSteps<SeparationResult> {
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
  const repairIterations = resolveRepairIterations(options.repairIterations);
  throwIfAborted(options.signal);
  const prepared = prepareMixture(mixture, resolved, whiten, (length) => memory.allocate(length));
  const rows = prepared.dims;
  const w = memory.share(initialUnmixing(prepared, rows, options.initial as ComplexUnmixing | undefined));
  const total = resolved.iterations + (repair ? repairIterations : 0);
  const iterate = (
    iterations: number,
    done: number,
    stage?: string,
  ): BinPassSteps<{ trace: IterationInfo[]; converged: boolean }> =>
    // prettier-ignore
    auxIvaIterations(
      prepared,
      w,
      {
        model,
        update,
        iterations,
        tolerance: resolved.tolerance,
        onProgress: stageProgress(options.onProgress, done, total, stage),
        signal: options.signal,
      },
      memory,
    );
  const { trace, converged: mainConverged } = yield* iterate(resolved.iterations, 0);
  const repaired = repair
    ? yield* repairStage(prepared, w, rows, mixture.sampleRate, resolved.refMic, repairIterations, (n) => iterate(n, trace.length, 'repair')) // prettier-ignore
    : undefined;
  trace.push(...(repaired?.trace ?? []));
  const converged = repaired?.converged ?? mainConverged;
  const { sources, unmixing } = finishSeparation(prepared, w, rows, resolved.refMic, mixture.sampleRate);
  return {
    sources,
    unmixing,
    method: update === 'iss' ? 'iss' : 'auxiva',
    options: { ...resolved, model, update, whiten, repair, repairIterations, repairedBins: repaired?.changedBins ?? 0, repairCoherence: repaired?.coherence }, // prettier-ignore
    iterations: trace.length,
    converged,
    trace,
    ...threadsOf(memory),
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
 * targets in the first `sources` rows) in place, on the calling thread. Each iteration is
 * one pass over the bins: the weights come from the previous pass's `r_kt`, each bin is
 * updated and its new outputs' power is accumulated for the next pass, so no STFT of the
 * outputs is held.
 */
export function iterateAuxIva(
  prepared: PreparedMixture,
  w: Float64Array,
  options: AuxIvaIterationOptions,
): { trace: IterationInfo[]; converged: boolean } {
  return runBinPasses(auxIvaIterations(prepared, w, options, ONE_THREAD));
}

/**
 * {@link iterateAuxIva} as a generator of passes (core/iva/binPass.ts does the per-bin
 * work); `prepared.channels` and `w` must be visible to `memory`'s threads
 * (`prepareMixture` with `memory.allocate`, {@link BinPassMemory.share}).
 */
export function* auxIvaIterations(
  prepared: PreparedMixture,
  w: Float64Array,
  options: AuxIvaIterationOptions,
  memory: BinPassMemory,
): BinPassSteps<{ trace: IterationInfo[]; converged: boolean }> {
  const { layout, dims, sources, channels, active, activeBins, covariance, reduction } = prepared;
  const { bins, frames } = layout;
  const overIva = dims > sources;
  const gauss = options.model === 'gauss';
  if (overIva && reduction) throw new UnmixError('OverIVA works on the microphones, not a PCA reduction', 'failed');
  const state = createBinPassState(
    { dims, sources, frames, bins, bases: 0, update: options.update, channels, w, covariance: overIva ? memory.share(covariance) : new Float64Array(0), active }, // prettier-ignore
    rangesFor(active, memory.threads),
    (length) => memory.allocate(length),
  );
  const { power, sums } = state.totals;
  state.params[0] = BinPassKind.auxIvaStart;
  yield state;

  const trace: IterationInfo[] = [];
  let converged = false;
  for (let iteration = 1; iteration <= options.iterations; iteration++) {
    throwIfAborted(options.signal);
    sourceWeights(power, state.weights, sources, frames, activeBins, gauss);
    state.params[0] = BinPassKind.auxIva;
    yield state;
    const cost = (modelCost(power, sources, frames, activeBins, gauss) - 2 * sums[SUM_LOG_DET]) / activeBins;
    const info: IterationInfo = { iteration, cost, gradientNorm: Math.sqrt(sums[SUM_GRADIENT] / activeBins), stepSize: 1 }; // prettier-ignore
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
