import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeWav, type DecodedWav } from '../core/audio/wav.js';
import { UnmixError, isUnmixError } from '../core/errors.js';

/**
 * File access for the CLI: every error a user can cause becomes an {@link UnmixError}
 * naming the file, inputs are only ever read, and outputs are written to a temporary
 * name and renamed so that a crash leaves no half-written file.
 */

/** The plain {@link UnmixError} for a failed file-system call on `file`. */
export function describeFsError(file: string, error: unknown): UnmixError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new UnmixError(`${file}: no such file`);
    case 'EISDIR':
      return new UnmixError(`${file}: is a directory, not a file`);
    case 'EACCES':
    case 'EPERM':
      return new UnmixError(`${file}: permission denied`);
    case 'ENOTDIR':
      return new UnmixError(`${file}: a part of the path is not a directory`);
    case 'ENOSPC':
      return new UnmixError(`${file}: no space left on the device`, 'failed');
    default:
      return new UnmixError(`${file}: ${(error as Error).message}`, 'failed');
  }
}

/** Read a whole input file, with plain errors for a missing file, a directory or no permission. */
export function readInputFile(file: string): Uint8Array {
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    const buffer = fs.readFileSync(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw describeFsError(file, error);
  }
}

/** Prefix a decoding error with the file it came from. */
function inFile<T>(file: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (isUnmixError(error)) throw new UnmixError(`${file}: ${error.message}`, error.kind);
    throw error;
  }
}

/** Read and decode a WAV file. */
export function readWavFile(file: string): DecodedWav {
  const bytes = readInputFile(file);
  return inFile(file, () => decodeWav(bytes));
}

function sameFile(a: string, b: string): boolean {
  const resolve = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return resolve(a) === resolve(b);
}

/** Options of {@link checkOutputs}. */
export interface OutputCheck {
  /** Replace existing outputs. Inputs are never replaced, with or without it. */
  force?: boolean;
  /** Files this run reads. */
  inputs?: string[];
}

/**
 * Check every output path before anything is written, so that a refused run writes
 * nothing: an output may never be an input, and may replace an existing file only with
 * `force`.
 */
export function checkOutputs(outputs: string[], check: OutputCheck = {}): void {
  const seen = new Set<string>();
  for (const out of outputs) {
    const resolved = path.resolve(out);
    if (seen.has(resolved)) throw new UnmixError(`${out}: the same output path is used twice`, 'usage');
    seen.add(resolved);
    for (const input of check.inputs ?? []) {
      if (sameFile(out, input)) throw new UnmixError(`${out}: refusing to overwrite an input file`, 'usage');
    }
    if (fs.existsSync(out)) {
      if (fs.statSync(out).isDirectory()) throw new UnmixError(`${out}: is a directory`, 'usage');
      if (!check.force) throw new UnmixError(`${out}: already exists (use --force to replace it)`, 'usage');
    }
  }
}

/** Create `dir` (and its parents) if needed, with a plain error if that is impossible. */
export function ensureDirectory(dir: string): void {
  try {
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
      throw new UnmixError(`${dir}: exists and is not a directory`, 'usage');
    }
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    if (isUnmixError(error)) throw error;
    throw describeFsError(dir, error);
  }
}

/**
 * Write `bytes` to `file` through a temporary file in the same directory and an atomic
 * rename: readers never see a half-written file, and a failed write leaves none.
 * Call {@link checkOutputs} first.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    fs.writeFileSync(temporary, bytes);
    fs.renameSync(temporary, file);
  } catch (error) {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // The temporary file may not exist; the original error is what matters.
    }
    throw describeFsError(file, error);
  }
}

/** `mix.wav` -> `mix`: the stem that output names are built from. */
export function fileStem(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
