import { UnmixError } from '../errors.js';

/**
 * Analysis windows for the STFT, and the synthesis (dual) window that makes the
 * weighted overlap-add inverse exact for a given hop.
 */

/** Names of the windows {@link createWindow} knows. */
export type WindowName = 'hann' | 'sqrt-hann';

/** Every {@link WindowName}, for option checking and help texts. */
export const WINDOW_NAMES: readonly WindowName[] = ['hann', 'sqrt-hann'];

/**
 * Periodic Hann window of `size` samples: `w[n] = 0.5 - 0.5 cos(2πn / size)`.
 * Periodic (not symmetric) because that is the version whose shifted copies add up to a
 * constant at hops `size/2`, `size/4`, ..., which keeps the overlap-add well conditioned.
 */
export function hannWindow(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
  return w;
}

/**
 * Square root of the periodic Hann window: `w[n] = sin(πn / size)`. Used as both analysis
 * and synthesis window at hop `size/2`, where its squares add up to exactly 1.
 */
export function sqrtHannWindow(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) w[n] = Math.sin((Math.PI * n) / size);
  return w;
}

/**
 * The window called `name` with `size` samples.
 * @throws UnmixError (usage) for an unknown name
 */
export function createWindow(name: WindowName, size: number): Float64Array {
  if (name === 'hann') return hannWindow(size);
  if (name === 'sqrt-hann') return sqrtHannWindow(size);
  throw new UnmixError(`unknown window '${String(name)}'; choose one of: ${WINDOW_NAMES.join(', ')}`, 'usage');
}

/**
 * The synthesis window that inverts an STFT with analysis window `analysis` and hop
 * `hopSamples` by weighted overlap-add (WOLA): `s[n] = w[n] / Σ_k w[n + k·hop]²` (sum over
 * every shift that stays inside the frame). It is the least-squares inverse of Griffin &
 * Lim (1984): exact for any window and hop where the denominator is non-zero, and equal to
 * the analysis window itself for sqrt-Hann at hop `size/2`.
 *
 * @throws UnmixError (usage) when some sample would not be covered by any window (hop too large)
 */
export function synthesisWindow(analysis: Float64Array, hopSamples: number): Float64Array {
  const size = analysis.length;
  const denominator = new Float64Array(hopSamples);
  for (let n = 0; n < size; n++) denominator[n % hopSamples] += analysis[n] * analysis[n];
  let peak = 0;
  for (let n = 0; n < size; n++) peak = Math.max(peak, Math.abs(analysis[n]));
  const floor = 1e-8 * peak * peak;
  const synthesis = new Float64Array(size);
  for (let r = 0; r < hopSamples; r++) {
    if (!(denominator[r] > floor)) {
      throw new UnmixError(
        `hop ${hopSamples} is too large for a ${size}-sample window: the overlap-add cannot be inverted`,
        'usage',
      );
    }
  }
  for (let n = 0; n < size; n++) synthesis[n] = analysis[n] / denominator[n % hopSamples];
  return synthesis;
}
