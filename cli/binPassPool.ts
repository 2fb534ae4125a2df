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
  /** Rejects with the first failure of any worker; handled, so an unobserved failure is no crash. */
  private readonly failure: Promise<never>;
  private fail: (error: UnmixError) => void = () => undefined;
  private closed = false;
  private attached = false;

  constructor(script: URL, threads: number) {
    this.threads = threads;
    this.failure = new Promise<never>((_, reject) => (this.fail = reject));
    this.failure.catch(() => undefined);
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
    if (this.attached) await this.round(PoolCommand.detach);
    const generation = Atomics.load(this.control, CONTROL.generation);
    const message: AttachMessage = { state, control: this.control, generation };
    for (const worker of this.workers) worker.postMessage(message);
    this.attached = true;
  }

  run(): Promise<void> {
    return this.round(PoolCommand.run);
  }

  private async round(command: number): Promise<void> {
    if (this.closed) throw new UnmixError('the worker threads were closed', 'failed');
    const { control } = this;
    Atomics.store(control, CONTROL.command, command);
    Atomics.store(control, CONTROL.pending, this.workers.length);
    Atomics.add(control, CONTROL.generation, 1);
    Atomics.notify(control, CONTROL.generation);
    await Promise.race([this.finished(), this.failure]);
    // A worker that failed completed the round too; its message may still be on its way.
    if (Atomics.load(control, CONTROL.failed)) await this.failure;
  }

  /** Resolves when `pending` reaches 0 (or the pool is closed). */
  private async finished(): Promise<void> {
    for (;;) {
      const pending = Atomics.load(this.control, CONTROL.pending);
      if (pending === 0 || this.closed) return;
      const wait = waitAsync(this.control, CONTROL.pending, pending);
      if (wait.async) await wait.value;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Wake a main-thread wait that would otherwise never end (a worker that died mid-round).
    Atomics.store(this.control, CONTROL.pending, 0);
    Atomics.notify(this.control, CONTROL.pending);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Start a pool of `threads - 1` worker threads (the calling thread runs the first bin
 * range of each pass itself, so `threads` is the number of threads working).
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
