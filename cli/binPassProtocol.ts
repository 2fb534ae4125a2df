import type { BinPassState } from '../core/iva/binPass.js';

/**
 * What the bin-pass pool (cli/binPassPool.ts) and its workers (cli/binPassWorker.ts)
 * share: the slots of the control array and the attach message. A round is: the main
 * thread sets `command` and `pending` (= workers), increments `generation` and wakes the
 * workers; each runs the command and decrements `pending`; the last one wakes the main
 * thread. The atomic operations order the plain reads and writes of the shared arrays
 * around them, so a worker sees the weights written before the round and the main thread
 * sees the partials written during it.
 */

/** Slots of the shared `Int32Array` control array. */
export const CONTROL = {
  /** Incremented by the main thread to start a round. */
  generation: 0,
  /** Workers still running the round. */
  pending: 1,
  /** The round's {@link PoolCommand}. */
  command: 2,
  /** Set by a worker whose range failed (its message follows on the port). */
  failed: 3,
  /** Number of slots. */
  length: 4,
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
  /** `control[generation]` when the state was posted: the next round is the first to run. */
  generation: number;
}

/** A worker's report of a failed range. */
export interface WorkerFailure {
  error: string;
}
