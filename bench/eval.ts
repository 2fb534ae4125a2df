/**
 * Evaluation benchmarks.
 *
 * 1. BSS Eval speed and agreement, side by side with mir_eval (Debian's python3-mir-eval,
 *    run with /usr/bin/python3 when installed): bss_eval_sources with the permutation
 *    search on 4 sources x 30 s at 16 kHz, and bss_eval_images on the images of a
 *    standard room (2 sources x 2 microphones x 8 s). Target: at least 10x faster than mir_eval, same values to 0.01 dB.
 * 2. The oracle learners (best instantaneous / per-bin STFT unmixing, fitted to the
 *    references by PIT negative SI-SDR) beside the blind methods of METHODS on the
 *    standard rooms of bench/rooms.ts: the ceiling each method family is compared to.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluate } from '../core/eval/evaluate.js';
import { learnInstantaneousOracle, learnStftOracle } from '../core/eval/oracle.js';
import { bssEvalImages, bssEvalSources } from '../core/losses/bssEval.js';
import { createRandom } from '../core/random.js';
import { synthesizeSource } from '../core/room/sources.js';
import { METHODS, separate } from '../core/separate.js';
import { printTable, section, timeBest } from './report.js';
import { STANDARD_ROOMS, makeRoom } from './rooms.js';

const PYTHON = '/usr/bin/python3';

/** Speech-like sources and estimates with interference, a 3-tap filter and noise. */
function bssEvalData(sources: number, seconds: number, sampleRate: number, seed: number) {
  const frames = seconds * sampleRate;
  const rng = createRandom(seed);
  const references = Array.from({ length: sources }, (_, k) =>
    synthesizeSource({ kind: 'speech', frames, sampleRate, seed: seed + k, pitchHz: 100 + 40 * k }),
  );
  const estimates = references.map((s, k) => {
    const other = references[(k + 1) % sources];
    return Float64Array.from(s, (v, t) => v + 0.3 * (t > 0 ? s[t - 1] : 0) + 0.2 * other[t] + 0.05 * rng.normal());
  });
  // Estimates in a rotated order, so the permutation search has work to do.
  return { references, estimates: estimates.map((_, k) => estimates[(k + 1) % sources]) };
}

function hasMirEval(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import mir_eval.separation'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Run mir_eval on planar float64 files; returns its seconds and scores. */
function runMirEval(
  dir: string,
  references: Float64Array[][],
  estimates: Float64Array[][],
  images: boolean,
): { seconds: number; sdr: number[]; sir: number[]; sar: number[]; isr?: number[]; perm: number[] } {
  const write = (name: string, data: Float64Array[][]): string => {
    const file = path.join(dir, name);
    const flat = new Float64Array(data.length * data[0].length * data[0][0].length);
    let o = 0;
    // shape (nsrc, nchan, nsampl), C order
    for (const image of data) for (const x of image) flat.set(x, (o += x.length) - x.length);
    fs.writeFileSync(file, new Uint8Array(flat.buffer));
    return file;
  };
  const refFile = write('ref.f64', references);
  const estFile = write('est.f64', estimates);
  const [n, c, t] = [references.length, references[0].length, references[0][0].length];
  const script = `
import json, time, numpy as np, mir_eval.separation as s
r = np.fromfile(${JSON.stringify(refFile)}).reshape(${n}, ${c}, ${t})
e = np.fromfile(${JSON.stringify(estFile)}).reshape(${n}, ${c}, ${t})
images = ${images ? 'True' : 'False'}
start = time.perf_counter()
if images:
    sdr, isr, sir, sar, perm = s.bss_eval_images(np.transpose(r, (0, 2, 1)), np.transpose(e, (0, 2, 1)))
else:
    sdr, sir, sar, perm = s.bss_eval_sources(r[:, 0, :], e[:, 0, :])
    isr = None
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "sdr": sdr.tolist(), "sir": sir.tolist(), "sar": sar.tolist(),
                  "isr": None if isr is None else isr.tolist(), "perm": [int(p) for p in perm]}))
`;
  const out = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function benchBssEval(): void {
  section('BSS Eval v3 vs mir_eval (target: >= 10x faster, values within 0.01 dB)');
  const mirEval = hasMirEval();
  if (!mirEval) console.log(`(mir_eval not found for ${PYTHON}: apt-get install python3-mir-eval to compare)\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unmix-bench-eval-'));
  const rows = [];
  try {
    {
      const { references, estimates } = bssEvalData(4, 30, 16000, 11);
      let ours = bssEvalSources(references, estimates);
      const seconds = timeBest(() => void (ours = bssEvalSources(references, estimates)), 1);
      const row: Record<string, string | number> = {
        case: 'bss_eval_sources 4 src x 30 s, 16 kHz',
        'unmix s': seconds,
      };
      if (mirEval) {
        const theirs = runMirEval(
          dir,
          references.map((x) => [x]),
          estimates.map((x) => [x]),
          false,
        );
        row['mir_eval s'] = theirs.seconds;
        row.speedup = theirs.seconds / seconds;
        row['max |dB diff|'] = Math.max(
          maxDifference(ours.sdr, theirs.sdr),
          maxDifference(ours.sir, theirs.sir),
          maxDifference(ours.sar, theirs.sar),
        );
        row['same perm'] = JSON.stringify(ours.permutation) === JSON.stringify(theirs.perm) ? 'yes' : 'NO';
      }
      row['mean SDR'] = ours.sdr.reduce((a, b) => a + b, 0) / 4;
      rows.push(row);
    }
    {
      // Room images (2 talkers at 2 microphones 5-6 cm apart, RT60 0.15 s, 8 s): the two
      // channels of one source are nearly filtered copies of each other, the hard case.
      const room = makeRoom('2x2-rt150');
      const rng = createRandom(31);
      const refImages = room.images.map((image) => image.channels);
      const estImages = refImages.map((image, k) =>
        image.map((x, c) => {
          const other = refImages[1 - k][c];
          return Float64Array.from(x, (v, t) => v + 0.2 * other[t] + 0.01 * rng.normal());
        }),
      );
      let ours = bssEvalImages(refImages, estImages);
      const seconds = timeBest(() => void (ours = bssEvalImages(refImages, estImages)), 1);
      const row: Record<string, string | number> = {
        case: 'bss_eval_images room 2 src x 2 mic x 8 s',
        'unmix s': seconds,
      };
      if (mirEval) {
        const theirs = runMirEval(dir, refImages, estImages, true);
        row['mir_eval s'] = theirs.seconds;
        row.speedup = theirs.seconds / seconds;
        row['max |dB diff|'] = Math.max(
          maxDifference(ours.sdr, theirs.sdr),
          maxDifference(ours.isr, theirs.isr!),
          maxDifference(ours.sir, theirs.sir),
          maxDifference(ours.sar, theirs.sar),
        );
        row['same perm'] = JSON.stringify(ours.permutation) === JSON.stringify(theirs.perm) ? 'yes' : 'NO';
      }
      row['mean SDR'] = (ours.sdr[0] + ours.sdr[1]) / 2;
      rows.push(row);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  console.log(
    '\nunmix: best of 2 runs after a warm-up; mir_eval: one run. Times on a shared, loaded machine: compare the ratio, not the seconds.',
  );
}

async function benchOracle(): Promise<void> {
  section('Oracle (best linear) separation beside blind methods, standard rooms (SI-SDRi, dB)');
  const blind = Object.keys(METHODS);
  const rows = [];
  for (const spec of STANDARD_ROOMS) {
    const room = makeRoom(spec);
    const mixtureChannel = room.mixture.channels[0];
    const score = (estimates: Float64Array[]): number => {
      const result = evaluate(room.references, estimates, { metrics: ['si_sdri'], mixture: mixtureChannel });
      return result.sources.reduce((s, x) => s + x.si_sdri!, 0) / result.sources.length;
    };
    const row: Record<string, string | number> = { room: spec.name, target: spec.target };
    let start = performance.now();
    const inst = learnInstantaneousOracle(room.mixture, room.references, { iterations: 100 });
    row['oracle inst'] = score(inst.sources.channels);
    row['inst s'] = (performance.now() - start) / 1000;
    start = performance.now();
    const stftOracle = learnStftOracle(room.mixture, room.references, { iterations: 60 });
    row['oracle STFT'] = score(stftOracle.sources.channels);
    row['STFT s'] = (performance.now() - start) / 1000;
    for (const method of blind) {
      try {
        const result = await separate(room.mixture, { method, seed: 0 });
        row[method] = score(result.sources.channels);
      } catch (error) {
        row[method] = `failed: ${(error as Error).message.slice(0, 40)}`;
      }
    }
    rows.push(row);
  }
  printTable(rows);
  console.log(
    '\noracle inst: one real unmixing matrix (100 Adam steps from least squares); oracle STFT: one complex\n' +
      "matrix per bin, frames of the STFT methods' default length (60 steps). Blind methods: every method in METHODS with its defaults.",
  );
}

export async function run(): Promise<void> {
  benchBssEval();
  await benchOracle();
}
