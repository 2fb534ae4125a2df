/**
 * Scale-invariant signal-to-distortion ratio (SI-SDR, Le Roux, Wisdom, Erdogan & Hershey,
 * "SDR – half-baked or well done?", ICASSP 2019), in dB:
 *
 *   α = <ŝ, s> / <s, s>,   SI-SDR = 10 log10( ||α s||² / ||α s − ŝ||² )
 *
 * @param estimate - estimated source ŝ
 * @param reference - reference source s, same length
 * @param zeroMean - remove the mean of both first (default true, as in the paper)
 * @returns dB; +Infinity for a perfect estimate, -Infinity when the estimate is orthogonal
 *   to the reference or the reference is silent.
 */
export function siSdr(estimate: Float64Array, reference: Float64Array, zeroMean = true): number {
  const n = Math.min(estimate.length, reference.length);
  let meanE = 0;
  let meanR = 0;
  if (zeroMean && n > 0) {
    for (let i = 0; i < n; i++) {
      meanE += estimate[i];
      meanR += reference[i];
    }
    meanE /= n;
    meanR /= n;
  }
  let dot = 0;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    const r = reference[i] - meanR;
    dot += (estimate[i] - meanE) * r;
    rr += r * r;
  }
  if (rr === 0) return -Infinity;
  const alpha = dot / rr;
  // The residual is summed explicitly: the shortcut ||ŝ||² − α<ŝ,s> cancels badly for good estimates.
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const d = alpha * (reference[i] - meanR) - (estimate[i] - meanE);
    noise += d * d;
  }
  return 10 * Math.log10((alpha * alpha * rr) / noise);
}
