import type { BinPassState } from '../core/iva/binPass.js';

/**
 * What the bin-pass pool (cli/binPassPool.ts) and its workers (cli/binPassWorker.ts)
 * share: the slots of the control array and the attach message. The main thread starts a
 * round by setting `command`, incrementing `generation` and waking the workers. For a
 * `run` round each worker claims ranges of the pass (core's `runClaimedRanges`) and the
 * main thread waits for the pass's finished-range counter, so a worker the OS has not
 * run yet holds nothing up: it finds no range left when it wakes. A `detach` round waits
 * for every worker (`pending`), each of which leaves the state. The atomic operations
 * order the plain reads and writes of the shared arrays around them, so a worker sees
 * the inputs written before the pass and the main thread the partials written during it.
 */

/** Slots of the shared `Int32Array` control array. */
export const CONTROL = {
  /** Incremented by the main thread to start a round. */
  generation: 0,
  /** Workers that have not yet left the state in a `detach` round. */
  pending: 1,
  /** The round's {@link PoolCommand}. */
  command: 2,
  /** Number of slots. */
  length: 3,
} as const;

/** What a round asks the workers to do. */
export const PoolCommand = {
  /** Run your range of the pass in `state.params`. */
  run: 0,
  /** Drop the state and go back to the message loop. */
  detach: 1,
} as const;

/** The message that hands a state to a worker. */
export interface AttachMessage {
  state: BinPassState;
  control: Int32Array;
  /** The worker's thread number (1 .. threads - 1; the main thread is 0). */
  thread: number;
  /** `control[generation]` when the state was posted: the next round is the first to run. */
  generation: number;
}

/** A worker's report of a failed range. */
export interface WorkerFailure {
  error: string;
}
