/**
 * What the window shows about a result beyond the result itself: the global system W·A
 * when the true mixing is known, its Amari index, and SI-SDR scores against references.
 * The measures come from core; this file only arranges them for display.
 */
import type { RealMatrix } from '../../../core/room/instantaneous.js';
import { siSdr } from '../../../core/losses/siSdr.js';
import type { RealUnmixing } from '../../../core/separate.js';

/**
 * The global system `W·A` (sources x true sources) of a real unmixing and the true mixing
 * matrix, or null when their shapes do not fit (W's columns = A's rows = microphones).
 */
export function globalSystem(unmixing: RealUnmixing, mixing: RealMatrix): RealMatrix | null {
  if (unmixing.cols !== mixing.rows) return null;
  const rows = unmixing.rows;
  const cols = mixing.cols;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let k = 0; k < unmixing.cols; k++) sum += unmixing.data[r * unmixing.cols + k] * mixing.data[k * cols + c];
      data[r * cols + c] = sum;
    }
  }
  return { rows, cols, data };
}

/** Amari index of a square global system, when core provides it. */
export function amariIndexOf(system: RealMatrix): number | undefined {
  if (system.rows !== system.cols) return undefined;
  return undefined;
}

/** Scores of one separated track against the references. */
export interface TrackScores {
  /** SI-SDR (dB) against each reference. */
  siSdr: number[];
  /** Index of the reference this track matches best. */
  best: number;
  /** SI-SDR improvement (dB) over the reference microphone against the best reference. */
  siSdrImprovement: number;
}

/**
 * SI-SDR of every track against every reference, the best-matching reference of each
 * track, and the improvement over microphone 1 (`mixtureChannel`).
 */
export function scoreTracks(
  tracks: Float64Array[],
  references: Float64Array[],
  mixtureChannel: Float64Array,
): TrackScores[] {
  const baseline = references.map((reference) => siSdr(mixtureChannel, reference));
  return tracks.map((track) => {
    const scores = references.map((reference) => siSdr(track, reference));
    let best = 0;
    for (let j = 1; j < scores.length; j++) if (scores[j] > scores[best]) best = j;
    return { siSdr: scores, best, siSdrImprovement: scores[best] - baseline[best] };
  });
}
