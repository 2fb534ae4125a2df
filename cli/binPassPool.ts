import { Worker } from 'node:worker_threads';
import { UnmixError } from '../core/errors.js';
import type { BinPassState } from '../core/iva/binPass.js';
import type { BinPassPool } from '../core/iva/binPassPool.js';
import { CONTROL, PoolCommand, type AttachMessage, type WorkerFailure } from './binPassProtocol.js';
import { workerScript } from './workerScript.js';

/**
 * Node worker threads for the per-bin passes of AuxIVA, ISS and ILRMA: core's
 * {@link BinPassPool} on `node:worker_threads`. The STFT, the unmixing matrices and every
 * pass buffer live in SharedArrayBuffers, so a pass moves no data between threads; the
 * threads claim the pass's bin ranges from a shared counter, and the barrier at the end
 * of a pass is an atomic counter (`Atomics.wait` in the workers,
 * `Atomics.waitAsync` in the main thread, so its event loop keeps running).
 */

/** A {@link BinPassPool} of Node worker threads; close it when the run ends (also on error or abort). */
export interface NodeBinPassPool extends BinPassPool {
  /** Terminate the workers. Safe to call more than once. */
  close(): Promise<void>;
}

/** `Atomics.waitAsync` (Node >= 16; not in TypeScript's ES2022 library). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

class WorkerPool implements NodeBinPassPool {
  readonly threads: number;
  private readonly workers: Worker[];
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL.length));
  /** The first failure of any worker: every wait of the pool ends with it. */
  private error: UnmixError | undefined;
  /** Resolves when {@link error} is set (awaited only once a range is known to have failed). */
  private readonly errored: Promise<void>;
  private onError: () => void = () => undefined;
  private closed = false;
  private state: BinPassState | undefined;

  constructor(script: URL, threads: number) {
    this.threads = threads;
    this.errored = new Promise<void>((resolve) => (this.onError = resolve));
    this.workers = Array.from({ length: threads - 1 }, () => {
      const worker = new Worker(script);
      worker.on('message', (report: WorkerFailure) => this.fail(new UnmixError(report.error, 'failed')));
      worker.on('error', (error) => this.fail(new UnmixError(`a worker thread failed: ${error.message}`, 'failed')));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new UnmixError(`a worker thread stopped (exit code ${code})`, 'failed'));
      });
      return worker;
    });
  }

  allocate(length: number): Float64Array {
    return new Float64Array(new SharedArrayBuffer(8 * length));
  }

  share(array: Float64Array): Float64Array {
    if (array.buffer instanceof SharedArrayBuffer) return array;
    const shared = this.allocate(array.length);
    shared.set(array);
    return shared;
  }

  async attach(state: BinPassState): Promise<void> {
    if (this.state) await this.detach();
    const generation = Atomics.load(this.control, CONTROL.generation);
    this.workers.forEach((worker, i) => {
      const message: AttachMessage = { state, control: this.control, thread: i + 1, generation };
      worker.postMessage(message);
    });
    this.state = state;
  }

  async run(): Promise<void> {
    const state = this.state;
    if (!state) throw new UnmixError('no state is attached to the worker threads', 'failed');
    this.wake(PoolCommand.run);
    // Every range of the pass finished, by whichever thread: workers that have not woken
    // up yet are not waited for (they will find nothing left to claim).
    await this.until(state.claim, 1, state.partials.length);
    if (Atomics.load(state.claim, 2) > 1) {
      // A worker's range failed: its message is on its way. (A range of the calling thread
      // that failed is that thread's error to throw.)
      await this.errored;
      throw this.error;
    }
  }

  /** Send every worker back to its message loop, and wait until all have gone. */
  private async detach(): Promise<void> {
    Atomics.store(this.control, CONTROL.pending, this.workers.length);
    this.wake(PoolCommand.detach);
    await this.until(this.control, CONTROL.pending, 0);
  }

  /** Record the first failure and end every wait with it. */
  private fail(error: UnmixError): void {
    if (this.error) return;
    this.error = error;
    this.onError();
    this.wakeWaits();
  }

  /** Wake the main thread's waits so that they look at `error` and `closed`. */
  private wakeWaits(): void {
    Atomics.notify(this.control, CONTROL.pending);
    if (this.state) Atomics.notify(this.state.claim, 1);
  }

  /** Start a round: set the command, then bump the generation the workers wait on. */
  private wake(command: number): void {
    if (this.error) throw this.error;
    if (this.closed) throw new UnmixError('the worker threads were closed', 'failed');
    Atomics.store(this.control, CONTROL.command, command);
    Atomics.add(this.control, CONTROL.generation, 1);
    Atomics.notify(this.control, CONTROL.generation);
  }

  /**
   * Resolves when `array[index]` equals `value` or the pool is closed, rejects when a worker
   * fails; never blocks the event loop.
   */
  private async until(array: Int32Array, index: number, value: number): Promise<void> {
    for (;;) {
      if (this.error) throw this.error;
      const now = Atomics.load(array, index);
      if (now === value || this.closed) return;
      const wait = waitAsync(array, index, now);
      if (wait.async) await wait.value;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeWaits();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Start a pool of `threads - 1` worker threads (the calling thread works on every pass
 * too, so `threads` is the number of threads working).
 *
 * @param threads - whole number >= 1; 1 starts no worker
 * @throws UnmixError (`usage`) for a bad count, (`failed`) when the worker script is missing
 */
export async function createBinPassPool(threads: number): Promise<NodeBinPassPool> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UnmixError(`threads must be a whole number >= 1, got ${threads}`, 'usage');
  }
  const script = await workerScript('binPassWorker.js');
  return new WorkerPool(script, threads);
}
