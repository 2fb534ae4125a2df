/**
 * `npm run bench -- ica`: quality and speed of the instantaneous ICA methods on synthetic
 * mixtures (2..8 sources, 8 s at 16 kHz, seeded mixing matrices with condition number up
 * to 8) and on the fixtures, side by side with python-picard (extended, non-orthogonal)
 * and scikit-learn's FastICA when Debian's /usr/bin/python3 has them.
 *
 * python-picard is never part of unmix: set PICARD_PATH to a checkout's root (the folder
 * holding `picard/`), or leave the default, a git mirror that is exported to a temporary
 * folder for the run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeWav } from '../core/audio/wav.js';
import type { MultichannelSignal } from '../core/audio/signal.js';
import { amariIndex } from '../core/ica/amari.js';
import { applyMatrix } from '../core/ica/whitening.js';
import { bestAssignment } from '../core/losses/pit.js';
import { siSdr } from '../core/losses/siSdr.js';
import { mixInstantaneous, randomMixingMatrix } from '../core/room/instantaneous.js';
import { synthesizeSource, type SyntheticSourceKind } from '../core/room/sources.js';
import { METHODS, type SeparationResult } from '../core/separate.js';
import { printTable, section, type BenchRow } from './report.js';

const PYTHON = '/usr/bin/python3';
const PICARD_MIRROR = '/work/.mirror/pierreablin+picard/repo';
const KINDS: SyntheticSourceKind[] = ['speech', 'speech', 'laplace', 'uniform', 'speech', 'tone', 'speech', 'speech'];

/** A test mixture with its answer. */
export interface IcaCase {
  name: string;
  sources: Float64Array[];
  /** m x n row-major. */
  mixing: Float64Array;
  mixture: MultichannelSignal;
}

/** n synthetic sources (8 s at 16 kHz) mixed by a seeded matrix of the given condition number. */
export function syntheticCase(n: number, conditionNumber: number, seed: number, seconds = 8): IcaCase {
  const sampleRate = 16000;
  const frames = seconds * sampleRate;
  const sources = Array.from({ length: n }, (_, k) =>
    synthesizeSource({ kind: KINDS[k % KINDS.length], frames, sampleRate, seed: seed * 100 + k }),
  );
  const a = randomMixingMatrix(n, n, { seed, conditionNumber });
  const mixture = mixInstantaneous({ sampleRate, channels: sources }, a);
  return { name: `${n} sources, cond ${conditionNumber}`, sources, mixing: a.data, mixture };
}

/** A fixture mixture and its reference sources. */
export function fixtureCase(name: string): IcaCase {
  // Works from bench/ (vitest, sources) and dist/bench/ (npm run bench).
  let dir = path.resolve(import.meta.dirname, '..', 'fixtures');
  if (!fs.existsSync(dir)) dir = path.resolve(import.meta.dirname, '..', '..', 'fixtures');
  const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as {
    mixing: number[][];
    sources: string[];
  };
  const mixture = decodeWav(fs.readFileSync(path.join(dir, `${name}.wav`))).signal;
  const sources = meta.sources.map((s) => decodeWav(fs.readFileSync(path.join(dir, s))).signal.channels[0]);
  return { name, sources, mixing: Float64Array.from(meta.mixing.flat()), mixture };
}

/** Mean SI-SDR (dB) of estimates against references under the best assignment (core/losses/pit.ts). */
export function matchedSiSdr(estimates: Float64Array[], references: Float64Array[]): number {
  const costs = references.map((r) => Float64Array.from(estimates, (e) => -siSdr(e, r)));
  return -bestAssignment(costs).cost / references.length;
}

interface PeerResult {
  seconds: number;
  iterations: number;
  /** n x m unmixing, row-major. */
  unmixing: Float64Array;
}

const PEER_SCRIPT = `
import sys, json, time, warnings
import numpy as np
warnings.filterwarnings('ignore')
which, path, m, frames = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
X = np.fromfile(path, dtype='<f8').reshape(m, frames)
if which == 'picard':
    from picard import picard
    t = time.perf_counter()
    K, W, Y, n_iter = picard(X, ortho=False, extended=True, max_iter=500, tol=1e-7, random_state=0, return_n_iter=True)
    s = time.perf_counter() - t
    U = W @ K
else:
    from sklearn.decomposition import FastICA
    ica = FastICA(n_components=m, whiten='unit-variance', fun='logcosh', random_state=0, max_iter=400)
    t = time.perf_counter()
    ica.fit(X.T)
    s = time.perf_counter() - t
    n_iter = int(ica.n_iter_)
    U = ica.components_
print(json.dumps({'seconds': s, 'iterations': int(n_iter), 'unmixing': U.ravel().tolist()}))
`;

let picardRoot: string | null | undefined;
function findPicard(): string | null {
  if (picardRoot !== undefined) return picardRoot;
  picardRoot = null;
  const fromEnv = process.env.PICARD_PATH;
  if (fromEnv && fs.existsSync(path.join(fromEnv, 'picard'))) return (picardRoot = fromEnv);
  if (fs.existsSync(PICARD_MIRROR)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unmix-picard-'));
    try {
      const tar = execFileSync('git', ['--git-dir', PICARD_MIRROR, 'archive', 'HEAD', 'picard'], {
        maxBuffer: 1 << 26,
      });
      execFileSync('tar', ['-x', '-C', dir], { input: tar });
      picardRoot = dir;
    } catch {
      picardRoot = null;
    }
  }
  return picardRoot;
}

function pythonHas(module: string, extraPath?: string): boolean {
  if (!fs.existsSync(PYTHON)) return false;
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], {
    env: { ...process.env, PYTHONPATH: extraPath ?? '' },
  });
  return r.status === 0;
}

function runPeer(which: 'picard' | 'fastica', c: IcaCase): PeerResult | null {
  const root = which === 'picard' ? findPicard() : null;
  if (which === 'picard' && (!root || !pythonHas('picard', root))) return null;
  if (which === 'fastica' && !pythonHas('sklearn')) return null;
  const m = c.mixture.channels.length;
  const frames = c.mixture.channels[0].length;
  const file = path.join(os.tmpdir(), `unmix-ica-bench-${process.pid}.f64`);
  const data = new Float64Array(m * frames);
  c.mixture.channels.forEach((x, k) => data.set(x, k * frames));
  fs.writeFileSync(file, new Uint8Array(data.buffer));
  try {
    const out = execFileSync(PYTHON, ['-c', PEER_SCRIPT, which, file, String(m), String(frames)], {
      env: { ...process.env, PYTHONPATH: root ?? '', OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
      maxBuffer: 1 << 24,
    });
    const parsed = JSON.parse(out.toString()) as { seconds: number; iterations: number; unmixing: number[] };
    return { seconds: parsed.seconds, iterations: parsed.iterations, unmixing: Float64Array.from(parsed.unmixing) };
  } catch {
    return null;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function score(c: IcaCase, unmixing: Float64Array): { siSdr: number; amari: number } {
  const n = c.sources.length;
  const m = c.mixture.channels.length;
  const estimates = applyMatrix(unmixing, n, m, c.mixture.channels);
  return { siSdr: matchedSiSdr(estimates, c.sources), amari: amariIndex(unmixing, c.mixing, n, m) };
}

/** The runs compared: label, method and options. */
const RUNS: [string, string, Record<string, unknown>][] = [
  ['ica', 'ica', {}],
  ['ica density=tanh', 'ica', { density: 'tanh' }],
  ['infomax', 'infomax', {}],
  ['fastica', 'fastica', {}],
];

async function timeMethod(
  method: string,
  c: IcaCase,
  repeats: number,
  options: Record<string, unknown> = {},
): Promise<[SeparationResult, number]> {
  let best = Infinity;
  let result: SeparationResult | undefined;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    result = await METHODS[method].run(c.mixture, { ...options, method, seed: 0 });
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return [result as SeparationResult, best];
}

/** Run the benchmark. */
export async function run(): Promise<void> {
  const runs = RUNS.filter(([, method]) => method in METHODS);
  const only = process.env.UNMIX_BENCH_ICA_SOURCES;
  const sizes = only ? only.split(',').map(Number) : [2, 3, 4, 5, 6, 7, 8];
  section('ICA: synthetic instantaneous mixtures, 8 s at 16 kHz (best of 3 runs; machine shared, times inflated)');
  const rows: BenchRow[] = [];
  const summary = new Map<string, { sdr: number[]; amari: number[]; seconds: number[] }>();
  const add = (method: string, sdr: number, amari: number, seconds: number): void => {
    const s = summary.get(method) ?? { sdr: [], amari: [], seconds: [] };
    s.sdr.push(sdr);
    s.amari.push(amari);
    s.seconds.push(seconds);
    summary.set(method, s);
  };
  for (const n of sizes) {
    const c = syntheticCase(n, 1 + (7 * (n - 2)) / 6, 1000 + n);
    c.name = `${n} sources, cond ${(1 + (7 * (n - 2)) / 6).toFixed(1)}`;
    for (const [label, method, options] of runs) {
      const [result, seconds] = await timeMethod(method, c, method === 'ica' ? 3 : 1, options);
      if (result.unmixing.kind !== 'real') continue;
      const q = score(c, result.unmixing.data);
      add(label, q.siSdr, q.amari, seconds);
      rows.push({
        mixture: c.name,
        method: label,
        'SI-SDR dB': q.siSdr,
        amari: q.amari,
        iterations: result.iterations,
        seconds,
      });
    }
    for (const peer of ['picard', 'fastica'] as const) {
      const r = runPeer(peer, c);
      if (!r) continue;
      const q = score(c, r.unmixing);
      const label = peer === 'picard' ? 'python-picard (ext)' : 'sklearn FastICA';
      add(label, q.siSdr, q.amari, r.seconds);
      rows.push({
        mixture: c.name,
        method: label,
        'SI-SDR dB': q.siSdr,
        amari: q.amari,
        iterations: r.iterations,
        seconds: r.seconds,
      });
    }
  }
  printTable(rows);

  section('ICA: means over the synthetic mixtures');
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  printTable(
    [...summary.entries()].map(([method, s]) => ({
      method,
      'mean SI-SDR dB': mean(s.sdr),
      'max amari': Math.max(...s.amari),
      'total seconds': s.seconds.reduce((a, b) => a + b, 0),
    })),
  );
  console.log('\ntargets: ica mean SI-SDR >= python-picard (ext); Amari < 0.01');

  if (sizes.includes(6)) {
    section('ICA: 6 sources x 8 s, default method vs scikit-learn FastICA (target: ratio <= 1)');
    // Runs alternate so both see the same load; the best of five of each is kept.
    const c = syntheticCase(6, 1 + (7 * 4) / 6, 1006);
    let ours = Infinity;
    let theirs = Infinity;
    let passes = 0;
    for (let k = 0; k < 5; k++) {
      const [result, seconds] = await timeMethod('ica', c, 1);
      ours = Math.min(ours, seconds);
      passes = Number(result.options.dataPasses);
      const sk = runPeer('fastica', c);
      if (sk) theirs = Math.min(theirs, sk.seconds);
    }
    const have = Number.isFinite(theirs);
    printTable([
      {
        'ica seconds': ours,
        'ica data passes': passes,
        'sklearn FastICA seconds': have ? theirs : 'not installed',
        ratio: have ? ours / theirs : 'n/a',
      },
    ]);
    console.log(
      "\nica seconds include checking, whitening and unmixing the mixture into sources; sklearn's fit() includes whitening but returns no sources.",
    );
  }

  section('ICA: fixtures');
  const fixtureRows: BenchRow[] = [];
  for (const name of ['inst-2x2-speech', 'inst-3x3-mixed', 'inst-4x4-mixed']) {
    const c = fixtureCase(name);
    for (const [label, method, options] of runs) {
      const [result, seconds] = await timeMethod(method, c, 1, options);
      if (result.unmixing.kind !== 'real') continue;
      const q = score(c, result.unmixing.data);
      fixtureRows.push({
        fixture: name,
        method: label,
        'SI-SDR dB': q.siSdr,
        amari: q.amari,
        iterations: result.iterations,
        seconds,
      });
    }
  }
  printTable(fixtureRows);
}
