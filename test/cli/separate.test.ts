import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../core/audio/wav.js';
import { METHODS, type SeparateOptions } from '../../core/separate.js';
import { unmixingFromJson } from '../../core/unmixing.js';
import { fixture, runCli, tempDir } from './helpers.js';

// The command is generic over METHODS; a test-only method that swaps the channels and
// records what it was given checks the plumbing without depending on any algorithm.
let received: SeparateOptions | undefined;
beforeAll(() => {
  METHODS['test-swap'] = {
    model: 'instantaneous',
    description: 'test only: swap two channels',
    run(mixture, options) {
      received = options;
      return {
        sources: { sampleRate: mixture.sampleRate, channels: [mixture.channels[1], mixture.channels[0]] },
        unmixing: { kind: 'real', rows: 2, cols: 2, data: Float64Array.from([0, 1, 1, 0]), mean: new Float64Array(2) },
        method: 'test-swap',
        options: { seed: options.seed },
        iterations: 3,
        converged: true,
        trace: [1, 2, 3].map((iteration) => ({ iteration, cost: 1 / iteration, gradientNorm: 0.1, stepSize: 1 })),
      };
    },
  };
});
const dir = tempDir();
afterAll(() => {
  delete METHODS['test-swap'];
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('unmix separate', () => {
  const input = fixture('inst-2x2-speech.wav');

  it('writes one WAV per source, the unmixing file and a JSON report', async () => {
    const out = path.join(dir, 'a');
    const args = ['separate', input, '-o', out, '-m', 'test-swap', '--seed', '7', '--json'];
    const { code, stdout } = await runCli([
      ...args,
      '--param',
      'score=cubic',
      '--param',
      'rate=0.5',
      '--fft-size',
      '1024',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toEqual({
      sources: [path.join(out, 'inst-2x2-speech.source1.wav'), path.join(out, 'inst-2x2-speech.source2.wav')],
      unmixing: path.join(out, 'inst-2x2-speech.unmixing.json'),
      method: 'test-swap',
      iterations: 3,
      converged: true,
      seconds: expect.any(Number),
    });
    expect(received).toMatchObject({ seed: 7, score: 'cubic', rate: 0.5, fftSize: 1024, method: 'test-swap' });
    const mixture = decodeWav(fs.readFileSync(input)).signal;
    const first = decodeWav(fs.readFileSync(report.sources[0]));
    expect(first.format).toMatchObject({ encoding: 'float', bitDepth: 32 });
    expect(first.signal.channels[0]).toEqual(mixture.channels[1]);
    const file = JSON.parse(fs.readFileSync(report.unmixing, 'utf8'));
    expect(file).toMatchObject({
      version: 1,
      method: 'test-swap',
      iterations: 3,
      converged: true,
      channels: 2,
      sources: 2,
    });
    expect(file.unmixing.matrix).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(file.trace).toHaveLength(3);
  });

  it('warm-starts from an unmixing file with --init', async () => {
    const init = path.join(dir, 'a', 'inst-2x2-speech.unmixing.json');
    const { code } = await runCli([
      'separate',
      input,
      '-o',
      path.join(dir, 'b'),
      '-m',
      'test-swap',
      '--init',
      init,
      '-q',
    ]);
    expect(code).toBe(0);
    expect(received?.initial).toEqual(unmixingFromJson(JSON.parse(fs.readFileSync(init, 'utf8'))));
  });

  it('refuses existing outputs before separating, and a bad --init with a plain message', async () => {
    received = undefined;
    const again = await runCli(['separate', input, '-o', path.join(dir, 'a'), '-m', 'test-swap']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(use --force to replace it\)/);
    expect(received).toBeUndefined();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"unmixing": {"kind": "real", "rows": 2, "cols": 2, "matrix": [[1]]}}');
    const init = await runCli(['separate', input, '-o', path.join(dir, 'c'), '-m', 'test-swap', '--init', bad]);
    expect(init.code).toBe(1);
    expect(init.stderr).toBe(`unmix: ${bad}: not a valid unmixing file: matrix must be 2 rows of 2 numbers\n`);
  });

  it('names the available methods when the method is unknown', async () => {
    const { code, stderr } = await runCli(['separate', input, '-o', path.join(dir, 'd'), '-m', 'magic']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown method 'magic'; choose one of: auto, .*test-swap/);
  });
});
