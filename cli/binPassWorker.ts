import { parentPort } from 'node:worker_threads';
import { binPassScratch, runClaimedRanges } from '../core/iva/binPass.js';
import { isUnmixError } from '../core/errors.js';
import { CONTROL, PoolCommand, type AttachMessage } from './binPassProtocol.js';

/**
 * Worker thread of the bin-pass pool (cli/binPassPool.ts). On an attach message it
 * blocks on the shared control array and, for each round the main thread starts, claims
 * and runs bin ranges of the pass (core's {@link runClaimedRanges}, as the main thread
 * does) until none is left; a `detach` round sends it back to its message loop for the
 * next state. A range that throws is marked in the state (`claim[2]`) and counted as
 * finished, so the main thread never waits for ever; the message follows on the port as
 * one line, never a stack.
 */
parentPort?.on('message', ({ state, control, thread, generation }: AttachMessage) => {
  const scratch = binPassScratch(state);
  let seen = generation;
  for (;;) {
    Atomics.wait(control, CONTROL.generation, seen);
    seen = Atomics.load(control, CONTROL.generation);
    if (Atomics.load(control, CONTROL.command) === PoolCommand.detach) {
      if (Atomics.sub(control, CONTROL.pending, 1) === 1) Atomics.notify(control, CONTROL.pending);
      return;
    }
    try {
      runClaimedRanges(state, scratch, thread);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      parentPort?.postMessage({
        error: isUnmixError(error) ? message : `internal error in a worker thread: ${message}`,
      });
    }
  }
});
