/**
 * Batch STFT-domain separation (issue 4): SI-SDR improvement and seconds per method on
 * the standard rooms of bench/rooms.ts (SI-SDRi over the unprocessed microphone 1, the
 * reference being each source's image at microphone 1, best permutation), the time of
 * 30 AuxIVA iterations on a 2x2 8 s mixture (FFT 2048, hop 512), the peak memory of
 * `unmix separate` on a long 2-channel recording, and pyroomacoustics side by side when
 * it is available.
 *
 * `layouts` scores the auto method, ISS and pyroomacoustics' ILRMA (when available) on several
 * layouts of each room type (bench/rooms.ts roomLayout): the mean over layouts is the figure
 * to compare with the targets, since one layout moves every method by 5-10 dB.
 *
 * Targets: 2x2 RT60 0.15 s >= 18 dB, 2x2 RT60 0.3 s >= 6 dB, 3x3 RT60 0.2 s >= 9 dB;
 * 30 AuxIVA iterations <= 0.3 s; 10 minutes of 2 channels under 1.5 GB peak.
 *
 * Knobs: UNMIX_BENCH_IVA_PARTS (comma-separated: speed, quality, layouts, pyroomacoustics,
 * memory; default all), UNMIX_BENCH_IVA_LAYOUTS (layouts per room type in `layouts`,
 * default 5), UNMIX_BENCH_IVA_MINUTES (length of the memory test, default 10),
 * UNMIX_BENCH_IVA_METHODS (comma-separated, default every convolutive method),
 * PYROOMACOUSTICS_PATH (a source checkout of pyroomacoustics, e.g. from
 * github:LCAV/pyroomacoustics; run with Debian's /usr/bin/python3 and its numpy; only its
 * pure-Python `bss` and `transform` modules are used). Nothing of it is committed or
 * needed by tests.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { learnStftOracle } from '../core/eval/oracle.js';
import { auxIva, iterateAuxIva } from '../core/iva/auxiva.js';
import { initialUnmixing, prepareMixture, resolveStftOptions } from '../core/iva/stftMixture.js';
import { AUTO_METHOD, METHODS, separate } from '../core/separate.js';
import { makeRoom, roomLayout, scoreSeparation, writeTiledRoomFile, STANDARD_ROOMS } from './rooms.js';
import { runPyroomacoustics, type PeerRun } from './pyroomacoustics.js';
import { peakRss, printTable, section, timeBest } from './report.js';

const ROOMS = ['2x2-rt150', '2x2-rt300', '3x3-rt200', '4x4-rt200'];

async function quality(): Promise<void> {
  const methods = (process.env.UNMIX_BENCH_IVA_METHODS?.split(',') ?? Object.keys(METHODS)).filter(
    (name) => METHODS[name]?.model === 'convolutive',
  );
  section(`STFT methods on the standard rooms: SI-SDRi (dB) and seconds, default options (auto = ${AUTO_METHOD})`);
  const rows = [];
  for (const name of ROOMS) {
    const room = makeRoom(name);
    for (const method of methods) {
      const start = performance.now();
      const result = await separate(room.mixture, { method });
      const seconds = (performance.now() - start) / 1000;
      const score = scoreSeparation(result.sources.channels, room.references, room.mixture.channels[0]);
      rows.push({
        room: name,
        method: method === AUTO_METHOD ? `${method} (auto)` : method,
        'SI-SDRi dB': score.meanSiSdri,
        'per source': score.siSdri.map((v) => v.toFixed(1)).join(' '),
        seconds,
        iterations: result.iterations,
        fft: `${result.options.fftSize as number}/${result.options.hopSamples as number}`,
        target: room.spec.target,
      });
    }
  }
  printTable(rows);
  console.log(`\n(${os.cpus().length} cores, shared: timings are inflated when other work runs)`);

  // The ceiling of any method with one complex matrix per bin: the oracle of core/eval
  // (least-squares start refined on SI-SDR, knowing the references).
  section('Ceiling: oracle per-bin unmixing (core/eval learnStftOracle, knows the references)');
  const ceiling = [];
  for (const name of ROOMS) {
    const room = makeRoom(name);
    for (const fftSize of [2048, 4096]) {
      const oracle = learnStftOracle(room.mixture, room.references, { fftSize, iterations: 30 });
      const score = scoreSeparation(oracle.sources.channels, room.references, room.mixture.channels[0]);
      ceiling.push({ room: name, fft: `${fftSize}/${fftSize / 4}`, 'oracle SI-SDRi dB': score.meanSiSdri, target: room.spec.target }); // prettier-ignore
    }
  }
  printTable(ceiling);
}

/** Mean, minimum and each value, for a row of a layouts table. */
function spread(values: number[]): { mean: number; min: number; each: string } {
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    min: Math.min(...values),
    each: values.map((v) => v.toFixed(1)).join(' '),
  };
}

async function layouts(): Promise<void> {
  const count = Number(process.env.UNMIX_BENCH_IVA_LAYOUTS ?? 5);
  const methods = process.env.UNMIX_BENCH_IVA_METHODS?.split(',') ?? ['auto', 'iss'];
  section(`Mean SI-SDRi (dB) over ${count} layouts of each room type (layout 0 = the standard room), default options`);
  const rows = [];
  for (const name of ROOMS.slice(0, 3)) {
    const rooms = Array.from({ length: count }, (_, index) => roomLayout(name, index));
    for (const method of methods) {
      const resolved = method === 'auto' ? AUTO_METHOD : method;
      if (!resolved || METHODS[resolved]?.model !== 'convolutive') continue;
      const scores: number[] = [];
      let seconds = 0;
      for (const room of rooms) {
        const start = performance.now();
        const result = await separate(room.mixture, { method: resolved });
        seconds += (performance.now() - start) / 1000;
        scores.push(scoreSeparation(result.sources.channels, room.references, room.mixture.channels[0]).meanSiSdri);
      }
      const { mean, min, each } = spread(scores);
      const label = resolved === AUTO_METHOD ? `${resolved} (auto)` : resolved;
      rows.push({ room: name, method: label, 'mean SI-SDRi dB': mean, 'min dB': min, 'per layout': each, 'mean s': seconds / count, target: rooms[0].spec.target }); // prettier-ignore
    }
    if (process.env.PYROOMACOUSTICS_PATH) {
      const peer = runPyroomacoustics(
        rooms.map((room, index) => ({ ...room, name: `${name}@${index}`, sources: room.spec.sources })),
        PEER_RUNS.filter((r) => r.method === 'ilrma'),
      );
      if (peer) {
        const { mean, min, each } = spread(peer.map((row) => row['SI-SDRi dB']));
        const seconds = peer.reduce((a, row) => a + row.seconds, 0) / peer.length;
        rows.push({ room: name, method: `pyroomacoustics ${peer[0].method}`, 'mean SI-SDRi dB': mean, 'min dB': min, 'per layout': each, 'mean s': seconds, target: rooms[0].spec.target }); // prettier-ignore
      }
    }
  }
  printTable(rows);
}

function speed(): void {
  section('30 AuxIVA iterations, 2x2, 8 s, 16 kHz, FFT 2048, hop 512 (target <= 0.3 s; pyroomacoustics ~0.65 s)');
  const room = makeRoom('2x2-rt150');
  const rows = [];
  for (const model of ['laplace', 'gauss'] as const) {
    for (const update of ['ip', 'iss'] as const) {
      const options = resolveStftOptions(
        room.mixture,
        { fftSize: 2048, hopSamples: 512 },
        { iterations: 30, tolerance: 0 },
      );
      const prepared = prepareMixture(room.mixture, options);
      const iterate = (): void => {
        const w = initialUnmixing(prepared, prepared.dims);
        iterateAuxIva(prepared, w, { model, update, iterations: 30, tolerance: 0 });
      };
      const iterations = timeBest(iterate);
      // CPU time of one run: less inflated than wall time when other processes share the cores.
      const before = process.cpuUsage();
      iterate();
      const used = process.cpuUsage(before);
      const cpu = (used.user + used.system) / 1e6;
      const whole = timeBest(
        () => auxIva(room.mixture, { fftSize: 2048, hopSamples: 512, iterations: 30, tolerance: 0, model, update }),
        2,
      );
      rows.push({
        model,
        update,
        'iterations s': iterations,
        'iterations CPU s': cpu,
        'with STFT, ISTFT s': whole,
        target: '<= 0.3 s',
      });
    }
  }
  printTable(rows);
}

/** Child mode: run `unmix separate FILE -o DIR` in-process, print the peak RSS. */
async function measureCli(file: string, out: string, method: string, extra: string[]): Promise<void> {
  const { run } = await import('../cli/program.js');
  let stdout = '';
  const argv = ['separate', file, '-o', out, '--method', method, '--json', '-q', '--format', 'pcm16', ...extra];
  const code = await run(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: false,
  });
  const report = JSON.parse(stdout) as { seconds: number };
  console.log(JSON.stringify({ code, peak: peakRss(), seconds: report.seconds }));
}

function memory(): void {
  const minutes = Number(process.env.UNMIX_BENCH_IVA_MINUTES ?? 10);
  section(`unmix separate: peak memory on a ${minutes}-minute 2-channel 16 kHz 16-bit file (target < 1.5 GB)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unmix-bench-iva-'));
  const rows = [];
  try {
    const file = path.join(dir, 'long.wav');
    writeTiledRoomFile(file, '2x2-rt300', minutes);
    // Memory does not grow with the iterations (one pass over the bins each): few keep it short.
    const runs: [string, string[]][] = [
      ['auxiva', ['--iterations', '10']],
      ['ilrma', ['--iterations', '3', '--param', 'warmup=2']],
    ];
    for (const [method, extra] of runs) {
      if (!METHODS[method]) continue;
      const output = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--measure-cli', file, path.join(dir, `out-${method}`), method, ...extra],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      const result = JSON.parse(output.trim().split('\n').pop()!) as { code: number; peak: number; seconds: number };
      rows.push({
        method: `${method} ${extra.join(' ')}`,
        minutes,
        'file MB': fs.statSync(file).size / 1e6,
        'peak RSS MB': result.peak / 1e6,
        'separation s': result.seconds,
        'exit code': result.code,
        target: '< 1500 MB',
      });
      fs.rmSync(path.join(dir, `out-${method}`), { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
}

/** pyroomacoustics' runs on the standard rooms. */
const PEER_RUNS: PeerRun[] = [
  { label: 'auxiva (30 it)', method: 'auxiva', args: { n_iter: 30 } },
  { label: 'auxiva gauss (30 it)', method: 'auxiva', args: { n_iter: 30, model: 'gauss' } },
  { label: 'ilrma (100 it, 2 bases)', method: 'ilrma', args: { n_iter: 100, n_components: 2 } },
];

function pyroomacoustics(): void {
  section('pyroomacoustics on the same rooms (FFT 2048, hop 512)');
  const rooms = STANDARD_ROOMS.filter((spec) => ROOMS.slice(0, 3).includes(spec.name)).map((spec) => ({
    ...makeRoom(spec),
    name: spec.name,
    sources: spec.sources,
  }));
  const rows = runPyroomacoustics(rooms, PEER_RUNS);
  if (rows) printTable(rows);
}

export async function run(): Promise<void> {
  const parts = process.env.UNMIX_BENCH_IVA_PARTS?.split(',') ?? [
    'speed',
    'quality',
    'layouts',
    'pyroomacoustics',
    'memory',
  ];
  if (parts.includes('speed')) speed();
  if (parts.includes('quality')) await quality();
  if (parts.includes('layouts')) await layouts();
  if (parts.includes('pyroomacoustics')) pyroomacoustics();
  if (parts.includes('memory')) memory();
}

if (process.argv[2] === '--measure-cli') {
  await measureCli(process.argv[3], process.argv[4], process.argv[5], process.argv.slice(6));
}
