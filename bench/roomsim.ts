/**
 * Room simulation: how long the standard rooms of bench/rooms.ts take to make, how
 * reverberant they really are (measured RT60 against the Sabine target), how hard they
 * are (SI-SDR of the first microphone against each source's image there), and FFT
 * overlap-add convolution against the direct form. No targets: figures for the record.
 */
import { measureRt60 } from '../core/room/rt60.js';
import { roomImpulseResponses, simulateRoom } from '../core/room/shoebox.js';
import { convolve, convolveDirect } from '../core/signal/convolve.js';
import { createRandom } from '../core/random.js';
import { printTable, section, timeBest } from './report.js';
import { STANDARD_ROOMS, makeRoom, scoreSeparation } from './rooms.js';

/** Print the room-simulation tables (see the module comment). */
export function run(): void {
  section('Room simulation: the standard rooms (6 x 5 x 3 m, 16 kHz, 8 s)');
  const rows = [];
  for (const spec of STANDARD_ROOMS) {
    const room = makeRoom(spec);
    const rirSeconds = timeBest(() => void roomImpulseResponses(room.geometry, room.sampleRate), 2);
    const simulateSeconds = timeBest(() => void simulateRoom(room.dry, room.geometry), 2);
    const calibrated = roomImpulseResponses({ ...room.geometry, absorptionFormula: 'image' }, room.sampleRate);
    const calibratedRt60 = calibrated.rirs.flat().map((h) => measureRt60(h, room.sampleRate));
    const input = scoreSeparation(room.references, room.references, room.mixture.channels[0]).siSdrMixture;
    rows.push({
      room: spec.name,
      material: room.material,
      'RT60 target s': spec.rt60,
      'measured (Sabine) s': room.measuredRt60,
      "measured ('image') s": calibratedRt60.reduce((s, v) => s + v, 0) / calibratedRt60.length,
      'images per RIR': room.responses.imageCounts[0][0],
      'RIR taps': room.responses.rirs[0][0].length,
      'input SI-SDR dB': input.reduce((s, v) => s + v, 0) / input.length,
      'RIRs s': rirSeconds,
      'simulate s': simulateSeconds,
    });
  }
  printTable(rows);

  section('Convolution: 8 s at 16 kHz with an RT60 0.3 s response (4842 taps)');
  const rng = createRandom(1);
  const x = Float64Array.from({ length: 128000 }, () => rng.normal());
  const h = makeRoom('2x2-rt300').responses.rirs[0][0];
  const fft = timeBest(() => void convolve(x, h, x.length), 3);
  const direct = timeBest(() => void convolveDirect(x, h, x.length), 1);
  printTable([
    { method: 'FFT overlap-add (convolve)', seconds: fft, 'x faster than direct': direct / fft },
    { method: 'direct form (convolveDirect)', seconds: direct, 'x faster than direct': 1 },
  ]);
  console.log('\n(timings on a shared 2-core machine; other work inflates them)');
}
