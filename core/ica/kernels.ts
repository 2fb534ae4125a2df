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
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * stride;
    for (let c0 = 0; c0 < cols; c0 += 4) {
      const m0 = w[r * cols + c0];
      const x0 = z[c0];
      const m1 = c0 + 1 < cols ? w[r * cols + c0 + 1] : 0;
      const x1 = c0 + 1 < cols ? z[c0 + 1] : x0;
      const m2 = c0 + 2 < cols ? w[r * cols + c0 + 2] : 0;
      const x2 = c0 + 2 < cols ? z[c0 + 2] : x0;
      const m3 = c0 + 3 < cols ? w[r * cols + c0 + 3] : 0;
      const x3 = c0 + 3 < cols ? z[c0 + 3] : x0;
      if (c0 === 0) {
        for (let i = 0; i < len; i++) {
          const t = start + i;
          out[o + i] = m0 * x0[t] + m1 * x1[t] + m2 * x2[t] + m3 * x3[t];
        }
      } else {
        for (let i = 0; i < len; i++) {
          const t = start + i;
          out[o + i] += m0 * x0[t] + m1 * x1[t] + m2 * x2[t] + m3 * x3[t];
        }
      }
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
