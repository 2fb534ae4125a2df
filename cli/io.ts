/**
 * The streams and environment a CLI run talks to. `main.ts` binds them to the process;
 * tests bind them to strings, so every command is tested in-process.
 */
export interface CliIo {
  /** Results: tables for people, JSON/CSV for programs. */
  stdout(text: string): void;
  /** Errors and progress. */
  stderr(text: string): void;
  /** Progress bars are drawn only on a terminal. */
  stderrIsTTY: boolean;
  /** Terminal width for progress bars; 80 when unknown. */
  columns?: number;
}

/** An io that writes to this process's stdout and stderr. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns,
  };
}
