import { UnmixError } from '../errors.js';
import { matMul } from '../linalg/real.js';

/**
 * Amari index (Amari, Cichocki & Yang 1996, "A new learning algorithm for blind signal
 * separation") of the global system `P = W A`, normalised to [0, 1]:
 *
 *   (1 / (2 n (n − 1))) [ Σ_i (Σ_j |p_ij| / max_k |p_ik| − 1) + Σ_j (Σ_i |p_ij| / max_k |p_kj| − 1) ]
 *
 * 0 when `P` is a scaled permutation (perfect separation up to order and scale, the
 * ambiguities of ICA), 1 at worst. Below about 0.01 the sources are well separated.
 *
 * The rows of `P` are first scaled to a largest entry of 1, so the index does not depend
 * on the arbitrary scale of each unmixed source (projection back can make one source tiny,
 * which would otherwise inflate its column term).
 *
 * @param unmixing - row-major n x m unmixing matrix W (e.g. `RealUnmixing.data`)
 * @param mixing - row-major m x n mixing matrix A
 * @param n - number of sources (rows of W, columns of A)
 * @param m - number of channels (columns of W, rows of A); default n
 */
export function amariIndex(unmixing: Float64Array, mixing: Float64Array, n: number, m = n): number {
  if (unmixing.length !== n * m || mixing.length !== m * n) {
    throw new UnmixError(`amariIndex: expected a ${n}x${m} unmixing and a ${m}x${n} mixing matrix`, 'usage');
  }
  if (n < 2) return 0;
  const p = matMul(unmixing, mixing, n, m, n);
  for (let i = 0; i < n; i++) {
    let max = 0;
    for (let j = 0; j < n; j++) max = Math.max(max, Math.abs(p[i * n + j]));
    if (max > 0) for (let j = 0; j < n; j++) p[i * n + j] /= max;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    let max = 0;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const a = Math.abs(p[i * n + j]);
      sum += a;
      if (a > max) max = a;
    }
    total += max > 0 ? sum / max - 1 : n - 1;
  }
  for (let j = 0; j < n; j++) {
    let max = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(p[i * n + j]);
      sum += a;
      if (a > max) max = a;
    }
    total += max > 0 ? sum / max - 1 : n - 1;
  }
  return total / (2 * n * (n - 1));
}
