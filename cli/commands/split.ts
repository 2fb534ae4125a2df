import * as path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { encodeWav } from '../../core/audio/wav.js';
import { checkOutputs, ensureDirectory, fileStem, readWavFile, writeFileAtomic } from '../files.js';
import type { CliIo } from '../io.js';
import { OUTPUT_FORMATS, outputFormatOption } from '../options.js';

/** `unmix split FILE -o DIR`: write each channel of a multichannel WAV to its own file. */
export function registerSplit(program: Command, io: CliIo): void {
  program
    .command('split')
    .description('write each channel of a multichannel WAV file to its own mono file, DIR/<stem>.channelK.wav')
    .argument('<file>', 'multichannel WAV file')
    .requiredOption('-o, --output <dir>', 'output directory (created if needed)')
    .addOption(outputFormatOption())
    .option('-f, --force', 'replace existing output files')
    .option('--json', 'print the written paths as JSON')
    .option('-q, --quiet', 'no progress output')
    .action((file, options) => {
      const { signal } = readWavFile(file);
      const stem = fileStem(file);
      const outputs = signal.channels.map((_, c) => path.join(options.output, `${stem}.channel${c + 1}.wav`));
      ensureDirectory(options.output);
      checkOutputs(outputs, { force: options.force, inputs: [file] });
      const format = OUTPUT_FORMATS[options.format];
      signal.channels.forEach((x, c) => {
        writeFileAtomic(outputs[c], encodeWav({ sampleRate: signal.sampleRate, channels: [x] }, format));
      });
      if (options.json) io.stdout(JSON.stringify({ channels: outputs }, null, 2) + '\n');
      else for (const out of outputs) io.stdout(`${out}\n`);
    });
}
