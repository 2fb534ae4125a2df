import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import { separate } from '../../../core/separate.js';
import { meanImprovement } from './convolutiveMixture.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

function load(
  name: string,
  sources: number,
): { mixture: ReturnType<typeof decodeWav>['signal']; images: Float64Array[][] } {
  const read = (file: string): ReturnType<typeof decodeWav>['signal'] =>
    decodeWav(new Uint8Array(fs.readFileSync(path.join(FIXTURES, file)))).signal;
  return {
    mixture: read(`${name}.wav`),
    images: Array.from({ length: sources }, (_, k) => read(`${name}.ref${k + 1}.wav`).channels),
  };
}

/**
 * The bundled room recordings (simulated shoebox rooms, see fixtures/README.md), each
 * method with its defaults but fewer iterations to keep the suite fast. Thresholds sit a
 * couple of dB under what was measured (in the comments).
 */
describe('STFT methods on the room fixtures', () => {
  const two = load('room-2x2-speech', 2);
  const three = load('room-3x3-mixed', 3);
  const cases: [string, typeof two, Record<string, unknown>, number][] = [
    ['auxiva', two, {}, 5], // measured 6.9 dB
    ['iss', two, {}, 5], // 6.9
    ['ilrma', two, { iterations: 60 }, 8], // 10.3
    ['auxiva', three, {}, 6.5], // 8.5
    ['iss', three, {}, 6.5], // 8.6
    ['ilrma', three, { iterations: 60 }, 6], // 8.1
  ];
  for (const [method, fixture, options, threshold] of cases) {
    it(`${method} separates the ${fixture.images.length}-source room`, async () => {
      const result = await separate(fixture.mixture, { method, ...options });
      const gain = meanImprovement(result.sources.channels, fixture.images, fixture.mixture.channels);
      expect(gain).toBeGreaterThan(threshold);
    });
  }
});
