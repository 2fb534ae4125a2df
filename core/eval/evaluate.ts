import { UnmixError } from '../errors.js';
import { bssEvalSources } from '../losses/bssEval.js';
import { bestAssignment } from '../losses/pit.js';
import { SDR_LIMIT_DB, sdSdr, siSdrWithGradient, snr } from '../losses/siSdr.js';

/**
 * Scoring a separation: signals in, scores out. The `unmix eval` command, the manifest
 * runner and the benchmarks all call {@link evaluate}; it decides the pairing of
 * estimates with references once, then computes the asked-for metrics for that pairing.
 */

/** Every metric {@link evaluate} knows, by its JSON/CSV name. */
export const METRIC_NAMES = ['si_sdr', 'si_sdri', 'snr', 'sd_sdr', 'sdr', 'sdri', 'sir', 'sar'] as const;

/** A metric name; see {@link METRIC_DESCRIPTIONS}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** One line per metric, for `--help` and the README. */
export const METRIC_DESCRIPTIONS: Record<MetricName, string> = {
  si_sdr: 'scale-invariant SDR (Le Roux et al. 2019), zero-mean, dB',
  si_sdri: 'SI-SDR improvement over the mixture channel, dB (needs the mixture)',
  snr: 'signal-to-noise ratio of the estimate as it is (level matters), dB',
  sd_sdr: 'scale-dependent SDR (Le Roux et al. 2019), dB',
  sdr: 'BSS Eval v3 signal-to-distortion ratio (512-tap filters, as mir_eval), dB',
  sdri: 'BSS Eval SDR improvement over the mixture channel, dB (needs the mixture)',
  sir: 'BSS Eval v3 signal-to-interference ratio, dB',
  sar: 'BSS Eval v3 signal-to-artifacts ratio, dB',
};

/** Metrics computed when none are asked for: the improvements only when a mixture is given. */
export const DEFAULT_METRICS: readonly MetricName[] = ['si_sdr', 'si_sdri', 'sdr', 'sir', 'sar'];

/** How estimates are paired with references. */
export type PairingRule = 'best' | 'none';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Metrics to compute; default {@link DEFAULT_METRICS} (without improvements when there is no mixture). */
  metrics?: readonly MetricName[];
  /** The mixture channel the estimates were separated from (usually the reference microphone); needed for `si_sdri`, `sdri`. */
  mixture?: Float64Array;
  /**
   * `best` (default): the assignment of estimates to references with the highest mean
   * SI-SDR (permutation-invariant, exact: exhaustive or Hungarian); `none`: estimate i
   * is scored against reference i. More estimates than references are allowed with
   * `best`; the spare ones are left unscored.
   */
  pairing?: PairingRule;
  /** BSS Eval distortion filter length in samples; default 512. */
  filterLength?: number;
}

/** Scores of one reference; metrics not asked for are absent. dB, bounded to ±{@link SDR_LIMIT_DB}. */
export type SourceScores = {
  /** Index of the reference (0-based). */
  reference: number;
  /** Index of the estimate paired with it (0-based). */
  estimate: number;
} & Partial<Record<MetricName, number>>;

/** The result of {@link evaluate}. */
export interface Evaluation {
  /** One entry per reference, in reference order. */
  sources: SourceScores[];
  /** `permutation[i]` = the estimate paired with reference i. */
  permutation: number[];
}

/** Check a metric list (e.g. from `--metrics a,b`), with a plain usage error for an unknown name. */
export function parseMetrics(list: string | readonly string[]): MetricName[] {
  const names = (typeof list === 'string' ? list.split(',') : list).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UnmixError('no metrics given', 'usage');
  for (const name of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(name)) {
      throw new UnmixError(`unknown metric '${name}'; choose from: ${METRIC_NAMES.join(', ')}`, 'usage');
    }
  }
  return [...new Set(names)] as MetricName[];
}

function bound(db: number): number {
  return Math.min(SDR_LIMIT_DB, Math.max(-SDR_LIMIT_DB, db));
}

/** The result of {@link pairBySiSdr}. */
export interface SiSdrPairing {
  /** `siSdr[j][i]`: SI-SDR (dB) of estimate j against reference i. */
  siSdr: number[][];
  /** `estimateOf[i]`: the estimate paired with reference i, or -1 (fewer estimates than references). */
  estimateOf: number[];
  /** `referenceOf[j]`: the reference paired with estimate j, or -1 (more estimates than references). */
  referenceOf: number[];
}

/**
 * The SI-SDR of every estimate against every reference and the pairing that maximises
 * the total SI-SDR (permutation-invariant, exact: core/losses' `bestAssignment`,
 * exhaustive up to 4, Hungarian beyond). Any counts: the larger side has unpaired members.
 * The pairing of {@link evaluate} (`pairing: 'best'`) and of the desktop analysis view.
 *
 * @param references - reference signals, equal lengths
 * @param estimates - estimated signals, the same length as the references
 */
export function pairBySiSdr(references: readonly Float64Array[], estimates: readonly Float64Array[]): SiSdrPairing {
  const n = references.length;
  const m = estimates.length;
  const scores = estimates.map((estimate) => references.map((reference) => siSdrWithGradient(estimate, reference)));
  const estimateOf = new Array<number>(n).fill(-1);
  const referenceOf = new Array<number>(m).fill(-1);
  if (m >= n) {
    // Rows = references: permutation[i] is the estimate of reference i.
    const costs = references.map((_, i) => estimates.map((_, j) => -scores[j][i]));
    bestAssignment(costs).permutation.forEach((j, i) => {
      estimateOf[i] = j;
      referenceOf[j] = i;
    });
  } else {
    const costs = estimates.map((_, j) => references.map((_, i) => -scores[j][i]));
    bestAssignment(costs).permutation.forEach((i, j) => {
      estimateOf[i] = j;
      referenceOf[j] = i;
    });
  }
  return { siSdr: scores, estimateOf, referenceOf };
}

/**
 * Score estimated sources against reference sources.
 *
 * @param references - n reference signals (e.g. each source's image at the reference microphone), equal lengths
 * @param estimates - m ≥ n estimated signals (m = n with `pairing: 'none'`), the same length as the references
 * @returns per-reference scores and the pairing
 * @throws UnmixError for mismatched counts or lengths, an improvement metric without a
 *   mixture, or a silent reference with BSS Eval metrics
 */
export function evaluate(
  references: readonly Float64Array[],
  estimates: readonly Float64Array[],
  options: EvaluateOptions = {},
): Evaluation {
  const n = references.length;
  const m = estimates.length;
  if (n === 0) throw new UnmixError('no reference sources to score against', 'usage');
  if (m < n)
    throw new UnmixError(`${m} estimate${m === 1 ? '' : 's'} for ${n} references: need one per reference`, 'input');
  const pairing = options.pairing ?? 'best';
  if (pairing === 'none' && m !== n) {
    throw new UnmixError(`${m} estimates for ${n} references: without pairing the counts must be equal`, 'input');
  }
  const length = references[0].length;
  references.forEach((r, i) => {
    if (r.length !== length)
      throw new UnmixError(`reference ${i + 1} has ${r.length} samples; reference 1 has ${length}`, 'input');
  });
  estimates.forEach((e, j) => {
    if (e.length !== length)
      throw new UnmixError(`estimate ${j + 1} has ${e.length} samples; the references have ${length}`, 'input');
  });
  const mixture = options.mixture;
  if (mixture && mixture.length !== length) {
    throw new UnmixError(`the mixture has ${mixture.length} samples; the references have ${length}`, 'input');
  }
  const metrics =
    options.metrics ?? DEFAULT_METRICS.filter((name) => mixture || (name !== 'si_sdri' && name !== 'sdri'));
  const wanted = new Set(metrics);
  if (!mixture && (wanted.has('si_sdri') || wanted.has('sdri'))) {
    throw new UnmixError('si_sdri and sdri need the mixture (--mixture)', 'usage');
  }

  const permutation = pairing === 'best' ? pairBySiSdr(references, estimates).estimateOf : references.map((_, i) => i);
  const paired = permutation.map((j) => estimates[j]);
  const sources: SourceScores[] = references.map((_, i) => ({ reference: i, estimate: permutation[i] }));

  const bssWanted = wanted.has('sdr') || wanted.has('sir') || wanted.has('sar') || wanted.has('sdri');
  const bss = bssWanted
    ? bssEvalSources(references, paired, { computePermutation: false, filterLength: options.filterLength })
    : undefined;
  // The mixture scored as the estimate of every source: what "doing nothing" achieves.
  const bssMixture =
    wanted.has('sdri') && mixture
      ? bssEvalSources(
          references,
          references.map(() => mixture),
          { computePermutation: false, filterLength: options.filterLength },
        )
      : undefined;

  for (let i = 0; i < n; i++) {
    const scores = sources[i];
    const est = paired[i];
    const ref = references[i];
    for (const name of metrics) {
      switch (name) {
        case 'si_sdr':
          scores.si_sdr = siSdrWithGradient(est, ref);
          break;
        case 'si_sdri':
          scores.si_sdri = siSdrWithGradient(est, ref) - siSdrWithGradient(mixture!, ref);
          break;
        case 'snr':
          scores.snr = snr(est, ref);
          break;
        case 'sd_sdr':
          scores.sd_sdr = sdSdr(est, ref);
          break;
        case 'sdr':
          scores.sdr = bound(bss!.sdr[i]);
          break;
        case 'sdri':
          scores.sdri = bound(bss!.sdr[i]) - bound(bssMixture!.sdr[i]);
          break;
        case 'sir':
          scores.sir = bound(bss!.sir[i]);
          break;
        case 'sar':
          scores.sar = bound(bss!.sar[i]);
          break;
      }
    }
  }
  return { sources, permutation };
}

/**
 * Mean SI-SDR improvement (dB) of the best pairing of estimates with references over
 * `mixture` (usually the reference microphone): {@link evaluate} with `si_sdri` only, averaged
 * over references. The pairing that maximises SI-SDR also maximises SI-SDRi (the mixture's
 * score depends on the reference only). For tests and benchmarks that want one number.
 *
 * @param references - n reference signals, equal lengths
 * @param estimates - m ≥ n estimates, same length
 * @param mixture - the mixture channel, same length
 * @throws UnmixError as {@link evaluate}
 */
export function meanSiSdrImprovement(
  references: readonly Float64Array[],
  estimates: readonly Float64Array[],
  mixture: Float64Array,
): number {
  const { sources } = evaluate(references, estimates, { mixture, metrics: ['si_sdri'] });
  let sum = 0;
  for (const scores of sources) sum += scores.si_sdri!;
  return sum / sources.length;
}

/** Summary statistics of one metric over many rows. */
export interface MetricSummary {
  count: number;
  mean: number;
  median: number;
  min: number;
  max: number;
}

/** Mean, median, min and max of finite `values` (count 0 and NaN statistics when there are none). */
export function summarize(values: readonly number[]): MetricSummary {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  const count = finite.length;
  if (count === 0) return { count, mean: NaN, median: NaN, min: NaN, max: NaN };
  const mean = finite.reduce((s, v) => s + v, 0) / count;
  const median = count % 2 ? finite[(count - 1) / 2] : (finite[count / 2 - 1] + finite[count / 2]) / 2;
  return { count, mean, median, min: finite[0], max: finite[count - 1] };
}
