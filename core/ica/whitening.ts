import { UnmixError } from '../errors.js';
import { symmetricEigen } from '../linalg/real.js';
import { accumulateCross, multiplyBlock } from './kernels.js';

/**
 * Preprocessing of instantaneous ICA: centring and whitening by PCA. After whitening,
 * `z = K (x − mean)` has identity covariance, so the unmixing left to find is a rotation
 * (up to scale), which makes every ICA method better conditioned.
 */

/** Samples per block in the blocked kernels: a block of every channel stays in cache. */
export const BLOCK = 2048;

/** A whitening transform `z = K (x − mean)`. */
export interface Whitening {
  /** Number of whitened outputs n (<= channels). */
  rows: number;
  /** Number of input channels m. */
  cols: number;
  /** Row-major n x m whitening matrix K = Λ^(-1/2) Vᵀ over the n principal components. */
  matrix: Float64Array;
  /** Per-channel mean (length m). */
  mean: Float64Array;
  /** All m eigenvalues of the channel covariance, decreasing (variance per principal component). */
  eigenvalues: Float64Array;
}

/** Per-channel means of planar channels. */
export function channelMeans(channels: Float64Array[]): Float64Array {
  const mean = new Float64Array(channels.length);
  channels.forEach((x, c) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    mean[c] = x.length > 0 ? s / x.length : 0;
  });
  return mean;
}

/**
 * Covariance `E[(x − mean)(x − mean)ᵀ]` of planar channels (m x m, row-major), in blocks so
 * each block of every channel is read from cache for all channel pairs.
 */
export function covariance(channels: Float64Array[], mean: Float64Array): Float64Array {
  const m = channels.length;
  const frames = m > 0 ? channels[0].length : 0;
  const cov = new Float64Array(m * m);
  const centred = new Float64Array(m * BLOCK);
  for (let start = 0; start < frames; start += BLOCK) {
    const len = Math.min(BLOCK, frames - start);
    for (let c = 0; c < m; c++) {
      const x = channels[c];
      const o = c * BLOCK;
      const mu = mean[c];
      for (let i = 0; i < len; i++) centred[o + i] = x[start + i] - mu;
    }
    accumulateCross(centred, centred, m, len, BLOCK, cov);
  }
  if (frames > 0) for (let k = 0; k < m * m; k++) cov[k] /= frames;
  // Exactly symmetric (the tiles sum in different orders).
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) cov[b * m + a] = cov[a * m + b];
  return cov;
}

/**
 * Compute the PCA whitening of planar channels, reduced to the `n` principal components.
 *
 * @param channels - m planar channels, all the same length
 * @param n - number of outputs, 1..m; default m
 * @throws UnmixError (`input`) when a channel is silent, or when the channels are
 *   rank-deficient (e.g. a duplicated channel) so that `n` independent components do not
 *   exist; (`usage`) when `n` is out of range.
 */
export function computeWhitening(channels: Float64Array[], n = channels.length): Whitening {
  const m = channels.length;
  if (!Number.isInteger(n) || n < 1 || n > m) {
    throw new UnmixError(`cannot extract ${n} sources from ${m} channel${m === 1 ? '' : 's'}`, 'usage');
  }
  const mean = channelMeans(channels);
  const cov = covariance(channels, mean);
  let largest = 0;
  for (let c = 0; c < m; c++) largest = Math.max(largest, cov[c * m + c]);
  for (let c = 0; c < m; c++) {
    if (!(cov[c * m + c] > 1e-20 * largest) || largest === 0) {
      throw new UnmixError(
        `channel ${c + 1} is silent (constant); remove it or ask for fewer sources than channels`,
        'input',
      );
    }
  }
  const { values, vectors } = symmetricEigen(cov, m);
  // Relative threshold: 1e-10 of the strongest component is far below any real source
  // (-100 dB) but above round-off, which for an exact duplicate is ~1e-16.
  if (!(values[n - 1] > 1e-10 * values[0])) {
    let rank = 0;
    while (rank < m && values[rank] > 1e-10 * values[0]) rank++;
    throw new UnmixError(
      `the channels are linearly dependent (a duplicated or silent channel?): they hold at most ${rank} independent signal${rank === 1 ? '' : 's'}, but ${n} sources were asked for`,
      'input',
    );
  }
  const matrix = new Float64Array(n * m);
  for (let k = 0; k < n; k++) {
    const s = 1 / Math.sqrt(values[k]);
    for (let c = 0; c < m; c++) matrix[k * m + c] = vectors[c * m + k] * s;
  }
  return { rows: n, cols: m, matrix, mean, eigenvalues: values };
}

/**
 * Apply a `rows x cols` matrix to planar channels: `out_r = Σ_c M[r][c] (x_c − offset_c)`.
 * Unrolled by four columns (see `multiplyBlock`), so each output sample is written once per group.
 *
 * @param offset - per-channel value subtracted first (e.g. the mean); default none
 * @param out - optional `rows` output arrays of the channels' length
 */
export function applyMatrix(
  matrix: Float64Array,
  rows: number,
  cols: number,
  channels: Float64Array[],
  offset?: Float64Array,
  out?: Float64Array[],
): Float64Array[] {
  const frames = cols > 0 ? channels[0].length : 0;
  const result = out ?? Array.from({ length: rows }, () => new Float64Array(frames));
  // y = M x − M offset: fold the offset into one constant per row.
  const bias = new Float64Array(rows);
  if (offset) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) bias[r] -= matrix[r * cols + c] * offset[c];
  }
  if (cols === 0) {
    for (let r = 0; r < rows; r++) result[r].fill(bias[r]);
    return result;
  }
  // Block by block through the tiled kernel, then copied out to the planar rows.
  const block = new Float64Array(rows * BLOCK);
  for (let start = 0; start < frames; start += BLOCK) {
    const len = Math.min(BLOCK, frames - start);
    multiplyBlock(matrix, rows, cols, channels, start, len, block, BLOCK, bias);
    for (let r = 0; r < rows; r++) {
      const y = result[r];
      const o = r * BLOCK;
      for (let i = 0; i < len; i++) y[start + i] = block[o + i];
    }
  }
  return result;
}
