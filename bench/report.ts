import * as fs from 'node:fs';
/**
 * Shared output for benchmarks: each benchmark prints a titled table of figures with
 * their targets, so `npm run bench` reads as one report.
 */
import { table } from '../cli/table.js';

export interface BenchRow {
  [column: string]: string | number;
}

/** Print a section title. */
export function section(title: string): void {
  console.log(`\n## ${title}\n`);
}

/** Print rows as an aligned table (numbers right-aligned, 3 significant decimals) with cli/table's formatter. */
export function printTable(rows: BenchRow[]): void {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0]);
  const cells = rows.map((r) => headers.map((h) => formatCell(r[h])));
  const numeric = headers.map((h) => rows.every((r) => typeof r[h] === 'number'));
  console.log(table(headers, cells, { numeric, rule: true }));
}

function formatCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

/** Time `fn` once after `warmup` untimed runs; seconds. */
export function timeOnce(fn: () => void, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const start = performance.now();
  fn();
  return (performance.now() - start) / 1000;
}

/** Best (minimum) time of `repeats` runs after one warm-up; seconds. */
export function timeBest(fn: () => void, repeats = 3): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

/** Peak RSS of this process so far, bytes (Linux VmHWM); undefined elsewhere. */
export function peakRss(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Largest absolute difference between two multichannel signals (same shapes), relative
 * to the RMS of `a` over all its samples: how far two runs that should agree apart.
 */
export function maxRelativeDifference(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  let max = 0;
  let energy = 0;
  let count = 0;
  a.forEach((x, k) => {
    for (let i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs(x[i] - b[k][i]));
      energy += x[i] * x[i];
      count++;
    }
  });
  return max / Math.sqrt(energy / count);
}
