import type { MultichannelSignal } from '../audio/signal.js';
import { UnmixError } from '../errors.js';
import { separate, type SeparateOptions } from '../separate.js';
import { evaluate, type EvaluateOptions, type Evaluation } from './evaluate.js';
import { learnInstantaneousOracle, learnStftOracle } from './oracle.js';

/**
 * The baseline method of evaluations: no separation, each mixture channel taken as an
 * estimate. Its SI-SDR is what the improvements (SI-SDRi) are measured from.
 */
export const MIXTURE_BASELINE = 'mixture';

/**
 * The oracle "methods" of evaluations: not blind, they fit the unmixing to the
 * references (see `oracle.ts`), giving the ceiling of an instantaneous or an STFT-domain
 * linear separation beside the blind methods' scores.
 */
export const ORACLE_METHODS = ['oracle-instantaneous', 'oracle-stft'] as const;

/** Evaluation methods besides `separate`'s: the mixture baseline and the oracles. */
export const EVALUATION_BASELINES: readonly string[] = [MIXTURE_BASELINE, ...ORACLE_METHODS];

/** Options of {@link evaluateSeparation}. */
export interface EvaluateSeparationOptions extends EvaluateOptions {
  /** A method of `separate` (`auto` by default), {@link MIXTURE_BASELINE}, or one of {@link ORACLE_METHODS}. */
  method?: string;
  /** Options passed to `separate` (seed, iterations, ...). */
  separateOptions?: Omit<SeparateOptions, 'method'>;
  /** The microphone (0-based) whose image of each source is the reference; default 0, where `separate` projects sources back to. */
  referenceChannel?: number;
}

/** The result of {@link evaluateSeparation}. */
export interface SeparationEvaluation extends Evaluation {
  /** The method that ran (after resolving `auto`). */
  method: string;
  /** The separated sources that were scored (for the baseline: the mixture channels). */
  estimates: MultichannelSignal;
}

/**
 * Separate a mixture with a method and score the result against reference images: the
 * library form of one row of `unmix eval --manifest`.
 *
 * @param mixture - the recording, one channel per microphone
 * @param references - one signal per source: its image at every microphone (or a mono
 *   signal, used whatever `referenceChannel` is), same rate and length as the mixture
 */
export async function evaluateSeparation(
  mixture: MultichannelSignal,
  references: readonly MultichannelSignal[],
  options: EvaluateSeparationOptions = {},
): Promise<SeparationEvaluation> {
  const channel = options.referenceChannel ?? 0;
  const mics = mixture.channels.length;
  if (!Number.isInteger(channel) || channel < 0 || channel >= mics) {
    throw new UnmixError(`reference channel ${channel + 1} does not exist: the mixture has ${mics} channels`, 'usage');
  }
  references.forEach((r, k) => {
    if (r.sampleRate !== mixture.sampleRate) {
      throw new UnmixError(`reference ${k + 1} is at ${r.sampleRate} Hz but the mixture at ${mixture.sampleRate} Hz`);
    }
  });
  const referenceSignals = references.map((r, k) => {
    if (r.channels.length === 0) throw new UnmixError(`reference ${k + 1} has no channels`);
    return r.channels.length === 1 ? r.channels[0] : r.channels[Math.min(channel, r.channels.length - 1)];
  });
  const requested = options.method ?? 'auto';
  let estimates: MultichannelSignal;
  let method: string;
  if (requested === MIXTURE_BASELINE) {
    estimates = mixture;
    method = MIXTURE_BASELINE;
  } else if (requested === 'oracle-instantaneous' || requested === 'oracle-stft') {
    const learn = requested === 'oracle-stft' ? learnStftOracle : learnInstantaneousOracle;
    const given = (options.separateOptions ?? {}) as {
      seed?: number;
      fftSize?: number;
      hopSamples?: number;
      iterations?: number;
    };
    // 100 Adam steps from the least-squares start: within ~1 dB of convergence on rooms.
    estimates = learn(mixture, referenceSignals, {
      seed: given.seed,
      fftSize: given.fftSize,
      hopSamples: given.hopSamples,
      iterations: given.iterations ?? 100,
    }).sources;
    method = requested;
  } else {
    const result = await separate(mixture, { ...options.separateOptions, method: requested });
    estimates = result.sources;
    method = result.method;
  }
  const evaluation = evaluate(referenceSignals, estimates.channels, {
    ...options,
    mixture: options.mixture ?? mixture.channels[channel],
  });
  return { ...evaluation, method, estimates };
}
