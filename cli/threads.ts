import * as os from 'node:os';
import type { MultichannelSignal } from '../core/audio/signal.js';
import { UnmixError } from '../core/errors.js';
import { defaultFftSize } from '../core/iva/stftMixture.js';
import { AUTO_METHOD, METHODS, separate, type SeparateOptions, type SeparationResult } from '../core/separate.js';
import { createBinPassPool } from './binPassPool.js';

/**
 * How many threads a separation uses, and {@link separateOnThreads}: `separate` with a
 * pool of worker threads for the methods that split their passes over bins (AuxIVA, ISS,
 * ILRMA). Node only (the CLI and the benchmarks); the desktop app runs one thread.
 */

/**
 * Fewest bins per thread: a range of fewer bins does too little work per pass for its
 * share of the barrier (with FFT 2048, 1025 bins allow 16 threads).
 */
export const MIN_BINS_PER_THREAD = 64;

/**
 * Fewest `samples x channels² x iterations` (the work of a run: a pass costs about frames x
 * bins x channels², and frames x bins ~ 2 x samples at hop fftSize/4) for which the
 * default uses more than one thread: 2 s of 2 channels at 16 kHz with 200 iterations.
 * Starting a worker costs ~50-90 ms of CPU (a V8 isolate and the core modules) and a
 * pass's barrier ~10-50 µs. Measured on 2 idle cores (bench/threads.ts): AuxIVA 2x2, 200
 * iterations, gains 6 % at 1 s (0.176 -> 0.165 s, for 40 % more CPU), 20-27 % at 2-4 s,
 * 61 % at 8 s; ILRMA 3x3 gains 72 % already at 1 s (which is above this limit).
 */
export const MIN_WORK_FOR_THREADS = 2 * 16000 * 2 * 2 * 200;

/** Iterations assumed when none are given: the default of AuxIVA, ISS and ILRMA. */
const DEFAULT_ITERATIONS = 200;

/**
 * `UNMIX_THREADS` from the environment: a whole number >= 1, or undefined when unset or empty.
 *
 * @throws UnmixError (`usage`) for anything else
 */
export function threadsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.UNMIX_THREADS?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new UnmixError(`UNMIX_THREADS must be a whole number >= 1, got '${raw}'`, 'usage');
  }
  return value;
}

/**
 * The number of threads a separation of `mixture` will use.
 *
 * - methods that do not split passes over bins (NG-IVA, FDICA, the ICA family): 1;
 * - otherwise at most one thread per {@link MIN_BINS_PER_THREAD} bins;
 * - `requested` (a `--threads` or `UNMIX_THREADS` value) is used as given within that cap;
 * - by default, the number of cores, or 1 when the run is too short for threads to pay
 *   ({@link MIN_WORK_FOR_THREADS}).
 *
 * @param options - the method (default `auto`), the FFT size (default from the sample
 *   rate), the iterations (default 200) and the requested threads (default undefined: choose)
 * @param cores - threads the machine runs at once (default `os.availableParallelism()`)
 */
export function chooseThreads(
  mixture: MultichannelSignal,
  options: { method?: string; fftSize?: number; iterations?: number; threads?: number },
  cores: number = os.availableParallelism(),
): number {
  const requested = options.threads;
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw new UnmixError(`threads must be a whole number >= 1, got ${requested}`, 'usage');
  }
  const name = options.method === undefined || options.method === 'auto' ? AUTO_METHOD : options.method;
  if (name === undefined || !METHODS[name]?.threads) return 1;
  const fftSize = options.fftSize ?? defaultFftSize(mixture.sampleRate);
  const cap = Math.max(1, Math.floor((fftSize / 2 + 1) / MIN_BINS_PER_THREAD));
  if (requested !== undefined) return Math.min(requested, cap);
  const channels = mixture.channels.length;
  const work = (mixture.channels[0]?.length ?? 0) * channels * channels * (options.iterations ?? DEFAULT_ITERATIONS);
  return work < MIN_WORK_FOR_THREADS ? 1 : Math.max(1, Math.min(cores, cap));
}

/**
 * {@link separate} on worker threads: with more than one thread (see {@link chooseThreads})
 * a pool is started for the run and terminated when it ends, returns, fails or is
 * aborted (`options.signal`). With one thread this is `separate` itself, bit for bit.
 *
 * @param options - as `separate`, plus `threads` (default: chosen by {@link chooseThreads})
 * @returns as `separate`; `threads` says how many threads ran when more than one
 */
export async function separateOnThreads(
  mixture: MultichannelSignal,
  options: SeparateOptions & { threads?: number } = {},
): Promise<SeparationResult> {
  const { threads: requested, ...rest } = options;
  const { method, fftSize, iterations } = rest;
  const threads = chooseThreads(mixture, { method, fftSize, iterations, threads: requested });
  if (threads <= 1) return separate(mixture, rest);
  const pool = await createBinPassPool(threads);
  try {
    return await separate(mixture, { ...rest, pool });
  } finally {
    await pool.close();
  }
}
