import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav.js';
import { parseResults } from '../../core/eval/manifest.js';
import { createRandom } from '../../core/random.js';
import { METHODS } from '../../core/separate.js';
import { runCli, tempDir } from './helpers.js';

const dir = tempDir();
const rate = 8000;
const frames = 3000;

// A test-only "method" that knows the mixing (it inverts the 2x2 matrix used below), so
// the manifest plumbing is checked without depending on any separation algorithm.
const A = [
  [1, 0.5],
  [0.4, 1],
];
beforeAll(() => {
  METHODS['test-inverse'] = {
    model: 'instantaneous',
    description: 'test only: invert the known mixing',
    run(mixture) {
      const [x1, x2] = mixture.channels;
      const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
      const y1 = Float64Array.from(x1, (v, t) => (A[1][1] * v - A[0][1] * x2[t]) / det);
      const y2 = Float64Array.from(x1, (v, t) => (-A[1][0] * v + A[0][0] * x2[t]) / det);
      return {
        sources: { sampleRate: mixture.sampleRate, channels: [y2, y1] },
        unmixing: { kind: 'real', rows: 2, cols: 2, data: new Float64Array(4), mean: new Float64Array(2) },
        method: 'test-inverse',
        options: {},
        iterations: 1,
        converged: true,
        trace: [],
      };
    },
  };
});
afterAll(() => {
  delete METHODS['test-inverse'];
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Write a mixture with its reference images and NAME.json as `unmix mix` does. */
function makeRow(sub: string, name: string, seed: number): string {
  const rng = createRandom(seed);
  const s = [0, 1].map(() => Float64Array.from({ length: frames }, () => 0.2 * rng.normal()));
  const image = (k: number): Float64Array[] => A.map((row) => Float64Array.from(s[k], (v) => row[k] * v));
  const mix = A.map((row) => Float64Array.from(s[0], (v, t) => row[0] * v + row[1] * s[1][t]));
  const folder = path.join(dir, sub);
  fs.mkdirSync(folder, { recursive: true });
  const save = (file: string, channels: Float64Array[]): void =>
    fs.writeFileSync(path.join(folder, file), encodeWav({ sampleRate: rate, channels }, { bitDepth: 64 }));
  save(`${name}.wav`, mix);
  save(`${name}.ref1.wav`, image(0));
  save(`${name}.ref2.wav`, image(1));
  const json = path.join(folder, `${name}.json`);
  fs.writeFileSync(
    json,
    JSON.stringify({
      mixture: `${name}.wav`,
      references: [`${name}.ref1.wav`, `${name}.ref2.wav`],
      sampleRate: rate,
      model: 'instantaneous',
    }),
  );
  return json;
}

describe('unmix eval --manifest', () => {
  const mixes = path.join(dir, 'mixes');
  makeRow('mixes', 'a', 1);
  makeRow('mixes', 'b', 2);
  makeRow('mixes', 'c', 3);
  fs.writeFileSync(path.join(mixes, 'a.unmixing.json'), '{"kind": "not a row"}');

  it('separates and scores a directory of rows per method, writes results and a summary', async () => {
    const out = path.join(dir, 'results', 'run.csv');
    const { code, stdout, stderr } = await runCli([
      'eval',
      '--manifest',
      mixes,
      '--method',
      'mixture,test-inverse,oracle-instantaneous',
      '--metrics',
      'si_sdr,si_sdri,sdr',
      '-o',
      out,
      '--jobs',
      '1',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = parseResults(fs.readFileSync(out, 'utf8'), 'csv');
    expect(lines).toHaveLength(3 * 3 * 2);
    expect(fs.readFileSync(out, 'utf8').split('\n')[0]).toBe(
      'mixture,method,source,reference,estimate,seconds,si_sdr,si_sdri,sdr',
    );
    const inverse = lines.filter((l) => l.method === 'test-inverse');
    expect(inverse.every((l) => l.scores.si_sdr! > 90)).toBe(true);
    expect(inverse.map((l) => l.estimate)).toEqual([2, 1, 2, 1, 2, 1]);
    expect(inverse[0].mixture).toBe('../mixes/a.wav');
    expect(inverse[0].reference).toBe('../mixes/a.ref1.wav');
    const oracle = lines.filter((l) => l.method === 'oracle-instantaneous');
    expect(oracle.every((l) => l.scores.si_sdr! > 60)).toBe(true);
    const baseline = lines.filter((l) => l.method === 'mixture');
    // The mixture's first channel, paired with source 1, is what improvements are measured from.
    const first = baseline.filter((l) => l.source === 1);
    expect(first.every((l) => l.estimate === 1 && Math.abs(l.scores.si_sdri!) < 1e-9)).toBe(true);

    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'run.summary.json'), 'utf8'));
    expect(summary['test-inverse'].rows).toBe(3);
    expect(summary['test-inverse'].metrics.si_sdr.mean).toBeGreaterThan(90);
    expect(summary.mixture.metrics.si_sdr.median).toBeLessThan(20);
    expect(stdout).toMatch(/^method\s+rows\s+seconds\s+si_sdr mean\s+si_sdr median/);
    expect(stdout).toMatch(/\ntest-inverse\s+3\s/);
  });

  it('resumes: rows already in the results are skipped, a cut-off row is redone', async () => {
    const out = path.join(dir, 'resume.jsonl');
    const args = ['eval', '--manifest', mixes, '-m', 'test-inverse', '--metrics', 'si_sdr', '-o', out, '-j', '1'];
    expect((await runCli(args)).code).toBe(0);
    const full = fs.readFileSync(out, 'utf8');
    expect(full.trim().split('\n')).toHaveLength(6);
    // Interrupted while writing row c: its second line is cut.
    fs.writeFileSync(out, full.slice(0, full.length - 20));
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('resuming: 2 row/method pairs already in ' + out + '\n');
    const lines = parseResults(fs.readFileSync(out, 'utf8'), 'jsonl');
    expect(lines.map((l) => `${l.mixture}:${l.source}`).sort()).toEqual([
      'mixes/a.wav:1',
      'mixes/a.wav:2',
      'mixes/b.wav:1',
      'mixes/b.wav:2',
      'mixes/c.wav:1',
      'mixes/c.wav:2',
    ]);
    // Nothing left to do.
    const third = await runCli(args);
    expect(third.stderr).toBe('resuming: 3 row/method pairs already in ' + out + '\n');
  });

  it('reads CSV manifests with paths relative to the manifest', async () => {
    const csv = path.join(dir, 'list.csv');
    fs.writeFileSync(
      csv,
      'mixture,reference1,reference2\nmixes/a.wav,mixes/a.ref1.wav,mixes/a.ref2.wav\n# a comment\n"mixes/b.wav",mixes/b.ref1.wav,mixes/b.ref2.wav\n',
    );
    const out = path.join(dir, 'csv-run.csv');
    const { code } = await runCli(['eval', '--manifest', csv, '-m', 'test-inverse', '-o', out, '--json', '-q']);
    expect(code).toBe(0);
    expect(parseResults(fs.readFileSync(out, 'utf8'), 'csv')).toHaveLength(4);
  });

  it('reports a bad row and goes on; other errors are clear', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify([
        { mixture: 'mixes/a.wav', references: ['mixes/missing.wav', 'mixes/a.ref2.wav'] },
        { mixture: 'mixes/b.wav', references: ['mixes/b.ref1.wav', 'mixes/b.ref2.wav'] },
      ]),
    );
    const out = path.join(dir, 'bad.csv');
    const result = await runCli(['eval', '--manifest', bad, '-m', 'mixture', '-o', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `unmix: mixes/a.wav (mixture): ${path.join(dir, 'mixes', 'missing.wav')}: no such file\n`,
    );
    expect(result.stderr).toContain('unmix: 1 row failed (see above); rerun to retry them\n');
    expect(parseResults(fs.readFileSync(out, 'utf8'), 'csv')).toHaveLength(2);

    const other = await runCli(['eval', '--manifest', bad, '-m', 'mixture', '-o', out, '--metrics', 'snr']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/was written with other columns .*use the same --metrics, or --force to start over/);
    const method = await runCli(['eval', '--manifest', bad, '-m', 'nope', '-o', out]);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(
      /^unmix: unknown method 'nope'; choose from: auto, .*mixture, oracle-instantaneous, oracle-stft\n/,
    );
    const noOut = await runCli(['eval', '--manifest', bad]);
    expect(noOut.stderr).toBe('unmix: --manifest needs --output FILE (.csv or .jsonl) for the results\n');
  });
});
