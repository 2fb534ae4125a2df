import type { MultichannelSignal } from '../../../core/audio/signal.js';
import type { IterationInfo } from '../../../core/separate.js';
import { UnmixError, type UnmixErrorKind } from '../../../core/errors.js';
import type { MethodInfo, RunOptions, WorkerRequest, WorkerResponse, WorkerResult } from './messages.js';

/** Progress of a running separation, as the convergence plot needs it. */
export type ProgressListener = (done: number, total: number, info?: IterationInfo) => void;

/**
 * The window's handle on the separation worker. One run at a time; {@link cancel}
 * terminates the worker and starts a fresh one, which stops even a method that never
 * checks its abort signal.
 */
export class SeparationClient {
  private worker: Worker;
  private nextId = 1;
  private pending: {
    id: number;
    resolve: (result: WorkerResult) => void;
    reject: (error: Error) => void;
    onProgress: ProgressListener;
  } | null = null;

  constructor(private readonly url: string) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = new Worker(this.url);
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.fail(new Error(`the separation worker stopped: ${event.message || 'unknown error'}`));
    };
    return worker;
  }

  private methodsWaiter: ((methods: { methods: MethodInfo[]; auto: string | null }) => void) | null = null;

  /** The registered methods and the one `auto` resolves to. */
  methods(): Promise<{ methods: MethodInfo[]; auto: string | null }> {
    return new Promise((resolve) => {
      this.methodsWaiter = resolve;
      this.post({ type: 'methods' });
    });
  }

  /** True while a separation runs. */
  get busy(): boolean {
    return this.pending !== null;
  }

  /**
   * Separate `mixture` in the worker. The channels are copied, so the window keeps its own.
   * Rejects with an {@link UnmixError} (kind `aborted` after {@link cancel}).
   */
  separate(mixture: MultichannelSignal, options: RunOptions, onProgress: ProgressListener): Promise<WorkerResult> {
    if (this.pending) return Promise.reject(new UnmixError('a separation is already running', 'usage'));
    const id = this.nextId++;
    const channels = mixture.channels.map((channel) => channel.slice());
    return new Promise<WorkerResult>((resolve, reject) => {
      this.pending = { id, resolve, reject, onProgress };
      this.post(
        { type: 'separate', id, sampleRate: mixture.sampleRate, channels, options },
        channels.map((channel) => channel.buffer as ArrayBuffer),
      );
    });
  }

  /** Stop the running separation at once. */
  cancel(): void {
    if (!this.pending) return;
    this.worker.terminate();
    this.worker = this.spawn();
    this.fail(new UnmixError('cancelled', 'aborted'));
  }

  private post(message: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  private receive(message: WorkerResponse): void {
    if (message.type === 'methods') {
      this.methodsWaiter?.({ methods: message.methods, auto: message.auto });
      this.methodsWaiter = null;
      return;
    }
    const pending = this.pending;
    if (!pending || message.id !== pending.id) return;
    if (message.type === 'progress') {
      pending.onProgress(message.done, message.total, message.info);
    } else if (message.type === 'result') {
      this.pending = null;
      pending.resolve(message.result);
    } else {
      this.pending = null;
      const error =
        message.kind === 'bug'
          ? new Error(message.message)
          : new UnmixError(message.message, message.kind as UnmixErrorKind);
      pending.reject(error);
    }
  }
}
