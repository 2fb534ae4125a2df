/**
 * Hot loops shared by the ICA methods: one block of `y = W z` at a time, so the
 * nonlinearity and the moment sums of a block run while it is in cache, and no full-size
 * intermediate (W z, tanh, ...) is ever stored.
 */

/**
 * `out[r * stride + i] = Σ_c W[r][c] z_c[start + i]` for `i < len`: one block of `y = W z`,
 * unrolled by four columns.
 *
 * @param w - row-major n x n (or rows x cols) matrix
 * @param out - rows x stride block buffer
 * @param bias - optional per-row constant added to every output sample
 */
export function multiplyBlock(
  w: Float64Array,
  rows: number,
  cols: number,
  z: Float64Array[],
  start: number,
  len: number,
  out: Float64Array,
  stride: number,
  bias?: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * stride;
    const b = bias ? bias[r] : 0;
    const row = r * cols;
    let c0 = 0;
    // Groups of four columns, then an exact remainder of 1-3 (no wasted zero columns).
    for (; c0 + 4 <= cols; c0 += 4) {
      const m0 = w[row + c0];
      const m1 = w[row + c0 + 1];
      const m2 = w[row + c0 + 2];
      const m3 = w[row + c0 + 3];
      const x0 = z[c0];
      const x1 = z[c0 + 1];
      const x2 = z[c0 + 2];
      const x3 = z[c0 + 3];
      if (c0 === 0) {
        for (let i = 0, t = start; i < len; i++, t++)
          out[o + i] = b + m0 * x0[t] + m1 * x1[t] + m2 * x2[t] + m3 * x3[t];
      } else {
        for (let i = 0, t = start; i < len; i++, t++) out[o + i] += m0 * x0[t] + m1 * x1[t] + m2 * x2[t] + m3 * x3[t];
      }
    }
    const rest = cols - c0;
    if (rest === 0) continue;
    const first = c0 === 0;
    const m0 = w[row + c0];
    const x0 = z[c0];
    if (rest === 1) {
      if (first) for (let i = 0, t = start; i < len; i++, t++) out[o + i] = b + m0 * x0[t];
      else for (let i = 0, t = start; i < len; i++, t++) out[o + i] += m0 * x0[t];
    } else if (rest === 2) {
      const m1 = w[row + c0 + 1];
      const x1 = z[c0 + 1];
      if (first) for (let i = 0, t = start; i < len; i++, t++) out[o + i] = b + m0 * x0[t] + m1 * x1[t];
      else for (let i = 0, t = start; i < len; i++, t++) out[o + i] += m0 * x0[t] + m1 * x1[t];
    } else {
      const m1 = w[row + c0 + 1];
      const x1 = z[c0 + 1];
      const m2 = w[row + c0 + 2];
      const x2 = z[c0 + 2];
      if (first) for (let i = 0, t = start; i < len; i++, t++) out[o + i] = b + m0 * x0[t] + m1 * x1[t] + m2 * x2[t];
      else for (let i = 0, t = start; i < len; i++, t++) out[o + i] += m0 * x0[t] + m1 * x1[t] + m2 * x2[t];
    }
  }
}

/**
 * Accumulate `acc[r * n + c] += Σ_i a[r * stride + i] · b[c * stride + i]` over a block:
 * the cross moments `E[a_r b_c]` of two n-row blocks (unnormalised).
 */
export function accumulateCross(
  a: Float64Array,
  b: Float64Array,
  n: number,
  len: number,
  stride: number,
  acc: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const ra = r * stride;
    for (let c = 0; c < n; c++) {
      const cb = c * stride;
      let s0 = 0;
      let s1 = 0;
      let i = 0;
      // Two accumulators halve the dependency chain of the sum.
      for (; i + 1 < len; i += 2) {
        s0 += a[ra + i] * b[cb + i];
        s1 += a[ra + i + 1] * b[cb + i + 1];
      }
      if (i < len) s0 += a[ra + i] * b[cb + i];
      acc[r * n + c] += s0 + s1;
    }
  }
}

/** Copy every `stride`-th sample (from `offset`) of planar channels into new contiguous arrays. */
export function subsample(z: Float64Array[], stride: number, offset = 0): Float64Array[] {
  if (stride <= 1) return z;
  return z.map((x) => {
    const count = Math.floor((x.length - 1 - offset) / stride) + 1;
    const out = new Float64Array(count);
    for (let i = 0, t = offset; i < count; i++, t += stride) out[i] = x[t];
    return out;
  });
}
