import * as path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { encodeWav } from '../../core/audio/wav.js';
import { UnmixError } from '../../core/errors.js';
import { METHODS, type SeparateOptions } from '../../core/separate.js';
import { unmixingFile, unmixingFromJson } from '../../core/unmixing.js';
import { checkOutputs, ensureDirectory, fileStem, readInputFile, readWavFile, writeFileAtomic } from '../files.js';
import type { CliIo } from '../io.js';
import { OUTPUT_FORMATS, integerIn, numberAbove, outputFormatOption } from '../options.js';
import { createProgress } from '../progress.js';
import { separateOnThreads, threadsFromEnvironment } from '../threads.js';
import { runSeparateOnline } from './separateOnline.js';

/** `unmix separate --json` output. */
export interface SeparateReport {
  sources: string[];
  unmixing: string;
  method: string;
  iterations: number;
  converged: boolean;
  /** Time of the separation itself, without file I/O. */
  seconds: number;
  /** Threads the separation ran on, when more than one. */
  threads?: number;
}

/** Parse `key=value` into a method option; numbers and booleans are converted. */
function parseParam(text: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UnmixError(`--param expects key=value, got '${text}'`, 'usage');
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  const value: unknown =
    raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { ...previous, [key]: value };
}

function readInit(file: string): SeparateOptions['initial'] {
  const text = new TextDecoder().decode(readInputFile(file));
  try {
    return unmixingFromJson(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError) throw new UnmixError(`${file}: not valid JSON (${error.message})`);
    throw new UnmixError(`${file}: ${(error as Error).message}`);
  }
}

/** `unmix separate MIX.wav -o DIR`: blind source separation of a multichannel WAV file. */
export function registerSeparate(program: Command, io: CliIo): void {
  program
    .command('separate')
    .description(
      'separate a multichannel recording into sources: writes DIR/<stem>.sourceK.wav and DIR/<stem>.unmixing.json',
    )
    .argument('<file>', 'multichannel WAV file, one channel per microphone (- = standard input, with --online)')
    .requiredOption('-o, --output <dir>', 'output directory (created if needed)')
    .option(
      '-m, --method <name>',
      `separation method: auto, ${Object.keys(METHODS).join(', ') || '(none yet)'}`,
      'auto',
    )
    .option('-n, --sources <n>', 'number of sources (default: number of channels)', integerIn(1, 64))
    .option('--iterations <n>', 'maximum number of iterations', integerIn(1))
    .option('--tolerance <x>', 'stop when the gradient norm falls below this', numberAbove(0))
    .option('--seed <n>', 'seed of the random start', integerIn(0), 0)
    .option('--fft-size <n>', 'STFT frame length in samples (STFT methods)', integerIn(16, 65536))
    .option('--hop <n>', 'STFT hop in samples (STFT methods)', integerIn(1, 65536))
    .option(
      '--threads <n>',
      'threads for auxiva, iss and ilrma (default: env UNMIX_THREADS, else the number of cores, 1 for short mixtures; other methods use 1)',
      integerIn(1, 256),
    )
    .option('--init <file>', 'warm start from an unmixing.json written by an earlier run')
    .option('-p, --param <key=value>', 'a method-specific option (repeatable), e.g. --param score=cubic', parseParam)
    .addOption(outputFormatOption())
    .option('-f, --force', 'replace existing output files')
    .option('--json', 'print a JSON report')
    .option('-q, --quiet', 'no progress output')
    .option(
      '--online',
      'separate as a stream (online AuxIVA, 48 ms latency at 16 kHz): constant memory, any length, - reads standard input',
    )
    .action(async (file, options) => {
      if (options.online) {
        const initial = options.init === undefined ? undefined : readInit(options.init);
        await runSeparateOnline(file, { ...options, initial }, io);
        return;
      }
      const { signal: mixture } = readWavFile(file);
      const stem = fileStem(file);
      const sourceCount = options.sources ?? mixture.channels.length;
      const sourcePaths = Array.from({ length: sourceCount }, (_, k) =>
        path.join(options.output, `${stem}.source${k + 1}.wav`),
      );
      const unmixingPath = path.join(options.output, `${stem}.unmixing.json`);
      // Refuse before the (possibly long) separation, not after it.
      checkOutputs([...sourcePaths, unmixingPath], { force: options.force, inputs: [file] });

      const progress = createProgress(io, Boolean(options.quiet));
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      const start = performance.now();
      let result;
      try {
        result = await separateOnThreads(mixture, {
          ...options.param,
          method: options.method,
          threads: options.threads ?? threadsFromEnvironment(),
          sources: options.sources,
          iterations: options.iterations,
          tolerance: options.tolerance,
          seed: options.seed,
          fftSize: options.fftSize,
          hopSamples: options.hop,
          initial: options.init === undefined ? undefined : readInit(options.init),
          signal: controller.signal,
          onProgress: (done, total, info) =>
            progress.update(
              done,
              total,
              info
                ? `iteration ${info.iteration}${Number.isFinite(info.cost) ? `, cost ${info.cost.toPrecision(5)}` : ''}`
                : '',
            ),
        });
      } finally {
        process.off('SIGINT', onSigint);
        progress.finish();
      }
      const seconds = (performance.now() - start) / 1000;

      const written = result.sources.channels.map((_, k) => path.join(options.output, `${stem}.source${k + 1}.wav`));
      if (written.length !== sourcePaths.length) checkOutputs(written, { force: options.force, inputs: [file] });
      ensureDirectory(options.output);
      const format = OUTPUT_FORMATS[options.format];
      result.sources.channels.forEach((x, k) => {
        writeFileAtomic(written[k], encodeWav({ sampleRate: mixture.sampleRate, channels: [x] }, format));
      });
      writeFileAtomic(unmixingPath, JSON.stringify(unmixingFile(result, mixture), null, 1) + '\n');

      const report: SeparateReport = {
        sources: written,
        unmixing: unmixingPath,
        method: result.method,
        iterations: result.iterations,
        converged: result.converged,
        seconds,
        ...(result.threads ? { threads: result.threads } : {}),
      };
      if (options.json) {
        io.stdout(JSON.stringify(report, null, 2) + '\n');
      } else {
        io.stdout(
          `separated ${written.length} source${written.length === 1 ? '' : 's'} with ${result.method} in ` +
            `${result.iterations} iteration${result.iterations === 1 ? '' : 's'} ` +
            `(${result.converged ? 'converged' : 'iteration limit reached'}), ${seconds.toFixed(2)} s` +
            `${result.threads ? ` on ${result.threads} threads` : ''}\n`,
        );
        for (const out of [...written, unmixingPath]) io.stdout(`${out}\n`);
      }
    });
}
