import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maxRelativeDifference } from '../../bench/report.js';
import { decodeWav } from '../../core/audio/wav.js';
import { UnmixError } from '../../core/errors.js';
import { createBinPassState, type BinPassState } from '../../core/iva/binPass.js';
import { runBinPassesOn, type BinPassMemory, type BinPassSteps } from '../../core/iva/binPassPool.js';
import { siSdr } from '../../core/losses/siSdr.js';
import { separate } from '../../core/separate.js';
import { createBinPassPool } from '../../cli/binPassPool.js';
import { chooseThreads, separateOnThreads, threadsFromEnvironment } from '../../cli/threads.js';
import { fixture, runCli, tempDir } from './helpers.js';

const read = (name: string) => decodeWav(new Uint8Array(fs.readFileSync(fixture(name)))).signal;
const rooms = {
  '2x2': { mixture: read('room-2x2-speech.wav'), refs: [1, 2].map((k) => read(`room-2x2-speech.ref${k}.wav`)) },
  '3x3': { mixture: read('room-3x3-mixed.wav'), refs: [1, 2, 3].map((k) => read(`room-3x3-mixed.ref${k}.wav`)) },
};
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Mean SI-SDR (dB) of the outputs against the reference images at microphone 1, best of each output. */
function meanSiSdr(outputs: Float64Array[], refs: { channels: Float64Array[] }[]): number {
  return refs.reduce((sum, ref) => sum + Math.max(...outputs.map((y) => siSdr(y, ref.channels[0])), 0), 0) / refs.length; // prettier-ignore
}

/** An AuxIVA pass state without STFT channels: every range of it throws (a TypeError). */
function brokenState(pool: BinPassMemory, bins: number, ranges: number): BinPassState {
  const state = createBinPassState(
    { dims: 2, sources: 2, frames: 4, bins, bases: 0, update: 'ip', channels: [], w: pool.allocate(8 * bins), covariance: new Float64Array(0), active: new Uint8Array(bins).fill(1) }, // prettier-ignore
    ranges,
    (length) => pool.allocate(length),
  );
  state.params[0] = 1;
  return state;
}

describe('separation on worker threads', () => {
  const cases = [
    ['2x2', 'auxiva', { iterations: 20 }],
    ['2x2', 'iss', { iterations: 20 }],
    ['2x2', 'ilrma', { iterations: 15, bandSwap: false }],
    ['3x3', 'auxiva', { iterations: 15 }],
    ['3x3', 'ilrma', { iterations: 10, bandSwap: false }],
  ] as const;
  for (const [room, method, options] of cases) {
    it(`${method} on 2 threads equals 1 thread within rounding (room ${room})`, async () => {
      const { mixture, refs } = rooms[room];
      const one = await separateOnThreads(mixture, { method, ...options, threads: 1 });
      const two = await separateOnThreads(mixture, { method, ...options, threads: 2 });
      expect(one.threads).toBeUndefined();
      expect(two.threads).toBe(2);
      expect(maxRelativeDifference(one.sources.channels, two.sources.channels)).toBeLessThan(1e-6);
      expect(Math.abs(meanSiSdr(one.sources.channels, refs) - meanSiSdr(two.sources.channels, refs))).toBeLessThan(0.01); // prettier-ignore
      // Deterministic: the ranges depend on the bins only, so 3 threads give 2 threads' result.
      const again = await separateOnThreads(mixture, { method, ...options, threads: 3 });
      expect(again.threads).toBe(3);
      expect(again.sources.channels).toEqual(two.sources.channels);
    });
  }

  it('one thread is separate() itself, bit for bit', async () => {
    const { mixture } = rooms['2x2'];
    const one = await separateOnThreads(mixture, { method: 'auxiva', iterations: 5, threads: 1 });
    const plain = await separate(mixture, { method: 'auxiva', iterations: 5 });
    expect(one.sources.channels).toEqual(plain.sources.channels);
  });

  it('stops at an abort fired by a timer, and its owner terminates the workers', async () => {
    const { mixture } = rooms['3x3'];
    const pool = await createBinPassPool(2);
    const controller = new AbortController();
    let iterations = 0;
    const run = separate(mixture, {
      method: 'ilrma',
      iterations: 100000,
      tolerance: 0,
      pool,
      signal: controller.signal,
      onProgress: () => {
        // The passes yield to the event loop: a timer set during the run fires during it.
        if (++iterations === 2) setTimeout(() => controller.abort(), 0);
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'UnmixError', kind: 'aborted' });
    expect(iterations).toBeLessThan(20);
    await pool.close();
    await expect(pool.run()).rejects.toThrow(/closed/);
  });

  it('reports an error inside a worker as a plain UnmixError, without a stack', async () => {
    const pool = await createBinPassPool(2);
    try {
      await pool.attach(brokenState(pool, 8, 2));
      const error = await pool.run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnmixError);
      expect((error as UnmixError).kind).toBe('failed');
      expect((error as UnmixError).message).toMatch(/^internal error in a worker thread: /);
      expect((error as UnmixError).message).not.toMatch(/\n\s+at /);
    } finally {
      await pool.close();
    }
  });

  it('fails, without hanging, when ranges fail on the calling thread and on a worker at once', async () => {
    const pool = await createBinPassPool(2);
    try {
      const broken = brokenState(pool, 64, 8);
      const steps = (function* (): BinPassSteps<void> {
        yield broken;
      })();
      await expect(runBinPassesOn(steps, pool)).rejects.toThrow();
    } finally {
      await pool.close();
    }
  });

  it('chooses threads: only for methods that split passes, capped by bins, 1 for short mixtures', () => {
    const long = { sampleRate: 16000, channels: [new Float64Array(16000 * 60), new Float64Array(16000 * 60)] };
    const short = { sampleRate: 16000, channels: [new Float64Array(1600), new Float64Array(1600)] };
    expect(chooseThreads(long, { method: 'auxiva' }, 8)).toBe(8);
    expect(chooseThreads(long, { method: 'ilrma', threads: 3 }, 8)).toBe(3);
    expect(chooseThreads(long, { method: 'auxiva', fftSize: 256, threads: 8 }, 8)).toBe(2);
    expect(chooseThreads(long, { method: 'fdica' }, 8)).toBe(1);
    expect(chooseThreads(short, { method: 'auxiva' }, 8)).toBe(1);
    expect(chooseThreads(short, { method: 'auxiva', threads: 2 }, 8)).toBe(2);
    expect(chooseThreads(long, { method: 'auxiva', iterations: 1 }, 8)).toBe(1);
    expect(threadsFromEnvironment({ UNMIX_THREADS: '3' })).toBe(3);
    expect(threadsFromEnvironment({ UNMIX_THREADS: '' })).toBeUndefined();
    expect(() => threadsFromEnvironment({ UNMIX_THREADS: 'many' })).toThrow(/UNMIX_THREADS/);
  });
});

describe('unmix separate --threads', () => {
  it('separates on 2 threads, says so in --json, and matches 1 thread', async () => {
    const args = (out: string, threads: string) => ['separate', fixture('room-2x2-speech.wav'), '-o', path.join(dir, out), '-m', 'auxiva', '--iterations', '20', '--json', '--threads', threads]; // prettier-ignore
    const two = await runCli(args('two', '2'));
    expect(two.stderr).toBe('');
    expect(two.code).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({ method: 'auxiva', threads: 2 });
    const one = await runCli(args('one', '1'));
    expect(JSON.parse(one.stdout).threads).toBeUndefined();
    const a = decodeWav(fs.readFileSync(path.join(dir, 'one', 'room-2x2-speech.source1.wav'))).signal.channels[0];
    const b = decodeWav(fs.readFileSync(path.join(dir, 'two', 'room-2x2-speech.source1.wav'))).signal.channels[0];
    // Written as 32-bit floats: equal to their precision.
    for (let i = 0; i < a.length; i += 97) expect(b[i]).toBeCloseTo(a[i], 5);
  });

  it('honours UNMIX_THREADS and rejects a bad --threads', async () => {
    const saved = process.env.UNMIX_THREADS;
    process.env.UNMIX_THREADS = '2';
    try {
      const run = await runCli(['separate', fixture('room-2x2-speech.wav'), '-o', path.join(dir, 'env'), '-m', 'iss', '--iterations', '3', '--json']); // prettier-ignore
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).threads).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.UNMIX_THREADS;
      else process.env.UNMIX_THREADS = saved;
    }
    const bad = await runCli(['separate', fixture('room-2x2-speech.wav'), '-o', path.join(dir, 'bad'), '--threads', '0']); // prettier-ignore
    expect(bad.code).toBe(2);
  });

  const bin = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
  it.skipIf(!fs.existsSync(bin))('exits promptly on Ctrl-C with workers running (built CLI)', async () => {
    const child = spawn(process.execPath, [bin, 'separate', fixture('room-3x3-mixed.wav'), '-o', path.join(dir, 'int'), '-m', 'ilrma', '--iterations', '100000', '--tolerance', '1e-30', '--threads', '2', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] }); // prettier-ignore
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('hung'), 10000));
    const code = await Promise.race([exited, timeout]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).toBe(1);
    expect(stderr).toBe('unmix: cancelled\n');
  });
});
