import { Option, type Command } from '@commander-js/extra-typings';
import {
  DEFAULT_METRICS,
  METRIC_NAMES,
  evaluate,
  parseMetrics,
  type Evaluation,
  type MetricName,
} from '../../core/eval/evaluate.js';
import { csvCell } from '../../core/eval/manifest.js';
import { UnmixError } from '../../core/errors.js';
import { readWavFile } from '../files.js';
import type { CliIo } from '../io.js';
import { integerIn } from '../options.js';
import { runManifest } from '../evalManifest.js';
import { table } from '../table.js';

/** One scored signal in `unmix eval`: a file, or one channel of a multichannel file. */
interface Track {
  label: string;
  file: string;
  signal: Float64Array;
  sampleRate: number;
}

/**
 * The tracks of `--reference`/`--estimate` files: one file with several channels gives
 * one track per channel; several files give one track each (a multichannel one, such
 * as a source image at every microphone, contributes its `channel`).
 */
function tracksOf(files: string[], channel: number, what: string): Track[] {
  const decoded = files.map((file) => ({ file, signal: readWavFile(file).signal }));
  if (decoded.length === 1 && decoded[0].signal.channels.length > 1) {
    const { file, signal } = decoded[0];
    return signal.channels.map((x, c) => ({
      label: `${file}#${c + 1}`,
      file,
      signal: x,
      sampleRate: signal.sampleRate,
    }));
  }
  return decoded.map(({ file, signal }) => {
    const count = signal.channels.length;
    if (count === 0) throw new UnmixError(`${file}: holds no channels`);
    if (count > 1 && channel >= count) {
      throw new UnmixError(
        `${file}: ${what} has ${count} channels; --reference-channel ${channel + 1} does not exist`,
        'usage',
      );
    }
    const c = count === 1 ? 0 : channel;
    return {
      label: count === 1 ? file : `${file}#${c + 1}`,
      file,
      signal: signal.channels[c],
      sampleRate: signal.sampleRate,
    };
  });
}

/** `unmix eval --json` output: one entry per reference, metrics not asked for left out. */
export interface EvalReport {
  sources: ({ reference: string; estimate: string } & Partial<Record<MetricName, number>>)[];
  /** `permutation[i]` = the 0-based estimate paired with reference i. */
  permutation: number[];
  /** Samples scored (after `--trim`) and the sample rate. */
  frames: number;
  sampleRate: number;
}

function report(
  evaluation: Evaluation,
  references: Track[],
  estimates: Track[],
  frames: number,
  rate: number,
): EvalReport {
  return {
    sources: evaluation.sources.map(({ reference, estimate, ...scores }) => ({
      reference: references[reference].label,
      estimate: estimates[estimate].label,
      ...scores,
    })),
    permutation: evaluation.permutation,
    frames,
    sampleRate: rate,
  };
}

function formatDb(value: number | undefined): string {
  return value === undefined ? '' : value.toFixed(2);
}

/** `unmix eval`: score separated sources against references, or a whole manifest of mixtures. */
export function registerEval(program: Command, io: CliIo): void {
  program
    .command('eval')
    .description(
      'score estimated sources against references (SI-SDR, SI-SDRi, SNR, BSS Eval SDR/SIR/SAR), or separate and score every row of a manifest',
    )
    .option('-r, --reference <files...>', 'reference WAV files, one per source (or one multichannel file)')
    .option('-e, --estimate <files...>', 'estimated WAV files, one per source (or one multichannel file)')
    .option('--mixture <file>', 'the mixture, for improvements (si_sdri, sdri)')
    .option(
      '--metrics <list>',
      `comma-separated metrics: ${METRIC_NAMES.join(', ')} (default ${DEFAULT_METRICS.join(',')}; improvements only with a mixture)`,
    )
    .addOption(
      new Option('--pairing <rule>', 'best: the assignment with the highest mean SI-SDR; none: in the given order')
        .choices(['best', 'none'] as const)
        .default('best' as const),
    )
    .option(
      '--reference-channel <n>',
      'microphone (1-based) of multichannel reference images and of the mixture',
      integerIn(1, 256),
      1,
    )
    .option('--trim', 'score the common length when files differ in length (default: refuse)')
    .option('--json', 'print a JSON report')
    .option('--csv', 'print CSV, one line per reference')
    .option(
      '--manifest <files...>',
      'manifest files (.csv/.json rows of mixture + references) or directories of .json rows',
    )
    .option(
      '-m, --method <list>',
      'with --manifest: comma-separated separation methods, `mixture` (no separation), `oracle-instantaneous`, `oracle-stft` (fitted to the references: the ceiling)',
      'auto',
    )
    .option('-o, --output <file>', 'with --manifest: results table (.csv or .jsonl); an existing one is resumed')
    .option(
      '-j, --jobs <n>',
      'with --manifest: rows evaluated in parallel (default: number of cores)',
      integerIn(1, 256),
    )
    .option('--seed <n>', 'with --manifest: seed of each separation', integerIn(0), 0)
    .option('-f, --force', 'with --manifest: start the results table over instead of resuming it')
    .option('-q, --quiet', 'no progress output')
    .action(async (options) => {
      const channel = options.referenceChannel - 1;
      if (options.manifest) {
        if (options.reference || options.estimate) {
          throw new UnmixError('give either --manifest or --reference/--estimate, not both', 'usage');
        }
        if (!options.output)
          throw new UnmixError('--manifest needs --output FILE (.csv or .jsonl) for the results', 'usage');
        const metrics = options.metrics ? parseMetrics(options.metrics) : [...DEFAULT_METRICS];
        const failed = await runManifest(io, {
          manifests: options.manifest,
          methods: parseMethods(options.method),
          metrics,
          output: options.output,
          jobs: options.jobs,
          seed: options.seed,
          referenceChannel: channel,
          force: Boolean(options.force),
          quiet: Boolean(options.quiet),
          json: Boolean(options.json),
        });
        if (failed > 0)
          throw new UnmixError(
            `${failed} row${failed === 1 ? '' : 's'} failed (see above); rerun to retry them`,
            'failed',
          );
        return;
      }
      if (!options.reference || !options.estimate) {
        throw new UnmixError('give --reference and --estimate files (or --manifest)', 'usage');
      }
      if (options.json && options.csv) throw new UnmixError('choose one of --json and --csv', 'usage');
      const references = tracksOf(options.reference, channel, 'the reference');
      const estimates = tracksOf(options.estimate, channel, 'the estimate');
      let mixture: Track | undefined;
      if (options.mixture) {
        const { signal } = readWavFile(options.mixture);
        const count = signal.channels.length;
        if (channel >= count) {
          throw new UnmixError(
            `${options.mixture}: has ${count} channels; --reference-channel ${channel + 1} does not exist`,
            'usage',
          );
        }
        mixture = {
          label: options.mixture,
          file: options.mixture,
          signal: signal.channels[channel],
          sampleRate: signal.sampleRate,
        };
      }
      const all = [...references, ...estimates, ...(mixture ? [mixture] : [])];
      const rate = references[0].sampleRate;
      for (const t of all) {
        if (t.sampleRate !== rate) {
          throw new UnmixError(
            `${t.label} is at ${t.sampleRate} Hz but ${references[0].label} at ${rate} Hz; resample first`,
          );
        }
      }
      const lengths = all.map((t) => t.signal.length);
      const frames = Math.min(...lengths);
      if (!options.trim) {
        const other = all.find((t) => t.signal.length !== references[0].signal.length);
        if (other) {
          throw new UnmixError(
            `${other.label} has ${other.signal.length} samples but ${references[0].label} has ${references[0].signal.length}; use --trim to score the first ${frames}`,
          );
        }
      }
      const cut = (x: Float64Array): Float64Array => (x.length === frames ? x : x.subarray(0, frames));
      if (estimates.length < references.length) {
        throw new UnmixError(
          `${estimates.length} estimate${estimates.length === 1 ? '' : 's'} for ${references.length} references: give one estimate per reference`,
        );
      }
      const metrics = options.metrics
        ? parseMetrics(options.metrics)
        : DEFAULT_METRICS.filter((m) => mixture || (m !== 'si_sdri' && m !== 'sdri'));
      const evaluation = evaluate(
        references.map((t) => cut(t.signal)),
        estimates.map((t) => cut(t.signal)),
        { metrics, mixture: mixture ? cut(mixture.signal) : undefined, pairing: options.pairing },
      );
      const result = report(evaluation, references, estimates, frames, rate);
      if (options.json) {
        io.stdout(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const header = ['reference', 'estimate', ...metrics];
      if (options.csv) {
        io.stdout(header.join(',') + '\n');
        for (const s of result.sources) {
          io.stdout([csvCell(s.reference), csvCell(s.estimate), ...metrics.map((m) => csvCell(s[m]))].join(',') + '\n');
        }
        return;
      }
      const rows = result.sources.map((s) => [s.reference, s.estimate, ...metrics.map((m) => formatDb(s[m]))]);
      const means = metrics.map((m) => {
        const v = result.sources.map((s) => s[m] ?? NaN);
        return formatDb(v.reduce((a, b) => a + b, 0) / v.length);
      });
      rows.push(['mean', '', ...means]);
      io.stdout(table(header, rows) + '\n');
      if (frames !== Math.max(...lengths)) {
        io.stdout(`trimmed to the common length: ${frames} samples (${(frames / rate).toFixed(3)} s)\n`);
      }
    });
}

function parseMethods(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UnmixError('--method needs at least one method name', 'usage');
  return [...new Set(names)];
}
