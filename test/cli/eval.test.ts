import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav.js';
import { siSdr } from '../../core/losses/siSdr.js';
import { createRandom } from '../../core/random.js';
import { runCli, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const rate = 8000;
const frames = 4000;
const rng = createRandom(3);
const s1 = Float64Array.from({ length: frames }, (_, t) => 0.3 * Math.sin(0.05 * t) * (1 + 0.3 * rng.normal()));
const s2 = Float64Array.from({ length: frames }, () => 0.2 * rng.normal());
// Estimates in swapped order: e1 ≈ s2, e2 ≈ s1 with some leakage.
const e1 = Float64Array.from(s2, (v, t) => 2 * v + 0.05 * s1[t]);
const e2 = Float64Array.from(s1, (v, t) => 0.5 * v + 0.02 * s2[t]);
const mixture = [Float64Array.from(s1, (v, t) => v + 0.8 * s2[t]), Float64Array.from(s1, (v, t) => 0.6 * v + s2[t])];

function write(name: string, channels: Float64Array[], sampleRate = rate): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, encodeWav({ sampleRate, channels }, { encoding: 'float', bitDepth: 64 }));
  return file;
}
const r1 = write('ref1.wav', [s1]);
const r2 = write('ref2.wav', [s2]);
const est1 = write('est1.wav', [e1]);
const est2 = write('est2.wav', [e2]);
const refs = write('refs.wav', [s1, s2]);
const ests = write('ests.wav', [e1, e2]);
const mix = write('mix.wav', mixture);

describe('unmix eval', () => {
  it('scores files one per source with the best pairing, as JSON', async () => {
    const { code, stdout, stderr } = await runCli([
      'eval',
      '--reference',
      r1,
      r2,
      '--estimate',
      est1,
      est2,
      '--mixture',
      mix,
      '--metrics',
      'si_sdr,si_sdri,snr,sdr,sir,sar',
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.permutation).toEqual([1, 0]);
    expect(report.sources.map((s: { reference: string; estimate: string }) => [s.reference, s.estimate])).toEqual([
      [r1, est2],
      [r2, est1],
    ]);
    expect(report.sources[0].si_sdr).toBeCloseTo(siSdr(e2, s1), 9);
    expect(report.sources[0].si_sdri).toBeCloseTo(siSdr(e2, s1) - siSdr(mixture[0], s1), 9);
    expect(Object.keys(report.sources[1]).sort()).toEqual(
      ['reference', 'estimate', 'si_sdr', 'si_sdri', 'snr', 'sdr', 'sir', 'sar'].sort(),
    );
    expect(report.sources[1].snr).toBeLessThan(5); // the estimate is twice too loud
    expect(report.sources[0].sir).toBeGreaterThan(20);
  });

  it('leaves out metrics not asked for; multichannel files are one source per channel', async () => {
    const { code, stdout } = await runCli(['eval', '-r', refs, '-e', ests, '--metrics', 'si_sdr', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.sources[0]).toEqual({ reference: `${refs}#1`, estimate: `${ests}#2`, si_sdr: expect.any(Number) });
    expect(report.frames).toBe(frames);
  });

  it('--pairing none keeps the order', async () => {
    const { stdout } = await runCli([
      'eval',
      '-r',
      refs,
      '-e',
      ests,
      '--metrics',
      'si_sdr',
      '--pairing',
      'none',
      '--json',
    ]);
    const report = JSON.parse(stdout);
    expect(report.permutation).toEqual([0, 1]);
    expect(report.sources[0].si_sdr).toBeLessThan(0);
  });

  it('prints a table for people and CSV for scripts', async () => {
    const table = await runCli(['eval', '-r', r1, r2, '-e', est1, est2]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^reference\s+estimate\s+si_sdr\s+sdr\s+sir\s+sar\n/);
    expect(table.stdout).toMatch(/\nmean\s/);
    const csv = await runCli(['eval', '-r', r1, r2, '-e', est1, est2, '--csv', '--metrics', 'si_sdr,snr']);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('reference,estimate,si_sdr,snr');
    expect(lines[1].startsWith(`${r1},${est2},`)).toBe(true);
    expect(lines).toHaveLength(3);
  });

  it('refuses mismatched lengths, rates and counts with a clear message, or trims on request', async () => {
    const short = write('short.wav', [e1.subarray(0, 3000)]);
    const result = await runCli(['eval', '-r', r1, r2, '-e', est1, short]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `unmix: ${short} has 3000 samples but ${r1} has 4000; use --trim to score the first 3000\n`,
    );
    const trimmed = await runCli(['eval', '-r', r1, r2, '-e', est1, short, '--trim', '--json']);
    expect(trimmed.code).toBe(0);
    expect(JSON.parse(trimmed.stdout).frames).toBe(3000);

    const fast = write('fast.wav', [e1], 16000);
    const rates = await runCli(['eval', '-r', r1, r2, '-e', est1, fast]);
    expect(rates.stderr).toBe(`unmix: ${fast} is at 16000 Hz but ${r1} at 8000 Hz; resample first\n`);

    const counts = await runCli(['eval', '-r', r1, r2, '-e', est1]);
    expect(counts.code).toBe(1);
    expect(counts.stderr).toBe('unmix: 1 estimate for 2 references: give one estimate per reference\n');

    const noMix = await runCli(['eval', '-r', r1, r2, '-e', est1, est2, '--metrics', 'si_sdri']);
    expect(noMix.code).toBe(2);
    expect(noMix.stderr).toBe('unmix: si_sdri and sdri need the mixture (--mixture)\n');

    const unknown = await runCli(['eval', '-r', r1, '-e', est1, '--metrics', 'pesq']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^unmix: unknown metric 'pesq'; choose from: si_sdr, /);

    const silent = write('silent.wav', [new Float64Array(frames)]);
    const bss = await runCli(['eval', '-r', silent, r2, '-e', est1, est2]);
    expect(bss.code).toBe(1);
    expect(bss.stderr).toBe('unmix: reference 1 is silent; BSS Eval is undefined for it\n');

    const missing = await runCli(['eval', '-r', r1]);
    expect(missing.code).toBe(2);
  });
});
