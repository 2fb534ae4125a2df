import { describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { decodeWav, encodeWav, parseWavHeader, type EncodeWavOptions } from '../../../core/audio/wav.js';
import { createRandom } from '../../../core/random.js';
import { isUnmixError } from '../../../core/errors.js';

const { WaveFile } = wavefile;

type Format = Required<Pick<EncodeWavOptions, 'encoding' | 'bitDepth'>>;
const FORMATS: Format[] = [
  { encoding: 'pcm', bitDepth: 8 },
  { encoding: 'pcm', bitDepth: 16 },
  { encoding: 'pcm', bitDepth: 24 },
  { encoding: 'pcm', bitDepth: 32 },
  { encoding: 'float', bitDepth: 32 },
  { encoding: 'float', bitDepth: 64 },
];

/** Random samples exactly representable in `format`, including both extremes. */
function randomSignal(format: Format, channels: number, frames: number, seed: number) {
  const rng = createRandom(seed);
  const scale = 2 ** (format.bitDepth - 1);
  return {
    sampleRate: [8000, 16000, 44100, 48000, 96000][seed % 5],
    channels: Array.from({ length: channels }, () => {
      const x = new Float64Array(frames);
      for (let i = 0; i < frames; i++) {
        if (format.encoding === 'pcm') {
          const code = i === 0 ? -scale : i === 1 ? scale - 1 : Math.floor(rng.uniform() * 2 * scale) - scale;
          x[i] = code / scale;
        } else {
          const v = 2.5 * rng.normal();
          x[i] = format.bitDepth === 32 ? Math.fround(v) : v;
        }
      }
      return x;
    }),
  };
}

function expectUnmixError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isUnmixError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected an UnmixError');
}

describe('WAV round trip', () => {
  for (const format of FORMATS) {
    it(`is exact for ${format.bitDepth}-bit ${format.encoding} from 1 to 32 channels`, () => {
      for (const [seed, channels] of [1, 2, 3, 6, 8, 32].entries()) {
        const frames = 1 + ((seed * 37) % 101);
        const signal = randomSignal(format, channels, frames, seed);
        const bytes = encodeWav(signal, format);
        const decoded = decodeWav(bytes);
        expect(decoded.format).toMatchObject({ ...format, channels, sampleRate: signal.sampleRate });
        expect(decoded.format.extensible).toBe(channels > 2 || (format.encoding === 'pcm' && format.bitDepth > 16));
        for (let c = 0; c < channels; c++) expect(decoded.signal.channels[c]).toEqual(signal.channels[c]);
        // Encoding what was decoded gives the same bytes back.
        expect(encodeWav(decoded.signal, format)).toEqual(bytes);
      }
    });
  }

  it('normalises integer PCM to [-1, 1) and clips out-of-range samples on encode', () => {
    const signal = { sampleRate: 8000, channels: [Float64Array.from([-2, -1, 0, 0.5, 1, 3])] };
    const decoded = decodeWav(encodeWav(signal, { encoding: 'pcm', bitDepth: 16 })).signal.channels[0];
    expect(Array.from(decoded)).toEqual([-1, -1, 0, 0.5, 32767 / 32768, 32767 / 32768]);
    const float = decodeWav(encodeWav(signal)).signal.channels[0];
    expect(Array.from(float)).toEqual([-2, -1, 0, 0.5, 1, 3]);
  });

  it('agrees with wavefile on files wavefile writes', () => {
    for (const [bitDepth, ours] of [
      ['8', { encoding: 'pcm', bitDepth: 8 }],
      ['16', { encoding: 'pcm', bitDepth: 16 }],
      ['24', { encoding: 'pcm', bitDepth: 24 }],
      ['32', { encoding: 'pcm', bitDepth: 32 }],
      ['32f', { encoding: 'float', bitDepth: 32 }],
      ['64', { encoding: 'float', bitDepth: 64 }],
    ] as const) {
      const signal = randomSignal(ours, 3, 50, 7);
      const scale = ours.encoding === 'pcm' ? 2 ** (ours.bitDepth - 1) : 1;
      const offset = ours.bitDepth === 8 ? 128 : 0;
      const samples = signal.channels.map((x) => Array.from(x, (v) => v * scale + offset));
      const wav = new WaveFile();
      wav.fromScratch(3, signal.sampleRate, bitDepth, samples);
      const decoded = decodeWav(wav.toBuffer());
      expect(decoded.format).toMatchObject({ ...ours, channels: 3 });
      for (let c = 0; c < 3; c++) expect(decoded.signal.channels[c]).toEqual(signal.channels[c]);
      // ... and wavefile reads what we write (wavefile misreads extensible float, so stereo).
      const stereo = { ...signal, channels: signal.channels.slice(0, 2) };
      const back = new WaveFile(encodeWav(stereo, ours));
      expect(back.getSamples(false, Float64Array)).toEqual(samples.slice(0, 2).map((s) => Float64Array.from(s)));
    }
  });
});

/** Build a WAV file from chunks, for layouts our encoder does not write. */
function riff(chunks: [string, Uint8Array][], form = 'RIFF'): Uint8Array {
  const parts: number[] = [];
  const ascii = (s: string) => [...s].forEach((ch) => parts.push(ch.charCodeAt(0)));
  const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  ascii(form);
  u32(0);
  ascii('WAVE');
  for (const [id, body] of chunks) {
    ascii(id);
    u32(body.length);
    parts.push(...body);
    if (body.length % 2) parts.push(0);
  }
  const bytes = Uint8Array.from(parts);
  new DataView(bytes.buffer).setUint32(4, bytes.length - 8, true);
  return bytes;
}

function fmt(tag: number, channels: number, rate: number, bits: number, extra: number[] = []): Uint8Array {
  const b = new Uint8Array(16 + extra.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  b.set(extra, 16);
  return b;
}

describe('WAV chunk layouts', () => {
  const data = Uint8Array.from([0x00, 0x40, 0x00, 0xc0, 0xff, 0x7f, 0x00, 0x80]); // 16-bit: .5, -.5, max, -1

  it('skips LIST, fact and odd-sized chunks (with their pad byte) before and after data', () => {
    const bytes = riff([
      ['LIST', new TextEncoder().encode('INFOISFT odd')], // 12 bytes
      ['junk', Uint8Array.from([1, 2, 3])], // odd size, padded
      ['fmt ', fmt(1, 2, 8000, 16)],
      ['fact', Uint8Array.from([2, 0, 0, 0])],
      ['data', data],
      ['cue ', Uint8Array.from([9])],
    ]);
    const { signal, format } = decodeWav(bytes);
    expect(format).toMatchObject({ encoding: 'pcm', bitDepth: 16, channels: 2, sampleRate: 8000, extensible: false });
    expect(Array.from(signal.channels[0])).toEqual([0.5, 32767 / 32768]);
    expect(Array.from(signal.channels[1])).toEqual([-0.5, -1]);
  });

  it('reads a WAVE_FORMAT_EXTENSIBLE header with a channel mask', () => {
    const guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    const extension = [22, 0, 16, 0, 0x03, 0, 0, 0, 1, 0, ...guidTail];
    const { format, signal } = decodeWav(
      riff([
        ['fmt ', fmt(0xfffe, 2, 8000, 16, extension)],
        ['data', data],
      ]),
    );
    expect(format).toMatchObject({ extensible: true, channelMask: 3, encoding: 'pcm', bitDepth: 16 });
    expect(signal.channels[1][0]).toBe(-0.5);
  });

  it('reads an unaligned 32-bit data chunk', () => {
    const samples = new Uint8Array(8);
    new DataView(samples.buffer).setFloat32(0, 0.25, true);
    new DataView(samples.buffer).setFloat32(4, -0.75, true);
    // An odd chunk of 1 byte plus its pad puts data at an offset that is 2 mod 4.
    const bytes = riff([
      ['fmt ', fmt(3, 1, 8000, 32)],
      ['abcd', Uint8Array.from([1])],
      ['data', samples],
    ]);
    expect(parseWavHeader(bytes).dataOffset % 4).not.toBe(0);
    expect(Array.from(decodeWav(bytes).signal.channels[0])).toEqual([0.25, -0.75]);
  });

  it('reads the stream marker 0xFFFFFFFF as "to the end of the file"', () => {
    const bytes = riff([
      ['fmt ', fmt(1, 1, 8000, 16)],
      ['data', data],
    ]);
    new DataView(bytes.buffer).setUint32(bytes.length - data.length - 4, 0xffffffff, true);
    expect(decodeWav(bytes).signal.channels[0].length).toBe(4);
  });
});

describe('WAV bad input', () => {
  const good = encodeWav({ sampleRate: 8000, channels: [new Float64Array(100)] }, { encoding: 'pcm', bitDepth: 16 });
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /the file is empty/],
    ['truncated header', good.subarray(0, 10), /truncated header/],
    ['header without data', good.subarray(0, 36), /no data chunk|truncated/],
    [
      'data shorter than declared',
      good.subarray(0, good.length - 50),
      /declares 200 bytes but the file holds only 150/,
    ],
    ['non-WAV bytes', new TextEncoder().encode('%PDF-1.7 this is not audio at all'), /not a WAV file/],
    [
      'A-law',
      riff([
        ['fmt ', fmt(6, 1, 8000, 8)],
        ['data', new Uint8Array(4)],
      ]),
      /unsupported encoding: A-law/,
    ],
    [
      'mu-law',
      riff([
        ['fmt ', fmt(7, 1, 8000, 8)],
        ['data', new Uint8Array(4)],
      ]),
      /unsupported encoding: mu-law/,
    ],
    [
      '12-bit PCM',
      riff([
        ['fmt ', fmt(1, 1, 8000, 12)],
        ['data', new Uint8Array(4)],
      ]),
      /unsupported encoding: 12-bit PCM/,
    ],
    [
      '16-bit float',
      riff([
        ['fmt ', fmt(3, 1, 8000, 16)],
        ['data', new Uint8Array(4)],
      ]),
      /16-bit float/,
    ],
    [
      '0 channels',
      riff([
        ['fmt ', fmt(1, 0, 8000, 16)],
        ['data', new Uint8Array(4)],
      ]),
      /0 channels/,
    ],
    [
      'data before fmt',
      riff([
        ['data', new Uint8Array(4)],
        ['fmt ', fmt(1, 1, 8000, 16)],
      ]),
      /before the fmt/,
    ],
    ['RIFX', riff([['fmt ', fmt(1, 1, 8000, 16)]], 'RIFX'), /big-endian/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`rejects ${name} with a plain message`, () => expectUnmixError(() => decodeWav(bytes), message));
  }

  it('refuses to write NaN samples or unsupported formats', () => {
    expectUnmixError(() => encodeWav({ sampleRate: 8000, channels: [Float64Array.from([0, NaN])] }), /NaN/);
    expectUnmixError(
      () => encodeWav({ sampleRate: 8000, channels: [new Float64Array(2)] }, { bitDepth: 16 }),
      /16-bit float/,
    );
    expectUnmixError(() => encodeWav({ sampleRate: 8000, channels: [] }), /no channels/);
  });
});
