/**
 * The streaming hook of the recorder: anything that wants the microphone samples while
 * a recording runs (a live separation mode, a level meter) registers a
 * {@link RecordingListener} here, and the window calls it for every recording. Listeners
 * run on the window's thread: they should hand heavy work to a worker.
 */
import type { MultichannelSignal } from '../../../core/audio/signal.js';

/** What a recording listener hears. Every method is optional. */
export interface RecordingListener {
  /** A recording started: `channels` microphones at `sampleRate` Hz. */
  started?(info: { sampleRate: number; channels: number }): void;
  /** A block of samples arrived: planar `Float32Array`s, one per channel, in order, a few ms to ~100 ms each. */
  block?(block: Float32Array[], sampleRate: number): void;
  /** The recording stopped; `recording` is all of it. */
  stopped?(recording: MultichannelSignal): void;
}

const listeners = new Set<RecordingListener>();

/** Register a listener for every later recording; returns a function that removes it. */
export function addRecordingListener(listener: RecordingListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Call `method` of every listener; one failing listener does not stop the others or the recording. */
export function notifyRecordingListeners<K extends keyof RecordingListener>(
  method: K,
  ...args: Parameters<NonNullable<RecordingListener[K]>>
): Error[] {
  const errors: Error[] = [];
  for (const listener of listeners) {
    try {
      (listener[method] as ((...a: typeof args) => void) | undefined)?.(...args);
    } catch (error) {
      errors.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return errors;
}
