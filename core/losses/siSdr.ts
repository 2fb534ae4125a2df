import { UnmixError } from '../errors.js';

/**
 * The SDR family of separation metrics (Le Roux, Wisdom, Erdogan & Hershey, "SDR –
 * half-baked or well done?", ICASSP 2019; von Neumann et al., "SA-SDR", ICASSP 2022),
 * each with its gradient with respect to the estimate, and their negatives as losses.
 *
 * Every metric here is a ratio of two energies in dB, `10 log10(num / den)`. To stay
 * finite on silence and on perfect estimates, every one is computed as
 *
 *   10 log10( (num + c·t) / (den + c·t) ),   c = 10^(-SDR_LIMIT_DB / 10),
 *
 * where `t` is the total energy the ratio is made of (`t = num + den`, which for SI-SDR
 * is `||ŝ||²`) and c ≈ 1e-10 is set so that the bound is exactly ±{@link SDR_LIMIT_DB}. This bounds the value to ±{@link SDR_LIMIT_DB} (a perfect
 * estimate scores just under +100 dB, an estimate orthogonal to the reference or a
 * silent reference just over −100 dB), keeps it smooth (so the gradient exists
 * everywhere), scale-invariant where the metric is, and changes values below 80 dB by
 * less than 0.05 dB (below 60 dB by less than 0.001 dB). When `t = 0` (e.g. a silent
 * estimate for SI-SDR, or silent reference and estimate for SNR) the value is
 * −{@link SDR_LIMIT_DB} and the gradient is zero. Never NaN, never ±∞ for finite input.
 */

/** Bound of every metric of this module, in dB: values lie strictly inside ±100 dB. */
export const SDR_LIMIT_DB = 100;

// Chosen so that the bounded ratio is exactly 10^(±SDR_LIMIT_DB/10) at its extremes.
const RELATIVE_FLOOR = 1 / (Math.pow(10, SDR_LIMIT_DB / 10) - 1);
const DB = 10 / Math.LN10;

/** Options of the SDR-family metrics. */
export interface SdrOptions {
  /**
   * Remove the mean of estimate and reference first, so a DC offset is not scored.
   * Default `true` for SI-SDR (as in Le Roux et al.), `false` for the others.
   */
  zeroMean?: boolean;
}

/**
 * A metric of one estimate against one reference, in dB (higher is better), that also
 * writes its gradient with respect to the estimate into `gradient` (same length as
 * `estimate`) when given. {@link siSdrPair}, {@link snrPair}, {@link sdSdrPair} are ones.
 */
export type PairMetric = (estimate: Float64Array, reference: Float64Array, gradient?: Float64Array) => number;

/**
 * A loss of one estimate against one reference (lower is better) with the same shape
 * as {@link PairMetric}; {@link negativeOf} turns a metric into one. PIT takes these.
 */
export type PairLoss = PairMetric;

function checkPair(estimate: Float64Array, reference: Float64Array, gradient?: Float64Array): void {
  if (estimate.length !== reference.length) {
    throw new UnmixError(
      `estimate has ${estimate.length} samples but reference has ${reference.length}; trim them to the same length first`,
      'usage',
    );
  }
  if (gradient && gradient.length !== estimate.length) {
    throw new UnmixError(`gradient buffer has ${gradient.length} values; the estimate has ${estimate.length}`, 'usage');
  }
}

function mean(x: Float64Array, zeroMean: boolean): number {
  if (!zeroMean || x.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  return sum / x.length;
}

/**
 * The bounded ratio `10 log10((num + c t) / (den + c t))` and its derivative. The
 * derivatives of num, den, t with respect to the (centred) estimate e are all linear in
 * e and in the (centred) reference s: d(·) = a·e + b·s. Returns [value, A, B] with
 * gradient = A·e + B·s.
 */
function boundedRatio(
  num: number,
  den: number,
  t: number,
  dNum: readonly [number, number],
  dDen: readonly [number, number],
  dT: readonly [number, number],
): [number, number, number] {
  if (!(t > 0)) return [-SDR_LIMIT_DB, 0, 0];
  const floor = RELATIVE_FLOOR * t;
  const top = num + floor;
  const bottom = den + floor;
  // The clamp only removes rounding beyond the bound.
  const value = Math.min(SDR_LIMIT_DB, Math.max(-SDR_LIMIT_DB, DB * Math.log(top / bottom)));
  // d value = DB [ (dNum + c dT) / top - (dDen + c dT) / bottom ]
  const A = DB * ((dNum[0] + RELATIVE_FLOOR * dT[0]) / top - (dDen[0] + RELATIVE_FLOOR * dT[0]) / bottom);
  const B = DB * ((dNum[1] + RELATIVE_FLOOR * dT[1]) / top - (dDen[1] + RELATIVE_FLOOR * dT[1]) / bottom);
  return [value, A, B];
}

function writeGradient(
  gradient: Float64Array | undefined,
  A: number,
  B: number,
  estimate: Float64Array,
  meanE: number,
  reference: Float64Array,
  meanR: number,
): void {
  if (!gradient) return;
  // With zero mean, e and s are already centred, so the centring projection of the
  // gradient (g − mean g) leaves A·e + B·s unchanged.
  for (let i = 0; i < estimate.length; i++) gradient[i] = A * (estimate[i] - meanE) + B * (reference[i] - meanR);
}

/**
 * SI-SDR (scale-invariant SDR, = SI-SNR) of one estimate in dB, with its gradient:
 *
 *   α = <ŝ, s> / ||s||²,   SI-SDR = 10 log10( ||α s||² / ||α s − ŝ||² )
 *
 * (Le Roux et al. 2019), bounded as described in this module ({@link SDR_LIMIT_DB}).
 *
 * @param estimate - estimated source ŝ (any scale)
 * @param reference - reference source s, same length
 * @param options - `zeroMean` default true
 * @param gradient - if given, receives d SI-SDR / d ŝ (dB per unit sample), same length
 * @returns dB in (−100, 100)
 */
export function siSdrWithGradient(
  estimate: Float64Array,
  reference: Float64Array,
  options: SdrOptions = {},
  gradient?: Float64Array,
): number {
  checkPair(estimate, reference, gradient);
  const zeroMean = options.zeroMean ?? true;
  const meanE = mean(estimate, zeroMean);
  const meanR = mean(reference, zeroMean);
  const n = estimate.length;
  let dot = 0;
  let rr = 0;
  let ee = 0;
  for (let i = 0; i < n; i++) {
    const r = reference[i] - meanR;
    const e = estimate[i] - meanE;
    dot += e * r;
    rr += r * r;
    ee += e * e;
  }
  const alpha = rr > 0 ? dot / rr : 0;
  // The residual is summed explicitly: the shortcut ||ŝ||² − α<ŝ,s> cancels badly for good estimates.
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const d = alpha * (reference[i] - meanR) - (estimate[i] - meanE);
    noise += d * d;
  }
  // num = <e,s>²/||s||²: d num = 2α s; den = ||e||² − num: d den = 2e − 2α s; t = ||e||²: d t = 2e.
  const [value, A, B] = boundedRatio(alpha * alpha * rr, noise, ee, [0, 2 * alpha], [2, -2 * alpha], [2, 0]);
  writeGradient(gradient, A, B, estimate, meanE, reference, meanR);
  return value;
}

/**
 * Scale-invariant signal-to-distortion ratio (SI-SDR, Le Roux, Wisdom, Erdogan & Hershey,
 * "SDR – half-baked or well done?", ICASSP 2019), in dB:
 *
 *   α = <ŝ, s> / <s, s>,   SI-SDR = 10 log10( ||α s||² / ||α s − ŝ||² )
 *
 * Bounded to (−100, 100) dB as described for {@link SDR_LIMIT_DB}: a perfect estimate
 * scores just under 100 dB, an estimate orthogonal to the reference, a silent estimate
 * or a silent reference just over (or at) −100 dB. See {@link siSdrWithGradient}.
 *
 * @param estimate - estimated source ŝ
 * @param reference - reference source s, same length
 * @param zeroMean - remove the mean of both first (default true, as in the paper)
 * @returns dB
 */
export function siSdr(estimate: Float64Array, reference: Float64Array, zeroMean = true): number {
  return siSdrWithGradient(estimate, reference, { zeroMean });
}

/**
 * Signal-to-noise ratio of an estimate, in dB: `10 log10(||s||² / ||s − ŝ||²)`. Not
 * scale-invariant: a correct estimate at the wrong level scores low. Bounded as for
 * {@link SDR_LIMIT_DB} (here t = ||s||² + ||s − ŝ||²).
 *
 * @param options - `zeroMean` default false
 * @param gradient - if given, receives d SNR / d ŝ
 */
export function snr(
  estimate: Float64Array,
  reference: Float64Array,
  options: SdrOptions = {},
  gradient?: Float64Array,
): number {
  checkPair(estimate, reference, gradient);
  const zeroMean = options.zeroMean ?? false;
  const meanE = mean(estimate, zeroMean);
  const meanR = mean(reference, zeroMean);
  let rr = 0;
  let noise = 0;
  for (let i = 0; i < estimate.length; i++) {
    const r = reference[i] - meanR;
    const d = estimate[i] - meanE - r;
    rr += r * r;
    noise += d * d;
  }
  // den = ||e − s||²: d den = 2e − 2s; t = num + den.
  const [value, A, B] = boundedRatio(rr, noise, rr + noise, [0, 0], [2, -2], [2, -2]);
  writeGradient(gradient, A, B, estimate, meanE, reference, meanR);
  return value;
}

/**
 * Scale-dependent SDR (SD-SDR, Le Roux et al. 2019), in dB:
 * `10 log10(||α s||² / ||s − ŝ||²)` with `α = <ŝ, s> / ||s||²`. Like SI-SDR in the
 * numerator, but the error is measured against the reference itself, so a wrong level
 * is penalised. Bounded as for {@link SDR_LIMIT_DB} (t = num + den).
 *
 * @param options - `zeroMean` default false
 * @param gradient - if given, receives d SD-SDR / d ŝ
 */
export function sdSdr(
  estimate: Float64Array,
  reference: Float64Array,
  options: SdrOptions = {},
  gradient?: Float64Array,
): number {
  checkPair(estimate, reference, gradient);
  const zeroMean = options.zeroMean ?? false;
  const meanE = mean(estimate, zeroMean);
  const meanR = mean(reference, zeroMean);
  let dot = 0;
  let rr = 0;
  let noise = 0;
  for (let i = 0; i < estimate.length; i++) {
    const r = reference[i] - meanR;
    const e = estimate[i] - meanE;
    dot += e * r;
    rr += r * r;
    noise += (e - r) * (e - r);
  }
  const alpha = rr > 0 ? dot / rr : 0;
  const num = alpha * alpha * rr;
  // d num = 2α s; d den = 2e − 2s; d t = d num + d den.
  const [value, A, B] = boundedRatio(num, noise, num + noise, [0, 2 * alpha], [2, -2], [2, 2 * alpha - 2]);
  writeGradient(gradient, A, B, estimate, meanE, reference, meanR);
  return value;
}

/**
 * Source-aggregated SDR (SA-SDR, von Neumann, Kinoshita, Boeddeker, Delcroix &
 * Haeb-Umbach, ICASSP 2022) of a set of estimates, in dB:
 * `10 log10(Σ_k ||s_k||² / Σ_k ||s_k − ŝ_k||²)`. One number for all sources: quiet
 * sources weigh less, and a silent reference does not make it undefined. Bounded as
 * for {@link SDR_LIMIT_DB}.
 *
 * @param estimates - K estimates, `estimates[k]` paired with `references[k]`
 * @param references - K references, all the same length
 * @param options - `zeroMean` default false
 * @param gradients - if given, K buffers receiving d SA-SDR / d ŝ_k
 */
export function saSdr(
  estimates: readonly Float64Array[],
  references: readonly Float64Array[],
  options: SdrOptions = {},
  gradients?: readonly Float64Array[],
): number {
  checkBatch(estimates, references, gradients);
  const zeroMean = options.zeroMean ?? false;
  let rr = 0;
  let noise = 0;
  const meansE = estimates.map((e) => mean(e, zeroMean));
  const meansR = references.map((r) => mean(r, zeroMean));
  for (let k = 0; k < estimates.length; k++) {
    const e = estimates[k];
    const s = references[k];
    for (let i = 0; i < e.length; i++) {
      const r = s[i] - meansR[k];
      const d = e[i] - meansE[k] - r;
      rr += r * r;
      noise += d * d;
    }
  }
  const [value, A, B] = boundedRatio(rr, noise, rr + noise, [0, 0], [2, -2], [2, -2]);
  if (gradients) {
    for (let k = 0; k < estimates.length; k++) {
      writeGradient(gradients[k], A, B, estimates[k], meansE[k], references[k], meansR[k]);
    }
  }
  return value;
}

function checkBatch(
  estimates: readonly Float64Array[],
  references: readonly Float64Array[],
  gradients?: readonly Float64Array[],
): void {
  if (estimates.length !== references.length) {
    throw new UnmixError(
      `${estimates.length} estimates for ${references.length} references; pair them first (e.g. with pit)`,
      'usage',
    );
  }
  if (gradients && gradients.length !== estimates.length) {
    throw new UnmixError(`${gradients.length} gradient buffers for ${estimates.length} estimates`, 'usage');
  }
  for (let k = 0; k < estimates.length; k++) checkPair(estimates[k], references[k], gradients?.[k]);
}

/**
 * SI-SDR improvement (SI-SDRi) in dB: SI-SDR of the estimate minus SI-SDR of the
 * mixture channel, both against the same reference: how much separation gained over
 * listening to the microphone. Its gradient with respect to the estimate is that of
 * SI-SDR (the mixture term is a constant).
 *
 * @param mixture - the mixture channel the estimate was made from (usually the reference microphone)
 * @param options - `zeroMean` default true
 * @param gradient - if given, receives d SI-SDRi / d ŝ
 */
export function siSdrImprovement(
  estimate: Float64Array,
  reference: Float64Array,
  mixture: Float64Array,
  options: SdrOptions = {},
  gradient?: Float64Array,
): number {
  checkPair(mixture, reference);
  return siSdrWithGradient(estimate, reference, options, gradient) - siSdrWithGradient(mixture, reference, options);
}

/** {@link siSdrWithGradient} with default options as a {@link PairMetric}. */
export const siSdrPair: PairMetric = (estimate, reference, gradient) =>
  siSdrWithGradient(estimate, reference, {}, gradient);
/** {@link snr} with default options as a {@link PairMetric}. */
export const snrPair: PairMetric = (estimate, reference, gradient) => snr(estimate, reference, {}, gradient);
/** {@link sdSdr} with default options as a {@link PairMetric}. */
export const sdSdrPair: PairMetric = (estimate, reference, gradient) => sdSdr(estimate, reference, {}, gradient);

/**
 * The loss `−metric` of a metric (lower is better), gradient included: what a learner
 * minimises. `negativeOf(siSdrPair)` is the negative SI-SDR loss.
 */
export function negativeOf(metric: PairMetric): PairLoss {
  return (estimate, reference, gradient) => {
    const value = metric(estimate, reference, gradient);
    if (gradient) for (let i = 0; i < gradient.length; i++) gradient[i] = -gradient[i];
    return -value;
  };
}

/** Negative SI-SDR of one pair as a loss (dB, lower is better), with gradient. */
export const negativeSiSdr: PairLoss = negativeOf(siSdrPair);
/** Negative SNR of one pair as a loss. */
export const negativeSnr: PairLoss = negativeOf(snrPair);
/** Negative SD-SDR of one pair as a loss. */
export const negativeSdSdr: PairLoss = negativeOf(sdSdrPair);

/**
 * A pair metric over a batch of sources: `values[k] = metric(estimates[k], references[k])`,
 * gradients written per source when given.
 *
 * @returns one value per source (dB)
 */
export function batchMetric(
  metric: PairMetric,
  estimates: readonly Float64Array[],
  references: readonly Float64Array[],
  gradients?: readonly Float64Array[],
): Float64Array {
  checkBatch(estimates, references, gradients);
  const values = new Float64Array(estimates.length);
  for (let k = 0; k < estimates.length; k++) values[k] = metric(estimates[k], references[k], gradients?.[k]);
  return values;
}

/**
 * The mean of a pair loss over a batch of paired sources, with the gradient of that
 * mean with respect to each estimate: the training loss of a fixed assignment (for the
 * best assignment, see `pit`).
 *
 * @returns mean loss (dB for the SDR family)
 */
export function meanLoss(
  loss: PairLoss,
  estimates: readonly Float64Array[],
  references: readonly Float64Array[],
  gradients?: readonly Float64Array[],
): number {
  const values = batchMetric(loss, estimates, references, gradients);
  const n = values.length;
  if (n === 0) return 0;
  if (gradients) for (const g of gradients) for (let i = 0; i < g.length; i++) g[i] /= n;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += values[k];
  return sum / n;
}

/**
 * Negative SA-SDR as a loss over a batch (lower is better), with gradients.
 * See {@link saSdr}.
 */
export function negativeSaSdr(
  estimates: readonly Float64Array[],
  references: readonly Float64Array[],
  options: SdrOptions = {},
  gradients?: readonly Float64Array[],
): number {
  const value = saSdr(estimates, references, options, gradients);
  if (gradients) for (const g of gradients) for (let i = 0; i < g.length; i++) g[i] = -g[i];
  return -value;
}
