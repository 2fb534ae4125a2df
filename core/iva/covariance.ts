/**
 * Per-frequency-bin covariance kernels over the bin-major STFT layout of
 * `core/signal/stft.ts` (bin `f`, frame `t` of a channel at `2 * (f * frames + t)`).
 * These are the inner loops of AuxIVA, ILRMA and the PCA reduction: one pass over the
 * frames of a bin builds every source's weighted covariance at once.
 */

/**
 * Weighted covariances `V_k = (1/T) Σ_t u_k[t] x_t x_tᴴ` of bin `f` for `k = 0 .. K-1`, where
 * `x_t` stacks the `dims` channels. Only the lower triangle and real diagonal are computed
 * and then mirrored, so each is exactly Hermitian.
 *
 * @param channels - `dims` bin-major STFT arrays
 * @param weights - `u_k[t]` at `weights[weightOffset + k * frames + t]`
 * @param out - `K` Hermitian `dims` x `dims` matrices, interleaved, matrix `k` at `2 * k * dims * dims`
 * @param products - scratch of `dims * (dims + 1)` values
 */
export function weightedCovariances(
  channels: readonly Float64Array[],
  dims: number,
  frames: number,
  f: number,
  weights: Float64Array,
  weightOffset: number,
  sources: number,
  out: Float64Array,
  products: Float64Array,
): void {
  const size = 2 * dims * dims;
  out.fill(0, 0, sources * size);
  const base = 2 * f * frames;
  if (dims === 2) {
    weightedCovariances2(channels[0], channels[1], base, frames, weights, weightOffset, sources, out);
  } else if (dims === 3) {
    weightedCovariances3(channels, base, frames, weights, weightOffset, sources, out);
  } else {
    const pairs = (dims * (dims + 1)) / 2;
    for (let t = 0; t < frames; t++) {
      // Lower-triangle products x_i conj(x_j), i >= j, in a fixed order.
      let p = 0;
      for (let i = 0; i < dims; i++) {
        const xi = channels[i];
        const ar = xi[base + 2 * t];
        const ai = xi[base + 2 * t + 1];
        for (let j = 0; j <= i; j++) {
          const xj = channels[j];
          const br = xj[base + 2 * t];
          const bi = xj[base + 2 * t + 1];
          products[p++] = ar * br + ai * bi;
          products[p++] = ai * br - ar * bi;
        }
      }
      for (let k = 0; k < sources; k++) {
        const u = weights[weightOffset + k * frames + t];
        const o = k * pairs * 2;
        // Accumulate packed; unpacked below.
        for (let q = 0; q < 2 * pairs; q++) out[o + q] += u * products[q];
      }
    }
    // Unpack each packed lower triangle (stored at the start of its slot) into a full matrix.
    for (let k = sources - 1; k >= 0; k--) {
      const o = k * pairs * 2;
      for (let q = 0; q < 2 * pairs; q++) products[q] = out[o + q];
      out.fill(0, o, o + 2 * pairs);
      const m = k * size;
      let p = 0;
      for (let i = 0; i < dims; i++) {
        for (let j = 0; j <= i; j++) {
          const re = products[p++] / frames;
          const im = products[p++] / frames;
          out[m + 2 * (i * dims + j)] = re;
          out[m + 2 * (i * dims + j) + 1] = i === j ? 0 : im;
          out[m + 2 * (j * dims + i)] = re;
          out[m + 2 * (j * dims + i) + 1] = i === j ? 0 : -im;
        }
      }
    }
  }
}

function weightedCovariances2(
  x0: Float64Array,
  x1: Float64Array,
  base: number,
  frames: number,
  weights: Float64Array,
  weightOffset: number,
  sources: number,
  out: Float64Array,
): void {
  if (sources === 2) {
    // The common 2x2 case in one pass: each frame's products are formed once for both sources.
    let a0 = 0;
    let d0 = 0;
    let cr0 = 0;
    let ci0 = 0;
    let a1 = 0;
    let d1 = 0;
    let cr1 = 0;
    let ci1 = 0;
    const w1 = weightOffset + frames;
    for (let t = 0, i = base; t < frames; t++, i += 2) {
      const u0 = weights[weightOffset + t];
      const u1 = weights[w1 + t];
      const ar = x0[i];
      const ai = x0[i + 1];
      const br = x1[i];
      const bi = x1[i + 1];
      const p00 = ar * ar + ai * ai;
      const p11 = br * br + bi * bi;
      const pr = br * ar + bi * ai;
      const pi = bi * ar - br * ai;
      a0 += u0 * p00;
      d0 += u0 * p11;
      cr0 += u0 * pr;
      ci0 += u0 * pi;
      a1 += u1 * p00;
      d1 += u1 * p11;
      cr1 += u1 * pr;
      ci1 += u1 * pi;
    }
    const inv = 1 / frames;
    out[0] = a0 * inv;
    out[1] = 0;
    out[2] = cr0 * inv;
    out[3] = -ci0 * inv;
    out[4] = cr0 * inv;
    out[5] = ci0 * inv;
    out[6] = d0 * inv;
    out[7] = 0;
    out[8] = a1 * inv;
    out[9] = 0;
    out[10] = cr1 * inv;
    out[11] = -ci1 * inv;
    out[12] = cr1 * inv;
    out[13] = ci1 * inv;
    out[14] = d1 * inv;
    out[15] = 0;
    return;
  }
  for (let k = 0; k < sources; k++) {
    let a = 0;
    let d = 0;
    let cr = 0;
    let ci = 0;
    const w = weightOffset + k * frames;
    for (let t = 0, i = base; t < frames; t++, i += 2) {
      const u = weights[w + t];
      const ar = x0[i];
      const ai = x0[i + 1];
      const br = x1[i];
      const bi = x1[i + 1];
      a += u * (ar * ar + ai * ai);
      d += u * (br * br + bi * bi);
      // x1 conj(x0)
      cr += u * (br * ar + bi * ai);
      ci += u * (bi * ar - br * ai);
    }
    const o = 8 * k;
    out[o] = a / frames;
    out[o + 1] = 0;
    out[o + 2] = cr / frames;
    out[o + 3] = -ci / frames;
    out[o + 4] = cr / frames;
    out[o + 5] = ci / frames;
    out[o + 6] = d / frames;
    out[o + 7] = 0;
  }
}

/**
 * Plain covariance `C = (1/T) Σ_t x_t x_tᴴ` of bin `f` (`dims` x `dims`, interleaved) into
 * `out` at `outOffset`.
 */
export function binCovariance(
  channels: readonly Float64Array[],
  dims: number,
  frames: number,
  f: number,
  out: Float64Array,
  outOffset = 0,
): void {
  const base = 2 * f * frames;
  for (let i = 0; i < dims; i++) {
    const xi = channels[i];
    for (let j = 0; j <= i; j++) {
      const xj = channels[j];
      let re = 0;
      let im = 0;
      for (let t = 0, p = base; t < frames; t++, p += 2) {
        const ar = xi[p];
        const ai = xi[p + 1];
        const br = xj[p];
        const bi = xj[p + 1];
        re += ar * br + ai * bi;
        im += ai * br - ar * bi;
      }
      out[outOffset + 2 * (i * dims + j)] = re / frames;
      out[outOffset + 2 * (i * dims + j) + 1] = i === j ? 0 : im / frames;
      out[outOffset + 2 * (j * dims + i)] = re / frames;
      out[outOffset + 2 * (j * dims + i) + 1] = i === j ? 0 : -im / frames;
    }
  }
}

/** The 3-channel case with every accumulator in a local variable (one sweep per source). */
function weightedCovariances3(
  channels: readonly Float64Array[],
  base: number,
  frames: number,
  weights: Float64Array,
  weightOffset: number,
  sources: number,
  out: Float64Array,
): void {
  const x0 = channels[0];
  const x1 = channels[1];
  const x2 = channels[2];
  const inv = 1 / frames;
  for (let k = 0; k < sources; k++) {
    let c00 = 0;
    let c11 = 0;
    let c22 = 0;
    let c10r = 0;
    let c10i = 0;
    let c20r = 0;
    let c20i = 0;
    let c21r = 0;
    let c21i = 0;
    const w = weightOffset + k * frames;
    for (let t = 0, i = base; t < frames; t++, i += 2) {
      const u = weights[w + t];
      const ar = x0[i];
      const ai = x0[i + 1];
      const br = x1[i];
      const bi = x1[i + 1];
      const cr = x2[i];
      const ci = x2[i + 1];
      c00 += u * (ar * ar + ai * ai);
      c11 += u * (br * br + bi * bi);
      c22 += u * (cr * cr + ci * ci);
      // x_i conj(x_j) for i > j
      c10r += u * (br * ar + bi * ai);
      c10i += u * (bi * ar - br * ai);
      c20r += u * (cr * ar + ci * ai);
      c20i += u * (ci * ar - cr * ai);
      c21r += u * (cr * br + ci * bi);
      c21i += u * (ci * br - cr * bi);
    }
    const o = 18 * k;
    out[o] = c00 * inv;
    out[o + 1] = 0;
    out[o + 2] = c10r * inv;
    out[o + 3] = -c10i * inv;
    out[o + 4] = c20r * inv;
    out[o + 5] = -c20i * inv;
    out[o + 6] = c10r * inv;
    out[o + 7] = c10i * inv;
    out[o + 8] = c11 * inv;
    out[o + 9] = 0;
    out[o + 10] = c21r * inv;
    out[o + 11] = -c21i * inv;
    out[o + 12] = c20r * inv;
    out[o + 13] = c20i * inv;
    out[o + 14] = c21r * inv;
    out[o + 15] = c21i * inv;
    out[o + 16] = c22 * inv;
    out[o + 17] = 0;
  }
}
