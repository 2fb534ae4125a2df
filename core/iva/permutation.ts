import { UnmixError } from '../errors.js';
import { bestAssignment } from '../losses/pit.js';

/**
 * Permutation alignment for frequency-domain ICA: per-bin ICA returns the sources of
 * each frequency bin in an arbitrary order, and before the bins can be put back together
 * the outputs that belong to one source must be found in every bin. Speech switches on
 * and off at the same moments across the spectrum, so the amplitude envelopes `|y_k(f, t)|`
 * of one source are correlated between bins while those of different sources are not.
 *
 * The method is the one of Sawada, Araki & Makino ("Measuring dependence of bin-wise
 * separated signals for permutation alignment in frequency-domain BSS", ISCAS 2007, and
 * "Underdetermined convolutive blind source separation via frequency bin-wise clustering
 * and permutation alignment", IEEE TASLP 2011):
 * 1. **centroids**: a k-means-like clustering of the normalised envelopes, where each bin
 *    gives exactly one envelope to each cluster: assign each bin's outputs to the centroids
 *    by the permutation of largest total correlation, recompute the centroids as the mean of
 *    the envelopes assigned, repeat until nothing changes;
 * 2. **refinement**: per bin, the permutation of largest total correlation with the already
 *    aligned envelopes of its neighbours (bins `f ± 1 .. f ± neighbours`) and its harmonics
 *    (`2f`, `f / 2`), repeated until nothing changes. Neighbouring bins are far more
 *    alike than a bin and the global centroid, which fixes the bins the centroids got wrong.
 *
 * Envelope layout (shared by every function here): `sources` envelopes per bin, bin-major,
 * envelope `k` of bin `f`, frame `t` at `(f * sources + k) * frames + t`.
 */

/**
 * What is correlated between bins: `envelope` is the amplitude `|y_k(f, t)|`;
 * `powerRatio` is `|y_k(f, t)|² / Σ_j |y_j(f, t)|²`, which Sawada et al. (2007) found to
 * tell sources apart more sharply (it says which source dominates each time-frequency
 * point). The power ratio needs outputs at a common scale: take it after projection back.
 */
export type EnvelopeMeasure = 'envelope' | 'powerRatio';

/** Options of {@link alignPermutations}. */
export interface PermutationAlignmentOptions {
  /** Bins on each side whose envelopes vote in the refinement (default 3; 0 skips neighbours). */
  neighbours?: number;
  /** Whether the harmonic bins `2f ± 1` and `f / 2` vote in the refinement too (default true). */
  harmonics?: boolean;
  /** Most sweeps over the bins in each of the two steps (default 30). */
  maxSweeps?: number;
  /** Skip the refinement (step 2) and keep the centroid assignment (default false). */
  centroidOnly?: boolean;
}

/**
 * Check {@link PermutationAlignmentOptions} and fill in defaults (neighbours 3, harmonics
 * on, 30 sweeps), so a method can reject bad options before it runs.
 * @throws UnmixError (usage) for a value out of range
 */
export function resolveAlignmentOptions(
  options: PermutationAlignmentOptions = {},
): Required<Omit<PermutationAlignmentOptions, 'centroidOnly'>> {
  const neighbours = options.neighbours ?? 3;
  const harmonics = options.harmonics ?? true;
  const maxSweeps = options.maxSweeps ?? 30;
  if (!Number.isInteger(neighbours) || neighbours < 0) {
    throw new UnmixError(`neighbours must be a whole number >= 0, got ${neighbours}`, 'usage');
  }
  if (!Number.isInteger(maxSweeps) || maxSweeps < 1) {
    throw new UnmixError(`maxSweeps must be a whole number >= 1, got ${maxSweeps}`, 'usage');
  }
  return { neighbours, harmonics, maxSweeps };
}

/** What {@link alignPermutations} found. */
export interface PermutationAlignment {
  /**
   * `permutations[f * sources + k]` = the output of bin `f` that belongs to aligned source
   * `k` (bin-major, one permutation of `0 .. sources-1` per bin).
   */
  permutations: Int32Array;
  /** Sweeps of the centroid step and of the refinement step. */
  sweeps: { centroid: number; refinement: number };
}

/**
 * Envelopes of per-bin separated outputs ({@link EnvelopeMeasure}: power ratios by
 * default, or amplitudes `|y_k(f, t)|`), normalised per bin and output to zero mean and
 * unit Euclidean norm, so the correlation coefficient of two envelopes is their dot
 * product. A constant envelope (a silent output) becomes all zeros and correlates with
 * nothing.
 *
 * @param outputs - the per-bin separated outputs, complex interleaved, bin `f`, output `k`,
 *   frame `t` at `2 * ((f * sources + k) * frames + t)` (the layout per-bin methods iterate in)
 * @param measure - `powerRatio` (default; on a 3-voice test it aligned every bin where
 *   amplitudes left a block of 5 bins flipped) or `envelope`
 * @param out - `sources * bins * frames` values (allocated when omitted), layout in the module comment
 */
export function normalizedEnvelopes(
  outputs: Float64Array,
  sources: number,
  bins: number,
  frames: number,
  measure: EnvelopeMeasure = 'powerRatio',
  out: Float64Array = new Float64Array(sources * bins * frames),
): Float64Array {
  const n = sources;
  if (outputs.length !== 2 * n * bins * frames) {
    throw new UnmixError(`outputs must hold ${2 * n * bins * frames} values, got ${outputs.length}`, 'usage');
  }
  if (out.length !== n * bins * frames) throw new UnmixError('envelope buffer has the wrong size', 'usage');
  for (let i = 0; i < n * bins * frames; i++) {
    const re = outputs[2 * i];
    const im = outputs[2 * i + 1];
    out[i] = Math.sqrt(re * re + im * im);
  }
  if (measure === 'powerRatio') {
    for (let f = 0; f < bins; f++) {
      for (let t = 0; t < frames; t++) {
        let total = 0;
        for (let k = 0; k < n; k++) {
          const a = out[(f * n + k) * frames + t];
          total += a * a;
        }
        const inv = total > 0 ? 1 / total : 0;
        for (let k = 0; k < n; k++) {
          const i = (f * n + k) * frames + t;
          out[i] = out[i] * out[i] * inv;
        }
      }
    }
  }
  normalizeRows(out, n * bins, frames);
  return out;
}

/** Zero mean, unit norm per row of `rows` x `length` (a constant row becomes zeros). */
function normalizeRows(data: Float64Array, rows: number, length: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * length;
    let mean = 0;
    for (let t = 0; t < length; t++) mean += data[o + t];
    mean /= length;
    let norm = 0;
    for (let t = 0; t < length; t++) {
      const v = data[o + t] - mean;
      data[o + t] = v;
      norm += v * v;
    }
    // Relative to the mean so rounding noise on a constant envelope does not count as a signal.
    const scale = norm > 1e-24 * (mean * mean * length + 1e-300) ? 1 / Math.sqrt(norm) : 0;
    for (let t = 0; t < length; t++) data[o + t] *= scale;
  }
}

function dot(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, length: number): number {
  let s = 0;
  for (let t = 0; t < length; t++) s += a[aOffset + t] * b[bOffset + t];
  return s;
}

/**
 * The permutation `p` maximising `Σ_k score[k * n + p[k]]`, written into `out` at `offset`
 * (core/losses/pit.ts: exhaustive for n <= 6, ties to the lexicographically first,
 * Hungarian beyond). The current permutation is kept unless the best is strictly better:
 * no flip-flopping on ties (and the identity stays when all scores are equal).
 * @returns whether `out` changed
 */
function bestPermutation(score: Float64Array, n: number, out: Int32Array, offset: number): boolean {
  const costs = Array.from({ length: n }, (_, k) => Array.from({ length: n }, (_, j) => -score[k * n + j]));
  const best = bestAssignment(costs, n <= 6 ? 'exhaustive' : 'hungarian').permutation;
  let currentValue = 0;
  let bestValue = 0;
  for (let k = 0; k < n; k++) {
    currentValue += score[k * n + out[offset + k]];
    bestValue += score[k * n + best[k]];
  }
  if (!(bestValue > currentValue + 1e-12)) return false;
  let changed = false;
  for (let k = 0; k < n; k++) {
    if (out[offset + k] !== best[k]) {
      out[offset + k] = best[k];
      changed = true;
    }
  }
  return changed;
}

/**
 * Align the per-bin permutations of frequency-domain ICA outputs by the correlation of
 * their amplitude envelopes (Sawada et al. 2007/2011; see the module comment): centroid
 * clustering, then refinement with neighbouring and harmonic bins.
 *
 * @param envelopes - from {@link normalizedEnvelopes}: `sources * bins * frames`, zero mean and unit norm per row
 * @param active - optional per-bin flag; bins with 0 (silent) keep the identity and do not vote
 * @param options - {@link PermutationAlignmentOptions}
 * @returns one permutation per bin: aligned source `k` of bin `f` is output `permutations[f * sources + k]`
 * @throws UnmixError (usage) for inconsistent sizes
 */
export function alignPermutations(
  envelopes: Float64Array,
  sources: number,
  bins: number,
  frames: number,
  active?: Uint8Array,
  options: PermutationAlignmentOptions = {},
): PermutationAlignment {
  const n = sources;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(bins) || bins < 1 || !Number.isInteger(frames) || frames < 1) {
    throw new UnmixError('permutation alignment needs at least one source, bin and frame', 'usage');
  }
  if (envelopes.length !== n * bins * frames) {
    throw new UnmixError(`envelopes must hold ${n * bins * frames} values, got ${envelopes.length}`, 'usage');
  }
  if (active && active.length !== bins) throw new UnmixError(`active flags must be one per bin (${bins})`, 'usage');
  const { neighbours, harmonics, maxSweeps } = resolveAlignmentOptions(options);
  const permutations = new Int32Array(n * bins);
  for (let f = 0; f < bins; f++) for (let k = 0; k < n; k++) permutations[f * n + k] = k;
  const sweeps = { centroid: 0, refinement: 0 };
  const isActive = (f: number): boolean => !active || active[f] === 1;
  const activeBins: number[] = [];
  for (let f = 0; f < bins; f++) if (isActive(f)) activeBins.push(f);
  if (n === 1 || activeBins.length < 2) return { permutations, sweeps };
  const score = new Float64Array(n * n);

  // Step 1: centroids. Start from the bin whose outputs are most distinct from each other
  // (smallest largest cross-correlation): its envelopes are the cleanest seeds.
  let seed = activeBins[0];
  let seedValue = Infinity;
  for (const f of activeBins) {
    let worst = 0;
    let energy = 0;
    for (let k = 0; k < n; k++) {
      energy += dot(envelopes, (f * n + k) * frames, envelopes, (f * n + k) * frames, frames);
      for (let j = k + 1; j < n; j++) {
        worst = Math.max(
          worst,
          Math.abs(dot(envelopes, (f * n + k) * frames, envelopes, (f * n + j) * frames, frames)),
        );
      }
    }
    // A bin with a silent output (zero envelope) is no seed.
    if (energy > n - 0.5 && worst < seedValue) {
      seedValue = worst;
      seed = f;
    }
  }
  const centroids = envelopes.slice(seed * n * frames, (seed + 1) * n * frames);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    sweeps.centroid++;
    let changed = false;
    for (const f of activeBins) {
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < n; j++)
          score[k * n + j] = dot(centroids, k * frames, envelopes, (f * n + j) * frames, frames);
      }
      if (bestPermutation(score, n, permutations, f * n)) changed = true;
    }
    if (!changed && sweep > 0) break;
    centroids.fill(0);
    for (const f of activeBins) {
      for (let k = 0; k < n; k++) {
        const o = (f * n + permutations[f * n + k]) * frames;
        for (let t = 0; t < frames; t++) centroids[k * frames + t] += envelopes[o + t];
      }
    }
    normalizeRows(centroids, n, frames);
  }
  if (options.centroidOnly) return { permutations, sweeps };

  // Step 2: refinement with neighbouring and harmonic bins, already aligned.
  const neighbourhood = (f: number): number[] => {
    const set = new Set<number>();
    for (let d = 1; d <= neighbours; d++) {
      set.add(f - d);
      set.add(f + d);
    }
    if (harmonics) {
      for (const g of [2 * f - 1, 2 * f, 2 * f + 1, Math.floor(f / 2), Math.ceil(f / 2)]) set.add(g);
    }
    set.delete(f);
    return [...set].filter((g) => g >= 0 && g < bins && isActive(g));
  };
  const neighbourhoods = activeBins.map(neighbourhood);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    sweeps.refinement++;
    let changed = false;
    for (let i = 0; i < activeBins.length; i++) {
      const f = activeBins[i];
      score.fill(0);
      for (const g of neighbourhoods[i]) {
        for (let k = 0; k < n; k++) {
          const o = (g * n + permutations[g * n + k]) * frames;
          for (let j = 0; j < n; j++) score[k * n + j] += dot(envelopes, o, envelopes, (f * n + j) * frames, frames);
        }
      }
      if (bestPermutation(score, n, permutations, f * n)) changed = true;
    }
    if (!changed) break;
  }
  return { permutations, sweeps };
}

/**
 * Reorder the rows of per-bin matrices by per-bin permutations, in place: row `k` of bin
 * `f` becomes the former row `permutations[f * rows + k]`. Used to apply
 * {@link alignPermutations} to unmixing matrices (complex interleaved, `rows` x `cols`
 * per bin, the ComplexUnmixing layout) so that row `k` is the same source in every bin.
 *
 * @param matrices - `bins` complex `rows` x `cols` matrices, bin `f` at `2 * f * rows * cols`; rows beyond those permuted are untouched
 * @param permutations - `bins * rows` entries, from {@link alignPermutations}
 * @param stride - rows per bin in `matrices` (default `rows`; larger when only the first `rows` rows are sources)
 */
export function permuteRows(
  matrices: Float64Array,
  rows: number,
  cols: number,
  bins: number,
  permutations: Int32Array,
  stride = rows,
): void {
  const rowSize = 2 * cols;
  const copy = new Float64Array(rows * rowSize);
  for (let f = 0; f < bins; f++) {
    const o = 2 * f * stride * cols;
    copy.set(matrices.subarray(o, o + rows * rowSize));
    for (let k = 0; k < rows; k++) {
      const from = permutations[f * rows + k];
      matrices.set(copy.subarray(from * rowSize, (from + 1) * rowSize), o + k * rowSize);
    }
  }
}
