import type { TraceEntry } from '../../../core/separate.js';
import { prepareCanvas } from './canvas.js';

/**
 * The live convergence plot: cost (left axis, linear) and gradient norm (right axis,
 * log scale) against the iteration number.
 */
export function drawConvergence(canvas: HTMLCanvasElement, trace: TraceEntry[], maxIterations: number): void {
  const { context, width, height } = prepareCanvas(canvas);
  context.fillStyle = '#1b1f26';
  context.fillRect(0, 0, width, height);
  const pad = { left: 64, right: 64, top: 22, bottom: 24 };
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  context.strokeStyle = '#3a414d';
  context.strokeRect(pad.left + 0.5, pad.top + 0.5, plotWidth, plotHeight);
  context.font = '11px system-ui, sans-serif';
  context.fillStyle = '#aab2bf';
  context.textAlign = 'center';
  const iterations = Math.max(2, maxIterations, trace.length);
  context.fillText('iteration', pad.left + plotWidth / 2, height - 6);
  context.fillText('1', pad.left, height - 6);
  context.fillText(String(iterations), pad.left + plotWidth, height - 6);
  if (trace.length === 0) return;
  const x = (i: number) => pad.left + ((i - 1) / (iterations - 1)) * plotWidth;
  const costs = trace.map((t) => t.cost).filter(Number.isFinite);
  const grads = trace.map((t) => Math.log10(Math.max(t.gradientNorm, 1e-300))).filter(Number.isFinite);
  const series: {
    values: number[];
    label: string;
    color: string;
    axis: 'left' | 'right';
    format: (v: number) => string;
  }[] = [
    {
      values: trace.map((t) => t.cost),
      label: 'cost',
      color: '#4fc3f7',
      axis: 'left',
      format: (v) => v.toPrecision(4),
    },
    {
      values: trace.map((t) => Math.log10(Math.max(t.gradientNorm, 1e-300))),
      label: 'gradient norm (log)',
      color: '#ffb74d',
      axis: 'right',
      format: (v) => (10 ** v).toExponential(1),
    },
  ];
  const ranges = [costs, grads].map((values) => {
    let low = Math.min(...values);
    let high = Math.max(...values);
    if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
    if (high - low < 1e-12) {
      low -= 0.5;
      high += 0.5;
    }
    return [low, high];
  });
  series.forEach((s, k) => {
    const [low, high] = ranges[k];
    const y = (v: number) => pad.top + (1 - (v - low) / (high - low)) * plotHeight;
    context.strokeStyle = s.color;
    context.lineWidth = 2;
    context.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      if (started) context.lineTo(x(i + 1), y(v));
      else context.moveTo(x(i + 1), y(v));
      started = true;
    });
    if (s.values.length === 1) context.arc(x(1), y(s.values[0]), 2, 0, 2 * Math.PI);
    context.stroke();
    context.fillStyle = s.color;
    context.textAlign = s.axis === 'left' ? 'right' : 'left';
    const axisX = s.axis === 'left' ? pad.left - 4 : pad.left + plotWidth + 4;
    context.fillText(s.format(high), axisX, pad.top + 8);
    context.fillText(s.format(low), axisX, pad.top + plotHeight);
    // Legend above the plot, over the series' axis.
    context.textAlign = s.axis;
    context.fillText(`— ${s.label}`, s.axis === 'left' ? pad.left : pad.left + plotWidth, pad.top - 10);
  });
  context.lineWidth = 1;
}
