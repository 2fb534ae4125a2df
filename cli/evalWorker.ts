import { parentPort } from 'node:worker_threads';
import { runRow, type RowTask } from './evalRow.js';

/**
 * Worker thread of `unmix eval --manifest`: receives {@link RowTask}s, answers each with
 * its result lines or its error. A bug (not a user error) is answered as an error too,
 * prefixed, so the run goes on and the row is retried on the next run.
 */
parentPort?.on('message', (task: RowTask) => {
  runRow(task).then(
    (answer) => parentPort?.postMessage(answer),
    (error: unknown) =>
      parentPort?.postMessage({
        id: task.id,
        error: `internal error: ${error instanceof Error ? error.message : String(error)}`,
      }),
  );
});
