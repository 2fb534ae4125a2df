import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav.js';
import { parseResults } from '../../core/eval/manifest.js';
import { createRandom } from '../../core/random.js';
import { tempDir } from './helpers.js';

// Rows run in worker threads only from the build (the worker is a compiled module);
// npm test builds before testing.
const bin = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!fs.existsSync(bin))('unmix eval --manifest in worker threads', () => {
  it('scores rows in parallel and gives the same table as one job', () => {
    const rng = createRandom(8);
    const rows = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const s = [0, 1].map(() => Float64Array.from({ length: 4000 }, () => rng.normal() * 0.1));
      const mix = [
        Float64Array.from(s[0], (v, t) => v + 0.5 * s[1][t]),
        Float64Array.from(s[0], (v, t) => 0.3 * v + s[1][t]),
      ];
      const save = (file: string, channels: Float64Array[]): void =>
        fs.writeFileSync(path.join(dir, file), encodeWav({ sampleRate: 8000, channels }));
      save(`${name}.wav`, mix);
      save(`${name}.ref1.wav`, [s[0]]);
      save(`${name}.ref2.wav`, [s[1]]);
      rows.push({ mixture: `${name}.wav`, references: [`${name}.ref1.wav`, `${name}.ref2.wav`] });
    }
    fs.writeFileSync(path.join(dir, 'all.json'), JSON.stringify(rows));
    const run = (out: string, jobs: string) =>
      spawnSync(
        process.execPath,
        [bin, 'eval', '--manifest', path.join(dir, 'all.json'), '-m', 'mixture', '-o', path.join(dir, out), '-j', jobs],
        { encoding: 'utf8' },
      );
    const parallel = run('p.jsonl', '3');
    expect(parallel.stderr).toBe('');
    expect(parallel.status).toBe(0);
    const single = run('s.jsonl', '1');
    expect(single.status).toBe(0);
    const key = (l: { mixture: string; source: number; scores: unknown }): string =>
      JSON.stringify([l.mixture, l.source, l.scores]);
    const p = parseResults(fs.readFileSync(path.join(dir, 'p.jsonl'), 'utf8'), 'jsonl')
      .map(key)
      .sort();
    const s = parseResults(fs.readFileSync(path.join(dir, 's.jsonl'), 'utf8'), 'jsonl')
      .map(key)
      .sort();
    expect(p).toHaveLength(10);
    expect(p).toEqual(s);
  });
});
