import { UnmixError } from '../errors.js';
import {
  binPassScratch,
  resetClaims,
  runBinRange,
  runClaimedRanges,
  sumPartials,
  type BinPassScratch,
  type BinPassState,
} from './binPass.js';

/**
 * Running the passes of AuxIVA and ILRMA on one thread or on several, without core
 * knowing what a thread is. An iterative method is written once, as a generator that
 * yields its {@link BinPassState} whenever a pass is due and reads the summed partials
 * when it resumes; {@link runBinPasses} drives it on the calling thread (synchronously,
 * as the desktop renderer's Web Worker does), {@link runBinPassesOn} drives it on a
 * {@link BinPassPool} (Node worker threads: cli/binPassPool.ts).
 */

/** Where a run's pass buffers live: plain memory for one thread, shared memory for a pool. */
export interface BinPassMemory {
  /** Threads working on each pass: 1 runs a pass as one range; more split it (core's `rangesFor`). */
  readonly threads: number;
  /** A zeroed array of `length` values that every thread of the pool can read and write. */
  allocate(length: number): Float64Array;
  /** `array` itself when the threads can already see it, else a copy they can see. */
  share(array: Float64Array): Float64Array;
}

/**
 * Threads that run bin ranges of a pass: the pool-agnostic interface between core's
 * iterations and a platform's threads. During a pass the caller and the pool's
 * `threads - 1` threads claim ranges from `state.claim` until none is left
 * (core's `runClaimedRanges`).
 */
export interface BinPassPool extends BinPassMemory {
  /**
   * Hand `state` to the threads (once per state, before its first pass). Its arrays must
   * come from {@link BinPassMemory.allocate} or {@link BinPassMemory.share} of this pool.
   */
  attach(state: BinPassState): Promise<void>;
  /**
   * Wake the pool's threads for the pass `state.params` describes (the attached state, its
   * claims already reset): each claims ranges until none is left. Resolves when every
   * range of the pass has finished (`claim[1]` = ranges), whoever ran it; rejects with an
   * `UnmixError` (`failed`, a plain message) when a thread fails.
   */
  run(): Promise<void>;
}

/** Plain memory, one thread: one range per pass, the single-thread path. */
export const ONE_THREAD: BinPassMemory = {
  threads: 1,
  allocate: (length) => new Float64Array(length),
  share: (array) => array,
};

/**
 * Plain memory that splits passes as `threads` threads would, all run on the calling
 * thread: the arithmetic of a pool without threads (tests compare the two).
 */
export function inlineRanges(threads: number): BinPassMemory {
  if (!Number.isInteger(threads) || threads < 1) throw new UnmixError(`threads must be a whole number >= 1, got ${threads}`, 'usage'); // prettier-ignore
  return { ...ONE_THREAD, threads };
}

/** `{ threads }` for a result that ran on more than one thread, else nothing. */
export function threadsOf(memory: BinPassMemory): { threads?: number } {
  return memory.threads > 1 ? { threads: memory.threads } : {};
}

/** An iterative method written once for every driver: yields its state when a pass is due, returns its result. */
export type BinPassSteps<R> = Generator<BinPassState, R, void>;

/** The state the last pass ran on and its scratch, carried from pass to pass by a driver. */
interface PassCursor {
  state?: BinPassState;
  scratch?: BinPassScratch;
}

/**
 * Resume `steps` up to its next pass (or its end); a new state gets its scratch.
 *
 * @returns the result when done, else whether the state is new (a pool must attach it)
 */
function nextPass<R>(
  steps: BinPassSteps<R>,
  cursor: PassCursor,
): { done: true; value: R } | { done: false; fresh: boolean } {
  const next = steps.next();
  if (next.done) return { done: true, value: next.value };
  const fresh = next.value !== cursor.state;
  if (fresh) {
    cursor.state = next.value;
    cursor.scratch = binPassScratch(next.value);
  }
  return { done: false, fresh };
}

/**
 * Drive `steps` on the calling thread: each yielded pass runs range by range, then the
 * partials are summed. Synchronous, so errors (bad options included) throw from here.
 */
export function runBinPasses<R>(steps: BinPassSteps<R>): R {
  const cursor: PassCursor = {};
  for (;;) {
    const next = nextPass(steps, cursor);
    if (next.done) return next.value;
    const { state, scratch } = cursor as Required<PassCursor>;
    for (let r = 0; r < state.partials.length; r++) runBinRange(state, r, scratch);
    sumPartials(state);
  }
}

/**
 * Drive `steps` on `pool`: the calling thread and the pool's threads claim the ranges of
 * each pass, then the partials are summed in range order. Between passes the event
 * loop runs, so an `AbortSignal` fired by a timer or a signal handler is seen at the next
 * iteration. The pool is not closed here: its owner closes it (also on error or abort).
 */
export async function runBinPassesOn<R>(steps: BinPassSteps<R>, pool: BinPassPool): Promise<R> {
  const cursor: PassCursor = {};
  for (;;) {
    const next = nextPass(steps, cursor);
    if (next.done) return next.value;
    const { state, scratch } = cursor as Required<PassCursor>;
    if (next.fresh) await pool.attach(state);
    resetClaims(state);
    const others = pool.run();
    try {
      runClaimedRanges(state, scratch);
    } catch (error) {
      // Let the other threads finish the pass before the error leaves; the owner then closes the pool.
      await others.catch(() => undefined);
      throw error;
    }
    await others;
    sumPartials(state);
  }
}
