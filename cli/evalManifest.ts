import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MetricName } from '../core/eval/evaluate.js';
import {
  csvHeader,
  parseManifest,
  parseResults,
  resultKey,
  summarizeResults,
  toCsvLine,
  toJsonLine,
  type ManifestRow,
  type ResultLine,
  type ResultsSummary,
} from '../core/eval/manifest.js';
import { EVALUATION_BASELINES, MIXTURE_BASELINE } from '../core/eval/evaluateSeparation.js';
import { UnmixError, isUnmixError } from '../core/errors.js';
import { AUTO_METHOD, METHODS } from '../core/separate.js';
import { ensureDirectory, readInputFile, writeFileAtomic } from './files.js';
import type { CliIo } from './io.js';
import { createProgress } from './progress.js';
import { runRow, type RowAnswer, type RowTask } from './evalRow.js';
import { table } from './table.js';
import { builtWorkerScript } from './workerScript.js';

/** Options of {@link runManifest}. */
export interface ManifestRunOptions {
  manifests: string[];
  methods: string[];
  metrics: MetricName[];
  /** Results table, `.csv` or `.jsonl`. */
  output: string;
  /** Parallel rows; default the number of cores. */
  jobs?: number;
  seed: number;
  referenceChannel: number;
  /** Start over instead of resuming. */
  force: boolean;
  quiet: boolean;
  /** Print the summary as JSON instead of a table. */
  json: boolean;
}

/** A manifest row with its paths resolved against the manifest's directory. */
interface ResolvedRow extends ManifestRow {
  source: string;
}

/**
 * The rows of every manifest: a `.csv`/`.json` file, or a directory, whose `.json`
 * files that are rows (`{"mixture", "references"}`, as `unmix mix` writes) are taken in
 * name order; other JSON files there (e.g. unmixing files) are skipped.
 */
export function readManifests(inputs: string[]): ResolvedRow[] {
  const rows: ResolvedRow[] = [];
  const add = (file: string, list: ManifestRow[]): void => {
    const base = path.dirname(file);
    for (const row of list) {
      rows.push({
        source: file,
        mixture: path.resolve(base, row.mixture),
        references: row.references.map((r) => path.resolve(base, r)),
      });
    }
  };
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      throw new UnmixError(`${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const files = fs
        .readdirSync(input)
        .filter((f) => f.toLowerCase().endsWith('.json'))
        .sort();
      let found = 0;
      for (const f of files) {
        const file = path.join(input, f);
        try {
          add(file, parseManifest(new TextDecoder().decode(readInputFile(file)), file));
          found++;
        } catch (error) {
          if (!isUnmixError(error)) throw error;
        }
      }
      if (found === 0) throw new UnmixError(`${input}: no manifest rows (.json files with "mixture" and "references")`);
    } else {
      add(input, parseManifest(new TextDecoder().decode(readInputFile(input)), input));
    }
  }
  if (rows.length === 0) throw new UnmixError('the manifests hold no rows');
  return rows;
}

function formatOf(output: string): 'csv' | 'jsonl' {
  if (/\.csv$/i.test(output)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(output)) return 'jsonl';
  throw new UnmixError(`${output}: the results table must be a .csv or .jsonl file`, 'usage');
}

/** Where the summary of `output` goes: `results.csv` -> `results.summary.json`. */
export function summaryPath(output: string): string {
  return output.replace(/\.(csv|jsonl|ndjson)$/i, '') + '.summary.json';
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * `unmix eval --manifest`: separate and score every (row, method) not yet in the
 * results table, `jobs` at a time (worker threads), appending each row's lines as it
 * finishes so that an interrupted run resumes where it stopped; then summarise the
 * whole table per method (mean, median) into `<output>.summary.json` and stdout.
 *
 * @returns the number of rows that failed (they are not written, so a rerun retries them)
 */
export async function runManifest(io: CliIo, options: ManifestRunOptions): Promise<number> {
  const format = formatOf(options.output);
  for (const method of options.methods) {
    if (!EVALUATION_BASELINES.includes(method) && method !== 'auto' && !(method in METHODS)) {
      const known = ['auto', ...Object.keys(METHODS), ...EVALUATION_BASELINES].join(', ');
      throw new UnmixError(`unknown method '${method}'; choose from: ${known}`, 'usage');
    }
    if (method === 'auto' && (AUTO_METHOD === undefined || !(AUTO_METHOD in METHODS))) {
      throw new UnmixError(`no separation method is available for 'auto'; use --method ${MIXTURE_BASELINE}`, 'usage');
    }
  }
  const rows = readManifests(options.manifests);
  const outputDir = path.dirname(path.resolve(options.output));
  const keyOf = (file: string): string => toPosix(path.relative(outputDir, file));

  // Resume: keep what is there (unless --force), skip (row, method) pairs already scored.
  // A pair counts as done only with a line for every reference: a run interrupted while
  // appending leaves a cut row, which is dropped here and redone.
  const expected = new Map<string, number>();
  for (const row of rows) {
    for (const method of options.methods) expected.set(resultKey(keyOf(row.mixture), method), row.references.length);
  }
  let existing: ResultLine[] = [];
  if (fs.existsSync(options.output) && !options.force) {
    const text = new TextDecoder().decode(readInputFile(options.output));
    if (format === 'csv' && text.trim() !== '') {
      const header = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length).trim();
      if (header !== csvHeader(options.metrics)) {
        throw new UnmixError(
          `${options.output}: was written with other columns (${header}); use the same --metrics, or --force to start over`,
          'usage',
        );
      }
    }
    const parsed = parseResults(text, format);
    const counts = new Map<string, number>();
    for (const l of parsed) {
      const key = resultKey(l.mixture, l.method);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    existing = parsed.filter((l) => {
      const key = resultKey(l.mixture, l.method);
      const want = expected.get(key);
      return want === undefined || counts.get(key) === want;
    });
    const clean =
      (format === 'csv' ? csvHeader(options.metrics) + '\n' : '') +
      existing.map((l) => (format === 'csv' ? toCsvLine(l, options.metrics) : toJsonLine(l)) + '\n').join('');
    if (clean !== text) writeFileAtomic(options.output, clean);
  } else {
    ensureDirectory(outputDir);
    writeFileAtomic(options.output, format === 'csv' ? csvHeader(options.metrics) + '\n' : '');
  }
  const done = new Set(existing.map((l) => resultKey(l.mixture, l.method)));

  const tasks: RowTask[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const method of options.methods) {
      const key = resultKey(keyOf(row.mixture), method);
      if (done.has(key) || seen.has(key)) continue;
      seen.add(key);
      tasks.push({
        id: tasks.length,
        mixturePath: row.mixture,
        referencePaths: row.references,
        mixtureKey: keyOf(row.mixture),
        referenceKeys: row.references.map(keyOf),
        method,
        metrics: options.metrics,
        referenceChannel: options.referenceChannel,
        separateOptions: { seed: options.seed },
      });
    }
  }
  const skipped = rows.length * options.methods.length - tasks.length;
  if (skipped > 0 && !options.quiet) io.stderr(`resuming: ${skipped} row/method pairs already in ${options.output}\n`);

  const progress = createProgress(io, options.quiet);
  let failed = 0;
  let finished = 0;
  const fresh: ResultLine[] = [];
  const accept = (answer: RowAnswer): void => {
    const task = tasks[answer.id];
    finished++;
    if (answer.lines) {
      const text = answer.lines
        .map((l) => (format === 'csv' ? toCsvLine(l, options.metrics) : toJsonLine(l)) + '\n')
        .join('');
      // One append per row: a row is in the table entirely or (after a crash mid-write) cut, and redone.
      fs.appendFileSync(options.output, text);
      fresh.push(...answer.lines);
    } else {
      failed++;
      progress.finish();
      io.stderr(`unmix: ${task.mixtureKey} (${task.method}): ${answer.error ?? 'failed'}\n`);
    }
    progress.update(finished, tasks.length, `${finished}/${tasks.length} rows`);
  };

  const jobs = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), tasks.length));
  const script = builtWorkerScript('evalWorker.js');
  if (jobs <= 1 || !script) {
    for (const task of tasks) accept(await runRow(task));
  } else {
    await runInWorkers(script, tasks, jobs, accept);
  }
  progress.finish();

  const all = [...existing, ...fresh];
  const summary = summarizeResults(all, options.metrics, options.methods);
  writeFileAtomic(summaryPath(options.output), JSON.stringify(summary, null, 2) + '\n');
  if (options.json) io.stdout(JSON.stringify(summary, null, 2) + '\n');
  else io.stdout(formatSummary(summary, options.metrics, options.output));
  return failed;
}

/** Hand tasks to `jobs` worker threads, one at a time each, until all are answered. */
async function runInWorkers(
  script: URL,
  tasks: RowTask[],
  jobs: number,
  accept: (answer: RowAnswer) => void,
): Promise<void> {
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: jobs }, () => {
        const worker = new Worker(script);
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          const feed = (): void => {
            if (next >= tasks.length) {
              resolve();
              return;
            }
            worker.postMessage(tasks[next++]);
          };
          worker.on('message', (answer: RowAnswer) => {
            accept(answer);
            feed();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new UnmixError(`a worker stopped with exit code ${code}`, 'failed'));
          });
          feed();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The summary as a table for people: per method, rows, seconds, and mean/median of each metric. */
export function formatSummary(summary: ResultsSummary, metrics: readonly MetricName[], output: string): string {
  const header = ['method', 'rows', 'seconds', ...metrics.flatMap((m) => [`${m} mean`, `${m} median`])];
  const f = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(2));
  const rows = Object.entries(summary).map(([method, s]) => [
    method,
    String(s.rows),
    f(s.seconds),
    ...metrics.flatMap((m) => [f(s.metrics[m]?.mean), f(s.metrics[m]?.median)]),
  ]);
  return `${table(header, rows)}\nresults: ${output}\nsummary: ${summaryPath(output)}\n`;
}
