/**
 * What permutation alignment is worth, on the standard rooms of bench/rooms.ts (6 x 5 x 3 m,
 * 5-6 cm arrays, talkers 1-2 m away, 16 kHz, 8 s). The plain SI-SDRi and seconds of
 * `ngiva` and `fdica` are rows of bench/iva.ts (it runs every convolutive method); this
 * benchmark adds FDICA without alignment, and for each separation how consistently the
 * bins are ordered: in each bin, the assignment of outputs to sources that best matches
 * the amplitude envelopes of the true source images (at microphone 1) is found; `bins in
 * one order` is the share of bins whose assignment is the most common one, `in the SI-SDR
 * order` the share whose assignment is that of the whole signals (best permutation by
 * SI-SDR, which the loud low bins decide). Only bins separated well enough for their order
 * to mean something count (the best assignment's envelopes correlate with the references'
 * by 0.6 or more on average; `bins scored` is their share). IVA keeps the bins together by
 * its source model, FDICA by the alignment; without alignment the order of a bin is
 * whatever its ICA happened to give. A large gap between the two shares is a block of
 * bins (often the low ones) in another order than the rest.
 */
import { normalizedEnvelopes } from '../core/iva/permutation.js';
import { fdIca } from '../core/iva/fdica.js';
import { ngIva } from '../core/iva/ngiva.js';
import { bestAssignment } from '../core/losses/pit.js';
import type { ComplexUnmixing, SeparationResult } from '../core/separate.js';
import { stft } from '../core/signal/stft.js';
import { printTable, section, type BenchRow } from './report.js';
import { makeRoom, scoreSeparation, type BenchRoom } from './rooms.js';

const ROOMS = ['2x2-rt150', '2x2-rt300', '3x3-rt200'];

/** Per-bin STFT of `channels` in the per-bin layout of core/iva/permutation.ts. */
function perBinStft(
  channels: Float64Array[],
  unmixing: ComplexUnmixing,
): { y: Float64Array; bins: number; frames: number } {
  const s = stft(channels, { fftSize: unmixing.fftSize, hopSamples: unmixing.hopSamples });
  const n = channels.length;
  const y = new Float64Array(2 * n * s.bins * s.frames);
  for (let f = 0; f < s.bins; f++) {
    for (let k = 0; k < n; k++) {
      y.set(s.channels[k].subarray(2 * f * s.frames, 2 * (f + 1) * s.frames), 2 * (f * n + k) * s.frames);
    }
  }
  return { y, bins: s.bins, frames: s.frames };
}

/**
 * Over the bins with energy in every reference and well separated: the share whose
 * per-bin best assignment of outputs to references is the most common one (`inOrder`),
 * the share where it is `permutation`, the whole-signal assignment by SI-SDR (`inGlobal`),
 * and the share of bins scored.
 */
function binsAligned(
  result: SeparationResult,
  room: BenchRoom,
  permutation: number[],
): { inOrder: number; inGlobal: number; scored: number } {
  const u = result.unmixing as ComplexUnmixing;
  const n = u.rows;
  const m = u.cols;
  const mixture = perBinStft(room.mixture.channels, u);
  const references = perBinStft(room.references, u);
  const { bins, frames } = mixture;
  // Outputs per bin: y_k(f, t) = Σ_c U_f[k, c] x_c(f, t).
  const outputs = new Float64Array(2 * n * bins * frames);
  for (let f = 0; f < bins; f++) {
    for (let k = 0; k < n; k++) {
      for (let c = 0; c < m; c++) {
        const wr = u.data[2 * ((f * n + k) * m + c)];
        const wi = u.data[2 * ((f * n + k) * m + c) + 1];
        const x = 2 * (f * m + c) * frames;
        const o = 2 * (f * n + k) * frames;
        for (let t = 0; t < frames; t++) {
          const xr = mixture.y[x + 2 * t];
          const xi = mixture.y[x + 2 * t + 1];
          outputs[o + 2 * t] += wr * xr - wi * xi;
          outputs[o + 2 * t + 1] += wr * xi + wi * xr;
        }
      }
    }
  }
  const out = normalizedEnvelopes(outputs, n, bins, frames, 'envelope');
  const ref = normalizedEnvelopes(references.y, n, bins, frames, 'envelope');
  let counted = 0;
  const orders = new Map<string, number>();
  for (let f = 0; f < bins; f++) {
    const costs: number[][] = [];
    let silent = false;
    for (let k = 0; k < n; k++) {
      const row: number[] = [];
      let energy = 0;
      for (let t = 0; t < frames; t++) energy += ref[(f * n + k) * frames + t] ** 2;
      if (energy < 0.5) silent = true; // a constant (silent) reference envelope is all zeros
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let t = 0; t < frames; t++) dot += ref[(f * n + k) * frames + t] * out[(f * n + j) * frames + t];
        row.push(-dot);
      }
      costs.push(row);
    }
    if (silent) continue;
    const best = bestAssignment(costs);
    // Only bins separated well enough for their order to mean something: where the best
    // assignment's envelopes correlate with the references' by 0.6 or more on average.
    if (-best.cost / n < CONFIDENT) continue;
    counted++;
    const key = best.permutation.join(',');
    orders.set(key, (orders.get(key) ?? 0) + 1);
  }
  const majority = Math.max(0, ...orders.values());
  const global = orders.get(permutation.join(',')) ?? 0;
  return { inOrder: majority / Math.max(1, counted), inGlobal: global / Math.max(1, counted), scored: counted / bins };
}

/** Mean envelope correlation above which a bin's order is scored. */
const CONFIDENT = 0.6;

/** Run the permutation-alignment benchmark. */
export function run(): void {
  section('Permutation alignment: FDICA with and without it, NG-IVA (standard rooms, 16 kHz, 8 s, default options)');
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
      const bins = binsAligned(result, room, score.permutation);
      rows.push({
        room: name,
        method,
        'SI-SDRi dB': score.meanSiSdri,
        'bins in one order %': 100 * bins.inOrder,
        'in the SI-SDR order %': 100 * bins.inGlobal,
        'bins scored %': 100 * bins.scored,
        iterations: result.iterations,
        seconds,
      });
    }
  }
  printTable(rows);
  console.log('\n(Timings on a shared 2-core machine under load are inflated.)');
}
