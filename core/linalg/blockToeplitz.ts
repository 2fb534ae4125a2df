import { UnmixError } from '../errors.js';
import { nextPowerOfTwo, realFft } from '../signal/fft.js';

/**
 * Solve `M X = Y` for a symmetric positive definite block-Toeplitz matrix `M` with the
 * block Levinson (Whittle–Wiggins–Robinson) recursion: O(K³ L² + K² L² R) for L x L
 * blocks of size K x K and R right-hand sides, instead of O(K³ L³) for a dense
 * factorisation. This is what makes BSS Eval's 512-tap distortion filters cheap: its
 * normal equations are exactly block-Toeplitz (correlations of zero-padded signals).
 *
 * Layout: `M` has blocks `M[a][b] = T_{a-b}` for `a >= b` and `T_{b-a}ᵀ` for `a < b`
 * (a, b = 0..L-1); `blocks` holds `T_0 .. T_{L-1}`, each K x K row-major, at
 * `blocks[(k*K + i)*K + j]`. Vectors are lag-major: element `(a, i)` at `a*K + i`;
 * `rhs` and the solution are `(L*K) x R` row-major.
 *
 * @throws UnmixError (`failed`) when `M` is singular or not positive definite to working precision
 */
export function solveBlockToeplitz(
  blocks: Float64Array,
  K: number,
  L: number,
  rhs: Float64Array,
  R: number,
): Float64Array {
  if (blocks.length !== L * K * K || rhs.length !== L * K * R) {
    throw new UnmixError('block-Toeplitz solve: buffer sizes do not match K, L, R', 'usage');
  }
  const KK = K * K;
  // Forward f and backward b predictors (L blocks of K x K), and the solution x.
  const f = new Float64Array(L * KK);
  const b = new Float64Array(L * KK);
  const x = new Float64Array(L * K * R);
  const P = blocks.slice(0, KK);
  const Q = blocks.slice(0, KK);
  let scale = 0;
  for (let i = 0; i < K; i++) scale = Math.max(scale, Math.abs(blocks[i * K + i]));
  if (!(scale > 0)) throw new UnmixError('block-Toeplitz solve: the matrix is zero', 'failed');
  const tiny = 1e-14 * scale;
  for (let i = 0; i < K; i++) {
    f[i * K + i] = 1;
    b[i * K + i] = 1;
  }
  const delta = new Float64Array(KK); // Δ = Σ_a T_{n-a} f_a
  const nabla = new Float64Array(KK); // ∇ = Σ_a T_{a+1}ᵀ b_a
  const F = new Float64Array(KK); // Q⁻¹ Δ
  const B = new Float64Array(KK); // P⁻¹ ∇
  const lu = new Float64Array(KK);
  const pivots = new Int32Array(K);
  const fOld = new Float64Array(KK);
  const eps = new Float64Array(K * R);
  // x_0 = T_0⁻¹ y_0
  factor(P, K, lu, pivots, tiny);
  for (let i = 0; i < K * R; i++) x[i] = rhs[i];
  solveInPlace(lu, pivots, K, x.subarray(0, K * R), R);

  for (let n = 1; n < L; n++) {
    delta.fill(0);
    for (let a = 0; a < n; a++) {
      const t = (n - a) * KK;
      const fa = a * KK;
      for (let i = 0; i < K; i++) {
        for (let k = 0; k < K; k++) {
          const tik = blocks[t + i * K + k];
          if (tik === 0) continue;
          const row = fa + k * K;
          for (let j = 0; j < K; j++) delta[i * K + j] += tik * f[row + j];
        }
      }
    }
    // For a symmetric M the backward reflection ∇ = Σ_a T_{a+1}ᵀ b_a equals Δᵀ (Whittle 1963).
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) nabla[i * K + j] = delta[j * K + i];
    // F = Q⁻¹ Δ, B = P⁻¹ ∇
    F.set(delta);
    factor(Q, K, lu, pivots, tiny);
    solveInPlace(lu, pivots, K, F, K);
    B.set(nabla);
    factor(P, K, lu, pivots, tiny);
    solveInPlace(lu, pivots, K, B, K);
    // P -= ∇ F, Q -= Δ B
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        let p = 0;
        let q = 0;
        for (let k = 0; k < K; k++) {
          p += nabla[i * K + k] * F[k * K + j];
          q += delta[i * K + k] * B[k * K + j];
        }
        P[i * K + j] -= p;
        Q[i * K + j] -= q;
      }
    }
    // f'_a = f_a − b_{a−1} F, b'_a = b_{a−1} − f_a B, a = n..0 (descending, in place; f_n = 0, b_{−1} = 0).
    // b'_a reads only b_{a−1} and the old f_a (kept in fOld), so descending order is safe.
    for (let a = n; a >= 0; a--) {
      const fa = a * KK;
      if (a === n) fOld.fill(0);
      else for (let i = 0; i < KK; i++) fOld[i] = f[fa + i];
      if (a > 0) {
        const prev = (a - 1) * KK;
        for (let i = 0; i < K; i++) {
          const row = i * K;
          for (let j = 0; j < K; j++) {
            let fv = fOld[row + j];
            let bv = b[prev + row + j];
            for (let k = 0; k < K; k++) {
              fv -= b[prev + row + k] * F[k * K + j];
              bv -= fOld[row + k] * B[k * K + j];
            }
            f[fa + row + j] = fv;
            b[fa + row + j] = bv;
          }
        }
      } else {
        for (let i = 0; i < K; i++) {
          const row = i * K;
          for (let j = 0; j < K; j++) {
            let bv = 0;
            for (let k = 0; k < K; k++) bv -= fOld[row + k] * B[k * K + j];
            f[row + j] = fOld[row + j];
            b[row + j] = bv;
          }
        }
      }
    }
    // x' = [x; 0] + b' Q'⁻¹ (y_n − Σ_a T_{n−a} x_a)
    eps.fill(0);
    for (let a = 0; a < n; a++) {
      const t = (n - a) * KK;
      const xa = a * K * R;
      for (let i = 0; i < K; i++) {
        for (let k = 0; k < K; k++) {
          const tik = blocks[t + i * K + k];
          if (tik === 0) continue;
          const row = xa + k * R;
          for (let r = 0; r < R; r++) eps[i * R + r] += tik * x[row + r];
        }
      }
    }
    const yn = n * K * R;
    for (let i = 0; i < K * R; i++) eps[i] = rhs[yn + i] - eps[i];
    factor(Q, K, lu, pivots, tiny);
    solveInPlace(lu, pivots, K, eps, R);
    for (let a = 0; a <= n; a++) {
      const ba = a * KK;
      const xa = a * K * R;
      for (let i = 0; i < K; i++) {
        for (let k = 0; k < K; k++) {
          const bik = b[ba + i * K + k];
          if (bik === 0) continue;
          for (let r = 0; r < R; r++) x[xa + i * R + r] += bik * eps[k * R + r];
        }
      }
    }
  }
  return x;
}

/** LU with partial pivoting of the K x K matrix `A` into `lu`; throws when a pivot is below `tiny`. */
function factor(A: Float64Array, K: number, lu: Float64Array, pivots: Int32Array, tiny: number): void {
  lu.set(A);
  for (let c = 0; c < K; c++) {
    let p = c;
    let best = Math.abs(lu[c * K + c]);
    for (let r = c + 1; r < K; r++) {
      const v = Math.abs(lu[r * K + c]);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (!(best > tiny)) {
      throw new UnmixError(
        'the reference signals are linearly dependent (a reference is silent or a filtered copy of another), so the projection is not unique',
        'failed',
      );
    }
    pivots[c] = p;
    if (p !== c) {
      for (let j = 0; j < K; j++) {
        const t = lu[c * K + j];
        lu[c * K + j] = lu[p * K + j];
        lu[p * K + j] = t;
      }
    }
    const d = lu[c * K + c];
    for (let r = c + 1; r < K; r++) {
      const m = (lu[r * K + c] /= d);
      if (m === 0) continue;
      for (let j = c + 1; j < K; j++) lu[r * K + j] -= m * lu[c * K + j];
    }
  }
}

/** Overwrite the K x R matrix `X` with `A⁻¹ X` from the factorisation of {@link factor}. */
function solveInPlace(lu: Float64Array, pivots: Int32Array, K: number, X: Float64Array, R: number): void {
  for (let c = 0; c < K; c++) {
    const p = pivots[c];
    if (p !== c) {
      for (let r = 0; r < R; r++) {
        const t = X[c * R + r];
        X[c * R + r] = X[p * R + r];
        X[p * R + r] = t;
      }
    }
  }
  for (let i = 1; i < K; i++) {
    for (let k = 0; k < i; k++) {
      const m = lu[i * K + k];
      if (m === 0) continue;
      for (let r = 0; r < R; r++) X[i * R + r] -= m * X[k * R + r];
    }
  }
  for (let i = K - 1; i >= 0; i--) {
    for (let k = i + 1; k < K; k++) {
      const m = lu[i * K + k];
      if (m === 0) continue;
      for (let r = 0; r < R; r++) X[i * R + r] -= m * X[k * R + r];
    }
    const d = lu[i * K + i];
    for (let r = 0; r < R; r++) X[i * R + r] /= d;
  }
}

/**
 * `y = M x` for the block-Toeplitz `M` of {@link solveBlockToeplitz} and one vector `x`
 * (length L*K, lag-major). O(K² L²).
 */
export function multiplyBlockToeplitz(
  blocks: Float64Array,
  K: number,
  L: number,
  x: Float64Array,
  y: Float64Array,
): void {
  const KK = K * K;
  y.fill(0);
  for (let a = 0; a < L; a++) {
    const ya = a * K;
    // b <= a: T_{a-b} x_b
    for (let bb = 0; bb <= a; bb++) {
      const t = (a - bb) * KK;
      const xb = bb * K;
      for (let i = 0; i < K; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += blocks[t + i * K + k] * x[xb + k];
        y[ya + i] += s;
      }
    }
    // b > a: T_{b-a}ᵀ x_b
    for (let bb = a + 1; bb < L; bb++) {
      const t = (bb - a) * KK;
      const xb = bb * K;
      for (let i = 0; i < K; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += blocks[t + k * K + i] * x[xb + k];
        y[ya + i] += s;
      }
    }
  }
}

/**
 * A fast `y = M x` for the block-Toeplitz `M` of {@link solveBlockToeplitz}: every
 * block row is a sum of linear convolutions of the lag sequences with `x`, done with
 * real FFTs of size `2L` (enough, as only outputs and inputs at lags `0..L-1` occur, so
 * the circular wrap never lands on them). O(K² L log L) per product after an
 * O(K² L log L) set-up, instead of O(K² L²); equal to {@link multiplyBlockToeplitz} to
 * rounding.
 */
export function blockToeplitzMultiplier(
  blocks: Float64Array,
  K: number,
  L: number,
): (x: Float64Array, y: Float64Array) => void {
  const F = nextPowerOfTwo(2 * L);
  const fft = realFft(F);
  const S = F + 2;
  // H[p][q] = spectrum of h_pq(d) = T_d[p][q] (d >= 0), T_{-d}[q][p] (d < 0), at index d mod F.
  const H = new Float64Array(K * K * S);
  const h = new Float64Array(F);
  const spectrum = new Float64Array(S);
  for (let p = 0; p < K; p++) {
    for (let q = 0; q < K; q++) {
      h.fill(0);
      for (let d = 0; d < L; d++) h[d] = blocks[(d * K + p) * K + q];
      for (let d = 1; d < L; d++) h[F - d] = blocks[(d * K + q) * K + p];
      fft.forward(h, spectrum);
      H.set(spectrum, (p * K + q) * S);
    }
  }
  const X = new Float64Array(K * S);
  const frame = new Float64Array(F);
  const accumulated = new Float64Array(S);
  return (x, y) => {
    for (let q = 0; q < K; q++) {
      frame.fill(0);
      for (let b = 0; b < L; b++) frame[b] = x[b * K + q];
      fft.forward(frame, spectrum);
      X.set(spectrum, q * S);
    }
    for (let p = 0; p < K; p++) {
      accumulated.fill(0);
      for (let q = 0; q < K; q++) {
        const ho = (p * K + q) * S;
        const xo = q * S;
        for (let f = 0; f < S; f += 2) {
          const hr = H[ho + f];
          const hi = H[ho + f + 1];
          const xr = X[xo + f];
          const xi = X[xo + f + 1];
          accumulated[f] += hr * xr - hi * xi;
          accumulated[f + 1] += hr * xi + hi * xr;
        }
      }
      fft.inverse(accumulated, frame);
      for (let a = 0; a < L; a++) y[a * K + p] = frame[a];
    }
  };
}
