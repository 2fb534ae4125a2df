import type { Spectrogram } from '../../../core/signal/spectrogram.js';
import { heatColor, prepareCanvas } from './canvas.js';
import { drawCursor, type TimeView } from './waveform.js';

/**
 * Draw a spectrogram (frequency up, time across, `floorDb`..max dB on the colour ramp)
 * for the visible time range, with the shared cursor.
 */
export function drawSpectrogram(
  canvas: HTMLCanvasElement,
  spectrogram: Spectrogram,
  view: TimeView,
  floorDb = -80,
): void {
  const { context, width, height } = prepareCanvas(canvas);
  const { bins, frames, hopSamples, sampleRate, powerDb, frameOffsetSamples } = spectrogram;
  let max = -Infinity;
  for (let i = 0; i < powerDb.length; i++) if (powerDb[i] > max) max = powerDb[i];
  const low = max + floorDb;
  const pixelWidth = canvas.width;
  const pixelHeight = canvas.height;
  const image = context.createImageData(pixelWidth, pixelHeight);
  const secondsPerPixel = (view.end - view.start) / pixelWidth;
  for (let x = 0; x < pixelWidth; x++) {
    // The column whose centre is nearest the pixel's time.
    const sample = (view.start + (x + 0.5) * secondsPerPixel) * sampleRate;
    const t = Math.round((sample - frameOffsetSamples) / hopSamples);
    if (t < 0 || t >= frames) continue;
    for (let y = 0; y < pixelHeight; y++) {
      const f = Math.min(bins - 1, Math.floor(((pixelHeight - 1 - y) / pixelHeight) * bins));
      const [r, g, b] = heatColor((powerDb[f * frames + t] - low) / (max - low || 1));
      const o = 4 * (y * pixelWidth + x);
      image.data[o] = r;
      image.data[o + 1] = g;
      image.data[o + 2] = b;
      image.data[o + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  drawCursor(context, view, width, height);
}
