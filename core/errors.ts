/**
 * The one error type for problems a user can cause: a bad file, too few channels,
 * NaN samples, silence, more sources than channels, an option out of range.
 *
 * The CLI prints `message` on one line without a stack trace and exits with 1
 * (`kind: 'input'` or `'failed'`) or 2 (`kind: 'usage'`); the desktop app shows the
 * message in its window. Anything that is not an `UnmixError` is a bug in unmix.
 */
export class UnmixError extends Error {
  /** What went wrong, for programs: `usage` = a bad option or argument, `input` = bad data, `failed` = the run itself failed, `aborted` = cancelled. */
  readonly kind: UnmixErrorKind;

  constructor(message: string, kind: UnmixErrorKind = 'input') {
    super(message);
    this.name = 'UnmixError';
    this.kind = kind;
  }
}

/** See {@link UnmixError.kind}. */
export type UnmixErrorKind = 'usage' | 'input' | 'failed' | 'aborted';

/** True for an {@link UnmixError}, also across realms (worker messages re-create errors). */
export function isUnmixError(error: unknown): error is UnmixError {
  return error instanceof UnmixError || (error instanceof Error && error.name === 'UnmixError');
}

/**
 * The minimal shape of an `AbortSignal` that core needs. Core is compiled without DOM or
 * Node types; both platforms' `AbortSignal` satisfy this interface.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** Throw an `aborted` {@link UnmixError} when `signal` has been aborted. Call between iterations. */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) throw new UnmixError('cancelled', 'aborted');
}
