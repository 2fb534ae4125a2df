/**
 * The unmixing matrix view: W as a labelled heatmap with values on hover; for STFT
 * methods one matrix per frequency bin with a slider and a summary across bins; W·A and
 * the Amari index when the true mixing matrix is known.
 */
import type { RealMatrix } from '../../../core/linalg/real.js';
import type { ComplexUnmixing, Unmixing } from '../../../core/separate.js';
import { byId } from '../dom.js';
import { heatColor, prepareCanvas } from '../draw/canvas.js';
import { cellAt, drawHeatmap, formatValue, type HeatmapData, type HeatmapLayout } from '../draw/heatmap.js';
import { amariOf, amariOfSystem, binSystemMagnitude, globalSystem } from './analysis.js';

/** Renders {@link Unmixing}s into the matrix section. */
export class MatrixView {
  private unmixing: Unmixing | null = null;
  private mixing: RealMatrix | undefined;
  private sampleRate = 1;
  private wLayout: HeatmapLayout | null = null;
  private waLayout: HeatmapLayout | null = null;
  private wData: HeatmapData | null = null;
  private waData: HeatmapData | null = null;
  private readonly tooltip = byId('tooltip');
  private readonly slider = byId<HTMLInputElement>('bin');

  constructor() {
    this.slider.addEventListener('input', () => this.draw());
    this.hover(byId<HTMLCanvasElement>('w-heatmap'), () => [this.wLayout, this.wData], 'W');
    this.hover(byId<HTMLCanvasElement>('wa-heatmap'), () => [this.waLayout, this.waData], 'W·A');
  }

  /** Show `unmixing`; `mixing` is the true A when known. */
  show(unmixing: Unmixing, sampleRate: number, mixing: RealMatrix | undefined): void {
    this.unmixing = unmixing;
    this.mixing = mixing;
    this.sampleRate = sampleRate;
    byId('matrix-view').hidden = false;
    const complex = unmixing.kind === 'complex';
    byId('bin-controls').hidden = !complex;
    byId('bin-summary-figure').hidden = !complex;
    if (complex) {
      this.slider.max = String(unmixing.bins - 1);
      if (Number(this.slider.value) >= unmixing.bins) this.slider.value = '0';
      // Start at a speech-relevant frequency rather than DC, where W is meaningless.
      if (this.slider.value === '0') this.slider.value = String(Math.round((1000 / sampleRate) * unmixing.fftSize));
    }
    this.draw();
  }

  private medianCache: { unmixing: Unmixing; value: number } | null = null;

  /** Median over bins (DC and Nyquist excluded) of the Amari index of W(f)·A. */
  private medianAmari(unmixing: ComplexUnmixing, mixing: RealMatrix): number {
    if (this.medianCache?.unmixing === unmixing) return this.medianCache.value;
    const values: number[] = [];
    for (let f = 1; f < unmixing.bins - 1; f++) {
      const system = binSystemMagnitude(unmixing, f, mixing);
      const amari = system ? amariOfSystem(system) : undefined;
      if (amari !== undefined) values.push(amari);
    }
    values.sort((a, b) => a - b);
    const value = values.length ? values[Math.floor(values.length / 2)] : Number.NaN;
    this.medianCache = { unmixing, value };
    return value;
  }

  /** Hide the view (a new mixture was opened). */
  clear(): void {
    this.unmixing = null;
    byId('matrix-view').hidden = true;
  }

  /** Redraw (after a resize). */
  draw(): void {
    const unmixing = this.unmixing;
    if (!unmixing) return;
    const { rows, cols } = unmixing;
    const rowLabels = Array.from({ length: rows }, (_, r) => `y${r + 1}`);
    const colLabels = Array.from({ length: cols }, (_, c) => `mic ${c + 1}`);
    const waFigure = byId('wa-figure');
    if (unmixing.kind === 'real') {
      this.wData = { rows, cols, values: unmixing.data, rowLabels, colLabels, signed: true };
      byId('w-caption').textContent = `W (${rows} sources × ${cols} microphones), y = W (x − mean)`;
      const system = this.mixing ? globalSystem(unmixing, this.mixing) : null;
      waFigure.hidden = system === null;
      if (system) {
        const sourceLabels = Array.from({ length: system.cols }, (_, c) => `s${c + 1}`);
        this.waData = {
          rows,
          cols: system.cols,
          values: system.data,
          rowLabels,
          colLabels: sourceLabels,
          signed: true,
        };
        this.waLayout = drawHeatmap(byId<HTMLCanvasElement>('wa-heatmap'), this.waData);
        const amari = this.mixing ? amariOf(unmixing, this.mixing) : undefined;
        byId('wa-caption').textContent =
          `W·A (true mixing known): a scaled permutation when separated` +
          (amari === undefined ? '' : ` — Amari index ${amari.toFixed(4)} (0 = perfect)`);
      }
    } else {
      const bin = Number(this.slider.value);
      const magnitudes = binMagnitudes(unmixing, bin);
      this.wData = { rows, cols, values: magnitudes, rowLabels, colLabels, signed: false };
      const hz = (bin * this.sampleRate) / unmixing.fftSize;
      byId('bin-label').textContent = `bin ${bin} of ${unmixing.bins - 1} · ${hz.toFixed(0)} Hz`;
      byId('w-caption').textContent =
        `|W(f)| at ${hz.toFixed(0)} Hz (${rows} sources × ${cols} microphones); hover for the complex value`;
      const system = this.mixing ? binSystemMagnitude(unmixing, bin, this.mixing) : null;
      waFigure.hidden = system === null;
      if (system && this.mixing) {
        const sourceLabels = Array.from({ length: system.cols }, (_, c) => `s${c + 1}`);
        this.waData = {
          rows,
          cols: system.cols,
          values: system.data,
          rowLabels,
          colLabels: sourceLabels,
          signed: false,
        };
        this.waLayout = drawHeatmap(byId<HTMLCanvasElement>('wa-heatmap'), this.waData);
        const amari = amariOfSystem(system);
        const median = this.medianAmari(unmixing, this.mixing);
        byId('wa-caption').textContent =
          `|W(f)·A| at ${hz.toFixed(0)} Hz (true instantaneous mixing known)` +
          (amari === undefined ? '' : ` — Amari index ${amari.toFixed(4)} here, median over bins ${median.toFixed(4)}`);
      }
      drawBinSummary(byId<HTMLCanvasElement>('bin-summary'), unmixing, bin);
    }
    this.wLayout = drawHeatmap(byId<HTMLCanvasElement>('w-heatmap'), this.wData);
  }

  private hover(canvas: HTMLCanvasElement, get: () => [HeatmapLayout | null, HeatmapData | null], name: string): void {
    canvas.addEventListener('mousemove', (event) => {
      const [layout, data] = get();
      const cell = layout && data ? cellAt(layout, event.offsetX, event.offsetY) : null;
      if (!cell || !data) {
        this.tooltip.hidden = true;
        return;
      }
      const { row, col } = cell;
      let text = `${name}[${data.rowLabels[row]}, ${data.colLabels[col]}] = ${formatValue(data.values[row * data.cols + col])}`;
      const unmixing = this.unmixing;
      if (unmixing?.kind === 'complex' && name === 'W') {
        const bin = Number(this.slider.value);
        const o = 2 * ((bin * unmixing.rows + row) * unmixing.cols + col);
        const re = unmixing.data[o];
        const im = unmixing.data[o + 1];
        const phase = (Math.atan2(im, re) * 180) / Math.PI;
        text = `W[${data.rowLabels[row]}, ${data.colLabels[col]}](bin ${bin}) = ${formatValue(re)} ${im < 0 ? '−' : '+'} ${formatValue(Math.abs(im))}j\n|·| = ${formatValue(Math.hypot(re, im))}, phase ${phase.toFixed(0)}°`;
      }
      this.tooltip.textContent = text;
      this.tooltip.hidden = false;
      this.tooltip.style.left = `${event.clientX + 14}px`;
      this.tooltip.style.top = `${event.clientY + 14}px`;
    });
    canvas.addEventListener('mouseleave', () => {
      this.tooltip.hidden = true;
    });
  }
}

/** |W(f)| of one bin, row-major. */
function binMagnitudes(unmixing: ComplexUnmixing, bin: number): Float64Array {
  const n = unmixing.rows * unmixing.cols;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const o = 2 * (bin * n + k);
    out[k] = Math.hypot(unmixing.data[o], unmixing.data[o + 1]);
  }
  return out;
}

/** One row per matrix entry, one column per bin: |W_ij(f)| relative to the bin's largest entry. */
function drawBinSummary(canvas: HTMLCanvasElement, unmixing: ComplexUnmixing, bin: number): void {
  const { context, width, height } = prepareCanvas(canvas);
  const entries = unmixing.rows * unmixing.cols;
  const left = 48;
  const plotWidth = width - left;
  const rowHeight = height / entries;
  const columns = Math.max(1, Math.round(plotWidth));
  for (let x = 0; x < columns; x++) {
    const f = Math.min(unmixing.bins - 1, Math.floor((x / columns) * unmixing.bins));
    const magnitudes = binMagnitudes(unmixing, f);
    let max = 0;
    for (const m of magnitudes) max = Math.max(max, m);
    for (let k = 0; k < entries; k++) {
      const [r, g, b] = heatColor(max > 0 ? magnitudes[k] / max : 0);
      context.fillStyle = `rgb(${r}, ${g}, ${b})`;
      context.fillRect(left + x, k * rowHeight, 1.5, rowHeight);
    }
  }
  context.font = '11px system-ui, sans-serif';
  context.fillStyle = '#aab2bf';
  context.textBaseline = 'middle';
  for (let k = 0; k < entries; k++) {
    const r = Math.floor(k / unmixing.cols);
    const c = k % unmixing.cols;
    context.fillText(`W${r + 1}${c + 1}`, 4, (k + 0.5) * rowHeight);
  }
  context.fillStyle = '#ffffff';
  context.fillRect(left + (bin / unmixing.bins) * plotWidth, 0, 1, height);
}
