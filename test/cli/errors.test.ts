import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav.js';
import { fixture, runCli, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const good = encodeWav(
  { sampleRate: 8000, channels: [new Float64Array(100), new Float64Array(100)] },
  { encoding: 'pcm', bitDepth: 16 },
);
function withFormatTag(tag: number, bits: number): Uint8Array {
  const bytes = good.slice();
  const view = new DataView(bytes.buffer);
  view.setUint16(20, tag, true);
  view.setUint16(34, bits, true);
  view.setUint16(32, (2 * bits) / 8, true);
  return bytes;
}

describe('bad input: one plain line on stderr, exit code 1, no stack trace', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => path.join(dir, 'missing.wav'), /missing\.wav: no such file$/],
    ['a directory', () => dir, /is a directory, not a file$/],
    ['an empty file', () => write('empty.wav', new Uint8Array(0)), /empty\.wav: the file is empty$/],
    ['a truncated header', () => write('header.wav', good.subarray(0, 20)), /header\.wav: .*truncated/],
    [
      'a data chunk shorter than declared',
      () => write('short.wav', good.subarray(0, 200)),
      /short\.wav: the data chunk declares 400 bytes but the file holds only 156 \(truncated file\?\)$/,
    ],
    [
      'A-law',
      () => write('alaw.wav', withFormatTag(6, 8)),
      /alaw\.wav: unsupported encoding: A-law; convert the file to PCM or float WAV$/,
    ],
    ['12-bit PCM', () => write('pcm12.wav', withFormatTag(1, 12)), /pcm12\.wav: unsupported encoding: 12-bit PCM$/],
    [
      'non-WAV bytes',
      () => write('notes.wav', 'these are not the samples you are looking for'),
      /notes\.wav: not a WAV file/,
    ],
  ];
  for (const [name, makeFile, message] of cases) {
    it(`reports ${name}`, async () => {
      const { code, stdout, stderr } = await runCli(['info', makeFile()]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr.trim()).toMatch(/^unmix: /);
      expect(stderr.trim()).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  }

  it.skipIf(process.getuid?.() === 0)('reports a file that is not readable', async () => {
    const file = write('locked.wav', good);
    fs.chmodSync(file, 0o000);
    const { code, stderr } = await runCli(['info', file]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`unmix: ${file}: permission denied`);
  });
});

describe('bad usage: exit code 2', () => {
  it('rejects an unknown command, a missing argument and an unknown option', async () => {
    for (const args of [['frobnicate'], ['info'], ['info', '--nope', fixture('inst-2x2-speech.wav')]]) {
      const { code, stderr } = await runCli(args);
      expect(code).toBe(2);
      expect(stderr).toMatch(/error: /);
    }
  });

  it('rejects a bad option value', async () => {
    const { code, stderr } = await runCli(['split', fixture('inst-2x2-speech.wav'), '-o', dir, '--format', 'mp3']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Allowed choices are float32/);
  });
});
