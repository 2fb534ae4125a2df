import type { MultichannelSignal } from '../audio/signal.js';
import { UnmixError, throwIfAborted, type AbortSignalLike } from '../errors.js';
import { complexScratch, complexSolve } from '../linalg/complex.js';
import { solve } from '../linalg/real.js';
import { pit } from '../losses/pit.js';
import { createRandom } from '../random.js';
import { negativeSiSdr } from '../losses/siSdr.js';
import { createOptimizer, type OptimizerSpec } from '../optim/create.js';
import type { ComplexUnmixing, ProgressCallback, RealUnmixing, TraceEntry } from '../separate.js';
import { realFft } from '../signal/fft.js';
import { istftChannel, stftChannel, stftLayout, type StftLayout } from '../signal/stft.js';
import { createWindow, synthesisWindow } from '../signal/window.js';
import { defaultFftSize } from '../iva/stftMixture.js';

/**
 * The oracle (best linear) separation of a mixture: unmixing filters fitted to the
 * reference tracks by minimising the permutation-invariant negative SI-SDR
 * (Le Roux et al. 2019; PIT, Yu et al. 2017) with an optimizer of `core/optim`. It is
 * the ceiling a blind method with the same model could reach — one real matrix for
 * instantaneous mixtures, one complex matrix per frequency bin for STFT methods — and
 * the place where the losses, PIT and the optimizers work together.
 *
 * The gradient flows from SI-SDR through PIT to the outputs, then (STFT) through the
 * adjoint of the inverse STFT to each bin, then to the unmixing matrices:
 * `∂L/∂W = Σ_t G(t) x(t)ᴴ`. It is checked against finite differences in the tests.
 */

/** Options of the oracle learners. */
export interface OracleOptions {
  /** An optimizer of `core/optim` (name, spec or text such as `'adam:lr=0.01'`); default `adam:lr=0.01`. */
  optimizer?: OptimizerSpec | string;
  /**
   * A learning-rate schedule in the text form of `core/optim`; default `exp:0.995`. The
   * gradient of a dB loss grows as the error shrinks, so a decaying rate is what lets a
   * fit reach tens of dB instead of hovering at the step size.
   */
  schedule?: string;
  /** Gradient steps; default 200. */
  iterations?: number;
  /**
   * Starting point: `least-squares` (default: the minimum-mean-square-error linear filter,
   * per bin for STFT, which the SI-SDR descent then refines), `identity`, or `random` (seeded).
   */
  init?: 'least-squares' | 'identity' | 'random';
  /** Seed of the random start. */
  seed?: number;
  /** Called after every step with the loss (mean negative SI-SDR, dB). */
  onProgress?: ProgressCallback;
  /** Cancels between steps. */
  signal?: AbortSignalLike;
}

/** Options of {@link learnStftOracle}. */
export interface StftOracleOptions extends OracleOptions {
  /** STFT frame length (power of two); default that of the STFT methods (~128 ms, `defaultFftSize` of core/iva). */
  fftSize?: number;
  /** STFT hop; default fftSize / 4. */
  hopSamples?: number;
}

/** The result of an oracle learner. */
export interface OracleResult<U> {
  /** Output k is the estimate of reference k (the learnt permutation is applied), scaled to the reference by least squares. */
  sources: MultichannelSignal;
  /** The unmixing producing those outputs (rows in reference order, before the level scaling). */
  unmixing: U;
  /** SI-SDR of each reference's output, dB. */
  siSdr: Float64Array;
  meanSiSdr: number;
  /** One entry per step: cost = mean negative SI-SDR (dB), gradient norm, learning rate. */
  trace: TraceEntry[];
}

function checkInputs(mixture: MultichannelSignal, references: readonly Float64Array[]): [number, number, number] {
  const m = mixture.channels.length;
  const n = references.length;
  if (m === 0) throw new UnmixError('the mixture has no channels');
  if (n === 0) throw new UnmixError('the oracle needs at least one reference');
  const T = mixture.channels[0].length;
  references.forEach((r, k) => {
    if (r.length !== T) throw new UnmixError(`reference ${k + 1} has ${r.length} samples; the mixture has ${T}`);
  });
  return [n, m, T];
}

function rms(x: Float64Array): number {
  let s = 0;
  for (let t = 0; t < x.length; t++) s += x[t] * x[t];
  return Math.sqrt(s / Math.max(1, x.length));
}

/**
 * Mean negative SI-SDR under the best permutation of `y = W (x − mean)` against the
 * references, and its gradient with respect to `W` (n x m row-major): the loss of the
 * instantaneous oracle. Exposed for the finite-difference test.
 *
 * @param centred - the mixture channels with their means removed (m arrays)
 * @param outputs - n scratch arrays for y
 * @param outputGradients - n scratch arrays for ∂L/∂y
 * @param gradient - receives ∂L/∂W (n*m), when given
 */
export function instantaneousOracleLoss(
  W: Float64Array,
  centred: readonly Float64Array[],
  references: readonly Float64Array[],
  outputs: Float64Array[],
  outputGradients: Float64Array[],
  gradient?: Float64Array,
): { loss: number; permutation: number[] } {
  const n = references.length;
  const m = centred.length;
  const T = centred[0].length;
  for (let k = 0; k < n; k++) {
    const y = outputs[k];
    y.fill(0);
    for (let c = 0; c < m; c++) {
      const w = W[k * m + c];
      const x = centred[c];
      for (let t = 0; t < T; t++) y[t] += w * x[t];
    }
  }
  const result = pit(outputs, references, negativeSiSdr, gradient ? { gradients: outputGradients } : {});
  if (gradient) {
    for (let k = 0; k < n; k++) {
      const g = outputGradients[k];
      for (let c = 0; c < m; c++) {
        const x = centred[c];
        let s = 0;
        for (let t = 0; t < T; t++) s += g[t] * x[t];
        gradient[k * m + c] = s;
      }
    }
  }
  return { loss: result.loss, permutation: result.permutation };
}

/**
 * Learn the oracle instantaneous unmixing matrix W (n references x m microphones) of a
 * mixture by minimising the PIT negative SI-SDR of `W (x − mean)` against `references`.
 *
 * @param mixture - one channel per microphone
 * @param references - what each output should be (e.g. each source's image at the first microphone)
 */
export function learnInstantaneousOracle(
  mixture: MultichannelSignal,
  references: readonly Float64Array[],
  options: OracleOptions = {},
): OracleResult<RealUnmixing> {
  const [n, m, T] = checkInputs(mixture, references);
  const mean = Float64Array.from(mixture.channels, (x) => x.reduce((a, b) => a + b, 0) / T);
  // Channels at unit RMS so that one learning rate suits every recording level.
  const gains = mixture.channels.map((x, c) => {
    const level = rms(Float64Array.from(x, (v) => v - mean[c]));
    if (!(level > 0)) throw new UnmixError(`mixture channel ${c + 1} is silent`);
    return 1 / level;
  });
  const centred = mixture.channels.map((x, c) => Float64Array.from(x, (v) => (v - mean[c]) * gains[c]));
  const W = new Float64Array(n * m);
  const init = options.init ?? 'least-squares';
  if (init === 'least-squares') {
    // W = R_sx R_xx⁻¹: solve R_xx Wᵀ = R_sxᵀ.
    const Rxx = new Float64Array(m * m);
    const Rxs = new Float64Array(m * n);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) Rxx[a * m + b] = dot(centred[a], centred[b]);
      for (let k = 0; k < n; k++) Rxs[a * n + k] = dot(centred[a], references[k]);
    }
    const Wt = solve(Rxx, Rxs, m, n);
    for (let k = 0; k < n; k++) for (let c = 0; c < m; c++) W[k * m + c] = Wt[c * n + k];
  } else if (init === 'identity') {
    for (let k = 0; k < Math.min(n, m); k++) W[k * m + k] = 1;
  } else {
    const random = seededUniform(options.seed ?? 0);
    for (let i = 0; i < W.length; i++) W[i] = random() - 0.5;
  }
  const outputs = references.map(() => new Float64Array(T));
  const outputGradients = references.map(() => new Float64Array(T));
  const gradient = new Float64Array(n * m);
  const trace = descend(W, gradient, options, (g) =>
    instantaneousOracleLoss(W, centred, references, outputs, outputGradients, g),
  );
  const { permutation } = instantaneousOracleLoss(W, centred, references, outputs, outputGradients);
  // Rows in reference order, gains folded back in.
  const data = new Float64Array(n * m);
  for (let k = 0; k < n; k++) for (let c = 0; c < m; c++) data[k * m + c] = W[permutation[k] * m + c] * gains[c];
  const sources = permutation.map((j) => outputs[j]);
  return finish(sources, references, mixture.sampleRate, { kind: 'real', rows: n, cols: m, data, mean }, trace);
}

/**
 * The adjoint of {@link istftChannel}: given ∂L/∂y for the time signal, the gradient
 * with respect to the real and imaginary parts of every STFT coefficient that produced
 * it (bin-major, the layout of `stftChannel`). Linear, so exact.
 */
export function istftAdjoint(gradient: Float64Array, layout: StftLayout, output?: Float64Array): Float64Array {
  const { fftSize, hopSamples, bins, frames, length } = layout;
  const out = output ?? new Float64Array(2 * bins * frames);
  const synthesis = synthesisWindow(createWindow(layout.window, fftSize), hopSamples);
  const fft = realFft(fftSize);
  const frame = new Float64Array(fftSize);
  const spectrum = new Float64Array(fftSize + 2);
  const pad = fftSize - hopSamples;
  for (let t = 0; t < frames; t++) {
    const start = t * hopSamples - pad;
    const lo = Math.max(0, -start);
    const hi = Math.min(fftSize, length - start);
    frame.fill(0);
    for (let i = lo; i < hi; i++) frame[i] = synthesis[i] * gradient[start + i];
    fft.forward(frame, spectrum);
    // y = (1/N)[X_0 + (−1)ⁿ X_{N/2} + 2 Σ Re(X_k e^{2πikn/N})]: interior bins count twice;
    // the imaginary parts of bins 0 and N/2 do not reach y.
    for (let f = 0, k = 2 * t; f < bins; f++, k += 2 * frames) {
      const edge = f === 0 || f === bins - 1;
      const scale = (edge ? 1 : 2) / fftSize;
      out[k] = scale * spectrum[2 * f];
      out[k + 1] = edge ? 0 : scale * spectrum[2 * f + 1];
    }
  }
  return out;
}

/** Precomputed STFT data of the STFT oracle. */
export interface StftOracleProblem {
  layout: StftLayout;
  /** STFT of each (normalised) mixture channel. */
  spectra: Float64Array[];
  references: readonly Float64Array[];
  rows: number;
  cols: number;
}

/**
 * Mean negative SI-SDR under the best permutation of the outputs of per-bin unmixing
 * matrices `W` (layout of {@link ComplexUnmixing.data}), and its gradient in the real
 * view (∂L/∂Re W, ∂L/∂Im W interleaved). Exposed for the finite-difference test.
 */
export function stftOracleLoss(
  W: Float64Array,
  problem: StftOracleProblem,
  gradient?: Float64Array,
): { loss: number; permutation: number[]; outputs: Float64Array[] } {
  const { layout, spectra, references, rows: n, cols: m } = problem;
  const { bins, frames } = layout;
  const Y = new Float64Array(2 * bins * frames);
  const outputs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    Y.fill(0);
    for (let f = 0; f < bins; f++) {
      for (let c = 0; c < m; c++) {
        const w = 2 * ((f * n + k) * m + c);
        const wr = W[w];
        const wi = W[w + 1];
        const X = spectra[c];
        for (let t = 0, i = 2 * f * frames; t < frames; t++, i += 2) {
          const xr = X[i];
          const xi = X[i + 1];
          Y[i] += wr * xr - wi * xi;
          Y[i + 1] += wr * xi + wi * xr;
        }
      }
    }
    outputs.push(istftChannel(Y, layout));
  }
  const outputGradients = gradient ? outputs.map((y) => new Float64Array(y.length)) : [];
  const result = pit(outputs, references, negativeSiSdr, gradient ? { gradients: outputGradients } : {});
  if (gradient) {
    gradient.fill(0);
    const G = new Float64Array(2 * bins * frames);
    for (let k = 0; k < n; k++) {
      istftAdjoint(outputGradients[k], layout, G);
      for (let f = 0; f < bins; f++) {
        for (let c = 0; c < m; c++) {
          const X = spectra[c];
          let re = 0;
          let im = 0;
          for (let t = 0, i = 2 * f * frames; t < frames; t++, i += 2) {
            // G conj(X)
            re += G[i] * X[i] + G[i + 1] * X[i + 1];
            im += G[i + 1] * X[i] - G[i] * X[i + 1];
          }
          const w = 2 * ((f * n + k) * m + c);
          gradient[w] = re;
          gradient[w + 1] = im;
        }
      }
    }
  }
  return { loss: result.loss, permutation: result.permutation, outputs };
}

/** The STFT oracle's data for a mixture (normalised channels, their STFTs). */
export function stftOracleProblem(
  mixture: MultichannelSignal,
  references: readonly Float64Array[],
  fftSize: number,
  hopSamples: number,
): StftOracleProblem & { gains: number[] } {
  const [n, m, T] = checkInputs(mixture, references);
  const layout = stftLayout(T, { fftSize, hopSamples });
  const gains = mixture.channels.map((x, c) => {
    const level = rms(x);
    if (!(level > 0)) throw new UnmixError(`mixture channel ${c + 1} is silent`);
    return 1 / level;
  });
  const spectra = mixture.channels.map((x, c) =>
    stftChannel(
      Float64Array.from(x, (v) => v * gains[c]),
      layout,
    ),
  );
  return { layout, spectra, references, rows: n, cols: m, gains };
}

/**
 * Learn oracle per-bin complex unmixing matrices (n references x m microphones per
 * frequency bin) by minimising the PIT negative SI-SDR of the inverse STFT of
 * `W(f) X(f, t)` against the references: the ceiling of STFT-domain methods (IVA,
 * AuxIVA, ILRMA) with the same frame length.
 */
export function learnStftOracle(
  mixture: MultichannelSignal,
  references: readonly Float64Array[],
  options: StftOracleOptions = {},
): OracleResult<ComplexUnmixing> {
  const fftSize = options.fftSize ?? defaultFftSize(mixture.sampleRate);
  const hopSamples = options.hopSamples ?? fftSize / 4;
  const problem = stftOracleProblem(mixture, references, fftSize, hopSamples);
  const { layout, spectra, rows: n, cols: m, gains } = problem;
  const { bins, frames } = layout;
  const W = new Float64Array(2 * bins * n * m);
  const init = options.init ?? 'least-squares';
  if (init === 'least-squares') {
    const refSpectra = references.map((r) => stftChannel(r, layout));
    const Rxx = new Float64Array(2 * m * m);
    const Rxs = new Float64Array(2 * m * n);
    const scratch = complexScratch(m);
    for (let f = 0; f < bins; f++) {
      Rxx.fill(0);
      Rxs.fill(0);
      for (let a = 0; a < m; a++) {
        // R_xx[a][b] = Σ_t X_a X_b*, R_xs[a][k] = Σ_t X_a S_k*
        const Xa = spectra[a];
        const pairs: [Float64Array, number, number][] = [
          ...spectra.map((Xb, b): [Float64Array, number, number] => [Xb, 0, b]),
          ...refSpectra.map((S, k): [Float64Array, number, number] => [S, 1, k]),
        ];
        for (const [Y, kind, b] of pairs) {
          let re = 0;
          let im = 0;
          for (let t = 0, i = 2 * f * frames; t < frames; t++, i += 2) {
            re += Xa[i] * Y[i] + Xa[i + 1] * Y[i + 1];
            im += Xa[i + 1] * Y[i] - Xa[i] * Y[i + 1];
          }
          const target = kind === 0 ? Rxx : Rxs;
          const index = kind === 0 ? 2 * (a * m + b) : 2 * (a * n + b);
          target[index] = re;
          target[index + 1] = im;
        }
      }
      // Diagonal loading for bins with no energy (DC, silence): 1e-9 of the trace.
      let trace = 0;
      for (let a = 0; a < m; a++) trace += Rxx[2 * (a * m + a)];
      for (let a = 0; a < m; a++) Rxx[2 * (a * m + a)] += 1e-9 * trace + 1e-300;
      // R_xx Wᴴ = R_xs  (W R_xx = R_sx, R_xx Hermitian)
      const WH = new Float64Array(2 * m * n);
      if (!complexSolve(m, n, Rxx, Rxs, WH, scratch)) continue;
      for (let k = 0; k < n; k++) {
        for (let c = 0; c < m; c++) {
          W[2 * ((f * n + k) * m + c)] = WH[2 * (c * n + k)];
          W[2 * ((f * n + k) * m + c) + 1] = -WH[2 * (c * n + k) + 1];
        }
      }
    }
  } else if (init === 'identity') {
    for (let f = 0; f < bins; f++) for (let k = 0; k < Math.min(n, m); k++) W[2 * ((f * n + k) * m + k)] = 1;
  } else {
    const random = seededUniform(options.seed ?? 0);
    for (let i = 0; i < W.length; i++) W[i] = random() - 0.5;
  }
  const gradient = new Float64Array(W.length);
  const trace = descend(W, gradient, options, (g) => stftOracleLoss(W, problem, g));
  const { permutation, outputs } = stftOracleLoss(W, problem);
  const data = new Float64Array(W.length);
  for (let f = 0; f < bins; f++) {
    for (let k = 0; k < n; k++) {
      for (let c = 0; c < m; c++) {
        const from = 2 * ((f * n + permutation[k]) * m + c);
        const to = 2 * ((f * n + k) * m + c);
        data[to] = W[from] * gains[c];
        data[to + 1] = W[from + 1] * gains[c];
      }
    }
  }
  const unmixing: ComplexUnmixing = { kind: 'complex', rows: n, cols: m, bins, fftSize, hopSamples, data };
  return finish(
    permutation.map((j) => outputs[j]),
    references,
    mixture.sampleRate,
    unmixing,
    trace,
  );
}

/** Gradient descent with an optimizer of core/optim; returns the trace. */
function descend(
  params: Float64Array,
  gradient: Float64Array,
  options: OracleOptions,
  evaluate: (gradient: Float64Array) => { loss: number },
): TraceEntry[] {
  const optimizer = createOptimizer(options.optimizer ?? 'adam:lr=0.01', options.schedule ?? 'exp:0.995');
  const iterations = options.iterations ?? 200;
  const trace: TraceEntry[] = [];
  // The best iterate is kept: a fixed step can overshoot a sharp optimum (a dB loss is
  // steep near a perfect fit), and the oracle must never end worse than it started.
  const best = params.slice();
  let bestLoss = Infinity;
  for (let i = 1; i <= iterations + 1; i++) {
    throwIfAborted(options.signal);
    const { loss } = evaluate(gradient);
    if (loss < bestLoss) {
      bestLoss = loss;
      best.set(params);
    }
    if (i > iterations) break;
    let norm = 0;
    for (let j = 0; j < gradient.length; j++) norm += gradient[j] * gradient[j];
    const entry: TraceEntry = {
      iteration: i,
      cost: loss,
      gradientNorm: Math.sqrt(norm),
      stepSize: optimizer.learningRate,
    };
    trace.push(entry);
    optimizer.step(params, gradient);
    options.onProgress?.(i, iterations, entry);
  }
  params.set(best);
  return trace;
}

function finish<U>(
  outputs: Float64Array[],
  references: readonly Float64Array[],
  sampleRate: number,
  unmixing: U,
  trace: TraceEntry[],
): OracleResult<U> {
  const n = references.length;
  const siSdr = new Float64Array(n);
  const channels = outputs.map((y, k) => {
    siSdr[k] = -negativeSiSdr(y, references[k]);
    // Level of the reference by least squares, so level-dependent metrics are meaningful.
    const yy = dot(y, y);
    const scale = yy > 0 ? dot(y, references[k]) / yy : 0;
    return Float64Array.from(y, (v) => v * scale);
  });
  return {
    sources: { sampleRate, channels },
    unmixing,
    siSdr,
    meanSiSdr: siSdr.reduce((a, b) => a + b, 0) / n,
    trace,
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
}

/** A seeded uniform generator in [0, 1) (core/random's xoshiro128**). */
function seededUniform(seed: number): () => number {
  const rng = createRandom(seed);
  return () => rng.uniform();
}
