import { prepareCanvas, signedColor } from './canvas.js';

/** A matrix to draw: `values[r * cols + c]`, with row and column labels. */
export interface HeatmapData {
  rows: number;
  cols: number;
  values: Float64Array;
  rowLabels: string[];
  colLabels: string[];
  /** Colour scale: values of magnitude >= this are full colour; default the largest magnitude. */
  scale?: number;
  /** Signed (diverging colours) or magnitudes (one ramp); default signed. */
  signed?: boolean;
}

/** Where a heatmap's cells are, for hover look-ups. */
export interface HeatmapLayout {
  left: number;
  top: number;
  cell: number;
  rows: number;
  cols: number;
}

const LABEL_SPACE = 44;

/**
 * Draw a labelled heatmap of a small matrix with each value printed in its cell.
 * @returns the layout, for {@link cellAt}
 */
export function drawHeatmap(canvas: HTMLCanvasElement, data: HeatmapData): HeatmapLayout {
  const { context, width, height } = prepareCanvas(canvas);
  const { rows, cols, values } = data;
  const cell = Math.max(8, Math.min((width - LABEL_SPACE - 8) / cols, (height - LABEL_SPACE - 8) / rows));
  const left = LABEL_SPACE;
  const top = LABEL_SPACE;
  let scale = data.scale ?? 0;
  if (!(scale > 0)) for (let i = 0; i < values.length; i++) scale = Math.max(scale, Math.abs(values[i]));
  if (!(scale > 0)) scale = 1;
  const signed = data.signed ?? true;
  context.font = '12px system-ui, sans-serif';
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      const t = signed ? v / scale : Math.abs(v) / scale;
      context.fillStyle = signedColor(t);
      context.fillRect(left + c * cell, top + r * cell, cell - 1, cell - 1);
      if (cell >= 34) {
        context.fillStyle = Math.abs(t) > 0.6 ? '#111' : '#eee';
        context.fillText(formatValue(v), left + (c + 0.5) * cell, top + (r + 0.5) * cell);
      }
    }
  }
  context.fillStyle = '#aab2bf';
  for (let c = 0; c < cols; c++) context.fillText(data.colLabels[c] ?? '', left + (c + 0.5) * cell, top - 14);
  context.textAlign = 'right';
  for (let r = 0; r < rows; r++) context.fillText(data.rowLabels[r] ?? '', left - 6, top + (r + 0.5) * cell);
  return { left, top, cell, rows, cols };
}

/** The cell under CSS-pixel point (x, y), or null. */
export function cellAt(layout: HeatmapLayout, x: number, y: number): { row: number; col: number } | null {
  const col = Math.floor((x - layout.left) / layout.cell);
  const row = Math.floor((y - layout.top) / layout.cell);
  if (row < 0 || col < 0 || row >= layout.rows || col >= layout.cols) return null;
  return { row, col };
}

/** A matrix entry as the heatmap prints it: 3 significant digits. */
export function formatValue(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000 || magnitude < 0.01) return value.toExponential(1);
  return value.toPrecision(3);
}
