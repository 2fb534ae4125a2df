/**
 * Plain-text tables for people. Columns are left-aligned for text and right-aligned
 * when every cell of the column looks like a number.
 */
export function table(headers: string[], rows: string[][], indent = ''): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => /^[-+]?(\d|inf)/i.test(r[c] ?? '')));
  const line = (cells: string[]): string =>
    indent +
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** A linear amplitude as dB with one decimal (`-inf` for silence). */
export function formatDb(linear: number): string {
  return linear > 0 ? (20 * Math.log10(linear)).toFixed(1) : '-inf';
}
