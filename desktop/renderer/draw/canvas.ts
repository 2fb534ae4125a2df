/** Shared canvas plumbing: device-pixel sizing and the palette. */

/** Colours of the dark theme, one per source/channel in turn. */
export const TRACK_COLORS = ['#4fc3f7', '#ffb74d', '#81c784', '#e57373', '#ba68c8', '#fff176', '#4db6ac', '#f06292'];

/** Colour of channel/source `index`. */
export function trackColor(index: number): string {
  return TRACK_COLORS[index % TRACK_COLORS.length];
}

/**
 * Size the canvas's backing store to its CSS box at the device pixel ratio and return a
 * context scaled so that drawing uses CSS pixels.
 */
export function prepareCanvas(canvas: HTMLCanvasElement): {
  context: CanvasRenderingContext2D;
  width: number;
  height: number;
} {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = Math.max(1, canvas.clientWidth);
  const height = Math.max(1, canvas.clientHeight);
  const pixelWidth = Math.round(width * ratio);
  const pixelHeight = Math.round(height * ratio);
  if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
  if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this window cannot draw on a canvas');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return { context, width, height };
}

/**
 * Perceptual colour map (a short "magma"-like ramp) for heatmaps and spectrograms.
 * @param t - 0..1
 * @returns `[r, g, b]` bytes
 */
export function heatColor(t: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [0, 0, 4],
    [59, 15, 112],
    [140, 41, 129],
    [222, 73, 104],
    [254, 159, 109],
    [252, 253, 191],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/**
 * Diverging colour map for signed values (blue - dark - orange), so the sign of a matrix
 * entry is visible. @param t - -1..1
 */
export function signedColor(t: number): string {
  const v = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0));
  const dark = [30, 34, 42];
  const end = v >= 0 ? [255, 152, 0] : [33, 150, 243];
  const m = Math.abs(v);
  const c = dark.map((d, k) => Math.round(d + (end[k] - d) * m));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}
