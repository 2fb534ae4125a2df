/**
 * pyroomacoustics' AuxIVA and ILRMA side by side with unmix, for bench/iva.ts and
 * bench/hard.ts. Not a benchmark module itself, and never part of unmix: it runs only when
 * PYROOMACOUSTICS_PATH points at a pyroomacoustics source tree (e.g. an export of the
 * github:LCAV/pyroomacoustics mirror), with Debian's /usr/bin/python3 and its numpy. Only
 * the pure-Python `bss` and `transform` parts are imported (the package's __init__ needs
 * compiled extensions). Its outputs are scored by the same {@link scoreSeparation} as
 * unmix's, so the two columns compare like with like.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MultichannelSignal } from '../core/audio/signal.js';
import { scoreSeparation } from './rooms.js';

/** A recording to separate, with the references it is scored against. */
export interface PeerRoom {
  name: string;
  /** Sources to extract (`n_src` of its AuxIVA when below the microphone count). */
  sources: number;
  mixture: MultichannelSignal;
  /** Each source's image at microphone 1. */
  references: Float64Array[];
}

/** One pyroomacoustics call: `auxiva(X, **args)` or `ilrma(X, **args)`. */
export interface PeerRun {
  label: string;
  method: 'auxiva' | 'ilrma';
  args: Record<string, number | string>;
  /** Run only when there are as many microphones as sources (its ILRMA has no OverIVA). */
  squareOnly?: boolean;
}

/** One scored run. */
export interface PeerRow {
  room: string;
  method: string;
  'SI-SDRi dB': number;
  'per source': string;
  seconds: number;
  [column: string]: string | number;
}

const PYTHON_SCRIPT = String.raw`
import sys, time, json, types
import numpy as np
pkg = types.ModuleType('pyroomacoustics'); pkg.__path__ = [sys.argv[1] + '/pyroomacoustics']
sys.modules['pyroomacoustics'] = pkg
from pyroomacoustics.bss import auxiva, ilrma
import pyroomacoustics.transform as T
methods = {'auxiva': auxiva, 'ilrma': ilrma}
out = []
for item in json.loads(sys.argv[2]):
    m, n, s, fft = item['mics'], item['frames'], item['sources'], item['fft']
    hop = fft // 4
    x = np.fromfile(item['file']).reshape(m, n)
    wa = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(fft) / fft)
    ws = T.stft.compute_synthesis_window(wa, hop)
    for run in item['runs']:
        if run.get('squareOnly') and s != m:
            continue
        args = dict(run['args'])
        if run['method'] == 'auxiva':
            args.setdefault('n_src', s)
        np.random.seed(0)
        t0 = time.time()
        X = T.stft.analysis(x.T, fft, hop, win=wa)
        Y = methods[run['method']](X, **args)
        y = T.stft.synthesis(Y, fft, hop, win=ws).T[:, fft - hop: fft - hop + n]
        sec = time.time() - t0
        y = np.pad(y, ((0, 0), (0, n - y.shape[1])))
        f = item['file'] + '.' + str(len(out)) + '.out'
        np.ascontiguousarray(y, dtype=np.float64).tofile(f)
        out.append({'room': item['room'], 'method': run['label'], 'file': f, 'rows': int(y.shape[0]), 'seconds': sec})
print(json.dumps(out))
`;

/**
 * Run pyroomacoustics on `rooms` (FFT 2048, hop 512, Hann analysis window) and score each
 * output with {@link scoreSeparation}.
 *
 * @returns one row per room and run; undefined (with the reason printed) when
 *   PYROOMACOUSTICS_PATH is unset or the run fails
 */
export function runPyroomacoustics(rooms: PeerRoom[], runs: PeerRun[]): PeerRow[] | undefined {
  const where = process.env.PYROOMACOUSTICS_PATH;
  if (!where || !fs.existsSync(path.join(where, 'pyroomacoustics', 'bss', 'auxiva.py'))) {
    console.log('pyroomacoustics skipped: set PYROOMACOUSTICS_PATH to a pyroomacoustics source tree to compare');
    return undefined;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unmix-bench-pra-'));
  try {
    const items = rooms.map((room) => {
      const n = room.mixture.channels[0].length;
      const m = room.mixture.channels.length;
      const data = new Float64Array(n * m);
      room.mixture.channels.forEach((x, i) => data.set(x, i * n));
      const file = path.join(dir, `${room.name}.f64`);
      fs.writeFileSync(file, new Uint8Array(data.buffer));
      return { room: room.name, file, mics: m, frames: n, sources: room.sources, fft: 2048, runs };
    });
    const script = path.join(dir, 'pra.py');
    fs.writeFileSync(script, PYTHON_SCRIPT);
    const output = execFileSync('/usr/bin/python3', [script, where, JSON.stringify(items)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const results = JSON.parse(output) as { room: string; method: string; file: string; rows: number; seconds: number }[]; // prettier-ignore
    return results.map((r) => {
      const room = rooms.find((candidate) => candidate.name === r.room)!;
      const n = room.mixture.channels[0].length;
      const bytes = fs.readFileSync(r.file);
      const all = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
      const estimates = Array.from({ length: r.rows }, (_, k) => all.slice(k * n, (k + 1) * n));
      const score = scoreSeparation(estimates, room.references, room.mixture.channels[0]);
      return {
        room: r.room,
        method: r.method,
        'SI-SDRi dB': score.meanSiSdri,
        'per source': score.siSdri.map((v) => v.toFixed(1)).join(' '),
        seconds: r.seconds,
      };
    });
  } catch (error) {
    console.log(`pyroomacoustics failed (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
