/**
 * The live-separation worker (bundled to `live-worker.js`): runs core's online AuxIVA on
 * the microphone blocks the recorder's AudioWorklet delivers, and posts back separated
 * blocks with levels, and the current unmixing twice a second. Core runs here, not in the
 * window, so drawing never stalls the audio.
 */
import { isUnmixError } from '../../../core/errors.js';
import { createOnlineSeparator, type OnlineSeparator } from '../../../core/iva/online.js';
import type { LiveRequest, LiveResponse } from './messages.js';

/** Seconds of audio between two unmixing updates. */
const UNMIXING_EVERY_SECONDS = 0.5;

let separator: OnlineSeparator | null = null;
let seconds = 0;
let busySeconds = 0;
let lastUnmixing = 0;

function post(message: LiveResponse, transfer: Transferable[] = []): void {
  (self as unknown as { postMessage(message: LiveResponse, transfer: Transferable[]): void }).postMessage(
    message,
    transfer,
  );
}

function rmsDb(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return x.length === 0 || sum === 0 ? -120 : Math.max(-120, 10 * Math.log10(sum / x.length));
}

function postUnmixing(active: OnlineSeparator): void {
  const unmixing = active.unmixing();
  const { rows, cols, bins, fftSize, data } = unmixing;
  const rate = active.sampleRate;
  const bin = Math.min(bins - 1, Math.round((1000 * fftSize) / rate));
  const magnitudes: number[] = [];
  for (let i = 0; i < rows * cols; i++) {
    const at = 2 * (bin * rows * cols + i);
    magnitudes.push(Math.hypot(data[at], data[at + 1]));
  }
  const summary = new Array<number>(rows * cols).fill(0);
  const low = Math.max(1, Math.round((100 * fftSize) / rate));
  const high = Math.min(bins - 1, Math.round((4000 * fftSize) / rate));
  for (let f = low; f <= high; f++) {
    let largest = 0;
    for (let i = 0; i < rows * cols; i++) {
      largest = Math.max(largest, Math.hypot(data[2 * (f * rows * cols + i)], data[2 * (f * rows * cols + i) + 1]));
    }
    if (largest === 0) continue;
    for (let i = 0; i < rows * cols; i++) {
      summary[i] += Math.hypot(data[2 * (f * rows * cols + i)], data[2 * (f * rows * cols + i) + 1]) / largest;
    }
  }
  const count = Math.max(1, high - low + 1);
  post({
    type: 'unmixing',
    rows,
    cols,
    frequency: (bin * rate) / fftSize,
    magnitudes,
    summary: summary.map((v) => v / count),
  });
}

self.onmessage = (event: MessageEvent<LiveRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'start') {
      separator = createOnlineSeparator(request.channels, request.sampleRate);
      seconds = 0;
      busySeconds = 0;
      lastUnmixing = 0;
      post({
        type: 'started',
        latencySeconds: separator.latency / request.sampleRate,
        fftSize: separator.options.fftSize,
        hopSamples: separator.options.hopSamples,
      });
    } else if (request.type === 'block') {
      const active = separator;
      if (!active) return;
      const start = performance.now();
      const input = request.block.slice(0, active.inputChannels).map((channel) => Float64Array.from(channel));
      const output = active.process(input).map((channel) => Float32Array.from(channel));
      busySeconds += (performance.now() - start) / 1000;
      seconds += input[0].length / active.sampleRate;
      post(
        {
          type: 'output',
          block: output,
          inputLevels: input.map(rmsDb),
          outputLevels: output.map(rmsDb),
          seconds,
          realTimeFactor: seconds > 0 ? busySeconds / seconds : 0,
        },
        output.map((channel) => channel.buffer),
      );
      if (seconds - lastUnmixing >= UNMIXING_EVERY_SECONDS) {
        lastUnmixing = seconds;
        postUnmixing(active);
      }
    } else if (request.type === 'stop') {
      if (separator && separator.framesProcessed > 0) postUnmixing(separator);
      separator = null;
    }
  } catch (error) {
    separator = null;
    post({ type: 'error', message: isUnmixError(error) ? error.message : `live separation failed: ${String(error)}` });
  }
};
