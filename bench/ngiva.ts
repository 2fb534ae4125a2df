/**
 * Natural-gradient IVA and frequency-domain ICA on the standard rooms of issue 4
 * (bench/rooms.ts: 6 x 5 x 3 m, 5-6 cm arrays, talkers 1-2 m away, 16 kHz, 8 s):
 * SI-SDR improvement over the first microphone (reference: each source's image there,
 * best permutation), iterations, whether the tolerance was met, and seconds, with the
 * default options of each method. FDICA is also run without permutation alignment, to
 * show what the alignment (and IVA, which needs none) is for.
 *
 * The targets (SI-SDRi >= 18 / 6 / 9 dB) are set for the default method; these
 * methods are shown for comparison. These rows belong in bench/iva.ts once it exists.
 */
import { fdIca } from '../core/iva/fdica.js';
import { ngIva } from '../core/iva/ngiva.js';
import type { SeparationResult } from '../core/separate.js';
import { printTable, section, type BenchRow } from './report.js';
import { makeRoom, scoreSeparation } from './rooms.js';

const ROOMS = ['2x2-rt150', '2x2-rt300', '3x3-rt200'];

/** Run the natural-gradient rows of the IVA benchmark. */
export function run(): void {
  section('Natural-gradient IVA and frequency-domain ICA on the standard rooms (16 kHz, 8 s, default options)');
  const rows: BenchRow[] = [];
  for (const name of ROOMS) {
    const room = makeRoom(name);
    const methods: [string, () => SeparationResult][] = [
      ['ngiva', () => ngIva(room.mixture)],
      ['fdica', () => fdIca(room.mixture)],
      ['fdica, no alignment', () => fdIca(room.mixture, { align: false })],
    ];
    for (const [method, separate] of methods) {
      const start = performance.now();
      const result = separate();
      const seconds = (performance.now() - start) / 1000;
      const score = scoreSeparation(result.sources.channels, room.references, room.mixture.channels[0]);
      rows.push({
        room: name,
        method,
        'SI-SDRi dB': score.meanSiSdri,
        'issue target (default method)': room.spec.target,
        iterations: result.iterations,
        converged: result.converged ? 'yes' : 'no',
        seconds,
      });
    }
  }
  printTable(rows);
  console.log('\n(Timings on a shared 2-core machine under load are inflated.)');
}
