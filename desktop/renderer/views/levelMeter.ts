/**
 * Input level meter of the recording view: one bar per channel with the level (dBFS) of
 * the latest block and a slowly falling peak mark. A {@link RecordingListener}, so it is
 * also the first user of the recorder's streaming hook.
 */
import type { RecordingListener } from '../audio/recordingHooks.js';
import { prepareCanvas, trackColor } from '../draw/canvas.js';

const FLOOR_DB = -60;

/** A meter drawing on `canvas`. */
export function levelMeter(canvas: HTMLCanvasElement): RecordingListener {
  let levels: number[] = [];
  let holds: number[] = [];
  let frame = 0;
  const draw = () => {
    frame = 0;
    const { context, width, height } = prepareCanvas(canvas);
    const rows = Math.max(1, levels.length);
    const rowHeight = height / rows;
    const left = 48;
    context.font = '11px system-ui, sans-serif';
    context.textBaseline = 'middle';
    levels.forEach((db, c) => {
      const x = (v: number) => left + ((Math.max(FLOOR_DB, v) - FLOOR_DB) / -FLOOR_DB) * (width - left);
      context.fillStyle = '#2a303a';
      context.fillRect(left, c * rowHeight + 2, width - left, rowHeight - 4);
      context.fillStyle = db > -1 ? '#ef5350' : trackColor(c);
      context.fillRect(left, c * rowHeight + 2, x(db) - left, rowHeight - 4);
      context.fillStyle = '#ffffff';
      context.fillRect(x(holds[c]) - 1, c * rowHeight + 2, 2, rowHeight - 4);
      context.fillStyle = '#aab2bf';
      context.fillText(`ch ${c + 1}`, 4, (c + 0.5) * rowHeight);
    });
  };
  return {
    started: ({ channels }) => {
      levels = new Array<number>(channels).fill(FLOOR_DB);
      holds = levels.slice();
      draw();
    },
    block: (block) => {
      levels = block.map((channel) => {
        let sum = 0;
        for (let i = 0; i < channel.length; i++) sum += channel[i] * channel[i];
        return 10 * Math.log10(Math.max(1e-12, sum / Math.max(1, channel.length)));
      });
      // Peak marks fall ~1 dB per block so short peaks stay visible for a moment.
      holds = levels.map((db, c) => Math.max(db, (holds[c] ?? FLOOR_DB) - 1));
      if (!frame) frame = requestAnimationFrame(draw);
    },
  };
}
