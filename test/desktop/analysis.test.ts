import { describe, expect, it } from 'vitest';
import { createRandom } from '../../core/random.js';
import type { RealUnmixing } from '../../core/separate.js';
import { amariOf, globalSystem, scoreTracks } from '../../desktop/renderer/views/analysis.js';

const real = (rows: number, cols: number, data: number[]): RealUnmixing => ({
  kind: 'real',
  rows,
  cols,
  data: Float64Array.from(data),
  mean: new Float64Array(cols),
});

describe('what the matrix and score views show', () => {
  it('W·A and its Amari index: 0 for a scaled permutation', () => {
    const mixing = { rows: 2, cols: 2, data: Float64Array.from([1, 2, 3, 4]) };
    // W = P D A^-1 with A^-1 = [[-2, 1], [1.5, -0.5]], P swaps, D = diag(2, -1).
    const unmixing = real(2, 2, [2 * 1.5, 2 * -0.5, -1 * -2, -1 * 1]);
    const system = globalSystem(unmixing, mixing);
    expect(Array.from(system!.data).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0, 2, -1, 0]);
    expect(amariOf(unmixing, mixing)).toBeCloseTo(0, 12);
    expect(amariOf(real(2, 2, [1, 0, 0, 1]), mixing)).toBeGreaterThan(0.2);
    expect(globalSystem(real(1, 3, [1, 2, 3]), mixing)).toBeNull();
    expect(amariOf(real(1, 2, [1, 2]), mixing)).toBeUndefined();
  });

  it('assigns tracks to references by the best permutation and scores SI-SDRi over mic 1', () => {
    const random = createRandom(3);
    const a = Float64Array.from({ length: 4000 }, () => random.normal());
    const b = Float64Array.from({ length: 4000 }, () => random.normal());
    const mic = a.map((v, i) => v + b[i]);
    const noisyB = b.map((v) => v + 0.01 * random.normal());
    const scores = scoreTracks([noisyB, a], [a, b], mic);
    expect(scores.map((s) => s.reference)).toEqual([1, 0]);
    expect(scores[0].siSdr[1]).toBeGreaterThan(35);
    // mic 1 = a + b has SI-SDR ≈ 0 dB against either reference, so SI-SDRi ≈ SI-SDR.
    expect(scores[0].siSdrImprovement).toBeCloseTo(scores[0].siSdr[1], 0);
    // More tracks than references: the extra track gets none.
    const extra = scoreTracks([a, mic, b], [a, b], mic);
    expect(extra.map((s) => s.reference)).toEqual([0, -1, 1]);
    expect(Number.isNaN(extra[1].siSdrImprovement)).toBe(true);
    // Fewer tracks than references.
    expect(scoreTracks([b], [a, b], mic)[0].reference).toBe(1);
  });
});
