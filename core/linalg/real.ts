import { UnmixError } from '../errors.js';

/**
 * Small dense real matrices (n <= 16 or so): products, symmetric eigendecomposition,
 * LU solve, inverse, pseudo-inverse, determinant. Matrices are row-major `Float64Array`s
 * with their dimensions passed alongside, so hot loops index typed arrays directly;
 * hand-written kernels of this size are several times faster than a general library.
 */

/**
 * A dense real matrix with its dimensions, for passing one around (mixing matrices, CLI
 * and desktop): `data` is the row-major layout every function of this module takes.
 */
export interface RealMatrix {
  rows: number;
  cols: number;
  /** Row-major `rows * cols`. */
  data: Float64Array;
}

/** The n x n identity. */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/**
 * Matrix product `A B` of an `n x k` and a `k x m` matrix.
 * @param out - optional `n x m` output (must not alias `a` or `b`)
 */
export function matMul(
  a: Float64Array,
  b: Float64Array,
  n: number,
  k: number,
  m: number,
  out: Float64Array = new Float64Array(n * m),
): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a[i * k + l] * b[l * m + j];
      out[i * m + j] = s;
    }
  }
  return out;
}

/** Transpose of a `rows x cols` matrix (a `cols x rows` matrix). */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** Eigendecomposition of a symmetric matrix: `A = V diag(values) Vᵀ`. */
export interface SymmetricEigen {
  /** Eigenvalues in decreasing order. */
  values: Float64Array;
  /** Row-major n x n; column k is the unit eigenvector of `values[k]`. */
  vectors: Float64Array;
}

/**
 * Eigendecomposition of a symmetric n x n matrix by the cyclic Jacobi method (Golub & Van
 * Loan, Matrix Computations, §8.5): accurate to machine precision, also for tiny
 * eigenvalues, which whitening and rank tests need. Only the upper triangle is read.
 *
 * @param a - row-major symmetric n x n matrix (not modified)
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      m[i * n + j] = a[i * n + j];
      m[j * n + i] = a[i * n + j];
    }
  }
  const v = identity(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = m[i * n + j] * m[i * n + j];
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        // Rotation angle that zeroes m[p][q]; the smaller root keeps it stable.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((x, y) => m[y * n + y] - m[x * n + x]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** LU factorisation with partial pivoting, `P A = L U`, packed in one matrix. */
export interface LuDecomposition {
  n: number;
  /** Row-major n x n: U on and above the diagonal, L (unit diagonal implied) below. */
  lu: Float64Array;
  /** Row `i` of `P A` is row `pivots[i]` of `A`. */
  pivots: Int32Array;
  /** +1 or -1: the sign of the permutation. */
  parity: number;
}

/** LU factorisation with partial pivoting of an n x n matrix (not modified). */
export function luDecompose(a: Float64Array, n: number): LuDecomposition {
  const lu = Float64Array.from(a.subarray(0, n * n));
  const pivots = new Int32Array(n);
  for (let i = 0; i < n; i++) pivots[i] = i;
  let parity = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const x = Math.abs(lu[i * n + k]);
      if (x > best) {
        best = x;
        p = i;
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      const t = pivots[k];
      pivots[k] = pivots[p];
      pivots[p] = t;
      parity = -parity;
    }
    const pivot = lu[k * n + k];
    if (pivot === 0) continue;
    for (let i = k + 1; i < n; i++) {
      const f = (lu[i * n + k] /= pivot);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
    }
  }
  return { n, lu, pivots, parity };
}

/** Sign and natural log of |det A|, as numpy's `slogdet`; sign 0 and -Infinity for a singular matrix. */
export function logAbsDet(a: Float64Array, n: number): { sign: number; logAbs: number } {
  const { lu, parity } = luDecompose(a, n);
  let sign = parity;
  let logAbs = 0;
  for (let i = 0; i < n; i++) {
    const d = lu[i * n + i];
    if (d === 0) return { sign: 0, logAbs: -Infinity };
    if (d < 0) sign = -sign;
    logAbs += Math.log(Math.abs(d));
  }
  return { sign, logAbs };
}

/** Determinant of an n x n matrix. */
export function det(a: Float64Array, n: number): number {
  const { sign, logAbs } = logAbsDet(a, n);
  return sign * Math.exp(logAbs);
}

/**
 * Solve `A X = B` for an n x n `A` and an n x `nrhs` right-hand side `B` (row-major).
 * @throws UnmixError (`failed`) when `A` is singular to working precision
 */
export function solve(a: Float64Array, b: Float64Array, n: number, nrhs = 1): Float64Array {
  const { lu, pivots } = luDecompose(a, n);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let i = 0; i < n; i++) {
    if (!(Math.abs(lu[i * n + i]) > 1e-14 * scale)) {
      throw new UnmixError('a matrix to invert is singular (the data are rank-deficient)', 'failed');
    }
  }
  const x = new Float64Array(n * nrhs);
  for (let i = 0; i < n; i++) for (let c = 0; c < nrhs; c++) x[i * nrhs + c] = b[pivots[i] * nrhs + c];
  for (let c = 0; c < nrhs; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * nrhs + c];
      for (let j = 0; j < i; j++) s -= lu[i * n + j] * x[j * nrhs + c];
      x[i * nrhs + c] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * nrhs + c];
      for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j * nrhs + c];
      x[i * nrhs + c] = s / lu[i * n + i];
    }
  }
  return x;
}

/**
 * Inverse of an n x n matrix.
 * @throws UnmixError (`failed`) when it is singular
 */
export function inverse(a: Float64Array, n: number): Float64Array {
  return solve(a, identity(n), n, n);
}

/**
 * Moore–Penrose pseudo-inverse of a `rows x cols` matrix (a `cols x rows` matrix), from the
 * eigendecomposition of the smaller Gram matrix: for `rows <= cols`,
 * `A⁺ = Aᵀ (A Aᵀ)⁺`, else `A⁺ = (Aᵀ A)⁺ Aᵀ`. Eigenvalues of the Gram matrix below
 * `rcond²` times the largest are treated as zero (singular values below `rcond` times the
 * largest), so it is accurate for the moderately conditioned matrices of unmixing.
 *
 * @param rcond - relative singular-value cut-off; default 1e-10
 */
export function pinv(a: Float64Array, rows: number, cols: number, rcond = 1e-10): Float64Array {
  const wide = rows <= cols;
  const k = wide ? rows : cols;
  // Gram matrix: A Aᵀ (k = rows) or Aᵀ A (k = cols).
  const gram = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      if (wide) for (let l = 0; l < cols; l++) s += a[i * cols + l] * a[j * cols + l];
      else for (let l = 0; l < rows; l++) s += a[l * cols + i] * a[l * cols + j];
      gram[i * k + j] = s;
      gram[j * k + i] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, k);
  const cutoff = rcond * rcond * Math.max(values[0], 0);
  // (Gram)⁺ = V diag(1/λ) Vᵀ over the kept eigenvalues.
  const gramPinv = new Float64Array(k * k);
  for (let e = 0; e < k; e++) {
    if (!(values[e] > cutoff)) continue;
    const inv = 1 / values[e];
    for (let i = 0; i < k; i++) {
      const vi = vectors[i * k + e] * inv;
      for (let j = 0; j < k; j++) gramPinv[i * k + j] += vi * vectors[j * k + e];
    }
  }
  const out = new Float64Array(cols * rows);
  if (wide) {
    // Aᵀ (cols x rows) times gramPinv (rows x rows).
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < rows; j++) {
        let s = 0;
        for (let l = 0; l < rows; l++) s += a[l * cols + i] * gramPinv[l * rows + j];
        out[i * rows + j] = s;
      }
    }
  } else {
    // gramPinv (cols x cols) times Aᵀ (cols x rows).
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < rows; j++) {
        let s = 0;
        for (let l = 0; l < cols; l++) s += gramPinv[i * cols + l] * a[j * cols + l];
        out[i * rows + j] = s;
      }
    }
  }
  return out;
}

/**
 * Orthonormalise the columns of a row-major `rows x cols` matrix in place, left to right,
 * by modified Gram–Schmidt (cols <= rows; the columns must be linearly independent).
 *
 * @param q - row-major `rows * cols`, overwritten by orthonormal columns spanning the same nested subspaces
 */
export function orthonormalizeColumns(q: Float64Array, rows: number, cols: number): Float64Array {
  for (let k = 0; k < cols; k++) {
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += q[i * cols + k] * q[i * cols + j];
      for (let i = 0; i < rows; i++) q[i * cols + k] -= dot * q[i * cols + j];
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += q[i * cols + k] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) q[i * cols + k] /= norm;
  }
  return q;
}
