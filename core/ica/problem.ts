import { validateSignal, type MultichannelSignal } from '../audio/signal.js';
import { UnmixError } from '../errors.js';
import { matMul, pinv, symmetricEigen } from '../linalg/real.js';
import { createRandom } from '../random.js';
import type { IterationInfo, RealUnmixing, SeparateOptions, SeparationResult } from '../separate.js';
import { applyMatrix, computeWhitening, type Whitening } from './whitening.js';

/**
 * What every instantaneous ICA method shares: input checks, centring and whitening (with
 * PCA reduction to `sources`), the start (random, seeded, or a warm start), and at the end
 * the projection back and the {@link RealUnmixing} that reproduces the written sources.
 * A method only has to find an n x n unmixing of the whitened data.
 */
export interface IcaProblem {
  /** Number of sources n. */
  n: number;
  /** Number of channels m. */
  m: number;
  /** Samples per channel T. */
  frames: number;
  whitening: Whitening;
  /** The whitened data `z = K (x − mean)`: n planar channels with identity covariance (computed on first access). */
  readonly z: Float64Array[];
  /** Starting n x n unmixing of `z`, row-major: a random rotation from the seed, or the warm start. */
  start: Float64Array;
  /** Whether `start` came from `options.initial`. */
  warm: boolean;
}

/**
 * Check the mixture and options, centre and whiten, and choose the start.
 *
 * @throws UnmixError for fewer than 2 channels, more sources than channels, silent or
 *   linearly dependent channels, or a warm start of the wrong shape
 */
export function prepareIca(method: string, mixture: MultichannelSignal, options: SeparateOptions): IcaProblem {
  validateSignal(mixture, 'the mixture', 1);
  const m = mixture.channels.length;
  if (m < 2) {
    throw new UnmixError(`${method} needs a mixture of at least 2 channels (microphones); this one has 1`, 'input');
  }
  const n = options.sources ?? m;
  if (!Number.isInteger(n) || n < 1 || n > m) {
    throw new UnmixError(`cannot extract ${n} sources from ${m} channels: at most one source per channel`, 'usage');
  }
  const whitening = computeWhitening(mixture.channels, n);
  let whitened: Float64Array[] | undefined;
  // Whitened data are made on first use only: the default method whitens on the fly.
  const lazy = {
    get z(): Float64Array[] {
      whitened ??= applyMatrix(whitening.matrix, n, m, mixture.channels, whitening.mean);
      return whitened;
    },
  };
  const frames = mixture.channels[0].length;
  const initial = options.initial;
  if (initial !== undefined) {
    if (initial.kind !== 'real' || initial.rows !== n || initial.cols !== m) {
      const shape = initial.kind === 'real' ? `${initial.rows}x${initial.cols}` : 'a complex (STFT)';
      throw new UnmixError(
        `the warm start is ${shape} unmixing, but ${method} needs a real ${n}x${m} one (sources x channels)`,
        'usage',
      );
    }
    // W_z = W0 K⁺ maps whitened data to the warm start's sources; rows are normalised to
    // unit output variance because projection back scaled them to microphone levels.
    const start = matMul(initial.data, pinv(whitening.matrix, n, m), n, m, n);
    for (let r = 0; r < n; r++) {
      let norm = 0;
      for (let c = 0; c < n; c++) norm += start[r * n + c] ** 2;
      norm = Math.sqrt(norm);
      if (!(norm > 0)) throw new UnmixError(`the warm start has an all-zero row ${r + 1}`, 'usage');
      for (let c = 0; c < n; c++) start[r * n + c] /= norm;
    }
    return Object.assign(lazy, { n, m, frames, whitening, start, warm: true });
  }
  return Object.assign(lazy, { n, m, frames, whitening, start: randomRotation(n, options.seed ?? 0), warm: false });
}

/** A random n x n orthogonal matrix from a seed: a Gaussian matrix, symmetrically decorrelated. */
export function randomRotation(n: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  const w = Float64Array.from({ length: n * n }, () => rng.normal());
  return symmetricDecorrelation(w, n);
}

/**
 * Symmetric decorrelation `W ← (W Wᵀ)^(-1/2) W` (Hyvärinen 1999): the orthogonal matrix
 * nearest to W, treating every row alike.
 */
export function symmetricDecorrelation(
  w: Float64Array,
  n: number,
  out: Float64Array = new Float64Array(n * n),
): Float64Array {
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += w[i * n + k] * w[j * n + k];
      gram[i * n + j] = s;
      gram[j * n + i] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, n);
  const root = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    const f = 1 / Math.sqrt(Math.max(values[e], 1e-300));
    for (let i = 0; i < n; i++) {
      const vi = vectors[i * n + e] * f;
      for (let j = 0; j < n; j++) root[i * n + j] += vi * vectors[j * n + e];
    }
  }
  return matMul(root, w, n, n, n, out);
}

/** How a method's run ended, for {@link finishIca}. */
export interface IcaOutcome {
  /** n x n unmixing of the whitened data, row-major. */
  unmixing: Float64Array;
  iterations: number;
  converged: boolean;
  trace: IterationInfo[];
  /** The options the method ran with, defaults filled in. */
  options: Record<string, unknown>;
}

/**
 * Compose whitening and unmixing, scale each source to its level in the first
 * microphone (projection back: row k of W times `A[0][k]`, where `A = W⁺` is the
 * estimated mixing matrix), and unmix the mixture.
 *
 * When a source is absent from the first microphone (|A[0][k]| below 1e-6 of its
 * strongest microphone) it is scaled to that strongest microphone instead of to silence.
 */
export function finishIca(
  method: string,
  problem: IcaProblem,
  mixture: MultichannelSignal,
  outcome: IcaOutcome,
): SeparationResult {
  const { n, m, whitening } = problem;
  const w = matMul(outcome.unmixing, whitening.matrix, n, n, m);
  for (let k = 0; k < w.length; k++) {
    if (!Number.isFinite(w[k])) throw new UnmixError(`${method} diverged (non-finite unmixing matrix)`, 'failed');
  }
  const a = pinv(w, n, m);
  for (let k = 0; k < n; k++) {
    let strongest = 0;
    for (let c = 0; c < m; c++) if (Math.abs(a[c * n + k]) > Math.abs(strongest)) strongest = a[c * n + k];
    const first = a[k];
    const scale = Math.abs(first) > 1e-6 * Math.abs(strongest) ? first : strongest;
    for (let c = 0; c < m; c++) w[k * m + c] *= scale;
  }
  const unmixing: RealUnmixing = { kind: 'real', rows: n, cols: m, data: w, mean: Float64Array.from(whitening.mean) };
  const channels = applyMatrix(w, n, m, mixture.channels, whitening.mean);
  return {
    sources: { sampleRate: mixture.sampleRate, channels },
    unmixing,
    method,
    options: outcome.options,
    iterations: outcome.iterations,
    converged: outcome.converged,
    trace: outcome.trace,
  };
}
