/**
 * What the window shows about a result beyond the result itself: the global system W·A
 * when the true mixing is known, its Amari index, and SI-SDR scores against references.
 * The measures come from core; this file only arranges them for display.
 */
import { amariIndex } from '../../../core/ica/amari.js';
import { matMul, type RealMatrix } from '../../../core/linalg/real.js';
import { pairBySiSdr } from '../../../core/eval/evaluate.js';
import { siSdrImprovement } from '../../../core/losses/siSdr.js';
import type { ComplexUnmixing, RealUnmixing } from '../../../core/separate.js';

/**
 * The global system `W·A` (sources x true sources) of a real unmixing and the true mixing
 * matrix, or null when their shapes do not fit (W's columns = A's rows = microphones).
 */
export function globalSystem(unmixing: RealUnmixing, mixing: RealMatrix): RealMatrix | null {
  if (unmixing.cols !== mixing.rows) return null;
  return {
    rows: unmixing.rows,
    cols: mixing.cols,
    data: matMul(unmixing.data, mixing.data, unmixing.rows, unmixing.cols, mixing.cols),
  };
}

/**
 * Amari index (core's {@link amariIndex}, 0 = a scaled permutation, 1 = worst) of W and
 * the true A, or undefined when W·A is not square (fewer sources were extracted).
 */
export function amariOf(unmixing: RealUnmixing, mixing: RealMatrix): number | undefined {
  if (unmixing.cols !== mixing.rows || unmixing.rows !== mixing.cols) return undefined;
  return amariIndex(unmixing.data, mixing.data, unmixing.rows, unmixing.cols);
}

/**
 * |W(f)·A| of one frequency bin of a complex unmixing and a real (instantaneous) mixing
 * matrix, or null when the shapes do not fit. The product of the real and imaginary
 * parts with A, each by core's {@link matMul}.
 */
export function binSystemMagnitude(unmixing: ComplexUnmixing, bin: number, mixing: RealMatrix): RealMatrix | null {
  if (unmixing.cols !== mixing.rows) return null;
  const { rows, cols } = unmixing;
  const re = new Float64Array(rows * cols);
  const im = new Float64Array(rows * cols);
  for (let k = 0; k < rows * cols; k++) {
    re[k] = unmixing.data[2 * (bin * rows * cols + k)];
    im[k] = unmixing.data[2 * (bin * rows * cols + k) + 1];
  }
  const pr = matMul(re, mixing.data, rows, cols, mixing.cols);
  const pi = matMul(im, mixing.data, rows, cols, mixing.cols);
  const data = new Float64Array(rows * mixing.cols);
  for (let k = 0; k < data.length; k++) data[k] = Math.hypot(pr[k], pi[k]);
  return { rows, cols: mixing.cols, data };
}

/**
 * Amari index of a square global system given by its entries' magnitudes (the index only
 * looks at |p_ij|): core's {@link amariIndex} of `|P|` times the identity.
 */
export function amariOfSystem(system: RealMatrix): number | undefined {
  const n = system.rows;
  if (system.cols !== n) return undefined;
  const identity = new Float64Array(n * n);
  for (let i = 0; i < n; i++) identity[i * n + i] = 1;
  return amariIndex(system.data, identity, n);
}

/** Scores of one separated track. */
export interface TrackScores {
  /** SI-SDR (dB) against each reference. */
  siSdr: number[];
  /** Index of the reference assigned to this track (best permutation), or -1 when none is (more tracks than references). */
  reference: number;
  /** SI-SDR improvement (dB) over the reference microphone against the assigned reference, or NaN when none is. */
  siSdrImprovement: number;
}

/**
 * SI-SDR of every track against every reference, the assignment of tracks to references
 * that maximises the total SI-SDR (core/eval's {@link pairBySiSdr}, as `evaluate` pairs), and the
 * SI-SDR improvement over microphone 1 (`mixtureChannel`) of each assigned pair.
 */
export function scoreTracks(
  tracks: Float64Array[],
  references: Float64Array[],
  mixtureChannel: Float64Array,
): TrackScores[] {
  const { siSdr: scores, referenceOf } = pairBySiSdr(references, tracks);
  return tracks.map((_, j) => {
    const i = referenceOf[j];
    return {
      siSdr: scores[j],
      reference: i,
      siSdrImprovement: i < 0 ? Number.NaN : siSdrImprovement(tracks[j], references[i], mixtureChannel),
    };
  });
}
