/**
 * Worker entry for the browser tests: the app's separation worker plus one tiny method,
 * `test-slow`, registered only here: it reports a falling cost for a few iterations (slowly
 * enough to be cancelled) and returns the mixture unchanged with W = I. The real methods
 * in core's METHODS are there too.
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
