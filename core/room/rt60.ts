import type { Hertz, Seconds } from '../audio/signal.js';
import { UnmixError } from '../errors.js';

/** Options of {@link measureRt60}. */
export interface MeasureRt60Options {
  /** Start of the fitted part of the decay curve, dB (≤ 0); default −5. */
  fromDb?: number;
  /** End of the fitted part, dB (< fromDb); default −25 (a T20 measurement). */
  toDb?: number;
}

/**
 * Reverberation time of an impulse response by Schroeder's backward integration
 * (M. R. Schroeder, "New method of measuring reverberation time", JASA 37, 1965):
 * the energy decay curve `EDC(t) = Σ_{τ ≥ t} h(τ)²` in dB, a least-squares line through
 * its part between `fromDb` and `toDb`, extrapolated to −60 dB (ISO 3382's T20 by default).
 *
 * @param rir - impulse response
 * @param sampleRate - Hz
 * @returns seconds
 * @throws UnmixError when the response is silent or never decays by `toDb`
 */
export function measureRt60(rir: Float64Array, sampleRate: Hertz, options: MeasureRt60Options = {}): Seconds {
  const fromDb = options.fromDb ?? -5;
  const toDb = options.toDb ?? -25;
  if (!(fromDb <= 0 && toDb < fromDb)) {
    throw new UnmixError(`the decay range must satisfy toDb < fromDb <= 0, got ${fromDb} to ${toDb} dB`, 'usage');
  }
  const n = rir.length;
  const edc = new Float64Array(n);
  let sum = 0;
  for (let t = n - 1; t >= 0; t--) {
    sum += rir[t] * rir[t];
    edc[t] = sum;
  }
  if (!(sum > 0)) throw new UnmixError('the impulse response is silent', 'input');
  // Least-squares fit of dB = a + b t over the samples whose EDC lies in [toDb, fromDb].
  let count = 0;
  let st = 0;
  let sd = 0;
  let stt = 0;
  let std = 0;
  let reached = false;
  for (let t = 0; t < n; t++) {
    const db = 10 * Math.log10(edc[t] / sum);
    if (db > fromDb) continue;
    if (db < toDb) {
      reached = true;
      break;
    }
    const time = t / sampleRate;
    count++;
    st += time;
    sd += db;
    stt += time * time;
    std += time * db;
  }
  if (!reached || count < 2) {
    throw new UnmixError(`the impulse response does not decay by ${-toDb} dB`, 'input');
  }
  const slope = (count * std - st * sd) / (count * stt - st * st);
  if (!(slope < 0)) throw new UnmixError('the impulse response does not decay', 'input');
  return -60 / slope;
}
