import { UnmixError, type AbortSignalLike, throwIfAborted } from '../errors.js';
import { nextPowerOfTwo, realFft } from '../signal/fft.js';
import { blockToeplitzMultiplier, solveBlockToeplitz } from '../linalg/blockToeplitz.js';
import { bestAssignment } from './pit.js';

/**
 * BSS Eval v3 (Vincent, Gribonval & Févotte, "Performance measurement in blind audio
 * source separation", IEEE TASLP 2006; the MATLAB toolbox 3.0 and mir_eval.separation):
 * an estimate is split into the reference filtered by a time-invariant filter of
 * `filterLength` taps (512), interference (filtered other references), and artifacts
 * (the rest), by least-squares projections onto delayed copies of the references:
 *
 * - SDR = 10 log10 ‖s_target‖² / ‖e_interf + e_artif‖²
 * - SIR = 10 log10 ‖s_target‖² / ‖e_interf‖²
 * - SAR = 10 log10 ‖s_target + e_interf‖² / ‖e_artif‖²
 * - (images) ISR = 10 log10 ‖s_true‖² / ‖e_spat‖², and SDR against the true image
 *
 * Same numbers as mir_eval (its conformance vectors are matched to 0.01 dB in the tests)
 * computed another way: correlations by one real FFT per signal, the normal equations
 * solved once per reference set by the block-Levinson recursion (they are block-Toeplitz)
 * for all estimates together, and energies as quadratic forms of the filters instead of
 * filtering signals. Exactly linearly dependent reference channels (silent, or scaled
 * copies of one another, as in a mono image duplicated over channels) are dropped
 * from the projection basis, which spans the same space (as mir_eval's least-squares
 * fallback), and a diagonal loading of 1e-13 keeps nearly dependent ones (images of one
 * source at close microphones) solvable. Ratios are not bounded: a perfect estimate gives +Infinity as in mir_eval.
 */

/** Options of the BSS Eval functions. */
export interface BssEvalOptions {
  /** Distortion filter length in samples; default 512 (BSS Eval v3). */
  filterLength?: number;
  /** Search the estimate-to-reference assignment maximising mean SIR; default true (false for framewise). */
  computePermutation?: boolean;
  /** Checked between frames. */
  signal?: AbortSignalLike;
}

/** Options of the framewise functions. */
export interface BssEvalFramewiseOptions extends BssEvalOptions {
  /** Frame length in samples (mir_eval: `window`). */
  window: number;
  /** Hop between frames in samples. */
  hop: number;
}

/** The result of {@link bssEvalSources}: per reference, in dB. */
export interface BssEvalSourcesResult {
  sdr: Float64Array;
  sir: Float64Array;
  sar: Float64Array;
  /** `permutation[i]` = the estimate matched with reference `i`. */
  permutation: number[];
}

/** The result of {@link bssEvalImages}: per reference, in dB. */
export interface BssEvalImagesResult extends BssEvalSourcesResult {
  isr: Float64Array;
}

/** Framewise results: `sdr[i][frame]` etc.; NaN marks a frame where a reference or estimate is silent (as mir_eval). */
export interface BssEvalFramewiseResult {
  sdr: Float64Array[];
  sir: Float64Array[];
  sar: Float64Array[];
  /** `isr` for images only. */
  isr?: Float64Array[];
  /** `permutation[i][frame]` (NaN for a skipped frame). */
  permutation: Float64Array[];
  /** Start of each frame in samples. */
  frameStarts: number[];
}

/** A source image: one array per channel (microphone), all the same length. */
export type SourceImage = readonly Float64Array[];

/**
 * bss_eval_sources: SDR, SIR, SAR of each estimate against mono references, with the
 * best assignment (maximum mean SIR over all permutations, as mir_eval).
 *
 * @param references - n reference sources, equal lengths
 * @param estimates - n estimated sources, same length as the references
 */
export function bssEvalSources(
  references: readonly Float64Array[],
  estimates: readonly Float64Array[],
  options: BssEvalOptions = {},
): BssEvalSourcesResult {
  const result = evaluateImages(
    references.map((r) => [r]),
    estimates.map((e) => [e]),
    options,
    false,
  );
  return { sdr: result.sdr, sir: result.sir, sar: result.sar, permutation: result.permutation };
}

/**
 * bss_eval_images: SDR, ISR, SIR, SAR of multichannel estimated source images against
 * the true images (each source as heard at every microphone).
 *
 * @param references - n true images, `references[source][channel]`
 * @param estimates - n estimated images, same shape
 */
export function bssEvalImages(
  references: readonly SourceImage[],
  estimates: readonly SourceImage[],
  options: BssEvalOptions = {},
): BssEvalImagesResult {
  return evaluateImages(references, estimates, options, true);
}

/**
 * bss_eval_sources on frames of `window` samples every `hop` samples
 * (`floor((N − window + hop) / hop)` frames, as mir_eval). With fewer than two frames,
 * one frame of the whole signal. Permutation off by default (pairs estimate i with reference i).
 */
export function bssEvalSourcesFramewise(
  references: readonly Float64Array[],
  estimates: readonly Float64Array[],
  options: BssEvalFramewiseOptions,
): BssEvalFramewiseResult {
  return framewise(
    references.map((r) => [r]),
    estimates.map((e) => [e]),
    options,
    false,
  );
}

/** bss_eval_images on frames, as {@link bssEvalSourcesFramewise}. */
export function bssEvalImagesFramewise(
  references: readonly SourceImage[],
  estimates: readonly SourceImage[],
  options: BssEvalFramewiseOptions,
): BssEvalFramewiseResult {
  return framewise(references, estimates, options, true);
}

function framewise(
  references: readonly SourceImage[],
  estimates: readonly SourceImage[],
  options: BssEvalFramewiseOptions,
  images: boolean,
): BssEvalFramewiseResult {
  const [n, , length] = checkShapes(references, estimates);
  const { window, hop } = options;
  if (!Number.isInteger(window) || window < 1 || !Number.isInteger(hop) || hop < 1) {
    throw new UnmixError(`framewise BSS Eval needs whole positive window and hop, got ${window} and ${hop}`, 'usage');
  }
  const permute = options.computePermutation ?? false;
  const frames = Math.floor((length - window + hop) / hop);
  const starts = frames < 2 ? [0] : Array.from({ length: frames }, (_, k) => k * hop);
  const size = frames < 2 ? length : window;
  const out = (): Float64Array[] => Array.from({ length: n }, () => new Float64Array(starts.length).fill(NaN));
  const result: BssEvalFramewiseResult = {
    sdr: out(),
    sir: out(),
    sar: out(),
    permutation: out(),
    frameStarts: starts,
  };
  if (images) result.isr = out();
  starts.forEach((start, k) => {
    throwIfAborted(options.signal);
    const cut = (image: SourceImage): Float64Array[] => image.map((x) => x.subarray(start, start + size));
    const refs = references.map(cut);
    const ests = estimates.map(cut);
    if (frames >= 2 && (refs.some(isSilent) || ests.some(isSilent))) return;
    const r = evaluateImages(refs, ests, { ...options, computePermutation: permute }, images);
    for (let i = 0; i < n; i++) {
      result.sdr[i][k] = r.sdr[i];
      result.sir[i][k] = r.sir[i];
      result.sar[i][k] = r.sar[i];
      result.permutation[i][k] = r.permutation[i];
      if (result.isr) result.isr[i][k] = (r as BssEvalImagesResult).isr[i];
    }
  });
  return result;
}

function isSilent(image: readonly Float64Array[]): boolean {
  for (const x of image) for (let t = 0; t < x.length; t++) if (x[t] !== 0) return false;
  return true;
}

function checkShapes(references: readonly SourceImage[], estimates: readonly SourceImage[]): [number, number, number] {
  const n = references.length;
  if (n === 0) throw new UnmixError('BSS Eval needs at least one reference', 'usage');
  if (estimates.length !== n) {
    throw new UnmixError(`BSS Eval needs as many estimates as references: got ${estimates.length} for ${n}`, 'usage');
  }
  const channels = references[0].length;
  if (channels === 0) throw new UnmixError('a reference image has no channels', 'usage');
  const length = references[0][0].length;
  for (const [what, list] of [
    ['reference', references],
    ['estimate', estimates],
  ] as const) {
    list.forEach((image, k) => {
      if (image.length !== channels) {
        throw new UnmixError(`${what} ${k + 1} has ${image.length} channels; reference 1 has ${channels}`, 'input');
      }
      for (const x of image) {
        if (x.length !== length) {
          throw new UnmixError(`${what} ${k + 1} has ${x.length} samples; reference 1 has ${length}`, 'input');
        }
      }
    });
  }
  if (length === 0) throw new UnmixError('BSS Eval needs non-empty signals', 'input');
  return [n, channels, length];
}

/** A basis element (reference channel) that was dropped, written as `scale` × a kept element. */
interface Alias {
  index: number;
  scale: number;
}

/**
 * The core: decompose every estimate against every reference (or only estimate i
 * against reference i) and return the criteria of the chosen pairing.
 */
function evaluateImages(
  references: readonly SourceImage[],
  estimates: readonly SourceImage[],
  options: BssEvalOptions,
  images: boolean,
): BssEvalImagesResult {
  const [n, C, N] = checkShapes(references, estimates);
  const L = options.filterLength ?? 512;
  if (!Number.isInteger(L) || L < 1)
    throw new UnmixError(`filter length must be a whole number >= 1, got ${L}`, 'usage');
  references.forEach((image, k) => {
    if (isSilent(image)) throw new UnmixError(`reference ${k + 1} is silent; BSS Eval is undefined for it`, 'input');
  });
  estimates.forEach((image, k) => {
    if (isSilent(image)) throw new UnmixError(`estimate ${k + 1} is silent; BSS Eval is undefined for it`, 'input');
  });
  const permute = options.computePermutation ?? true;

  const M = n * C;
  const R = n * C;
  const basis = references.flat();
  const estimateChannels = estimates.flat();
  // Every correlation needed, at lags 0..L-1: T_k[p][q] = Σ_t b_p(t) b_q(t + k) for all
  // ordered basis pairs (p, q) (so negative lags too), and D[m][r][a] = Σ_t b_m(t) e_r(t + a).
  const needed: [number, number][] = [];
  for (let p = 0; p < M; p++) for (let q = 0; q < M; q++) needed.push([p, q]);
  for (let m = 0; m < M; m++) for (let r = 0; r < R; r++) needed.push([m, M + r]);
  const lags = lagCorrelations(basis, [...basis, ...estimateChannels], needed, L);
  const T = new Float64Array(L * M * M);
  const D = new Float64Array(L * M * R); // lag-major (a*M + m)*R + r
  needed.forEach(([x, y], k) => {
    const c = lags[k];
    if (y < M) for (let lag = 0; lag < L; lag++) T[(lag * M + x) * M + y] = c[lag];
    else for (let lag = 0; lag < L; lag++) D[(lag * M + x) * R + (y - M)] = c[lag];
  });
  const energyOf = (x: Float64Array): number => {
    let s = 0;
    for (let t = 0; t < x.length; t++) s += x[t] * x[t];
    return s;
  };
  const estimateEnergy = estimates.flatMap((image) => image.map(energyOf));

  // Projection onto everything: one solve for all estimate channels.
  const full = projector(T, M, L, D, R, range(M));
  // Projection onto each source's own channels.
  const own = Array.from({ length: n }, (_, i) =>
    projector(
      T,
      M,
      L,
      D,
      R,
      range(C).map((ch) => i * C + ch),
    ),
  );

  const pairs: [number, number][] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (permute || i === j) pairs.push([j, i]);
  const crit = (j: number, i: number): [number, number, number, number] => {
    let target = 0; // ‖P_i e‖² (sources: s_target; images: ‖s_true + e_spat‖²)
    let interference = 0;
    let artifacts = 0;
    let notTarget = 0; // ‖e − P_i e‖²
    let trueEnergy = 0;
    let spatial = 0;
    let imageError = 0;
    for (let ch = 0; ch < C; ch++) {
      const r = j * C + ch;
      const E = estimateEnergy[r];
      const a = full.energies(r, E);
      const o = own[i];
      const cI = o.coefficients(r);
      const gI = o.gram(r);
      const B = dot(cI, gI);
      const dI = o.rhsDot(r);
      // Cross term <P_all e, P_i e> = c_iᵀ (G c_all) restricted to source i's rows.
      const cross = full.crossWith(r, o);
      target += B;
      interference += a.projected - 2 * cross + B;
      artifacts += a.residual;
      notTarget += E - 2 * dI + B;
      if (images) {
        const truth = references[i][ch];
        const s2 = energyOf(truth);
        trueEnergy += s2;
        // ‖P_i e − s‖² = (c − u)ᵀ G_ii (c − u), u the unit vector of (source i, channel ch, lag 0).
        const u = o.unit(i * C + ch);
        let uG = 0;
        let uGu = 0;
        if (u) {
          uG = u.scale * gI[u.position];
          uGu = u.scale * u.scale * o.diagonal(u.position);
        }
        spatial += B - 2 * uG + uGu;
        const e = estimates[j][ch];
        for (let t = 0; t < N; t++) {
          const d = e[t] - truth[t];
          imageError += d * d;
        }
      }
    }
    const sir = ratioDb(target, interference);
    const sar = ratioDb(target + interference, artifacts);
    if (images) {
      return [ratioDb(trueEnergy, imageError), sir, sar, ratioDb(trueEnergy, spatial)];
    }
    return [ratioDb(target, notTarget), sir, sar, NaN];
  };
  const table = new Map<number, [number, number, number, number]>();
  for (const [j, i] of pairs) table.set(j * n + i, crit(j, i));

  let permutation = range(n);
  if (permute) {
    // Maximise mean SIR: minimise the sum of −SIR (ties: lexicographically first, as mir_eval).
    const costs = range(n).map((i) => range(n).map((j) => -table.get(j * n + i)![1]));
    const bounded = costs.map((row) => row.map((c) => (Number.isFinite(c) ? c : c > 0 ? 1e300 : -1e300)));
    permutation = bestAssignment(bounded, n <= 8 ? 'exhaustive' : 'hungarian').permutation;
  }
  const sdr = new Float64Array(n);
  const sir = new Float64Array(n);
  const sar = new Float64Array(n);
  const isr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = table.get(permutation[i] * n + i)!;
    sdr[i] = v[0];
    sir[i] = v[1];
    sar[i] = v[2];
    isr[i] = v[3];
  }
  return { sdr, sir, sar, isr, permutation };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** 10 log10(num / den), +Infinity for den = 0 (as mir_eval), guarding rounding below zero. */
function ratioDb(num: number, den: number): number {
  if (!(den > 0)) return Infinity;
  return 10 * Math.log10(Math.max(num, 0) / den);
}

/** The least-squares projection of every estimate channel onto a subset of the basis. */
interface Projector {
  /** Filter coefficients for estimate channel r over this projector's kept basis (lag-major). */
  coefficients(r: number): Float64Array;
  /** G c for estimate channel r (same layout). */
  gram(r: number): Float64Array;
  /** cᵀ d for estimate channel r. */
  rhsDot(r: number): number;
  /** ‖P e‖² and ‖e − P e‖² for estimate channel r of energy ‖e‖². */
  energies(r: number, energy: number): { projected: number; residual: number };
  /** c_otherᵀ (G c)|_other: the cross term between this projection and a sub-projection. */
  crossWith(r: number, other: Projector): number;
  /** Where basis element m sits in this projector (or the kept element it is a multiple of); undefined if silent. */
  unit(m: number): { position: number; scale: number } | undefined;
  /** G at (position, position) for lag 0. */
  diagonal(position: number): number;
  /** Original basis indices kept, in order. */
  readonly kept: number[];
  readonly L: number;
}

function projector(T: Float64Array, M: number, L: number, D: Float64Array, R: number, candidates: number[]): Projector {
  // Drop silent elements and exact multiples of earlier kept ones: the span is unchanged.
  const kept: number[] = [];
  const alias = new Map<number, Alias>();
  const g0 = (p: number, q: number): number => T[p * M + q];
  for (const m of candidates) {
    const emm = g0(m, m);
    if (!(emm > 0)) continue;
    let duplicate: Alias | undefined;
    for (let k = 0; k < kept.length; k++) {
      const q = kept[k];
      const c = g0(m, q);
      if (c * c >= (1 - 1e-12) * emm * g0(q, q)) {
        duplicate = { index: k, scale: c / g0(q, q) };
        break;
      }
    }
    if (duplicate) alias.set(m, duplicate);
    else {
      alias.set(m, { index: kept.length, scale: 1 });
      kept.push(m);
    }
  }
  const K = kept.length;
  const blocks = new Float64Array(L * K * K);
  for (let k = 0; k < L; k++) {
    for (let p = 0; p < K; p++) {
      for (let q = 0; q < K; q++) blocks[(k * K + p) * K + q] = T[(k * M + kept[p]) * M + kept[q]];
    }
  }
  const rhs = new Float64Array(L * K * R);
  for (let a = 0; a < L; a++) {
    for (let p = 0; p < K; p++) {
      for (let r = 0; r < R; r++) rhs[(a * K + p) * R + r] = D[(a * M + kept[p]) * R + r];
    }
  }
  const solution = solveLoaded(blocks, K, L, rhs, R);
  const multiply = blockToeplitzMultiplier(blocks, K, L);
  const coefficients = new Map<number, Float64Array>();
  const grams = new Map<number, Float64Array>();
  const coefficientsOf = (r: number): Float64Array => {
    let c = coefficients.get(r);
    if (!c) {
      c = new Float64Array(L * K);
      for (let i = 0; i < L * K; i++) c[i] = solution[i * R + r];
      coefficients.set(r, c);
    }
    return c;
  };
  const gramOf = (r: number): Float64Array => {
    let g = grams.get(r);
    if (!g) {
      g = new Float64Array(L * K);
      multiply(coefficientsOf(r), g);
      grams.set(r, g);
    }
    return g;
  };
  const rhsDot = (r: number): number => {
    const c = coefficientsOf(r);
    let s = 0;
    for (let i = 0; i < L * K; i++) s += c[i] * rhs[i * R + r];
    return s;
  };
  const self: Projector = {
    kept,
    L,
    coefficients: coefficientsOf,
    gram: gramOf,
    rhsDot,
    energies(r, energy) {
      const projected = dot(coefficientsOf(r), gramOf(r));
      return { projected, residual: energy - 2 * rhsDot(r) + projected };
    },
    crossWith(r, other) {
      const g = gramOf(r);
      const c = other.coefficients(r);
      const Ko = other.kept.length;
      let s = 0;
      for (let p = 0; p < Ko; p++) {
        const position = kept.indexOf(other.kept[p]);
        if (position < 0) {
          // The element is a multiple of another kept element here.
          const a = alias.get(other.kept[p]);
          if (!a) continue;
          for (let lag = 0; lag < L; lag++) s += a.scale * c[lag * Ko + p] * g[lag * K + a.index];
          continue;
        }
        for (let lag = 0; lag < L; lag++) s += c[lag * Ko + p] * g[lag * K + position];
      }
      return s;
    },
    unit(m) {
      const a = alias.get(m);
      return a ? { position: a.index, scale: a.scale } : undefined;
    },
    diagonal(position) {
      return blocks[position * K + position];
    },
  };
  return self;
}

/**
 * Solve the normal equations with a diagonal loading of 1e-13 of the largest energy,
 * then, if they are still singular to working precision, 1e-10 and 1e-8. Reference
 * channels that are filtered copies of one another (two microphones' images of one
 * source nearly are) make the exact system singular or nearly so; the loading picks the
 * same projection as a least-squares solve and changes well-posed results by ~1e-13
 * relative, far below what the dB values show (the conformance vectors match to 1e-8 dB).
 */
function solveLoaded(blocks: Float64Array, K: number, L: number, rhs: Float64Array, R: number): Float64Array {
  let largest = 0;
  for (let p = 0; p < K; p++) largest = Math.max(largest, blocks[p * K + p]);
  const loadings = [1e-13, 1e-10, 1e-8];
  for (const loading of loadings) {
    try {
      const loaded = blocks.slice(0, K * K);
      for (let p = 0; p < K; p++) loaded[p * K + p] += loading * largest;
      const withLoading = blocks.slice();
      withLoading.set(loaded);
      return solveBlockToeplitz(withLoading, K, L, rhs, R);
    } catch (error) {
      if (loading === loadings[loadings.length - 1]) throw error;
    }
  }
  throw new UnmixError('unreachable', 'failed');
}

/**
 * Cross-correlations at lags 0..L-1, `c[k] = Σ_t x(t) y(t + k)` (signals zero outside),
 * for each pair `(i, j)` of `xs[i]` and `ys[j]`: block by block (overlap-save) with real
 * FFTs of about 4L points, the products of every pair summed in the frequency domain
 * and inverted once per pair. Only L lags are needed, so this costs O(N log L) per
 * signal and O(N) per pair, instead of one FFT of the whole signal per pair.
 */
export function lagCorrelations(
  xs: readonly Float64Array[],
  ys: readonly Float64Array[],
  pairs: readonly (readonly [number, number])[],
  L: number,
): Float64Array[] {
  const N = xs.length > 0 ? xs[0].length : 0;
  const F = nextPowerOfTwo(4 * L);
  const B = F - L; // x samples per block; y segments of F samples cover lags up to L
  const S = F + 2;
  const fft = realFft(F);
  const frame = new Float64Array(F);
  const xSpectra = xs.map(() => new Float64Array(S));
  const ySpectra = ys.map(() => new Float64Array(S));
  const usedX = new Uint8Array(xs.length);
  const usedY = new Uint8Array(ys.length);
  for (const [i, j] of pairs) {
    usedX[i] = 1;
    usedY[j] = 1;
  }
  const sums = pairs.map(() => new Float64Array(S));
  for (let start = 0; start < N; start += B) {
    const end = Math.min(N, start + B);
    xs.forEach((x, i) => {
      if (!usedX[i]) return;
      frame.fill(0);
      for (let t = start; t < end; t++) frame[t - start] = x[t];
      fft.forward(frame, xSpectra[i]);
    });
    const segmentEnd = Math.min(N, start + F);
    ys.forEach((y, j) => {
      if (!usedY[j]) return;
      frame.fill(0);
      for (let t = start; t < segmentEnd; t++) frame[t - start] = y[t];
      fft.forward(frame, ySpectra[j]);
    });
    pairs.forEach(([i, j], k) => {
      const X = xSpectra[i];
      const Y = ySpectra[j];
      const sum = sums[k];
      // conj(X) Y
      for (let f = 0; f < S; f += 2) {
        const xr = X[f];
        const xi = X[f + 1];
        const yr = Y[f];
        const yi = Y[f + 1];
        sum[f] += xr * yr + xi * yi;
        sum[f + 1] += xr * yi - xi * yr;
      }
    });
  }
  return sums.map((sum) => {
    fft.inverse(sum, frame);
    return frame.slice(0, L);
  });
}
