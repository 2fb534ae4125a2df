import { describe, expect, it } from 'vitest';
import {
  instantaneousOracleLoss,
  istftAdjoint,
  learnInstantaneousOracle,
  learnStftOracle,
  stftOracleLoss,
  stftOracleProblem,
} from '../../../core/eval/oracle.js';
import { createRandom } from '../../../core/random.js';
import { istftChannel, stftLayout } from '../../../core/signal/stft.js';
import { synthesizeSource } from '../../../core/room/sources.js';

const rng = createRandom(12);

function central(f: () => number, x: Float64Array, i: number, h: number): number {
  const keep = x[i];
  x[i] = keep + h;
  const up = f();
  x[i] = keep - h;
  const down = f();
  x[i] = keep;
  return (up - down) / (2 * h);
}

describe('oracle gradients match finite differences', () => {
  it('instantaneous: ∂(PIT −SI-SDR)/∂W', () => {
    const T = 300;
    const x = [0, 1, 2].map(() => Float64Array.from({ length: T }, () => rng.normal()));
    const refs = [0, 1].map(() => Float64Array.from({ length: T }, () => rng.normal()));
    const W = Float64Array.from({ length: 6 }, () => rng.normal());
    const outs = refs.map(() => new Float64Array(T));
    const gOuts = refs.map(() => new Float64Array(T));
    const grad = new Float64Array(6);
    instantaneousOracleLoss(W, x, refs, outs, gOuts, grad);
    for (let i = 0; i < 6; i++) {
      const fd = central(() => instantaneousOracleLoss(W, x, refs, outs, gOuts).loss, W, i, 1e-6);
      expect(Math.abs(fd - grad[i])).toBeLessThan(1e-6 * (1 + Math.abs(grad[i])));
    }
  });

  it('the adjoint of the inverse STFT: <istft(Y), g> = <Y, istftAdjoint(g)>', () => {
    const layout = stftLayout(100, { fftSize: 16, hopSamples: 4 });
    const Y = Float64Array.from({ length: 2 * layout.bins * layout.frames }, () => rng.normal());
    const g = Float64Array.from({ length: 100 }, () => rng.normal());
    const y = istftChannel(Y, layout);
    const adj = istftAdjoint(g, layout);
    let a = 0;
    let b = 0;
    for (let t = 0; t < 100; t++) a += y[t] * g[t];
    // Imaginary parts of bins 0 and N/2 do not reach y, so they pair with zeros.
    for (let i = 0; i < Y.length; i++) b += Y[i] * adj[i];
    expect(a).toBeCloseTo(b, 10);
  });

  it('STFT: ∂(PIT −SI-SDR)/∂(Re W, Im W) per bin', () => {
    const T = 256;
    const mixture = {
      sampleRate: 8000,
      channels: [0, 1].map(() => Float64Array.from({ length: T }, () => rng.normal())),
    };
    const refs = [0, 1].map(() => Float64Array.from({ length: T }, () => rng.normal()));
    const problem = stftOracleProblem(mixture, refs, 32, 8);
    const W = Float64Array.from({ length: 2 * problem.layout.bins * 4 }, () => rng.normal());
    const grad = new Float64Array(W.length);
    stftOracleLoss(W, problem, grad);
    let scale = 0;
    for (const g of grad) scale = Math.max(scale, Math.abs(g));
    for (let i = 0; i < W.length; i += 7) {
      const fd = central(() => stftOracleLoss(W, problem).loss, W, i, 1e-6);
      expect(Math.abs(fd - grad[i])).toBeLessThan(1e-6 * scale + 1e-8);
    }
  });
});

describe('oracle learners', () => {
  const T = 8000;
  const s = [110, 210].map((pitchHz, k) =>
    synthesizeSource({ kind: 'speech', frames: T, sampleRate: 8000, seed: 40 + k, pitchHz }),
  );
  const A = [
    [1, 0.6],
    [0.5, 1],
  ];
  const mixture = {
    sampleRate: 8000,
    channels: A.map((row) => Float64Array.from(s[0], (v, t) => row[0] * v + row[1] * s[1][t] + 1e-3 * rng.normal())),
  };
  // References: each source's image at microphone 1.
  const refs = [0, 1].map((k) => Float64Array.from(s[k], (v) => A[0][k] * v));

  it('instantaneous: learns to separate from the identity with Adam, reaching the noise floor', () => {
    const result = learnInstantaneousOracle(mixture, refs, {
      init: 'identity',
      iterations: 300,
      optimizer: 'adam:lr=0.05',
    });
    expect(result.trace[0].cost).toBeGreaterThan(-10);
    expect(result.meanSiSdr).toBeGreaterThan(35);
    expect(result.trace.at(-1)!.cost).toBeLessThan(result.trace[0].cost - 20);
    expect(result.unmixing.rows).toBe(2);
  });

  it('instantaneous: from random starts with other optimizers of core/optim', () => {
    for (const optimizer of ['rmsprop:lr=0.02', 'adagrad:lr=0.3', 'nesterov:lr=0.0005']) {
      const result = learnInstantaneousOracle(mixture, refs, { init: 'random', seed: 3, iterations: 200, optimizer });
      expect(result.meanSiSdr, optimizer).toBeGreaterThan(15);
    }
  });

  it('instantaneous: least squares is already the SI-SDR optimum, and the descent keeps it', () => {
    const ls = learnInstantaneousOracle(mixture, refs, { iterations: 0 });
    expect(ls.meanSiSdr).toBeGreaterThan(50);
    const tuned = learnInstantaneousOracle(mixture, refs, { iterations: 20 });
    expect(tuned.meanSiSdr).toBeGreaterThan(ls.meanSiSdr - 1);
  });

  it('STFT: per-bin matrices separate a convolutive mixture far better than one matrix', () => {
    // Each microphone hears the other source delayed by 3 samples: no instantaneous W undoes it.
    const delay = (x: Float64Array, d: number): Float64Array => Float64Array.from(x, (_, t) => (t >= d ? x[t - d] : 0));
    const d0 = delay(s[0], 3);
    const d1 = delay(s[1], 3);
    const conv = {
      sampleRate: 8000,
      channels: [
        Float64Array.from(s[0], (v, t) => v + 0.7 * d1[t]),
        Float64Array.from(s[1], (v, t) => v + 0.7 * d0[t]),
      ],
    };
    const convRefs = [s[0], Float64Array.from(d1, (v) => 0.7 * v)];
    const inst = learnInstantaneousOracle(conv, convRefs, { iterations: 30 });
    const stft = learnStftOracle(conv, convRefs, { fftSize: 256, iterations: 30, optimizer: 'adam:lr=0.002' });
    expect(stft.meanSiSdr).toBeGreaterThan(inst.meanSiSdr + 5);
    expect(stft.meanSiSdr).toBeGreaterThan(15);
    expect(stft.unmixing.bins).toBe(129);
    expect(stft.trace.at(-1)!.cost).toBeLessThanOrEqual(stft.trace[0].cost + 1e-9);
  });

  it('bad input', () => {
    expect(() => learnInstantaneousOracle(mixture, [refs[0].subarray(1)])).toThrow(
      'reference 1 has 7999 samples; the mixture has 8000',
    );
    expect(() => learnInstantaneousOracle(mixture, [])).toThrow('the oracle needs at least one reference');
    expect(() => learnInstantaneousOracle(mixture, refs, { optimizer: 'lbfgs' })).toThrow(/unknown optimizer 'lbfgs'/);
  });
});
