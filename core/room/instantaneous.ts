import type { MultichannelSignal } from '../audio/signal.js';
import { UnmixError } from '../errors.js';
import { orthonormalizeColumns, type RealMatrix } from '../linalg/real.js';
import { createRandom, type Random } from '../random.js';

/**
 * Instantaneous mixing x(t) = A s(t): the model of ICA, used to make test mixtures with a
 * known answer.
 */

/**
 * Mix sources with matrix `A`: channel i of the result is Σ_j A[i][j] · source j.
 *
 * @param sources - n planar sources
 * @param mixing - m x n mixing matrix
 * @returns m planar channels at the sources' sample rate
 */
export function mixInstantaneous(sources: MultichannelSignal, mixing: RealMatrix): MultichannelSignal {
  const n = sources.channels.length;
  if (mixing.cols !== n) {
    throw new UnmixError(`the mixing matrix has ${mixing.cols} columns but there are ${n} sources`, 'usage');
  }
  const frames = n > 0 ? sources.channels[0].length : 0;
  const channels: Float64Array[] = [];
  for (let i = 0; i < mixing.rows; i++) {
    const out = new Float64Array(frames);
    for (let j = 0; j < n; j++) {
      const a = mixing.data[i * n + j];
      if (a === 0) continue;
      const s = sources.channels[j];
      for (let t = 0; t < frames; t++) out[t] += a * s[t];
    }
    channels.push(out);
  }
  return { sampleRate: sources.sampleRate, channels };
}

/** Options of {@link randomMixingMatrix}. */
export interface RandomMixingOptions {
  /** Seed of the draw; default 0. */
  seed?: number;
  /**
   * Condition number (ratio of largest to smallest singular value) of the result,
   * >= 1; default: that of a Gaussian random matrix (unconstrained).
   */
  conditionNumber?: number;
}

/**
 * A random m x n mixing matrix (m >= n). With `conditionNumber`, it is U Σ Vᵀ with
 * random orthonormal U, V (Gram–Schmidt of Gaussian matrices) and singular values spaced
 * geometrically from 1 to `conditionNumber`, then scaled to unit mean column norm.
 */
export function randomMixingMatrix(rows: number, cols: number, options: RandomMixingOptions = {}): RealMatrix {
  if (rows < cols) throw new UnmixError(`a ${rows}x${cols} mixing matrix has fewer microphones than sources`, 'usage');
  const rng = createRandom(options.seed ?? 0);
  const data = new Float64Array(rows * cols);
  if (options.conditionNumber === undefined) {
    for (let k = 0; k < data.length; k++) data[k] = rng.normal();
  } else {
    const kappa = options.conditionNumber;
    if (!(kappa >= 1)) throw new UnmixError('the condition number must be at least 1', 'usage');
    const u = orthonormalColumns(rows, cols, rng);
    const v = orthonormalColumns(cols, cols, rng);
    for (let k = 0; k < cols; k++) {
      const sigma = cols === 1 ? 1 : kappa ** (k / (cols - 1));
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) data[i * cols + j] += u[i * cols + k] * sigma * v[j * cols + k];
      }
    }
  }
  let norm = 0;
  for (let k = 0; k < data.length; k++) norm += data[k] * data[k];
  const scale = 1 / Math.sqrt(norm / cols);
  for (let k = 0; k < data.length; k++) data[k] *= scale;
  return { rows, cols, data };
}

/** `cols` orthonormal columns of length `rows` (row-major rows x cols): Gram–Schmidt of a Gaussian draw. */
function orthonormalColumns(rows: number, cols: number, rng: Random): Float64Array {
  const q = new Float64Array(rows * cols);
  for (let k = 0; k < q.length; k++) q[k] = rng.normal();
  return orthonormalizeColumns(q, rows, cols);
}
