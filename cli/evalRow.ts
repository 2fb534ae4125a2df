import * as path from 'node:path';
import { evaluateSeparation } from '../core/eval/evaluateSeparation.js';
import type { MetricName } from '../core/eval/evaluate.js';
import { resultLines, type ResultLine } from '../core/eval/manifest.js';
import { isUnmixError } from '../core/errors.js';
import { readWavFile } from './files.js';

/**
 * One row of `unmix eval --manifest`: read the files, separate, score. Runs the same in
 * the main thread and in a worker (cli/evalWorker.ts), so it takes and returns plain data.
 */
export interface RowTask {
  /** Position of the task in the run (to match answers from workers). */
  id: number;
  /** Absolute mixture path. */
  mixturePath: string;
  /** Absolute reference paths. */
  referencePaths: string[];
  /** The mixture as written in the results (relative to the results file). */
  mixtureKey: string;
  /** The references as written in the results. */
  referenceKeys: string[];
  method: string;
  metrics: MetricName[];
  /** 0-based reference microphone. */
  referenceChannel: number;
  /** Options for `separate` (seed, iterations, method parameters). */
  separateOptions: Record<string, unknown>;
}

/** The answer to a {@link RowTask}: result lines, or the one-line reason it failed. */
export interface RowAnswer {
  id: number;
  lines?: ResultLine[];
  error?: string;
}

/** Run one row; errors a user can cause become `error`, bugs are rethrown. */
export async function runRow(task: RowTask): Promise<RowAnswer> {
  try {
    const { signal: mixture } = readWavFile(task.mixturePath);
    const references = task.referencePaths.map((file) => {
      const { signal } = readWavFile(file);
      if (signal.channels[0]?.length !== mixture.channels[0]?.length) {
        throw new Error(
          `${path.basename(file)} has ${signal.channels[0]?.length ?? 0} samples but the mixture has ${mixture.channels[0]?.length ?? 0}`,
        );
      }
      return signal;
    });
    const start = performance.now();
    const result = await evaluateSeparation(mixture, references, {
      method: task.method,
      metrics: task.metrics,
      referenceChannel: task.referenceChannel,
      separateOptions: task.separateOptions,
    });
    const seconds = (performance.now() - start) / 1000;
    return {
      id: task.id,
      lines: resultLines(task.mixtureKey, task.method, task.referenceKeys, result.sources, seconds),
    };
  } catch (error) {
    if (
      isUnmixError(error) ||
      (error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError))
    ) {
      return { id: task.id, error: (error as Error).message };
    }
    throw error;
  }
}
