/**
 * WAV throughput and memory: decode and encode an 8-channel, 120 s, 24-bit, 48 kHz file
 * (138 MB of sample data). Targets: >= 100 MB/s each way; peak memory to read a file
 * (file bytes + decoded signal) <= 2.5x its decoded Float64 size.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeWav, encodeWav } from '../core/audio/wav.js';
import { createRandom } from '../core/random.js';
import { peakRss, printTable, section, timeBest } from './report.js';

const CHANNELS = 8;
const SAMPLE_RATE = 48000;
const SECONDS = 120;

/** Child mode: read `file` from disk and decode it, then print baseline and peak RSS. */
function measureRead(file: string): void {
  const baseline = process.memoryUsage().rss;
  const bytes = fs.readFileSync(file);
  const { signal } = decodeWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const peak = peakRss() ?? process.memoryUsage().rss;
  console.log(JSON.stringify({ baseline, peak, frames: signal.channels[0].length }));
}

export function run(): void {
  section('WAV I/O: 8 channels, 120 s, 24-bit PCM, 48 kHz');
  const frames = SAMPLE_RATE * SECONDS;
  const rng = createRandom(1);
  const channels = Array.from({ length: CHANNELS }, () => {
    const x = new Float64Array(frames);
    for (let i = 0; i < frames; i++) x[i] = 0.3 * rng.normal();
    return x;
  });
  const signal = { sampleRate: SAMPLE_RATE, channels };
  const rows = [];
  let file24: Uint8Array | undefined;
  for (const [label, format] of [
    ['24-bit PCM', { encoding: 'pcm', bitDepth: 24 }],
    ['16-bit PCM', { encoding: 'pcm', bitDepth: 16 }],
    ['32-bit float', { encoding: 'float', bitDepth: 32 }],
  ] as const) {
    let bytes: Uint8Array = new Uint8Array(0);
    const encodeSeconds = timeBest(() => {
      bytes = encodeWav(signal, format);
    }, 2);
    const decodeSeconds = timeBest(() => void decodeWav(bytes), 2);
    const megabytes = (frames * CHANNELS * format.bitDepth) / 8 / 1e6;
    rows.push({
      format: label,
      'data MB': megabytes,
      'decode MB/s': megabytes / decodeSeconds,
      'encode MB/s': megabytes / encodeSeconds,
      target: '>= 100 MB/s',
    });
    if (format.bitDepth === 24) file24 = bytes;
  }
  printTable(rows);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unmix-bench-'));
  try {
    const file = path.join(dir, 'bench-8ch-24bit.wav');
    fs.writeFileSync(file, file24!);
    file24 = undefined;
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure-read', file], {
      encoding: 'utf8',
    });
    const { baseline, peak } = JSON.parse(out) as { baseline: number; peak: number };
    const decoded = frames * CHANNELS * 8;
    console.log();
    printTable([
      {
        'file MB': fs.statSync(file).size / 1e6,
        'decoded Float64 MB': decoded / 1e6,
        'peak read memory MB': (peak - baseline) / 1e6,
        'ratio to decoded': (peak - baseline) / decoded,
        target: '<= 2.5x',
      },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--measure-read') measureRead(process.argv[3]);
