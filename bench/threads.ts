/**
 * Worker threads for the per-bin passes (issue 4 item 6): seconds of `separateOnThreads`
 * (cli/threads.ts) with 1 and with N threads (default 2, env UNMIX_BENCH_THREADS) for
 * AuxIVA (IP, 200 iterations), ISS (200) and ILRMA (200, with its warm-up on 3x3) on the
 * 2x2 and 3x3 standard rooms (8 s, 16 kHz) and on a 2-minute 2-channel recording (the
 * 2x2 room tiled), wall time including starting the workers; then the break-even: AuxIVA
 * 2x2 on short mixtures. Each figure is the best of UNMIX_BENCH_THREADS_REPEATS runs
 * (default 2; one on the 2-minute recording), with the CPU time of all threads in it. `max diff` is the largest sample difference between the two runs relative
 * to the outputs' RMS (rounding only). UNMIX_BENCH_THREADS_PARTS picks tables (comma-separated:
 * rooms, long, short; default all).
 *
 * Run: `npm run build && node dist/bench/run.js threads`. On a machine whose cores are
 * busy with other work the second thread has nothing to run on: compare `load` (the
 * 1-minute load average when the row started) with the number of cores.
 */
import * as os from 'node:os';
import type { MultichannelSignal } from '../core/audio/signal.js';
import type { SeparationResult } from '../core/separate.js';
import { separateOnThreads } from '../cli/threads.js';
import { makeRoom } from './rooms.js';
import { maxRelativeDifference, printTable, section } from './report.js';

const THREADS = Number(process.env.UNMIX_BENCH_THREADS ?? 2);
const REPEATS = Number(process.env.UNMIX_BENCH_THREADS_REPEATS ?? 2);
const PARTS = process.env.UNMIX_BENCH_THREADS_PARTS?.split(',') ?? ['rooms', 'long', 'short'];

/** `mixture` repeated end to end up to `seconds`. */
function tiled(mixture: MultichannelSignal, seconds: number): MultichannelSignal {
  const length = Math.round(seconds * mixture.sampleRate);
  const channels = mixture.channels.map((x) => {
    const out = new Float64Array(length);
    for (let at = 0; at < length; at += x.length) out.set(x.subarray(0, Math.min(x.length, length - at)), at);
    return out;
  });
  return { sampleRate: mixture.sampleRate, channels };
}

/**
 * Best wall time of `repeats` runs, the CPU time of all threads of the process in that
 * run (user + system), and the last result.
 */
async function best(
  run: () => Promise<SeparationResult>,
  repeats: number,
): Promise<{ seconds: number; cpu: number; result: SeparationResult }> {
  let seconds = Infinity;
  let cpu = 0;
  let result: SeparationResult | undefined;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const before = process.cpuUsage();
    result = await run();
    const wall = (performance.now() - start) / 1000;
    if (wall < seconds) {
      const used = process.cpuUsage(before);
      seconds = wall;
      cpu = (used.user + used.system) / 1e6;
    }
  }
  return { seconds, cpu, result: result! };
}

async function compare(
  label: string,
  mixture: MultichannelSignal,
  method: string,
  iterations: number,
  repeats = REPEATS,
) {
  const load = os.loadavg()[0];
  const options = { method, iterations, tolerance: 0 };
  const one = await best(() => separateOnThreads(mixture, { ...options, threads: 1 }), repeats);
  const many = await best(() => separateOnThreads(mixture, { ...options, threads: THREADS }), repeats);
  return {
    mixture: label,
    method,
    iterations: one.result.iterations,
    '1 thread s': one.seconds,
    [`${THREADS} threads s`]: many.seconds,
    'speed-up': one.seconds / many.seconds,
    '1 thread CPU s': one.cpu,
    [`${THREADS} threads CPU s`]: many.cpu,
    'max diff': maxRelativeDifference(one.result.sources.channels, many.result.sources.channels),
    load: load.toFixed(1),
  };
}

/** Print the tables: each standard mixture and method, then the break-even on short mixtures. */
export async function run(): Promise<void> {
  const cores = os.availableParallelism();
  const room2 = makeRoom('2x2-rt150').mixture;
  const room3 = makeRoom('3x3-rt200').mixture;
  for (const [label, part, repeats] of [
    ['2x2 8 s', 'rooms', REPEATS],
    ['3x3 8 s', 'rooms', REPEATS],
    ['2x2 2 min', 'long', 1],
  ] as const) {
    if (!PARTS.includes(part)) continue;
    const mixture = label === '3x3 8 s' ? room3 : label === '2x2 8 s' ? room2 : tiled(room2, 120);
    section(`${label}: 1 vs ${THREADS} threads, 200 iterations, wall seconds incl. worker start-up (${cores} cores)`);
    const rows = [];
    for (const method of ['auxiva', 'iss', 'ilrma']) rows.push(await compare(label, mixture, method, 200, repeats));
    printTable(rows);
  }

  if (!PARTS.includes('short')) return;
  section(`Break-even: AuxIVA (IP, 200 iterations) on short 2x2 mixtures, 1 vs ${THREADS} threads`);
  const short = [];
  for (const seconds of [1, 2, 4]) {
    short.push(await compare(`2x2 ${seconds} s`, tiled(room2, seconds), 'auxiva', 200));
  }
  for (const seconds of [1, 2]) {
    short.push(await compare(`3x3 ${seconds} s`, tiled(room3, seconds), 'ilrma', 200));
  }
  printTable(short);
}
