import { Command, CommanderError } from '@commander-js/extra-typings';
import { isUnmixError } from '../core/errors.js';
import { registerEval } from './commands/eval.js';
import { registerInfo } from './commands/info.js';
import { registerMix } from './commands/mix.js';
import { registerSeparate } from './commands/separate.js';
import { registerSplit } from './commands/split.js';
import type { CliIo } from './io.js';
import { VERSION } from './version.js';

/** Exit codes of the `unmix` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Build the `unmix` program with every command, writing to `io`. */
export function createProgram(io: CliIo): Command {
  const program = new Command()
    .name('unmix')
    .description('Blind source separation of multichannel WAV recordings (the cocktail-party problem).')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .exitOverride();
  registerEval(program, io);
  registerInfo(program, io);
  registerMix(program, io);
  registerSeparate(program, io);
  registerSplit(program, io);
  for (const command of program.commands) {
    command
      .exitOverride()
      .showHelpAfterError(`(run 'unmix ${command.name()} --help' for usage)`)
      .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) });
  }
  return program;
}

/**
 * Run the CLI with `argv` (without the node and script entries) and return its exit
 * code: 0 on success, 1 when the run failed (bad input data, I/O), 2 on bad usage.
 * Errors are printed as one line, `unmix: <message>`; a stack trace only with
 * `UNMIX_DEBUG=1` and only for bugs.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      // Commander has already printed its message.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUnmixError(error)) {
      io.stderr(`unmix: ${error.message}\n`);
      return error.kind === 'usage' ? EXIT.usage : EXIT.failed;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`unmix: internal error: ${message} (please report it; set UNMIX_DEBUG=1 for details)\n`);
    if (process.env.UNMIX_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT.failed;
  }
}
