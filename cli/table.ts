/** Options of {@link table}. */
export interface TableOptions {
  /** Prefix of every line; default ''. */
  indent?: string;
  /**
   * Which columns are right-aligned; default: those where every cell looks like a number
   * (and there is at least one row).
   */
  numeric?: readonly boolean[];
  /** Draw a line of dashes under the header (bench reports); default false. */
  rule?: boolean;
}

/**
 * Plain-text tables for people, the one formatter of the CLI and the benchmark reports.
 * Columns are left-aligned for text and right-aligned when numeric; two spaces apart;
 * trailing spaces trimmed.
 *
 * @param headers - column titles
 * @param rows - cells, one array per row, already formatted
 * @param options - an indent string (the older positional form), or {@link TableOptions}
 */
export function table(headers: string[], rows: string[][], options: string | TableOptions = {}): string {
  const {
    indent = '',
    numeric: givenNumeric,
    rule = false,
  } = typeof options === 'string' ? { indent: options } : options;
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric =
    givenNumeric ?? headers.map((_, c) => rows.length > 0 && rows.every((r) => /^[-+]?(\d|inf)/i.test(r[c] ?? '')));
  const line = (cells: string[]): string =>
    indent +
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const ruleLines = rule ? [indent + widths.map((w) => '-'.repeat(w)).join('  ')] : [];
  return [line(headers), ...ruleLines, ...rows.map(line)].join('\n');
}

/** A linear amplitude as dB with one decimal (`-inf` for silence). */
export function formatDb(linear: number): string {
  return linear > 0 ? (20 * Math.log10(linear)).toFixed(1) : '-inf';
}
