import { describe, expect, it } from 'vitest';
import {
  SDR_LIMIT_DB,
  batchMetric,
  meanLoss,
  negativeSaSdr,
  negativeSdSdr,
  negativeSiSdr,
  negativeSnr,
  saSdr,
  sdSdr,
  siSdr,
  siSdrImprovement,
  siSdrWithGradient,
  snr,
  type SdrOptions,
} from '../../../core/losses/siSdr.js';
import { createRandom } from '../../../core/random.js';

const f = (values: number[]): Float64Array => Float64Array.from(values);
const db = (ratio: number): number => 10 * Math.log10(ratio);

function randomSignal(n: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

type Metric = (e: Float64Array, s: Float64Array, o: SdrOptions, g?: Float64Array) => number;

/** Central finite differences of `value(x)` against `gradient`, relative to the gradient's size. */
function checkGradient(value: (x: Float64Array) => number, x: Float64Array, gradient: Float64Array, h = 1e-6): void {
  let scale = 0;
  for (const g of gradient) scale = Math.max(scale, Math.abs(g));
  expect(scale).toBeGreaterThan(0);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = value(x);
    x[i] = keep - h;
    const down = value(x);
    x[i] = keep;
    expect(Math.abs((up - down) / (2 * h) - gradient[i])).toBeLessThan(1e-6 * scale + 1e-7);
  }
}

describe('SDR family: hand-computed values', () => {
  // e = s + n with n orthogonal to s: ||s||² = 2, ||n||² = 0.25.
  const s = f([1, 1, 0, 0]);
  const e = f([1, 1, 0.5, 0]);
  const e3 = f([3, 3, 1.5, 0]);

  it('SI-SDR is 10 log10(||s||²/||n||²) and ignores the scale of the estimate', () => {
    expect(siSdr(e, s, false)).toBeCloseTo(db(8), 6);
    expect(siSdr(e3, s, false)).toBeCloseTo(db(8), 6);
    expect(siSdrWithGradient(e3, s, { zeroMean: false })).toBeCloseTo(db(8), 6);
  });

  it('SI-SDR with zero mean ignores a DC offset (the default)', () => {
    const s2 = f([1, -1, 1, -1]);
    const e2 = f([6.1, 4.1, 5.9, 3.9]); // s2 + 0.1·[1, 1, -1, -1] + 5
    expect(siSdr(e2, s2)).toBeCloseTo(20, 6);
    expect(siSdr(e2, s2, false)).toBeLessThan(0);
  });

  it('SNR and SD-SDR penalise a wrong level', () => {
    expect(snr(e, s)).toBeCloseTo(db(8), 6);
    expect(snr(e3, s)).toBeCloseTo(db(2 / 10.25), 6);
    // α = 3: ||α s||² = 18, ||s - ŝ||² = 10.25
    expect(sdSdr(e3, s)).toBeCloseTo(db(18 / 10.25), 6);
    expect(sdSdr(e, s)).toBeCloseTo(db(8), 6);
  });

  it('SA-SDR aggregates energies over sources', () => {
    const s2 = f([0, 0, 0, 2]);
    const e2 = f([0, 0, 0, 1]);
    // Σ||s||² = 2 + 4, Σ||s - ŝ||² = 0.25 + 1
    expect(saSdr([e, e2], [s, s2])).toBeCloseTo(db(6 / 1.25), 6);
    expect(negativeSaSdr([e, e2], [s, s2])).toBeCloseTo(-db(6 / 1.25), 6);
  });

  it('SI-SDR improvement subtracts the mixture score', () => {
    const mixture = f([1, 1, 2, 0]); // n' = [0, 0, 2, 0]: SI-SDR 10 log10(2/4)
    expect(siSdrImprovement(e, s, mixture, { zeroMean: false })).toBeCloseTo(db(8) - db(0.5), 6);
  });

  it('batches and negative losses', () => {
    const values = batchMetric((x, r, g) => siSdrWithGradient(x, r, { zeroMean: false }, g), [e, e3], [s, s]);
    expect(Array.from(values).map((v) => v.toFixed(6))).toEqual([db(8).toFixed(6), db(8).toFixed(6)]);
    expect(negativeSnr(e, s)).toBeCloseTo(-db(8), 6);
    expect(negativeSdSdr(e3, s)).toBeCloseTo(-db(18 / 10.25), 6);
    expect(meanLoss(negativeSnr, [e, e3], [s, s])).toBeCloseTo(-(db(8) + db(2 / 10.25)) / 2, 6);
  });
});

describe('SDR family: limits on silence and perfect estimates', () => {
  const s = randomSignal(64, 1);
  const zero = new Float64Array(64);
  const metrics: [string, Metric][] = [
    ['siSdr', siSdrWithGradient],
    ['snr', snr],
    ['sdSdr', sdSdr],
  ];
  for (const [name, metric] of metrics) {
    it(`${name}: perfect estimate is just under +${SDR_LIMIT_DB} dB, finite gradient`, () => {
      const g = new Float64Array(64);
      const v = metric(Float64Array.from(s), s, {}, g);
      expect(v).toBeGreaterThan(SDR_LIMIT_DB - 0.01);
      expect(v).toBeLessThanOrEqual(SDR_LIMIT_DB);
      expect(g.every(Number.isFinite)).toBe(true);
    });
    it(`${name}: silent estimate or silent reference give -${SDR_LIMIT_DB} dB or just above, never NaN`, () => {
      const cases =
        name === 'snr'
          ? [[s, zero]]
          : [
              [zero, s],
              [s, zero],
              [zero, zero],
            ];
      for (const [est, ref] of cases) {
        const g = new Float64Array(64);
        const v = metric(est, ref, {}, g);
        expect(v).toBeGreaterThanOrEqual(-SDR_LIMIT_DB);
        expect(v).toBeLessThan(-SDR_LIMIT_DB + 0.01);
        expect(g.every(Number.isFinite)).toBe(true);
      }
    });
  }
  it('SNR of a silent estimate is 0 dB, as defined', () => {
    expect(snr(zero, s)).toBeCloseTo(0, 9);
  });
  it('values below 60 dB are changed by the bound by less than 0.001 dB', () => {
    const e = Float64Array.from(s, (x, i) => x + 1e-3 * Math.cos(i));
    let noise = 0;
    let energy = 0;
    for (let i = 0; i < 64; i++) {
      noise += (e[i] - s[i]) ** 2;
      energy += s[i] ** 2;
    }
    expect(Math.abs(snr(e, s) - db(energy / noise))).toBeLessThan(1e-3);
  });
  it('mismatched lengths are a usage error', () => {
    expect(() => siSdr(new Float64Array(3), new Float64Array(4))).toThrow(/3 samples but reference has 4/);
  });
});

describe('SDR family: gradients match finite differences', () => {
  const s = randomSignal(24, 2);
  const noise = randomSignal(24, 3);
  const e = Float64Array.from(s, (x, i) => 0.7 * x + 0.4 * noise[i] + 0.2);
  const cases: [string, Metric, SdrOptions][] = [
    ['SI-SDR zero-mean', siSdrWithGradient, {}],
    ['SI-SDR', siSdrWithGradient, { zeroMean: false }],
    ['SNR', snr, {}],
    ['SNR zero-mean', snr, { zeroMean: true }],
    ['SD-SDR', sdSdr, {}],
    ['SD-SDR zero-mean', sdSdr, { zeroMean: true }],
  ];
  for (const [name, metric, options] of cases) {
    it(name, () => {
      const x = Float64Array.from(e);
      const g = new Float64Array(x.length);
      metric(x, s, options, g);
      checkGradient((y) => metric(y, s, options), x, g);
    });
  }
  it('SI-SDR near the bound (a perfect estimate) stays smooth', () => {
    const x = Float64Array.from(s, (v, i) => v + 1e-7 * noise[i]);
    const g = new Float64Array(x.length);
    siSdrWithGradient(x, s, {}, g);
    checkGradient((y) => siSdrWithGradient(y, s, {}), x, g, 1e-9);
  });
  it('SI-SDR improvement and the negative losses', () => {
    const x = Float64Array.from(e);
    const mixture = randomSignal(24, 4);
    const g = new Float64Array(x.length);
    siSdrImprovement(x, s, mixture, {}, g);
    checkGradient((y) => siSdrImprovement(y, s, mixture), x, g);
    negativeSiSdr(x, s, g);
    checkGradient((y) => negativeSiSdr(y, s), x, g);
  });
  it('SA-SDR and the mean loss over a batch', () => {
    const refs = [s, randomSignal(24, 5)];
    const ests = [Float64Array.from(e), randomSignal(24, 6)];
    const grads = [new Float64Array(24), new Float64Array(24)];
    saSdr(ests, refs, {}, grads);
    for (let k = 0; k < 2; k++) checkGradient(() => saSdr(ests, refs), ests[k], grads[k]);
    meanLoss(negativeSiSdr, ests, refs, grads);
    for (let k = 0; k < 2; k++) checkGradient(() => meanLoss(negativeSiSdr, ests, refs), ests[k], grads[k]);
  });
});
