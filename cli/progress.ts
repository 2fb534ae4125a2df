import type { CliIo } from './io.js';

/** What a long-running core call reports besides done/total. */
export interface ProgressInfo {
  [key: string]: unknown;
}

/** A progress display for one task. */
export interface Progress {
  /** Matches core's `onProgress(done, total, info)`. */
  update(done: number, total: number, label?: string): void;
  /** Clear the bar (call before printing results). */
  finish(): void;
}

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal and the user
 * did not pass `--quiet`, so that pipes and logs stay clean and stdout holds results only.
 * Redraws at most every 100 ms.
 */
export function createProgress(io: CliIo, quiet: boolean): Progress {
  const active = io.stderrIsTTY && !quiet;
  let last = 0;
  let drawn = false;
  return {
    update(done, total, label = '') {
      if (!active) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = Math.max(10, Math.min(40, (io.columns ?? 80) - 30 - label.length));
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(fraction * width);
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      io.stderr(`\r[${bar}] ${String(Math.round(fraction * 100)).padStart(3)}% ${label}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) io.stderr('\r\x1b[K');
      drawn = false;
    },
  };
}
