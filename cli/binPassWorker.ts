import { parentPort } from 'node:worker_threads';
import { binPassScratch, runClaimedRanges } from '../core/iva/binPass.js';
import { isUnmixError } from '../core/errors.js';
import { CONTROL, PoolCommand, type AttachMessage } from './binPassProtocol.js';

/**
 * Worker thread of the bin-pass pool (cli/binPassPool.ts). On an attach message it
 * blocks on the shared control array and, for each round the main thread starts, claims
 * and runs bin ranges of the pass (core's {@link runClaimedRanges}, as the main thread
 * does) until none is left, and counts itself done; a `detach` round sends it back to its message
 * loop for the next state. A failure is reported as a one-line message (never a stack)
 * and the round still completes, so the main thread never waits for ever.
 */
parentPort?.on('message', ({ state, control, generation }: AttachMessage) => {
  const scratch = binPassScratch(state);
  let seen = generation;
  for (;;) {
    Atomics.wait(control, CONTROL.generation, seen);
    seen = Atomics.load(control, CONTROL.generation);
    const command = Atomics.load(control, CONTROL.command);
    if (command === PoolCommand.run) {
      try {
        runClaimedRanges(state, scratch);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        parentPort?.postMessage({
          error: isUnmixError(error) ? message : `internal error in a worker thread: ${message}`,
        });
        Atomics.store(control, CONTROL.failed, 1);
      }
    }
    if (Atomics.sub(control, CONTROL.pending, 1) === 1) Atomics.notify(control, CONTROL.pending);
    if (command === PoolCommand.detach) return;
  }
});
