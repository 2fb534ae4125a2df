import type { MultichannelSignal } from '../audio/signal.js';
import { UnmixError } from '../errors.js';
import { createRandom } from '../random.js';

/**
 * Add white Gaussian noise to every channel of `signal`, in place, at a signal-to-noise
 * ratio relative to the signal's power averaged over channels (the same noise level on
 * every channel, independent between channels), as microphone self-noise.
 *
 * @param signal - modified in place
 * @param snrDb - signal-to-noise ratio, dB
 * @param seed - seed of the noise; default 0
 * @returns the RMS of the added noise (0 for a silent signal)
 */
export function addWhiteNoise(signal: MultichannelSignal, snrDb: number, seed = 0): number {
  if (!Number.isFinite(snrDb)) throw new UnmixError(`the SNR must be a finite number of dB, got ${snrDb}`, 'usage');
  let power = 0;
  let count = 0;
  for (const x of signal.channels) {
    for (let t = 0; t < x.length; t++) power += x[t] * x[t];
    count += x.length;
  }
  if (count === 0) return 0;
  const rms = Math.sqrt(power / count / 10 ** (snrDb / 10));
  const rng = createRandom(seed);
  for (const x of signal.channels) for (let t = 0; t < x.length; t++) x[t] += rms * rng.normal();
  return rms;
}
