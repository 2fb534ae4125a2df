import type { MultichannelSignal } from './audio/signal.js';
import { UnmixError, type AbortSignalLike } from './errors.js';
import { ICA_METHODS } from './ica/methods.js';
import type { BinPassPool } from './iva/binPassPool.js';
import { IVA_AUTO_METHOD, IVA_METHODS } from './iva/methods.js';

/**
 * One entry point for every separation method: choose a method, run it, report progress.
 * The CLI, the desktop app and the evaluation harness all call {@link separate}; each
 * method registers itself in {@link METHODS} and nowhere else.
 */

/** What an iterative method reports after each iteration. */
export interface IterationInfo {
  /** 1-based iteration number. */
  iteration: number;
  /** The method's objective (e.g. negative log-likelihood per sample); lower is better. */
  cost: number;
  /** Norm of the (relative/natural) gradient; the stopping criterion of most methods. */
  gradientNorm: number;
  /** Step size or learning rate used for this iteration (1 for fixed-point methods). */
  stepSize: number;
  /** Optional stage name for multi-stage methods, e.g. `warm-up`. */
  stage?: string;
}

/** One row of a convergence trace: {@link IterationInfo} per iteration. */
export type TraceEntry = IterationInfo;

/**
 * Progress callback of every long-running call. `done`/`total` drive a progress bar;
 * `info` (when the call is iterative) drives a live convergence plot.
 */
export type ProgressCallback = (done: number, total: number, info?: IterationInfo) => void;

/**
 * A real unmixing matrix for instantaneous methods: `y = W (x - mean)`, `W` is
 * `rows` (sources) x `cols` (channels), row-major. It includes whitening and the
 * projection-back scaling, so applying it to the centred mixture gives exactly the
 * written sources.
 */
export interface RealUnmixing {
  kind: 'real';
  rows: number;
  cols: number;
  /** Row-major `rows * cols`. */
  data: Float64Array;
  /** Per-channel mean removed before unmixing (length `cols`). */
  mean: Float64Array;
}

/**
 * Complex unmixing matrices for STFT-domain methods: one `rows` x `cols` matrix per
 * frequency bin `f = 0 .. bins-1` (`bins = fftSize / 2 + 1`), applied as
 * `Y(f, t) = W(f) X(f, t)`. Projection back is included.
 */
export interface ComplexUnmixing {
  kind: 'complex';
  rows: number;
  cols: number;
  bins: number;
  /** STFT frame length in samples. */
  fftSize: number;
  /** STFT hop in samples. */
  hopSamples: number;
  /** Interleaved (re, im), bin-major then row-major: index `2 * ((f * rows + r) * cols + c)`. */
  data: Float64Array;
}

/** The unmixing found by a method. */
export type Unmixing = RealUnmixing | ComplexUnmixing;

/** Options every method understands. */
export interface CommonSeparationOptions {
  /** Number of sources to extract; default: the number of channels. Must not exceed it. */
  sources?: number;
  /** Maximum number of iterations; each method has its own default. */
  iterations?: number;
  /** Stop when the method's gradient norm (or relative change) falls below this. */
  tolerance?: number;
  /** Seed of every random start; default 0, so runs repeat. */
  seed?: number;
  /** Called after each iteration. */
  onProgress?: ProgressCallback;
  /** Cancels the run between iterations with an `aborted` UnmixError. */
  signal?: AbortSignalLike;
  /** Warm start: an unmixing from an earlier run (real for instantaneous methods, complex for STFT methods). */
  initial?: Unmixing;
  /** STFT frame length in samples (STFT methods); default chosen from the sample rate. */
  fftSize?: number;
  /** STFT hop in samples (STFT methods); default `fftSize / 4`. */
  hopSamples?: number;
}

/** The result of a separation. */
export interface SeparationResult {
  /** The separated sources, one channel per source, at the level they have in the reference microphone. */
  sources: MultichannelSignal;
  /** The unmixing that produced them. */
  unmixing: Unmixing;
  /** The method that ran (after resolving `auto`). */
  method: string;
  /** The options it ran with, defaults filled in (JSON-serialisable). */
  options: Record<string, unknown>;
  /** Iterations performed. */
  iterations: number;
  /** True when the stopping criterion was met before the iteration limit. */
  converged: boolean;
  /** One entry per iteration. */
  trace: TraceEntry[];
  /**
   * Threads (bin ranges) the per-bin passes were split into, when more than one
   * (`separate` with a {@link SeparateOptions.pool}); absent for one thread.
   */
  threads?: number;
}

/** Whether a method models instantaneous (x = A s) or convolutive (room) mixtures. */
export type MixtureModel = 'instantaneous' | 'convolutive';

/** A registered separation method. */
export interface MethodEntry {
  /** The mixture model the method is built for. */
  model: MixtureModel;
  /** One line for `--help` and the app's method menu. */
  description: string;
  /**
   * True when the method splits its passes over {@link SeparateOptions.pool} (AuxIVA, ISS,
   * ILRMA); the others run on one thread whatever the pool.
   */
  threads?: boolean;
  /** Run the method. Options beyond {@link CommonSeparationOptions} are method-specific. */
  run(mixture: MultichannelSignal, options: SeparateOptions): SeparationResult | Promise<SeparationResult>;
}

/** Options of {@link separate}: the common ones, the method, and method-specific ones. */
export interface SeparateOptions extends CommonSeparationOptions {
  /** A key of {@link METHODS}, or `auto`. */
  method?: string;
  /**
   * Threads for the per-bin passes of the methods marked {@link MethodEntry.threads}
   * (Node: `createBinPassPool` of cli/binPassPool.ts; the caller closes it). Other methods,
   * and a pool of one thread, run on the calling thread. Default: none (one thread, as in
   * the desktop renderer's Web Worker).
   */
  pool?: BinPassPool;
  [option: string]: unknown;
}

/** Every separation method, by name. */
export const METHODS: Record<string, MethodEntry> = { ...ICA_METHODS, ...IVA_METHODS };

/** The method `auto` resolves to. */
export const AUTO_METHOD: string | undefined = IVA_AUTO_METHOD;

/**
 * Separate a mixture.
 *
 * @param mixture - planar multichannel signal, one channel per microphone
 * @param options - `method` (default `auto`) and its options
 * @returns sources, unmixing, convergence trace
 * @throws UnmixError for an unknown method or unusable input
 */
export async function separate(mixture: MultichannelSignal, options: SeparateOptions = {}): Promise<SeparationResult> {
  const requested = options.method ?? 'auto';
  const name = requested === 'auto' ? AUTO_METHOD : requested;
  const entry = name === undefined ? undefined : METHODS[name];
  if (!entry || name === undefined) {
    const known = Object.keys(METHODS);
    throw new UnmixError(
      `unknown method '${requested}'${known.length ? `; choose one of: auto, ${known.join(', ')}` : ' (no methods are available)'}`,
      'usage',
    );
  }
  return entry.run(mixture, { ...options, method: name });
}
