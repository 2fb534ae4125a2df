import type { IterationInfo, MixtureModel, SeparationResult } from '../../../core/separate.js';

/**
 * Messages between the window and the separation worker. Typed arrays travel by
 * structured clone (the mixture is transferred, not copied).
 */

/** A method as the method menu shows it. */
export interface MethodInfo {
  name: string;
  model: MixtureModel;
  description: string;
}

/** Options the window sets; everything else takes the method's defaults. */
export interface RunOptions {
  method: string;
  iterations?: number;
  sources?: number;
  seed?: number;
  fftSize?: number;
}

/** Window → worker. */
export type WorkerRequest =
  | { type: 'methods' }
  | { type: 'separate'; id: number; sampleRate: number; channels: Float64Array[]; options: RunOptions };

/** The part of a {@link SeparationResult} the window uses (the whole of it, without functions). */
export type WorkerResult = SeparationResult;

/** Worker → window. */
export type WorkerResponse =
  | { type: 'methods'; methods: MethodInfo[]; auto: string | null }
  | { type: 'progress'; id: number; done: number; total: number; info?: IterationInfo }
  | { type: 'result'; id: number; result: WorkerResult }
  | { type: 'error'; id: number; message: string; kind: string };
