import { complexLogAbsDet, complexScratch } from '../linalg/complex.js';
import { weightedCovariances } from './covariance.js';
import {
  demixBin,
  ipScratch,
  ipUpdate,
  issUpdate,
  overIvaBackground,
  weightedCrossMoment,
  type IpScratch,
} from './updates.js';

/**
 * One pass of AuxIVA or ILRMA over a range of frequency bins: the per-bin math of an
 * iteration, in one place for the single-thread path and for worker threads.
 *
 * Within an iteration every bin is updated independently given the previous pass's
 * per-frame source statistics (AuxIVA's weights `u_kt`, ILRMA's activations `V`); bins
 * couple only through sums over bins (output power per source and frame, the gradient
 * norm, `log|det W|`, ILRMA's activation statistics). So a pass over bins `0..F-1` is
 * split into ranges; each range adds its bins into its own {@link BinPassPartial}, and
 * {@link sumPartials} adds the ranges in range order. With one range the partial is the
 * total and every sum is formed exactly as a plain loop over the bins forms it.
 *
 * With threads, a pass is cut into more ranges than threads ({@link rangesFor}, ~32 active
 * bins each) and the threads claim ranges one at a time from a shared counter
 * ({@link runClaimedRanges}): a thread that the OS runs less (other work on the machine)
 * simply takes fewer ranges, instead of holding every pass up. Which thread runs a range
 * does not change its partial, and the ranges are summed in range order, so the result
 * depends only on the number of ranges, which depends only on the bins: it is the same
 * for 2, 3 or 8 threads, and the same from run to run.
 *
 * Everything in a {@link BinPassState} is plain data (typed arrays, numbers, strings), so
 * it can be posted to a worker; its arrays are shared when they were allocated by a
 * pool's {@link BinPassMemory}.
 */

/** What a pass does (stored in `params[0]` of the {@link BinPassState}). */
export const BinPassKind = {
  /** AuxIVA start: OverIVA background rows, then the outputs' power for the first weights. */
  auxIvaStart: 0,
  /** One AuxIVA iteration (IP or ISS) with the weights in `weights`. */
  auxIva: 1,
  /** ILRMA start: OverIVA background rows (nothing without OverIVA). */
  ilrmaStart: 2,
  /** One ILRMA iteration: unmixing and bases of each bin, statistics of the activations. */
  ilrma: 3,
} as const;

/**
 * What one bin range adds up during a pass. Arrays are zeroed by the range at the start
 * of each pass, so a range never needs another range's data.
 */
export interface BinPassPartial {
  /** AuxIVA: `Σ_f |y_k(f, t)|²` over the range, `sources` x `frames` (index `k * frames + t`). */
  power: Float64Array;
  /** ILRMA: `Σ_f T_k(f, b) |y|² λ⁻²`, `sources` x `bases` x `frames` (index `(k * bases + b) * frames + t`). */
  numerator: Float64Array;
  /** ILRMA: `Σ_f T_k(f, b) λ⁻¹`, same shape as `numerator`. */
  denominator: Float64Array;
  /**
   * Scalar sums: `[gradient, logDet, fit, meanOutput_0 .. meanOutput_{sources-1}]` — the squared
   * relative gradient, `Σ_f log|det W_f|`, ILRMA's fit `Σ (|y|²/λ + log λ)` and `Σ_ft |y_k|²`.
   */
  sums: Float64Array;
}

/** Index of the scalar sums in {@link BinPassPartial.sums}. */
export const SUM_GRADIENT = 0;
/** See {@link SUM_GRADIENT}. */
export const SUM_LOG_DET = 1;
/** See {@link SUM_GRADIENT}. */
export const SUM_FIT = 2;
/** See {@link SUM_GRADIENT}; `meanOutput_k` is at `SUM_MEAN_OUTPUT + k`. */
export const SUM_MEAN_OUTPUT = 3;

/** What a pass works on, as {@link createBinPassState} takes it. */
export interface BinPassInputs {
  /** Channels iterated on (microphones, or their PCA reduction). */
  dims: number;
  /** Target sources (the first rows of each `W_f`; more rows are the OverIVA background). */
  sources: number;
  /** STFT frames. */
  frames: number;
  /** STFT bins, `fftSize / 2 + 1`. */
  bins: number;
  /** ILRMA bases per source (0 for AuxIVA). */
  bases: number;
  /** Update rule of the unmixing matrices. */
  update: 'ip' | 'iss';
  /** `dims` bin-major STFT arrays (bin `f`, frame `t` at `2 * (f * frames + t)`); read only. */
  channels: Float64Array[];
  /** Per-bin `dims` x `dims` unmixing, interleaved (bin `f` at `2 * f * dims²`); each range writes its bins. */
  w: Float64Array;
  /** Per-bin `dims` x `dims` microphone covariance (OverIVA only; read only). */
  covariance: Float64Array;
  /** 1 for bins that carry signal; others are skipped. */
  active: Uint8Array;
}

/** Everything a pass reads and writes, for every bin range. Plain data: postable to a worker. */
export interface BinPassState extends BinPassInputs {
  /** True when `dims > sources` (OverIVA background rows). */
  overIva: boolean;
  /** Range `r` covers bins `bounds[r] .. bounds[r + 1] - 1`; `bounds.length` = ranges + 1. */
  bounds: number[];
  /**
   * `[next, finished, failed]`: the next range to claim during a pass, the ranges finished
   * and, when a range threw, 1 + the number of the thread that ran it (0 = the calling
   * thread; {@link runClaimedRanges}); reset before each pass ({@link resetClaims}).
   */
  claim: Int32Array;
  /** Per-pass parameters set by the caller before each pass: `[kind, varianceFloor]`. */
  params: Float64Array;
  /** AuxIVA weights `u_kt` of the pass (`sources` x `frames`), written by the caller between passes. */
  weights: Float64Array;
  /** ILRMA bases `T_k(f, b)` at `(k * bins + f) * bases + b`; each range writes its bins. */
  basis: Float64Array;
  /** ILRMA activations `V_k(b, t)` at `(k * bases + b) * frames + t`; written by the caller between passes. */
  activation: Float64Array;
  /** One per range. */
  partials: BinPassPartial[];
  /** The sums over all ranges, after {@link sumPartials}; the same object as `partials[0]` with one range. */
  totals: BinPassPartial;
}

/**
 * Split bins `0..bins-1` into `ranges` contiguous ranges holding about the same number of
 * active bins (the work of a pass is in the active bins). Deterministic for a given
 * `active` and `ranges`.
 *
 * @returns `ranges + 1` bounds; range `r` is `bounds[r] .. bounds[r + 1] - 1` (possibly empty)
 */
export function splitBins(active: Uint8Array, ranges: number): number[] {
  let count = 0;
  for (let f = 0; f < active.length; f++) count += active[f];
  const bounds = [0];
  let seen = 0;
  let f = 0;
  for (let r = 1; r < ranges; r++) {
    const target = Math.round((count * r) / ranges);
    while (f < active.length && seen < target) seen += active[f++];
    bounds.push(f);
  }
  bounds.push(active.length);
  return bounds;
}

/** Active bins per range when a pass is split for threads: enough work per range to make claiming it cheap. */
export const BINS_PER_RANGE = 32;

/**
 * Ranges a pass over `active` bins is split into: 1 on one thread; with threads, about
 * {@link BINS_PER_RANGE} active bins each, at least 2 and at most 64 (whatever the number
 * of threads, so the result does not depend on it).
 */
export function rangesFor(active: Uint8Array, threads: number): number {
  if (threads <= 1) return 1;
  let count = 0;
  for (let f = 0; f < active.length; f++) count += active[f];
  return Math.max(2, Math.min(64, Math.round(count / BINS_PER_RANGE)));
}

/**
 * A {@link BinPassState} for `ranges` bin ranges, its pass buffers from `allocate` (plain
 * or shared memory), zeroed. With one range `totals` is `partials[0]`; with more, `totals`
 * is allocated apart (only the caller reads it).
 */
export function createBinPassState(
  inputs: BinPassInputs,
  ranges: number,
  allocate: (length: number) => Float64Array,
): BinPassState {
  const { sources, frames, bins, bases } = inputs;
  const partial = (alloc: (length: number) => Float64Array): BinPassPartial => ({
    power: alloc(sources * frames),
    numerator: alloc(sources * bases * frames),
    denominator: alloc(sources * bases * frames),
    sums: alloc(SUM_MEAN_OUTPUT + sources),
  });
  const partials = Array.from({ length: ranges }, () => partial(allocate));
  const counter = allocate(2);
  return {
    ...inputs,
    overIva: inputs.dims > sources,
    bounds: splitBins(inputs.active, ranges),
    claim: new Int32Array(counter.buffer, counter.byteOffset, 3),
    params: allocate(2),
    weights: allocate(bases > 0 ? 0 : sources * frames),
    basis: allocate(sources * bins * bases),
    activation: allocate(sources * bases * frames),
    partials,
    totals: ranges === 1 ? partials[0] : partial((length) => new Float64Array(length)),
  };
}

/**
 * Add the ranges' partials into `state.totals`, range 0 first, then 1, ..., so the result
 * depends only on the number of ranges. Nothing to do with one range.
 */
export function sumPartials(state: BinPassState): void {
  const { partials, totals } = state;
  if (partials.length === 1) return;
  for (const key of ['power', 'numerator', 'denominator', 'sums'] as const) {
    const total = totals[key];
    total.set(partials[0][key]);
    for (let r = 1; r < partials.length; r++) {
      const part = partials[r][key];
      for (let i = 0; i < total.length; i++) total[i] += part[i];
    }
  }
}

/**
 * Open a pass for claiming: no range finished, range 0 next. Call when every input of the
 * pass is written: a thread may claim a range as soon as this returns (the atomic store
 * orders the writes before it).
 */
export function resetClaims(state: BinPassState): void {
  Atomics.store(state.claim, 2, 0);
  Atomics.store(state.claim, 1, 0);
  Atomics.store(state.claim, 0, 0);
}

/**
 * Claim ranges of the pass from `state.claim` and run them ({@link runBinRange}) until
 * none is left, counting each as finished (also when it throws, after marking the pass
 * failed) and waking a waiter on `claim[1]` when the last one finishes. Every thread working on the pass, the caller's
 * included, runs this; a thread that comes late finds nothing to claim, so the pass never
 * waits for a thread that did not take part.
 *
 * @param thread - this thread's number, recorded when a range throws (0 = the calling thread)
 */
export function runClaimedRanges(state: BinPassState, scratch: BinPassScratch, thread = 0): void {
  const { claim } = state;
  const ranges = state.partials.length;
  for (let range = Atomics.add(claim, 0, 1); range < ranges; range = Atomics.add(claim, 0, 1)) {
    try {
      runBinRange(state, range, scratch);
    } catch (error) {
      Atomics.store(claim, 2, thread + 1);
      throw error;
    } finally {
      if (Atomics.add(claim, 1, 1) + 1 === ranges) Atomics.notify(claim, 1);
    }
  }
}

/** Buffers one thread needs to run ranges of a pass: allocate once per state, reuse for every pass. */
export interface BinPassScratch {
  covariances: Float64Array;
  products: Float64Array;
  ip: IpScratch;
  moment: Float64Array;
  y: Float64Array;
  steer: Float64Array;
  lu: Float64Array;
  over: { cw: Float64Array; a: Float64Array; aInv: Float64Array; lu: Float64Array };
  /** ILRMA: `λ_k(f, t)` of the bin. */
  variance: Float64Array;
  /** ILRMA: `1 / λ` of the bin (the IP/ISS weights). */
  binWeights: Float64Array;
  /** ILRMA: `|y_k(f, t)|²` of the bin. */
  binPower: Float64Array;
  /** ILRMA: per-frame scratch. */
  a: Float64Array;
}

/** Allocate a {@link BinPassScratch} for `state`. */
export function binPassScratch(state: BinPassState): BinPassScratch {
  const { dims, sources, frames } = state;
  return {
    covariances: new Float64Array(sources * 2 * dims * dims),
    products: new Float64Array(dims * (dims + 1)),
    ip: ipScratch(dims),
    moment: new Float64Array(2),
    y: new Float64Array(2 * sources * frames),
    steer: new Float64Array(2 * sources),
    lu: complexScratch(dims),
    over: {
      cw: new Float64Array(2 * dims * sources),
      a: new Float64Array(2 * sources * sources),
      aInv: new Float64Array(2 * sources * sources),
      lu: complexScratch(sources),
    },
    variance: new Float64Array(state.bases > 0 ? sources * frames : 0),
    binWeights: new Float64Array(state.bases > 0 ? sources * frames : 0),
    binPower: new Float64Array(state.bases > 0 ? sources * frames : 0),
    a: new Float64Array(frames),
  };
}

/**
 * Run the pass described by `state.params` on bin range `range`: update `W` (and ILRMA's
 * bases) of its bins, and set `state.partials[range]` to the range's sums. The one
 * function the single-thread path and the worker threads both run.
 */
export function runBinRange(state: BinPassState, range: number, scratch: BinPassScratch): void {
  const kind = state.params[0];
  const start = state.bounds[range];
  const end = state.bounds[range + 1];
  const partial = state.partials[range];
  partial.sums.fill(0);
  if (kind === BinPassKind.auxIvaStart || kind === BinPassKind.ilrmaStart) {
    partial.power.fill(0);
    const size = 2 * state.dims * state.dims;
    for (let f = start; f < end; f++) {
      if (!state.active[f]) continue;
      if (state.overIva) overIvaBackground(state.dims, state.sources, state.w, f * size, state.covariance, f * size, scratch.over); // prettier-ignore
      if (kind === BinPassKind.auxIvaStart) {
        demixBin(state.channels, state.dims, state.frames, f, state.w, f * size, state.sources, null, partial.power);
      }
    }
  } else if (kind === BinPassKind.auxIva) {
    auxIvaBins(state, range, scratch);
  } else {
    ilrmaBins(state, range, scratch);
  }
}

/**
 * IP on bin `f`: the weighted covariances `V_k`, loaded, and the squared relative gradient
 * `Σ_kj |W V_k Wᴴ - I|²` before the update, added term by term to `gradient` (so one range
 * sums exactly as one loop over all bins does); then each target row by IP and the
 * background by OverIVA. Shared by the AuxIVA and ILRMA passes.
 *
 * @returns `gradient` plus this bin's terms
 */
function ipBin(
  state: BinPassState,
  f: number,
  weights: Float64Array,
  scratch: BinPassScratch,
  gradient: number,
): number {
  const { channels, dims, frames, sources, w } = state;
  const { covariances, moment } = scratch;
  const size = 2 * dims * dims;
  const wo = f * size;
  weightedCovariances(channels, dims, frames, f, weights, 0, sources, covariances, scratch.products);
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
  for (let k = 0; k < sources; k++) ipUpdate(dims, w, wo, k, covariances, k * size, scratch.ip);
  if (state.overIva) overIvaBackground(dims, sources, w, wo, state.covariance, wo, scratch.over);
  return gradient;
}

/** One AuxIVA iteration on the bins of `range`: IP or ISS with the pass's weights, the new outputs' power summed. */
function auxIvaBins(state: BinPassState, range: number, scratch: BinPassScratch): void {
  const partial = state.partials[range];
  const { channels, dims, frames, sources, w, weights } = state;
  const { y, steer, lu } = scratch;
  const size = 2 * dims * dims;
  const power = partial.power;
  power.fill(0);
  let gradient = 0;
  let logDet = 0;
  for (let f = state.bounds[range]; f < state.bounds[range + 1]; f++) {
    if (!state.active[f]) continue;
    const wo = f * size;
    if (state.update === 'iss') {
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
      gradient = ipBin(state, f, weights, scratch, gradient);
      demixBin(channels, dims, frames, f, w, wo, sources, null, power);
    }
    logDet += complexLogAbsDet(dims, w, lu, wo);
  }
  partial.sums[SUM_GRADIENT] = gradient;
  partial.sums[SUM_LOG_DET] = logDet;
}

/**
 * `λ_k(f, t) = Σ_b T_k(f, b) V_k(b, t)` of bin `f` into `variance`, floored at `floor`.
 */
function binVariance(state: BinPassState, f: number, floor: number, variance: Float64Array): void {
  const { sources, frames, bins, bases: nb, basis, activation } = state;
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
}

/**
 * One ILRMA iteration on the bins of `range`: per bin the unmixing (IP or ISS with weights
 * `1/λ`), then the bases (multiplicative Itakura-Saito update), then the bin's share of
 * the activation statistics, of the fit and of the mean output power.
 */
function ilrmaBins(state: BinPassState, range: number, scratch: BinPassScratch): void {
  const partial = state.partials[range];
  const { channels, dims, frames, sources, bins, bases: nb, w, basis, activation } = state;
  const { y, steer, lu, variance, a } = scratch;
  const weights = scratch.binWeights;
  const power = scratch.binPower;
  const { numerator, denominator, sums } = partial;
  const size = 2 * dims * dims;
  const floor = state.params[1];
  numerator.fill(0);
  denominator.fill(0);
  let gradient = 0;
  let logDet = 0;
  let fit = 0;
  for (let f = state.bounds[range]; f < state.bounds[range + 1]; f++) {
    if (!state.active[f]) continue;
    const wo = f * size;
    binVariance(state, f, floor, variance);
    for (let i = 0; i < sources * frames; i++) weights[i] = 1 / variance[i];
    if (state.update === 'iss') {
      demixBin(channels, dims, frames, f, w, wo, sources, y, null);
      gradient += issUpdate(sources, frames, w, wo, y, weights, 0, steer);
      for (let i = 0; i < sources * frames; i++) power[i] = y[2 * i] * y[2 * i] + y[2 * i + 1] * y[2 * i + 1];
    } else {
      gradient = ipBin(state, f, weights, scratch, gradient);
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
        sums[SUM_MEAN_OUTPUT + k] += power[v + t];
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
    binVariance(state, f, floor, variance);
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
  sums[SUM_GRADIENT] = gradient;
  sums[SUM_LOG_DET] = logDet;
  sums[SUM_FIT] = fit;
}
