import { prepareCanvas } from './canvas.js';

/** The visible time range and the cursor, in seconds, shared by every waveform. */
export interface TimeView {
  start: number;
  end: number;
  /** Play/selection cursor, or null when none. */
  cursor: number | null;
}

/** Minimum and maximum of each block of `blockSize` samples, to draw long signals zoomed out quickly. */
export interface Peaks {
  blockSize: number;
  min: Float32Array;
  max: Float32Array;
}

/** The {@link Peaks} of a channel (one pass). */
export function computePeaks(samples: Float64Array, blockSize = 256): Peaks {
  const blocks = Math.ceil(samples.length / blockSize);
  const min = new Float32Array(blocks);
  const max = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let low = Infinity;
    let high = -Infinity;
    const end = Math.min(samples.length, (b + 1) * blockSize);
    for (let i = b * blockSize; i < end; i++) {
      const v = samples[i];
      if (v < low) low = v;
      if (v > high) high = v;
    }
    min[b] = low;
    max[b] = high;
  }
  return { blockSize, min, max };
}

/**
 * Draw a waveform as a min/max envelope per pixel column, with the cursor as a vertical
 * line. Exact from the samples when zoomed in; from `peaks` (block extremes, so within a
 * block of exact) when a pixel spans several blocks.
 *
 * @param samples - one channel
 * @param sampleRate - Hz
 * @param peak - the level drawn at full height (shared across channels so levels compare)
 */
export function drawWaveform(
  canvas: HTMLCanvasElement,
  samples: Float64Array,
  sampleRate: number,
  view: TimeView,
  color: string,
  peak: number,
  peaks?: Peaks,
): void {
  const { context, width, height } = prepareCanvas(canvas);
  context.fillStyle = '#1b1f26';
  context.fillRect(0, 0, width, height);
  const middle = height / 2;
  context.strokeStyle = '#2c323c';
  context.beginPath();
  context.moveTo(0, middle + 0.5);
  context.lineTo(width, middle + 0.5);
  context.stroke();
  const scale = peak > 0 ? (middle - 2) / peak : 0;
  const first = Math.max(0, Math.floor(view.start * sampleRate));
  const last = Math.min(samples.length, Math.ceil(view.end * sampleRate));
  const perPixel = (last - first) / width;
  context.fillStyle = color;
  for (let x = 0; x < width; x++) {
    const from = first + Math.floor(x * perPixel);
    const to = Math.max(from + 1, Math.min(last, first + Math.floor((x + 1) * perPixel)));
    if (from >= last) break;
    let low = Infinity;
    let high = -Infinity;
    if (peaks && perPixel >= 4 * peaks.blockSize) {
      const last = Math.min(peaks.min.length, Math.ceil(to / peaks.blockSize));
      for (let b = Math.floor(from / peaks.blockSize); b < last; b++) {
        if (peaks.min[b] < low) low = peaks.min[b];
        if (peaks.max[b] > high) high = peaks.max[b];
      }
    } else {
      for (let i = from; i < to; i++) {
        const v = samples[i];
        if (v < low) low = v;
        if (v > high) high = v;
      }
    }
    const top = middle - high * scale;
    const bottom = middle - low * scale;
    context.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
  drawCursor(context, view, width, height);
}

/** The cursor line of `view` on a drawing `width` CSS pixels wide. */
export function drawCursor(context: CanvasRenderingContext2D, view: TimeView, width: number, height: number): void {
  if (view.cursor === null || view.cursor < view.start || view.cursor > view.end) return;
  const x = ((view.cursor - view.start) / (view.end - view.start)) * width;
  context.fillStyle = '#ffffff';
  context.fillRect(Math.round(x), 0, 1, height);
}

/** Largest absolute sample of several channels (at least a tiny positive number). */
export function peakOf(channels: Float64Array[]): number {
  let peak = 1e-12;
  for (const channel of channels) {
    for (let i = 0; i < channel.length; i++) {
      const v = Math.abs(channel[i]);
      if (v > peak) peak = v;
    }
  }
  return peak;
}
