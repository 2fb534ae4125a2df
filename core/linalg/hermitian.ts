/**
 * Eigendecomposition of small Hermitian matrices (covariances of complex STFT bins),
 * used for PCA reduction when there are more microphones than sources and for whitening
 * per frequency bin. Layout as in `complex.ts`: interleaved `(re, im)`, row-major.
 */

/**
 * Eigendecomposition `A = V diag(λ) Vᴴ` of a Hermitian `n` x `n` matrix by cyclic complex
 * Jacobi rotations (each rotation first turns the pivot's phase real, then zeroes it with
 * a real Givens rotation). Accurate to machine precision, fine for n <= 16.
 *
 * @param a - Hermitian matrix (only read; the upper triangle is taken as the conjugate of the lower)
 * @param values - out: `n` real eigenvalues, in **descending** order
 * @param vectors - out: `n` x `n` unitary `V`, eigenvector `j` in column `j` (`V[i][j]` at `2 * (i * n + j)`)
 * @param work - optional scratch of `2n²` values, reused across calls
 */
export function hermitianEigen(
  n: number,
  a: Float64Array,
  values: Float64Array,
  vectors: Float64Array,
  work: Float64Array = new Float64Array(2 * n * n),
  aOffset = 0,
): void {
  const m = work;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const re = a[aOffset + 2 * (i * n + j)];
      const im = i === j ? 0 : a[aOffset + 2 * (i * n + j) + 1];
      m[2 * (i * n + j)] = re;
      m[2 * (i * n + j) + 1] = im;
      m[2 * (j * n + i)] = re;
      m[2 * (j * n + i) + 1] = -im;
    }
  }
  vectors.fill(0, 0, 2 * n * n);
  for (let i = 0; i < n; i++) vectors[2 * (i * n + i)] = 1;
  let norm = 0;
  for (let i = 0; i < 2 * n * n; i++) norm += m[i] * m[i];
  const eps = 1e-30 * norm + 1e-300;

  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) off += m[2 * (i * n + j)] ** 2 + m[2 * (i * n + j) + 1] ** 2;
    }
    if (off <= eps) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const br = m[2 * (p * n + q)];
        const bi = m[2 * (p * n + q) + 1];
        const r = Math.hypot(br, bi);
        if (r * r <= eps / (n * n)) continue;
        // b = r e^{iφ}; J = P R with P = diag(1, e^{-iφ}), R the real Givens rotation of [[a, r], [r, d]].
        const er = br / r;
        const ei = -bi / r; // e^{-iφ}
        const app = m[2 * (p * n + p)];
        const aqq = m[2 * (q * n + q)];
        const theta = (aqq - app) / (2 * r);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // J = [[c, s], [-s e^{-iφ}, c e^{-iφ}]] acting on columns (p, q).
        const jpp = c;
        const jpqr = s;
        const jqpr = -s * er;
        const jqpi = -s * ei;
        const jqqr = c * er;
        const jqqi = c * ei;
        // A <- A J (columns p, q)
        for (let k = 0; k < n; k++) {
          const xr = m[2 * (k * n + p)];
          const xi = m[2 * (k * n + p) + 1];
          const yr = m[2 * (k * n + q)];
          const yi = m[2 * (k * n + q) + 1];
          m[2 * (k * n + p)] = xr * jpp + (yr * jqpr - yi * jqpi);
          m[2 * (k * n + p) + 1] = xi * jpp + (yr * jqpi + yi * jqpr);
          m[2 * (k * n + q)] = xr * jpqr + (yr * jqqr - yi * jqqi);
          m[2 * (k * n + q) + 1] = xi * jpqr + (yr * jqqi + yi * jqqr);
        }
        // A <- Jᴴ A (rows p, q): row p' = conj(J_pp) row p + conj(J_qp) row q, etc.
        for (let k = 0; k < n; k++) {
          const xr = m[2 * (p * n + k)];
          const xi = m[2 * (p * n + k) + 1];
          const yr = m[2 * (q * n + k)];
          const yi = m[2 * (q * n + k) + 1];
          m[2 * (p * n + k)] = jpp * xr + (jqpr * yr + jqpi * yi);
          m[2 * (p * n + k) + 1] = jpp * xi + (jqpr * yi - jqpi * yr);
          m[2 * (q * n + k)] = jpqr * xr + (jqqr * yr + jqqi * yi);
          m[2 * (q * n + k) + 1] = jpqr * xi + (jqqr * yi - jqqi * yr);
        }
        m[2 * (p * n + q)] = 0;
        m[2 * (p * n + q) + 1] = 0;
        m[2 * (q * n + p)] = 0;
        m[2 * (q * n + p) + 1] = 0;
        m[2 * (p * n + p) + 1] = 0;
        m[2 * (q * n + q) + 1] = 0;
        // V <- V J
        for (let k = 0; k < n; k++) {
          const xr = vectors[2 * (k * n + p)];
          const xi = vectors[2 * (k * n + p) + 1];
          const yr = vectors[2 * (k * n + q)];
          const yi = vectors[2 * (k * n + q) + 1];
          vectors[2 * (k * n + p)] = xr * jpp + (yr * jqpr - yi * jqpi);
          vectors[2 * (k * n + p) + 1] = xi * jpp + (yr * jqpi + yi * jqpr);
          vectors[2 * (k * n + q)] = xr * jpqr + (yr * jqqr - yi * jqqi);
          vectors[2 * (k * n + q) + 1] = xi * jpqr + (yr * jqqi + yi * jqqr);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = m[2 * (i * n + i)];
  // Selection sort, descending, swapping eigenvector columns along.
  for (let i = 0; i < n - 1; i++) {
    let best = i;
    for (let j = i + 1; j < n; j++) if (values[j] > values[best]) best = j;
    if (best === i) continue;
    const tmp = values[i];
    values[i] = values[best];
    values[best] = tmp;
    for (let k = 0; k < n; k++) {
      for (let h = 0; h < 2; h++) {
        const x = vectors[2 * (k * n + i) + h];
        vectors[2 * (k * n + i) + h] = vectors[2 * (k * n + best) + h];
        vectors[2 * (k * n + best) + h] = x;
      }
    }
  }
}
