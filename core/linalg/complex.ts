import { UnmixError } from '../errors.js';

/**
 * Small dense complex matrices (n <= 16) for per-frequency-bin work (IVA, ILRMA, FDICA,
 * projection back), written as plain loops over interleaved `Float64Array`s because
 * these run a million times per separation and hand-written kernels beat general
 * libraries by 5-10x at this size.
 *
 * Layout: complex interleaved `(re, im)`, row-major; element `(i, j)` of an `rows` x `cols`
 * matrix starting at `offset` is at `offset + 2 * (i * cols + j)`. Vectors are `n` complex
 * values (`2n` numbers). Every kernel takes offsets so it can work in place inside the
 * per-bin arrays (e.g. `ComplexUnmixing.data`) without views or copies. Outputs must not
 * overlap inputs unless stated.
 */

/**
 * `out = A · B` for `A` (`n` x `m`) and `B` (`m` x `p`).
 */
export function complexMatMul(
  n: number,
  m: number,
  p: number,
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  aOffset = 0,
  bOffset = 0,
  outOffset = 0,
): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let re = 0;
      let im = 0;
      for (let k = 0; k < m; k++) {
        const ia = aOffset + 2 * (i * m + k);
        const ib = bOffset + 2 * (k * p + j);
        const ar = a[ia];
        const ai = a[ia + 1];
        const br = b[ib];
        const bi = b[ib + 1];
        re += ar * br - ai * bi;
        im += ar * bi + ai * br;
      }
      out[outOffset + 2 * (i * p + j)] = re;
      out[outOffset + 2 * (i * p + j) + 1] = im;
    }
  }
}

/**
 * `out = A · Bᴴ` for `A` (`n` x `m`) and `B` (`p` x `m`): the Hermitian product that
 * builds covariances (`X Xᴴ`) and Gram matrices.
 */
export function complexMatMulConjTranspose(
  n: number,
  m: number,
  p: number,
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  aOffset = 0,
  bOffset = 0,
  outOffset = 0,
): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let re = 0;
      let im = 0;
      for (let k = 0; k < m; k++) {
        const ia = aOffset + 2 * (i * m + k);
        const ib = bOffset + 2 * (j * m + k);
        const ar = a[ia];
        const ai = a[ia + 1];
        const br = b[ib];
        const bi = -b[ib + 1];
        re += ar * br - ai * bi;
        im += ar * bi + ai * br;
      }
      out[outOffset + 2 * (i * p + j)] = re;
      out[outOffset + 2 * (i * p + j) + 1] = im;
    }
  }
}

/**
 * `out = Aᴴ` for `A` (`rows` x `cols`); `out` is `cols` x `rows`.
 */
export function complexConjTranspose(
  rows: number,
  cols: number,
  a: Float64Array,
  out: Float64Array,
  aOffset = 0,
  outOffset = 0,
): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out[outOffset + 2 * (j * rows + i)] = a[aOffset + 2 * (i * cols + j)];
      out[outOffset + 2 * (j * rows + i) + 1] = -a[aOffset + 2 * (i * cols + j) + 1];
    }
  }
}

/**
 * The real number `xᴴ V x` for a Hermitian `V` (`n` x `n`) and a vector `x` (`n`). Only
 * the lower triangle and the real diagonal of `V` are read.
 */
export function hermitianQuadraticForm(n: number, v: Float64Array, x: Float64Array, vOffset = 0, xOffset = 0): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const xr = x[xOffset + 2 * i];
    const xi = x[xOffset + 2 * i + 1];
    sum += v[vOffset + 2 * (i * n + i)] * (xr * xr + xi * xi);
    for (let j = 0; j < i; j++) {
      // 2 Re(conj(x_i) V_ij x_j)
      const vr = v[vOffset + 2 * (i * n + j)];
      const vi = v[vOffset + 2 * (i * n + j) + 1];
      const yr = x[xOffset + 2 * j];
      const yi = x[xOffset + 2 * j + 1];
      const pr = vr * yr - vi * yi;
      const pi = vr * yi + vi * yr;
      sum += 2 * (xr * pr + xi * pi);
    }
  }
  return sum;
}

/**
 * Inverse of a 2 x 2 complex matrix in closed form: `out = A⁻¹`. `out` may be `a`.
 * @returns false (and leaves `out` unchanged) when `A` is singular
 */
export function complexInverse2(a: Float64Array, out: Float64Array, aOffset = 0, outOffset = 0): boolean {
  const ar = a[aOffset];
  const ai = a[aOffset + 1];
  const br = a[aOffset + 2];
  const bi = a[aOffset + 3];
  const cr = a[aOffset + 4];
  const ci = a[aOffset + 5];
  const dr = a[aOffset + 6];
  const di = a[aOffset + 7];
  const detR = ar * dr - ai * di - (br * cr - bi * ci);
  const detI = ar * di + ai * dr - (br * ci + bi * cr);
  const mag = detR * detR + detI * detI;
  // Relative to Hadamard's bound |det| <= ‖row 0‖ ‖row 1‖, so row scaling does not matter.
  const bound = Math.sqrt((ar * ar + ai * ai + br * br + bi * bi) * (cr * cr + ci * ci + dr * dr + di * di));
  if (!(mag > 1e-300) || !(Math.sqrt(mag) > 1e-14 * bound)) return false;
  // 1/det
  const er = detR / mag;
  const ei = -detI / mag;
  out[outOffset] = dr * er - di * ei;
  out[outOffset + 1] = dr * ei + di * er;
  out[outOffset + 2] = -(br * er - bi * ei);
  out[outOffset + 3] = -(br * ei + bi * er);
  out[outOffset + 4] = -(cr * er - ci * ei);
  out[outOffset + 5] = -(cr * ei + ci * er);
  out[outOffset + 6] = ar * er - ai * ei;
  out[outOffset + 7] = ar * ei + ai * er;
  return true;
}

/**
 * Inverse of a 3 x 3 complex matrix in closed form (adjugate over determinant):
 * `out = A⁻¹`. `out` may be `a`.
 * @returns false (and leaves `out` unchanged) when `A` is singular
 */
export function complexInverse3(a: Float64Array, out: Float64Array, aOffset = 0, outOffset = 0): boolean {
  const m = aOffset;
  const a00r = a[m], a00i = a[m + 1], a01r = a[m + 2], a01i = a[m + 3], a02r = a[m + 4], a02i = a[m + 5]; // prettier-ignore
  const a10r = a[m + 6], a10i = a[m + 7], a11r = a[m + 8], a11i = a[m + 9], a12r = a[m + 10], a12i = a[m + 11]; // prettier-ignore
  const a20r = a[m + 12], a20i = a[m + 13], a21r = a[m + 14], a21i = a[m + 15], a22r = a[m + 16], a22i = a[m + 17]; // prettier-ignore
  // Cofactors C_ij; inverse = Cᵀ / det.
  const c00r = a11r * a22r - a11i * a22i - (a12r * a21r - a12i * a21i);
  const c00i = a11r * a22i + a11i * a22r - (a12r * a21i + a12i * a21r);
  const c01r = -(a10r * a22r - a10i * a22i - (a12r * a20r - a12i * a20i));
  const c01i = -(a10r * a22i + a10i * a22r - (a12r * a20i + a12i * a20r));
  const c02r = a10r * a21r - a10i * a21i - (a11r * a20r - a11i * a20i);
  const c02i = a10r * a21i + a10i * a21r - (a11r * a20i + a11i * a20r);
  const c10r = -(a01r * a22r - a01i * a22i - (a02r * a21r - a02i * a21i));
  const c10i = -(a01r * a22i + a01i * a22r - (a02r * a21i + a02i * a21r));
  const c11r = a00r * a22r - a00i * a22i - (a02r * a20r - a02i * a20i);
  const c11i = a00r * a22i + a00i * a22r - (a02r * a20i + a02i * a20r);
  const c12r = -(a00r * a21r - a00i * a21i - (a01r * a20r - a01i * a20i));
  const c12i = -(a00r * a21i + a00i * a21r - (a01r * a20i + a01i * a20r));
  const c20r = a01r * a12r - a01i * a12i - (a02r * a11r - a02i * a11i);
  const c20i = a01r * a12i + a01i * a12r - (a02r * a11i + a02i * a11r);
  const c21r = -(a00r * a12r - a00i * a12i - (a02r * a10r - a02i * a10i));
  const c21i = -(a00r * a12i + a00i * a12r - (a02r * a10i + a02i * a10r));
  const c22r = a00r * a11r - a00i * a11i - (a01r * a10r - a01i * a10i);
  const c22i = a00r * a11i + a00i * a11r - (a01r * a10i + a01i * a10r);
  const detR = a00r * c00r - a00i * c00i + a01r * c01r - a01i * c01i + a02r * c02r - a02i * c02i;
  const detI = a00r * c00i + a00i * c00r + a01r * c01i + a01i * c01r + a02r * c02i + a02i * c02r;
  const mag = detR * detR + detI * detI;
  // Relative to Hadamard's bound (product of row norms), so row scaling does not matter.
  let bound = 1;
  for (let r = 0; r < 3; r++) {
    let norm = 0;
    for (let k = 0; k < 6; k++) norm += a[m + 6 * r + k] * a[m + 6 * r + k];
    bound *= Math.sqrt(norm);
  }
  if (!(mag > 1e-300) || !(Math.sqrt(mag) > 1e-14 * bound)) return false;
  const er = detR / mag;
  const ei = -detI / mag;
  const o = outOffset;
  // out_ij = C_ji / det
  out[o] = c00r * er - c00i * ei;
  out[o + 1] = c00r * ei + c00i * er;
  out[o + 2] = c10r * er - c10i * ei;
  out[o + 3] = c10r * ei + c10i * er;
  out[o + 4] = c20r * er - c20i * ei;
  out[o + 5] = c20r * ei + c20i * er;
  out[o + 6] = c01r * er - c01i * ei;
  out[o + 7] = c01r * ei + c01i * er;
  out[o + 8] = c11r * er - c11i * ei;
  out[o + 9] = c11r * ei + c11i * er;
  out[o + 10] = c21r * er - c21i * ei;
  out[o + 11] = c21r * ei + c21i * er;
  out[o + 12] = c02r * er - c02i * ei;
  out[o + 13] = c02r * ei + c02i * er;
  out[o + 14] = c12r * er - c12i * ei;
  out[o + 15] = c12r * ei + c12i * er;
  out[o + 16] = c22r * er - c22i * ei;
  out[o + 17] = c22r * ei + c22i * er;
  return true;
}

/**
 * Scratch space for {@link complexSolve}, {@link complexInverse} and
 * {@link complexLogAbsDet} at size `n`: allocate once per call site, reuse per bin.
 */
export function complexScratch(n: number): Float64Array {
  return new Float64Array(2 * n * n);
}

/**
 * LU factorisation with partial pivoting of `A` (`n` x `n`) copied into `lu` (first
 * `2n²` values of the scratch), row permutation folded into `rhs` (`n` x `k`, may be
 * empty). Returns log |det A|, or -Infinity when singular.
 */
function eliminate(
  n: number,
  a: Float64Array,
  aOffset: number,
  lu: Float64Array,
  rhs: Float64Array,
  k: number,
  rhsOffset: number,
): number {
  for (let i = 0; i < 2 * n * n; i++) lu[i] = a[aOffset + i];
  let scale = 0;
  for (let i = 0; i < 2 * n * n; i++) scale = Math.max(scale, Math.abs(lu[i]));
  // Scale-free enough for unmixing matrices whose rows differ by many orders of magnitude.
  const tiny = 1e-30 * scale;
  let logDet = 0;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    let best = -1;
    for (let r = col; r < n; r++) {
      const re = lu[2 * (r * n + col)];
      const im = lu[2 * (r * n + col) + 1];
      const mag = re * re + im * im;
      if (mag > best) {
        best = mag;
        pivot = r;
      }
    }
    if (!(Math.sqrt(best) > tiny) || !(best > 1e-300)) return -Infinity;
    if (pivot !== col) {
      for (let j = 0; j < 2 * n; j++) {
        const tmp = lu[2 * col * n + j];
        lu[2 * col * n + j] = lu[2 * pivot * n + j];
        lu[2 * pivot * n + j] = tmp;
      }
      for (let j = 0; j < 2 * k; j++) {
        const tmp = rhs[rhsOffset + 2 * col * k + j];
        rhs[rhsOffset + 2 * col * k + j] = rhs[rhsOffset + 2 * pivot * k + j];
        rhs[rhsOffset + 2 * pivot * k + j] = tmp;
      }
    }
    logDet += 0.5 * Math.log(best);
    const pr = lu[2 * (col * n + col)];
    const pi = lu[2 * (col * n + col) + 1];
    const invR = pr / best;
    const invI = -pi / best;
    for (let r = col + 1; r < n; r++) {
      const xr = lu[2 * (r * n + col)];
      const xi = lu[2 * (r * n + col) + 1];
      const fr = xr * invR - xi * invI;
      const fi = xr * invI + xi * invR;
      if (fr === 0 && fi === 0) continue;
      for (let j = col + 1; j < n; j++) {
        const ur = lu[2 * (col * n + j)];
        const ui = lu[2 * (col * n + j) + 1];
        lu[2 * (r * n + j)] -= fr * ur - fi * ui;
        lu[2 * (r * n + j) + 1] -= fr * ui + fi * ur;
      }
      for (let j = 0; j < k; j++) {
        const ur = rhs[rhsOffset + 2 * (col * k + j)];
        const ui = rhs[rhsOffset + 2 * (col * k + j) + 1];
        rhs[rhsOffset + 2 * (r * k + j)] -= fr * ur - fi * ui;
        rhs[rhsOffset + 2 * (r * k + j) + 1] -= fr * ui + fi * ur;
      }
      lu[2 * (r * n + col)] = 0;
      lu[2 * (r * n + col) + 1] = 0;
    }
  }
  return logDet;
}

/** Back substitution `U X = rhs` in place in `rhs` (`n` x `k`). */
function backSubstitute(n: number, lu: Float64Array, rhs: Float64Array, k: number, rhsOffset: number): void {
  for (let r = n - 1; r >= 0; r--) {
    const pr = lu[2 * (r * n + r)];
    const pi = lu[2 * (r * n + r) + 1];
    const mag = pr * pr + pi * pi;
    const invR = pr / mag;
    const invI = -pi / mag;
    for (let j = 0; j < k; j++) {
      let sr = rhs[rhsOffset + 2 * (r * k + j)];
      let si = rhs[rhsOffset + 2 * (r * k + j) + 1];
      for (let c = r + 1; c < n; c++) {
        const ur = lu[2 * (r * n + c)];
        const ui = lu[2 * (r * n + c) + 1];
        const xr = rhs[rhsOffset + 2 * (c * k + j)];
        const xi = rhs[rhsOffset + 2 * (c * k + j) + 1];
        sr -= ur * xr - ui * xi;
        si -= ur * xi + ui * xr;
      }
      rhs[rhsOffset + 2 * (r * k + j)] = sr * invR - si * invI;
      rhs[rhsOffset + 2 * (r * k + j) + 1] = sr * invI + si * invR;
    }
  }
}

/**
 * Solve `A X = B` for `X` by LU with partial pivoting: `A` is `n` x `n`, `B` and `X` are
 * `n` x `k` (`k = 1` for a vector). `x` may be `b` (then `b` is overwritten).
 *
 * @param scratch - from {@link complexScratch}(n), reused across calls
 * @returns false when `A` is singular (then `x` holds garbage)
 */
export function complexSolve(
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  x: Float64Array,
  scratch: Float64Array = complexScratch(n),
  aOffset = 0,
  bOffset = 0,
  xOffset = 0,
): boolean {
  if (x !== b || xOffset !== bOffset) for (let i = 0; i < 2 * n * k; i++) x[xOffset + i] = b[bOffset + i];
  if (eliminate(n, a, aOffset, scratch, x, k, xOffset) === -Infinity) return false;
  backSubstitute(n, scratch, x, k, xOffset);
  return true;
}

/**
 * `out = A⁻¹` for `A` (`n` x `n`), closed forms for n <= 3, LU with partial pivoting above.
 * `out` may be `a` for n <= 3 only.
 *
 * @returns false when `A` is singular
 */
export function complexInverse(
  n: number,
  a: Float64Array,
  out: Float64Array,
  scratch?: Float64Array,
  aOffset = 0,
  outOffset = 0,
): boolean {
  if (n === 1) {
    const re = a[aOffset];
    const im = a[aOffset + 1];
    const mag = re * re + im * im;
    if (!(mag > 1e-300)) return false;
    out[outOffset] = re / mag;
    out[outOffset + 1] = -im / mag;
    return true;
  }
  if (n === 2) return complexInverse2(a, out, aOffset, outOffset);
  if (n === 3) return complexInverse3(a, out, aOffset, outOffset);
  for (let i = 0; i < 2 * n * n; i++) out[outOffset + i] = 0;
  for (let i = 0; i < n; i++) out[outOffset + 2 * (i * n + i)] = 1;
  const lu = scratch ?? complexScratch(n);
  if (eliminate(n, a, aOffset, lu, out, n, outOffset) === -Infinity) return false;
  backSubstitute(n, lu, out, n, outOffset);
  return true;
}

/**
 * `log |det A|` for `A` (`n` x `n`), -Infinity when singular (the `-log|det W|` term of
 * the IVA and ICA likelihoods).
 */
export function complexLogAbsDet(n: number, a: Float64Array, scratch?: Float64Array, aOffset = 0): number {
  if (n === 1) return 0.5 * Math.log(a[aOffset] * a[aOffset] + a[aOffset + 1] * a[aOffset + 1]);
  if (n === 2) {
    const detR = a[aOffset] * a[aOffset + 6] - a[aOffset + 1] * a[aOffset + 7] - (a[aOffset + 2] * a[aOffset + 4] - a[aOffset + 3] * a[aOffset + 5]); // prettier-ignore
    const detI = a[aOffset] * a[aOffset + 7] + a[aOffset + 1] * a[aOffset + 6] - (a[aOffset + 2] * a[aOffset + 5] + a[aOffset + 3] * a[aOffset + 4]); // prettier-ignore
    return 0.5 * Math.log(detR * detR + detI * detI);
  }
  const lu = scratch ?? complexScratch(n);
  return eliminate(n, a, aOffset, lu, lu, 0, 0);
}

/**
 * Throw a `failed` {@link UnmixError} naming `what` when a kernel reported a singular
 * matrix: the one message for "the data made the algorithm divide by zero".
 */
export function singularMatrixError(what: string): UnmixError {
  return new UnmixError(`${what} became singular; the input may have silent or identical channels`, 'failed');
}
