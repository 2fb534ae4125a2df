import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from '@commander-js/extra-typings';
import { channelStats, type MultichannelSignal } from '../../core/audio/signal.js';
import { encodeWav } from '../../core/audio/wav.js';
import { UnmixError } from '../../core/errors.js';
import type { RealMatrix } from '../../core/linalg/real.js';
import { mixInstantaneous, randomMixingMatrix } from '../../core/room/instantaneous.js';
import { addWhiteNoise } from '../../core/room/noise.js';
import { linearArray, placeSources } from '../../core/room/placement.js';
import { simulateRoom, type ShoeboxRoom, type Vector3 } from '../../core/room/shoebox.js';
import { summarizeRoom, type RoomSummary } from '../../core/room/summary.js';
import { synthesizeSource, type SyntheticSourceKind } from '../../core/room/sources.js';
import { checkOutputs, ensureDirectory, readInputFile, readWavFile, writeFileAtomic } from '../files.js';
import type { CliIo } from '../io.js';
import { OUTPUT_FORMATS, integerIn, numberAbove, outputFormatOption } from '../options.js';

/**
 * `unmix mix`: make a test mixture with a known answer from clean sources, by an
 * instantaneous mixing matrix or a simulated shoebox room, and write the mixture, each
 * source's image at every microphone (the references) and a JSON description that
 * `unmix eval --manifest` reads.
 */

const SYNTHETIC_KINDS: SyntheticSourceKind[] = ['speech', 'music', 'laplace', 'uniform', 'tone', 'gaussian'];

/** Peak level the mixture is scaled to unless `--no-normalize`. */
const PEAK = 0.8;

/** The JSON file `unmix mix` writes beside the mixture. Paths are relative to it. */
export interface MixDescription {
  mixture: string;
  references: string[];
  sampleRate: number;
  frames: number;
  model: 'instantaneous' | 'room';
  /** Instantaneous: the mixing matrix actually applied (rows = microphones), gain included. */
  mixing?: number[][];
  /** Room: geometry, acoustics and a summary of the impulse responses. */
  room?: RoomSummary;

  /** Added white noise, dB SNR (absent without --snr). */
  snrDb?: number;
  /** Gain applied to the mixture and references to reach peak 0.8 (1 with --no-normalize). */
  gain: number;
  seed: number;
  /** Where each source came from: a file (relative path) or a synthetic kind. */
  inputs: ({ file: string } | { synthetic: SyntheticSourceKind; seed: number })[];
}

function parseTriple(what: string) {
  return (value: string): [number, number, number] => {
    const parts = value.split(/[x,]/i).map((v) => Number(v.trim()));
    if (parts.length !== 3 || !parts.every((v) => Number.isFinite(v))) {
      throw new InvalidArgumentError(`expected ${what} as three numbers, e.g. 6x5x3 or 3,2.5,1.5`);
    }
    return parts as [number, number, number];
  };
}

function parseKinds(value: string): SyntheticSourceKind[] {
  const kinds = value.split(',').map((v) => v.trim());
  for (const kind of kinds) {
    if (!SYNTHETIC_KINDS.includes(kind as SyntheticSourceKind)) {
      throw new InvalidArgumentError(`unknown source kind '${kind}'; choose from ${SYNTHETIC_KINDS.join(', ')}`);
    }
  }
  return kinds as SyntheticSourceKind[];
}

function parseRange(value: string): [number, number] {
  const parts = value.split(/[-,]/).map((v) => Number(v.trim()));
  if (parts.length !== 2 || !parts.every((v) => Number.isFinite(v) && v > 0) || parts[0] > parts[1]) {
    throw new InvalidArgumentError('expected MIN,MAX in metres, e.g. 1,2');
  }
  return parts as [number, number];
}

/** `--matrix`, `--mics`, `--positions`: inline JSON or a .json file. */
function readJsonOption(value: string, option: string): unknown {
  const text = value.trim().startsWith('[') ? value : new TextDecoder().decode(readInputFile(value));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnmixError(`${option}: not valid JSON (${(error as Error).message})`, 'usage');
  }
}

function readPoints(value: string, option: string): Vector3[] {
  const points = readJsonOption(value, option);
  if (
    !Array.isArray(points) ||
    !points.every((p) => Array.isArray(p) && p.length === 3 && p.every((v) => typeof v === 'number'))
  ) {
    throw new UnmixError(`${option}: expected a JSON list of [x, y, z] positions in metres`, 'usage');
  }
  return points as Vector3[];
}

function readMatrix(value: string, sources: number): RealMatrix {
  const rows = readJsonOption(value, '--matrix');
  if (
    !Array.isArray(rows) ||
    rows.length === 0 ||
    !rows.every((r) => Array.isArray(r) && r.every((v) => typeof v === 'number' && Number.isFinite(v)))
  ) {
    throw new UnmixError('--matrix: expected a JSON list of rows of numbers, one row per microphone', 'usage');
  }
  const cols = (rows[0] as number[]).length;
  if (!rows.every((r) => (r as number[]).length === cols)) {
    throw new UnmixError('--matrix: every row must have the same length', 'usage');
  }
  if (cols !== sources) {
    throw new UnmixError(
      `--matrix has ${cols} column${cols === 1 ? '' : 's'} but there ${sources === 1 ? 'is 1 source' : `are ${sources} sources`}`,
      'usage',
    );
  }
  return { rows: rows.length, cols, data: Float64Array.from((rows as number[][]).flat()) };
}

function round(v: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function peakOf(signals: MultichannelSignal[]): number {
  return Math.max(0, ...signals.flatMap((signal) => channelStats(signal).map((c) => c.peak)));
}

/** `unmix mix SOURCE.wav... -o NAME`: make a test mixture and its references. */
export function registerMix(program: Command, io: CliIo): void {
  program
    .command('mix')
    .description(
      'make a test mixture from clean sources (instantaneous or a simulated room): writes NAME.wav, NAME.refK.wav and NAME.json',
    )
    .argument('[sources...]', 'mono WAV files, one per source')
    .requiredOption('-o, --output <name>', 'output name: NAME.wav, NAME.refK.wav, NAME.json (directories are created)')
    .option(
      '--synthetic <kinds>',
      `synthetic sources instead of files, comma-separated: ${SYNTHETIC_KINDS.join(', ')}`,
      parseKinds,
    )
    .option('--seconds <s>', 'length of synthetic sources, seconds', numberAbove(0, 3600), 4)
    .option('--rate <hz>', 'sample rate of synthetic sources (files must already have it)', integerIn(1000, 384000))
    .option('--seed <n>', 'seed of synthetic sources, random matrix, placement and noise', integerIn(0), 0)
    .option('--instantaneous', 'instantaneous mixing x = A s (the default without --room)')
    .option('--matrix <json>', 'mixing matrix A as JSON rows (one per microphone) or a .json file')
    .option('--condition <k>', 'condition number of the seeded random matrix', numberAbove(0.999999))
    .option('--room <WxDxH>', 'simulate a shoebox room of this size, metres, e.g. 6x5x3', parseTriple('the room size'))
    .option('--rt60 <s>', 'reverberation time of the room, seconds (0: anechoic)', numberAbove(-1e-12, 10), 0.2)
    .addOption(
      new Option('--absorption-formula <name>', 'how RT60 becomes wall absorption')
        .choices(['sabine', 'eyring', 'image'] as const)
        .default('sabine' as const),
    )
    .option('--mics <n|json>', 'number of microphones (a linear array), or their positions as JSON [[x,y,z],...]')
    .option('--spacing <m>', 'microphone spacing of the linear array, metres', numberAbove(0, 10), 0.05)
    .option(
      '--center <x,y,z>',
      'centre of the linear array, metres (default: the room centre)',
      parseTriple('a position'),
    )
    .option('--positions <json>', 'source positions as JSON [[x,y,z],...] (default: seeded placement around the array)')
    .option('--distance <min,max>', 'distance range of seeded source placement, metres', parseRange, [1, 2] as [
      number,
      number,
    ])
    .option('--snr <db>', 'add white noise to the mixture at this signal-to-noise ratio, dB', Number)
    .option('--no-normalize', 'keep the raw scale instead of scaling the mixture to peak 0.8')
    .addOption(outputFormatOption())
    .option('-f, --force', 'replace existing output files')
    .option('--json', 'print the description (NAME.json) to stdout')
    .option('-q, --quiet', 'no progress output')
    .action((files, options, command) => {
      if (!options.room) {
        const roomOnly = ['rt60', 'absorptionFormula', 'spacing', 'distance', 'center', 'positions'];
        const given = roomOnly.filter((name) => command.getOptionValueSource(name) === 'cli');
        if (given.length > 0) {
          const flag = given[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
          throw new UnmixError(`--${flag} needs --room`, 'usage');
        }
      }
      // Sources.
      if (files.length > 0 && options.synthetic) {
        throw new UnmixError('give source files or --synthetic, not both', 'usage');
      }
      if (files.length === 0 && !options.synthetic) {
        throw new UnmixError('no sources: give mono WAV files or --synthetic speech,music,...', 'usage');
      }
      if (options.snr !== undefined && !Number.isFinite(options.snr)) {
        throw new UnmixError('--snr expects a number of dB', 'usage');
      }
      let sources: MultichannelSignal;
      const inputs: MixDescription['inputs'] = [];
      const outputBase = path.resolve(options.output);
      const outputDir = path.dirname(outputBase);
      if (options.synthetic) {
        const sampleRate = options.rate ?? 16000;
        const frames = Math.round(options.seconds * sampleRate);
        sources = {
          sampleRate,
          channels: options.synthetic.map((kind, k) => {
            const seed = options.seed * 1000 + k + 1;
            inputs.push({ synthetic: kind, seed });
            return synthesizeSource({ kind, frames, sampleRate, seed });
          }),
        };
      } else {
        const decoded = files.map((file) => ({ file, signal: readWavFile(file).signal }));
        for (const { file, signal } of decoded) {
          if (signal.channels.length !== 1) {
            throw new UnmixError(
              `${file} has ${signal.channels.length} channels; each source must be a mono file (try 'unmix split')`,
            );
          }
        }
        const sampleRate = decoded[0].signal.sampleRate;
        for (const { file, signal } of decoded) {
          if (signal.sampleRate !== sampleRate) {
            throw new UnmixError(
              `${file} is at ${signal.sampleRate} Hz but ${decoded[0].file} is at ${sampleRate} Hz; resample the sources to one rate first`,
            );
          }
        }
        if (options.rate !== undefined && options.rate !== sampleRate) {
          throw new UnmixError(
            `the sources are at ${sampleRate} Hz, not --rate ${options.rate} (unmix does not resample)`,
            'usage',
          );
        }
        // Sources of different lengths are padded with silence to the longest.
        const frames = Math.max(...decoded.map((d) => d.signal.channels[0].length));
        sources = {
          sampleRate,
          channels: decoded.map(({ signal }) => {
            const x = new Float64Array(frames);
            x.set(signal.channels[0]);
            return x;
          }),
        };
        for (const { file } of decoded) inputs.push({ file: path.relative(outputDir, path.resolve(file)) || '.' });
      }
      const n = sources.channels.length;

      // Outputs, checked before any work.
      const stem = path.basename(outputBase);
      const mixturePath = `${outputBase}.wav`;
      const referencePaths = Array.from({ length: n }, (_, k) => `${outputBase}.ref${k + 1}.wav`);
      const jsonPath = `${outputBase}.json`;
      checkOutputs([mixturePath, ...referencePaths, jsonPath], { force: options.force, inputs: files });

      let mixture: MultichannelSignal;
      let images: MultichannelSignal[];
      const description: Partial<MixDescription> = {};
      if (options.room) {
        if (options.instantaneous || options.matrix !== undefined || options.condition !== undefined) {
          throw new UnmixError('--room cannot be combined with --instantaneous, --matrix or --condition', 'usage');
        }
        const dimensions = options.room;
        const center: Vector3 = options.center ?? [dimensions[0] / 2, dimensions[1] / 2, dimensions[2] / 2];
        let microphones: Vector3[];
        if (options.mics !== undefined && !/^\d+$/.test(options.mics.trim())) {
          microphones = readPoints(options.mics, '--mics');
        } else {
          const count = options.mics === undefined ? n : Number(options.mics);
          if (!(count >= 1)) throw new UnmixError('--mics: at least one microphone is needed', 'usage');
          microphones = linearArray(center, count, options.spacing);
        }
        const positions =
          options.positions !== undefined
            ? readPoints(options.positions, '--positions')
            : placeSources(n, {
                dimensions,
                center,
                minDistance: options.distance[0],
                maxDistance: options.distance[1],
                minSeparationDegrees: Math.min(20, 180 / n),
                seed: options.seed,
              });
        if (positions.length !== n) {
          throw new UnmixError(`--positions gives ${positions.length} positions for ${n} sources`, 'usage');
        }
        const room: ShoeboxRoom = {
          dimensions,
          microphones,
          sources: positions,
          rt60: options.rt60,
          absorptionFormula: options.absorptionFormula,
        };
        const simulation = simulateRoom(sources, room);
        mixture = simulation.mixture;
        images = simulation.images;
        description.model = 'room';
        description.room = summarizeRoom(room, simulation.room);
      } else {
        if (options.matrix !== undefined && options.condition !== undefined) {
          throw new UnmixError('give --matrix or --condition, not both', 'usage');
        }
        if (options.mics !== undefined && !/^\d+$/.test(options.mics.trim())) {
          throw new UnmixError('microphone positions need --room; without it --mics is a number', 'usage');
        }
        let a: RealMatrix;
        if (options.matrix !== undefined) {
          a = readMatrix(options.matrix, n);
        } else {
          const rows = options.mics === undefined ? n : Number(options.mics);
          if (!Number.isInteger(rows) || rows < 1)
            throw new UnmixError('--mics: expected a number of microphones', 'usage');
          if (rows < n) {
            throw new UnmixError(
              `a random instantaneous mixture needs at least as many microphones as sources (${rows} < ${n}); give --matrix for other shapes`,
              'usage',
            );
          }
          a = randomMixingMatrix(rows, n, { seed: options.seed, conditionNumber: options.condition });
        }
        mixture = mixInstantaneous(sources, a);
        images = sources.channels.map((_, k) => {
          const column: RealMatrix = { rows: a.rows, cols: 1, data: new Float64Array(a.rows) };
          for (let i = 0; i < a.rows; i++) column.data[i] = a.data[i * n + k];
          return mixInstantaneous({ sampleRate: sources.sampleRate, channels: [sources.channels[k]] }, column);
        });
        description.model = 'instantaneous';
        description.mixing = Array.from({ length: a.rows }, (_, i) => Array.from(a.data.subarray(i * n, (i + 1) * n)));
      }

      if (options.snr !== undefined) addWhiteNoise(mixture, options.snr, options.seed + 7);
      let gain = 1;
      if (options.normalize) {
        const peak = peakOf([mixture]);
        if (!(peak > 0)) throw new UnmixError('the mixture is silent', 'input');
        gain = PEAK / peak;
        for (const s of [mixture, ...images])
          for (const x of s.channels) for (let t = 0; t < x.length; t++) x[t] *= gain;
        if (description.mixing) description.mixing = description.mixing.map((row) => row.map((v) => v * gain));
      }
      const format = OUTPUT_FORMATS[options.format];
      if (format.encoding === 'pcm' && peakOf([mixture, ...images]) >= 1) {
        throw new UnmixError(
          `the mixture or a reference peaks at or above full scale and would clip in ${options.format}; drop --no-normalize or write float32`,
          'usage',
        );
      }

      const result: MixDescription = {
        mixture: `${stem}.wav`,
        references: referencePaths.map((p) => path.basename(p)),
        sampleRate: sources.sampleRate,
        frames: mixture.channels[0].length,
        model: description.model!,
        ...(description.mixing ? { mixing: description.mixing.map((row) => row.map((v) => round(v, 9))) } : {}),
        ...(description.room ? { room: description.room } : {}),
        ...(options.snr !== undefined ? { snrDb: options.snr } : {}),
        gain: round(gain, 9),
        seed: options.seed,
        inputs,
      };
      ensureDirectory(outputDir);
      writeFileAtomic(mixturePath, encodeWav(mixture, format));
      images.forEach((image, k) => writeFileAtomic(referencePaths[k], encodeWav(image, format)));
      const json = JSON.stringify(result, null, 2) + '\n';
      writeFileAtomic(jsonPath, json);
      if (options.json) {
        io.stdout(json);
      } else {
        io.stdout(
          `mixed ${n} source${n === 1 ? '' : 's'} into ${mixture.channels.length} microphone${mixture.channels.length === 1 ? '' : 's'} ` +
            `(${result.model}${result.room ? `, ${result.room.dimensions.join(' x ')} m, RT60 ${result.room.rt60} s` : ''})\n`,
        );
        for (const suffix of ['.wav', ...referencePaths.map((_, k) => `.ref${k + 1}.wav`), '.json']) {
          io.stdout(`${options.output}${suffix}\n`);
        }
      }
    });
}
