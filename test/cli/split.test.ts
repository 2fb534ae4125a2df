import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../core/audio/wav.js';
import { checkOutputs } from '../../cli/files.js';
import { fixture, runCli, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('unmix split', () => {
  const input = fixture('inst-3x3-mixed.wav');
  const out = path.join(dir, 'split');

  it('writes each channel to its own float WAV and lists the paths', async () => {
    const { code, stdout } = await runCli(['split', input, '-o', out, '--json']);
    expect(code).toBe(0);
    const { channels } = JSON.parse(stdout);
    expect(channels).toEqual([1, 2, 3].map((k) => path.join(out, `inst-3x3-mixed.channel${k}.wav`)));
    const mixture = decodeWav(fs.readFileSync(input)).signal;
    channels.forEach((file: string, c: number) => {
      const { signal, format } = decodeWav(fs.readFileSync(file));
      expect(format).toMatchObject({ encoding: 'float', bitDepth: 32, channels: 1 });
      expect(signal.channels[0]).toEqual(mixture.channels[c]);
    });
    expect(fs.readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses to replace existing outputs without --force, and leaves them untouched', async () => {
    const first = path.join(out, 'inst-3x3-mixed.channel1.wav');
    fs.writeFileSync(first, 'precious');
    const refused = await runCli(['split', input, '-o', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`unmix: ${first}: already exists (use --force to replace it)\n`);
    expect(fs.readFileSync(first, 'utf8')).toBe('precious');
    const forced = await runCli(['split', input, '-o', out, '--force', '--format', 'pcm16']);
    expect(forced.code).toBe(0);
    expect(decodeWav(fs.readFileSync(first)).format).toMatchObject({ encoding: 'pcm', bitDepth: 16 });
  });

  it('never overwrites an input, even with --force and through a symbolic link', async () => {
    const copy = path.join(dir, 'in.wav');
    fs.copyFileSync(input, copy);
    const before = fs.readFileSync(copy);
    fs.mkdirSync(path.join(dir, 'links'));
    fs.symlinkSync(copy, path.join(dir, 'links', 'in.channel2.wav'));
    const { code, stderr } = await runCli(['split', copy, '-o', path.join(dir, 'links'), '--force']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/in\.channel2\.wav: refusing to overwrite an input file/);
    expect(fs.readFileSync(copy)).toEqual(before);
    // Nothing was written: the check runs before the first output.
    expect(fs.readdirSync(path.join(dir, 'links'))).toEqual(['in.channel2.wav']);
    expect(() => checkOutputs([copy], { inputs: [copy], force: true })).toThrow(/refusing to overwrite an input/);
  });

  it('rejects an output directory that is a file', async () => {
    const file = path.join(dir, 'plain-file');
    fs.writeFileSync(file, '');
    const { code, stderr } = await runCli(['split', input, '-o', file]);
    expect(code).toBe(2);
    expect(stderr).toBe(`unmix: ${file}: exists and is not a directory\n`);
  });
});
