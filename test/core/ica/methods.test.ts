import { describe, expect, it } from 'vitest';
import { fixtureCase, matchedSiSdr } from '../../../bench/ica.js';
import type { MultichannelSignal } from '../../../core/audio/signal.js';
import { amariIndex } from '../../../core/ica/amari.js';
import { infomaxSolve, type InfomaxSettings } from '../../../core/ica/infomax.js';
import { SCORE_NAMES, scoreLoss, scoreValue } from '../../../core/ica/scores.js';
import { applyMatrix } from '../../../core/ica/whitening.js';
import { logAbsDet } from '../../../core/linalg/real.js';
import { createRandom } from '../../../core/random.js';
import { mixInstantaneous } from '../../../core/room/instantaneous.js';
import { synthesizeSource } from '../../../core/room/sources.js';
import { separate, type SeparateOptions } from '../../../core/separate.js';

const FIXTURES = ['inst-2x2-speech', 'inst-3x3-mixed', 'inst-4x4-mixed'];

/** Each method as it is meant to be used on the fixtures, with its SI-SDR threshold (dB). */
const RUNS: [string, SeparateOptions, number][] = [
  ['fastica', { method: 'fastica' }, 35],
  ['infomax (mini-batch, extended)', { method: 'infomax' }, 35],
];

describe('infomax and fastica on the fixtures', () => {
  for (const name of FIXTURES) {
    for (const [label, options, threshold] of RUNS) {
      it(`${label} separates ${name}: SI-SDR > ${threshold} dB, Amari < 0.05`, async () => {
        const c = fixtureCase(name);
        const result = await separate(c.mixture, options);
        expect(result.converged).toBe(true);
        if (result.unmixing.kind !== 'real') throw new Error('expected a real unmixing');
        const n = c.sources.length;
        expect(amariIndex(result.unmixing.data, c.mixing, n)).toBeLessThan(0.05);
        expect(matchedSiSdr(result.sources.channels, c.sources)).toBeGreaterThan(threshold);
        expect(result.trace).toHaveLength(result.iterations);
      });
    }
  }
});

/** A 2x2 test mixture with its answer. */
interface Mix {
  mixture: MultichannelSignal;
  sources: Float64Array[];
  mixing: Float64Array;
}

/** 1.5 s of speech plus a sub-Gaussian source, mixed 2x2. */
function subGaussianMix(kind: 'uniform' | 'tone'): Mix {
  const frames = 24000;
  const sources = [
    synthesizeSource({ kind: 'speech', frames, sampleRate: 16000, seed: 11 }),
    synthesizeSource({ kind, frames, sampleRate: 16000, seed: 12 }),
  ];
  const mixing = Float64Array.of(1, 0.7, 0.5, 1);
  return {
    mixture: mixInstantaneous({ sampleRate: 16000, channels: sources }, { rows: 2, cols: 2, data: mixing }),
    sources,
    mixing,
  };
}

describe('extended modes separate speech from sub-Gaussian sources', () => {
  for (const kind of ['uniform', 'tone'] as const) {
    for (const options of [
      { method: 'ica' },
      { method: 'infomax' },
      { method: 'infomax', mode: 'batch', iterations: 400 },
    ] as SeparateOptions[]) {
      it(`${JSON.stringify(options)} on speech + ${kind}`, async () => {
        const c = subGaussianMix(kind);
        const result = await separate(c.mixture, options);
        if (result.unmixing.kind !== 'real') throw new Error('expected a real unmixing');
        expect(amariIndex(result.unmixing.data, c.mixing, 2)).toBeLessThan(0.05);
        expect(matchedSiSdr(result.sources.channels, c.sources)).toBeGreaterThan(25);
      });
    }
  }
});

/** 1.5 s of two sources of the given kinds, mixed 2x2. */
function pair(a: 'laplace' | 'uniform' | 'speech', b: 'uniform' | 'tone' | 'laplace'): Mix {
  const frames = 24000;
  const sources = [
    synthesizeSource({ kind: a, frames, sampleRate: 16000, seed: 21 }),
    synthesizeSource({ kind: b, frames, sampleRate: 16000, seed: 22, frequencyHz: 313 }),
  ];
  const mixing = Float64Array.of(1, 0.7, 0.5, 1);
  return {
    mixture: mixInstantaneous({ sampleRate: 16000, channels: sources }, { rows: 2, cols: 2, data: mixing }),
    sources,
    mixing,
  };
}

describe('infomax variants', () => {
  const c = subGaussianMix('uniform');
  const variants: [SeparateOptions, Mix][] = [
    [{ method: 'infomax', form: 'nonholonomic' }, c],
    [{ method: 'infomax', optimizer: 'adam', learningRate: 0.005 }, c],
    // Sub-Gaussian scores for sub-Gaussian sources, super-Gaussian ones for super-Gaussian sources.
    [{ method: 'infomax', score: 'gg', shape: 4 }, pair('uniform', 'tone')],
    [{ method: 'infomax', score: 'cubic', mode: 'batch', learningRate: 0.1, iterations: 300 }, pair('uniform', 'tone')],
    [{ method: 'infomax', score: 'gg', shape: 1 }, pair('speech', 'laplace')],
    [{ method: 'infomax', score: 'tanh', mode: 'batch', form: 'nonholonomic' }, pair('speech', 'laplace')],
  ];
  for (const [options, data] of variants) {
    it(`${JSON.stringify(options)} separates its mixture`, async () => {
      const result = await separate(data.mixture, options);
      if (result.unmixing.kind !== 'real') throw new Error('expected a real unmixing');
      expect(amariIndex(result.unmixing.data, data.mixing, 2)).toBeLessThan(0.05);
    });
  }

  it('restarts with a smaller rate when the weights blow up, and anneals on large turns', async () => {
    const result = await separate(c.mixture, { method: 'infomax', mode: 'batch', learningRate: 8, iterations: 200 });
    expect(result.options.restarts).toBeGreaterThan(0);
    expect(result.options.finalLearningRate).toBeLessThan(8 * 0.5);
    if (result.unmixing.kind !== 'real') throw new Error('expected a real unmixing');
    expect(amariIndex(result.unmixing.data, c.mixing, 2)).toBeLessThan(0.05);
  });

  it('warm-starts from an earlier unmixing (options.initial)', async () => {
    const first = await separate(c.mixture, { method: 'infomax', mode: 'batch' });
    const warm = await separate(c.mixture, { method: 'infomax', mode: 'batch', initial: first.unmixing });
    expect(first.converged && warm.converged).toBe(true);
    expect(warm.iterations).toBeLessThan(first.iterations / 2);
  });

  it('infomax and fastica reduce 4 channels to 2 sources, and stop when aborted', async () => {
    const c4 = fixtureCase('inst-4x4-mixed');
    for (const method of ['infomax', 'fastica']) {
      const result = await separate(c4.mixture, { method, sources: 2, iterations: 5 });
      expect(result.sources.channels).toHaveLength(2);
      expect(result.unmixing).toMatchObject({ kind: 'real', rows: 2, cols: 4 });
      await expect(separate(c4.mixture, { method, signal: { aborted: true } })).rejects.toMatchObject({
        kind: 'aborted',
      });
    }
  });

  it('refuses bad options with plain messages', async () => {
    await expect(separate(c.mixture, { method: 'infomax', score: 'sine' })).rejects.toThrow(/'score' must be one of/);
    await expect(separate(c.mixture, { method: 'infomax', optimizer: 'magic' })).rejects.toThrow(/unknown optimizer/);
    await expect(separate(c.mixture, { method: 'infomax', extended: true, score: 'cubic' })).rejects.toThrow(
      /extended mode uses the tanh score/,
    );
    await expect(separate(c.mixture, { method: 'fastica', score: 'tanh' })).rejects.toThrow(/has no option 'score'/);
    const one = { sampleRate: 16000, channels: [c.mixture.channels[0]] };
    await expect(separate(one, { method: 'infomax' })).rejects.toThrow(/at least 2 channels/);
    await expect(separate(one, { method: 'fastica' })).rejects.toThrow(/at least 2 channels/);
  });
});

describe('scores and the infomax gradient', () => {
  it('each score is the derivative of its loss (finite differences)', () => {
    for (const score of SCORE_NAMES) {
      for (const shape of score === 'gg' ? [1, 1.5, 3] : [1]) {
        for (const v of [-2.3, -0.4, 0.05, 0.7, 3.1]) {
          const eps = 1e-6;
          const fd = (scoreLoss(score, shape, v + eps) - scoreLoss(score, shape, v - eps)) / (2 * eps);
          expect(scoreValue(score, shape, v)).toBeCloseTo(fd, 6);
        }
      }
    }
  });

  it('the natural-gradient direction is minus the relative gradient of the cost (finite differences)', () => {
    // With a fixed sign vector (no switching), one batch iteration of infomaxSolve starting
    // at W reports cost(W) and max|G|; check G itself against finite differences of the cost.
    const rng = createRandom(9);
    const n = 2;
    const frames = 3000;
    const z = Array.from({ length: n }, () => Float64Array.from({ length: frames }, () => rng.normal() ** 3));
    const w = Float64Array.of(0.9, 0.2, -0.3, 1.1);
    for (const score of ['tanh', 'cubic', 'gg'] as const) {
      const shape = 1.5;
      const cost = (m: Float64Array): number => {
        const y = applyMatrix(m, n, n, z);
        let l = -logAbsDet(m, n).logAbs;
        for (const yi of y) for (const v of yi) l += scoreLoss(score, shape, v) / frames;
        return l;
      };
      const y = applyMatrix(w, n, n, z);
      const settings: InfomaxSettings = {
        score,
        shape,
        extended: false,
        mode: 'batch',
        form: 'holonomic',
        learningRate: 1e-9,
        optimizer: 'sgd',
        batchSize: 64,
        maxIterations: 1,
        tolerance: 0,
        annealAngle: 60,
        annealFactor: 0.9,
        restartFactor: 0.5,
        seed: 0,
      };
      const r = infomaxSolve(z, w, settings);
      expect(r.trace[0].cost).toBeCloseTo(cost(w), 9);
      let maxG = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const eps = 1e-6;
          const plus = Float64Array.from(w);
          const minus = Float64Array.from(w);
          for (let c = 0; c < n; c++) {
            plus[i * n + c] += eps * w[j * n + c];
            minus[i * n + c] -= eps * w[j * n + c];
          }
          const fd = (cost(plus) - cost(minus)) / (2 * eps);
          let g = 0;
          for (let t = 0; t < frames; t++) g += scoreValue(score, shape, y[i][t]) * y[j][t];
          g = g / frames - (i === j ? 1 : 0);
          expect(g).toBeCloseTo(fd, 5);
          maxG = Math.max(maxG, Math.abs(g));
        }
      }
      expect(r.trace[0].gradientNorm).toBeCloseTo(maxG, 9);
    }
  });
});
