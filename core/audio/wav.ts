import { UnmixError } from '../errors.js';
import type { MultichannelSignal } from './signal.js';

/**
 * WAV (RIFF/WAVE and RF64) decoding and encoding on bytes.
 *
 * Headers are parsed chunk by chunk; the sample data is converted with typed-array loops
 * (no per-sample allocation, no intermediate interleaved Float64 copy), which is what
 * makes multi-hundred-megabyte files fast. The functions here never touch the file
 * system: callers hand in a `Uint8Array` and get one back.
 */

/** How samples are stored: integer PCM or IEEE float. */
export type SampleEncoding = 'pcm' | 'float';

/** The sample format of a WAV file. */
export interface WavFormat {
  /** Integer PCM or IEEE float. */
  encoding: SampleEncoding;
  /** Bits per sample container: 8, 16, 24, 32 (pcm) or 32, 64 (float). */
  bitDepth: number;
  /** Number of interleaved channels, 1 to 65535. */
  channels: number;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** True when the file uses (or is to use) a WAVE_FORMAT_EXTENSIBLE header. */
  extensible: boolean;
  /** Speaker-position mask of an extensible header (0 = unassigned). */
  channelMask: number;
}

/** Where the samples of a WAV file are and how they are stored. */
export interface WavHeader {
  format: WavFormat;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data (a whole number of frames). */
  dataBytes: number;
  /** Number of frames (samples per channel). */
  frames: number;
  /** `RIFF` for classic files, `RF64` for files beyond 4 GiB. */
  container: 'RIFF' | 'RF64';
}

/** A decoded WAV file. */
export interface DecodedWav {
  /** The samples, planar, normalised: integer PCM divided by 2^(bits-1) so that it lies in [-1, 1); float as stored. */
  signal: MultichannelSignal;
  /** The stored sample format. */
  format: WavFormat;
}

/** Options of {@link encodeWav}. */
export interface EncodeWavOptions {
  /** Default `'float'`. */
  encoding?: SampleEncoding;
  /** Default 32. PCM: 8, 16, 24 or 32; float: 32 or 64. */
  bitDepth?: number;
  /** Force a WAVE_FORMAT_EXTENSIBLE header; default: only above 2 channels or for PCM above 16 bits, as the format requires. */
  extensible?: boolean;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Record<number, string> = {
  2: 'Microsoft ADPCM',
  6: 'A-law',
  7: 'mu-law',
  0x11: 'IMA ADPCM',
  0x31: 'GSM 6.10',
  0x55: 'MPEG layer 3',
};
// The KSDATAFORMAT_SUBTYPE GUIDs differ from each other only in their first two bytes.
const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Human-readable name of a format, e.g. `24-bit PCM`, `32-bit float`. */
export function describeFormat(format: Pick<WavFormat, 'encoding' | 'bitDepth'>): string {
  return `${format.bitDepth}-bit ${format.encoding === 'pcm' ? 'PCM' : 'float'}`;
}

function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

function isSupported(encoding: SampleEncoding, bitDepth: number): boolean {
  return encoding === 'pcm' ? [8, 16, 24, 32].includes(bitDepth) : bitDepth === 32 || bitDepth === 64;
}

/**
 * Parse the header of a WAV file: find the `fmt ` and `data` chunks, skipping any others
 * (LIST, fact, bext, cue, JUNK, ...) with their pad bytes.
 *
 * @param bytes - the file, or (with `allowTruncated`) at least its beginning up to the
 *   first sample
 * @param allowTruncated - accept a data chunk that runs past the end of `bytes` (for
 *   streaming readers that have only the head of the file). `dataBytes` is then the size
 *   declared in the header, or `Infinity` for the "unknown length" markers 0xFFFFFFFF and
 *   0 that programs streaming WAV to a pipe write.
 * @throws UnmixError with a plain message for anything that is not a supported WAV file.
 */
export function parseWavHeader(bytes: Uint8Array, allowTruncated = false): WavHeader {
  if (bytes.length === 0) throw new UnmixError('the file is empty');
  if (bytes.length < 12) throw new UnmixError('the file is too short to be a WAV file (truncated header)');
  const riff = fourCC(bytes, 0);
  if ((riff !== 'RIFF' && riff !== 'RF64') || fourCC(bytes, 8) !== 'WAVE') {
    if (riff === 'RIFX') throw new UnmixError('big-endian WAV (RIFX) is not supported');
    throw new UnmixError('not a WAV file (no RIFF/WAVE header)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let format: WavFormat | undefined;
  let dataSize64: number | undefined;
  while (offset + 8 <= bytes.length) {
    const id = fourCC(bytes, offset);
    let size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'ds64') {
      if (body + 16 > bytes.length) break;
      dataSize64 = view.getUint32(body + 8, true) + view.getUint32(body + 12, true) * 4294967296;
    } else if (id === 'fmt ') {
      if (body + size > bytes.length || size < 16) throw new UnmixError('the fmt chunk is truncated');
      format = parseFmt(view, body, size);
    } else if (id === 'data') {
      if (!format) throw new UnmixError('the data chunk comes before the fmt chunk; the file is malformed');
      const blockAlign = (format.channels * format.bitDepth) / 8;
      const available = bytes.length - body;
      let declared: number = size;
      if (riff === 'RF64' && size === 0xffffffff && dataSize64 !== undefined) declared = dataSize64;
      else if (size === 0xffffffff || (allowTruncated && size === 0)) declared = allowTruncated ? Infinity : available;
      if (declared > available && !allowTruncated) {
        throw new UnmixError(
          `the data chunk declares ${declared} bytes but the file holds only ${available} (truncated file?)`,
        );
      }
      const usable = Number.isFinite(declared) ? declared - (declared % blockAlign) : declared;
      return {
        format,
        dataOffset: body,
        dataBytes: usable,
        frames: usable / blockAlign,
        container: riff,
      };
    }
    if (size % 2 === 1) size += 1; // chunks are padded to an even length
    offset = body + size;
  }
  if (!format) throw new UnmixError('no fmt chunk found (truncated header?)');
  throw new UnmixError('no data chunk found (truncated file?)');
}

function parseFmt(view: DataView, at: number, size: number): WavFormat {
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitDepth = view.getUint16(at + 14, true);
  let extensible = false;
  let channelMask = 0;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new UnmixError('the WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated');
    extensible = true;
    channelMask = view.getUint32(at + 20, true);
    tag = view.getUint16(at + 24, true);
    for (let i = 0; i < SUBFORMAT_GUID_TAIL.length; i++) {
      if (view.getUint8(at + 26 + i) !== SUBFORMAT_GUID_TAIL[i]) {
        throw new UnmixError('unsupported encoding: unknown WAVE_FORMAT_EXTENSIBLE sub-format');
      }
    }
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = FORMAT_NAMES[tag] ?? `format code 0x${tag.toString(16)}`;
    throw new UnmixError(`unsupported encoding: ${name}; convert the file to PCM or float WAV`);
  }
  const encoding: SampleEncoding = tag === WAVE_FORMAT_PCM ? 'pcm' : 'float';
  if (!isSupported(encoding, bitDepth)) {
    throw new UnmixError(`unsupported encoding: ${bitDepth}-bit ${encoding === 'pcm' ? 'PCM' : 'float'}`);
  }
  if (channels === 0) throw new UnmixError('the fmt chunk declares 0 channels');
  if (sampleRate === 0) throw new UnmixError('the fmt chunk declares a sample rate of 0 Hz');
  if (blockAlign !== (channels * bitDepth) / 8) {
    throw new UnmixError(
      `the fmt chunk is inconsistent: block align ${blockAlign} for ${channels} channels of ${bitDepth} bits`,
    );
  }
  return { encoding, bitDepth, channels, sampleRate, extensible, channelMask };
}

/**
 * Decode a whole WAV file into a planar signal.
 *
 * Supports integer PCM of 8 (unsigned), 16, 24 and 32 bits and IEEE float of 32 and 64
 * bits, any channel count, plain, WAVE_FORMAT_EXTENSIBLE and RF64 headers, and any
 * chunks before or after the data. Peak memory is the input bytes plus the Float64
 * output.
 *
 * @throws UnmixError on empty, truncated, non-WAV or unsupported input.
 */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const header = parseWavHeader(bytes);
  const { format, frames } = header;
  const channels: Float64Array[] = [];
  for (let c = 0; c < format.channels; c++) channels.push(new Float64Array(frames));
  decodeSamples(bytes.subarray(header.dataOffset, header.dataOffset + header.dataBytes), format, channels, 0);
  return { signal: { sampleRate: format.sampleRate, channels }, format };
}

/**
 * Convert interleaved sample bytes into planar Float64 channels: the inner loop of
 * {@link decodeWav}, exposed for streaming readers that decode block by block.
 *
 * @param data - whole frames of sample data (its length is a multiple of the block size)
 * @param format - the stored format
 * @param out - one array per channel; frames are written starting at `outOffset`
 * @param outOffset - first frame index in `out` to write
 * @returns the number of frames decoded
 */
export function decodeSamples(data: Uint8Array, format: WavFormat, out: Float64Array[], outOffset: number): number {
  const nch = format.channels;
  const bytesPerSample = format.bitDepth / 8;
  const frames = Math.floor(data.length / (nch * bytesPerSample));
  const aligned = LITTLE_ENDIAN_HOST && data.byteOffset % bytesPerSample === 0;
  if (format.encoding === 'pcm' && format.bitDepth === 8) {
    for (let c = 0; c < nch; c++) {
      const x = out[c];
      for (let i = 0, j = c; i < frames; i++, j += nch) x[outOffset + i] = (data[j] - 128) / 128;
    }
  } else if (format.encoding === 'pcm' && format.bitDepth === 24) {
    const stride = 3 * nch;
    for (let c = 0; c < nch; c++) {
      const x = out[c];
      for (let i = 0, j = 3 * c; i < frames; i++, j += stride) {
        // Shift the top byte into the sign bit and back to sign-extend 24 to 32 bits.
        const v = ((data[j] | (data[j + 1] << 8) | (data[j + 2] << 16)) << 8) >> 8;
        x[outOffset + i] = v / 8388608;
      }
    }
  } else if (aligned) {
    const count = frames * nch;
    const samples =
      format.encoding === 'float'
        ? format.bitDepth === 32
          ? new Float32Array(data.buffer, data.byteOffset, count)
          : new Float64Array(data.buffer, data.byteOffset, count)
        : format.bitDepth === 16
          ? new Int16Array(data.buffer, data.byteOffset, count)
          : new Int32Array(data.buffer, data.byteOffset, count);
    const scale = format.encoding === 'float' ? 1 : format.bitDepth === 16 ? 1 / 32768 : 1 / 2147483648;
    for (let c = 0; c < nch; c++) {
      const x = out[c];
      for (let i = 0, j = c; i < frames; i++, j += nch) x[outOffset + i] = samples[j] * scale;
    }
  } else {
    decodeUnaligned(data, format, out, outOffset, frames);
  }
  return frames;
}

function decodeUnaligned(
  data: Uint8Array,
  format: WavFormat,
  out: Float64Array[],
  outOffset: number,
  frames: number,
): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const nch = format.channels;
  const b = format.bitDepth / 8;
  for (let c = 0; c < nch; c++) {
    const x = out[c];
    for (let i = 0, j = c * b; i < frames; i++, j += nch * b) {
      x[outOffset + i] =
        format.encoding === 'float'
          ? b === 4
            ? view.getFloat32(j, true)
            : view.getFloat64(j, true)
          : b === 2
            ? view.getInt16(j, true) / 32768
            : view.getInt32(j, true) / 2147483648;
    }
  }
}

/**
 * The header bytes of a WAV file holding `frames` frames in `format`: a plain header for
 * mono/stereo PCM up to 16 bits and mono/stereo float, WAVE_FORMAT_EXTENSIBLE otherwise
 * (as the format requires above 2 channels or for PCM above 16 bits), plus a `fact`
 * chunk for float.
 * Streaming writers write this first and rewrite it with the final frame count.
 *
 * @throws UnmixError when the data would exceed the 4 GiB limit of RIFF.
 */
export function encodeWavHeader(format: WavFormat, frames: number): Uint8Array {
  const blockAlign = (format.channels * format.bitDepth) / 8;
  const dataBytes = frames * blockAlign;
  const float = format.encoding === 'float';
  // The format requires an extensible header above 2 channels and for PCM above 16 bits;
  // float mono/stereo keeps the plain header that every reader understands.
  const extensible = format.extensible || format.channels > 2 || (!float && format.bitDepth > 16);
  const fmtSize = extensible ? 40 : float ? 18 : 16;
  const factSize = float ? 12 : 0;
  const headerBytes = 12 + 8 + fmtSize + factSize + 8;
  const pad = dataBytes % 2;
  if (headerBytes + dataBytes + pad - 8 > 0xffffffff) {
    throw new UnmixError('the output would exceed the 4 GiB limit of a WAV file; write fewer frames per file');
  }
  const header = new Uint8Array(headerBytes);
  const view = new DataView(header.buffer);
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < 4; i++) header[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, headerBytes - 8 + dataBytes + pad, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  const tag = float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  view.setUint16(20, extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitDepth, true);
  let at = 36;
  if (extensible) {
    view.setUint16(36, 22, true);
    view.setUint16(38, format.bitDepth, true); // valid bits
    view.setUint32(40, format.channelMask, true);
    view.setUint16(44, tag, true);
    for (let i = 0; i < SUBFORMAT_GUID_TAIL.length; i++) header[46 + i] = SUBFORMAT_GUID_TAIL[i];
    at = 60;
  } else if (float) {
    view.setUint16(36, 0, true);
    at = 38;
  }
  if (float) {
    ascii(at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, frames >>> 0, true);
    at += 12;
  }
  ascii(at, 'data');
  view.setUint32(at + 4, dataBytes, true);
  return header;
}

/**
 * Encode a planar signal as a WAV file.
 *
 * Defaults to 32-bit float, which keeps separated sources that exceed full scale
 * unclipped. Integer output is rounded to the nearest code and clipped to its range, so
 * a file decoded by {@link decodeWav} and encoded in its own format comes back
 * byte-identical.
 *
 * @throws UnmixError for an unsupported format, unequal channel lengths or NaN samples.
 */
export function encodeWav(signal: MultichannelSignal, options: EncodeWavOptions = {}): Uint8Array {
  const encoding = options.encoding ?? 'float';
  const bitDepth = options.bitDepth ?? 32;
  if (!isSupported(encoding, bitDepth)) {
    throw new UnmixError(`cannot write ${bitDepth}-bit ${encoding === 'pcm' ? 'PCM' : 'float'} WAV`, 'usage');
  }
  const nch = signal.channels.length;
  if (nch === 0) throw new UnmixError('cannot write a WAV file with no channels');
  if (nch > 65535) throw new UnmixError('a WAV file holds at most 65535 channels');
  const frames = signal.channels[0].length;
  for (const x of signal.channels) {
    if (x.length !== frames) throw new UnmixError('cannot write a WAV file whose channels differ in length');
  }
  const format: WavFormat = {
    encoding,
    bitDepth,
    channels: nch,
    sampleRate: Math.round(signal.sampleRate),
    extensible: options.extensible ?? false,
    channelMask: 0,
  };
  const header = encodeWavHeader(format, frames);
  const dataBytes = frames * nch * (bitDepth / 8);
  const out = new Uint8Array(header.length + dataBytes + (dataBytes % 2));
  out.set(header, 0);
  encodeSamples(signal.channels, 0, frames, format, out.subarray(header.length, header.length + dataBytes));
  return out;
}

/**
 * Convert planar Float64 channels to interleaved sample bytes: the inner loop of
 * {@link encodeWav}, exposed for streaming writers.
 *
 * @param channels - planar input
 * @param start - first frame of `channels` to encode
 * @param frames - number of frames to encode
 * @param format - target sample format (`channels` must match its channel count)
 * @param out - receives exactly `frames * blockAlign` bytes
 * @throws UnmixError on a NaN sample.
 */
export function encodeSamples(
  channels: Float64Array[],
  start: number,
  frames: number,
  format: WavFormat,
  out: Uint8Array,
): void {
  const nch = channels.length;
  const b = format.bitDepth / 8;
  const count = frames * nch;
  const aligned = LITTLE_ENDIAN_HOST && out.byteOffset % b === 0;
  for (let c = 0; c < nch; c++) {
    const x = channels[c];
    for (let i = 0; i < frames; i++) {
      const v = x[start + i];
      if (v !== v) throw new UnmixError(`cannot write a NaN sample (channel ${c + 1}, frame ${start + i})`);
    }
  }
  if (format.encoding === 'float') {
    if (aligned) {
      const samples =
        b === 4
          ? new Float32Array(out.buffer, out.byteOffset, count)
          : new Float64Array(out.buffer, out.byteOffset, count);
      for (let c = 0; c < nch; c++) {
        const x = channels[c];
        for (let i = 0, j = c; i < frames; i++, j += nch) samples[j] = x[start + i];
      }
    } else {
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let c = 0; c < nch; c++) {
        const x = channels[c];
        for (let i = 0, j = c * b; i < frames; i++, j += nch * b) {
          if (b === 4) view.setFloat32(j, x[start + i], true);
          else view.setFloat64(j, x[start + i], true);
        }
      }
    }
    return;
  }
  const scale = 2 ** (format.bitDepth - 1);
  const max = scale - 1;
  if (b === 1) {
    for (let c = 0; c < nch; c++) {
      const x = channels[c];
      for (let i = 0, j = c; i < frames; i++, j += nch) {
        const q = Math.round(x[start + i] * scale);
        out[j] = (q > max ? max : q < -scale ? -scale : q) + 128;
      }
    }
  } else if (b === 3) {
    for (let c = 0; c < nch; c++) {
      const x = channels[c];
      for (let i = 0, j = 3 * c; i < frames; i++, j += 3 * nch) {
        const r = Math.round(x[start + i] * scale);
        const q = r > max ? max : r < -scale ? -scale : r;
        out[j] = q & 0xff;
        out[j + 1] = (q >> 8) & 0xff;
        out[j + 2] = (q >> 16) & 0xff;
      }
    }
  } else if (aligned) {
    const samples =
      b === 2 ? new Int16Array(out.buffer, out.byteOffset, count) : new Int32Array(out.buffer, out.byteOffset, count);
    for (let c = 0; c < nch; c++) {
      const x = channels[c];
      for (let i = 0, j = c; i < frames; i++, j += nch) {
        const q = Math.round(x[start + i] * scale);
        samples[j] = q > max ? max : q < -scale ? -scale : q;
      }
    }
  } else {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let c = 0; c < nch; c++) {
      const x = channels[c];
      for (let i = 0, j = c * b; i < frames; i++, j += nch * b) {
        const r = Math.round(x[start + i] * scale);
        const q = r > max ? max : r < -scale ? -scale : r;
        if (b === 2) view.setInt16(j, q, true);
        else view.setInt32(j, q, true);
      }
    }
  }
}

/**
 * The level above which an integer sample sits at full scale: the largest positive code
 * divided by 2^(bits-1). For float formats 1. Pass it to `channelStats` to count clipping.
 */
export function fullScale(format: Pick<WavFormat, 'encoding' | 'bitDepth'>): number {
  if (format.encoding === 'float') return 1;
  const scale = 2 ** (format.bitDepth - 1);
  return (scale - 1) / scale;
}
