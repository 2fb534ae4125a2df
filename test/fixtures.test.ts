import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixtures } from '../scripts/make-fixtures.js';

const root = path.resolve(import.meta.dirname, '..', 'fixtures');

describe('fixtures', () => {
  const files = makeFixtures();

  it('are exactly what scripts/make-fixtures.ts makes (run `npm run fixtures` after changing it)', () => {
    for (const file of files) {
      const committed = path.join(root, file.path);
      expect(fs.existsSync(committed), `${file.path} is missing`).toBe(true);
      expect(Buffer.compare(fs.readFileSync(committed), file.bytes), `${file.path} differs`).toBe(0);
    }
  });

  it('stay under 8 MB in total', () => {
    const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
    expect(total).toBeLessThan(8 * 1024 * 1024);
  });
});
