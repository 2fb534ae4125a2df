/**
 * The separation worker: runs core's `separate()` off the window's thread so the window
 * never freezes, and streams each iteration's cost and gradient norm back for the live
 * convergence plot. Cancelling terminates the worker (core loops do not yield), so no
 * cancellation message is needed.
 */
import { isUnmixError } from '../../../core/errors.js';
import { AUTO_METHOD, METHODS, separate } from '../../../core/separate.js';
import type { MethodInfo, WorkerRequest, WorkerResponse } from './messages.js';

interface WorkerScope {
  onmessage: ((event: { data: WorkerRequest }) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

function methods(): MethodInfo[] {
  return Object.entries(METHODS).map(([name, entry]) => ({ name, model: entry.model, description: entry.description }));
}

async function run(request: Extract<WorkerRequest, { type: 'separate' }>): Promise<void> {
  const { id, sampleRate, channels, options } = request;
  try {
    const result = await separate(
      { sampleRate, channels },
      {
        ...options,
        onProgress: (done, total, info) => scope.postMessage({ type: 'progress', id, done, total, info }),
      },
    );
    const transfer: Transferable[] = result.sources.channels.map((channel) => channel.buffer as ArrayBuffer);
    scope.postMessage({ type: 'result', id, result }, transfer);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Anything but an UnmixError is a bug in unmix: say so rather than blame the input.
    scope.postMessage({
      type: 'error',
      id,
      message: isUnmixError(error) ? message : `internal error: ${message}`,
      kind: isUnmixError(error) ? error.kind : 'bug',
    });
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'methods') {
    scope.postMessage({ type: 'methods', methods: methods(), auto: AUTO_METHOD ?? null });
  } else if (request.type === 'separate') {
    void run(request);
  }
};
