import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../core/audio/wav.js';
import { WavStreamReader, WavStreamWriter } from '../../cli/wavStream.js';
import { fixture, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stream that delivers `bytes` in chunks of awkward sizes. */
function chunked(bytes: Uint8Array, sizes = [7, 1, 4093, 13]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length];
    chunks.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return Readable.from(chunks);
}

async function readAll(reader: WavStreamReader, block: number): Promise<Float64Array[]> {
  const parts: Float64Array[][] = [];
  for (let b = await reader.read(block); b; b = await reader.read(block)) parts.push(b);
  return Array.from({ length: reader.format.channels }, (_, c) => {
    const out = new Float64Array(parts.reduce((n, p) => n + p[c].length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p[c], at);
      at += p[c].length;
    }
    return out;
  });
}

describe('WavStreamReader', () => {
  const bytes = new Uint8Array(fs.readFileSync(fixture('inst-3x3-mixed.wav')));
  const whole = decodeWav(bytes).signal.channels;

  it('reads a file in blocks, from chunks of any size, exactly as decodeWav', async () => {
    const reader = await WavStreamReader.open(chunked(bytes), 'mix.wav');
    expect(reader.header.frames).toBe(64000);
    expect(await readAll(reader, 1000)).toEqual(whole);
  });

  it('reads a stream of unknown length (0xFFFFFFFF) to its end', async () => {
    const piped = bytes.slice();
    const dataSizeAt = decodeWavDataSizeOffset(piped);
    new DataView(piped.buffer).setUint32(dataSizeAt, 0xffffffff, true);
    const reader = await WavStreamReader.open(chunked(piped), 'standard input', false);
    expect(reader.header.frames).toBe(Infinity);
    expect(await readAll(reader, 4096)).toEqual(whole);
  });

  it('reports a truncated file, and non-WAV input, with the input name', async () => {
    const reader = await WavStreamReader.open(chunked(bytes.subarray(0, 5000)), 'cut.wav');
    await expect(readAll(reader, 1000)).rejects.toThrow(/^cut\.wav: the data ends before its declared length/);
    await expect(WavStreamReader.open(Readable.from([Buffer.from('not a wav file at all')]), 'x')).rejects.toThrow(
      /^x: not a WAV file/,
    );
    await expect(WavStreamReader.open(Readable.from([]), 'nothing')).rejects.toThrow(/^nothing: the file is empty/);
  });
});

function decodeWavDataSizeOffset(bytes: Uint8Array): number {
  for (let i = 12; i < bytes.length - 4; i++) {
    if (String.fromCharCode(...bytes.subarray(i, i + 4)) === 'data') return i + 4;
  }
  throw new Error('no data chunk');
}

describe('WavStreamWriter', () => {
  it('writes blocks into a file identical to encodeWav of the whole signal', () => {
    const channels = [
      Float64Array.from({ length: 1001 }, (_, i) => Math.sin(i / 7)),
      new Float64Array(1001).fill(0.25),
    ];
    for (const format of [
      { encoding: 'float', bitDepth: 32 },
      { encoding: 'pcm', bitDepth: 24 },
      { encoding: 'pcm', bitDepth: 8 },
    ] as const) {
      const file = path.join(dir, `out-${format.bitDepth}.wav`);
      const writer = new WavStreamWriter(file, {
        ...format,
        channels: 2,
        sampleRate: 8000,
        extensible: false,
        channelMask: 0,
      });
      expect(fs.existsSync(file)).toBe(false);
      for (let at = 0; at < 1001; at += 300) writer.write(channels, at, Math.min(300, 1001 - at));
      writer.close();
      expect(new Uint8Array(fs.readFileSync(file))).toEqual(encodeWav({ sampleRate: 8000, channels }, format));
    }
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('leaves nothing behind when aborted', () => {
    const file = path.join(dir, 'aborted.wav');
    const writer = new WavStreamWriter(file, {
      encoding: 'float',
      bitDepth: 32,
      channels: 1,
      sampleRate: 8000,
      extensible: false,
      channelMask: 0,
    });
    writer.write([new Float64Array(10)]);
    writer.abort();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.aborted') || f === 'aborted.wav')).toEqual([]);
  });
});
