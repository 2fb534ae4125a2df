import type { MultichannelSignal } from '../audio/signal.js';
import { UnmixError } from '../errors.js';
import type { SeparationResult } from '../separate.js';
import { runNaturalGradient, type NgIvaOptions } from './ngiva.js';
import {
  alignPermutations,
  normalizedEnvelopes,
  permuteRows,
  resolveAlignmentOptions,
  type EnvelopeMeasure,
  type PermutationAlignmentOptions,
} from './permutation.js';
import { projectionBack, targetUnmixing, type PreparedMixture, type ResolvedStftOptions } from './stftMixture.js';
import { demixBin } from './updates.js';

/**
 * Frequency-domain ICA (FDICA; Smaragdis 1998, Sawada et al. 2004/2007): the classic way
 * to separate room recordings before IVA, shown so users can see why IVA exists.
 *
 * In the STFT domain a room's convolution becomes a product per frequency bin, so each
 * bin is an instantaneous complex mixture and can be separated on its own by complex
 * ICA; here by the natural-gradient rule `ΔW_f = (I − E[φ(y) yᴴ]) W_f` with the
 * super-Gaussian score `φ(y) = y / |y|` of a complex Laplacian prior (the loop of
 * ngiva.ts with the per-bin score). But ICA finds each bin's sources in an arbitrary
 * order: output 1 may be voice A at 500 Hz and voice B at 510 Hz. Before resynthesis the
 * permutation of every bin must be found, here from the correlation of the outputs'
 * envelopes across bins (permutation.ts: Sawada's centroid clustering, then refinement
 * with neighbouring and harmonic bins). Where that alignment errs, a bin of one voice
 * leaks into the other's output. IVA (ngiva.ts, auxiva.ts) avoids the problem by
 * modelling all bins of a source jointly.
 */

/** Options of {@link fdIca}. */
export interface FdIcaOptions extends NgIvaOptions {
  /** Align the permutations across bins (default true); `false` shows what happens without it. */
  align?: boolean;
  /** What is correlated between bins (default `powerRatio`, taken after projection back). */
  measure?: EnvelopeMeasure;
  /** Options of the alignment (neighbours, harmonics, sweeps). */
  alignment?: PermutationAlignmentOptions;
}

/** Default FDICA iterations (per bin, all bins in lockstep). */
export const FDICA_DEFAULT_ITERATIONS = 200;
/** Default FDICA tolerance on the RMS relative gradient norm. */
export const FDICA_DEFAULT_TOLERANCE = 1e-3;
/**
 * Default FDICA optimizer: the plain natural-gradient rule. FDICA undoes a rising step
 * per bin and halves that bin's step, which is exact for SGD; a momentum optimizer keeps
 * its velocity through the undo and was measured to stall (19.7 vs 21.7 dB on a 2x2 mixture).
 */
export const FDICA_DEFAULT_OPTIMIZER = 'sgd:lr=0.1';

/**
 * Separate a room recording by frequency-domain ICA with permutation alignment (see the
 * module comment): per-bin whitening, natural-gradient complex ICA in every bin (all bins
 * iterated in lockstep by one core/optim optimizer, so the trace reads like NG-IVA's; a
 * bin whose cost rose is undone and its step halved, alone),
 * alignment of the bins' permutations by envelope correlation, projection back.
 *
 * @param mixture - planar, at least 2 channels (microphones)
 * @param options - {@link FdIcaOptions}; defaults: FFT size ~128 ms, hop `fftSize/4`,
 *   200 iterations, tolerance 1e-3, optimizer `sgd:lr=0.1`, `align: true`,
 *   `measure: 'powerRatio'`, `refMic: 0`
 * @returns sources at their level in microphone `refMic`, one complex unmixing per bin,
 *   the trace, and in `options` the sweeps the alignment took
 * @throws UnmixError for bad input or options, `failed` on divergence, `aborted` when `options.signal` fires
 */
export function fdIca(mixture: MultichannelSignal, options: FdIcaOptions = {}): SeparationResult {
  const align = options.align ?? true;
  const measure = options.measure ?? 'powerRatio';
  if (measure !== 'powerRatio' && measure !== 'envelope') {
    throw new UnmixError(`measure must be powerRatio or envelope, got '${String(measure)}'`, 'usage');
  }
  resolveAlignmentOptions(options.alignment);
  return runNaturalGradient(
    mixture,
    options,
    'scalar',
    'fdica',
    { iterations: FDICA_DEFAULT_ITERATIONS, tolerance: FDICA_DEFAULT_TOLERANCE, optimizer: FDICA_DEFAULT_OPTIMIZER },
    (prepared, w, resolved) => {
      if (!align) return { align };
      const sweeps = alignBins(prepared, w, resolved, measure, options.alignment);
      return { align, measure, alignmentSweeps: sweeps };
    },
  );
}

/**
 * Align the rows of the per-bin unmixing `w` (`dims` x `dims` per bin, in the whitened
 * space of `prepared`) so that row `k` is the same source in every bin: outputs of the
 * final `w`, scaled by projection back (so power ratios compare like with like),
 * envelopes, {@link alignPermutations}, {@link permuteRows}.
 *
 * @returns the sweeps of the two alignment steps
 */
export function alignBins(
  prepared: PreparedMixture,
  w: Float64Array,
  resolved: ResolvedStftOptions,
  measure: EnvelopeMeasure = 'powerRatio',
  options: PermutationAlignmentOptions = {},
): { centroid: number; refinement: number } {
  const { layout, dims: n, mics, channels, active, covariance } = prepared;
  const { bins, frames } = layout;
  const outputs = new Float64Array(2 * n * bins * frames);
  const size = 2 * n * n;
  for (let f = 0; f < bins; f++) {
    if (active[f]) demixBin(channels, n, frames, f, w, f * size, n, outputs.subarray(2 * f * n * frames), null);
  }
  // Projection-back scales of the total unmixing (w composed with the PCA reduction).
  const { total } = targetUnmixing(prepared, w, n);
  const scales = projectionBack(total, covariance, n, mics, bins, resolved.refMic);
  for (let f = 0; f < bins; f++) {
    for (let k = 0; k < n; k++) {
      const ar = scales[2 * (f * n + k)];
      const ai = scales[2 * (f * n + k) + 1];
      const o = 2 * (f * n + k) * frames;
      for (let t = 0; t < frames; t++) {
        const re = outputs[o + 2 * t];
        const im = outputs[o + 2 * t + 1];
        outputs[o + 2 * t] = ar * re - ai * im;
        outputs[o + 2 * t + 1] = ar * im + ai * re;
      }
    }
  }
  const envelopes = normalizedEnvelopes(outputs, n, bins, frames, measure);
  const { permutations, sweeps } = alignPermutations(envelopes, n, bins, frames, active, options);
  permuteRows(w, n, n, bins, permutations);
  return sweeps;
}
