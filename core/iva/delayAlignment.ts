import { UnmixError } from '../errors.js';
import { complexInverse, complexMatMulConjTranspose, complexScratch } from '../linalg/complex.js';
import { bestAssignment } from '../losses/pit.js';
import type { IterationInfo } from '../separate.js';
import type { BinPassSteps } from './binPassPool.js';
import { permuteRows } from './permutation.js';
import { targetUnmixing, type PreparedMixture } from './stftMixture.js';

/**
 * Permutation repair from the geometry of the room, learnt blind: IVA and ILRMA tie the
 * bins of a source together through its source model, but in reverberant rooms and with
 * three or more sources they often end with blocks of bins whose outputs are swapped (a
 * "block permutation"). Each bin's separation is fine; the bins are just assembled into
 * the wrong sources, and gradient-type updates cannot leave such a state because a swap
 * is a discrete move.
 *
 * What identifies a source across frequency is where it is: the columns of the estimated
 * mixing matrix `A_f = W_f⁺` are the sources' steering vectors, and for a source whose
 * direct path dominates, the phase of `a_mk(f) / a_refk(f)` follows `-2π ν_f τ_mk`, with
 * `τ_mk` the delay of source `k` between microphone `m` and the reference microphone and
 * `ν_f` the frequency of bin `f` in Hz (Sawada, Mukai, Araki & Makino 2004, "A robust and
 * precise method for solving the permutation problem of frequency-domain blind source
 * separation", IEEE TSAP 12(5)). Here, as a k-means with one member per bin and source:
 * 1. estimate each source's delays from the current assignment, by maximising
 *    `Σ_f Re(u_mk(f) e^{+j2π ν_f τ})` over a grid of `τ` (a GCC-PHAT over the steering
 *    vectors' phases `u = a_m/a_ref / |a_m/a_ref|`: coherent over all bins, so spatial
 *    aliasing at high frequencies does not bias it);
 * 2. give each bin the permutation whose outputs best fit the delays, but only when it
 *    fits better than the current one by a clear margin: at low frequencies, and for
 *    sources with the same delays (mirror images about a linear array's axis), the fit
 *    cannot tell sources apart and the method's own assignment is kept.
 *
 * It needs no microphone positions, only a largest delay; it is meant as a repair of
 * IVA/ILRMA output, which gets most bins right, followed by more iterations of the
 * method so its source model re-converges on the repaired assignment.
 */

/**
 * Iterations a method runs after a repair that changed any bin, so its source model
 * re-converges on the repaired assignment (50: on the standard rooms the gain was made by
 * then; bench/iva.ts `layouts`).
 */
export const REPAIR_ITERATIONS = 50;

/** Options of {@link alignByDelays}. */
export interface DelayAlignmentOptions {
  /**
   * Largest delay between a microphone and the reference microphone, seconds (default
   * 1 ms, an array up to 34 cm wide).
   */
  maxDelay?: number;
  /**
   * How much better, in mean cosine per source and microphone (0..2), a bin's best
   * permutation must fit the delays than its current one before it is changed (default 0.3).
   */
  margin?: number;
  /** Most rounds of delay estimation and reassignment (default 10). */
  maxSweeps?: number;
  /**
   * Least mean {@link DelayAlignment.coherence} over sources for any bin to be moved
   * (default 0.6). Where reverberation outweighs the direct sound (talkers beyond the
   * critical distance) the steering vectors no longer follow delays, the fit falls to
   * 0.3-0.55, and moving bins by it made separations worse (bench/hard.ts: 6 microphones,
   * RT60 0.6 s, 0.36 and -4 dB); in the standard rooms it was 0.64-0.87 and the repair
   * gained up to 10 dB.
   */
  minCoherence?: number;
}

/** What {@link alignByDelays} found. */
export interface DelayAlignment {
  /** `permutations[f * sources + k]` = the row of bin `f` that belongs to source `k` (as {@link permuteRows} takes). */
  permutations: Int32Array;
  /** Delays `τ_mk` in seconds, `delays[k * mics + m]` (0 at the reference microphone). */
  delays: Float64Array;
  /**
   * How well each source's steering vectors follow its delays: the mean over bins and
   * microphones of `Re(u e^{+j2πντ})`, 1 for a perfect free-field fit, near 0 when nothing fits.
   */
  coherence: Float64Array;
  /** Number of bins whose permutation changed. */
  changedBins: number;
  /** Rounds run. */
  sweeps: number;
}

/**
 * Find per-bin permutations of a per-bin unmixing that make every source's steering
 * vectors follow one set of inter-microphone delays (see the module comment).
 *
 * @param unmixing - `bins` complex `sources` x `mics` unmixing matrices (interleaved, bin `f` at `2 * f * sources * mics`), e.g. a {@link ComplexUnmixing}'s data
 * @param sources - rows per bin
 * @param mics - columns per bin (microphones), at least 2
 * @param fftSize - STFT frame length, samples (bin `f` is at `f * sampleRate / fftSize` Hz)
 * @param sampleRate - Hz
 * @param refMic - the microphone the delays are measured from
 * @param active - optional per-bin flags; bins with 0 keep their order and do not vote
 * @param options - {@link DelayAlignmentOptions}
 * @throws UnmixError (usage) for inconsistent sizes or options out of range
 */
export function alignByDelays(
  unmixing: Float64Array,
  sources: number,
  mics: number,
  bins: number,
  fftSize: number,
  sampleRate: number,
  refMic = 0,
  active?: Uint8Array,
  options: DelayAlignmentOptions = {},
): DelayAlignment {
  const maxDelay = options.maxDelay ?? 1e-3;
  const margin = options.margin ?? 0.3;
  const maxSweeps = options.maxSweeps ?? 10;
  const minCoherence = options.minCoherence ?? 0.6;
  if (!(minCoherence >= 0 && minCoherence <= 1)) throw new UnmixError(`minCoherence must be in [0, 1], got ${minCoherence}`, 'usage'); // prettier-ignore
  if (!(maxDelay > 0 && maxDelay <= 0.1)) throw new UnmixError(`maxDelay must be in (0, 0.1] s, got ${maxDelay}`, 'usage'); // prettier-ignore
  if (!(margin >= 0 && margin <= 2)) throw new UnmixError(`margin must be in [0, 2], got ${margin}`, 'usage');
  if (!Number.isInteger(maxSweeps) || maxSweeps < 1) throw new UnmixError(`maxSweeps must be a whole number >= 1, got ${maxSweeps}`, 'usage'); // prettier-ignore
  const n = sources;
  if (unmixing.length !== 2 * bins * n * mics) {
    throw new UnmixError(`unmixing must hold ${2 * bins * n * mics} values, got ${unmixing.length}`, 'usage');
  }
  if (mics < 2 || n < 1 || n > mics) throw new UnmixError('delay alignment needs 2+ microphones and at most as many sources', 'usage'); // prettier-ignore
  if (!Number.isInteger(refMic) || refMic < 0 || refMic >= mics) throw new UnmixError(`refMic out of range: ${refMic}`, 'usage'); // prettier-ignore
  if (active && active.length !== bins) throw new UnmixError(`active flags must be one per bin (${bins})`, 'usage');

  // Unit phasors u[(f * n + k) * mics + m] of a_mk / a_refk, from A = Wᴴ (W Wᴴ)⁻¹ (= W⁻¹ when square).
  const phases = new Float64Array(2 * bins * n * mics);
  const usable = new Uint8Array(bins);
  const gram = new Float64Array(2 * n * n);
  const gramInv = new Float64Array(2 * n * n);
  const lu = complexScratch(n);
  const column = new Float64Array(2 * mics);
  for (let f = 1; f < bins - 1; f++) {
    if (active && !active[f]) continue;
    const wo = 2 * f * n * mics;
    complexMatMulConjTranspose(n, mics, n, unmixing, unmixing, gram, wo, wo, 0);
    if (!complexInverse(n, gram, gramInv, lu)) continue;
    usable[f] = 1;
    for (let k = 0; k < n; k++) {
      // a_mk = Σ_j conj(W_jm) G⁻¹_jk
      for (let m = 0; m < mics; m++) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < n; j++) {
          const wr = unmixing[wo + 2 * (j * mics + m)];
          const wi = -unmixing[wo + 2 * (j * mics + m) + 1];
          const gr = gramInv[2 * (j * n + k)];
          const gi = gramInv[2 * (j * n + k) + 1];
          re += wr * gr - wi * gi;
          im += wr * gi + wi * gr;
        }
        column[2 * m] = re;
        column[2 * m + 1] = im;
      }
      const rr = column[2 * refMic];
      const ri = column[2 * refMic + 1];
      for (let m = 0; m < mics; m++) {
        // a_m conj(a_ref), normalised: the phase of a_m / a_ref.
        const re = column[2 * m] * rr + column[2 * m + 1] * ri;
        const im = column[2 * m + 1] * rr - column[2 * m] * ri;
        const mag = Math.hypot(re, im);
        const o = 2 * ((f * n + k) * mics + m);
        if (mag > 0) {
          phases[o] = re / mag;
          phases[o + 1] = im / mag;
        }
      }
    }
  }

  const permutations = new Int32Array(bins * n);
  for (let f = 0; f < bins; f++) for (let k = 0; k < n; k++) permutations[f * n + k] = k;
  const delays = new Float64Array(n * mics);
  const coherence = new Float64Array(n);
  let usableBins = 0;
  for (let f = 0; f < bins; f++) usableBins += usable[f];
  if (n === 1 || usableBins < 2) return { permutations, delays, coherence, changedBins: 0, sweeps: 0 };

  // Grid of 1/8 sample (a phase step of at most π/8 at Nyquist), refined to 1/64 around the peak.
  const step = 1 / (8 * sampleRate);
  const half = Math.ceil(maxDelay / step);
  const binHz = sampleRate / fftSize;
  const fit = (k: number, m: number, tau: number): number => {
    // Σ_f Re(u e^{+j2π ν_f τ}), the phasor advanced by a rotation per bin instead of a cos/sin each.
    const dr = Math.cos(2 * Math.PI * binHz * tau);
    const di = Math.sin(2 * Math.PI * binHz * tau);
    let pr = dr;
    let pi = di;
    let sum = 0;
    for (let f = 1; f < bins - 1; f++) {
      if (usable[f]) {
        const o = 2 * ((f * n + assignment[f * n + k]) * mics + m);
        sum += phases[o] * pr - phases[o + 1] * pi;
      }
      const r = pr * dr - pi * di;
      pi = pr * di + pi * dr;
      pr = r;
    }
    return sum;
  };
  const costs = Array.from({ length: n }, () => new Float64Array(n));
  const search = n <= 6 ? 'exhaustive' : 'hungarian';
  const assignment = permutations.slice();
  /** costs[k][j] = -(fit of output j of bin f to the delays of label k). */
  const binCosts = (f: number): void => {
    const nu = f * binHz;
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        let score = 0;
        for (let m = 0; m < mics; m++) {
          if (m === refMic) continue;
          const phase = 2 * Math.PI * nu * delays[k * mics + m];
          const o = 2 * ((f * n + j) * mics + m);
          score += phases[o] * Math.cos(phase) - phases[o + 1] * Math.sin(phase);
        }
        costs[k][j] = -score;
      }
    }
  };
  let changedBins = 0;
  let sweeps = 0;
  // Step 1, the clusters: a k-means over bins with no margin, so each source's delays are
  // learnt from every bin that fits them, whatever order the method left the bin in.
  for (; sweeps < maxSweeps;) {
    sweeps++;
    for (let k = 0; k < n; k++) {
      let total = 0;
      for (let m = 0; m < mics; m++) {
        if (m === refMic) continue;
        let best = -Infinity;
        let bestTau = 0;
        for (let g = -half; g <= half; g++) {
          const value = fit(k, m, g * step);
          if (value > best) {
            best = value;
            bestTau = g * step;
          }
        }
        const centre = bestTau;
        for (let g = -8; g <= 8; g++) {
          const tau = centre + (g * step) / 8;
          const value = fit(k, m, tau);
          if (value > best) {
            best = value;
            bestTau = tau;
          }
        }
        delays[k * mics + m] = bestTau;
        total += best;
      }
      coherence[k] = total / (usableBins * (mics - 1));
    }
    let moved = 0;
    for (let f = 1; f < bins - 1; f++) {
      if (!usable[f]) continue;
      binCosts(f);
      const best = bestAssignment(costs, search).permutation;
      for (let k = 0; k < n; k++) {
        if (assignment[f * n + k] !== best[k]) {
          assignment[f * n + k] = best[k];
          moved++;
        }
      }
    }
    if (moved === 0) break;
  }
  // Step 2, the labels: give each cluster to the method's output it matches in the most
  // bins (one vote per bin, so a few sharply fitting bins cannot outvote many).
  const votes = new Float64Array(n * n);
  for (let f = 1; f < bins - 1; f++) {
    if (!usable[f]) continue;
    for (let k = 0; k < n; k++) votes[assignment[f * n + k] * n + k]++;
  }
  for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) costs[j][k] = -votes[j * n + k];
  const relabel = bestAssignment(costs, search).permutation;
  const learnt = delays.slice();
  const learntCoherence = coherence.slice();
  for (let j = 0; j < n; j++) {
    delays.set(learnt.subarray(relabel[j] * mics, (relabel[j] + 1) * mics), j * mics);
    coherence[j] = learntCoherence[relabel[j]];
  }
  let meanCoherence = 0;
  for (let k = 0; k < n; k++) meanCoherence += coherence[k] / n;
  if (meanCoherence < minCoherence) return { permutations, delays, coherence, changedBins: 0, sweeps };
  // Step 3, the repair: a bin leaves the method's order only when another order fits the
  // delays better by the margin; where the delays cannot tell sources apart it stays.
  for (let f = 1; f < bins - 1; f++) {
    if (!usable[f]) continue;
    binCosts(f);
    const best = bestAssignment(costs, search).permutation;
    let current = 0;
    let candidate = 0;
    for (let k = 0; k < n; k++) {
      current -= costs[k][k];
      candidate -= costs[k][best[k]];
    }
    if (candidate - current > margin * n * (mics - 1)) for (let k = 0; k < n; k++) permutations[f * n + k] = best[k];
  }
  for (let f = 0; f < bins; f++) {
    for (let k = 0; k < n; k++) {
      if (permutations[f * n + k] !== k) {
        changedBins++;
        break;
      }
    }
  }
  return { permutations, delays, coherence, changedBins, sweeps };
}

/**
 * Repair the inter-bin permutation of an iterated unmixing `w` in place: {@link alignByDelays}
 * on its target rows composed with any PCA reduction (so the delays are those between
 * microphones), then the target rows of each bin reordered. Background rows (OverIVA)
 * stay where they are.
 *
 * @param w - `rows` x `dims` per bin, targets first (the layout AuxIVA/ILRMA iterate on)
 * @param sampleRate - Hz
 * @param refMic - microphone the delays are measured from
 * @returns what the alignment found; `changedBins` is 0 when `w` was left as it was
 */
export function repairPermutations(
  prepared: PreparedMixture,
  w: Float64Array,
  rows: number,
  sampleRate: number,
  refMic: number,
  options: DelayAlignmentOptions = {},
): DelayAlignment {
  const { layout, sources, mics, dims, active } = prepared;
  const { total } = targetUnmixing(prepared, w, rows);
  const alignment = alignByDelays(
    total,
    sources,
    mics,
    layout.bins,
    layout.fftSize,
    sampleRate,
    refMic,
    active,
    options,
  );
  if (alignment.changedBins > 0) permuteRows(w, sources, dims, layout.bins, alignment.permutations, rows);
  return alignment;
}

/** What the repair stage of a method did. */
export interface RepairStage {
  /** Bins whose order the delay repair changed (0 and no `moves.then` moves: no iterations were run). */
  changedBins: number;
  /** Mean over sources of {@link DelayAlignment.coherence}, undefined with one source or without the delay repair. */
  coherence: number | undefined;
  /** The iterations run after the repair, each marked with stage `repair`. */
  trace: IterationInfo[];
  /** Whether those iterations converged; undefined when none ran. */
  converged: boolean | undefined;
  /** Whether `moves.then` moved any bin and its moves were kept. */
  furtherKept: boolean;
}

/** Which moves {@link repairStage} makes before its iterations. */
export interface RepairMoves {
  /** {@link repairPermutations}, from the sources' delays (default true). */
  delays?: boolean;
  /**
   * A further move on the (repaired) `w`, e.g. ILRMA's band-swap search (core/iva/bandSwap.ts),
   * returning the number of bins it moved; it shares the stage's iterations.
   */
  then?: () => number;
  /**
   * Keep `then`'s moves only when they pay off (default false): when it moved any bin, the
   * iterations run twice, from the matrices after and before it, and the run whose last
   * iteration has the lower cost (the method's negative log-likelihood) is kept, so `then`
   * only proposes. Costs one more set of iterations, only when `then` moved anything (progress
   * then runs over the stage twice). With `iterations` 0 the moves are kept unconfirmed.
   */
  confirm?: boolean;
}

/**
 * The repair stage of AuxIVA and ILRMA: {@link repairPermutations} on `w`, then `moves.then`
 * (ILRMA's band-swap search), then, when any bin moved, `iterations` more of the method
 * (`iterate`, a generator of passes, so the stage runs on a pool's threads like the rest of
 * the method) so that its source model re-converges on the repaired assignment; with
 * `moves.confirm`, `then`'s moves are kept only when they end at a lower cost ({@link RepairMoves}).
 */
export function* repairStage(
  prepared: PreparedMixture,
  w: Float64Array,
  rows: number,
  sampleRate: number,
  refMic: number,
  iterations: number,
  iterate: (iterations: number) => BinPassSteps<{ trace: IterationInfo[]; converged: boolean }>,
  moves: RepairMoves = {},
): BinPassSteps<RepairStage> {
  if (prepared.sources < 2) return { changedBins: 0, coherence: undefined, trace: [], converged: undefined, furtherKept: false }; // prettier-ignore
  const alignment = moves.delays === false ? undefined : repairPermutations(prepared, w, rows, sampleRate, refMic);
  const coherence = alignment ? alignment.coherence.reduce((a, b) => a + b, 0) / alignment.coherence.length : undefined;
  const changedBins = alignment?.changedBins ?? 0;
  const before = moves.then && moves.confirm && iterations > 0 ? w.slice() : undefined;
  const further = moves.then?.() ?? 0;
  if (changedBins + further === 0 || iterations === 0) {
    return { changedBins, coherence, trace: [], converged: undefined, furtherKept: further > 0 };
  }
  let run = yield* iterate(iterations);
  let furtherKept = further > 0;
  if (before && further > 0) {
    const moved = w.slice();
    w.set(before);
    const plain = yield* iterate(iterations);
    if (
      run.trace.length > 0 &&
      plain.trace.length > 0 &&
      run.trace[run.trace.length - 1].cost < plain.trace[plain.trace.length - 1].cost
    ) {
      w.set(moved);
    } else {
      run = plain;
      furtherKept = false;
    }
  }
  for (const info of run.trace) info.stage = 'repair';
  return { changedBins, coherence, trace: run.trace, converged: run.converged, furtherKept };
}

/**
 * Check a method's `repairIterations` option and fill in its default ({@link REPAIR_ITERATIONS}).
 * @throws UnmixError (usage) unless a whole number >= 0
 */
export function resolveRepairIterations(value: number | undefined): number {
  const iterations = value ?? REPAIR_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new UnmixError(`repairIterations must be a whole number >= 0, got ${iterations}`, 'usage');
  }
  return iterations;
}
