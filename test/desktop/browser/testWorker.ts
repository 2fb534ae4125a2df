/**
 * Worker entry for the browser tests: the app's separation worker plus two tiny methods
 * registered only here. `test-slow` reports a falling cost for a few iterations (slowly
 * enough to be cancelled) and returns the mixture unchanged with W = I; `test-stft`
 * returns one complex matrix per frequency bin, to exercise the per-bin views. The real
 * methods in core's METHODS are there too.
 */
import { METHODS, type SeparationResult } from '../../../core/separate.js';
import '../../../desktop/renderer/worker/separationWorker.js';

METHODS['test-slow'] = {
  model: 'instantaneous',
  description: 'test double: identity unmixing, 40 slow iterations',
  async run(mixture, options): Promise<SeparationResult> {
    const iterations = options.iterations ?? 40;
    const n = mixture.channels.length;
    const trace = [];
    for (let i = 1; i <= iterations; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const info = { iteration: i, cost: 1 + 1 / i, gradientNorm: 10 ** (-i / 8), stepSize: 1 };
      trace.push(info);
      options.onProgress?.(i, iterations, info);
    }
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) data[i * n + i] = 1;
    return {
      sources: { sampleRate: mixture.sampleRate, channels: mixture.channels.map((c) => c.slice()) },
      unmixing: { kind: 'real', rows: n, cols: n, data, mean: new Float64Array(n) },
      method: 'test-slow',
      options: { iterations },
      iterations,
      converged: true,
      trace,
    };
  },
};

METHODS['test-stft'] = {
  model: 'convolutive',
  description: 'test double: per-bin complex unmixing that rotates with frequency',
  run(mixture, options): SeparationResult {
    const n = mixture.channels.length;
    const fftSize = options.fftSize ?? 512;
    const bins = fftSize / 2 + 1;
    const data = new Float64Array(2 * bins * n * n);
    for (let f = 0; f < bins; f++) {
      const angle = (Math.PI * f) / bins;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          const o = 2 * ((f * n + r) * n + c);
          const magnitude = r === c ? Math.cos(angle / 2) ** 2 : Math.sin(angle / 2) ** 2;
          data[o] = magnitude * Math.cos(angle * (r + 1));
          data[o + 1] = magnitude * Math.sin(angle * (c + 1));
        }
      }
    }
    const trace = [{ iteration: 1, cost: 1, gradientNorm: 0.1, stepSize: 1 }];
    options.onProgress?.(1, 1, trace[0]);
    return {
      sources: { sampleRate: mixture.sampleRate, channels: mixture.channels.map((c) => c.slice()) },
      unmixing: { kind: 'complex', rows: n, cols: n, bins, fftSize, hopSamples: fftSize / 4, data },
      method: 'test-stft',
      options: { fftSize },
      iterations: 1,
      converged: true,
      trace,
    };
  },
};
