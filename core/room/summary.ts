import { measureRt60 } from './rt60.js';
import type { AbsorptionFormula, RoomImpulseResponses, ShoeboxRoom } from './shoebox.js';

/** A JSON-ready description of a simulated room, as `unmix mix` and the fixtures write it. */
export interface RoomSummary {
  /** Metres. */
  dimensions: number[];
  /** Metres, one `[x, y, z]` per microphone. */
  microphones: number[][];
  /** Metres, one `[x, y, z]` per source. */
  sources: number[][];
  /** Target RT60, seconds. */
  rt60: number;
  absorptionFormula: AbsorptionFormula;
  /** Energy absorption coefficient of the walls. */
  absorption: number;
  /** Largest number of reflections among the images used. */
  maxOrder: number;
  /** High-pass cut-off applied to the responses, Hz (0: none). */
  highPassHz: number;
  /** Samples per impulse response. */
  rirLength: number;
  /** Measured RT60 (Schroeder T20) of each response, `[mic][source]`, seconds; null when it does not decay by 25 dB. */
  measuredRt60: (number | null)[][];
  /** Direct-path delay, `[mic][source]`, samples. */
  directDelays: number[][];
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Summarise a simulated room for a JSON file: geometry (rounded to 0.1 mm), acoustics,
 * and per response the measured RT60 and direct-path delay.
 */
export function summarizeRoom(room: ShoeboxRoom, responses: RoomImpulseResponses): RoomSummary {
  return {
    dimensions: [...room.dimensions],
    microphones: room.microphones.map((p) => p.map((v) => round(v, 4))),
    sources: room.sources.map((p) => p.map((v) => round(v, 4))),
    rt60: room.rt60 ?? 0,
    absorptionFormula: responses.absorptionFormula,
    absorption: round(responses.absorption, 6),
    maxOrder: responses.maxOrder,
    highPassHz: responses.highPassHz,
    rirLength: responses.rirs[0][0].length,
    measuredRt60: responses.rirs.map((row) =>
      row.map((h) => {
        try {
          return round(measureRt60(h, responses.sampleRate), 4);
        } catch {
          return null;
        }
      }),
    ),
    directDelays: responses.directDelays.map((row) => row.map((v) => round(v, 3))),
  };
}
