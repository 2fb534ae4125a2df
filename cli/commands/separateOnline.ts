import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { UnmixError } from '../../core/errors.js';
import {
  createOnlineSeparator,
  type OnlineAuxIvaOptions,
  type OnlineSeparator,
  type OnlineSourceModel,
  type OnlineUpdateRule,
} from '../../core/iva/online.js';
import type { Unmixing } from '../../core/separate.js';
import { unmixingToJson, type UnmixingFile } from '../../core/unmixing.js';
import { checkOutputs, describeFsError, ensureDirectory, fileStem, writeFileAtomic } from '../files.js';
import type { CliIo } from '../io.js';
import { OUTPUT_FORMATS } from '../options.js';
import { createProgress } from '../progress.js';
import { WavStreamReader, WavStreamWriter } from '../wavStream.js';

/**
 * `unmix separate --online`: online AuxIVA over a WAV file or standard input of any
 * length, read, separated and written block by block, so memory stays constant (a few
 * MB of state and buffers, whatever the length) and the sources grow on disk as it goes.
 * The unmixing file written at the end holds the final unmixing matrices.
 */

/** What `separate --online` accepts (the subset of `separate`'s options that applies). */
export interface SeparateOnlineCliOptions {
  output: string;
  method?: string;
  sources?: number;
  fftSize?: number;
  hop?: number;
  /** Warm start: an unmixing read from `--init` (complex, matching the FFT size and channels). */
  initial?: Unmixing;
  /** `--param key=value`: forgetting, update, model, iterations, refMic, warmupSeconds, blockSeconds. */
  param?: Record<string, unknown>;
  format: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** `unmix separate --online --json` output. */
export interface SeparateOnlineReport {
  sources: string[];
  unmixing: string;
  method: 'online-auxiva';
  /** STFT frames processed. */
  frames: number;
  /** Samples per channel read (and written per source). */
  samples: number;
  /** Algorithmic latency in samples (`fftSize - hop`) and in seconds. */
  latencySamples: number;
  latencySeconds: number;
  /** Wall-clock seconds of the whole run (reading, separating, writing). */
  seconds: number;
  /** `seconds` per second of audio. */
  realTimeFactor: number;
}

/** Samples per block read from the input: 0.25 s keeps the I/O efficient and the memory small. */
const DEFAULT_BLOCK_SECONDS = 0.25;

function algorithmOptions(options: SeparateOnlineCliOptions): OnlineAuxIvaOptions & { blockSeconds: number } {
  const param = options.param ?? {};
  const known = ['forgetting', 'update', 'model', 'iterations', 'refMic', 'warmupSeconds', 'blockSeconds'];
  for (const key of Object.keys(param)) {
    if (!known.includes(key)) {
      throw new UnmixError(`unknown --param '${key}' for --online; known: ${known.join(', ')}`, 'usage');
    }
  }
  const number = (key: string): number | undefined => {
    const value = param[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number')
      throw new UnmixError(`--param ${key} expects a number, got '${String(value)}'`, 'usage');
    return value;
  };
  const blockSeconds = number('blockSeconds') ?? DEFAULT_BLOCK_SECONDS;
  if (!(blockSeconds > 0 && blockSeconds <= 60)) {
    throw new UnmixError(`--param blockSeconds must be above 0 and at most 60, got ${blockSeconds}`, 'usage');
  }
  if (options.initial && options.initial.kind !== 'complex') {
    throw new UnmixError('--init for --online needs the unmixing file of an STFT method (complex matrices)', 'usage');
  }
  const initial = options.initial;
  return {
    fftSize: options.fftSize ?? initial?.fftSize,
    hopSamples: options.hop ?? initial?.hopSamples,
    forgetting: number('forgetting'),
    iterations: number('iterations'),
    refMic: number('refMic'),
    warmupSeconds: number('warmupSeconds'),
    update: param.update as OnlineUpdateRule | undefined,
    model: param.model as OnlineSourceModel | undefined,
    initial,
    blockSeconds,
  };
}

/** Open `file` (or standard input for `-`) as a WAV stream, with plain errors. */
async function openInput(file: string, stdin: Readable): Promise<WavStreamReader> {
  if (file === '-') return WavStreamReader.open(stdin, 'standard input', false);
  let fd: number;
  try {
    if (fs.statSync(file).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw describeFsError(file, error);
  }
  return WavStreamReader.open(fs.createReadStream(file, { fd, highWaterMark: 1 << 16 }), file, true);
}

/**
 * Run `unmix separate --online FILE|- -o DIR`.
 *
 * @param file - a WAV file, or `-` for standard input (then outputs are named `stdin.*`)
 * @param stdin - the stream `-` reads (standard input of the process by default)
 */
export async function runSeparateOnline(
  file: string,
  options: SeparateOnlineCliOptions,
  io: CliIo,
  stdin: Readable = process.stdin,
): Promise<SeparateOnlineReport> {
  if (options.method !== undefined && options.method !== 'auto' && options.method !== 'auxiva') {
    throw new UnmixError(
      `--online runs online AuxIVA; --method ${options.method} has no online version (omit --method)`,
      'usage',
    );
  }
  const settings = algorithmOptions(options);
  const start = performance.now();
  const reader = await openInput(file, stdin);
  const { channels, sampleRate } = reader.format;
  if (options.sources !== undefined && options.sources !== channels) {
    throw new UnmixError(
      `--online separates as many sources as channels (${channels}); --sources ${options.sources} is not supported`,
      'usage',
    );
  }
  const separator: OnlineSeparator = createOnlineSeparator(channels, sampleRate, settings);
  const stem = file === '-' ? 'stdin' : fileStem(file);
  const sourcePaths = Array.from({ length: channels }, (_, k) =>
    path.join(options.output, `${stem}.source${k + 1}.wav`),
  );
  const unmixingPath = path.join(options.output, `${stem}.unmixing.json`);
  checkOutputs([...sourcePaths, unmixingPath], { force: options.force, inputs: file === '-' ? [] : [file] });
  ensureDirectory(options.output);

  const format = OUTPUT_FORMATS[options.format];
  const writers: WavStreamWriter[] = [];
  const progress = createProgress(io, Boolean(options.quiet));
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  let samples = 0;
  try {
    for (const out of sourcePaths) {
      writers.push(new WavStreamWriter(out, { ...format, channels: 1, sampleRate, extensible: false, channelMask: 0 }));
    }
    const write = (blocks: Float64Array[]): void => {
      for (let k = 0; k < writers.length; k++) writers[k].write([blocks[k]]);
    };
    const total = reader.header.frames;
    const blockFrames = Math.max(1, Math.round(settings.blockSeconds * sampleRate));
    for (let block = await reader.read(blockFrames); block; block = await reader.read(blockFrames)) {
      if (interrupted) throw new UnmixError('cancelled', 'aborted');
      for (const channel of block) {
        for (let i = 0; i < channel.length; i++) {
          if (!Number.isFinite(channel[i])) {
            throw new UnmixError(
              `${file === '-' ? 'standard input' : file}: NaN or infinite sample at ${((samples + i) / sampleRate).toFixed(3)} s`,
            );
          }
        }
      }
      write(separator.process(block));
      samples += block[0].length;
      if (Number.isFinite(total)) progress.update(samples, total, `${(samples / sampleRate).toFixed(0)} s`);
    }
    if (samples === 0) throw new UnmixError(`${file === '-' ? 'standard input' : file}: no samples to separate`);
    write(separator.flush());
    for (const writer of writers) writer.close();
  } catch (error) {
    for (const writer of writers) writer.abort();
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
  }

  const { fftSize, hopSamples, forgetting, model, update, iterations, refMic } = separator.options;
  const unmixingFile: UnmixingFile = {
    version: 1,
    method: 'online-auxiva',
    options: { fftSize, hopSamples, forgetting, model, update, iterations, refMic, online: true },
    iterations: separator.framesProcessed,
    converged: false,
    sampleRate,
    channels,
    sources: channels,
    unmixing: unmixingToJson(separator.unmixing()),
    trace: [],
  };
  writeFileAtomic(unmixingPath, JSON.stringify(unmixingFile, null, 1) + '\n');
  const seconds = (performance.now() - start) / 1000;
  const report: SeparateOnlineReport = {
    sources: sourcePaths,
    unmixing: unmixingPath,
    method: 'online-auxiva',
    frames: separator.framesProcessed,
    samples,
    latencySamples: separator.latency,
    latencySeconds: separator.latency / sampleRate,
    seconds,
    realTimeFactor: seconds / (samples / sampleRate),
  };
  if (options.json) {
    io.stdout(JSON.stringify(report, null, 2) + '\n');
  } else {
    io.stdout(
      `separated ${channels} source${channels === 1 ? '' : 's'} online (online AuxIVA, latency ` +
        `${(1000 * report.latencySeconds).toFixed(0)} ms) from ${(samples / sampleRate).toFixed(1)} s of audio ` +
        `in ${seconds.toFixed(2)} s (real-time factor ${report.realTimeFactor.toFixed(3)})\n`,
    );
    for (const out of [...sourcePaths, unmixingPath]) io.stdout(`${out}\n`);
  }
  return report;
}
