/**
 * Score functions φ = −(log p)' of the source densities used by infomax, with the
 * matching per-sample loss ρ = −log p (up to a constant), so every rule has a cost whose
 * relative gradient is `E[φ(y) yᵀ] − I`.
 *
 * - `tanh`: ρ = log cosh y, φ = tanh y (super-Gaussian, e.g. speech; Bell & Sejnowski 1995)
 * - `cubic`: ρ = y⁴ / 4, φ = y³ (sub-Gaussian; Amari, Cichocki & Yang 1996)
 * - `gg`: generalised Gaussian ρ = |y|^β / β, φ = sign(y) |y|^(β−1), shape β > 0
 *   (β < 2 super-, β > 2 sub-Gaussian; β = 1 Laplacian). For β < 2, |y| is smoothed as
 *   √(y² + δ) with δ = 1e-4 so φ stays finite at 0.
 */
export type ScoreName = 'tanh' | 'cubic' | 'gg';

/** The score names, for option checks. */
export const SCORE_NAMES: readonly ScoreName[] = ['tanh', 'cubic', 'gg'];

/** Smoothing of |y| for generalised Gaussian scores with shape < 2. */
const GG_DELTA = 1e-4;

/**
 * Evaluate the score on `len` samples of `y` from `offset`: `phi[offset + i] = φ(y[offset + i])`.
 *
 * @param shape - β of the `gg` score (ignored by the others)
 * @returns Σ ρ(y) over the samples
 */
export function scoreBlock(
  score: ScoreName,
  shape: number,
  y: Float64Array,
  phi: Float64Array,
  offset: number,
  len: number,
): number {
  let loss = 0;
  switch (score) {
    case 'tanh': {
      // log cosh y = |y| + log(1 + e) − log 2 with e = exp(−2|y|); the factors (1 + e) ∈ (1, 2]
      // are multiplied in groups of 256 before one log, which saves a log per sample.
      let product = 1;
      for (let i = offset, k = 1; i < offset + len; i++, k++) {
        const v = y[i];
        const a = v < 0 ? -v : v;
        const e = Math.exp(-2 * a);
        const th = (1 - e) / (1 + e);
        phi[i] = v < 0 ? -th : th;
        loss += a;
        product *= 1 + e;
        if ((k & 255) === 0) {
          loss += Math.log(product);
          product = 1;
        }
      }
      return loss + Math.log(product) - len * Math.LN2;
    }
    case 'cubic':
      for (let i = offset; i < offset + len; i++) {
        const v = y[i];
        const v2 = v * v;
        phi[i] = v2 * v;
        loss += 0.25 * v2 * v2;
      }
      return loss;
    case 'gg': {
      const delta = shape < 2 ? GG_DELTA : 0;
      const half = shape / 2;
      for (let i = offset; i < offset + len; i++) {
        const v = y[i];
        const s = v * v + delta;
        const p = s ** half; // |y|^β (smoothed)
        phi[i] = s > 0 ? (p / s) * v : 0; // d/dy (s^(β/2) / β) = s^(β/2 − 1) y
        loss += p / shape;
      }
      return loss;
    }
  }
}

/** Per-sample loss ρ(y) of a score, for tests and diagnostics (see {@link scoreBlock}). */
export function scoreLoss(score: ScoreName, shape: number, v: number): number {
  const y = Float64Array.of(v);
  return scoreBlock(score, shape, y, new Float64Array(1), 0, 1);
}

/** The score φ(y) itself (see {@link scoreBlock}). */
export function scoreValue(score: ScoreName, shape: number, v: number): number {
  const phi = new Float64Array(1);
  scoreBlock(score, shape, Float64Array.of(v), phi, 0, 1);
  return phi[0];
}
