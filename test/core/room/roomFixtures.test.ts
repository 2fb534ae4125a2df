import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..', 'fixtures');

describe('room fixtures', () => {
  for (const [name, rate, seconds, count] of [
    ['room-2x2-speech', 16000, 4, 2],
    ['room-3x3-mixed', 8000, 4, 3],
    ['room-2x2-switch', 16000, 12, 2],
  ] as const) {
    it(`${name}: references are the images at every microphone and sum to the mixture`, () => {
      const description = JSON.parse(fs.readFileSync(path.join(root, `${name}.json`), 'utf8'));
      expect(description).toMatchObject({ mixture: `${name}.wav`, sampleRate: rate, model: 'room' });
      expect(description.references).toHaveLength(count);
      const mixture = decodeWav(fs.readFileSync(path.join(root, description.mixture))).signal;
      const refs = description.references.map((r: string) => decodeWav(fs.readFileSync(path.join(root, r))).signal);
      expect(mixture.sampleRate).toBe(rate);
      expect(mixture.channels).toHaveLength(count);
      expect(mixture.channels[0].length).toBe(rate * seconds);
      const lsb = 1 / 32768;
      for (let i = 0; i < count; i++) {
        let worst = 0;
        for (let t = 0; t < mixture.channels[i].length; t++) {
          let sum = 0;
          for (const r of refs) sum += r.channels[i][t];
          worst = Math.max(worst, Math.abs(sum - mixture.channels[i][t]));
        }
        expect(worst).toBeLessThanOrEqual((count + 1) * lsb);
      }
      for (const row of description.room.measuredRt60) {
        for (const rt60 of row) {
          expect(rt60).toBeGreaterThan(0.12);
          expect(rt60).toBeLessThan(0.2);
        }
      }
    });
  }
});
