import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav.js';
import { fixture, runCli, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('unmix info', () => {
  it('prints format, duration and per-channel levels', async () => {
    const { code, stdout, stderr } = await runCli(['info', fixture('inst-3x3-mixed.wav')]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('16-bit PCM, 3 channels, 16000 Hz, 4.000 s (64000 frames)');
    expect(stdout).toMatch(/channel\s+peak dBFS\s+RMS dBFS\s+clipped/);
  });

  it('prints one JSON object per file with --json, with peak, RMS and clipping per channel', async () => {
    const file = path.join(dir, 'levels.wav');
    // Channel 1: a full-scale square wave (clipped at both rails); channel 2: silence.
    const square = Float64Array.from({ length: 800 }, (_, i) => (i % 2 ? 1 : -1));
    fs.writeFileSync(
      file,
      encodeWav({ sampleRate: 8000, channels: [square, new Float64Array(800)] }, { encoding: 'pcm', bitDepth: 16 }),
    );
    const { code, stdout } = await runCli(['info', '--json', file, fixture('inst-2x2-speech.wav')]);
    expect(code).toBe(0);
    const reports = JSON.parse(stdout);
    expect(reports).toHaveLength(2);
    expect(reports[0]).toEqual({
      file,
      format: 'pcm',
      bitDepth: 16,
      channels: 2,
      sampleRate: 8000,
      frames: 800,
      durationSeconds: 0.1,
      peak: [1, 0],
      rms: [expect.closeTo(1, 4), 0],
      clipped: [800, 0],
    });
    expect(reports[1]).toMatchObject({ channels: 2, sampleRate: 16000, frames: 64000, durationSeconds: 4 });
    expect(Math.max(...reports[1].peak)).toBeCloseTo(0.8, 3);
  });

  it('prints --help and --version with exit code 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: unmix');
    expect(help.stdout).toMatch(/info .*\n/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
