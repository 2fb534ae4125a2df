import { UnmixError } from '../errors.js';
import { summarize, type MetricName, type MetricSummary, type SourceScores } from './evaluate.js';

/**
 * Evaluation manifests and result tables, as text: what is pure in `unmix eval
 * --manifest` (reading the rows, naming results so that a rerun can skip them, writing
 * and reading result lines, summarising them). Files, paths and workers are the CLI's.
 */

/** One manifest row: a mixture and its reference files, paths as written in the manifest. */
export interface ManifestRow {
  /** Path of the mixture WAV file. */
  mixture: string;
  /** Paths of the reference WAV files, one per source (each may be multichannel: the source's image at every microphone). */
  references: string[];
}

function rowFromObject(value: unknown, where: string): ManifestRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnmixError(`${where}: expected an object with "mixture" and "references"`);
  }
  const { mixture, references } = value as Record<string, unknown>;
  if (typeof mixture !== 'string' || mixture === '') throw new UnmixError(`${where}: "mixture" must be a file path`);
  if (
    !Array.isArray(references) ||
    references.length === 0 ||
    references.some((r) => typeof r !== 'string' || r === '')
  ) {
    throw new UnmixError(`${where}: "references" must be a non-empty list of file paths`);
  }
  return { mixture, references: references as string[] };
}

/**
 * Parse a JSON manifest: one row object `{"mixture", "references": [...]}` (what
 * `unmix mix` writes as NAME.json; other keys are ignored), a list of them, or
 * `{"rows": [...]}`.
 *
 * @param name - the file name, for messages
 */
export function parseJsonManifest(text: string, name: string): ManifestRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UnmixError(`${name}: not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(value)) return value.map((v, k) => rowFromObject(v, `${name}: row ${k + 1}`));
  if (typeof value === 'object' && value !== null && Array.isArray((value as { rows?: unknown }).rows)) {
    return ((value as { rows: unknown[] }).rows ?? []).map((v, k) => rowFromObject(v, `${name}: row ${k + 1}`));
  }
  return [rowFromObject(value, name)];
}

/** Split one CSV line (RFC 4180 quoting: "a,b" and "" for a quote). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** Quote a CSV cell when it needs it. */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = typeof value === 'number' ? formatNumber(value) : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 1e6) / 1e6) : String(value);
}

/**
 * Parse a CSV manifest: a header line, then one row per line. The mixture is the
 * `mixture` column; the references are either one `references` column with paths
 * separated by `;`, or several columns whose names start with `reference` or `ref`
 * (`reference1`, `reference2`, ... in order; empty cells are skipped). Blank lines and
 * lines starting with `#` are ignored.
 */
export function parseCsvManifest(text: string, name: string): ManifestRow[] {
  const lines = text
    .split(/\r?\n/)
    .map((line, k) => ({ line, number: k + 1 }))
    .filter(({ line }) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  if (lines.length === 0) throw new UnmixError(`${name}: the manifest is empty`);
  const header = splitCsvLine(lines[0].line).map((h) => h.trim().toLowerCase());
  const mixtureColumn = header.indexOf('mixture');
  if (mixtureColumn < 0) throw new UnmixError(`${name}: the header has no "mixture" column`);
  const listColumn = header.indexOf('references');
  const referenceColumns = header
    .map((h, c) => ({ h, c }))
    .filter(({ h, c }) => c !== listColumn && /^ref(erence)?s?\d*$/.test(h))
    .map(({ c }) => c);
  if (listColumn < 0 && referenceColumns.length === 0) {
    throw new UnmixError(`${name}: the header has no "references" (or "reference1", ...) column`);
  }
  return lines.slice(1).map(({ line, number }) => {
    const cells = splitCsvLine(line).map((c) => c.trim());
    const references =
      listColumn >= 0
        ? (cells[listColumn] ?? '').split(';').map((s) => s.trim())
        : referenceColumns.map((c) => cells[c] ?? '');
    return rowFromObject(
      { mixture: cells[mixtureColumn], references: references.filter((r) => r !== '') },
      `${name}: line ${number}`,
    );
  });
}

/** Parse a manifest by its extension (`.json` or `.csv`). */
export function parseManifest(text: string, name: string): ManifestRow[] {
  if (/\.json$/i.test(name)) return parseJsonManifest(text, name);
  if (/\.csv$/i.test(name)) return parseCsvManifest(text, name);
  throw new UnmixError(`${name}: a manifest must be a .json or .csv file`, 'usage');
}

/** One line of a results table: one source of one row separated by one method. */
export interface ResultLine {
  /** The mixture file (as resolved by the runner): with `method`, the key that resume uses. */
  mixture: string;
  method: string;
  /** 1-based source number (reference order). */
  source: number;
  /** Reference file of this source. */
  reference: string;
  /** 1-based number of the separated output paired with it. */
  estimate: number;
  /** Seconds the separation took (the same on every line of a row). */
  seconds: number;
  /** The metric values. */
  scores: Partial<Record<MetricName, number>>;
}

const FIXED_COLUMNS = ['mixture', 'method', 'source', 'reference', 'estimate', 'seconds'] as const;

/** The key under which a result is resumed: one per (mixture, method). */
export function resultKey(mixture: string, method: string): string {
  return `${method}\u0000${mixture}`;
}

/** Result lines of one evaluated row. */
export function resultLines(
  mixture: string,
  method: string,
  references: readonly string[],
  sources: readonly SourceScores[],
  seconds: number,
): ResultLine[] {
  return sources.map((s) => {
    const scores: Partial<Record<MetricName, number>> = {};
    for (const [key, value] of Object.entries(s)) {
      if (key !== 'reference' && key !== 'estimate' && typeof value === 'number') {
        scores[key as MetricName] = value;
      }
    }
    return {
      mixture,
      method,
      source: s.reference + 1,
      reference: references[s.reference],
      estimate: s.estimate + 1,
      seconds,
      scores,
    };
  });
}

/** The CSV header of a results table with `metrics`. */
export function csvHeader(metrics: readonly MetricName[]): string {
  return [...FIXED_COLUMNS, ...metrics].join(',');
}

/** One result as a CSV line (columns of {@link csvHeader}). */
export function toCsvLine(line: ResultLine, metrics: readonly MetricName[]): string {
  return [
    csvCell(line.mixture),
    csvCell(line.method),
    csvCell(line.source),
    csvCell(line.reference),
    csvCell(line.estimate),
    csvCell(line.seconds),
    ...metrics.map((m) => csvCell(line.scores[m])),
  ].join(',');
}

/** One result as a JSON line: the fixed fields, then each metric by name. */
export function toJsonLine(line: ResultLine): string {
  const { scores, ...fixed } = line;
  return JSON.stringify({ ...fixed, ...scores });
}

/**
 * Read an existing results table (CSV with a header, or JSON lines) back into lines, for
 * resuming and summarising. A cut-off last line (an interrupted write) and lines that
 * do not parse are skipped.
 */
export function parseResults(text: string, format: 'csv' | 'jsonl'): ResultLine[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const out: ResultLine[] = [];
  if (format === 'jsonl') {
    for (const l of lines) {
      try {
        const o = JSON.parse(l) as Record<string, unknown>;
        if (typeof o.mixture !== 'string' || typeof o.method !== 'string') continue;
        const scores: Partial<Record<MetricName, number>> = {};
        for (const [k, v] of Object.entries(o)) {
          if (!(FIXED_COLUMNS as readonly string[]).includes(k) && typeof v === 'number') {
            scores[k as MetricName] = v;
          }
        }
        out.push({
          mixture: o.mixture,
          method: o.method,
          source: Number(o.source),
          reference: String(o.reference ?? ''),
          estimate: Number(o.estimate),
          seconds: Number(o.seconds),
          scores,
        });
      } catch {
        // An interrupted write leaves a partial last line; it is redone.
      }
    }
    return out;
  }
  if (lines.length === 0) return out;
  const header = splitCsvLine(lines[0]);
  for (const l of lines.slice(1)) {
    const cells = splitCsvLine(l);
    if (cells.length !== header.length) continue;
    const get = (name: string): string => cells[header.indexOf(name)] ?? '';
    const scores: Partial<Record<MetricName, number>> = {};
    header.forEach((h, c) => {
      if (!(FIXED_COLUMNS as readonly string[]).includes(h) && cells[c] !== '') {
        scores[h as MetricName] = Number(cells[c]);
      }
    });
    out.push({
      mixture: get('mixture'),
      method: get('method'),
      source: Number(get('source')),
      reference: get('reference'),
      estimate: Number(get('estimate')),
      seconds: Number(get('seconds')),
      scores,
    });
  }
  return out;
}

/** Summary of a results table: per method, per metric, over every scored source of every row. */
export interface ResultsSummary {
  [method: string]: {
    /** Rows (mixtures) scored. */
    rows: number;
    /** Mean seconds per separation. */
    seconds: number;
    metrics: Partial<Record<MetricName, MetricSummary>>;
  };
}

/** Summarise result lines: mean and median (and count, min, max) of each metric per method, methods in `methodOrder` first. */
export function summarizeResults(
  lines: readonly ResultLine[],
  metrics: readonly MetricName[],
  methodOrder: readonly string[] = [],
): ResultsSummary {
  const summary: ResultsSummary = {};
  const seen = new Set(lines.map((l) => l.method));
  const methods = [...methodOrder.filter((m) => seen.has(m)), ...[...seen].filter((m) => !methodOrder.includes(m))];
  for (const method of methods) {
    const mine = lines.filter((l) => l.method === method);
    const rowSeconds = new Map<string, number>();
    for (const l of mine) rowSeconds.set(l.mixture, l.seconds);
    const secondsList = [...rowSeconds.values()];
    const entry: ResultsSummary[string] = {
      rows: rowSeconds.size,
      seconds: secondsList.length ? secondsList.reduce((a, b) => a + b, 0) / secondsList.length : NaN,
      metrics: {},
    };
    for (const m of metrics) {
      const values = mine.map((l) => l.scores[m]).filter((v): v is number => v !== undefined);
      if (values.length) entry.metrics[m] = summarize(values);
    }
    summary[method] = entry;
  }
  return summary;
}
