import { describe, expect, it } from 'vitest';
import { STANDARD_ROOMS, makeRoom, scoreSeparation } from '../../../bench/rooms.js';
import { siSdr } from '../../../core/losses/siSdr.js';

describe('bench/rooms.ts (the shared benchmark rooms)', () => {
  it('makes the standard rooms deterministically, with images summing to the mixture', () => {
    const a = makeRoom('3x3-rt200', { seconds: 1 });
    const b = makeRoom({ ...STANDARD_ROOMS[2] }, { seconds: 1 });
    expect(b.mixture).toEqual(a.mixture);
    expect(a.mixture.channels.length).toBe(3);
    expect(a.references.length).toBe(3);
    expect(a.mixture.channels[0].length).toBe(16000);
    for (let t = 0; t < 16000; t += 997) {
      const sum = a.images.reduce((s, image) => s + image.channels[1][t], 0);
      expect(a.mixture.channels[1][t]).toBeCloseTo(sum, 12);
    }
    const spacing = Math.hypot(...[0, 1, 2].map((i) => a.geometry.microphones[1][i] - a.geometry.microphones[0][i]));
    expect(spacing).toBeGreaterThanOrEqual(0.05);
    expect(spacing).toBeLessThanOrEqual(0.06);
    expect(a.material).toBe('voices');
    expect(makeRoom('2x2-rt150', { seconds: 0.5, sampleRate: 8000 }).material).toBe('synthetic');
    expect(() => makeRoom('2x2-rt150', { seconds: 9, material: 'voices' })).toThrow(
      /fixtures\/voices are 8 s at 16 kHz/,
    );
    expect(() => makeRoom('nope')).toThrow(/unknown room 'nope'/);
    const moving = makeRoom('2x2-rt200-switch', { seconds: 1, material: 'synthetic' });
    expect(moving.segments.map((s) => [s.source, s.startFrame, s.endFrame])).toEqual([
      [0, 0, 16000],
      [1, 0, 16000],
      [1, 16000, 16000],
    ]);
    const full = makeRoom('2x2-rt200-switch');
    expect(full.segments[2]).toMatchObject({ source: 1, startFrame: 64000, endFrame: 128000 });
    expect(full.references).toHaveLength(2);
  });

  it('scores with the best permutation and the improvement over the first microphone', () => {
    const room = makeRoom('2x2-rt150', { seconds: 1 });
    const [r1, r2] = room.references;
    const noisy = (x: Float64Array, k: number): Float64Array => x.map((v, t) => v + 0.01 * Math.sin(t * k));
    const score = scoreSeparation([noisy(r2, 1), noisy(r1, 2)], room.references, room.mixture.channels[0]);
    expect(score.permutation).toEqual([1, 0]);
    expect(score.siSdr[0]).toBeCloseTo(siSdr(noisy(r1, 2), r1), 12);
    expect(score.siSdrMixture[1]).toBeCloseTo(siSdr(room.mixture.channels[0], r2), 12);
    expect(score.siSdri[1]).toBeCloseTo(score.siSdr[1] - score.siSdrMixture[1], 12);
    expect(score.meanSiSdri).toBeGreaterThan(10);
    expect(() => scoreSeparation([r1], room.references, room.mixture.channels[0])).toThrow(
      '1 estimates for 2 references',
    );
  });
});
