import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../core/audio/wav.js';
import { separateOnline } from '../../core/iva/online.js';
import { unmixingFromJson } from '../../core/unmixing.js';
import { runSeparateOnline } from '../../cli/commands/separateOnline.js';
import { fixture, runCli, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quietIo = { stdout: (): void => undefined, stderr: (): void => undefined, stderrIsTTY: false };

describe('unmix separate --online', () => {
  const input = fixture('inst-2x2-speech.wav');
  const mixture = decodeWav(fs.readFileSync(input)).signal;

  it('writes the sources block by block, equal to the core online separator, and the final unmixing', async () => {
    const out = path.join(dir, 'a');
    const { code, stdout } = await runCli(['separate', '--online', input, '-o', out, '--json', '--format', 'float64']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      sources: [path.join(out, 'inst-2x2-speech.source1.wav'), path.join(out, 'inst-2x2-speech.source2.wav')],
      unmixing: path.join(out, 'inst-2x2-speech.unmixing.json'),
      method: 'online-auxiva',
      samples: mixture.channels[0].length,
      latencySamples: mixture.sampleRate === 16000 ? 768 : expect.any(Number),
    });
    expect(report.realTimeFactor).toBeGreaterThan(0);
    const expected = separateOnline(mixture);
    for (let k = 0; k < 2; k++) {
      const written = decodeWav(fs.readFileSync(report.sources[k])).signal.channels[0];
      expect(written).toEqual(expected.sources.channels[k]);
    }
    const file = JSON.parse(fs.readFileSync(report.unmixing, 'utf8'));
    expect(file).toMatchObject({ version: 1, method: 'online-auxiva', channels: 2, sources: 2, converged: false });
    const unmixing = unmixingFromJson(file);
    expect(unmixing).toMatchObject({ kind: 'complex', rows: 2, cols: 2 });
    // (JSON has no -0: compare with +0 for -0)
    expect(Array.from(unmixing.data)).toEqual(Array.from(expected.unmixing.data, (v) => v + 0));
  });

  it('reads standard input of unknown length and names the outputs stdin.*', async () => {
    const bytes = new Uint8Array(fs.readFileSync(input));
    // A WAV streamed to a pipe often declares 0xFFFFFFFF bytes of data.
    const dataAt = bytes.length - mixture.channels[0].length * 2 * (bytes[34] / 8) - 4;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(dataAt, 0xffffffff, true);
    const chunks = [];
    for (let at = 0; at < bytes.length; at += 5000) chunks.push(Buffer.from(bytes.subarray(at, at + 5000)));
    const out = path.join(dir, 'b');
    const report = await runSeparateOnline(
      '-',
      { output: out, format: 'float32', param: { update: 'ip', warmupSeconds: 1 } },
      quietIo,
      Readable.from(chunks),
    );
    expect(report.sources).toEqual([path.join(out, 'stdin.source1.wav'), path.join(out, 'stdin.source2.wav')]);
    expect(report.samples).toBe(mixture.channels[0].length);
    const written = decodeWav(fs.readFileSync(report.sources[0])).signal.channels[0];
    expect(written.length).toBe(mixture.channels[0].length);
  });

  it('warm-starts from an unmixing file and refuses options that do not apply', async () => {
    const out = path.join(dir, 'c');
    const first = await runCli(['separate', '--online', input, '-o', out, '--json', '--param', 'forgetting=0.995']);
    expect(first.code).toBe(0);
    const { unmixing } = JSON.parse(first.stdout);
    const warm = await runCli(['separate', '--online', input, '-o', path.join(dir, 'd'), '--init', unmixing, '-q']);
    expect(warm.code).toBe(0);
    expect(warm.stdout).toMatch(/separated 2 sources online .*latency 48 ms/);

    const again = await runCli(['separate', '--online', input, '-o', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(use --force/);
    const sources = await runCli(['separate', '--online', input, '-o', path.join(dir, 'e'), '--sources', '1']);
    expect(sources.code).toBe(2);
    expect(sources.stderr).toMatch(/as many sources as channels \(2\)/);
    const param = await runCli(['separate', '--online', input, '-o', path.join(dir, 'e'), '--param', 'lr=1']);
    expect(param.code).toBe(2);
    expect(param.stderr).toMatch(/unknown --param 'lr'/);
    const method = await runCli(['separate', '--online', input, '-o', path.join(dir, 'e'), '-m', 'ilrma']);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/no online version/);
    const missing = await runCli(['separate', '--online', path.join(dir, 'nope.wav'), '-o', path.join(dir, 'e')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope.wav: no such file/);
    expect(fs.existsSync(path.join(dir, 'e'))).toBe(false);
  });
});
