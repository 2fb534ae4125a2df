import { complexInverse, complexMatMul, complexScratch, complexSolve } from '../linalg/complex.js';

/**
 * The per-bin update rules shared by AuxIVA and ILRMA: iterative projection (IP,
 * Ono 2011), iterative source steering (ISS, Scheibler & Ono 2020) and the OverIVA
 * background update (Scheibler & Ono 2019). Each works on one bin's unmixing matrix
 * `W` (`rows` x `dims`, interleaved, row `k` = `w_kᴴ`, so `y_k = W[k, :] x`).
 */

/** Scratch buffers of {@link ipUpdate} for `dims` channels. */
export interface IpScratch {
  product: Float64Array;
  inverse: Float64Array;
  vector: Float64Array;
  unit: Float64Array;
  lu: Float64Array;
}

/** Allocate {@link IpScratch} once per call. */
export function ipScratch(dims: number): IpScratch {
  return {
    product: new Float64Array(2 * dims * dims),
    inverse: new Float64Array(2 * dims * dims),
    vector: new Float64Array(2 * dims),
    unit: new Float64Array(2 * dims),
    lu: complexScratch(dims),
  };
}

/**
 * `Σ_ab W[k, a] V[a, b] conj(W[j, b])` = `(1/T) Σ_t u_t y_k(t) conj(y_j(t))` for the weighted
 * covariance `V` of the weights `u`: one entry of the relative gradient `E[φ(y) yᴴ] - I`.
 * Writes the complex value into `out[0..1]`.
 */
export function weightedCrossMoment(
  dims: number,
  w: Float64Array,
  wOffset: number,
  k: number,
  j: number,
  v: Float64Array,
  vOffset: number,
  out: Float64Array,
): void {
  let re = 0;
  let im = 0;
  for (let b = 0; b < dims; b++) {
    // (W[k,:] V)[b]
    let sr = 0;
    let si = 0;
    for (let a = 0; a < dims; a++) {
      const wr = w[wOffset + 2 * (k * dims + a)];
      const wi = w[wOffset + 2 * (k * dims + a) + 1];
      const vr = v[vOffset + 2 * (a * dims + b)];
      const vi = v[vOffset + 2 * (a * dims + b) + 1];
      sr += wr * vr - wi * vi;
      si += wr * vi + wi * vr;
    }
    const cr = w[wOffset + 2 * (j * dims + b)];
    const ci = -w[wOffset + 2 * (j * dims + b) + 1];
    re += sr * cr - si * ci;
    im += sr * ci + si * cr;
  }
  out[0] = re;
  out[1] = im;
}

/**
 * Iterative projection for row `k` (Ono 2011, eq. 15-16): `w_k = (W V_k)⁻¹ e_k`, then
 * `w_k /= sqrt(w_kᴴ V_k w_k)`; row `k` of `W` becomes `w_kᴴ`. `W` must be square
 * (`dims` x `dims`, OverIVA included). `V_k` must be Hermitian positive definite (add a
 * small diagonal load before calling).
 *
 * @returns false when `W V_k` is singular (then `W` is unchanged)
 */
export function ipUpdate(
  dims: number,
  w: Float64Array,
  wOffset: number,
  k: number,
  v: Float64Array,
  vOffset: number,
  scratch: IpScratch,
): boolean {
  const { product, inverse, vector, unit, lu } = scratch;
  complexMatMul(dims, dims, dims, w, v, product, wOffset, vOffset);
  if (dims <= 3) {
    if (!complexInverse(dims, product, inverse)) return false;
    for (let a = 0; a < dims; a++) {
      vector[2 * a] = inverse[2 * (a * dims + k)];
      vector[2 * a + 1] = inverse[2 * (a * dims + k) + 1];
    }
  } else {
    unit.fill(0);
    unit[2 * k] = 1;
    if (!complexSolve(dims, 1, product, unit, vector, lu)) return false;
  }
  // wᴴ V w (real, positive)
  let q = 0;
  for (let a = 0; a < dims; a++) {
    let sr = 0;
    let si = 0;
    for (let b = 0; b < dims; b++) {
      const vr = v[vOffset + 2 * (a * dims + b)];
      const vi = v[vOffset + 2 * (a * dims + b) + 1];
      sr += vr * vector[2 * b] - vi * vector[2 * b + 1];
      si += vr * vector[2 * b + 1] + vi * vector[2 * b];
    }
    q += vector[2 * a] * sr + vector[2 * a + 1] * si;
  }
  if (!(q > 0) || !Number.isFinite(q)) return false;
  const scale = 1 / Math.sqrt(q);
  for (let a = 0; a < dims; a++) {
    w[wOffset + 2 * (k * dims + a)] = scale * vector[2 * a];
    w[wOffset + 2 * (k * dims + a) + 1] = -scale * vector[2 * a + 1];
  }
  return true;
}

/**
 * OverIVA background update (Scheibler & Ono 2019): rows `sources .. dims-1` of `W`
 * become `[J, -I]` with `J = B A⁻¹`, where `A` (`sources` x `sources`) and `B` are the
 * top and bottom rows of `C W_sᴴ` (`C` the bin's covariance, `W_s` the target rows), so
 * that the background is uncorrelated with every target.
 *
 * @returns false when `A` is singular (then `W` is unchanged)
 */
export function overIvaBackground(
  dims: number,
  sources: number,
  w: Float64Array,
  wOffset: number,
  c: Float64Array,
  cOffset: number,
  scratch: { cw: Float64Array; a: Float64Array; aInv: Float64Array; lu: Float64Array },
): boolean {
  const { cw, a, aInv, lu } = scratch;
  // cw = C W_sᴴ (dims x sources)
  for (let i = 0; i < dims; i++) {
    for (let k = 0; k < sources; k++) {
      let re = 0;
      let im = 0;
      for (let b = 0; b < dims; b++) {
        const cr = c[cOffset + 2 * (i * dims + b)];
        const ci = c[cOffset + 2 * (i * dims + b) + 1];
        const wr = w[wOffset + 2 * (k * dims + b)];
        const wi = -w[wOffset + 2 * (k * dims + b) + 1];
        re += cr * wr - ci * wi;
        im += cr * wi + ci * wr;
      }
      cw[2 * (i * sources + k)] = re;
      cw[2 * (i * sources + k) + 1] = im;
    }
  }
  a.set(cw.subarray(0, 2 * sources * sources));
  if (!complexInverse(sources, a, aInv, lu)) return false;
  const background = dims - sources;
  for (let i = 0; i < background; i++) {
    const row = wOffset + 2 * (sources + i) * dims;
    // J[i, :] = B[i, :] A⁻¹
    complexMatMul(1, sources, sources, cw, aInv, w, 2 * (sources + i) * sources, 0, row);
    for (let j = sources; j < dims; j++) {
      w[row + 2 * j] = j - sources === i ? -1 : 0;
      w[row + 2 * j + 1] = 0;
    }
  }
  return true;
}

/**
 * Iterative source steering for one bin (Scheibler & Ono 2020, Algorithm 1): for each
 * source `k`, rank-1 update `y_j -= v_j y_k`, `W[j, :] -= v_j W[k, :]` with
 * `v_j = Σ u_j y_j y_k* / Σ u_j |y_k|²` (`j ≠ k`) and `v_k = 1 - (Σ u_k |y_k|² / T)^{-1/2}`.
 * No matrix inverse: cheaper than IP and stable.
 *
 * @param y - the bin's outputs, `sources` rows of `frames` complex values (updated in place)
 * @param weights - `u_k[t]` at `weights[weightOffset + k * frames + t]`
 * @param v - scratch of `2 * sources` values
 * @returns the squared norm of the relative gradient `E[u y yᴴ] - I` as the sweep sees it
 *   (column `k` taken just before its own update), for the trace at no extra cost
 */
export function issUpdate(
  sources: number,
  frames: number,
  w: Float64Array,
  wOffset: number,
  y: Float64Array,
  weights: Float64Array,
  weightOffset: number,
  v: Float64Array,
): number {
  if (sources === 2) return issUpdate2(frames, w, wOffset, y, weights, weightOffset);
  const dims = sources;
  let gradient = 0;
  for (let k = 0; k < sources; k++) {
    const yk = 2 * k * frames;
    for (let j = 0; j < sources; j++) {
      const uj = weightOffset + j * frames;
      const yj = 2 * j * frames;
      let nr = 0;
      let ni = 0;
      let den = 0;
      for (let t = 0; t < frames; t++) {
        const u = weights[uj + t];
        const ar = y[yk + 2 * t];
        const ai = y[yk + 2 * t + 1];
        den += u * (ar * ar + ai * ai);
        if (j !== k) {
          const br = y[yj + 2 * t];
          const bi = y[yj + 2 * t + 1];
          // y_j conj(y_k)
          nr += u * (br * ar + bi * ai);
          ni += u * (bi * ar - br * ai);
        }
      }
      if (j === k) {
        const mean = den / frames;
        gradient += (mean - 1) * (mean - 1);
        v[2 * j] = mean > 0 ? 1 - 1 / Math.sqrt(mean) : 0;
        v[2 * j + 1] = 0;
      } else if (den > 0) {
        gradient += (nr * nr + ni * ni) / (frames * frames);
        v[2 * j] = nr / den;
        v[2 * j + 1] = ni / den;
      } else {
        v[2 * j] = 0;
        v[2 * j + 1] = 0;
      }
    }
    // Others first (they use the old y_k and W[k, :]), then k itself.
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < sources; j++) {
        if ((pass === 0) === (j === k)) continue;
        const vr = v[2 * j];
        const vi = v[2 * j + 1];
        if (vr === 0 && vi === 0) continue;
        const yj = 2 * j * frames;
        for (let t = 0; t < frames; t++) {
          const ar = y[yk + 2 * t];
          const ai = y[yk + 2 * t + 1];
          y[yj + 2 * t] -= vr * ar - vi * ai;
          y[yj + 2 * t + 1] -= vr * ai + vi * ar;
        }
        for (let d = 0; d < dims; d++) {
          const ar = w[wOffset + 2 * (k * dims + d)];
          const ai = w[wOffset + 2 * (k * dims + d) + 1];
          w[wOffset + 2 * (j * dims + d)] -= vr * ar - vi * ai;
          w[wOffset + 2 * (j * dims + d) + 1] -= vr * ai + vi * ar;
        }
      }
    }
  }
  return gradient;
}

/** {@link issUpdate} for 2 sources: two sweeps over the frames per source instead of four. */
function issUpdate2(
  frames: number,
  w: Float64Array,
  wOffset: number,
  y: Float64Array,
  weights: Float64Array,
  weightOffset: number,
): number {
  let gradient = 0;
  for (let k = 0; k < 2; k++) {
    const o = 1 - k;
    const yk = 2 * k * frames;
    const yo = 2 * o * frames;
    const uk = weightOffset + k * frames;
    const uo = weightOffset + o * frames;
    let denK = 0;
    let denO = 0;
    let nr = 0;
    let ni = 0;
    for (let t = 0; t < frames; t++) {
      const ar = y[yk + 2 * t];
      const ai = y[yk + 2 * t + 1];
      const br = y[yo + 2 * t];
      const bi = y[yo + 2 * t + 1];
      const p = ar * ar + ai * ai;
      const u = weights[uo + t];
      denK += weights[uk + t] * p;
      denO += u * p;
      // y_o conj(y_k)
      nr += u * (br * ar + bi * ai);
      ni += u * (bi * ar - br * ai);
    }
    const mean = denK / frames;
    gradient += (mean - 1) * (mean - 1) + (nr * nr + ni * ni) / (frames * frames);
    const vk = mean > 0 ? 1 - 1 / Math.sqrt(mean) : 0;
    const vr = denO > 0 ? nr / denO : 0;
    const vi = denO > 0 ? ni / denO : 0;
    const keep = 1 - vk;
    for (let t = 0; t < frames; t++) {
      const ar = y[yk + 2 * t];
      const ai = y[yk + 2 * t + 1];
      y[yo + 2 * t] -= vr * ar - vi * ai;
      y[yo + 2 * t + 1] -= vr * ai + vi * ar;
      y[yk + 2 * t] = keep * ar;
      y[yk + 2 * t + 1] = keep * ai;
    }
    for (let d = 0; d < 2; d++) {
      const ar = w[wOffset + 2 * (k * 2 + d)];
      const ai = w[wOffset + 2 * (k * 2 + d) + 1];
      w[wOffset + 2 * (o * 2 + d)] -= vr * ar - vi * ai;
      w[wOffset + 2 * (o * 2 + d) + 1] -= vr * ai + vi * ar;
      w[wOffset + 2 * (k * 2 + d)] = keep * ar;
      w[wOffset + 2 * (k * 2 + d) + 1] = keep * ai;
    }
  }
  return gradient;
}

/**
 * Outputs of one bin: `y[k, t] = Σ_d W[k, d] x_d(f, t)` for the first `rows` rows, into `y`
 * (`rows` x `frames` complex), and `|y|²` added into `power[k * frames + t]` when given.
 */
export function demixBin(
  channels: readonly Float64Array[],
  dims: number,
  frames: number,
  f: number,
  w: Float64Array,
  wOffset: number,
  rows: number,
  y: Float64Array | null,
  power: Float64Array | null,
): void {
  const base = 2 * f * frames;
  if (dims === 2 && rows === 2 && power && !y) {
    // The 2x2 case of the AuxIVA pass in one sweep over the frames.
    const x0 = channels[0];
    const x1 = channels[1];
    const ar = w[wOffset];
    const ai = w[wOffset + 1];
    const br = w[wOffset + 2];
    const bi = w[wOffset + 3];
    const cr = w[wOffset + 4];
    const ci = w[wOffset + 5];
    const dr = w[wOffset + 6];
    const di = w[wOffset + 7];
    for (let t = 0, i = base; t < frames; t++, i += 2) {
      const xr = x0[i];
      const xi = x0[i + 1];
      const zr = x1[i];
      const zi = x1[i + 1];
      const y0r = ar * xr - ai * xi + br * zr - bi * zi;
      const y0i = ar * xi + ai * xr + br * zi + bi * zr;
      const y1r = cr * xr - ci * xi + dr * zr - di * zi;
      const y1i = cr * xi + ci * xr + dr * zi + di * zr;
      power[t] += y0r * y0r + y0i * y0i;
      power[frames + t] += y1r * y1r + y1i * y1i;
    }
    return;
  }
  for (let k = 0; k < rows; k++) {
    const o = wOffset + 2 * k * dims;
    if (dims === 2) {
      const ar = w[o];
      const ai = w[o + 1];
      const br = w[o + 2];
      const bi = w[o + 3];
      const x0 = channels[0];
      const x1 = channels[1];
      for (let t = 0, i = base; t < frames; t++, i += 2) {
        const re = ar * x0[i] - ai * x0[i + 1] + br * x1[i] - bi * x1[i + 1];
        const im = ar * x0[i + 1] + ai * x0[i] + br * x1[i + 1] + bi * x1[i];
        if (y) {
          y[2 * (k * frames + t)] = re;
          y[2 * (k * frames + t) + 1] = im;
        }
        if (power) power[k * frames + t] += re * re + im * im;
      }
      continue;
    }
    for (let t = 0; t < frames; t++) {
      let re = 0;
      let im = 0;
      for (let d = 0; d < dims; d++) {
        const wr = w[o + 2 * d];
        const wi = w[o + 2 * d + 1];
        const xr = channels[d][base + 2 * t];
        const xi = channels[d][base + 2 * t + 1];
        re += wr * xr - wi * xi;
        im += wr * xi + wi * xr;
      }
      if (y) {
        y[2 * (k * frames + t)] = re;
        y[2 * (k * frames + t) + 1] = im;
      }
      if (power) power[k * frames + t] += re * re + im * im;
    }
  }
}
