import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/program.js';

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `unmix ARGS...` in-process. */
export async function runCli(args: string[], stderrIsTTY = false): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY,
  });
  return { code, stdout, stderr };
}

/** A fresh temporary directory, removed by the caller with `fs.rmSync(dir, { recursive: true })`. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'unmix-test-'));
}

/** Absolute path of a file in fixtures/. */
export function fixture(name: string): string {
  return path.resolve(import.meta.dirname, '..', '..', 'fixtures', name);
}
