import { describe, expect, it, vi } from 'vitest';

// Root reads any file whatever its mode, so a permission error is simulated at the fs layer.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const denied = (file: unknown) => String(file).endsWith('locked.wav');
  const eacces = () => Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  return {
    ...fs,
    statSync: ((file: string, ...rest: unknown[]) =>
      denied(file)
        ? { isDirectory: () => false }
        : (fs.statSync as (...a: unknown[]) => unknown)(file, ...rest)) as typeof fs.statSync,
    readFileSync: ((file: string, ...rest: unknown[]) => {
      if (denied(file)) throw eacces();
      return (fs.readFileSync as (...a: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.readFileSync,
  };
});

const { runCli } = await import('./helpers.js');

describe('a file that is not readable', () => {
  it('gives a plain permission error and exit code 1', async () => {
    const { code, stderr } = await runCli(['info', '/data/locked.wav']);
    expect(code).toBe(1);
    expect(stderr).toBe('unmix: /data/locked.wav: permission denied\n');
  });
});
