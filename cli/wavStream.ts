import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import {
  decodeSamples,
  encodeSamples,
  encodeWavHeader,
  parseWavHeader,
  type WavFormat,
  type WavHeader,
} from '../core/audio/wav.js';
import { UnmixError, isUnmixError } from '../core/errors.js';

/**
 * Block-by-block WAV reading and writing for recordings of any length: memory stays
 * bounded by the block size, whatever the file's length. The reader takes any Node
 * readable stream (a file or standard input, including WAV streamed to a pipe with an
 * unknown length); the writer appends blocks to a temporary file and, on `close()`,
 * fixes the header's sizes and renames it into place.
 */

/** Largest header we accept before the first sample (guards against a non-WAV stream). */
const MAX_HEADER_BYTES = 1 << 20;

/** Reads a WAV stream as planar blocks of `Float64Array`s. */
export class WavStreamReader {
  /** The header: format, and `frames` (Infinity when the stream does not declare its length). */
  readonly header: WavHeader;
  private readonly iterator: AsyncIterator<Buffer | string>;
  private pending: Uint8Array;
  private remainingBytes: number;
  private readonly name: string;
  private readonly strictLength: boolean;

  private constructor(
    header: WavHeader,
    iterator: AsyncIterator<Buffer | string>,
    pending: Uint8Array,
    name: string,
    strictLength: boolean,
  ) {
    this.header = header;
    this.iterator = iterator;
    this.pending = pending;
    this.remainingBytes = header.dataBytes;
    this.name = name;
    this.strictLength = strictLength;
  }

  /**
   * Read the header from `stream`.
   * @param name - how errors name the input (a file name, or `standard input`)
   * @param strictLength - treat data that ends before its declared length as a truncated
   *   file (an error). Pass false for pipes: programs that stream WAV often declare a
   *   placeholder length.
   * @throws UnmixError when the stream is not a supported WAV file
   */
  static async open(stream: Readable, name: string, strictLength = true): Promise<WavStreamReader> {
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    let head: Uint8Array = new Uint8Array(0);
    for (;;) {
      const next = await iterator.next();
      if (!next.done) head = concat(head, toBytes(next.value));
      try {
        const header = parseWavHeader(head, true);
        return new WavStreamReader(header, iterator, head.subarray(header.dataOffset), name, strictLength);
      } catch (error) {
        if (!isUnmixError(error)) throw error;
        const needsMore = /truncated|too short|no data chunk|empty/.test(error.message);
        if (next.done || !needsMore || head.length > MAX_HEADER_BYTES) {
          throw new UnmixError(`${name}: ${error.message}`, error.kind);
        }
      }
    }
  }

  /** The sample format. */
  get format(): WavFormat {
    return this.header.format;
  }

  /**
   * The next block of up to `frames` frames, planar; `undefined` at the end of the data.
   * A stream that ends before its declared length is an error (truncated input).
   */
  async read(frames: number): Promise<Float64Array[] | undefined> {
    const blockAlign = (this.format.channels * this.format.bitDepth) / 8;
    const remaining = Number.isFinite(this.remainingBytes)
      ? this.remainingBytes - (this.remainingBytes % blockAlign)
      : Infinity;
    const wanted = Math.min(frames * blockAlign, remaining);
    if (wanted <= 0) return undefined;
    while (this.pending.length < wanted) {
      const next = await this.iterator.next();
      if (next.done) break;
      this.pending = concat(this.pending, toBytes(next.value));
    }
    const usable = Math.min(wanted, this.pending.length - (this.pending.length % blockAlign));
    if (usable === 0) {
      if (Number.isFinite(this.remainingBytes) && this.strictLength) {
        throw new UnmixError(`${this.name}: the data ends before its declared length (truncated file?)`);
      }
      return undefined;
    }
    const count = usable / blockAlign;
    const out = Array.from({ length: this.format.channels }, () => new Float64Array(count));
    decodeSamples(this.pending.subarray(0, usable), this.format, out, 0);
    this.pending = this.pending.subarray(usable);
    this.remainingBytes -= usable;
    return out;
  }
}

function toBytes(chunk: Buffer | string): Uint8Array {
  return typeof chunk === 'string'
    ? new TextEncoder().encode(chunk)
    : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Writes a WAV file block by block through a temporary file; `close()` writes the final
 * header and renames the file into place, `abort()` removes it. Check the output path
 * with `checkOutputs` first.
 */
export class WavStreamWriter {
  private readonly fd: number;
  private readonly temporary: string;
  private readonly file: string;
  private readonly format: WavFormat;
  private readonly headerBytes: number;
  private frames = 0;
  private buffer = new Uint8Array(0);
  private closed = false;

  /**
   * @param file - final path
   * @param format - sample format (its `channels` must match the blocks written)
   */
  constructor(file: string, format: WavFormat) {
    this.file = file;
    this.format = format;
    this.temporary = path.join(
      path.dirname(file),
      `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    try {
      this.fd = fs.openSync(this.temporary, 'w');
      const header = encodeWavHeader(format, 0);
      this.headerBytes = header.length;
      fs.writeSync(this.fd, header);
    } catch (error) {
      throw new UnmixError(`${file}: ${(error as Error).message}`, 'failed');
    }
  }

  /** Frames written so far. */
  get framesWritten(): number {
    return this.frames;
  }

  /** Append `frames` frames of `channels` starting at `start` (default: all of them). */
  write(channels: Float64Array[], start = 0, frames = channels[0].length - start): void {
    if (this.closed) throw new Error('write after close');
    if (frames <= 0) return;
    const bytes = frames * ((this.format.channels * this.format.bitDepth) / 8);
    if (this.buffer.length < bytes) this.buffer = new Uint8Array(bytes);
    const view = this.buffer.subarray(0, bytes);
    encodeSamples(channels, start, frames, this.format, view);
    try {
      fs.writeSync(this.fd, view);
    } catch (error) {
      this.abort();
      throw new UnmixError(`${this.file}: ${(error as Error).message}`, 'failed');
    }
    this.frames += frames;
  }

  /** Write the final header (sizes, fact chunk) and rename into place. */
  close(): void {
    if (this.closed) return;
    try {
      const header = encodeWavHeader(this.format, this.frames);
      if (header.length !== this.headerBytes) throw new Error('header size changed');
      const dataBytes = this.frames * ((this.format.channels * this.format.bitDepth) / 8);
      if (dataBytes % 2 === 1) fs.writeSync(this.fd, new Uint8Array(1)); // RIFF pad byte
      fs.writeSync(this.fd, header, 0, header.length, 0);
      fs.closeSync(this.fd);
      this.closed = true;
      fs.renameSync(this.temporary, this.file);
    } catch (error) {
      this.abort();
      if (isUnmixError(error)) throw error;
      throw new UnmixError(`${this.file}: ${(error as Error).message}`, 'failed');
    }
  }

  /** Discard the partial output. */
  abort(): void {
    if (!this.closed) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
      this.closed = true;
    }
    fs.rmSync(this.temporary, { force: true });
  }
}
