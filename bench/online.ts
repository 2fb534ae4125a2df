/**
 * Online AuxIVA: real-time factor (seconds of processing per second of audio, one core)
 * and latency for 2, 3 and 4 channels at 16 kHz; SI-SDR improvement over time on the
 * standard rooms beside batch AuxIVA on the same data; peak memory of
 * `unmix separate --online` on long 4-channel files.
 *
 * Targets (issue 7): RTF <= 0.1 for 2 channels and <= 0.25 for 4; latency <= 64 ms;
 * after 10 s of the 2x2 RT60 0.15 s room, SI-SDRi within 3 dB of batch AuxIVA; peak
 * memory < 300 MB for a 2-hour 4-channel file (set UNMIX_BENCH_ONLINE_MINUTES=120 to run
 * that length; the default lengths show that the peak does not grow with the length).
 *
 * "SI-SDRi after t s" is measured on the 2 s of output that follow t (what a listener
 * hears once the separator has heard t seconds), best permutation, reference = each
 * source's image at microphone 1. Batch AuxIVA sees the whole 12 s recording, scored on
 * the same windows.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { separateOnline } from '../core/iva/online.js';
import { METHODS, separate } from '../core/separate.js';
import { makeRoom, scoreSeparation, writeTiledRoomFile } from './rooms.js';
import { peakRss, printTable, section } from './report.js';

const SECONDS = 12;
const WINDOWS = [2, 5, 10];
const WINDOW_SECONDS = 2;

function windowScores(
  estimates: Float64Array[],
  references: Float64Array[],
  mic: Float64Array,
  rate: number,
): number[] {
  return WINDOWS.map((t) => {
    const from = t * rate;
    const to = (t + WINDOW_SECONDS) * rate;
    const cut = (x: Float64Array): Float64Array => x.subarray(from, to);
    return scoreSeparation(estimates.map(cut), references.map(cut), cut(mic)).meanSiSdri;
  });
}

async function speedAndQuality(): Promise<void> {
  section('Online AuxIVA: real-time factor and latency (16 kHz, FFT 1024, hop 256, one core)');
  const rows = [];
  const quality: Record<string, string | number>[] = [];
  for (const name of ['2x2-rt150', '2x2-rt300', '3x3-rt200', '4x4-rt200']) {
    const room = makeRoom(name, { seconds: SECONDS });
    const rate = room.sampleRate;
    separateOnline(room.mixture); // warm-up (JIT)
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const online = separateOnline(room.mixture);
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (performance.now() - start) / 1000;
    // CPU time of this (single-threaded) process: what one core spends, less inflated by
    // other processes on a shared machine than the wall clock.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const latency = (online.options.fftSize as number) - (online.options.hopSamples as number);
    if (name !== '2x2-rt300') {
      const channels = room.mixture.channels.length;
      rows.push({
        channels,
        'audio s': SECONDS,
        'wall s': seconds,
        'CPU s': cpuSeconds,
        'RTF (CPU)': cpuSeconds / SECONDS,
        'RTF (wall)': seconds / SECONDS,
        'RTF target': channels <= 2 ? '<= 0.1' : channels >= 4 ? '<= 0.25' : '-',
        'latency ms': (1000 * latency) / rate,
        'latency target': '<= 64 ms',
      });
    }
    const scores = windowScores(online.sources.channels, room.references, room.mixture.channels[0], rate);
    const row: Record<string, string | number> = { room: name, method: 'online auxiva' };
    WINDOWS.forEach((t, i) => (row[`SI-SDRi @${t} s`] = scores[i]));
    quality.push(row);
    if (METHODS.auxiva) {
      const batch = await separate(room.mixture, { method: 'auxiva' });
      const batchScores = windowScores(batch.sources.channels, room.references, room.mixture.channels[0], rate);
      const batchRow: Record<string, string | number> = { room: name, method: 'batch auxiva (whole file)' };
      WINDOWS.forEach((t, i) => (batchRow[`SI-SDRi @${t} s`] = batchScores[i]));
      quality.push(batchRow);
      if (name === '2x2-rt150') {
        quality.push({
          room: name,
          method: 'online - batch @10 s',
          'SI-SDRi @10 s': scores[2] - batchScores[2],
          target: '>= -3 dB',
        });
      }
    } else {
      quality.push({ room: name, method: 'batch auxiva: not available (METHODS.auxiva not registered)' });
    }
  }
  printTable(rows);
  console.log(
    '\n(Wall-clock timings on a shared 2-core machine under load are inflated; CPU time is the fairer figure.)',
  );
  section(`Online AuxIVA: SI-SDRi (dB) on the ${WINDOW_SECONDS} s after t, standard rooms, ${SECONDS} s`);
  const headers = ['room', 'method', ...WINDOWS.map((t) => `SI-SDRi @${t} s`), 'target'];
  printTable(quality.map((q) => Object.fromEntries(headers.map((h) => [h, q[h] ?? '']))));
}

/** Child mode: run `unmix separate --online FILE -o DIR` in-process, print the peak RSS. */
async function measureCli(file: string, out: string): Promise<void> {
  const { run } = await import('../cli/program.js');
  let stdout = '';
  const code = await run(['separate', '--online', file, '-o', out, '--json', '-q', '--format', 'pcm16'], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: false,
  });
  const report = JSON.parse(stdout) as { seconds: number; realTimeFactor: number };
  console.log(
    JSON.stringify({ code, peak: peakRss(), seconds: report.seconds, realTimeFactor: report.realTimeFactor }),
  );
}

function memory(): void {
  section('unmix separate --online: peak memory on long 4-channel 16 kHz 16-bit files');
  const long = Number(process.env.UNMIX_BENCH_ONLINE_MINUTES ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unmix-bench-online-'));
  const rows = [];
  try {
    for (const minutes of [0.5, long]) {
      const file = path.join(dir, `long-${minutes}.wav`);
      writeTiledRoomFile(file, '4x4-rt200', minutes);
      const output = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--measure-cli', file, path.join(dir, `out-${minutes}`)],
        {
          encoding: 'utf8',
        },
      );
      const result = JSON.parse(output.trim().split('\n').pop()!) as {
        peak: number;
        seconds: number;
        realTimeFactor: number;
      };
      rows.push({
        minutes,
        'file MB': fs.statSync(file).size / 1e6,
        'peak RSS MB': result.peak / 1e6,
        'wall s': result.seconds,
        'real-time factor (with I/O)': result.realTimeFactor,
        target: '< 300 MB (2 h)',
      });
      fs.rmSync(file);
      fs.rmSync(path.join(dir, `out-${minutes}`), { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
}

export async function run(): Promise<void> {
  await speedAndQuality();
  memory();
}

if (process.argv[2] === '--measure-cli') await measureCli(process.argv[3], process.argv[4]);
