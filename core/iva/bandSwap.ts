import { UnmixError } from '../errors.js';
import { createRandom } from '../random.js';
import { permuteRows } from './permutation.js';
import type { PreparedMixture } from './stftMixture.js';
import { demixBin } from './updates.js';

/**
 * Band-swap search: a repair of ILRMA's "upper band" permutation, judged by ILRMA's own
 * source model.
 *
 * On 2-source rooms (2x2, RT60 0.3 s) ILRMA's remaining wrong permutations are mostly one
 * block: every bin above some frequency (often 3.5-4 kHz) has its two outputs swapped.
 * Swapping rows of `W_f` leaves `log|det W_f|` unchanged, so only the fit of the NMF source
 * model `λ_k(f, t) = Σ_b T_k(f, b) V_k(b, t)` to the output powers decides which assignment
 * the likelihood prefers; refitting the model showed the true assignment has the lower cost
 * on the failing layouts (and an equal one on the others), but ILRMA's updates cannot get
 * there because a swap is a discrete move. (Measured on the simulated rooms of
 * bench/rooms.ts with full ILRMA refits per candidate, 20-106 s a room: too slow to ship.)
 *
 * Here each candidate is judged cheaply: the output powers `P_k(f, t) = |y_k(f, t)|²` of the
 * current unmixing are computed once; a candidate assignment swaps the outputs of sources
 * `i`, `j` in all bins `>= a` (`a` every {@link BandSwapOptions.grid} bins, all pairs
 * `i < j`); its cost is the Itakura-Saito NMF cost `Σ_k Σ_ft (P/λ + log λ)` per
 * time-frequency point after multiplicative IS-NMF updates on the fixed powers only (no
 * unmixing updates, so no per-bin matrix work), from the same seeded start for every
 * candidate and for the current assignment, so costs compare fairly. Every candidate is
 * screened with a short refit, the few best get a full one, and the best of those is kept
 * when it beats the current assignment by {@link BandSwapOptions.margin}; greedy, a few rounds.
 *
 * The cheap cost only proposes: its decisions rest on few bins (left without the DC and
 * Nyquist bins, it proposed a wrong swap above bin 448 on 4 of 5 2x2-rt150 layouts, -3 to
 * -5 dB). ILRMA therefore confirms a proposal with its own likelihood (core/iva/ilrma.ts,
 * `bandSwap`; `RepairMoves.confirm` in core/iva/delayAlignment.ts), which rejected those.
 */

/** Options of {@link searchBandSwaps}. */
export interface BandSwapOptions {
  /** NMF bases per source (ILRMA's `bases`, default 2). */
  bases?: number;
  /** Seed of the NMF start, the same for every candidate (default 0). */
  seed?: number;
  /** Spacing of the candidate edges `a`, bins (default 64: 500 Hz with ILRMA's 2048-point frames at 16 kHz). */
  grid?: number;
  /**
   * Multiplicative IS-NMF updates of a full refit: the no-swap assignment and the finalists
   * (default 30; 10 for every candidate chose worse swaps on 2x2-rt300 layouts 7-8).
   */
  refitIterations?: number;
  /** Multiplicative IS-NMF updates of the short refit every candidate is screened with (default 10). */
  screenIterations?: number;
  /** Candidates with the lowest screening cost that get a full refit, per round (default 3). */
  finalists?: number;
  /**
   * How much lower, per time-frequency point, a candidate's cost must be than the current
   * assignment's before it is kept (default 0.005, as in the full-refit measurements).
   */
  margin?: number;
  /** Most swaps kept, one per greedy round (default 3). */
  maxSwaps?: number;
}

/** One swap kept by {@link searchBandSwaps}. */
export interface BandSwap {
  /** The two sources (rows) whose outputs were exchanged, `first < second`. */
  first: number;
  second: number;
  /** First bin of the swapped band (the band runs to the last bin). */
  fromBin: number;
  /** Cost per time-frequency point before and after the swap. */
  costBefore: number;
  costAfter: number;
}

/** What {@link searchBandSwaps} found. */
export interface BandSwapSearch {
  /** The swaps kept, in order; empty when the current assignment fit best. */
  swaps: BandSwap[];
  /** `permutations[f * sources + k]` = the former row of bin `f` now at row `k` (as {@link permuteRows} takes). */
  permutations: Int32Array;
  /** Active bins whose order changed (0: `w` was left as it was). */
  changedBins: number;
  /** NMF cost per time-frequency point of the no-swap assignment. */
  baselineCost: number;
}

/**
 * Default {@link BandSwapOptions.margin}, per time-frequency point (with 10-update refits, 0.01
 * stopped after a first swap on 2x2-rt300 layout 2 that needed a second: 3.5 vs 6.6 dB).
 */
export const BAND_SWAP_MARGIN = 0.005;

/**
 * Search for band swaps of the target rows of `w` (`rows` x `dims` per bin, targets first,
 * the layout ILRMA iterates on) and apply the kept ones to `w` in place ({@link permuteRows}).
 *
 * Time: one demixing of the STFT, then `(1 + candidates) x rounds` IS-NMF refits of
 * `sources x activeBins x frames x bases` values each, where candidates = `pairs x edges`.
 *
 * @param options - {@link BandSwapOptions}
 * @throws UnmixError (usage) for bad options
 */
export function searchBandSwaps(
  prepared: PreparedMixture,
  w: Float64Array,
  rows: number,
  options: BandSwapOptions = {},
): BandSwapSearch {
  const { layout, sources, dims, channels, active } = prepared;
  const { bins, frames } = layout;
  const nb = options.bases ?? 2;
  const grid = options.grid ?? 64;
  const refitIterations = options.refitIterations ?? 30;
  const screenIterations = Math.min(options.screenIterations ?? 10, refitIterations);
  const finalists = options.finalists ?? 3;
  const margin = options.margin ?? BAND_SWAP_MARGIN;
  const maxSwaps = options.maxSwaps ?? 3;
  for (const [name, value, least] of [
    ['grid', grid, 1],
    ['refitIterations', refitIterations, 1],
    ['screenIterations', screenIterations, 1],
    ['finalists', finalists, 1],
    ['maxSwaps', maxSwaps, 0],
    ['bases', nb, 1],
  ] as const) {
    // prettier-ignore
    if (!Number.isInteger(value) || value < least) throw new UnmixError(`${name} must be a whole number >= ${least}, got ${value}`, 'usage'); // prettier-ignore
  }
  if (!(margin >= 0)) throw new UnmixError(`margin must be >= 0, got ${margin}`, 'usage');

  const permutations = new Int32Array(bins * sources);
  for (let f = 0; f < bins; f++) for (let k = 0; k < sources; k++) permutations[f * sources + k] = k;
  // The cost is summed over all active bins, as ILRMA's is. Bands are at least `grid` bins
  // wide: a swap of the Nyquist bin alone "won" on a small test mixture.
  const activeList: number[] = [];
  for (let f = 0; f < bins; f++) if (active[f]) activeList.push(f);
  const nf = activeList.length;
  if (sources < 2 || nf < 2 * grid) return { swaps: [], permutations, changedBins: 0, baselineCost: NaN };

  // Output powers, power[(k * nf + i) * frames + t] for active bin i = activeList index.
  const power = new Float64Array(sources * nf * frames);
  const binPower = new Float64Array(rows * frames);
  const size = 2 * rows * dims;
  for (let i = 0; i < nf; i++) {
    const f = activeList[i];
    binPower.fill(0);
    demixBin(channels, dims, frames, f, w, f * size, rows, null, binPower);
    for (let k = 0; k < sources; k++) {
      const o = (k * nf + i) * frames;
      for (let t = 0; t < frames; t++) power[o + t] = binPower[k * frames + t] + 1e-300;
    }
  }

  const fit = nmfRefit(nf, frames, nb, options.seed ?? 0);
  // assignment[i * sources + k]: the output row (of the current w) that source k takes in active bin i.
  const assignment = new Int32Array(nf * sources);
  for (let i = 0; i < nf; i++) for (let k = 0; k < sources; k++) assignment[i * sources + k] = k;
  // Per-source costs of the current assignment by refit length: a swap of sources i, j changes
  // only their fits, so the others' are reused (the same computation, so the same numbers).
  let currentFits = new Map<number, number>();
  const costOf = (a: Int32Array, iterations = refitIterations, first = -1, second = -1): number => {
    let total = 0;
    for (let k = 0; k < sources; k++) {
      if (k === first || k === second) {
        total += fit(power, a, sources, k, iterations);
        continue;
      }
      const key = iterations * sources + k;
      let cost = currentFits.get(key);
      if (cost === undefined) currentFits.set(key, (cost = fit(power, assignment, sources, k, iterations)));
      total += cost;
    }
    return total / (nf * frames);
  };
  const swapped = (a: Int32Array, first: number, second: number, from: number): Int32Array => {
    const out = a.slice();
    for (let i = 0; i < nf; i++) {
      if (activeList[i] < from) continue;
      out[i * sources + first] = a[i * sources + second];
      out[i * sources + second] = a[i * sources + first];
    }
    return out;
  };

  const baselineCost = costOf(assignment);
  let current = baselineCost;
  const swaps: BandSwap[] = [];
  for (let round = 0; round < maxSwaps; round++) {
    // Screen every candidate with a short refit, then refit the best few fully.
    const screened: { cost: number; first: number; second: number; from: number }[] = [];
    for (let first = 0; first < sources; first++) {
      for (let second = first + 1; second < sources; second++) {
        for (let from = grid; from + grid < bins; from += grid) {
          const cost = costOf(swapped(assignment, first, second, from), screenIterations, first, second);
          screened.push({ cost, first, second, from });
        }
      }
    }
    screened.sort((x, y) => x.cost - y.cost);
    let best: { cost: number; first: number; second: number; from: number } | null = null;
    for (const candidate of screened.slice(0, finalists)) {
      const { first, second, from } = candidate;
      const cost = costOf(swapped(assignment, first, second, from), refitIterations, first, second);
      if (!best || cost < best.cost) best = { ...candidate, cost };
    }
    if (!best || !(best.cost < current - margin)) break;
    assignment.set(swapped(assignment, best.first, best.second, best.from));
    currentFits = new Map();
    swaps.push({ first: best.first, second: best.second, fromBin: best.from, costBefore: current, costAfter: best.cost }); // prettier-ignore
    current = best.cost;
  }

  // Replay the kept swaps on every bin (the band runs to the last bin, Nyquist included).
  let changedBins = 0;
  for (let f = 0; f < bins; f++) {
    const p = permutations.subarray(f * sources, (f + 1) * sources);
    for (const { first, second, fromBin } of swaps) {
      if (f < fromBin || !active[f]) continue;
      const keep = p[first];
      p[first] = p[second];
      p[second] = keep;
    }
    if (p.some((row, k) => row !== k)) changedBins++;
  }
  if (changedBins > 0) permuteRows(w, sources, dims, bins, permutations, rows);
  return { swaps, permutations, changedBins, baselineCost };
}

/**
 * An IS-NMF refit of one source on fixed powers: `(power, assignment, sources, k)` fits
 * `λ = T V` (`nb` bases) to source `k`'s powers under `assignment` by `iterations`
 * multiplicative updates (bases, then activations; Févotte, Bertin & Durrieu 2009, the
 * square-root form ILRMA uses) from a seeded start scaled to the powers' mean, and returns
 * `Σ_ft (P/λ + log λ)`. The start is drawn once, so every call starts from the same point.
 */
function nmfRefit(
  nf: number,
  frames: number,
  nb: number,
  seed: number,
): (power: Float64Array, assignment: Int32Array, sources: number, k: number, iterations: number) => number {
  const rng = createRandom(seed);
  const startBasis = Float64Array.from({ length: nf * nb }, () => 0.1 + 0.9 * rng.uniform());
  const startActivation = Float64Array.from({ length: nb * frames }, () => 0.1 + 0.9 * rng.uniform());
  const basis = new Float64Array(nf * nb);
  const activation = new Float64Array(nb * frames);
  const p = new Float64Array(nf * frames);
  const lambda = new Float64Array(nf * frames);
  const row = new Float64Array(frames);
  const rowWeight = new Float64Array(frames);
  const num = new Float64Array(nb * frames);
  const den = new Float64Array(nb * frames);
  const computeLambda = (floor: number): void => {
    for (let i = 0; i < nf; i++) {
      const o = i * frames;
      for (let t = 0; t < frames; t++) {
        let s = 0;
        for (let b = 0; b < nb; b++) s += basis[i * nb + b] * activation[b * frames + t];
        lambda[o + t] = s + floor;
      }
    }
  };
  return (power, assignment, sources, k, iterations) => {
    let mean = 0;
    for (let i = 0; i < nf; i++) {
      const from = (assignment[i * sources + k] * nf + i) * frames;
      p.set(power.subarray(from, from + frames), i * frames);
    }
    for (let j = 0; j < p.length; j++) mean += p[j];
    mean /= p.length;
    // Floors relative to the data keep every number normal (subnormals are slow).
    const floor = 1e-12 * mean + 1e-300;
    for (let j = 0; j < basis.length; j++) basis[j] = (mean / nb) * startBasis[j];
    activation.set(startActivation);
    /** `row = 1/λ(i, ·)` and `rowWeight = P(i, ·)/λ(i, ·)²` for the bin at `o` (powers) and `tb` (bases). */
    const inverseVariances = (o: number, tb: number): void => {
      for (let t = 0; t < frames; t++) {
        let s = floor;
        for (let b = 0; b < nb; b++) s += basis[tb + b] * activation[b * frames + t];
        const inv = 1 / s;
        row[t] = inv;
        rowWeight[t] = p[o + t] * inv * inv;
      }
    };
    for (let it = 0; it < iterations; it++) {
      num.fill(0);
      den.fill(0);
      // One sweep per bin: the bases of bin i from λ(i, ·) (they depend on that bin only),
      // then λ(i, ·) again with the new bases for the activation statistics.
      for (let i = 0; i < nf; i++) {
        const o = i * frames;
        const tb = i * nb;
        inverseVariances(o, tb);
        // T(f, b) *= sqrt(Σ_t P V λ⁻² / Σ_t V λ⁻¹).
        for (let b = 0; b < nb; b++) {
          let n = 0;
          let d = 0;
          const v = b * frames;
          for (let t = 0; t < frames; t++) {
            d += activation[v + t] * row[t];
            n += activation[v + t] * rowWeight[t];
          }
          if (d > 0) basis[tb + b] = Math.max(basis[tb + b] * Math.sqrt(n / d), floor);
        }
        inverseVariances(o, tb);
        for (let b = 0; b < nb; b++) {
          const w = basis[tb + b];
          const v = b * frames;
          for (let t = 0; t < frames; t++) {
            den[v + t] += w * row[t];
            num[v + t] += w * rowWeight[t];
          }
        }
      }
      // V(b, t) *= sqrt(Σ_f T P λ⁻² / Σ_f T λ⁻¹).
      for (let j = 0; j < activation.length; j++) {
        if (den[j] > 0) activation[j] = Math.max(activation[j] * Math.sqrt(num[j] / den[j]), 1e-12);
      }
    }
    computeLambda(floor);
    let cost = 0;
    for (let j = 0; j < p.length; j++) cost += p[j] / lambda[j] + Math.log(lambda[j]);
    return cost;
  };
}
