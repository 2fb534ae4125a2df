/**
 * Messages between the window and the live-separation worker (`live-worker.js`): the
 * recorder's blocks go in as they arrive, separated blocks, levels and the current
 * unmixing come back.
 */

/** Window → worker. */
export type LiveRequest =
  { type: 'start'; channels: number; sampleRate: number } | { type: 'block'; block: Float32Array[] } | { type: 'stop' };

/** Worker → window. */
export type LiveResponse =
  | { type: 'started'; latencySeconds: number; fftSize: number; hopSamples: number }
  | {
      type: 'output';
      /** The separated sources for this block (may be empty while the first frame fills). */
      block: Float32Array[];
      /** RMS of each microphone over the input block, dBFS. */
      inputLevels: number[];
      /** RMS of each separated source over the output block, dBFS. */
      outputLevels: number[];
      /** Seconds of audio separated so far. */
      seconds: number;
      /** Seconds of processing per second of audio so far. */
      realTimeFactor: number;
    }
  | {
      type: 'unmixing';
      rows: number;
      cols: number;
      /** Frequency of the bin shown, Hz. */
      frequency: number;
      /** `|W(f)|` at that bin, row-major, projection back included. */
      magnitudes: number[];
      /** `|W(f)|` averaged over bins 100 Hz - 4 kHz, each bin normalised by its largest entry. */
      summary: number[];
    }
  | { type: 'error'; message: string };
