import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

// The built command as users run it (npm test builds before testing).
const bin = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

describe.skipIf(!fs.existsSync(bin))('the built unmix command', () => {
  it('runs, prints its version and exits 0', () => {
    const result = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('turns bad input into one line on stderr and exit code 1', () => {
    const result = spawnSync(process.execPath, [bin, 'info', 'no/such/file.wav'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('unmix: no/such/file.wav: no such file\n');
  });
});
