import { describe, expect, it } from 'vitest';
import { convolveDirect } from '../../../core/signal/convolve.js';
import { createRandom } from '../../../core/random.js';
import {
  roomImpulseResponses,
  simulateRoom,
  wallAbsorption,
  type ShoeboxRoom,
  type Vector3,
} from '../../../core/room/shoebox.js';
import { measureRt60 } from '../../../core/room/rt60.js';
import { linearArray, placeSources } from '../../../core/room/placement.js';
import { synthesizeSource } from '../../../core/room/sources.js';

const FS = 16000;
const ROOM: Vector3 = [6, 5, 3];

function distance(a: Vector3, b: Vector3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

describe('roomImpulseResponses: direct path', () => {
  const mic: Vector3 = [3, 2.5, 1.5];

  it('puts an on-sample delay exactly on one sample with gain 1 / (4π r)', () => {
    // 343 m/s * 50 samples / 16000 Hz: the delay is exactly 50 samples.
    const r = (343 * 50) / FS;
    const room: ShoeboxRoom = { dimensions: ROOM, microphones: [mic], sources: [[3 + r, 2.5, 1.5]], highPassHz: 0 };
    const { rirs, directDelays, directGains, imageCounts } = roomImpulseResponses(room, FS);
    expect(imageCounts[0][0]).toBe(1);
    expect(directDelays[0][0]).toBeCloseTo(50, 9);
    expect(directGains[0][0]).toBeCloseTo(1 / (4 * Math.PI * r), 12);
    const h = rirs[0][0];
    expect(h[50]).toBeCloseTo(1 / (4 * Math.PI * r), 9);
    let others = 0;
    for (let t = 0; t < h.length; t++) if (t !== 50) others += Math.abs(h[t]);
    expect(others).toBeLessThan(1e-9);
  });

  it('delays and attenuates a band-limited signal exactly at a fractional delay', () => {
    const source: Vector3 = [4.3, 3.1, 1.2];
    const r = distance(mic, source);
    const tau = (r / 343) * FS;
    expect(tau % 1).toBeGreaterThan(0.1);
    const { rirs, directDelays, directGains } = roomImpulseResponses(
      { dimensions: ROOM, microphones: [mic], sources: [source], highPassHz: 0 },
      FS,
    );
    expect(directDelays[0][0]).toBeCloseTo(tau, 12);
    expect(directGains[0][0]).toBeCloseTo(1 / (4 * Math.PI * r), 12);
    // A sum of sinusoids below 0.35 fs, where the 81-tap kernel is flat.
    const rng = createRandom(3);
    const partials = Array.from({ length: 12 }, () => ({
      f: 0.35 * rng.uniform(),
      phase: 2 * Math.PI * rng.uniform(),
    }));
    const at = (t: number): number => partials.reduce((s, p) => s + Math.cos(2 * Math.PI * p.f * t + p.phase), 0);
    const x = Float64Array.from({ length: 2000 }, (_, t) => at(t));
    const y = convolveDirect(x, rirs[0][0], 2000);
    const gain = 1 / (4 * Math.PI * r);
    let error = 0;
    let energy = 0;
    for (let t = 200; t < 2000; t++) {
      const expected = gain * at(t - tau);
      error += (y[t] - expected) ** 2;
      energy += expected ** 2;
    }
    expect(Math.sqrt(error / energy)).toBeLessThan(1e-3);
  });
});

describe('roomImpulseResponses: reverberation', () => {
  const microphones = linearArray([3.1, 2.4, 1.4], 2, 0.05);
  const sources: Vector3[] = [[4.6, 3.3, 1.6]];

  for (const [dimensions, rt60] of [
    [ROOM, 0.15],
    [ROOM, 0.3],
    [ROOM, 0.6],
    [[4, 3, 2.5], 0.2],
    [[10, 8, 4], 0.4],
  ] as const) {
    it(`has the target RT60 of ${rt60} s in a ${dimensions.join(' x ')} m room within 20% (image-method absorption, Schroeder T20)`, () => {
      const center = dimensions.map((v) => v / 2 + 0.13) as unknown as Vector3;
      const { rirs, absorption } = roomImpulseResponses(
        {
          dimensions,
          microphones: linearArray(center, 2, 0.05),
          sources: [[center[0] + 1.3, center[1] + 0.7, center[2] + 0.2]],
          rt60,
          absorptionFormula: 'image',
        },
        FS,
      );
      expect(absorption).toBeCloseTo(wallAbsorption(rt60, dimensions, 'image'), 12);
      for (const row of rirs) {
        const measured = measureRt60(row[0], FS);
        expect(Math.abs(measured - rt60) / rt60).toBeLessThan(0.2);
      }
    });
  }

  it('is Eyring-like with Eyring absorption and within 20% with Sabine when the walls absorb little', () => {
    const { rirs } = roomImpulseResponses(
      { dimensions: ROOM, microphones, sources, rt60: 0.3, absorptionFormula: 'eyring' },
      FS,
    );
    expect(Math.abs(measureRt60(rirs[0][0], FS) - 0.3) / 0.3).toBeLessThan(0.25);
    const dimensions: Vector3 = [10, 8, 4];
    const sabine = roomImpulseResponses(
      { dimensions, microphones: [[5, 4, 1.5]], sources: [[6.5, 5, 1.7]], rt60: 0.6 },
      FS,
    );
    expect(sabine.absorption).toBeLessThan(0.3);
    expect(Math.abs(measureRt60(sabine.rirs[0][0], FS) - 0.6) / 0.6).toBeLessThan(0.2);
  });

  it('decays faster than a short Sabine target in a small room, as documented', () => {
    const { rirs } = roomImpulseResponses({ dimensions: ROOM, microphones, sources, rt60: 0.15 }, FS);
    const measured = measureRt60(rirs[0][0], FS);
    expect(measured).toBeGreaterThan(0.07);
    expect(measured).toBeLessThan(0.12);
  });

  it('measures a much too long decay without the high-pass (the DC build-up of the image sum)', () => {
    const room: ShoeboxRoom = { dimensions: ROOM, microphones, sources, rt60: 0.3, absorptionFormula: 'image' };
    const raw = measureRt60(roomImpulseResponses({ ...room, highPassHz: 0 }, FS).rirs[0][0], FS);
    const filtered = measureRt60(roomImpulseResponses(room, FS).rirs[0][0], FS);
    expect(raw).toBeGreaterThan(1.2 * filtered);
  });

  it('puts the six first-order reflections at their mirror images, attenuated by the wall', () => {
    const mic: Vector3 = [2.2, 1.9, 1.1];
    const source: Vector3 = [4.1, 3.3, 1.7];
    const room: ShoeboxRoom = {
      dimensions: ROOM,
      microphones: [mic],
      sources: [source],
      absorption: 0.36,
      maxOrder: 1,
      highPassHz: 0,
    };
    const { rirs, imageCounts, reflection } = roomImpulseResponses(room, FS);
    expect(imageCounts[0][0]).toBe(7);
    expect(reflection).toBeCloseTo(0.8, 12);
    // Mirror the source in each wall (x -> -x and x -> 2L - x on each axis) and add
    // the same Hann-windowed sinc kernel, computed naively.
    const images: [Vector3, number][] = [[source, 1]];
    for (let axis = 0; axis < 3; axis++) {
      for (const mirrored of [-source[axis], 2 * ROOM[axis] - source[axis]]) {
        const p = [...source] as [number, number, number];
        p[axis] = mirrored;
        images.push([p, 0.8]);
      }
    }
    const expected = new Float64Array(rirs[0][0].length);
    for (const [p, gain] of images) {
      const r = distance(p, mic);
      const tau = (r / 343) * FS;
      for (let t = Math.floor(tau) - 40; t <= Math.floor(tau) + 41; t++) {
        const x = t - tau;
        const kernel = x === 0 ? 1 : (Math.sin(Math.PI * x) / (Math.PI * x)) * 0.5 * (1 + Math.cos((Math.PI * x) / 41));
        expected[t] += (gain / (4 * Math.PI * r)) * kernel;
      }
    }
    let worst = 0;
    for (let t = 0; t < expected.length; t++) worst = Math.max(worst, Math.abs(expected[t] - rirs[0][0][t]));
    expect(worst).toBeLessThan(1e-12);
  });

  it('counts images by reflection order as the lattice does (1 + 6 + 18 up to order 2)', () => {
    const room: ShoeboxRoom = { dimensions: ROOM, microphones, sources, absorption: 0.5, rirSeconds: 1, maxOrder: 2 };
    const { imageCounts, maxOrder } = roomImpulseResponses(room, FS);
    // Per axis, order 0 has one image and every order >= 1 two; triples of orders summing to <= 2: 25.
    expect(imageCounts[0][0]).toBe(25);
    expect(maxOrder).toBe(2);
  });

  it('limits the image order when asked', () => {
    const room: ShoeboxRoom = { dimensions: ROOM, microphones, sources, rt60: 0.3 };
    const full = roomImpulseResponses(room, FS);
    expect(full.maxOrder).toBeGreaterThan(10);
    const first = roomImpulseResponses({ ...room, maxOrder: 1 }, FS);
    expect(first.maxOrder).toBe(1);
    expect(first.imageCounts[0][0]).toBe(7);
    const zero = roomImpulseResponses({ ...room, maxOrder: 0 }, FS);
    expect(zero.imageCounts[0][0]).toBe(1);
  });

  it('rejects bad geometry and impossible acoustics with plain messages', () => {
    const ok: ShoeboxRoom = { dimensions: ROOM, microphones, sources, rt60: 0.3 };
    expect(() => roomImpulseResponses({ ...ok, microphones: [[7, 1, 1]] }, FS)).toThrow(
      'microphone 1 at (7, 1, 1) is outside the 6 x 5 x 3 m room (0 < x < 6, 0 < y < 5, 0 < z < 3)',
    );
    expect(() => roomImpulseResponses({ ...ok, sources: [[1, 1, -1]] }, FS)).toThrow(/source 1 at .* is outside/);
    expect(() => roomImpulseResponses({ ...ok, sources: [microphones[1]] }, FS)).toThrow(
      'source 1 is at microphone 2 (less than 1 mm apart)',
    );
    expect(() => roomImpulseResponses({ ...ok, dimensions: [6, 0, 3] }, FS)).toThrow(/room dimensions must be/);
    expect(() => roomImpulseResponses({ ...ok, rt60: 0.05 }, FS)).toThrow(
      /an RT60 of 0.05 s is too short for a 6 x 5 x 3 m room by Sabine's formula \(shortest 0.115 s/,
    );
    expect(() => roomImpulseResponses({ ...ok, microphones: [] }, FS)).toThrow('the room has no microphones');
    expect(() => roomImpulseResponses({ ...ok, rt60: -1 }, FS)).toThrow(/RT60 must be/);
  });
});

describe('simulateRoom', () => {
  const dimensions = ROOM;
  const center: Vector3 = [3.1, 2.4, 1.4];
  const microphones = linearArray(center, 3, 0.055);
  const positions = placeSources(2, { dimensions, center, seed: 4 });
  const frames = 6000;
  const sources = {
    sampleRate: FS,
    channels: [
      synthesizeSource({ kind: 'speech', frames, sampleRate: FS, seed: 1 }),
      synthesizeSource({ kind: 'music', frames, sampleRate: FS, seed: 2 }),
    ],
  };
  const room: ShoeboxRoom = { dimensions, microphones, sources: positions, rt60: 0.2 };

  it('gives each source image as its convolution with the room response, and their sum as the mixture', () => {
    const sim = simulateRoom(sources, room);
    expect(sim.mixture.channels.length).toBe(3);
    expect(sim.images.length).toBe(2);
    for (let i = 0; i < 3; i++) {
      const sum = new Float64Array(frames);
      for (let j = 0; j < 2; j++) {
        const image = sim.images[j].channels[i];
        const direct = convolveDirect(sources.channels[j], sim.room.rirs[i][j], frames);
        let diff = 0;
        let scale = 0;
        for (let t = 0; t < frames; t++) {
          diff = Math.max(diff, Math.abs(image[t] - direct[t]));
          scale = Math.max(scale, Math.abs(direct[t]));
          sum[t] += image[t];
        }
        expect(diff).toBeLessThan(1e-12 * Math.max(1, scale) * 1e3);
      }
      expect(sim.mixture.channels[i]).toEqual(sum);
    }
    const tail = simulateRoom(sources, room, { keepTail: true });
    expect(tail.mixture.channels[0].length).toBe(frames + sim.room.rirs[0][0].length - 1);
  });

  it('moves a source: each stretch through the responses of its position, tails carrying on', () => {
    const to: Vector3 = [1.2, 1.1, 1.5];
    const sim = simulateRoom(sources, room, { moves: [{ source: 1, atSeconds: 0.2, to }] });
    expect(sim.segments).toEqual([
      { source: 0, startFrame: 0, endFrame: frames, position: positions[0] },
      { source: 1, startFrame: 0, endFrame: 3200, position: positions[1] },
      { source: 1, startFrame: 3200, endFrame: frames, position: to },
    ]);
    expect(sim.room.rirs[0]).toHaveLength(3);
    const before = sources.channels[1].slice();
    before.fill(0, 3200);
    const after = sources.channels[1].slice();
    after.fill(0, 0, 3200);
    for (let i = 0; i < 3; i++) {
      const a = convolveDirect(before, sim.room.rirs[i][1], frames);
      const b = convolveDirect(after, sim.room.rirs[i][2], frames);
      let diff = 0;
      for (let t = 0; t < frames; t++) diff = Math.max(diff, Math.abs(sim.images[1].channels[i][t] - a[t] - b[t]));
      expect(diff).toBeLessThan(1e-9);
    }
    // Two moves at the same time: the later one wins.
    const twice = simulateRoom(sources, room, {
      moves: [
        { source: 0, atSeconds: 0.1, to: positions[1] },
        { source: 0, atSeconds: 0.1, to },
      ],
    });
    expect(twice.segments.slice(2).map((s) => [s.startFrame, s.endFrame])).toEqual([
      [1600, 1600],
      [1600, frames],
    ]);
    expect(() => simulateRoom(sources, room, { moves: [{ source: 2, atSeconds: 1, to }] })).toThrow(
      'a move names source 3, but there are 2 sources',
    );
    expect(() => simulateRoom(sources, room, { moves: [{ source: 0, atSeconds: 0.1, to: [9, 1, 1] }] })).toThrow(
      'the move of source 1 goes to [9,1,1], outside the 6 x 5 x 3 m room',
    );
  });

  it('adds seeded white noise at the asked SNR', () => {
    const clean = simulateRoom(sources, room);
    const noisy = simulateRoom(sources, room, { snrDb: 10, seed: 9 });
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < 3; i++) {
      for (let t = 0; t < frames; t++) {
        signal += clean.mixture.channels[i][t] ** 2;
        noise += (noisy.mixture.channels[i][t] - clean.mixture.channels[i][t]) ** 2;
      }
    }
    expect(10 * Math.log10(signal / noise)).toBeCloseTo(10, 0);
    expect(noisy.images[0].channels[0]).toEqual(clean.images[0].channels[0]);
    expect(simulateRoom(sources, room, { snrDb: 10, seed: 9 }).mixture).toEqual(noisy.mixture);
  });

  it('rejects mismatched sources', () => {
    expect(() => simulateRoom({ sampleRate: FS, channels: [sources.channels[0]] }, room)).toThrow(
      '1 source signals but 2 source positions',
    );
    expect(() => simulateRoom({ sampleRate: FS, channels: [] }, room)).toThrow('no sources to place in the room');
    expect(() =>
      simulateRoom({ sampleRate: FS, channels: [sources.channels[0], sources.channels[1].subarray(1)] }, room),
    ).toThrow('source 2 has 5999 samples but source 1 has 6000');
  });
});

describe('placement', () => {
  it('places a linear array and seeded sources 1-2 m away at distinct angles', () => {
    const center: Vector3 = [3, 2.5, 1.5];
    expect(linearArray(center, 2, 0.06)).toEqual([
      [2.97, 2.5, 1.5],
      [3.03, 2.5, 1.5],
    ]);
    const a = placeSources(4, { dimensions: ROOM, center, seed: 7 });
    expect(placeSources(4, { dimensions: ROOM, center, seed: 7 })).toEqual(a);
    const angles = a.map((p) => {
      const horizontal = Math.hypot(p[0] - center[0], p[1] - center[1]);
      expect(horizontal).toBeGreaterThanOrEqual(1);
      expect(horizontal).toBeLessThanOrEqual(2);
      p.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(0.5);
        expect(v).toBeLessThanOrEqual(ROOM[i] - 0.5);
      });
      return (Math.acos((p[0] - center[0]) / horizontal) * 180) / Math.PI;
    });
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < i; j++) expect(Math.abs(angles[i] - angles[j])).toBeGreaterThanOrEqual(20);
    expect(() => placeSources(2, { dimensions: [2, 2, 2], center: [1, 1, 1], minDistance: 3, maxDistance: 4 })).toThrow(
      /could not place 2 sources/,
    );
  });
});

describe('measureRt60', () => {
  it('recovers the decay time of an exponentially decaying noise', () => {
    const rng = createRandom(2);
    const rt60 = 0.4;
    const h = Float64Array.from({ length: FS }, (_, t) => rng.normal() * 10 ** ((-3 * t) / FS / rt60));
    expect(Math.abs(measureRt60(h, FS) - rt60) / rt60).toBeLessThan(0.05);
    expect(() => measureRt60(new Float64Array(10), FS)).toThrow('the impulse response is silent');
  });
});
