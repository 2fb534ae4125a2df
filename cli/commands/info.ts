import type { Command } from '@commander-js/extra-typings';
import { channelStats, type ChannelStats } from '../../core/audio/signal.js';
import { fullScale } from '../../core/audio/wav.js';
import { readWavFile } from '../files.js';
import type { CliIo } from '../io.js';
import { formatDb, table } from '../table.js';

/** One entry of `unmix info --json`. */
export interface InfoReport {
  file: string;
  /** `pcm` or `float`. */
  format: string;
  bitDepth: number;
  channels: number;
  sampleRate: number;
  frames: number;
  durationSeconds: number;
  /** Per channel, linear (1 = full scale). */
  peak: number[];
  /** Per channel, linear. */
  rms: number[];
  /** Per channel: samples at full scale. */
  clipped: number[];
}

/** Describe one WAV file. */
export function inspectFile(file: string): InfoReport {
  const { signal, format } = readWavFile(file);
  const stats: ChannelStats[] = channelStats(signal, fullScale(format));
  const frames = signal.channels[0]?.length ?? 0;
  return {
    file,
    format: format.encoding,
    bitDepth: format.bitDepth,
    channels: format.channels,
    sampleRate: format.sampleRate,
    frames,
    durationSeconds: frames / format.sampleRate,
    peak: stats.map((s) => s.peak),
    rms: stats.map((s) => s.rms),
    clipped: stats.map((s) => s.clipped),
  };
}

/** `unmix info FILE...`: format, duration and per-channel levels of WAV files. */
export function registerInfo(program: Command, io: CliIo): void {
  program
    .command('info')
    .description('show the format, duration, and per-channel peak, RMS and clipping of WAV files')
    .argument('<files...>', 'WAV files')
    .option('--json', 'print a JSON list with one object per file')
    .option('-q, --quiet', 'no progress output')
    .action((files, options) => {
      const reports = files.map(inspectFile);
      if (options.json) {
        io.stdout(JSON.stringify(reports, null, 2) + '\n');
        return;
      }
      for (const r of reports) {
        io.stdout(
          `${r.file}: ${r.bitDepth}-bit ${r.format === 'pcm' ? 'PCM' : 'float'}, ${r.channels} channel${r.channels === 1 ? '' : 's'}, ` +
            `${r.sampleRate} Hz, ${r.durationSeconds.toFixed(3)} s (${r.frames} frames)\n`,
        );
        const rows = r.peak.map((_, c) => [
          String(c + 1),
          formatDb(r.peak[c]),
          formatDb(r.rms[c]),
          String(r.clipped[c]),
        ]);
        io.stdout(table(['channel', 'peak dBFS', 'RMS dBFS', 'clipped'], rows, '  ') + '\n');
      }
    });
}
