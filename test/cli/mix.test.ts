import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../core/audio/wav.js';
import { fixture, runCli, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(file: string) {
  return decodeWav(fs.readFileSync(file)).signal;
}

describe('unmix mix', () => {
  it('mixes source files in a simulated room and writes the mixture, the images and a manifest row', async () => {
    const out = path.join(dir, 'room', 'talk');
    const sources = [fixture('sources/speech-low.wav'), fixture('sources/music.wav')];
    const { code, stdout, stderr } = await runCli([
      'mix',
      ...sources,
      '-o',
      out,
      '--room',
      '6x5x3',
      '--rt60',
      '0.2',
      '--seed',
      '3',
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const description = JSON.parse(stdout);
    expect(JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'))).toEqual(description);
    expect(description).toMatchObject({
      mixture: 'talk.wav',
      references: ['talk.ref1.wav', 'talk.ref2.wav'],
      sampleRate: 16000,
      frames: 64000,
      model: 'room',
      seed: 3,
      inputs: sources.map((s) => ({ file: path.relative(path.dirname(out), s) })),
    });
    expect(description.room.dimensions).toEqual([6, 5, 3]);
    expect(description.room.microphones).toHaveLength(2);
    expect(description.room.measuredRt60).toHaveLength(2);
    const mixture = read(path.join(path.dirname(out), description.mixture));
    const refs = description.references.map((r: string) => read(path.join(path.dirname(out), r)));
    expect(mixture.channels).toHaveLength(2);
    expect(refs[0].channels).toHaveLength(2);
    // The references are the images: they sum to the mixture (up to float32 rounding).
    let peak = 0;
    for (let i = 0; i < 2; i++) {
      for (let t = 0; t < 64000; t++) {
        const sum = refs[0].channels[i][t] + refs[1].channels[i][t];
        expect(Math.abs(sum - mixture.channels[i][t])).toBeLessThan(1e-6);
        peak = Math.max(peak, Math.abs(mixture.channels[i][t]));
      }
    }
    expect(peak).toBeCloseTo(0.8, 6);
  });

  it('mixes synthetic sources instantaneously with a given matrix, exactly', async () => {
    const out = path.join(dir, 'inst');
    const { code } = await runCli([
      'mix',
      '--synthetic',
      'speech,laplace',
      '--seconds',
      '0.5',
      '--rate',
      '8000',
      '--matrix',
      '[[1, 0.5], [0.25, -1], [0, 2]]',
      '--no-normalize',
      '-o',
      out,
    ]);
    expect(code).toBe(0);
    const description = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'));
    expect(description).toMatchObject({
      model: 'instantaneous',
      mixing: [
        [1, 0.5],
        [0.25, -1],
        [0, 2],
      ],
      gain: 1,
      sampleRate: 8000,
      frames: 4000,
      inputs: [
        { synthetic: 'speech', seed: 1 },
        { synthetic: 'laplace', seed: 2 },
      ],
    });
    const mixture = read(`${out}.wav`);
    const ref2 = read(`${out}.ref2.wav`);
    expect(mixture.channels).toHaveLength(3);
    // Microphone 3 hears only source 2 (times 2), microphone 1 both.
    for (let t = 0; t < 4000; t += 37) {
      expect(ref2.channels[2][t]).toBeCloseTo(mixture.channels[2][t], 6);
      expect(ref2.channels[0][t]).toBeCloseTo(0.25 * ref2.channels[2][t], 6);
    }
  });

  it('draws a seeded random matrix with a condition number and adds noise at an SNR', async () => {
    const a = path.join(dir, 'rand-a');
    const b = path.join(dir, 'rand-b');
    for (const out of [a, b]) {
      const { code } = await runCli([
        'mix',
        '--synthetic',
        'speech,music,uniform',
        '--seconds',
        '0.25',
        '--condition',
        '4',
        '--snr',
        '20',
        '--seed',
        '5',
        '-o',
        out,
      ]);
      expect(code).toBe(0);
    }
    expect(fs.readFileSync(`${a}.wav`)).toEqual(fs.readFileSync(`${b}.wav`));
    const description = JSON.parse(fs.readFileSync(`${a}.json`, 'utf8'));
    expect(description.snrDb).toBe(20);
    expect(description.mixing).toHaveLength(3);
    const mixture = read(`${a}.wav`);
    const refs = [1, 2, 3].map((k) => read(`${a}.ref${k}.wav`));
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < 3; i++) {
      for (let t = 0; t < mixture.channels[i].length; t++) {
        const clean = refs.reduce((s, r) => s + r.channels[i][t], 0);
        signal += clean * clean;
        noise += (mixture.channels[i][t] - clean) ** 2;
      }
    }
    expect(10 * Math.log10(signal / noise)).toBeCloseTo(20, 0);
  });

  it('places microphones and sources where asked', async () => {
    const out = path.join(dir, 'placed');
    const { code, stdout } = await runCli([
      'mix',
      '--synthetic',
      'speech,speech',
      '--seconds',
      '0.25',
      '--room',
      '4x4x3',
      '--rt60',
      '0.3',
      '--absorption-formula',
      'image',
      '--mics',
      '[[2, 2, 1.5], [2.1, 2, 1.5], [2.2, 2, 1.5]]',
      '--positions',
      '[[1, 1, 1.5], [3, 3, 1.5]]',
      '-o',
      out,
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `mixed 2 sources into 3 microphones (room, 4 x 4 x 3 m, RT60 0.3 s)\n${out}.wav\n${out}.ref1.wav\n${out}.ref2.wav\n${out}.json\n`,
    );
    const { room } = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'));
    expect(room.sources).toEqual([
      [1, 1, 1.5],
      [3, 3, 1.5],
    ]);
    expect(room.absorptionFormula).toBe('image');
    expect(room.directDelays[0][0]).toBeCloseTo((Math.hypot(1, 1) / 343) * 16000, 2);
  });

  it('gives plain errors for bad geometry, rates, counts and outputs', async () => {
    const speech = fixture('sources/speech-low.wav');
    const cases: [string[], number, RegExp][] = [
      [['--room', '6x5x3', '--mics', '[[7, 1, 1]]'], 2, /microphone 1 at \(7, 1, 1\) is outside the 6 x 5 x 3 m room/],
      [['--room', '6x5x3', '--positions', '[[1, 1, 1]]'], 2, /--positions gives 1 positions for 2 sources/],
      [['--room', '6x5x3', '--rt60', '0.05'], 2, /too short for a 6 x 5 x 3 m room/],
      [['--room', '6x5'], 2, /expected the room size as three numbers/],
      [['--matrix', '[[1, 2, 3]]'], 2, /--matrix has 3 columns but there are 2 sources/],
      [['--mics', '1'], 2, /at least as many microphones as sources \(1 < 2\)/],
      [['--rate', '8000'], 2, /the sources are at 16000 Hz, not --rate 8000/],
      [['--rt60', '0.3'], 2, /--rt60 needs --room/],
      [['--absorption-formula', 'image'], 2, /--absorption-formula needs --room/],
      [['--mics', '[[1, 1, 1]]'], 2, /microphone positions need --room/],
      [['--room', '6x5x3', '--matrix', '[[1, 0], [0, 1]]'], 2, /--room cannot be combined with/],
    ];
    for (const [extra, code, message] of cases) {
      const run = await runCli(['mix', speech, fixture('sources/tone.wav'), '-o', path.join(dir, 'bad'), ...extra]);
      expect(run.stderr).toMatch(message);
      expect(run.code).toBe(code);
    }
    expect((await runCli(['mix', '-o', path.join(dir, 'none')])).stderr).toMatch(/no sources: give mono WAV files/);
    const stereo = await runCli(['mix', fixture('inst-2x2-speech.wav'), '-o', path.join(dir, 'st')]);
    expect(stereo.stderr).toMatch(/has 2 channels; each source must be a mono file/);
    expect(stereo.code).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('bad'))).toEqual([]);

    // Mismatched rates.
    const slow = path.join(dir, 'slow');
    expect((await runCli(['mix', '--synthetic', 'tone', '--seconds', '0.1', '--rate', '8000', '-o', slow])).code).toBe(
      0,
    );
    const rates = await runCli(['mix', speech, `${slow}.wav`, '-o', path.join(dir, 'rates')]);
    expect(rates.stderr).toMatch(/slow\.wav is at 8000 Hz but .*speech-low\.wav is at 16000 Hz/);

    // Existing outputs and inputs are never replaced.
    const again = await runCli(['mix', '--synthetic', 'tone', '--seconds', '0.1', '--rate', '8000', '-o', slow]);
    expect(again.stderr).toMatch(/slow\.wav: already exists \(use --force to replace it\)/);
    const copy = path.join(dir, 'input.ref1.wav');
    fs.copyFileSync(speech, copy);
    const before = fs.readFileSync(copy);
    const clobber = await runCli(['mix', copy, '-o', path.join(dir, 'input'), '--force']);
    expect(clobber.stderr).toMatch(/refusing to overwrite an input file/);
    expect(fs.readFileSync(copy)).toEqual(before);
  });
});
