import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureCase, matchedSiSdr } from '../../../bench/ica.js';
import { decodeWav } from '../../../core/audio/wav.js';
import { unmixingFromJson } from '../../../core/unmixing.js';
import { fixture, runCli, tempDir } from '../../cli/helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('unmix separate with the ICA methods', () => {
  const input = fixture('inst-3x3-mixed.wav');
  const c = fixtureCase('inst-3x3-mixed');
  for (const method of ['ica', 'infomax', 'fastica']) {
    it(`--method ${method} writes the sources, the unmixing file and the JSON report`, async () => {
      const out = path.join(dir, method);
      const { code, stdout, stderr } = await runCli(['separate', input, '-o', out, '--method', method, '--json']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({ method, converged: true, iterations: expect.any(Number) });
      expect(report.sources).toHaveLength(3);
      const sources = report.sources.map((p: string) => decodeWav(fs.readFileSync(p)).signal.channels[0]);
      expect(matchedSiSdr(sources, c.sources)).toBeGreaterThan(35);
      const file = JSON.parse(fs.readFileSync(report.unmixing, 'utf8'));
      expect(file).toMatchObject({ method, channels: 3, sources: 3, converged: true });
      expect(unmixingFromJson(file)).toMatchObject({ kind: 'real', rows: 3, cols: 3 });
    });
  }

  it('passes --sources, --iterations, --tolerance, --seed and --param to the method', async () => {
    const out = path.join(dir, 'params');
    const { code, stdout } = await runCli([
      'separate',
      fixture('inst-4x4-mixed.wav'),
      '-o',
      out,
      '-m',
      'ica',
      '--sources',
      '2',
      '--iterations',
      '3',
      '--seed',
      '5',
      '--tolerance',
      '1e-9',
      '--param',
      'memory=3',
      '--param',
      'extended=false',
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ iterations: 3, converged: false });
    expect(report.sources).toHaveLength(2);
    const file = JSON.parse(fs.readFileSync(report.unmixing, 'utf8'));
    expect(file.options).toMatchObject({ memory: 3, extended: false, seed: 5, maxIterations: 3 });
  });

  it('reports a bad method option as a usage error', async () => {
    const { code, stderr } = await runCli([
      'separate',
      input,
      '-o',
      path.join(dir, 'bad'),
      '-m',
      'infomax',
      '-p',
      'mode=fast',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/infomax: option 'mode' must be one of minibatch, batch|batch, minibatch/);
  });
});
